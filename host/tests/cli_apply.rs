//! `trellis apply` and `trellis plan --endpoint-url` as a user runs them:
//! the binary, the AWS SDK's standard credential chain (from the
//! environment), and the Lattice emulator on 127.0.0.1.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use lattice_emulator::Emulator;
use serde_json::Value;

use support::settled;

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/multi-cluster")
}

/// The default plugin's multi-cluster fixture `name`.
/// The cluster folders of the default plugin's multi-cluster fixture `name`,
/// copied into a fresh folder (the fixture's own folder also holds its
/// `expected.yaml` and README, which are not manifests); the folder lives as
/// long as the returned guard.
fn multi_cluster_fixture(name: &str) -> (tempfile::TempDir, PathBuf) {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../plugins/default/fixtures/multi-cluster")
        .join(name);
    let copy = tempfile::tempdir().unwrap();
    for cluster in std::fs::read_dir(&fixture).unwrap() {
        let cluster = cluster.unwrap();
        if !cluster.file_type().unwrap().is_dir() {
            continue;
        }
        let target = copy.path().join(cluster.file_name());
        std::fs::create_dir(&target).unwrap();
        for file in std::fs::read_dir(cluster.path()).unwrap() {
            let file = file.unwrap();
            std::fs::copy(file.path(), target.join(file.file_name())).unwrap();
        }
    }
    let path = copy.path().to_path_buf();
    (copy, path)
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

/// Runs `trellis ARGS… EXAMPLE --endpoint-url URL -o json` on the
/// multi-cluster example; returns the exit code, the JSON document and stderr.
fn trellis(args: &[&str], url: &str) -> (i32, Value, String) {
    trellis_on(args, &example(), url)
}

/// Runs `trellis ARGS… INPUT --endpoint-url URL -o json`; returns the exit
/// code, the JSON document and stderr.
fn trellis_on(args: &[&str], input: &Path, url: &str) -> (i32, Value, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_trellis"))
        .args(args)
        .arg(input)
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
    assert_eq!(
        second["state"],
        settled(&first["state"]),
        "the same account state"
    );

    let (code, planned, stderr) = trellis(&["plan"], &url);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(planned["calls"], serde_json::json!([]));
    assert_eq!(planned["state"], second["state"]);
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

/// The route's problems as (reason, message) pairs.
fn problems(document: &Value) -> Vec<(String, String)> {
    document["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|problem| {
            (
                problem["reason"].as_str().unwrap().to_owned(),
                problem["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// Upstream tolerates a route's ServiceImport backend whose object does not
/// exist: the rule forwards to the target group another cluster exported
/// under the backendRef's namespace and name, and `ResolvedRefs` reports the
/// missing object. With no export either, the route is not programmed.
#[test]
fn a_missing_service_import_forwards_to_the_export_of_another_cluster() {
    let url = serve();
    let (_folder, input) = multi_cluster_fixture("import-missing-object-resolves-export");
    let (code, applied, stderr) = trellis_on(&["apply"], &input, &url);
    assert_eq!(code, 1, "the missing object is reported: {stderr}");
    let reported = problems(&applied);
    assert_eq!(reported.len(), 1, "{reported:?}");
    assert_eq!(reported[0].0, "BackendNotFound");
    assert!(
        reported[0]
            .1
            .contains("ServiceImport default/rates not found"),
        "{reported:?}"
    );
    let state = &applied["state"];
    let exported = state["targetGroups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|group| {
            group["tags"]["application-networking.k8s.aws/SourceTypeKey"] == "ServiceExport"
                && group["tags"]["application-networking.k8s.aws/ClusterName"]
                    == "workload-cluster-1"
        })
        .expect("the workload cluster's exported target group");
    let rules = state["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 1, "{rules:?}");
    assert_eq!(
        rules[0]["action"]["forward"]["targetGroups"],
        serde_json::json!([{"targetGroupIdentifier": exported["id"], "weight": 1}])
    );

    let url = serve();
    let (_folder, input) = multi_cluster_fixture("import-missing-object-without-export");
    let (code, applied, stderr) = trellis_on(&["apply"], &input, &url);
    assert_eq!(code, 1, "{stderr}");
    let reported = problems(&applied);
    assert!(
        reported
            .iter()
            .any(|(reason, message)| reason == "BackendNotFound"
                && message.contains("no cluster exports default/rates")
                && message.contains("the ServiceImport object does not exist")),
        "{reported:?}"
    );
    assert_eq!(applied["state"]["services"], serde_json::json!([]));
    assert_eq!(applied["state"]["rules"], serde_json::json!([]));
}
