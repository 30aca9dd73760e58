//! What a deleted policy or a renamed service leaves behind, as `trellis
//! apply` reconciles it: the real AWS SDK client against the Lattice
//! emulator on 127.0.0.1.
//!
//! - A deleted TargetGroupPolicy gives its target groups Lattice's default
//!   health check back.
//! - A deleted VpcAssociationPolicy takes the association this controller
//!   made for it; another's, an untagged one, or one made for no policy
//!   stays.
//! - A route whose service got another name loses its service of the old
//!   name once the new one is programmed; another controller's service with
//!   the route's tags stays.

use std::num::NonZeroU32;
use std::time::Duration;

use aws_sdk_vpclattice::config::Credentials;
use lattice_emulator::Emulator;
use trellis::acm::PendingCertificates;
use trellis::kube::manifests::load_plan_inputs;
use trellis::lattice::model::{
    CreateServiceInput, CreateServiceNetworkInput, CreateServiceNetworkVpcAssociationInput,
    HealthCheckConfig, Matcher, Tags,
};
use trellis::lattice::{CachedLattice, Lattice, SdkLattice, SdkOptions};
use trellis::plugin::{Plugin, PluginEngine, PluginSet};
use trellis::reconcile::{Prune, Reconciled, reconcile};

const ACCOUNT: &str = "123456789012";
const VPC: &str = "vpc-0a1b2c3d4e5f60000";
const MANAGED_BY: &str = "application-networking.k8s.aws/ManagedBy";
const POLICY_TAG: &str = "application-networking.k8s.aws/VpcAssociationPolicy";
const OURS: &str = "123456789012/config-cluster/vpc-0a1b2c3d4e5f60000";
const THEIRS: &str = "123456789012/someone-else/vpc-0a1b2c3d4e5f69999";

const CLUSTER: &str = r#"clusterName: config-cluster
vpcId: vpc-0a1b2c3d4e5f60000
accountId: "123456789012"
region: us-west-2
defaultServiceNetwork: my-gateway
"#;

const MESH: &str = r#"apiVersion: gateway.networking.k8s.io/v1
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
---
apiVersion: v1
kind: Service
metadata: {name: rates, namespace: default}
spec:
  ports: [{name: http, port: 80, targetPort: 8090}]
"#;

const ROUTE: &str = r#"apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: rates, namespace: default}
spec:
  parentRefs: [{name: my-gateway}]
  rules:
  - backendRefs: [{name: rates, port: 80}]
"#;

const RENAMED_ROUTE: &str = r#"apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: rates
  namespace: default
  annotations: {application-networking.k8s.aws/service-name-override: rates-renamed}
spec:
  parentRefs: [{name: my-gateway}]
  rules:
  - backendRefs: [{name: rates, port: 80}]
"#;

const TARGET_GROUP_POLICY: &str = r#"apiVersion: application-networking.k8s.aws/v1alpha1
kind: TargetGroupPolicy
metadata: {name: rates-tgp, namespace: default}
spec:
  targetRef: {group: "", kind: Service, name: rates}
  healthCheck: {intervalSeconds: 10, path: /healthz, port: 8090, statusMatch: "200-299"}
"#;

/// A second Gateway, of the network `partners` (not the default one).
const PARTNERS_GATEWAY: &str = r#"apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: partners, namespace: default}
spec:
  gatewayClassName: amazon-vpc-lattice
  listeners: [{name: http, protocol: HTTP, port: 80}]
"#;

const VPC_ASSOCIATION_POLICY: &str = r#"apiVersion: application-networking.k8s.aws/v1alpha1
kind: VpcAssociationPolicy
metadata: {name: partners-vap, namespace: default}
spec:
  targetRef: {group: gateway.networking.k8s.io, kind: Gateway, name: partners}
  securityGroupIds: [sg-0123456789abcdef0]
"#;

struct Account {
    emulator: Emulator,
    lattice: CachedLattice<SdkLattice>,
    plugins: PluginSet,
}

