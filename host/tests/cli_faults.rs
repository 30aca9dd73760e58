//! `trellis apply` and `plan --endpoint-url` when VPC Lattice misbehaves: an
//! endpoint that never answers, sustained injected faults, a state that
//! cannot be read back — the binary against listeners and the emulator on
//! 127.0.0.1.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use lattice_emulator::FaultKind;
use serde_json::Value;
use support::{Step, generate, serve, trellis};

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/multi-cluster")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn document(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|error| panic!("not JSON ({error}); stderr: {}", stderr(output)))
}

/// A TCP listener that accepts connections (the kernel completes them) and
/// never reads or answers; its URL. It lives as long as the returned handle.
fn silent_endpoint() -> (std::net::TcpListener, String) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    (listener, url)
}

#[test]
fn a_silent_endpoint_fails_apply_and_plan_within_the_timeout_naming_the_operation() {
    let (_listener, url) = silent_endpoint();
    let timeouts = [
        "--endpoint-url",
        &url,
        "--attempt-timeout-ms",
        "300",
        "--connect-timeout-ms",
        "300",
        "--max-attempts",
        "2",
        "--initial-backoff-ms",
        "10",
    ];
    for command in ["apply", "plan"] {
        let started = Instant::now();
        let mut child = trellis(&[command])
            .arg(example())
            .args(timeouts)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        while child.try_wait().unwrap().is_none() {
            if started.elapsed() > Duration::from_secs(30) {
                child.kill().unwrap();
                panic!("{command} still waits for an answer after 30 s");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let output = child.wait_with_output().unwrap();
        let stderr = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{command}: {stderr}");
        assert!(
            stderr.contains("no answer from VPC Lattice to List"),
            "{command}: the error names the operation: {stderr}"
        );
        assert!(stderr.contains("timeout"), "{command}: {stderr}");
    }
}

#[test]
fn apply_prints_what_it_did_when_the_state_cannot_be_read_back() {
    // Only `ListTargets` fails, always: a first apply never lists targets
    // (it registers them), the read-back of the state `--read-back` asks
    // for does.
    let (url, emulator) = serve(|config| {
        config
            .faults(1.0, &[FaultKind::ServerError], 3)
            .fault_operations(&["ListTargets"])
    });
    let output = trellis(&["apply", "--read-back"])
        .arg(example())
        .args(["--endpoint-url", &url, "--output", "json"])
        .args(["--max-attempts", "2", "--initial-backoff-ms", "1"])
        .output()
        .unwrap();
    let stderr = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("reading the state after the apply"),
        "{stderr}"
    );
    assert!(stderr.contains("VPC Lattice: "), "call counts: {stderr}");
    let report = document(&output);
    assert_eq!(report["state"], Value::Null, "no state was read");
    assert_eq!(report["problems"], serde_json::json!([]), "{report:#}");
    let calls = report["calls"].as_array().unwrap();
    assert_eq!(calls.len(), 13, "the apply's calls are reported: {calls:?}");
    assert_eq!(
        emulator.lattice().snapshot().services.len(),
        1,
        "the apply itself went through"
    );
}

#[test]
fn under_half_faults_every_request_gets_the_attempts_asked_for() {
    let folder = tempfile::tempdir().unwrap();
    generate(folder.path(), 30, Step::Create);
    let (url, emulator) = serve(|config| {
        config.faults(
            0.5,
            &[
                FaultKind::Throttling,
                FaultKind::ServerError,
                FaultKind::DroppedConnection,
            ],
            13,
        )
    });
    // `--read-back`: the read pass after the apply brings the requests (and
    // so the faults) past the SDK's default retry quota.
    let output = trellis(&["apply", "--read-back"])
        .arg(folder.path())
        .args(["--endpoint-url", &url, "--output", "json"])
        .args(["--max-attempts", "25", "--initial-backoff-ms", "1"])
        .args(["--calls-per-second", "5000", "--burst", "5000"])
        .output()
        .unwrap();
    let stderr = stderr(&output);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(!stdout.contains("retry quota"), "{stdout}");
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let report = document(&output);
    assert_eq!(report["state"]["services"].as_array().unwrap().len(), 30);
    let stats = emulator.stats();
    assert!(
        stats.total_faults() > 150,
        "more faults than the SDK's default retry quota allows: {stats}"
    );
}
