//! `trellis apply --prune` with inputs that leave objects out: a typo'd kind
//! and an object defined twice are problems of their own, and nothing is
//! pruned while any object is left out. The binary, the AWS SDK's standard
//! credential chain (from the environment), and the Lattice emulator on
//! 127.0.0.1.

use std::path::{Path, PathBuf};
use std::process::Command;

use lattice_emulator::Emulator;
use serde_json::Value;

/// The fixture whose cluster and route the tests apply: one HTTPRoute
/// `default/rates` to the Service `rates`.
fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../plugins/default/fixtures/http/exact-path")
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

/// A cluster folder holding the fixture's `cluster.yaml` and its manifests
/// as `input.yaml`.
fn cluster_folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for file in ["cluster.yaml", "input.yaml"] {
        std::fs::copy(fixture().join(file), dir.path().join(file)).unwrap();
    }
    dir
}

/// Runs `trellis ARGS… FOLDER --endpoint-url URL -o json`; returns the exit
/// code, the JSON document and stderr.
fn trellis(args: &[&str], folder: &Path, url: &str) -> (i32, Value, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_trellis"))
        .args(args)
        .arg(folder)
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

/// `(reason, message)` of each problem.
fn problems(report: &Value) -> Vec<(String, String)> {
    report["problems"]
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

fn operations(report: &Value) -> Vec<String> {
    report["calls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|call| call["operation"].as_str().unwrap().to_owned())
        .collect()
}

/// Applies the fixture and checks its route's service was made; the state,
/// read back afresh.
fn apply_once(folder: &Path, url: &str) -> Value {
    let (code, applied, stderr) = trellis(&["apply", "--read-back"], folder, url);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(applied["state"]["services"].as_array().unwrap().len(), 1);
    applied["state"].clone()
}

#[test]
fn a_typod_kind_is_a_problem_and_prune_deletes_nothing() {
    let url = serve();
    let folder = cluster_folder();
    let before = apply_once(folder.path(), &url);

    let input = folder.path().join("input.yaml");
    let text = std::fs::read_to_string(&input).unwrap();
    std::fs::write(&input, text.replace("kind: HTTPRoute", "kind: HttpRoute")).unwrap();
    let (code, pruned, stderr) = trellis(&["apply", "--prune"], folder.path(), &url);
    assert_eq!(code, 1, "{stderr}");
    let found = problems(&pruned);
    assert_eq!(found.len(), 2, "{found:#?}");
    assert_eq!(found[0].0, "UnknownKind");
    assert!(
        found[0].1.ends_with(
            "input.yaml: document 5: HttpRoute default/rates: gateway.networking.k8s.io has no \
             kind HttpRoute; did you mean HTTPRoute? The object is left out"
        ),
        "{}",
        found[0].1
    );
    assert_eq!(found[1].0, "PruneSkipped");
    let deletes: Vec<_> = operations(&pruned)
        .into_iter()
        .filter(|operation| operation.starts_with("Delete"))
        .collect();
    assert_eq!(deletes, Vec::<String>::new());
    assert_eq!(pruned["state"], before, "nothing of the route was deleted");
}

#[test]
fn an_object_defined_twice_is_applied_nowhere_and_prune_deletes_nothing() {
    let url = serve();
    let folder = cluster_folder();
    let before = apply_once(folder.path(), &url);

    let text = std::fs::read_to_string(folder.path().join("input.yaml")).unwrap();
    let route = &text[text
        .find("apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute")
        .unwrap()..];
    std::fs::write(folder.path().join("copy.yaml"), route).unwrap();
    let (code, pruned, stderr) = trellis(&["apply", "--prune"], folder.path(), &url);
    assert_eq!(code, 1, "{stderr}");
    let found = problems(&pruned);
    assert_eq!(found.len(), 2, "{found:#?}");
    assert_eq!(found[0].0, "DuplicateObject");
    let copy = folder.path().join("copy.yaml");
    let input = folder.path().join("input.yaml");
    assert_eq!(
        found[0].1,
        format!(
            "HTTPRoute default/rates is defined more than once: in {}: document 1 and in {}: \
             document 5; none of them is applied",
            copy.display(),
            input.display()
        )
    );
    assert_eq!(found[1].0, "PruneSkipped");
    assert_eq!(operations(&pruned), Vec::<String>::new());
    assert_eq!(pruned["state"], before);
}

/// A TLSRoute without `hostnames` (refused by the Gateway API CRD) is a
/// problem of its own: the rest of the input is planned, exit code 1.
#[test]
fn one_bad_object_does_not_fail_the_plan() {
    let url = serve();
    let folder = cluster_folder();
    std::fs::write(
        folder.path().join("tls.yaml"),
        "apiVersion: gateway.networking.k8s.io/v1\nkind: TLSRoute\n\
         metadata: {name: no-hostnames, namespace: default}\n\
         spec:\n  parentRefs: [{name: my-gateway}]\n  rules: [{backendRefs: [{name: rates, port: 80}]}]\n",
    )
    .unwrap();
    let (code, planned, stderr) = trellis(&["plan"], folder.path(), &url);
    assert_eq!(code, 1, "{stderr}");
    let found = &planned["problems"];
    assert_eq!(found.as_array().unwrap().len(), 1, "{found:#}");
    assert_eq!(found[0]["reason"], "SchemaViolation");
    assert_eq!(found[0]["field"], "spec.hostnames");
    assert_eq!(found[0]["object"]["name"], "no-hostnames");
    assert!(
        found[0]["message"]
            .as_str()
            .unwrap()
            .contains("tls.yaml: document 1: TLSRoute default/no-hostnames: "),
        "{found:#}"
    );
    assert_eq!(
        planned["state"]["services"].as_array().unwrap().len(),
        1,
        "the HTTPRoute is still planned"
    );
}
