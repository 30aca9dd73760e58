//! Why manifests could not be read.

use std::path::PathBuf;

use crate::config::ClusterConfigError;
use crate::object::ObjectRef;

/// Manifests that cannot be read. Every variant names the file or folder.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    /// A file or folder could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file or folder.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A document is not valid YAML.
    #[error("{}: document {document}: {source}", path.display())]
    Syntax {
        /// The file.
        path: PathBuf,
        /// The document's 1-based index in the file.
        document: usize,
        /// The YAML error, with its location in the file.
        source: serde_yaml_ng::Error,
    },
    /// A document is not a Kubernetes object: not a mapping, or without
    /// `apiVersion`, `kind` or `metadata.name`.
    #[error("{}: document {document}: {message}", path.display())]
    NotAnObject {
        /// The file.
        path: PathBuf,
        /// The document's 1-based index in the file.
        document: usize,
        /// What is missing.
        message: String,
    },
    /// An object does not match its kind's schema.
    #[error("{}: document {document} ({object}): {source}", path.display())]
    Object {
        /// The file.
        path: PathBuf,
        /// The document's 1-based index in the file.
        document: usize,
        /// The object's kind, namespace and name.
        object: ObjectRef,
        /// Serde's message: the field path, what is wrong, and the location.
        source: serde_yaml_ng::Error,
    },
    /// A `cluster.yaml` cannot be used.
    #[error(transparent)]
    ClusterConfig(#[from] ClusterConfigError),
    /// A multi-cluster folder has subfolders without a `cluster.yaml`.
    #[error(
        "{}: a multi-cluster folder needs a cluster.yaml in every subfolder; missing in: {}",
        path.display(),
        folders.join(", ")
    )]
    MissingClusterConfig {
        /// The multi-cluster folder.
        path: PathBuf,
        /// The subfolders without one.
        folders: Vec<String>,
    },
    /// A multi-cluster folder holds manifests outside its cluster folders.
    #[error(
        "{}: a multi-cluster folder holds manifests only inside its cluster folders; found: {}",
        path.display(),
        files.join(", ")
    )]
    StrayManifests {
        /// The multi-cluster folder.
        path: PathBuf,
        /// The files outside cluster folders.
        files: Vec<String>,
    },
    /// Cluster folders (with a `cluster.yaml`) and plain manifests were given
    /// together.
    #[error(
        "cannot plan cluster folders ({}) together with manifests of no cluster ({})",
        clusters.join(", "),
        plain.join(", ")
    )]
    MixedInputs {
        /// The paths that are cluster or multi-cluster folders.
        clusters: Vec<String>,
        /// The other paths.
        plain: Vec<String>,
    },
    /// Two cluster folders name the same cluster.
    #[error("cluster {name} is defined twice: in {} and in {}", first.display(), second.display())]
    DuplicateCluster {
        /// The cluster name.
        name: String,
        /// The folder defining it first.
        first: PathBuf,
        /// The folder defining it again.
        second: PathBuf,
    },
}
