//! `trellis plan` end to end: manifests → default plugin (Wasm) → shared
//! in-memory Lattice, on the multi-cluster example and on broken inputs.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use trellis::kube::manifests::load_plan_inputs;
use trellis::lattice::InMemoryLattice;
use trellis::lattice::model::{PathMatchType, RuleAction};
use trellis::plugin::{Plugin, PluginEngine, PluginSet};
use trellis::reconcile::{PlanReport, plan};

const TAG: &str = "application-networking.k8s.aws/";

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/multi-cluster")
}

fn run_plan(paths: &[PathBuf], lattice: &InMemoryLattice) -> PlanReport {
    let clusters = load_plan_inputs(paths).expect("manifests load");
    let engine = PluginEngine::new().expect("engine starts");
    let plugin = PluginSet::stock(Plugin::default_plugin(&engine).expect("default plugin loads"));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    runtime.block_on(plan(&clusters, &plugin, lattice))
}

fn fresh_lattice() -> InMemoryLattice {
    InMemoryLattice::new("123456789012", "us-west-2")
}

fn tag<'a>(tags: &'a std::collections::BTreeMap<String, String>, key: &str) -> &'a str {
    tags.get(&format!("{TAG}{key}"))
        .map(String::as_str)
        .unwrap_or_else(|| panic!("tag {key} missing in {tags:?}"))
}

#[test]
fn multi_cluster_example_builds_the_mesh() {
    let report = run_plan(&[example()], &fresh_lattice());
    assert!(
        report.problems.is_empty(),
        "problems: {:#?}",
        report.problems
    );
    let state = &report.state;

    assert_eq!(state.service_networks.len(), 1);
    let network = &state.service_networks[0];
    assert_eq!(network.name, "my-gateway");
    let vpcs: Vec<&str> = state
        .service_network_vpc_associations
        .iter()
        .map(|a| a.vpc_id.as_str())
        .collect();
    assert_eq!(
        vpcs.len(),
        3,
        "every cluster VPC joins the network: {vpcs:?}"
    );

    assert_eq!(state.services.len(), 1);
    let service = &state.services[0];
    assert_eq!(service.name, "my-httproute-default");
    assert_eq!(tag(&service.tags, "RouteName"), "my-httproute");
    assert_eq!(tag(&service.tags, "RouteNamespace"), "default");
    assert_eq!(tag(&service.tags, "RouteType"), "http");
    assert_eq!(
        tag(&service.tags, "ManagedBy"),
        "123456789012/config-cluster/vpc-0a1b2c3d4e5f60000"
    );
    assert_eq!(state.service_network_service_associations.len(), 1);
    assert_eq!(
        state.service_network_service_associations[0].service_network_id,
        network.id
    );

    assert_eq!(state.listeners.len(), 1);
    let listener = &state.listeners[0];
    assert_eq!(
        (
            listener.name.as_str(),
            listener.port,
            listener.protocol.as_str()
        ),
        ("my-httproute-default-80-http", 80, "HTTP")
    );
    assert!(
        matches!(&listener.default_action, RuleAction::FixedResponse(fixed) if fixed.status_code == 404)
    );

    assert_eq!(
        state.target_groups.len(),
        2,
        "only the two exported target groups"
    );
    let mut rules = state.rules.clone();
    rules.sort_by_key(|rule| rule.priority);
    assert_eq!(rules.len(), 2);
    for (rule, (priority, service_name, cluster)) in rules.iter().zip([
        (1, "service-1", "workload-cluster-1"),
        (2, "service-2", "workload-cluster-2"),
    ]) {
        assert_eq!(rule.priority, priority);
        let path = rule
            .match_
            .http_match
            .path_match
            .as_ref()
            .expect("path match");
        assert_eq!(
            path.match_,
            PathMatchType::Prefix(format!("/{service_name}"))
        );
        assert!(path.case_sensitive);
        let RuleAction::Forward(forward) = &rule.action else {
            panic!("rule {priority} does not forward")
        };
        assert_eq!(forward.target_groups.len(), 1);
        let group = state
            .target_groups
            .iter()
            .find(|group| group.id == forward.target_groups[0].target_group_identifier)
            .expect("forwarded target group exists");
        assert_eq!(tag(&group.tags, "SourceTypeKey"), "ServiceExport");
        assert_eq!(tag(&group.tags, "ServiceName"), service_name);
        assert_eq!(tag(&group.tags, "ServiceNamespace"), "default");
        assert_eq!(tag(&group.tags, "ClusterName"), cluster);
        assert_eq!(tag(&group.tags, "ProtocolVersion"), "HTTP1");
        assert!(
            group
                .name
                .starts_with(&format!("k8s-default-{service_name}-")),
            "{}",
            group.name
        );
        assert_eq!(
            group.name.len(),
            format!("k8s-default-{service_name}-").len() + 10
        );
        let targets = state
            .targets
            .iter()
            .find(|t| t.target_group_id == group.id)
            .expect("targets registered");
        assert_eq!(targets.targets.len(), 2);
        assert!(targets.targets.iter().all(|target| target.port == 8090));
    }
}

#[test]
fn a_second_plan_against_the_same_lattice_makes_no_call() {
    let lattice = fresh_lattice();
    let first = run_plan(&[example()], &lattice);
    assert!(!first.calls.is_empty());
    let second = run_plan(&[example()], &lattice);
    assert_eq!(second.calls, Vec::new());
    assert_eq!(second.state, first.state);
}

fn write(dir: &Path, file: &str, text: &str) {
    std::fs::write(dir.join(file), text).unwrap();
}

const GATEWAY: &str = r#"
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: amazon-vpc-lattice}
spec: {controllerName: application-networking.k8s.aws/gateway-api-controller}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: my-gateway, namespace: default}
spec:
  gatewayClassName: amazon-vpc-lattice
  listeners: [{name: http, protocol: HTTP, port: 80}]
