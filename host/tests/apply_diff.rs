//! The diff of desired against observed: editing an applied mesh changes
//! exactly what the edit touches, in place where Lattice allows it.

use std::path::{Path, PathBuf};

use trellis::acm::PendingCertificates;
use trellis::kube::manifests::load_plan_inputs;
use trellis::lattice::InMemoryLattice;
use trellis::lattice::model::{PathMatchType, Rule};
use trellis::plugin::{Plugin, PluginEngine, PluginSet};
use trellis::reconcile::{PlanReport, Prune, Reconciled, plan, reconcile};

/// A copy of the multi-cluster example that a test may edit.
struct Mesh {
    dir: tempfile::TempDir,
    lattice: InMemoryLattice,
    plugin: PluginSet,
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}

impl Mesh {
    /// The example, applied once.
    fn applied() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/multi-cluster");
        copy_dir(&example, dir.path());
        let engine = PluginEngine::new().unwrap();
        let mesh = Self {
            dir,
            lattice: InMemoryLattice::new("123456789012", "us-west-2"),
            plugin: PluginSet::stock(Plugin::default_plugin(&engine).unwrap()),
        };
        let first = mesh.apply();
        assert!(first.problems.is_empty(), "{:#?}", first.problems);
        mesh
    }

    fn file(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    /// Replaces `from` with `to` in one manifest file.
    fn edit(&self, relative: &str, from: &str, to: &str) {
        let path = self.file(relative);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{relative} has no {from:?}");
        std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    }

    fn apply(&self) -> PlanReport {
        let clusters = load_plan_inputs(&[self.dir.path().to_path_buf()]).unwrap();
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(plan(&clusters, &self.plugin, &self.lattice))
    }

    /// Applies with `--prune`.
    fn apply_pruning(&self) -> Reconciled {
        let clusters = load_plan_inputs(&[self.dir.path().to_path_buf()]).unwrap();
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(reconcile(
                &clusters,
                &self.plugin,
                &self.lattice,
                &PendingCertificates,
                Prune::Yes,
            ))
    }

    fn rules(&self) -> Vec<Rule> {
        self.lattice.state().rules
    }
}

fn operations(report: &PlanReport) -> Vec<&'static str> {
    report.calls.iter().map(|call| call.operation).collect()
}

fn prefix(rule: &Rule) -> &str {
    match &rule.match_.http_match.path_match.as_ref().unwrap().match_ {
        PathMatchType::Prefix(value) | PathMatchType::Exact(value) => value,
    }
}

const ROUTE: &str = "config-cluster/httproute.yaml";

#[test]
fn swapped_rules_change_priorities_in_place() {
    let mesh = Mesh::applied();
    let before = mesh.rules();
    mesh.edit(ROUTE, "/service-1", "/service-X");
    mesh.edit(ROUTE, "/service-2", "/service-1");
    mesh.edit(ROUTE, "/service-X", "/service-2");
    mesh.edit(ROUTE, "name: service-1", "name: service-X");
    mesh.edit(ROUTE, "name: service-2", "name: service-1");
    mesh.edit(ROUTE, "name: service-X", "name: service-2");
    let report = mesh.apply();
    assert!(report.problems.is_empty(), "{:#?}", report.problems);
    // Both rules move aside to free priorities, then to their new ones.
    assert_eq!(operations(&report), ["UpdateRule"; 4]);
    let after = mesh.rules();
    let ids = |rules: &[Rule]| {
        let mut ids: Vec<String> = rules.iter().map(|rule| rule.id.clone()).collect();
        ids.sort();
        ids
    };
    assert_eq!(ids(&after), ids(&before), "no rule was recreated");
    for rule in &after {
        let expected = if prefix(rule) == "/service-2" { 1 } else { 2 };
        assert_eq!(rule.priority, expected, "{}", prefix(rule));
    }
    assert_eq!(mesh.apply().calls, [], "and then nothing changes");
}

#[test]
fn a_changed_match_replaces_only_its_rule() {
    let mesh = Mesh::applied();
    mesh.edit(ROUTE, "value: /service-2", "value: /two");
    let report = mesh.apply();
    assert_eq!(operations(&report), ["DeleteRule", "CreateRule"]);
    let prefixes: Vec<String> = mesh.rules().iter().map(|r| prefix(r).to_owned()).collect();
    assert_eq!(prefixes, ["/service-1", "/two"]);
}

