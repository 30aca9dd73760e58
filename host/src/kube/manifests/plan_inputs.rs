//! Which clusters a plan's paths describe.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::files::{self, CLUSTER_CONFIG};
use super::{ManifestError, Manifests, read_manifests};
use crate::config::ClusterConfig;
use crate::kube::Snapshot;
use crate::object::Problem;

/// One cluster of a plan: its context and its objects.
#[derive(Debug, Clone)]
pub struct ClusterInput {
    /// The cluster's context, from its `cluster.yaml` or
    /// [`ClusterConfig::local`].
    pub config: ClusterConfig,
    /// The cluster's objects; shared, as the controller's live snapshot is
    /// by every reconcile until a store changes.
    pub snapshot: Arc<Snapshot>,
    /// The folder the cluster was read from; for manifests of no cluster,
    /// the first path given.
    pub source: PathBuf,
    /// How many objects of kinds Trellis does not read were skipped, by kind.
    pub skipped: BTreeMap<String, usize>,
    /// The problems of the documents and objects left out of `snapshot`
    /// (see [`super::LeftOut`]). While there is any, nothing of the cluster
    /// is pruned: what a left-out object owns must not look unowned.
    pub left_out: Vec<Problem>,
}

impl ClusterInput {
    /// The cluster `config` with the objects `manifests` read from
    /// `source`.
    fn new(config: ClusterConfig, manifests: Manifests, source: PathBuf) -> Self {
        let left_out = manifests
            .left_out
            .iter()
            .map(|left| left.problem(&config.cluster_name))
            .collect();
        Self {
            config,
            snapshot: Arc::new(manifests.snapshot),
            source,
            skipped: manifests.skipped,
            left_out,
        }
    }
}

/// The clusters `paths` describe, in order.
///
/// - A folder whose immediate subfolders hold a `cluster.yaml` (at least one
///   does) is a multi-cluster plan: one cluster per subfolder, sorted by
///   folder name. Every subfolder must hold one, and manifests directly in
///   the folder are an error.
/// - A folder holding a `cluster.yaml` is one cluster with that context.
/// - Any other files and folders are merged into one cluster with
///   [`ClusterConfig::local`]; they cannot be mixed with cluster folders.
///
/// Clusters of several paths are concatenated; a cluster name defined twice
/// is an error.
pub fn load_plan_inputs(paths: &[PathBuf]) -> Result<Vec<ClusterInput>, ManifestError> {
    let mut clusters = Vec::new();
    let mut cluster_paths = Vec::new();
    let mut plain = Vec::new();
    for path in paths {
        match layout(path)? {
            Layout::Clusters(folders) => {
                for folder in folders {
                    clusters.push(load_cluster(&folder)?);
                }
                cluster_paths.push(path);
            }
            Layout::Plain => plain.push(path.clone()),
        }
    }
    if clusters.is_empty() {
        let manifests = read_manifests(&plain)?;
        let source = plain.first().cloned().unwrap_or_default();
        return Ok(vec![ClusterInput::new(
            ClusterConfig::local(),
            manifests,
            source,
        )]);
    }
    if !plain.is_empty() {
        return Err(ManifestError::MixedInputs {
            clusters: shown(cluster_paths),
            plain: shown(&plain),
        });
    }
    check_unique(&clusters)?;
    Ok(clusters)
}

/// What a path holds.
enum Layout {
    /// Cluster folders, each with a `cluster.yaml`.
    Clusters(Vec<PathBuf>),
    /// Manifests of no cluster.
    Plain,
}

fn layout(path: &Path) -> Result<Layout, ManifestError> {
    if !path.is_dir() {
        return Ok(Layout::Plain);
    }
    if path.join(CLUSTER_CONFIG).is_file() {
        return Ok(Layout::Clusters(vec![path.to_path_buf()]));
    }
    let entries = files::entries(path)?;
    let (folders, others): (Vec<_>, Vec<_>) = entries.into_iter().partition(|entry| entry.is_dir());
    let (clusters, missing): (Vec<_>, Vec<_>) = folders
        .into_iter()
        .partition(|folder| folder.join(CLUSTER_CONFIG).is_file());
    if clusters.is_empty() {
        return Ok(Layout::Plain);
    }
    if !missing.is_empty() {
        return Err(ManifestError::MissingClusterConfig {
            path: path.to_path_buf(),
            folders: names(&missing),
        });
    }
    let stray: Vec<_> = others
        .into_iter()
        .filter(|file| files::is_manifest(file))
        .collect();
    if !stray.is_empty() {
        return Err(ManifestError::StrayManifests {
            path: path.to_path_buf(),
            files: names(&stray),
        });
    }
    Ok(Layout::Clusters(clusters))
}

/// One cluster from explicit files: its context from `config` (a
/// `cluster.yaml`; [`ClusterConfig::local`] when `None`) and its objects
/// from `manifests`.
pub fn load_cluster_files(
    config: Option<&Path>,
    manifests: &[PathBuf],
) -> Result<ClusterInput, ManifestError> {
    let cluster = match config {
        Some(path) => ClusterConfig::load(path)?,
        None => ClusterConfig::local(),
    };
    let read = read_manifests(manifests)?;
    let source = manifests.first().cloned().unwrap_or_default();
    Ok(ClusterInput::new(cluster, read, source))
}

