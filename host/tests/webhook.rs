//! The pod readiness-gate webhook as the API server calls it: `trellis run`
//! with `WEBHOOK_ENABLED=true` serves HTTPS on 127.0.0.1 with a certificate
//! made here (rcgen), and real AdmissionReview requests are posted by a
//! client that trusts only that certificate. Two replicas answer: the
//! leader from its synced stores, a standby (the Lease is held by another)
//! by listing; both must give the same answers. Bad certificate files stop
//! start-up with an error naming the file.

use std::io::Write as _;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{Api, DeleteParams};
use kube::core::DynamicObject;
use kube::core::admission::AdmissionReview;
use kube_test_server::TestApiServer;
use lattice_emulator::Emulator;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_rustls::TlsConnector;
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName};
use tokio_rustls::rustls::{ClientConfig, RootCertStore};

const DEADLINE: Duration = Duration::from_secs(60);
const GATE: &str = "application-networking.k8s.aws/pod-readiness-gate";

const SETTINGS: &[(&str, &str)] = &[
    ("CLUSTER_NAME", "workload-cluster-1"),
    ("CLUSTER_VPC_ID", "vpc-0a1b2c3d4e5f60001"),
    ("AWS_ACCOUNT_ID", "123456789012"),
    ("REGION", "us-west-2"),
    ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
    ("AWS_SECRET_ACCESS_KEY", "secret"),
    ("AWS_EC2_METADATA_DISABLED", "true"),
    ("DEV_MODE", "1"),
    ("WEBHOOK_ENABLED", "true"),
];

/// A Lattice Gateway, Services whose pods are (or are not) Lattice
/// targets: by an HTTPRoute, a TLSRoute, a ServiceExport of the Service's
/// name, one naming it with its `service-name` annotation; and one behind
/// another controller's Gateway.
const OBJECTS: &str = r#"
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: amazon-vpc-lattice}
spec: {controllerName: application-networking.k8s.aws/gateway-api-controller}
---
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: other}
spec: {controllerName: example.com/other}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: mesh, namespace: default}
spec:
  gatewayClassName: amazon-vpc-lattice
  listeners: [{name: http, protocol: HTTP, port: 80}, {name: tls, protocol: TLS, port: 443, tls: {mode: Passthrough}}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: elsewhere, namespace: default}
spec:
  gatewayClassName: other
  listeners: [{name: http, protocol: HTTP, port: 80}]