#[test]
fn a_removed_rule_is_deleted() {
    let mesh = Mesh::applied();
    let route = std::fs::read_to_string(mesh.file(ROUTE)).unwrap();
    let start = route.find("    - matches:\n        - path:\n            type: PathPrefix\n            value: /service-2").unwrap();
    let end = start + route[start..].find("port: 80\n").unwrap() + "port: 80\n".len();
    std::fs::write(
        mesh.file(ROUTE),
        format!("{}{}", &route[..start], &route[end..]),
    )
    .unwrap();
    let report = mesh.apply();
    assert!(report.problems.is_empty(), "{:#?}", report.problems);
    assert_eq!(operations(&report), ["DeleteRule"]);
    assert_eq!(mesh.rules().len(), 1);
}

#[test]
fn moved_pods_are_deregistered_and_registered() {
    let mesh = Mesh::applied();
    mesh.edit(
        "workload-cluster-1/endpointslice.yaml",
        "10.1.0.12",
        "10.1.0.13",
    );
    let report = mesh.apply();
    assert_eq!(
        operations(&report),
        ["DeregisterTargets", "RegisterTargets"]
    );
    let deregistered = &report.calls[0].input.to_value()["targets"];
    assert_eq!(deregistered[0]["id"], "10.1.0.12");
    let registered = &report.calls[1].input.to_value()["targets"];
    assert_eq!(registered[0]["id"], "10.1.0.13");
}

#[test]
fn a_new_log_destination_of_the_same_type_replaces_the_subscription() {
    let mesh = Mesh::applied();
    let policy = |bucket: &str| {
        format!(
            "apiVersion: application-networking.k8s.aws/v1alpha1\n\
             kind: AccessLogPolicy\n\
             metadata:\n  name: route-logs\n  namespace: default\n\
             spec:\n  targetRef: {{group: gateway.networking.k8s.io, kind: HTTPRoute, name: my-httproute}}\n  \
             destinationArn: \"arn:aws:s3:::{bucket}\"\n"
        )
    };
    let path = mesh.file("config-cluster/accesslogpolicy.yaml");
    std::fs::write(&path, policy("logs-a")).unwrap();
    assert_eq!(operations(&mesh.apply()), ["CreateAccessLogSubscription"]);
    std::fs::write(&path, policy("logs-b")).unwrap();
    let report = mesh.apply();
    assert!(report.problems.is_empty(), "{:#?}", report.problems);
    assert_eq!(
        operations(&report),
        ["DeleteAccessLogSubscription", "CreateAccessLogSubscription"]
    );
    let subscriptions = mesh.lattice.state().access_log_subscriptions;
    assert_eq!(subscriptions.len(), 1);
    assert_eq!(subscriptions[0].destination_arn, "arn:aws:s3:::logs-b");

    // The policy deleted: its subscription goes.
    std::fs::remove_file(&path).unwrap();
    assert_eq!(operations(&mesh.apply()), ["DeleteAccessLogSubscription"]);
    assert!(mesh.lattice.state().access_log_subscriptions.is_empty());
}

#[test]
fn a_removed_auth_policy_turns_auth_off() {
    let mesh = Mesh::applied();
    let path = mesh.file("config-cluster/iamauthpolicy.yaml");
    std::fs::write(
        &path,
        "apiVersion: application-networking.k8s.aws/v1alpha1\n\
         kind: IAMAuthPolicy\n\
         metadata:\n  name: route-auth\n  namespace: default\n\
         spec:\n  targetRef: {group: gateway.networking.k8s.io, kind: HTTPRoute, name: my-httproute}\n  \
         policy: '{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Principal\": \"*\", \"Action\": \"vpc-lattice-svcs:Invoke\", \"Resource\": \"*\"}]}'\n",
    )
    .unwrap();
    assert_eq!(
        operations(&mesh.apply()),
        ["UpdateService", "PutAuthPolicy"]
    );
    assert_eq!(mesh.lattice.state().services[0].auth_type, "AWS_IAM");
    std::fs::remove_file(&path).unwrap();
    assert_eq!(
        operations(&mesh.apply()),
        ["UpdateService", "DeleteAuthPolicy"]
    );
    let state = mesh.lattice.state();
    assert_eq!(state.services[0].auth_type, "NONE");
    assert!(state.auth_policies.is_empty());
}

#[test]
fn a_broken_route_keeps_its_live_resources_even_when_pruning() {
    let mesh = Mesh::applied();
    let before = mesh.lattice.state();
    mesh.edit(
        ROUTE,
        "type: PathPrefix\n            value: /service-2",
        "type: RegularExpression\n            value: /service-.*",
    );
    let report = mesh.apply_pruning();
    assert!(!report.problems.is_empty(), "the broken route is reported");
    assert_eq!(report.calls, [], "and nothing is deleted");
    assert_eq!(mesh.lattice.state(), before);
}

