//! Test helpers shared by the unit tests of every module that reads
//! Kubernetes objects.

use std::path::Path;

use super::Snapshot;
use super::manifests::{ManifestError, Manifests, parse_manifests};

/// The objects of `yaml`, read as the manifest file `objects.yaml` (the
/// name errors give).
pub fn manifests(yaml: &str) -> Result<Manifests, ManifestError> {
    parse_manifests(Path::new("objects.yaml"), yaml)
}

/// The snapshot of the objects of `yaml`; panics when `yaml` does not read.
pub fn snapshot(yaml: &str) -> Snapshot {
    manifests(yaml).expect("manifests").snapshot
}
