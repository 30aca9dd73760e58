//! `trellis run` end to end (one controller, its Kubernetes API server
//! `kube-test-server` and the Lattice emulator, both on 127.0.0.1): what a
//! deleted policy or a renamed service leaves behind, and a Gateway of a
//! network another account shares.
//!
//! - Deleting a TargetGroupPolicy gives its target group Lattice's default
//!   health check back.
//! - Deleting a VpcAssociationPolicy takes the association made for it.
//! - A route whose service-name override changes loses its old service
//!   once the new one is programmed.
//! - A Gateway named after a network shared through RAM is programmed and
//!   says whose network it is; nothing of the network changes.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use kube::api::{Api, DeleteParams};
use kube::core::{ApiResource, DynamicObject};
use kube_test_server::TestApiServer;
use lattice_emulator::Emulator;
use trellis::kube::crds::{TargetGroupPolicy, VpcAssociationPolicy};
use trellis::lattice::Lattice;
use trellis::lattice::model::{CreateServiceNetworkInput, Tags};

const DEADLINE: Duration = Duration::from_secs(120);
const ACCOUNT: &str = "123456789012";
const OWNER: &str = "210987654321";
const VPC: &str = "vpc-0a1b2c3d4e5f60000";
const POLICY_TAG: &str = "application-networking.k8s.aws/VpcAssociationPolicy";

/// The objects; `{override}` is the route's annotations and `{shared}` the
/// shared network's id.
const OBJECTS: &str = r#"apiVersion: gateway.networking.k8s.io/v1
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
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: partners, namespace: default}
spec:
  gatewayClassName: amazon-vpc-lattice
  listeners: [{name: http, protocol: HTTP, port: 80}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: {shared}, namespace: default}
spec:
  gatewayClassName: amazon-vpc-lattice
  listeners: [{name: http, protocol: HTTP, port: 80}]
---
apiVersion: v1
kind: Service
metadata: {name: rates, namespace: default}
spec:
  selector: {app: rates}
  ports: [{name: http, port: 80, targetPort: 8090}]
---
apiVersion: application-networking.k8s.aws/v1alpha1
kind: TargetGroupPolicy
metadata: {name: rates-tgp, namespace: default}
spec:
  targetRef: {group: "", kind: Service, name: rates}
  healthCheck: {intervalSeconds: 10, path: /healthz}
---
apiVersion: application-networking.k8s.aws/v1alpha1
kind: VpcAssociationPolicy
metadata: {name: partners-vap, namespace: default}
spec:
  targetRef: {group: gateway.networking.k8s.io, kind: Gateway, name: partners}
  securityGroupIds: [sg-0123456789abcdef0]
---
"#;

fn route(annotations: &str) -> String {
    format!(
        r#"apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {{name: rates, namespace: default, annotations: {annotations}}}
spec:
  parentRefs: [{{name: my-gateway}}]
  rules:
  - backendRefs: [{{name: rates, port: 80}}]
"#
    )
}

/// A `trellis run` process, killed when dropped; its log is kept in a file.
struct Controller {
    child: Child,
    log: std::path::PathBuf,
}