#[test]
fn pruning_a_deleted_route_deletes_its_service_and_nothing_else() {
    let mesh = Mesh::applied();
    std::fs::remove_file(mesh.file(ROUTE)).unwrap();
    let report = mesh.apply_pruning();
    assert!(report.problems.is_empty(), "{:#?}", report.problems);
    let operations: Vec<&str> = report.calls.iter().map(|call| call.operation).collect();
    assert_eq!(
        operations,
        ["DeleteServiceNetworkServiceAssociation", "DeleteService"]
    );
    let state = mesh.lattice.state();
    assert!(state.services.is_empty() && state.listeners.is_empty() && state.rules.is_empty());
    assert_eq!(
        state.target_groups.len(),
        2,
        "the exports' target groups stay"
    );
}

#[test]
fn a_removed_gateway_auth_policy_turns_the_networks_auth_off() {
    let mesh = Mesh::applied();
    let path = mesh.file("config-cluster/iamauthpolicy.yaml");
    std::fs::write(
        &path,
        "apiVersion: application-networking.k8s.aws/v1alpha1\n\
         kind: IAMAuthPolicy\n\
         metadata:\n  name: network-auth\n  namespace: default\n\
         spec:\n  targetRef: {group: gateway.networking.k8s.io, kind: Gateway, name: my-gateway}\n  \
         policy: '{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Principal\": \"*\", \"Action\": \"vpc-lattice-svcs:Invoke\", \"Resource\": \"*\"}]}'\n",
    )
    .unwrap();
    assert_eq!(
        operations(&mesh.apply()),
        ["UpdateServiceNetwork", "PutAuthPolicy"]
    );
    std::fs::remove_file(&path).unwrap();
    assert_eq!(
        operations(&mesh.apply()),
        ["UpdateServiceNetwork", "DeleteAuthPolicy"]
    );
    let state = mesh.lattice.state();
    assert_eq!(state.service_networks[0].auth_type, "NONE");
    assert!(state.auth_policies.is_empty());
    assert_eq!(mesh.apply().calls, []);
}

/// A route in the config cluster that forwards to a local Service, so that
/// the route owns a target group.
const LOCAL_ROUTE: &str = r#"apiVersion: v1
kind: Service
metadata: {name: local, namespace: default}
spec:
  ports: [{name: http, protocol: TCP, port: 80, targetPort: 8080}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: local-1
  namespace: default
  labels: {kubernetes.io/service-name: local}
addressType: IPv4
ports: [{name: http, protocol: TCP, port: 8080}]
endpoints:
  - addresses: ["10.0.0.5"]
    conditions: {ready: true}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: local-route, namespace: default}
spec:
  parentRefs: [{name: my-gateway, sectionName: http}]
  rules:
    - backendRefs: [{name: local, port: 80}]
"#;

#[test]
fn pruning_a_deleted_route_collects_the_target_groups_it_owned() {
    let mesh = Mesh::applied();
    let path = mesh.file("config-cluster/local-route.yaml");
    std::fs::write(&path, LOCAL_ROUTE).unwrap();
    let added = mesh.apply();
    assert!(added.problems.is_empty(), "{:#?}", added.problems);
    assert_eq!(mesh.lattice.state().target_groups.len(), 3);

    std::fs::remove_file(&path).unwrap();
    let report = mesh.apply_pruning();
    assert!(report.problems.is_empty(), "{:#?}", report.problems);
    let operations: Vec<&str> = report.calls.iter().map(|call| call.operation).collect();
    assert_eq!(
        operations,
        [
            "DeleteServiceNetworkServiceAssociation",
            "DeleteService",
            "DeregisterTargets",
            "DeleteTargetGroup"
        ]
    );
    let state = mesh.lattice.state();
    assert_eq!(state.services.len(), 1, "the other route's service stays");
    assert_eq!(state.target_groups.len(), 2, "the exports' groups stay");
    assert!(mesh.apply_pruning().calls.is_empty());
}

