//! Reading Kubernetes manifests from files: what `trellis plan` fills its
//! [`Snapshot`]s from.
//!
//! A path is a manifest file or a folder of them (every `*.yaml` / `*.yml`
//! below it, recursively, in sorted path order; hidden entries and files
//! named `cluster.yaml` are not manifests). A file holds one or more YAML
//! documents, each one Kubernetes object; objects are dispatched by API group
//! and kind (any version):
//!
//! | Group | Kinds read | Into |
//! |---|---|---|
//! | `gateway.networking.k8s.io` | GatewayClass, Gateway, HTTPRoute, GRPCRoute, TLSRoute | typed fields |
//! | core (`v1`) | Service, Namespace | typed fields |
//! | `discovery.k8s.io` | EndpointSlice | typed field |
//! | `application-networking.k8s.aws` | ServiceExport, ServiceImport | typed fields |
//! | `application-networking.k8s.aws` | TargetGroupPolicy, IAMAuthPolicy, AccessLogPolicy, VpcAssociationPolicy, ServiceNetwork | [`Snapshot::policies`] |
//!
//! Every other object (a Deployment, a ConfigMap, a `List`, ...) is skipped
//! and counted by kind. A namespaced object without a namespace is put in
//! `default`, as `kubectl apply` would. No other defaulting happens here.

mod error;
mod files;
mod objects;
mod plan_inputs;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use error::ManifestError;
pub use plan_inputs::{ClusterInput, load_cluster_files, load_plan_inputs};

use super::Snapshot;

/// The objects read from some manifest paths.
#[derive(Debug, Clone, Default)]
pub struct Manifests {
    /// The objects Trellis reads, typed.
    pub snapshot: Snapshot,
    /// How many objects of each other kind were skipped, by kind.
    pub skipped: BTreeMap<String, usize>,
}

/// Reads the objects of `text`, a manifest file's contents; `source` names
/// it in errors (nothing is read from it).
pub fn parse_manifests(source: &Path, text: &str) -> Result<Manifests, ManifestError> {
    let mut manifests = Manifests::default();
    objects::read_text(source, text, &mut manifests)?;
    Ok(manifests)
}

/// Reads every manifest under `paths` (files or folders, in the order given)
/// into one [`Manifests`].
///
/// Fails on the first file that cannot be read or document that is not a
/// valid object of its kind; the error names the file, the document (1-based)
/// and, when the object's own schema rejects it, the object and the field.
pub fn read_manifests(paths: &[PathBuf]) -> Result<Manifests, ManifestError> {
    let mut manifests = Manifests::default();
    for path in paths {
        for file in files::manifest_files(path)? {
            objects::read_file(&file, &mut manifests)?;
        }
    }
    Ok(manifests)
}
