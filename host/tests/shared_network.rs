//! Service networks another account shares with this one through RAM, as
//! `trellis apply` reconciles them: the real AWS SDK client against the
//! Lattice emulator on 127.0.0.1, holding a network whose ARN names another
//! account (its tags refused to this account, as Lattice does).
//!
//! A shared network is found by its name or id among the listed networks,
//! or through an `ACTIVE` association of the cluster VPC when the listing
//! does not show it; routes associate their services with it; its VPC
//! associations, tags and auth are never changed, and the Gateway's
//! `Programmed` message and the VpcAssociationPolicy's problem say so.

use std::num::NonZeroU32;
use std::time::Duration;

use aws_sdk_vpclattice::config::Credentials;
use lattice_emulator::Emulator;
use trellis::acm::PendingCertificates;
use trellis::kube::manifests::load_plan_inputs;
use trellis::lattice::model::{CreateServiceNetworkVpcAssociationInput, ServiceNetwork, Tags};
use trellis::lattice::{Lattice, SdkLattice, SdkOptions};
use trellis::object::Kind;
use trellis::plugin::{Plugin, PluginEngine, PluginSet};
use trellis::reconcile::{Condition, Prune, Reconciled, reconcile};

const ACCOUNT: &str = "123456789012";
const OWNER: &str = "210987654321";
const VPC: &str = "vpc-0a1b2c3d4e5f60000";

const CLUSTER: &str = r#"clusterName: config-cluster
vpcId: vpc-0a1b2c3d4e5f60000
accountId: "123456789012"
region: us-west-2
"#;