---
apiVersion: v1
kind: Service
metadata: {name: rates, namespace: shop}
spec: {selector: {app: rates}, ports: [{port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: vault, namespace: shop}
spec: {selector: {app: vault}, ports: [{port: 443}]}
---
apiVersion: v1
kind: Service
metadata: {name: orders, namespace: shop}
spec: {selector: {app: orders}, ports: [{port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: billing, namespace: shop}
spec: {selector: {app: billing}, ports: [{port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: legacy, namespace: shop}
spec: {selector: {app: legacy}, ports: [{port: 80}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: rates, namespace: shop}
spec:
  parentRefs: [{name: mesh, namespace: default, sectionName: http}]
  rules: [{backendRefs: [{name: rates, port: 80}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: TLSRoute
metadata: {name: vault, namespace: shop}
spec:
  parentRefs: [{name: mesh, namespace: default, sectionName: tls}]
  hostnames: [vault.example.com]
  rules: [{backendRefs: [{name: vault, port: 443}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: legacy, namespace: shop}
spec:
  parentRefs: [{name: elsewhere, namespace: default}]
  rules: [{backendRefs: [{name: legacy, port: 80}]}]
---
apiVersion: application-networking.k8s.aws/v1alpha1
kind: ServiceExport
metadata:
  name: orders
  namespace: shop
  annotations: {application-networking.k8s.aws/federation: amazon-vpc-lattice}
---
apiVersion: application-networking.k8s.aws/v1alpha1
kind: ServiceExport
metadata:
  name: billing-export
  namespace: shop
  annotations:
    application-networking.k8s.aws/federation: amazon-vpc-lattice
    application-networking.k8s.aws/service-name: billing
"#;

/// A self-signed certificate for `localhost` written as `tls.crt` and
/// `tls.key` in `dir`; its DER form, for the client to trust.
fn certificate(dir: &Path) -> CertificateDer<'static> {
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = rcgen::CertificateParams::new(vec!["localhost".into()])
        .unwrap()
        .self_signed(&key)
        .unwrap();
    std::fs::write(dir.join("tls.crt"), cert.pem()).unwrap();
    std::fs::write(dir.join("tls.key"), key.serialize_pem()).unwrap();
    cert.der().clone()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `trellis run` with the webhook on 127.0.0.1:`port` and its certificate
/// in `cert_dir`, probes on `probes`.
fn trellis(
    kubeconfig: &Path,
    lattice_url: &str,
    cert_dir: &Path,
    port: u16,
    probes: u16,
) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_trellis"));
    command
        .arg("run")
        .args([
            "--metrics-bind-address",
            &format!("127.0.0.1:{}", free_port()),
        ])
        .args([
            "--health-probe-bind-address",
            &format!("127.0.0.1:{probes}"),
        ])
        .args(["--webhook-bind-address", &format!("127.0.0.1:{port}")])
        .arg("--webhook-cert-dir")
        .arg(cert_dir)
        .env_clear()
        .env("KUBECONFIG", kubeconfig)
        .env("LATTICE_ENDPOINT", lattice_url);
    for (name, value) in SETTINGS {
        command.env(name, value);
    }
    command
}

/// Whether `/readyz` on 127.0.0.1:`port` answers 200.
fn ready(port: u16) -> bool {
    use std::io::Read as _;
    let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = write!(
        stream,
        "GET /readyz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    );
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    response.starts_with("HTTP/1.1 200")
}

struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Posts `review` to `/mutate-pod` over TLS, trusting only `trusted`: the
/// answer, or `None` while nothing listens.
async fn post(port: u16, trusted: &CertificateDer<'static>, review: &Value) -> Option<Value> {
    let mut roots = RootCertStore::empty();
    roots.add(trusted.clone()).unwrap();
    let config = ClientConfig::builder_with_provider(Arc::new(
        tokio_rustls::rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .ok()?;
    let mut tls = TlsConnector::from(Arc::new(config))
        .connect(ServerName::try_from("localhost").unwrap(), tcp)
        .await
        .unwrap();
    let body = serde_json::to_vec(review).unwrap();
    let mut request = Vec::new();
    write!(
        request,
        "POST /mutate-pod HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .unwrap();
    request.extend(body);
    tls.write_all(&request).await.unwrap();
    let mut response = Vec::new();
    let _ = tls.read_to_end(&mut response).await;
    let text = String::from_utf8(response).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("HTTP/1.1 200"), "{head}\n{body}");
    Some(serde_json::from_str(body).unwrap())
}

/// An AdmissionReview of `operation` on a pod with `labels` in `shop`.
fn review(uid: &str, operation: &str, labels: Value, gates: Option<Value>) -> Value {
    let mut pod = json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"generateName": "app-", "namespace": "shop", "labels": labels},
        "spec": {"containers": [{"name": "app", "image": "app:1"}]},
    });
    if let Some(gates) = gates {
        pod["spec"]["readinessGates"] = gates;
    }
    json!({
        "apiVersion": "admission.k8s.io/v1",
        "kind": "AdmissionReview",
        "request": {
            "uid": uid,
            "kind": {"group": "", "version": "v1", "kind": "Pod"},
            "resource": {"group": "", "version": "v1", "resource": "pods"},
            "namespace": "shop",
            "operation": operation,
            "userInfo": {"username": "system:serviceaccount:kube-system:replicaset-controller"},
            "object": pod,
            "oldObject": if operation == "UPDATE" { pod.clone() } else { Value::Null },
            "dryRun": false,
        }
    })
}

/// The answer's (uid, allowed, JSON patch if any, message).
fn answer(review: Value) -> (String, bool, Option<Value>, String) {
    let review: AdmissionReview<DynamicObject> = serde_json::from_value(review).unwrap();
    let response = review.response.unwrap();
    let patch = response
        .patch
        .map(|bytes| serde_json::from_slice(&bytes).unwrap());
    (
        response.uid,
        response.allowed,
        patch,
        response.result.message,
    )
}

fn added_gate() -> Value {
    json!([{"op": "add", "path": "/spec/readinessGates", "value": [{"conditionType": GATE}]}])
}

/// Every case, against the webhook on `port`.
async fn answers_as_upstream(port: u16, trusted: &CertificateDer<'static>) {
    let ask = |uid: &'static str, operation: &'static str, labels: Value, gates: Option<Value>| async move {
        answer(
            post(port, trusted, &review(uid, operation, labels, gates))
                .await
                .unwrap(),
        )
    };
    // A backend of an HTTPRoute of a Lattice Gateway.
    let (uid, allowed, patch, _) =
        ask("1", "CREATE", json!({"app": "rates", "v": "2"}), None).await;
    assert_eq!((uid.as_str(), allowed), ("1", true));
    assert_eq!(patch, Some(added_gate()));
    // A backend of a TLSRoute (upstream skips these: quirk 17, fixed).
    let (_, allowed, patch, _) = ask("2", "CREATE", json!({"app": "vault"}), None).await;
    assert!(allowed);
    assert_eq!(patch, Some(added_gate()));
    // Exported by a ServiceExport of the Service's name, and by one naming
    // it in its service-name annotation.
    let (_, _, patch, _) = ask("3", "CREATE", json!({"app": "orders"}), None).await;
    assert_eq!(patch, Some(added_gate()));
    let (_, _, patch, _) = ask("4", "CREATE", json!({"app": "billing"}), None).await;
    assert_eq!(patch, Some(added_gate()));
    // Behind another controller's Gateway, or selected by no Service.
    let (_, allowed, patch, _) = ask("5", "CREATE", json!({"app": "legacy"}), None).await;
    assert_eq!((allowed, patch), (true, None));
    let (_, allowed, patch, _) = ask("6", "CREATE", json!({"app": "nobody"}), None).await;
    assert_eq!((allowed, patch), (true, None));
    // Other gates are kept and ours appended; ours is never added twice.
    let (_, _, patch, _) = ask(
        "7",
        "CREATE",
        json!({"app": "rates"}),
        Some(json!([{"conditionType": "example.com/other"}])),
    )
    .await;
    assert_eq!(
        patch,
        Some(
            json!([{"op": "add", "path": "/spec/readinessGates/-", "value": {"conditionType": GATE}}])
        )
    );
    let (_, allowed, patch, _) = ask(
        "8",
        "CREATE",
        json!({"app": "rates"}),
        Some(json!([{"conditionType": GATE}])),
    )
    .await;
    assert_eq!((allowed, patch), (true, None));
    // UPDATE passes through unchanged.
    let (uid, allowed, patch, _) = ask("9", "UPDATE", json!({"app": "rates"}), None).await;
    assert_eq!((uid.as_str(), allowed, patch), ("9", true, None));
}

async fn wait_until_served(port: u16, trusted: &CertificateDer<'static>) {
    let started = Instant::now();
    let probe = review("probe", "UPDATE", json!({}), None);
    while post(port, trusted, &probe).await.is_none() {
        assert!(
            started.elapsed() < DEADLINE,
            "the webhook never listened on {port}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn server() -> TestApiServer {
    let server = TestApiServer::start().await;
    server
        .apply_manifests(&trellis::kube::crds::to_yaml().unwrap())
        .unwrap();
    server.apply_manifests(OBJECTS).unwrap();
    server
}

async fn emulator() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(Emulator::new("123456789012", "us-west-2", 50).serve(listener));
    url
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leader_and_standby_inject_the_gate_into_lattice_targets_only() {
    let server = server().await;
    // Another replica holds the Lease: the second process stays a standby.
    let renewed = k8s_openapi::jiff::Timestamp::now().to_string();
    server
        .apply_manifests(&format!(
            "apiVersion: coordination.k8s.io/v1\nkind: Lease\nmetadata: {{name: trellis-leader, namespace: default}}\n\
             spec: {{holderIdentity: another-replica, leaseDurationSeconds: 3600, renewTime: \"{renewed}\"}}\n"
        ))
        .unwrap();
    let folder = tempfile::tempdir().unwrap();
    let kubeconfig = folder.path().join("kubeconfig");
    server.write_kubeconfig(&kubeconfig).unwrap();
    let trusted = certificate(folder.path());
    let url = emulator().await;

    let (leader_port, standby_port, leader_probes) = (free_port(), free_port(), free_port());
    let log = |name: &str| std::fs::File::create(folder.path().join(name)).unwrap();
    let _leader = Running(
        trellis(&kubeconfig, &url, folder.path(), leader_port, leader_probes)
            .stdout(Stdio::null())
            .stderr(log("leader.log"))
            .spawn()
            .unwrap(),
    );
    let _standby = Running(
        trellis(&kubeconfig, &url, folder.path(), standby_port, free_port())
            .args([
                "--leader-elect",
                "--pod-namespace",
                "default",
                "--pod-name",
                "standby",
            ])
            .stdout(Stdio::null())
            .stderr(log("standby.log"))
            .spawn()
            .unwrap(),
    );
    wait_until_served(leader_port, &trusted).await;
    wait_until_served(standby_port, &trusted).await;
    // The leader reads its stores once they are synced (it is ready then).
    let started = Instant::now();
    while !ready(leader_probes) {
        assert!(started.elapsed() < DEADLINE, "the leader never got ready");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    answers_as_upstream(leader_port, &trusted).await;
    answers_as_upstream(standby_port, &trusted).await;

    // A renewed certificate (cert-manager, an upgrade) is served without a
    // restart: a client trusting only the new one is answered (by both
    // replicas, which share the folder).
    tokio::time::sleep(Duration::from_millis(20)).await;
    let renewed = certificate(folder.path());
    assert_ne!(renewed, trusted);
    let (uid, allowed, patch, _) = answer(
        post(
            leader_port,
            &renewed,
            &review("11", "CREATE", json!({"app": "rates"}), None),
        )
        .await
        .unwrap(),
    );
    assert_eq!(
        (uid.as_str(), allowed, patch),
        ("11", true, Some(added_gate()))
    );

    // The standby lists on every request: when it cannot, the pod is refused
    // (upstream denies when it cannot list Services), naming what failed.
    let client = kube::Client::try_from(kube::Config::new(server.url().parse().unwrap())).unwrap();
    let crds: Api<CustomResourceDefinition> = Api::all(client);
    crds.delete(
        "serviceexports.application-networking.k8s.aws",
        &DeleteParams::default(),
    )
    .await
    .unwrap();
    let refused = post(
        standby_port,
        &renewed,
        &review("10", "CREATE", json!({"app": "rates"}), None),
    )
    .await
    .unwrap();
    let (uid, allowed, patch, message) = answer(refused);
    assert_eq!((uid.as_str(), allowed, patch), ("10", false, None));
    assert!(
        message.contains("cannot list ServiceExports in namespace shop"),
        "{message}"
    );
}

fn finished(command: &mut Command) -> Output {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > DEADLINE {
            let _ = child.kill();
            panic!("trellis run did not stop");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_certificate_files_stop_start_up_naming_the_file() {
    let server = server().await;
    let folder = tempfile::tempdir().unwrap();
    let kubeconfig = folder.path().join("kubeconfig");
    server.write_kubeconfig(&kubeconfig).unwrap();
    let url = emulator().await;

    // No files at all: the certificate is named.
    let empty = folder.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let output = finished(&mut trellis(
        &kubeconfig,
        &url,
        &empty,
        free_port(),
        free_port(),
    ));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    let crt = empty.join("tls.crt");
    assert!(
        stderr.contains(&format!("cannot read {}", crt.display())),
        "{stderr}"
    );

    // A certificate, but a key that is no PEM key: the key is named.
    let broken = folder.path().join("broken");
    std::fs::create_dir(&broken).unwrap();
    certificate(&broken);
    std::fs::write(broken.join("tls.key"), "not a key\n").unwrap();
    let output = finished(&mut trellis(
        &kubeconfig,
        &url,
        &broken,
        free_port(),
        free_port(),
    ));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    let key = broken.join("tls.key");
    assert!(
        stderr.contains(&format!("{} holds no PEM private key", key.display())),
        "{stderr}"
    );
}