impl Account {
    async fn start() -> Self {
        let emulator = Emulator::new(ACCOUNT, "us-west-2", 100);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(emulator.clone().serve(listener));
        let options = SdkOptions {
            endpoint_url: Some(url),
            calls_per_second: NonZeroU32::new(1000).unwrap(),
            burst: NonZeroU32::new(1000).unwrap(),
            max_attempts: 2,
            initial_backoff: Duration::from_millis(1),
            account_id: Some(ACCOUNT.into()),
            ..SdkOptions::default()
        };
        let engine = PluginEngine::new().unwrap();
        Self {
            emulator,
            lattice: CachedLattice::new(SdkLattice::with_credentials(
                "us-west-2",
                Credentials::new("AKIDEXAMPLE", "secret", None, None, "t"),
                &options,
            )),
            plugins: PluginSet::stock(Plugin::default_plugin(&engine).unwrap()),
        }
    }

    /// Applies the mesh with `objects` (no prune), as `trellis apply` does,
    /// with a fresh cache as every `trellis apply` has; no problem expected.
    async fn apply(&self, objects: &[&str]) -> Reconciled {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("cluster.yaml"), CLUSTER).unwrap();
        let mut documents = vec![MESH];
        documents.extend_from_slice(objects);
        std::fs::write(dir.path().join("input.yaml"), documents.join("---\n")).unwrap();
        let clusters = load_plan_inputs(&[dir.path().to_path_buf()]).unwrap();
        self.lattice.refresh();
        let reconciled = reconcile(
            &clusters,
            &self.plugins,
            &self.lattice,
            &PendingCertificates,
            Prune::No,
        )
        .await;
        assert!(reconciled.problems.is_empty(), "{:#?}", reconciled.problems);
        reconciled
    }
}

fn operations(reconciled: &Reconciled) -> Vec<&str> {
    reconciled.calls.iter().map(|call| call.operation).collect()
}

fn tags(pairs: &[(&str, &str)]) -> Tags {
    pairs
        .iter()
        .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
        .collect()
}

#[tokio::test]
async fn a_deleted_target_group_policy_gives_its_groups_the_default_health_check_back() {
    let account = Account::start().await;
    account.apply(&[ROUTE, TARGET_GROUP_POLICY]).await;
    let group = || account.emulator.lattice().state().target_groups[0].clone();
    let configured = group().config.health_check.unwrap();
    assert_eq!(configured.path.as_deref(), Some("/healthz"));
    assert_eq!(configured.port, Some(8090));

    let reset = account.apply(&[ROUTE]).await;
    assert_eq!(operations(&reset), ["UpdateTargetGroup"]);
    assert_eq!(
        group().config.health_check,
        Some(HealthCheckConfig {
            enabled: Some(true),
            health_check_interval_seconds: Some(30),
            health_check_timeout_seconds: Some(5),
            healthy_threshold_count: Some(5),
            unhealthy_threshold_count: Some(2),
            matcher: Some(Matcher {
                http_code: "200".into()
            }),
            path: Some("/".into()),
            port: None,
            protocol: Some("HTTP".into()),
            protocol_version: Some("HTTP1".into()),
        }),
        "Lattice's default health check for an HTTP1 group"
    );

    let again = account.apply(&[ROUTE]).await;
    assert_eq!(operations(&again), Vec::<&str>::new(), "the default holds");
}

