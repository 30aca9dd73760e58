//! The default plugin's fixtures (`plugins/default/fixtures`) all pass, and
//! `trellis test` reports a failing fixture with a short, path-addressed diff.

use std::path::{Path, PathBuf};
use std::process::Command;

use trellis::harness::{FixtureOutcome, check_fixture, discover, fixture_inputs};
use trellis::lattice::InMemoryLattice;
use trellis::plugin::{Plugin, PluginEngine, PluginSet};
use trellis::reconcile::plan;

fn fixtures_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../plugins/default/fixtures")
}

#[tokio::test]
async fn every_default_plugin_fixture_passes() {
    let engine = PluginEngine::new().unwrap();
    let plugin = Plugin::default_plugin(&engine).unwrap();
    let fixtures = discover(&[fixtures_root()]).unwrap();
    assert!(fixtures.len() >= 60, "only {} fixtures", fixtures.len());
    let mut failures = Vec::new();
    for fixture in &fixtures {
        match check_fixture(fixture, &plugin, &plugin, false)
            .await
            .unwrap()
        {
            FixtureOutcome::Passed => {}
            other => failures.push(format!("{}: {other:?}", fixture.name)),
        }
    }
    assert!(
        failures.is_empty(),
        "failing fixtures:\n{}",
        failures.join("\n")
    );
}

/// Reconciling is idempotent: planning every fixture a second time against
/// the Lattice its first plan left makes no call and changes nothing.
#[tokio::test]
async fn a_second_plan_of_every_fixture_makes_no_call() {
    let engine = PluginEngine::new().unwrap();
    let default = Plugin::default_plugin(&engine).unwrap();
    for fixture in discover(&[fixtures_root()]).unwrap() {
        let inputs = fixture_inputs(&fixture).unwrap();
        let plugin = PluginSet::stock(match &inputs.plugin_config {
            Some(config) => default.clone().with_config(config.clone()),
            None => default.clone(),
        });
        let first_cluster = &inputs.clusters[0].config;
        let lattice = InMemoryLattice::new(
            first_cluster.account_id.clone(),
            first_cluster.region.clone(),
        );
        let first = plan(&inputs.clusters, &plugin, &lattice).await;
        let second = plan(&inputs.clusters, &plugin, &lattice).await;
        let operations: Vec<&str> = second.calls.iter().map(|call| call.operation).collect();
        assert!(
            operations.is_empty(),
            "{}: the second plan called {operations:?}",
            fixture.name
        );
        assert_eq!(second.state, first.state, "{}", fixture.name);
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}

fn trellis_test(args: &[&Path]) -> (i32, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_trellis"))
        .arg("test")
        .arg("default")
        .args(args)
        .output()
        .unwrap();
    (
        output.status.code().unwrap(),
        String::from_utf8(output.stdout).unwrap(),
    )
}

#[test]
fn a_failing_fixture_prints_each_difference_on_one_line_and_bless_fixes_it() {
    let dir = tempfile::tempdir().unwrap();
    let fixture = dir.path().join("path-prefix");
    copy_dir(&fixtures_root().join("http/path-prefix"), &fixture);
    let expected = fixture.join("expected.yaml");
    let text = std::fs::read_to_string(&expected).unwrap();
    std::fs::write(&expected, text.replacen("priority: 1", "priority: 7", 1)).unwrap();

    let (code, stdout) = trellis_test(&[dir.path()]);
    assert_eq!(code, 1, "{stdout}");
    assert!(stdout.contains("FAIL  path-prefix"), "{stdout}");
    assert!(
        stdout.contains("state.rules[0].priority: expected 7, got 1"),
        "{stdout}"
    );
    assert!(
        stdout.contains("1 fixtures with plugin default: 0 passed, 1 failed"),
        "{stdout}"
    );

    let output = Command::new(env!("CARGO_BIN_EXE_trellis"))
        .args(["test", "default", "--bless"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(output.status.success());
    let (code, stdout) = trellis_test(&[dir.path()]);
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.contains("PASS  path-prefix"), "{stdout}");
}

#[test]
fn filter_selects_fixtures_by_name() {
    let (code, stdout) = trellis_test(&[&fixtures_root().join("tls")]);
    assert_eq!(code, 0, "{stdout}");
    let output = Command::new(env!("CARGO_BIN_EXE_trellis"))
        .args(["test", "default", "--filter", "passthrough"])
        .arg(fixtures_root())
        .output()
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(stdout.contains("PASS  tls/passthrough"), "{stdout}");
    assert!(
        stdout.contains("1 fixtures with plugin default: 1 passed, 0 failed"),
        "{stdout}"
    );
}