impl Drop for Controller {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_controller(server: &TestApiServer, lattice_url: &str, folder: &Path) -> Controller {
    let kubeconfig = folder.join("kubeconfig");
    server.write_kubeconfig(&kubeconfig).unwrap();
    let log = folder.join("controller.log");
    let child = Command::new(env!("CARGO_BIN_EXE_trellis"))
        .args([
            "run",
            "--metrics-bind-address",
            "127.0.0.1:0",
            "--health-probe-bind-address",
            "127.0.0.1:0",
            "--gc-interval-seconds",
            "1",
        ])
        .env_clear()
        .env("KUBECONFIG", &kubeconfig)
        .env("CLUSTER_NAME", "config-cluster")
        .env("CLUSTER_VPC_ID", VPC)
        .env("AWS_ACCOUNT_ID", ACCOUNT)
        .env("REGION", "us-west-2")
        .env("DEFAULT_SERVICE_NETWORK", "my-gateway")
        .env("LATTICE_ENDPOINT", lattice_url)
        .env("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
        .env("AWS_SECRET_ACCESS_KEY", "secret")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("DEV_MODE", "1")
        .env("LOG_LEVEL", "info")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    Controller { child, log }
}

/// Waits until `check` holds, failing with the controller's log.
async fn eventually(what: &str, controller: &Controller, mut check: impl FnMut() -> bool) {
    let started = Instant::now();
    while !check() {
        if started.elapsed() > DEADLINE {
            let log = std::fs::read_to_string(&controller.log).unwrap_or_default();
            panic!("timed out waiting for: {what}\n{log}");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    eprintln!("{what}: {:.1} s", started.elapsed().as_secs_f64());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_undoes_what_deleted_policies_and_old_service_names_made() {
    let emulator = Emulator::new(ACCOUNT, "us-west-2", 5);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let lattice_url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(emulator.clone().serve(listener));
    let lattice = emulator.lattice();
    let partners = lattice
        .create_service_network(CreateServiceNetworkInput {
            name: "partners".into(),
            auth_type: "NONE".into(),
            tags: Tags::new(),
        })
        .await
        .unwrap();
    let shared = emulator.share_service_network(OWNER, "from-partner");

    let scratch = tempfile::tempdir().unwrap();
    let server = TestApiServer::start().await;
    server
        .apply_manifests(&trellis::kube::crds::to_yaml().unwrap())
        .unwrap();
    let objects = OBJECTS.replace("{shared}", &shared.id);
    server
        .apply_manifests(&format!("{objects}{}", route("{}")))
        .unwrap();
    let controller = start_controller(&server, &lattice_url, scratch.path());

    let health_path = || {
        lattice
            .state()
            .target_groups
            .first()
            .and_then(|group| group.config.health_check.clone())
            .and_then(|check| check.path)
    };
    let partner_associations = || {
        lattice
            .state()
            .service_network_vpc_associations
            .into_iter()
            .filter(|association| association.service_network_id == partners.id)
            .collect::<Vec<_>>()
    };
    let services = || {
        let mut names: Vec<String> = lattice
            .state()
            .services
            .into_iter()
            .map(|service| service.name)
            .collect();
        names.sort();
        names
    };
    eventually("the policies applied", &controller, || {
        health_path().as_deref() == Some("/healthz")
            && partner_associations()
                .first()
                .is_some_and(|association| association.tags.contains_key(POLICY_TAG))
            && services() == ["rates-default"]
    })
    .await;

    // The shared network's Gateway is programmed and says whose it is; the
    // cluster VPC is not associated with it.
    let gateway = || {
        server.object(
            "gateway.networking.k8s.io/v1",
            "gateways",
            Some("default"),
            &shared.id,
        )
    };
    eventually(
        "the shared network's Gateway programmed",
        &controller,
        || {
            gateway().is_some_and(|gateway| {
                gateway["status"]["conditions"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|condition| {
                        condition["type"] == "Programmed"
                            && condition["status"] == "True"
                            && condition["message"]
                                .as_str()
                                .is_some_and(|message| message.contains(OWNER))
                    })
            })
        },
    )
    .await;
    assert!(
        lattice
            .state()
            .service_network_vpc_associations
            .iter()
            .all(|association| association.service_network_id != shared.id)
    );

    let client = kube::Client::try_from(kube::Config::new(server.url().parse().unwrap())).unwrap();
    let policies = |resource: ApiResource| -> Api<DynamicObject> {
        Api::namespaced_with(client.clone(), "default", &resource)
    };
    policies(ApiResource::erase::<TargetGroupPolicy>(&()))
        .delete("rates-tgp", &DeleteParams::default())
        .await
        .unwrap();
    eventually("the default health check back", &controller, || {
        health_path().as_deref() == Some("/")
    })
    .await;

    policies(ApiResource::erase::<VpcAssociationPolicy>(&()))
        .delete("partners-vap", &DeleteParams::default())
        .await
        .unwrap();
    eventually("the policy's association gone", &controller, || {
        partner_associations().is_empty()
    })
    .await;

    server
        .apply_manifests(&route(
            "{application-networking.k8s.aws/service-name-override: rates-renamed}",
        ))
        .unwrap();
    eventually(
        "the old service gone for the renamed one",
        &controller,
        || services() == ["rates-renamed"],
    )
    .await;
    // The default network's association (the setting's) stays throughout.
    assert_eq!(lattice.state().service_network_vpc_associations.len(), 1);
}