fn load_cluster(folder: &Path) -> Result<ClusterInput, ManifestError> {
    let config = ClusterConfig::load(&folder.join(CLUSTER_CONFIG))?;
    let manifests = read_manifests(&[folder.to_path_buf()])?;
    Ok(ClusterInput::new(config, manifests, folder.to_path_buf()))
}

fn check_unique(clusters: &[ClusterInput]) -> Result<(), ManifestError> {
    let mut seen: BTreeMap<&str, &Path> = BTreeMap::new();
    for cluster in clusters {
        if let Some(first) = seen.insert(&cluster.config.cluster_name, &cluster.source) {
            return Err(ManifestError::DuplicateCluster {
                name: cluster.config.cluster_name.clone(),
                first: first.to_path_buf(),
                second: cluster.source.clone(),
            });
        }
    }
    Ok(())
}

/// The file names of `paths`.
fn names(paths: &[PathBuf]) -> Vec<String> {
    paths
        .iter()
        .map(|path| {
            path.file_name()
                .unwrap_or(path.as_os_str())
                .to_string_lossy()
                .into_owned()
        })
        .collect()
}

fn shown<P: AsRef<Path>>(paths: impl IntoIterator<Item = P>) -> Vec<String> {
    paths
        .into_iter()
        .map(|path| path.as_ref().display().to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;

    const SERVICE: &str = "apiVersion: v1\nkind: Service\nmetadata: {name: web}\n";

    fn cluster_yaml(name: &str) -> String {
        format!(
            "clusterName: {name}\nvpcId: vpc-0123456789abcdef0\naccountId: \"123456789012\"\nregion: us-west-2\n"
        )
    }

    fn write(path: &Path, text: &str) {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    #[test]
    fn plain_manifests_make_one_local_cluster() {
        let dir = tempfile::tempdir().unwrap();
        write(&dir.path().join("a/service.yaml"), SERVICE);
        write(&dir.path().join("b.yaml"), &SERVICE.replace("web", "api"));
        let paths = [dir.path().join("a"), dir.path().join("b.yaml")];
        let clusters = load_plan_inputs(&paths).unwrap();
        assert_eq!(clusters.len(), 1);
        assert_eq!(clusters[0].config, ClusterConfig::local());
        assert_eq!(clusters[0].snapshot.services.len(), 2);
        assert_eq!(clusters[0].source, paths[0]);
    }

    #[test]
    fn a_folder_with_cluster_yaml_is_one_cluster_and_several_concatenate() {
        let dir = tempfile::tempdir().unwrap();
        write(&dir.path().join("one/cluster.yaml"), &cluster_yaml("one"));
        write(&dir.path().join("one/service.yaml"), SERVICE);
        write(
            &dir.path().join("mesh/b-two/cluster.yaml"),
            &cluster_yaml("two"),
        );
        write(
            &dir.path().join("mesh/a-three/cluster.yaml"),
            &cluster_yaml("three"),
        );
        write(&dir.path().join("mesh/README.md"), "not a manifest");
        let clusters =
            load_plan_inputs(&[dir.path().join("one"), dir.path().join("mesh")]).unwrap();
        let names: Vec<_> = clusters
            .iter()
            .map(|cluster| cluster.config.cluster_name.as_str())
            .collect();
        assert_eq!(names, ["one", "three", "two"]);
        assert_eq!(clusters[0].snapshot.services.len(), 1);
    }

    #[test]
    fn broken_layouts_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let mesh = dir.path().join("mesh");
        write(&mesh.join("one/cluster.yaml"), &cluster_yaml("one"));
        write(&mesh.join("two/service.yaml"), SERVICE);
        let error = load_plan_inputs(std::slice::from_ref(&mesh)).unwrap_err();
        assert!(
            matches!(&error, ManifestError::MissingClusterConfig { folders, .. } if folders == &["two"]),
            "{error}"
        );

        fs::remove_dir_all(mesh.join("two")).unwrap();
        write(&mesh.join("stray.yaml"), SERVICE);
        let error = load_plan_inputs(std::slice::from_ref(&mesh)).unwrap_err();
        assert!(
            matches!(&error, ManifestError::StrayManifests { files, .. } if files == &["stray.yaml"]),
            "{error}"
        );

        fs::remove_file(mesh.join("stray.yaml")).unwrap();
        let error = load_plan_inputs(&[mesh.clone(), mesh.join("one")]).unwrap_err();
        assert!(
            matches!(&error, ManifestError::DuplicateCluster { name, .. } if name == "one"),
            "{error}"
        );

        write(&dir.path().join("plain.yaml"), SERVICE);
        let error = load_plan_inputs(&[mesh, dir.path().join("plain.yaml")]).unwrap_err();
        assert!(
            matches!(error, ManifestError::MixedInputs { .. }),
            "{error}"
        );
    }
}
