//! `trellis run` on a node: the VPC, account and region left empty are asked
//! of the EC2 instance metadata service, found through
//! `AWS_EC2_METADATA_SERVICE_ENDPOINT` — here a loopback IMDSv2 stand-in —
//! next to a Kubernetes API server and a Lattice emulator on 127.0.0.1.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use kube_test_server::TestApiServer;
use lattice_emulator::Emulator;

const DEADLINE: Duration = Duration::from_secs(60);
const TOKEN: &str = "stand-in-token";
const DOCUMENT_PATH: &str = "/latest/dynamic/instance-identity/document";
const DOCUMENT: &str = r#"{"accountId":"123456789012","region":"us-west-2"}"#;

/// The `GET` paths the stand-in was asked, in order.
type Asked = Arc<Mutex<Vec<String>>>;

/// IMDSv2 as a node serves it: a token for a `PUT`, the identity document
/// and the VPC of the primary interface for `GET`s carrying the token.
async fn answer(
    State(asked): State<Asked>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let path = uri.path().to_owned();
    if method == Method::PUT && path == "/latest/api/token" {
        let ttl = headers.get("x-aws-ec2-metadata-token-ttl-seconds").cloned();
        return match ttl {
            Some(ttl) => (
                StatusCode::OK,
                [("x-aws-ec2-metadata-token-ttl-seconds", ttl)],
                TOKEN,
            )
                .into_response(),
            None => StatusCode::BAD_REQUEST.into_response(),
        };
    }
    let token = headers
        .get("x-aws-ec2-metadata-token")
        .and_then(|value| value.to_str().ok());
    if method != Method::GET || token != Some(TOKEN) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    asked.lock().unwrap().push(path.clone());
    let body = match path.as_str() {
        DOCUMENT_PATH => DOCUMENT,
        "/latest/meta-data/mac" => "0e:12:34:56:78:9a",
        "/latest/meta-data/network/interfaces/macs/0e:12:34:56:78:9a/vpc-id" => {
            "vpc-0a1b2c3d4e5f60001"
        }
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    (StatusCode::OK, body).into_response()
}

/// The stand-in served on 127.0.0.1: its URL and what it was asked.
async fn imds() -> (String, Asked) {
    let asked = Asked::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let router = Router::new().fallback(answer).with_state(asked.clone());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (url, asked)
}

/// `trellis run` with a name, credentials and `settings`, its probes on a
/// fresh port of 127.0.0.1: the command and that port.
fn trellis(settings: &[(&str, &str)]) -> (Command, u16) {
    let probes = free_port();
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
        .env_clear()
        .env("CLUSTER_NAME", "workload-cluster-1")
        .env("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
        .env("AWS_SECRET_ACCESS_KEY", "secret")
        .env("DEV_MODE", "1")
        .envs(settings.iter().copied());
    (command, probes)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The status code of `GET path` on 127.0.0.1:`port`, if answered.
fn status(port: u16, path: &str) -> Option<u16> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    response.split(' ').nth(1)?.parse().ok()
}

/// A process killed when the test ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn empty_values_are_discovered_and_set_ones_are_not_asked_for() {
    let server = TestApiServer::start().await;
    server
        .apply_manifests(&trellis::kube::crds::to_yaml().unwrap())
        .unwrap();
    let folder = tempfile::tempdir().unwrap();
    let kubeconfig = folder.path().join("kubeconfig");
    server.write_kubeconfig(&kubeconfig).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let lattice = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(Emulator::new("123456789012", "us-west-2", 2).serve(listener));
    let (endpoint, asked) = imds().await;
    // The VPC is set; the account and region are left empty.
    let (mut command, probes) = trellis(&[
        ("KUBECONFIG", kubeconfig.to_str().unwrap()),
        ("LATTICE_ENDPOINT", &lattice),
        ("AWS_EC2_METADATA_SERVICE_ENDPOINT", &endpoint),
        ("CLUSTER_VPC_ID", "vpc-0a1b2c3d4e5f60002"),
        ("AWS_ACCOUNT_ID", ""),
    ]);
    let mut controller = Running(
        command
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let started = Instant::now();
    while status(probes, "/readyz") != Some(200) {
        if let Some(exit) = controller.0.try_wait().unwrap() {
            panic!("trellis run stopped: {exit}");
        }
        assert!(
            started.elapsed() < DEADLINE,
            "timed out waiting for /readyz"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(*asked.lock().unwrap(), [DOCUMENT_PATH]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_metadata_service_stops_start_up_quickly_naming_the_setting() {
    let (mut command, _) = trellis(&[
        (
            "AWS_EC2_METADATA_SERVICE_ENDPOINT",
            &format!("http://127.0.0.1:{}", free_port()),
        ),
        ("AWS_ACCOUNT_ID", "123456789012"),
        ("REGION", "us-west-2"),
    ]);
    let started = Instant::now();
    let output = command.output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(started.elapsed() < Duration::from_secs(15), "{stderr}");
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(
            "CLUSTER_VPC_ID is not set and the EC2 instance metadata service did not answer"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("--cluster-vpc-id"),
        "how to set it: {stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_the_metadata_service_disabled_an_empty_value_is_missing() {
    let (endpoint, asked) = imds().await;
    let (mut command, _) = trellis(&[
        ("AWS_EC2_METADATA_SERVICE_ENDPOINT", &endpoint),
        ("AWS_EC2_METADATA_DISABLED", "true"),
        ("CLUSTER_VPC_ID", "vpc-0a1b2c3d4e5f60002"),
        ("AWS_ACCOUNT_ID", "123456789012"),
    ]);
    let output = command.output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("REGION is not set"), "{stderr}");
    assert!(asked.lock().unwrap().is_empty());
}
