//! `trellis apply` and `trellis plan --endpoint-url` as a user runs them:
//! the binary, the AWS SDK's standard credential chain (from the
//! environment), and the Lattice emulator on 127.0.0.1.

use std::path::{Path, PathBuf};
use std::process::Command;

use lattice_emulator::Emulator;
use serde_json::Value;

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/multi-cluster")
}

/// Serves a fresh emulator on 127.0.0.1 from a background thread for the
/// test's lifetime; returns its URL.
fn serve() -> String {
    let (sender, receiver) = std::sync::mpsc::channel();
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
            Emulator::new("123456789012", "us-west-2", 2)
                .serve(listener)
                .await
                .unwrap();
        });
    });
    receiver.recv().unwrap()
}

/// Runs `trellis ARGS… --endpoint-url URL -o json`; returns the exit code,
/// the JSON document and stderr.
fn trellis(args: &[&str], url: &str) -> (i32, Value, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_trellis"))
        .args(args)
        .arg(example())
        .args(["--endpoint-url", url, "--output", "json"])
        .env("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
        .env("AWS_SECRET_ACCESS_KEY", "secret")
        .env_remove("AWS_PROFILE")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let document = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|error| panic!("not JSON ({error}); stderr: {stderr}"));
    (output.status.code().unwrap_or(-1), document, stderr)
}

#[test]
fn apply_then_apply_again_then_plan_against_the_endpoint() {
    let url = serve();

    let (code, first, stderr) = trellis(&["apply"], &url);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(first["problems"], serde_json::json!([]));
    let operations: Vec<&str> = first["calls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|call| call["operation"].as_str().unwrap())
        .collect();
    assert_eq!(operations.first(), Some(&"CreateServiceNetwork"));
    assert_eq!(operations.len(), 13, "{operations:?}");
    assert_eq!(first["state"]["services"].as_array().unwrap().len(), 1);
    assert!(
        stderr.contains("VPC Lattice: "),
        "call counts on stderr: {stderr}"
    );

    let (code, second, stderr) = trellis(&["apply"], &url);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(second["calls"], serde_json::json!([]));
    assert_eq!(second["state"], first["state"], "the same account state");

    let (code, planned, stderr) = trellis(&["plan"], &url);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(planned["calls"], serde_json::json!([]));
    assert_eq!(planned["state"], first["state"]);
}

#[test]
fn apply_without_credentials_stops_with_one_clear_error() {
    let nowhere = tempfile::tempdir().unwrap();
    let missing = nowhere.path().join("none");
    let output = Command::new(env!("CARGO_BIN_EXE_trellis"))
        .arg("apply")
        .arg(example())
        .args(["--endpoint-url", "http://127.0.0.1:9"])
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_WEB_IDENTITY_TOKEN_FILE")
        .env_remove("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")
        .env_remove("AWS_CONTAINER_CREDENTIALS_FULL_URI")
        .env("AWS_CONFIG_FILE", &missing)
        .env("AWS_SHARED_CREDENTIALS_FILE", &missing)
        // No instance metadata: nothing leaves the machine.
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("no AWS credentials"), "{stderr}");
    assert!(output.stdout.is_empty(), "nothing was applied or printed");
}
