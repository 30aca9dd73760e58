//! Why manifests could not be read.

use std::path::PathBuf;

use crate::config::ClusterConfigError;

/// Manifests that cannot be read at all. Every variant names the file or
/// folder. What is wrong with one document or object of a file is not an
/// error but a [`super::LeftOut`] entry: the rest is read.
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
    /// A manifest path is not a regular file or folder (a FIFO, a device
    /// such as `/dev/zero`, a socket): never opened.
    #[error("{}: not a regular file (a FIFO, device or socket is never read)", path.display())]
    NotAFile {
        /// The path.
        path: PathBuf,
    },
    /// A manifest file is larger than the limit.
    #[error("{}: larger than {limit} bytes; not read", path.display())]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// The limit, in bytes.
        limit: u64,
    },
    /// A folder is reached again below itself through a symlink.
    #[error("{}: a symlink back to {} (a folder cycle); not read", path.display(), target.display())]
    FolderCycle {
        /// The folder reached again.
        path: PathBuf,
        /// The folder it is (canonical path).
        target: PathBuf,
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