#[test]
fn pruning_collects_the_target_group_a_route_moved_away_from() {
    let mesh = Mesh::applied();
    let path = mesh.file("config-cluster/local-route.yaml");
    let moved = format!(
        "{LOCAL_ROUTE}---\n{}",
        LOCAL_ROUTE
            .split("---\n")
            .take(2)
            .collect::<Vec<_>>()
            .join("---\n")
            .replace("name: local,", "name: local-two,")
            .replace("name: local-1", "name: local-two-1")
            .replace("service-name: local}", "service-name: local-two}")
    );
    std::fs::write(&path, LOCAL_ROUTE).unwrap();
    mesh.apply();
    let before: Vec<String> = mesh
        .lattice
        .state()
        .target_groups
        .iter()
        .map(|g| g.name.clone())
        .collect();
    std::fs::write(
        &path,
        moved.replace(
            "backendRefs: [{name: local,",
            "backendRefs: [{name: local-two,",
        ),
    )
    .unwrap();
    let report = mesh.apply_pruning();
    assert!(report.problems.is_empty(), "{:#?}", report.problems);
    let operations: Vec<&str> = report.calls.iter().map(|call| call.operation).collect();
    assert_eq!(
        operations,
        [
            "CreateTargetGroup",
            "RegisterTargets",
            "UpdateRule",
            "DeregisterTargets",
            "DeleteTargetGroup"
        ],
        "{report:#?}"
    );
    let after: Vec<String> = mesh
        .lattice
        .state()
        .target_groups
        .iter()
        .map(|g| g.name.clone())
        .collect();
    assert_eq!(after.len(), before.len());
    assert_ne!(after, before);
}

#[test]
fn a_policy_with_associate_with_vpc_false_removes_the_owned_association() {
    let mesh = Mesh::applied();
    let policy = |associate: bool| {
        format!(
            "apiVersion: application-networking.k8s.aws/v1alpha1\n\
             kind: VpcAssociationPolicy\n\
             metadata:\n  name: my-gateway-vap\n  namespace: default\n\
             spec:\n  targetRef: {{group: gateway.networking.k8s.io, kind: Gateway, name: my-gateway}}\n  \
             associateWithVpc: {associate}\n"
        )
    };
    let path = mesh.file("config-cluster/vpcassociationpolicy.yaml");
    std::fs::write(&path, policy(false)).unwrap();
    // While the network is the cluster's DEFAULT_SERVICE_NETWORK, that
    // setting's association stays.
    assert_eq!(mesh.apply().calls, []);

    mesh.edit(
        "config-cluster/cluster.yaml",
        "defaultServiceNetwork: my-gateway",
        "",
    );
    let report = mesh.apply();
    assert!(report.problems.is_empty(), "{:#?}", report.problems);
    assert_eq!(operations(&report), ["DeleteServiceNetworkVpcAssociation"]);
    let vpcs: Vec<String> = mesh
        .lattice
        .state()
        .service_network_vpc_associations
        .iter()
        .map(|association| association.vpc_id.clone())
        .collect();
    assert!(
        !vpcs.contains(&"vpc-0a1b2c3d4e5f60000".to_owned()),
        "{vpcs:?}"
    );
    assert_eq!(vpcs.len(), 2, "the workload clusters' associations stay");

    std::fs::write(&path, policy(true)).unwrap();
    assert_eq!(
        operations(&mesh.apply()),
        ["CreateServiceNetworkVpcAssociation"]
    );
}

#[test]
fn pruning_keeps_every_port_of_a_multi_port_export() {
    let mesh = Mesh::applied();
    mesh.edit(
        "workload-cluster-1/service.yaml",
        "      targetPort: 8090",
        "      targetPort: 8090\n    - name: grpc\n      protocol: TCP\n      port: 8081\n      targetPort: 9090",
    );
    mesh.edit(
        "workload-cluster-1/endpointslice.yaml",
        "    port: 8090",
        "    port: 8090\n  - name: grpc\n    protocol: TCP\n    port: 9090",
    );
    mesh.edit(
        "workload-cluster-1/serviceexport.yaml",
        "\"amazon-vpc-lattice\"",
        "\"amazon-vpc-lattice\"\nspec:\n  exportedPorts: [{port: 80, routeType: HTTP}, {port: 8081, routeType: GRPC}]",
    );
    let report = mesh.apply_pruning();
    assert!(report.problems.is_empty(), "{:#?}", report.problems);
    let made: Vec<&str> = report.calls.iter().map(|call| call.operation).collect();
    assert_eq!(
        made,
        ["CreateTargetGroup", "RegisterTargets"],
        "the new port's group is made, the first port's is kept"
    );
    assert_eq!(mesh.lattice.state().target_groups.len(), 3);
    assert_eq!(mesh.apply_pruning().calls, [], "and neither is collected");
}