"#;

const CLUSTER: &str = "clusterName: solo\nvpcId: vpc-0123456789abcdef0\naccountId: \"123456789012\"\nregion: us-west-2\ndefaultServiceNetwork: my-gateway\n";

#[test]
fn a_dangling_parent_ref_is_a_problem_on_the_route() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "cluster.yaml", CLUSTER);
    write(dir.path(), "gateway.yaml", GATEWAY);
    write(
        dir.path(),
        "route.yaml",
        r#"
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: inventory, namespace: default}
spec:
  parentRefs: [{name: my-hotel, sectionName: http}]
  rules: [{backendRefs: [{name: inventory, port: 80}]}]
"#,
    );
    let report = run_plan(&[dir.path().to_path_buf()], &fresh_lattice());
    let problem = report
        .problems
        .iter()
        .find(|p| p.object.name == "inventory")
        .expect("a problem on the route");
    assert_eq!(problem.object.kind.as_str(), "HTTPRoute");
    assert_eq!(problem.reason, "NoMatchingParent");
    assert_eq!(problem.field.as_deref(), Some("spec.parentRefs[0].name"));
    assert!(problem.message.contains("my-hotel"), "{}", problem.message);
    assert!(
        report.state.services.is_empty(),
        "nothing is created for the route"
    );
}

#[test]
fn a_service_import_no_cluster_exports_is_a_problem_on_the_route() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "cluster.yaml", CLUSTER);
    write(dir.path(), "gateway.yaml", GATEWAY);
    write(
        dir.path(),
        "route.yaml",
        r#"
apiVersion: application-networking.k8s.aws/v1alpha1
kind: ServiceImport
metadata: {name: ghost, namespace: default}
spec: {type: ClusterSetIP, ports: [{port: 80, protocol: TCP}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: haunted, namespace: default}
spec:
  parentRefs: [{name: my-gateway, sectionName: http}]
  rules:
  - backendRefs: [{name: ghost, kind: ServiceImport, port: 80}]
"#,
    );
    let report = run_plan(&[dir.path().to_path_buf()], &fresh_lattice());
    let problem = report
        .problems
        .iter()
        .find(|p| p.object.name == "haunted")
        .expect("a problem on the route");
    assert_eq!(problem.reason, "BackendNotFound");
    assert_eq!(
        problem.field.as_deref(),
        Some("spec.rules[0].backendRefs[0]")
    );
    assert!(
        problem.message.contains("default/ghost"),
        "{}",
        problem.message
    );
    assert!(
        report.state.services.is_empty(),
        "a route that cannot resolve makes no call"
    );
    assert!(
        report
            .calls
            .iter()
            .all(|call| call.operation != "CreateService")
    );
}

#[test]
fn json_output_is_the_documented_contract() {
    let output = Command::new(env!("CARGO_BIN_EXE_trellis"))
        .args(["plan", "--output", "json"])
        .arg(example())
        .output()
        .expect("trellis runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let document: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let calls = document["calls"].as_array().expect("calls");
    let first = &calls[0];
    assert_eq!(first["cluster"], "config-cluster");
    assert_eq!(first["operation"], "CreateServiceNetwork");
    assert_eq!(first["input"]["name"], "my-gateway");
    let service = calls
        .iter()
        .find(|call| call["operation"] == "CreateService")
        .expect("CreateService");
    assert_eq!(service["input"]["name"], "my-httproute-default");
    assert_eq!(service["input"]["authType"], "NONE");
    let listener = calls
        .iter()
        .find(|call| call["operation"] == "CreateListener")
        .expect("CreateListener");
    assert_eq!(listener["input"]["port"], 80);
    assert_eq!(listener["input"]["protocol"], "HTTP");
    assert_eq!(
        listener["input"]["defaultAction"]["fixedResponse"]["statusCode"],
        404
    );
    let rule = calls
        .iter()
        .find(|call| call["operation"] == "CreateRule")
        .expect("CreateRule");
    assert_eq!(rule["input"]["priority"], 1);
    assert_eq!(
        rule["input"]["match"]["httpMatch"]["pathMatch"]["match"]["prefix"],
        "/service-1"
    );
    assert!(
        rule["input"]["action"]["forward"]["targetGroups"][0]["targetGroupIdentifier"].is_string()
    );
    assert!(document["state"]["services"].is_array());
    assert_eq!(document["problems"], Value::Array(Vec::new()));
}

#[test]
fn text_output_shows_the_tree_calls_and_problems() {
    let output = Command::new(env!("CARGO_BIN_EXE_trellis"))
        .arg("plan")
        .arg(example())
        .output()
        .expect("trellis runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("service network my-gateway"), "{text}");
    assert!(text.contains("service my-httproute-default"), "{text}");
    assert!(
        text.contains("listener my-httproute-default-80-http HTTP:80"),
        "{text}"
    );
    assert!(text.contains("path prefix /service-1"), "{text}");
    assert!(text.contains("Problems (0)"), "{text}");
}

#[test]
fn plan_runs_the_plugin_it_is_given() {
    let output = Command::new(env!("CARGO_BIN_EXE_trellis"))
        .args(["plan", "--plugin", env!("TRELLIS_TEST_PLUGIN_MISBEHAVING")])
        .arg(example())
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(output.status.success(), "{stdout}");
    assert!(stdout.contains("CreateService mb-my-httproute"), "{stdout}");

    let output = Command::new(env!("CARGO_BIN_EXE_trellis"))
        .args(["plan", "--plugin", "missing.wasm"])
        .arg(example())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("loading the plugins and policies: missing.wasm: reading"),
        "{stderr}"
    );
}