#[tokio::test]
async fn a_deleted_vpc_association_policy_takes_only_the_association_made_for_it() {
    let account = Account::start().await;
    let lattice = account.emulator.lattice();
    let network = |name: &str| CreateServiceNetworkInput {
        name: name.into(),
        auth_type: "NONE".into(),
        tags: Tags::new(),
    };
    let partners = lattice
        .create_service_network(network("partners"))
        .await
        .unwrap();
    account
        .apply(&[ROUTE, PARTNERS_GATEWAY, VPC_ASSOCIATION_POLICY])
        .await;
    let associations = |network_id: &str| {
        lattice
            .state()
            .service_network_vpc_associations
            .into_iter()
            .filter(|association| association.service_network_id == network_id)
            .collect::<Vec<_>>()
    };
    let made = associations(&partners.id);
    assert_eq!(made.len(), 1);
    assert_eq!(
        made[0].tags.get(POLICY_TAG).map(String::as_str),
        Some("default/partners-vap")
    );

    // Gateways of networks whose association this controller did not make
    // for a policy: another controller's (even tagged with a policy), and
    // one of this controller's with no policy tag.
    let mut kept = Vec::new();
    for (name, owner) in [
        (
            "theirs",
            tags(&[(MANAGED_BY, THEIRS), (POLICY_TAG, "default/x")]),
        ),
        ("untagged-by-policy", tags(&[(MANAGED_BY, OURS)])),
    ] {
        let other = lattice.create_service_network(network(name)).await.unwrap();
        lattice
            .create_service_network_vpc_association(CreateServiceNetworkVpcAssociationInput {
                service_network_identifier: other.id.clone(),
                vpc_identifier: VPC.into(),
                security_group_ids: Vec::new(),
                tags: owner,
            })
            .await
            .unwrap();
        kept.push(other.id);
    }
    let gateway = |name: &str| PARTNERS_GATEWAY.replace("partners", name);
    let (theirs, untagged) = (gateway("theirs"), gateway("untagged-by-policy"));

    let deleted = account
        .apply(&[ROUTE, PARTNERS_GATEWAY, &theirs, &untagged])
        .await;
    assert_eq!(operations(&deleted), ["DeleteServiceNetworkVpcAssociation"]);
    assert!(associations(&partners.id).is_empty());
    for id in &kept {
        assert_eq!(associations(id).len(), 1, "{id} keeps its association");
    }
    // The default network's association, made for the setting, stays too.
    let state = lattice.state();
    let default = &state
        .service_networks
        .iter()
        .find(|network| network.name == "my-gateway")
        .unwrap()
        .id;
    assert_eq!(associations(default).len(), 1);

    let again = account
        .apply(&[ROUTE, PARTNERS_GATEWAY, &theirs, &untagged])
        .await;
    assert_eq!(operations(&again), Vec::<&str>::new());
}

#[tokio::test]
async fn a_renamed_service_replaces_the_old_one_and_leaves_others_alone() {
    let account = Account::start().await;
    account.apply(&[ROUTE]).await;
    let names = || {
        let mut names: Vec<String> = account
            .emulator
            .lattice()
            .state()
            .services
            .into_iter()
            .map(|service| service.name)
            .collect();
        names.sort();
        names
    };
    assert_eq!(names(), ["rates-default"]);
    // Another controller's service with the route's tags, and an untagged one.
    for (name, service_tags) in [
        (
            "theirs",
            tags(&[
                (MANAGED_BY, THEIRS),
                ("application-networking.k8s.aws/RouteName", "rates"),
                ("application-networking.k8s.aws/RouteNamespace", "default"),
            ]),
        ),
        ("by-hand", Tags::new()),
    ] {
        account
            .emulator
            .lattice()
            .create_service(CreateServiceInput {
                name: name.into(),
                custom_domain_name: None,
                certificate_arn: None,
                auth_type: "NONE".into(),
                tags: service_tags,
            })
            .await
            .unwrap();
    }

    let renamed = account.apply(&[RENAMED_ROUTE]).await;
    assert_eq!(names(), ["by-hand", "rates-renamed", "theirs"]);
    let operations = operations(&renamed);
    let created = operations.iter().position(|op| *op == "CreateService");
    let deleted = operations.iter().position(|op| *op == "DeleteService");
    assert!(
        created.unwrap() < deleted.unwrap(),
        "the old service goes once the new one is made: {operations:?}"
    );

    let again = account.apply(&[RENAMED_ROUTE]).await;
    assert!(
        !self::operations(&again).contains(&"DeleteService"),
        "{:?}",
        self::operations(&again)
    );
}
