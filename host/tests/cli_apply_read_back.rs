//! What `trellis apply` prints after applying: the state its observed-state
//! cache holds, with no second read of the account, unless `--read-back`
//! asks for a fresh read; either way every request is counted in the
//! summary on stderr. The binary against the emulator on 127.0.0.1.

mod support;

use std::path::{Path, PathBuf};

use serde_json::Value;
use support::{serve, settled, trellis};

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/multi-cluster")
}

/// Runs `trellis COMMAND… EXAMPLE --endpoint-url URL -o json`; the JSON
/// document and the request total of the summary on stderr.
fn run(args: &[&str], url: &str) -> (Value, u64) {
    let output = trellis(args)
        .arg(example())
        .args(["--endpoint-url", url, "--output", "json"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(0), "{args:?}: {stderr}");
    let document = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|error| panic!("not JSON ({error}); stderr: {stderr}"));
    let total = stderr
        .lines()
        .find_map(|line| line.strip_prefix("VPC Lattice: "))
        .and_then(|line| line.split(' ').next())
        .and_then(|count| count.parse().ok())
        .unwrap_or_else(|| panic!("no request summary on stderr: {stderr}"));
    (document, total)
}

#[test]
fn apply_prints_the_held_state_for_the_apply_s_requests_alone() {
    let (url, emulator) = serve(|config| config);
    let (held, held_requests) = run(&["apply"], &url);
    assert_eq!(held["problems"], serde_json::json!([]), "{held:#}");
    let stats = emulator.stats();
    assert_eq!(
        held_requests,
        stats.total_requests(),
        "every request is counted: {stats}"
    );
    for read_only_by_a_read_pass in [
        "ListListeners",
        "ListRules",
        "GetRule",
        "ListTargets",
        "ListAccessLogSubscriptions",
        "GetAuthPolicy",
    ] {
        assert!(
            !stats.requests.contains_key(read_only_by_a_read_pass),
            "{read_only_by_a_read_pass}: the state was read again: {stats}"
        );
    }
    assert_eq!(held["state"]["services"].as_array().unwrap().len(), 1);
    assert_eq!(held["state"]["rules"].as_array().unwrap().len(), 2);

    // The same account read afresh: the same state, but for the statuses
    // Lattice has settled since it answered the creates.
    let (read, _) = run(&["apply", "--read-back"], &url);
    assert_eq!(read["calls"], serde_json::json!([]), "nothing left to do");
    assert_eq!(settled(&held["state"]), read["state"]);
    assert_ne!(
        held["state"], read["state"],
        "the held state keeps the statuses the creates answered"
    );
}

#[test]
fn a_read_back_costs_one_read_pass_and_is_counted() {
    let (held_url, held_emulator) = serve(|config| config);
    let (held, held_requests) = run(&["apply"], &held_url);
    assert_eq!(held_requests, held_emulator.stats().total_requests());

    let (url, emulator) = serve(|config| config);
    let (read, read_requests) = run(&["apply", "--read-back"], &url);
    assert_eq!(
        read_requests,
        emulator.stats().total_requests(),
        "the read-back's requests are counted"
    );
    assert_eq!(read["calls"], held["calls"], "the same apply");
    assert_eq!(read["state"], settled(&held["state"]));

    let before = emulator.stats().total_requests();
    let (planned, _) = run(&["plan"], &url);
    assert_eq!(planned["state"], read["state"]);
    let read_pass = emulator.stats().total_requests() - before;
    assert_eq!(
        read_requests,
        held_requests + read_pass,
        "the read-back is one read pass of the account more than the apply"
    );
}
