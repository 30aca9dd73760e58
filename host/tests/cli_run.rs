//! `trellis run` as an operator starts it: settings checked before anything
//! else, a missing CRD named with its fix, probes and metrics served, and
//! leader election over a Lease — against a Kubernetes API server and a
//! Lattice emulator on 127.0.0.1.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use kube_test_server::TestApiServer;
use lattice_emulator::Emulator;

const DEADLINE: Duration = Duration::from_secs(60);

/// The settings of the example's workload cluster 1.
const SETTINGS: &[(&str, &str)] = &[
    ("CLUSTER_NAME", "workload-cluster-1"),
    ("CLUSTER_VPC_ID", "vpc-0a1b2c3d4e5f60001"),
    ("AWS_ACCOUNT_ID", "123456789012"),
    ("REGION", "us-west-2"),
    ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"),
    ("AWS_SECRET_ACCESS_KEY", "secret"),
    ("AWS_EC2_METADATA_DISABLED", "true"),
    ("DEV_MODE", "1"),
];

/// `trellis run` with the settings of [`SETTINGS`] but `without`, serving
/// metrics and probes on fresh ports of 127.0.0.1: the command and the
/// (metrics, probes) ports.
fn trellis(kubeconfig: &Path, lattice_url: &str, without: &str) -> (Command, u16, u16) {
    let (metrics, probes) = (free_port(), free_port());
    let mut command = Command::new(env!("CARGO_BIN_EXE_trellis"));
    command
        .arg("run")
        .args(["--metrics-bind-address", &format!("127.0.0.1:{metrics}")])
        .args([
            "--health-probe-bind-address",
            &format!("127.0.0.1:{probes}"),
        ])
        .env_clear()
        .env("KUBECONFIG", kubeconfig)
        .env("LATTICE_ENDPOINT", lattice_url);
    for (name, value) in SETTINGS.iter().filter(|(name, _)| *name != without) {
        command.env(name, value);
    }
    (command, metrics, probes)
}

/// A free port on 127.0.0.1 (bound, read, released).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `GET path` on 127.0.0.1:`port`: the status code and body, if answered.
fn get(port: u16, path: &str) -> Option<(u16, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let code = response.split(' ').nth(1)?.parse().ok()?;
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_owned())?;
    Some((code, body))
}

fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < DEADLINE, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A process killed when the test ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn emulator() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(Emulator::new("123456789012", "us-west-2", 2).serve(listener));
    url
}

