//! Test helpers shared by the unit tests of every module that reads
//! Kubernetes objects.

use std::path::Path;

use super::Snapshot;
use super::manifests::{Manifests, parse_manifests};

/// The objects of `yaml`, read as the manifest file `objects.yaml` (the
/// name problems give).
pub fn manifests(yaml: &str) -> Manifests {
    parse_manifests(Path::new("objects.yaml"), yaml)
}

/// The snapshot of the objects of `yaml`; panics when an object of `yaml`
/// was left out.
pub fn snapshot(yaml: &str) -> Snapshot {
    let read = manifests(yaml);
    assert!(read.left_out.is_empty(), "left out: {:#?}", read.left_out);
    read.snapshot
}
