//! What the fault and kill tests share: an emulator served on 127.0.0.1,
//! generated clusters of many routes at each step of their life cycle, and
//! the `trellis` binary with credentials from the environment.

#![allow(dead_code)] // each test crate uses its own part of the support

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

pub mod soak;

use lattice_emulator::mesh::{Mesh, compare};
use lattice_emulator::{Emulator, EmulatorConfig, Quotas};

pub const ACCOUNT: &str = "123456789012";
pub const REGION: &str = "us-west-2";
pub const CLUSTER: &str = "fault-cluster";
pub const VPC: &str = "vpc-0fa0170000000000f";
pub const GATEWAY: &str = "fault-gateway";

/// An emulator of [`ACCOUNT`] with quotas raised for a few hundred routes,
/// pages of 50 and `faults` applied to `config` — served from a background
/// thread for the test's lifetime; returns its URL and a handle on it.
pub fn serve(configure: impl FnOnce(EmulatorConfig) -> EmulatorConfig) -> (String, Emulator) {
    let config = configure(
        EmulatorConfig {
            account_id: ACCOUNT.into(),
            region: REGION.into(),
            ..EmulatorConfig::default()
        }
        .page_size(50)
        .quotas(Quotas {
            services: 5_000,
            target_groups: 5_000,
            service_associations_per_service_network: 5_000,
            ..Quotas::default()
        }),
    );
    let emulator = Emulator::with_config(config);
    let (sender, receiver) = std::sync::mpsc::channel();
    let served = emulator.clone();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            sender
                .send(format!("http://{}", listener.local_addr().unwrap()))
                .unwrap();
            served.serve(listener).await.unwrap();
        });
    });
    (receiver.recv().unwrap(), emulator)
}

/// A step of a cluster's life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// `routes` routes, each forwarding `/app-N` to its own Service.
    Create,
    /// Every third route's path changed and every Service's endpoints
    /// moved to other addresses.
    Update,
    /// The second half of the routes (and their Services) removed.
    Delete,
}

/// Writes one cluster (cluster.yaml, a Lattice Gateway, and the routes,
/// Services and EndpointSlices of `step`) into `folder`, replacing what was
/// there.
pub fn generate(folder: &Path, routes: usize, step: Step) {
    let write = |name: &str, text: &str| std::fs::write(folder.join(name), text).unwrap();
    write(
        "cluster.yaml",
        &format!(
            "clusterName: {CLUSTER}\nvpcId: {VPC}\naccountId: \"{ACCOUNT}\"\n\
             region: {REGION}\ndefaultServiceNetwork: {GATEWAY}\n"
        ),
    );
    write(
        "gateway.yaml",
        &format!(
            "apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\n\
             metadata:\n  name: amazon-vpc-lattice\n\
             spec:\n  controllerName: application-networking.k8s.aws/gateway-api-controller\n\
             ---\n\
             apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\n\
             metadata:\n  name: {GATEWAY}\n  namespace: default\n\
             spec:\n  gatewayClassName: amazon-vpc-lattice\n  listeners:\n\
             \x20   - name: http\n      protocol: HTTP\n      port: 80\n"
        ),
    );
    write("objects.yaml", &objects(routes, step));
}

/// The routes, Services and EndpointSlices of `step`, as one YAML stream.
pub fn objects(routes: usize, step: Step) -> String {
    let kept = match step {
        Step::Delete => routes / 2,
        _ => routes,
    };
    let mut text = String::new();
    for i in 0..kept {
        let name = format!("app-{i:04}");
        let path = if step != Step::Create && i % 3 == 0 {
            format!("/v2/{name}")
        } else {
            format!("/{name}")
        };
        let (high, low) = (i / 256, i % 256);
        let host = if step == Step::Create { 11 } else { 21 };
        write!(
            text,
            "---\napiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\n\
             metadata:\n  name: {name}\n  namespace: default\n\
             spec:\n  parentRefs:\n    - name: {GATEWAY}\n      sectionName: http\n\
             \x20 rules:\n    - matches:\n        - path:\n            type: PathPrefix\n\
             \x20           value: {path}\n      backendRefs:\n        - name: {name}\n\
             \x20         port: 80\n\
             ---\napiVersion: v1\nkind: Service\n\
             metadata:\n  name: {name}\n  namespace: default\n\
             spec:\n  selector:\n    app: {name}\n  ports:\n    - name: http\n\
             \x20     protocol: TCP\n      port: 80\n      targetPort: 8090\n\
             ---\napiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\n\
             metadata:\n  name: {name}-abc12\n  namespace: default\n\
             \x20 labels:\n    kubernetes.io/service-name: {name}\n\
             addressType: IPv4\nports:\n  - name: http\n    protocol: TCP\n    port: 8090\n\
             endpoints:\n  - addresses: [\"10.{high}.{low}.{host}\"]\n    conditions:\n      ready: true\n"
        )
        .unwrap();
    }
    text
}

/// `trellis ARGS…` with credentials in the environment and nothing read
/// from outside the machine.
pub fn trellis(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_trellis"));
    command
        .args(args)
        .env("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
        .env("AWS_SECRET_ACCESS_KEY", "secret")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_REGION")
        .env("AWS_EC2_METADATA_DISABLED", "true");
    command
}

/// Fails the test when `actual` differs from `expected` (missing, leaked,
/// changed or duplicated resources), saying how.
pub fn assert_same_mesh(expected: &Mesh, actual: &Mesh, context: &str) {
    let difference = compare(expected, actual);
    assert!(
        difference.is_empty(),
        "{context}: the mesh differs from a clean apply's: {difference:#?}"
    );
}

/// `state` with the status every create answers (`CREATE_IN_PROGRESS`) as
/// the emulator answers any later read of the resource (`ACTIVE`).
pub fn settled(state: &serde_json::Value) -> serde_json::Value {
    match state {
        serde_json::Value::Object(members) => serde_json::Value::Object(
            members
                .iter()
                .map(|(key, value)| {
                    let value = if key == "status" && value == "CREATE_IN_PROGRESS" {
                        serde_json::Value::from("ACTIVE")
                    } else {
                        settled(value)
                    };
                    (key.clone(), value)
                })
                .collect(),
        ),
        serde_json::Value::Array(items) => {
            serde_json::Value::Array(items.iter().map(settled).collect())
        }
        other => other.clone(),
    }
}