/// A Gateway named `GATEWAY`, its route, and a VpcAssociationPolicy on it
/// when `with_policy`.
fn mesh(gateway: &str, with_policy: bool) -> String {
    let mut text = format!(
        r#"apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {{name: amazon-vpc-lattice}}
spec: {{controllerName: application-networking.k8s.aws/gateway-api-controller}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {{name: {gateway}, namespace: default}}
spec:
  gatewayClassName: amazon-vpc-lattice
  listeners: [{{name: http, protocol: HTTP, port: 80}}]
---
apiVersion: v1
kind: Service
metadata: {{name: rates, namespace: default}}
spec:
  ports: [{{name: http, port: 80, targetPort: 8090}}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {{name: rates, namespace: default}}
spec:
  parentRefs: [{{name: {gateway}}}]
  rules:
  - backendRefs: [{{name: rates, port: 80}}]
"#
    );
    if with_policy {
        text.push_str(&format!(
            r#"---
apiVersion: application-networking.k8s.aws/v1alpha1
kind: VpcAssociationPolicy
metadata: {{name: shared-vap, namespace: default}}
spec:
  targetRef: {{group: gateway.networking.k8s.io, kind: Gateway, name: {gateway}}}
  securityGroupIds: [sg-0123456789abcdef0]
"#
        ));
    }
    text
}

struct Account {
    emulator: Emulator,
    url: String,
    plugins: PluginSet,
}

impl Account {
    async fn start() -> Self {
        let emulator = Emulator::new(ACCOUNT, "us-west-2", 100);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(emulator.clone().serve(listener));
        let engine = PluginEngine::new().unwrap();
        Self {
            emulator,
            url,
            plugins: PluginSet::stock(Plugin::default_plugin(&engine).unwrap()),
        }
    }

    /// An SDK client of the emulator, knowing its account or not.
    fn client(&self, account_id: Option<&str>) -> SdkLattice {
        let options = SdkOptions {
            endpoint_url: Some(self.url.clone()),
            calls_per_second: NonZeroU32::new(1000).unwrap(),
            burst: NonZeroU32::new(1000).unwrap(),
            max_attempts: 2,
            initial_backoff: Duration::from_millis(1),
            account_id: account_id.map(str::to_owned),
            ..SdkOptions::default()
        };
        SdkLattice::with_credentials(
            "us-west-2",
            Credentials::new("AKIDEXAMPLE", "secret", None, None, "t"),
            &options,
        )
    }

    /// Applies `manifests` (no prune), as `trellis apply` does.
    async fn apply(&self, manifests: &str) -> Reconciled {
        self.apply_with(CLUSTER, manifests).await
    }

    /// Applies `manifests` of the cluster `cluster_yaml` describes.
    async fn apply_with(&self, cluster_yaml: &str, manifests: &str) -> Reconciled {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("cluster.yaml"), cluster_yaml).unwrap();
        std::fs::write(dir.path().join("input.yaml"), manifests).unwrap();
        let clusters = load_plan_inputs(&[dir.path().to_path_buf()]).unwrap();
        let lattice = self.client(Some(ACCOUNT));
        reconcile(
            &clusters,
            &self.plugins,
            &lattice,
            &PendingCertificates,
            Prune::No,
        )
        .await
    }

    /// Associates the cluster VPC with `network` as its admin would, by hand
    /// (untagged), with `status`.
    async fn associate(&self, network: &ServiceNetwork, status: &str) -> String {
        let lattice = self.emulator.lattice();
        let association = lattice
            .create_service_network_vpc_association(CreateServiceNetworkVpcAssociationInput {
                service_network_identifier: network.id.clone(),
                vpc_identifier: VPC.into(),
                security_group_ids: Vec::new(),
                tags: Tags::new(),
            })
            .await
            .unwrap();
        lattice
            .set_vpc_association_status(&association.id, status)
            .unwrap();
        association.id
    }
}

fn operations(reconciled: &Reconciled) -> Vec<&str> {
    reconciled.calls.iter().map(|call| call.operation).collect()
}

/// The Gateway's `Programmed` condition.
fn programmed(reconciled: &Reconciled) -> Condition {
    let gateway = reconciled
        .statuses
        .iter()
        .find(|status| status.object.kind == Kind::Gateway)
        .expect("the Gateway's status");
    gateway
        .conditions
        .iter()
        .find(|condition| condition.type_ == "Programmed")
        .unwrap()
        .clone()
}

#[tokio::test]
async fn a_gateway_named_after_a_shared_network_id_uses_it_and_changes_nothing_of_it() {
    let account = Account::start().await;
    let shared = account.emulator.share_service_network(OWNER, "partners");
    assert!(shared.arn.contains(&format!(":{OWNER}:")));

    let reconciled = account.apply(&mesh(&shared.id, true)).await;

    // The policy says that nothing is changed; nothing else is a problem
    // (a refused tag read would be one).
    assert_eq!(reconciled.problems.len(), 1, "{:#?}", reconciled.problems);
    let problem = &reconciled.problems[0];
    assert_eq!(problem.object.kind, Kind::VpcAssociationPolicy);
    assert_eq!(problem.reason, "SharedServiceNetwork");
    assert!(problem.message.contains(OWNER), "{}", problem.message);
    assert!(problem.message.contains("nothing is changed"));
    // The Gateway is programmed, and says whose network it is.
    let condition = programmed(&reconciled);
    assert_eq!(condition.status, "True");
    assert!(
        condition
            .message
            .starts_with(&format!("aws-service-network-arn: {}", shared.arn)),
        "{}",
        condition.message
    );
    assert!(condition.message.contains(OWNER));
    // No VPC association, no tag and no auth change; the route's service is
    // associated with the shared network.
    let made = operations(&reconciled);
    for refused in [
        "CreateServiceNetworkVpcAssociation",
        "UpdateServiceNetworkVpcAssociation",
        "DeleteServiceNetworkVpcAssociation",
        "UpdateServiceNetwork",
        "PutAuthPolicy",
    ] {
        assert!(!made.contains(&refused), "{refused} in {made:?}");
    }
    assert!(
        !reconciled
            .calls
            .iter()
            .any(|call| call.operation == "TagResource"
                && call.input.to_value()["resourceArn"] == shared.arn)
    );
    let state = account.emulator.lattice().state();
    assert!(state.service_network_vpc_associations.is_empty());
    assert_eq!(state.service_network_service_associations.len(), 1);
    assert_eq!(
        state.service_network_service_associations[0].service_network_id,
        shared.id
    );
    // Its tags were never asked for: the emulator refuses them to this
    // account, and a client that knows its account takes a refusal as the
    // failure of the listing (a `LatticeError` problem above).

    // Without the policy, nothing else happens to the network either.
    let again = account.apply(&mesh(&shared.id, false)).await;
    assert!(again.problems.is_empty(), "{:#?}", again.problems);
    assert_eq!(operations(&again), Vec::<&str>::new());
}

#[tokio::test]
async fn a_client_that_does_not_know_its_account_lists_a_shared_network_untagged() {
    let account = Account::start().await;
    let shared = account.emulator.share_service_network(OWNER, "partners");
    let networks = account.client(None).list_service_networks().await.unwrap();
    assert_eq!(networks.len(), 1);
    assert_eq!(networks[0].arn, shared.arn);
    assert!(networks[0].tags.is_empty());
}

#[tokio::test]
async fn a_shared_network_the_listing_hides_is_found_through_an_active_vpc_association() {
    let account = Account::start().await;
    let shared = account.emulator.share_service_network(OWNER, "partners");
    account.emulator.unlist_service_network(&shared.id);
    let association = account.associate(&shared, "CREATE_IN_PROGRESS").await;

    // While the association is not active, the network is not found.
    let pending = account.apply(&mesh("partners", false)).await;
    let condition = programmed(&pending);
    assert_eq!(
        (condition.status, condition.reason.as_str()),
        ("False", "Pending")
    );
    assert!(pending.calls.is_empty(), "{:?}", operations(&pending));

    account
        .emulator
        .lattice()
        .set_vpc_association_status(&association, "ACTIVE")
        .unwrap();
    let found = account.apply(&mesh("partners", true)).await;
    let condition = programmed(&found);
    assert_eq!(condition.status, "True", "{:#?}", found.problems);
    assert!(condition.message.contains(&shared.arn));
    let reasons: Vec<&str> = found
        .problems
        .iter()
        .map(|problem| problem.reason.as_str())
        .collect();
    assert_eq!(reasons, ["SharedServiceNetwork"]);
    let state = account.emulator.lattice().state();
    assert_eq!(state.service_network_vpc_associations.len(), 1);
    assert_eq!(
        state.service_network_vpc_associations[0].tags,
        Tags::new(),
        "the hand-made association is not adopted"
    );
    assert_eq!(
        state.service_network_service_associations[0].service_network_id,
        shared.id
    );
}

#[tokio::test]
async fn a_shared_default_service_network_is_used_as_it_is() {
    let account = Account::start().await;
    let shared = account.emulator.share_service_network(OWNER, "partners");
    account.emulator.unlist_service_network(&shared.id);
    account.associate(&shared, "ACTIVE").await;

    let cluster = format!("{CLUSTER}defaultServiceNetwork: partners\n");
    let reconciled = account.apply_with(&cluster, &mesh("partners", false)).await;
    assert!(reconciled.problems.is_empty(), "{:#?}", reconciled.problems);
    let made = operations(&reconciled);
    assert!(
        !made.contains(&"CreateServiceNetwork")
            && !made.contains(&"CreateServiceNetworkVpcAssociation")
            && !made.contains(&"TagResource"),
        "{made:?}"
    );
    let state = account.emulator.lattice().state();
    assert_eq!(
        state.service_networks.len(),
        1,
        "no network of the same name"
    );
    assert_eq!(state.service_network_vpc_associations.len(), 1);
    assert_eq!(
        state.service_network_service_associations[0].service_network_id,
        shared.id
    );
}
