//! The pod readiness gate end to end: `trellis run` reconciles an HTTPRoute
//! into the Lattice emulator (registering the pod's not-ready endpoint as a
//! target), then sets the pod's readiness-gate condition from the target's
//! health as `ListTargets` reports it — against a Kubernetes API server on
//! 127.0.0.1 (`kube-test-server`).

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::Pod;
use kube::api::Api;
use kube_test_server::TestApiServer;
use lattice_emulator::Emulator;

const GATE: &str = "application-networking.k8s.aws/pod-readiness-gate";

const OBJECTS: &str = r#"
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: amazon-vpc-lattice}
spec: {controllerName: application-networking.k8s.aws/gateway-api-controller}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: mesh, namespace: default}
spec:
  gatewayClassName: amazon-vpc-lattice
  listeners: [{name: http, protocol: HTTP, port: 80}]
---
apiVersion: v1
kind: Service
metadata: {name: rates, namespace: default}
spec: {selector: {app: rates}, ports: [{name: http, port: 80, targetPort: 8080}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: rates-abc12
  namespace: default
  labels: {kubernetes.io/service-name: rates}
addressType: IPv4
ports: [{name: http, protocol: TCP, port: 8080}]
endpoints:
  - addresses: ["10.0.0.7"]
    conditions: {ready: false}
    targetRef: {kind: Pod, namespace: default, name: rates-1}
---
apiVersion: v1
kind: Pod
metadata: {name: rates-1, namespace: default, labels: {app: rates}}
spec:
  containers: [{name: app, image: rates:1}]
  readinessGates: [{conditionType: application-networking.k8s.aws/pod-readiness-gate}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: rates, namespace: default}
spec:
  parentRefs: [{name: mesh}]
  rules: [{backendRefs: [{name: rates, port: 80}]}]
"#;

struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The pod's readiness-gate condition as (status, reason), if set.
async fn gate(pods: &Api<Pod>) -> Option<(String, String)> {
    let pod = pods.get_status("rates-1").await.ok()?;
    pod.status?
        .conditions?
        .into_iter()
        .find(|condition| condition.type_ == GATE)
        .map(|condition| (condition.status, condition.reason.unwrap_or_default()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gated_pod_becomes_ready_once_its_lattice_target_is_healthy() {
    let server = TestApiServer::start().await;
    server
        .apply_manifests(&trellis::kube::crds::to_yaml().unwrap())
        .unwrap();
    server.apply_manifests(OBJECTS).unwrap();
    let folder = tempfile::tempdir().unwrap();
    let kubeconfig = folder.path().join("kubeconfig");
    server.write_kubeconfig(&kubeconfig).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let emulator = Emulator::new("123456789012", "us-west-2", 50);
    tokio::spawn(emulator.clone().serve(listener));

    let log = std::fs::File::create(folder.path().join("trellis.log")).unwrap();
    let _controller = Running(
        Command::new(env!("CARGO_BIN_EXE_trellis"))
            .arg("run")
            .args([
                "--metrics-bind-address",
                &format!("127.0.0.1:{}", free_port()),
            ])
            .args([
                "--health-probe-bind-address",
                &format!("127.0.0.1:{}", free_port()),
            ])
            .env_clear()
            .env("KUBECONFIG", &kubeconfig)
            .env("LATTICE_ENDPOINT", &url)
            .env("CLUSTER_NAME", "workload-cluster-1")
            .env("CLUSTER_VPC_ID", "vpc-0a1b2c3d4e5f60001")
            .env("AWS_ACCOUNT_ID", "123456789012")
            .env("REGION", "us-west-2")
            .env("DEFAULT_SERVICE_NETWORK", "mesh")
            .env("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
            .env("AWS_SECRET_ACCESS_KEY", "secret")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("DEV_MODE", "1")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap(),
    );

    let client = kube::Client::try_from(kube::Config::new(server.url().parse().unwrap())).unwrap();
    let pods: Api<Pod> = Api::namespaced(client, "default");
    // Passes run every 10 s; the route's reconcile registers the target
    // first (the endpoint is kept though not ready).
    let started = Instant::now();
    loop {
        if gate(&pods).await == Some(("True".into(), "Healthy".into())) {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the pod never became Healthy ({:?}); log:\n{}",
            gate(&pods).await,
            std::fs::read_to_string(folder.path().join("trellis.log")).unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let registered = emulator.lattice().snapshot();
    assert!(
        registered.targets.iter().any(|group| group
            .targets
            .iter()
            .any(|target| target.id == "10.0.0.7" && target.port == 8080)),
        "the pod's target is registered"
    );
}
