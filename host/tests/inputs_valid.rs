//! Every fixture and example input is one a real cluster accepts: each
//! object passes the schemas of the CRDs Trellis documents (Gateway API
//! v1.5.1 standard channel, Trellis's own, the core shapes) and reads as
//! its type, so no object is left out. The few fixtures that show what the
//! API server refuses are named here, with the refusal they expect.

use std::path::{Path, PathBuf};

use trellis::harness::{discover, fixture_inputs};
use trellis::kube::manifests::load_plan_inputs;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Fixtures whose input the API server refuses on purpose, with the field
/// their `SchemaViolation` names.
const REFUSED: [(&str, &str); 2] = [
    ("tls/no-hostname-rejected", "spec.hostnames"),
    ("tls/two-rules-rejected", "spec.rules"),
];

#[test]
fn every_fixture_input_is_accepted_by_the_schemas() {
    let mut roots: Vec<PathBuf> = std::fs::read_dir(workspace().join("plugins"))
        .unwrap()
        .map(|entry| entry.unwrap().path().join("fixtures"))
        .filter(|fixtures| fixtures.is_dir())
        .collect();
    roots.sort();
    assert!(roots.len() >= 4, "{roots:?}");
    let mut checked = 0;
    let mut refused = Vec::new();
    let mut wrong = Vec::new();
    for root in &roots {
        for fixture in discover(std::slice::from_ref(root)).unwrap() {
            let inputs = fixture_inputs(&fixture).unwrap();
            checked += 1;
            let problems: Vec<_> = inputs
                .clusters
                .iter()
                .flat_map(|cluster| &cluster.left_out)
                .collect();
            let expected = REFUSED
                .iter()
                .find(|(name, _)| root.ends_with("default/fixtures") && *name == fixture.name);
            match expected {
                Some((name, field)) => {
                    assert_eq!(problems.len(), 1, "{name}: {problems:#?}");
                    assert_eq!(problems[0].reason, "SchemaViolation", "{name}");
                    assert_eq!(problems[0].field.as_deref(), Some(*field), "{name}");
                    refused.push(*name);
                }
                None if problems.is_empty() => {}
                None => wrong.push(format!("{}: {problems:#?}", fixture.dir.display())),
            }
        }
    }
    assert!(checked >= 70, "only {checked} fixtures");
    assert_eq!(refused.len(), REFUSED.len(), "{refused:?}");
    assert!(
        wrong.is_empty(),
        "inputs a cluster refuses:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn every_example_input_is_accepted_by_the_schemas() {
    let clusters = load_plan_inputs(&[workspace().join("examples/multi-cluster")]).unwrap();
    assert_eq!(clusters.len(), 3);
    for cluster in &clusters {
        assert!(
            cluster.left_out.is_empty(),
            "{}: {:#?}",
            cluster.config.cluster_name,
            cluster.left_out
        );
    }
}
