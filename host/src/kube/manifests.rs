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
//! and counted by kind — except a kind of the two Trellis groups that the
//! group does not define (`HttpRoute`), which is a typo and left out with an
//! `UnknownKind` problem. A namespaced object without a namespace is put in
//! `default`, as `kubectl apply` would. No other defaulting happens here.
//!
//! Reading is in passes (see `read`): one document or object that cannot
//! be read is left out with a [`LeftOut`] naming its file, document, object
//! and field; the rest of the input is read. Bounds: only regular files, at
//! most [`MAX_FILE_BYTES`] each; a document expands (YAML aliases) to at
//! most [`MAX_DOCUMENT_NODES`] nodes and [`MAX_DOCUMENT_BYTES`] bytes.

mod documents;
mod error;
mod files;
mod identify;
mod left_out;
mod plan_inputs;
mod read;
mod typed;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use documents::{MAX_DOCUMENT_BYTES, MAX_DOCUMENT_NODES};
pub use error::ManifestError;
pub use files::MAX_FILE_BYTES;
pub use left_out::{LeftOut, LeftOutReason, Location};
pub use plan_inputs::{ClusterInput, load_cluster_files, load_plan_inputs};

use super::Snapshot;

/// The objects read from some manifest paths.
#[derive(Debug, Clone, Default)]
pub struct Manifests {
    /// The objects Trellis reads, typed.
    pub snapshot: Snapshot,
    /// How many objects of each other kind were skipped, by kind.
    pub skipped: BTreeMap<String, usize>,
    /// The documents and objects left out of the snapshot, each with why.
    pub left_out: Vec<LeftOut>,
}

/// Reads the objects of `text`, a manifest file's contents; `source` names
/// it in problems (nothing is read from it).
pub fn parse_manifests(source: &Path, text: &str) -> Manifests {
    read::read(&[read::FileText {
        path: source.to_path_buf(),
        text: text.to_owned(),
    }])
}

/// Reads every manifest under `paths` (files or folders, in the order given)
/// into one [`Manifests`].
///
/// Fails only when a path or file cannot be read at all (missing, not a
/// regular file, larger than [`MAX_FILE_BYTES`], a folder cycle, not UTF-8).
/// A document or object that cannot be read, identified, validated against
/// its schema or typed, or an object defined twice, is left out of the
/// snapshot with a [`LeftOut`] naming it; the rest is read.
pub fn read_manifests(paths: &[PathBuf]) -> Result<Manifests, ManifestError> {
    let mut texts = Vec::new();
    for path in paths {
        for file in files::manifest_files(path)? {
            let text = files::read_text(&file)?;
            texts.push(read::FileText { path: file, text });
        }
    }
    Ok(read::read(&texts))
}