async fn server_with_crds() -> TestApiServer {
    let server = TestApiServer::start().await;
    server
        .apply_manifests(&trellis::kube::crds::to_yaml().unwrap())
        .unwrap();
    server
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
async fn start_up_without_cluster_name_names_it_and_fails() {
    let folder = tempfile::tempdir().unwrap();
    let (mut command, _, _) = trellis(
        &folder.path().join("no-kubeconfig"),
        "http://127.0.0.1:9",
        "CLUSTER_NAME",
    );
    let output = finished(&mut command);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("CLUSTER_NAME is not set"), "{stderr}");
    assert!(stderr.contains("--cluster-name"), "how to set it: {stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_up_without_a_crd_names_it_and_how_to_install_it() {
    let server = TestApiServer::builder()
        .without("application-networking.k8s.aws", "serviceexports")
        .start()
        .await;
    let folder = tempfile::tempdir().unwrap();
    let kubeconfig = folder.path().join("kubeconfig");
    server.write_kubeconfig(&kubeconfig).unwrap();
    let url = emulator().await;
    let (mut command, _, _) = trellis(&kubeconfig, &url, "");
    let output = finished(&mut command);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("ServiceExport"), "{stderr}");
    assert!(
        stderr.contains("trellis crds | kubectl apply -f -"),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn probes_and_metrics_are_served() {
    let server = server_with_crds().await;
    let folder = tempfile::tempdir().unwrap();
    let kubeconfig = folder.path().join("kubeconfig");
    server.write_kubeconfig(&kubeconfig).unwrap();
    let url = emulator().await;
    let (mut command, metrics, probes) = trellis(&kubeconfig, &url, "");
    let _controller = Running(
        command
            .env("DEFAULT_SERVICE_NETWORK", "my-gateway")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    wait_for("/readyz", || {
        get(probes, "/readyz").is_some_and(|(code, _)| code == 200)
    });
    assert_eq!(get(probes, "/healthz").map(|(code, _)| code), Some(200));
    // The default network is made at start: its calls are counted.
    wait_for("the Lattice calls in /metrics", || {
        get(metrics, "/metrics").is_some_and(|(code, body)| {
            code == 200
                && body.contains("trellis_aws_requests_total{operation=\"CreateServiceNetwork\"} 1")
        })
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_replica_leads_and_a_standby_takes_over_when_it_goes() {
    let server = server_with_crds().await;
    let folder = tempfile::tempdir().unwrap();
    let kubeconfig = folder.path().join("kubeconfig");
    server.write_kubeconfig(&kubeconfig).unwrap();
    let url = emulator().await;
    let start = |identity: &str| {
        let (mut command, _, probes) = trellis(&kubeconfig, &url, "");
        let child = command
            .arg("--leader-elect")
            .env("POD_NAMESPACE", "default")
            .env("POD_NAME", identity)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        (Running(child), probes)
    };
    let holder = || {
        server
            .object(
                "coordination.k8s.io/v1",
                "leases",
                Some("default"),
                "trellis-leader",
            )
            .and_then(|lease| lease["spec"]["holderIdentity"].as_str().map(str::to_owned))
    };
    let (first, first_probes) = start("replica-a");
    wait_for("the first replica to lead", || {
        holder().as_deref() == Some("replica-a")
    });
    let (second, second_probes) = start("replica-b");
    wait_for("both replicas ready", || {
        [first_probes, second_probes]
            .iter()
            .all(|port| get(*port, "/readyz").is_some_and(|(code, _)| code == 200))
    });
    assert_eq!(
        holder().as_deref(),
        Some("replica-a"),
        "a held Lease is not taken"
    );

    drop(first);
    wait_for("the standby to take over after the Lease expires", || {
        holder().as_deref() == Some("replica-b")
    });
    let lease = server
        .object(
            "coordination.k8s.io/v1",
            "leases",
            Some("default"),
            "trellis-leader",
        )
        .unwrap();
    assert_eq!(lease["spec"]["leaseTransitions"], 1);

    // SIGTERM stops a standby (waiting for the Lease) and the leader alike.
    let (standby, standby_probes) = start("replica-c");
    wait_for("the standby ready", || {
        get(standby_probes, "/readyz").is_some_and(|(code, _)| code == 200)
    });
    for mut replica in [standby, second] {
        terminate(&mut replica.0);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_leader_releases_its_lease_on_sigterm_and_a_standby_takes_over_at_once() {
    let server = server_with_crds().await;
    let folder = tempfile::tempdir().unwrap();
    let kubeconfig = folder.path().join("kubeconfig");
    server.write_kubeconfig(&kubeconfig).unwrap();
    let url = emulator().await;
    let start = |identity: &str| {
        let (mut command, _, probes) = trellis(&kubeconfig, &url, "");
        let child = command
            .arg("--leader-elect")
            .env("POD_NAMESPACE", "default")
            .env("POD_NAME", identity)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        (Running(child), probes)
    };
    let lease = || {
        server.object(
            "coordination.k8s.io/v1",
            "leases",
            Some("default"),
            "trellis-leader",
        )
    };
    let holder =
        || lease().and_then(|lease| lease["spec"]["holderIdentity"].as_str().map(str::to_owned));
    let (mut leader, _) = start("replica-a");
    wait_for("the first replica to lead", || {
        holder().as_deref() == Some("replica-a")
    });
    let (standby, standby_probes) = start("replica-b");
    wait_for("the standby ready", || {
        get(standby_probes, "/readyz").is_some_and(|(code, _)| code == 200)
    });

    // The leader renews every 5 s and the Lease lasts 15 s: left to
    // expire, it would stay the leader's for at least 10 s after SIGTERM.
    let stopped = Instant::now();
    terminate(&mut leader.0);
    assert_ne!(
        holder().as_deref(),
        Some("replica-a"),
        "released on shutdown (or already taken)"
    );
    wait_for("the standby to take over", || {
        holder().as_deref() == Some("replica-b")
    });
    let took = stopped.elapsed();
    assert!(
        took < Duration::from_secs(6),
        "the standby took over {took:?} after SIGTERM, as if the Lease had expired"
    );
    assert_eq!(lease().unwrap()["spec"]["leaseTransitions"], 1);
    let mut standby = standby;
    terminate(&mut standby.0);
}

/// Sends SIGTERM to `child` and waits for a clean exit.
fn terminate(child: &mut Child) {
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    wait_for("the process to stop", || {
        child.try_wait().unwrap().is_some()
    });
    assert!(child.wait().unwrap().success(), "a clean exit on SIGTERM");
}
