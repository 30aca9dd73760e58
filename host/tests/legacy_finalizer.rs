//! `trellis run` after a switch-over from the Go controller: upstream's
//! legacy Service finalizer `service.ki8s.aws/resources` is removed (and
//! only it), so Services deleted afterwards are not stuck `Terminating` —
//! against a Kubernetes API server and a Lattice emulator on 127.0.0.1,
//! through the real kube client.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::Service;
use kube::api::{Api, DeleteParams, PostParams};
use kube_test_server::TestApiServer;
use lattice_emulator::Emulator;
use serde_json::json;

const DEADLINE: Duration = Duration::from_secs(60);
const LEGACY: &str = "service.ki8s.aws/resources";
const KEEP: &str = "example.com/keep";

/// A process killed when the test ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn service(name: &str, finalizers: &[&str]) -> Service {
    serde_json::from_value(json!({
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": name, "namespace": "default", "finalizers": finalizers},
        "spec": {"ports": [{"port": 80}]},
    }))
    .unwrap()
}

/// The finalizers of Service `name`, `None` once it is gone.
async fn finalizers(api: &Api<Service>, name: &str) -> Option<Vec<String>> {
    let service = api.get_opt(name).await.unwrap()?;
    Some(service.metadata.finalizers.unwrap_or_default())
}

async fn eventually(what: &str, mut done: impl AsyncFnMut() -> bool) {
    let started = Instant::now();
    while !done().await {
        assert!(started.elapsed() < DEADLINE, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_removes_only_the_legacy_finalizer_from_services() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let lattice_url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(Emulator::new("123456789012", "us-west-2", 2).serve(listener));
    let server = TestApiServer::start().await;
    server
        .apply_manifests(&trellis::kube::crds::to_yaml().unwrap())
        .unwrap();
    let client = kube::Client::try_from(kube::Config::new(server.url().parse().unwrap())).unwrap();
    let api: Api<Service> = Api::namespaced(client, "default");
    let create = PostParams::default();

    // Left by the Go controller: one Service with another controller's
    // finalizer too, one already being deleted.
    api.create(&create, &service("kept", &[KEEP, LEGACY]))
        .await
        .unwrap();
    api.create(&create, &service("deleting", &[LEGACY]))
        .await
        .unwrap();
    api.delete("deleting", &DeleteParams::default())
        .await
        .unwrap();
    assert_eq!(
        finalizers(&api, "deleting").await,
        Some(vec![LEGACY.into()])
    );

    let scratch = tempfile::tempdir().unwrap();
    let kubeconfig = scratch.path().join("kubeconfig");
    server.write_kubeconfig(&kubeconfig).unwrap();
    let _trellis = Running(
        Command::new(env!("CARGO_BIN_EXE_trellis"))
            .args(["run", "--metrics-bind-address", "127.0.0.1:0"])
            .args(["--health-probe-bind-address", "127.0.0.1:0"])
            .env_clear()
            .env("KUBECONFIG", &kubeconfig)
            .env("LATTICE_ENDPOINT", &lattice_url)
            .env("CLUSTER_NAME", "workload-cluster-1")
            .env("CLUSTER_VPC_ID", "vpc-0a1b2c3d4e5f60001")
            .env("AWS_ACCOUNT_ID", "123456789012")
            .env("REGION", "us-west-2")
            .env("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
            .env("AWS_SECRET_ACCESS_KEY", "secret")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("DEV_MODE", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );

    eventually(
        "the listed Services to lose the legacy finalizer",
        async || {
            finalizers(&api, "kept").await == Some(vec![KEEP.into()])
                && finalizers(&api, "deleting").await.is_none()
        },
    )
    .await;

    // One that appears while Trellis runs (a watch event, not the list).
    api.create(&create, &service("later", &[LEGACY, KEEP]))
        .await
        .unwrap();
    eventually("the new Service to lose the legacy finalizer", async || {
        finalizers(&api, "later").await == Some(vec![KEEP.into()])
    })
    .await;
    // Trellis adds no finalizer of its own to Services.
    assert_eq!(finalizers(&api, "kept").await, Some(vec![KEEP.into()]));
}
