//! ACM certificate discovery as a user meets it: `trellis plan` offline,
//! `trellis apply` and `trellis plan --endpoint-url` through the binary,
//! with the AWS SDK's credential chain from the environment and the
//! emulator's VPC Lattice and ACM on 127.0.0.1.
//!
//! The input: an HTTPS listener terminating TLS without the
//! `certificate-arn` option, and a route for `rates.example.com`.

use std::path::Path;
use std::process::Command;

use lattice_emulator::{Emulator, SeededCertificate};
use serde_json::{Value, json};

const PENDING: &str = "(ACM certificate for rates.example.com, discovered at apply)";

/// A cluster folder holding the default plugin's fixture
/// `https-listener-discovered-certificate` (its `cluster.yaml` and
/// manifests).
fn input() -> tempfile::TempDir {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../plugins/default/fixtures/gateway/https-listener-discovered-certificate");
    let folder = tempfile::tempdir().unwrap();
    for file in ["cluster.yaml", "input.yaml"] {
        std::fs::copy(fixture.join(file), folder.path().join(file)).unwrap();
    }
    folder
}

/// Serves `emulator` on 127.0.0.1 from a background thread for the test's
/// lifetime; returns its URL.
fn serve(emulator: &Emulator) -> String {
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
    receiver.recv().unwrap()
}

/// Runs `trellis ARGS… INPUT -o json` with credentials in the environment
/// and nothing read from outside the machine; returns the exit code, the
/// JSON document and stderr.
fn trellis(args: &[&str]) -> (i32, Value, String) {
    let input = input();
    let output = Command::new(env!("CARGO_BIN_EXE_trellis"))
        .args(args)
        .arg(input.path())
        .args(["--output", "json"])
        .env("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
        .env("AWS_SECRET_ACCESS_KEY", "secret")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ENDPOINT_URL")
        .env_remove("AWS_ENDPOINT_URL_ACM")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let document = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|error| panic!("not JSON ({error}); stderr: {stderr}"));
    (output.status.code().unwrap_or(-1), document, stderr)
}

/// The route's `Accepted` condition in `report`.
fn accepted(report: &Value) -> &Value {
    report["statuses"]
        .as_array()
        .unwrap()
        .iter()
        .find(|status| status["object"]["kind"] == "HTTPRoute")
        .map(|status| &status["conditions"][0])
        .expect("the route's status")
}

#[test]
fn an_offline_plan_shows_the_certificate_pending() {
    let (code, report, stderr) = trellis(&["plan"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(report["problems"], json!([]));
    assert_eq!(report["state"]["services"][0]["certificateArn"], PENDING);
}

#[test]
fn apply_discovers_the_certificate_or_makes_nothing() {
    let emulator = Emulator::new("123456789012", "us-west-2", 2);
    let url = serve(&emulator);
    let endpoints = ["--endpoint-url", &url, "--acm-endpoint-url", &url];

    // No certificate in ACM: not accepted, no service, exit 1.
    let (code, report, stderr) = trellis(&[&["apply"][..], &endpoints].concat());
    assert_eq!(code, 1, "{stderr}");
    let problem = &report["problems"][0];
    assert_eq!(problem["reason"], "CertificateNotFound", "{report:#}");
    assert_eq!(problem["field"], "spec.hostnames");
    assert_eq!(
        problem["message"],
        "no matching ACM certificate found for hostname rates.example.com"
    );
    assert_eq!(accepted(&report)["status"], "False");
    assert_eq!(accepted(&report)["reason"], "CertificateNotFound");
    assert!(emulator.lattice().state().services.is_empty());
    assert!(
        emulator.stats().requests.contains_key("ListCertificates"),
        "ACM was asked"
    );

    // An older exact certificate and a newer wildcard: the exact one.
    let exact = "arn:aws:acm:us-west-2:123456789012:certificate/exact";
    emulator.acm().seed(SeededCertificate::issued(
        "arn:aws:acm:us-west-2:123456789012:certificate/wildcard",
        "*.example.com",
        1_800_000_000.0,
    ));
    emulator.acm().seed(SeededCertificate::issued(
        exact,
        "rates.example.com",
        1_700_000_000.0,
    ));
    // The plan against the endpoints shows what the apply will do.
    let (code, plan, stderr) = trellis(&[&["plan"][..], &endpoints].concat());
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(plan["state"]["services"][0]["certificateArn"], exact);
    assert!(
        emulator.lattice().state().services.is_empty(),
        "plan changes nothing"
    );

    let (code, report, stderr) = trellis(&[&["apply"][..], &endpoints].concat());
    assert_eq!(code, 0, "{stderr}\n{report:#}");
    assert_eq!(accepted(&report)["status"], "True");
    let services = emulator.lattice().state().services;
    assert_eq!(services.len(), 1);
    assert_eq!(services[0].certificate_arn.as_deref(), Some(exact));

    // Access to ACM denied later: not accepted, and the live service stays.
    emulator.acm().deny(true);
    let before = emulator.lattice().state();
    let (code, report, stderr) = trellis(&[&["apply"][..], &endpoints].concat());
    assert_eq!(code, 1, "{stderr}");
    let problem = &report["problems"][0];
    assert_eq!(problem["reason"], "CertificateNotFound");
    assert!(
        problem["message"]
            .as_str()
            .unwrap()
            .contains("ACM access denied"),
        "{problem}"
    );
    assert_eq!(
        emulator.lattice().state(),
        before,
        "nothing deleted or changed"
    );

    // Any other ACM error: a clear problem, nothing deleted.
    emulator.acm().deny(false);
    emulator.acm().fail_with(Some("InvalidArgsException"));
    let (code, report, stderr) = trellis(&[&["apply"][..], &endpoints].concat());
    assert_eq!(code, 1, "{stderr}");
    let problem = &report["problems"][0];
    assert_eq!(problem["reason"], "CertificateDiscoveryFailed");
    assert!(
        problem["message"]
            .as_str()
            .unwrap()
            .starts_with("discovering the ACM certificate for hostname rates.example.com: ACM ListCertificates: InvalidArgsException"),
        "{problem}"
    );
    assert_eq!(
        emulator.lattice().state(),
        before,
        "nothing deleted or changed"
    );
}
