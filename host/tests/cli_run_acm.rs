//! `trellis run` discovers routes' certificates from ACM at the endpoint the
//! AWS SDK is configured with (`AWS_ENDPOINT_URL_ACM`), here the emulator's
//! ACM on 127.0.0.1, with the Kubernetes test API server: a route whose
//! hostname has a certificate gets a service with it; one whose hostname
//! has none is `Accepted=False/CertificateNotFound` and gets no service.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use gateway_api::apis::standard::httproutes::HttpRoute;
use kube::api::Api;
use kube_test_server::TestApiServer;
use lattice_emulator::{Emulator, SeededCertificate};

const DEADLINE: Duration = Duration::from_secs(90);
const CERTIFICATE: &str = "arn:aws:acm:us-west-2:123456789012:certificate/rates";

/// Two routes for two hostnames on a listener terminating TLS without the
/// `certificate-arn` option.
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
  listeners: [{name: https, protocol: HTTPS, port: 443, tls: {mode: Terminate}}]
---
apiVersion: v1
kind: Service
metadata: {name: rates, namespace: default}
spec: {ports: [{port: 80}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: rates, namespace: default}
spec:
  parentRefs: [{name: mesh}]
  hostnames: [rates.example.com]
  rules: [{backendRefs: [{name: rates, port: 80}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: orphan, namespace: default}
spec:
  parentRefs: [{name: mesh}]
  hostnames: [orphan.other.test]
  rules: [{backendRefs: [{name: rates, port: 80}]}]
"#;

/// A process killed when the test ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The `Accepted` condition's reason of route `name`, once written.
async fn accepted_reason(routes: &Api<HttpRoute>, name: &str) -> Option<String> {
    let route = routes.get(name).await.ok()?;
    let parents = route.status?.parents;
    let condition = parents
        .first()?
        .conditions
        .iter()
        .find(|condition| condition.type_ == "Accepted")?
        .clone();
    Some(format!("{}/{}", condition.status, condition.reason))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_discovers_certificates_and_rejects_routes_without_one() {
    let emulator = Emulator::new("123456789012", "us-west-2", 2);
    emulator.acm().seed(SeededCertificate::issued(
        CERTIFICATE,
        "*.example.com",
        1_700_000_000.0,
    ));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(emulator.clone().serve(listener));

    let server = TestApiServer::start().await;
    server
        .apply_manifests(&trellis::kube::crds::to_yaml().unwrap())
        .unwrap();
    server.apply_manifests(OBJECTS).unwrap();
    let folder = tempfile::tempdir().unwrap();
    let kubeconfig = folder.path().join("kubeconfig");
    server.write_kubeconfig(&kubeconfig).unwrap();
    let log = folder.path().join("trellis.log");
    let _controller = Running(
        Command::new(env!("CARGO_BIN_EXE_trellis"))
            .args([
                "run",
                "--metrics-bind-address",
                "127.0.0.1:0",
                "--health-probe-bind-address",
                "127.0.0.1:0",
            ])
            .env_clear()
            .env("KUBECONFIG", &kubeconfig)
            .env("CLUSTER_NAME", "acm-cluster")
            .env("CLUSTER_VPC_ID", "vpc-0a1b2c3d4e5f60001")
            .env("AWS_ACCOUNT_ID", "123456789012")
            .env("REGION", "us-west-2")
            .env("DEFAULT_SERVICE_NETWORK", "mesh")
            .env("LATTICE_ENDPOINT", &url)
            .env("AWS_ENDPOINT_URL_ACM", &url)
            .env("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
            .env("AWS_SECRET_ACCESS_KEY", "secret")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("DEV_MODE", "1")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap(),
    );

    let config = kube::Config::new(server.url().parse().unwrap());
    let routes: Api<HttpRoute> =
        Api::namespaced(kube::Client::try_from(config).unwrap(), "default");
    let started = Instant::now();
    loop {
        let services = emulator.lattice().state().services;
        let rates = accepted_reason(&routes, "rates").await;
        let orphan = accepted_reason(&routes, "orphan").await;
        let done = orphan.as_deref() == Some("False/CertificateNotFound")
            && rates.as_deref() == Some("True/Accepted")
            && services
                .iter()
                .any(|service| service.name == "rates-default");
        if done {
            assert_eq!(
                services.len(),
                1,
                "no service for the orphan: {services:#?}"
            );
            assert_eq!(services[0].certificate_arn.as_deref(), Some(CERTIFICATE));
            break;
        }
        assert!(
            started.elapsed() < DEADLINE,
            "rates {rates:?}, orphan {orphan:?}, services {:?}\n{}",
            services
                .iter()
                .map(|service| &service.name)
                .collect::<Vec<_>>(),
            std::fs::read_to_string(&log).unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
