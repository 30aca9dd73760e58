//! Fixture discovery, running a fixture through a plugin, and checking or
//! blessing its expectation.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::diff::{Difference, differences};
use crate::kube::ClusterInput;
use crate::kube::manifests::{ManifestError, load_cluster_files, load_plan_inputs};
use crate::lattice::InMemoryLattice;
use crate::plugin::{Plugin, PluginSet};
use crate::reconcile::plan;

const INPUT: &str = "input.yaml";
const EXPECTED: &str = "expected.yaml";
const CLUSTER_CONFIG: &str = "cluster.yaml";
const PLUGIN_CONFIG: &str = "plugin-config.json";

/// A fixture that cannot be run.
#[derive(Debug, thiserror::Error)]
pub enum HarnessError {
    /// A file or folder could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The fixture's manifests or cluster files are invalid.
    #[error("fixture {fixture}: {source}")]
    Manifests {
        /// The fixture folder.
        fixture: PathBuf,
        /// What is wrong with them.
        source: Box<ManifestError>,
    },
    /// `expected.yaml` is not YAML.
    #[error("{path}: not valid YAML: {message}")]
    Expectation {
        /// The file.
        path: PathBuf,
        /// The parser's message.
        message: String,
    },
    /// The folder has neither `input.yaml` nor cluster subfolders.
    #[error("fixture {0} has no input.yaml and no cluster subfolders with a cluster.yaml")]
    NoInput(PathBuf),
}

/// A fixture folder and the name it is reported under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fixture {
    /// The folder path relative to the root it was found under, e.g. `http/exact-path`.
    pub name: String,
    /// The folder.
    pub dir: PathBuf,
}

/// The result of checking one fixture.
#[derive(Debug, Clone, PartialEq)]
pub enum FixtureOutcome {
    /// The actual result equals the expectation.
    Passed,
    /// The actual result differs; the differences, in path order.
    Failed(Vec<Difference>),
    /// There is no `expected.yaml` (run with `--bless` to write one).
    NoExpectation,
    /// `--bless` wrote the actual result as the expectation.
    Blessed,
}

/// The fixtures under `roots`, each root being a fixture itself or a folder
/// searched recursively; sorted by name within each root.
pub fn discover(roots: &[PathBuf]) -> Result<Vec<Fixture>, HarnessError> {
    let mut fixtures = Vec::new();
    for root in roots {
        if is_fixture(root) {
            let name = root.file_name().map_or_else(
                || root.display().to_string(),
                |n| n.to_string_lossy().into_owned(),
            );
            fixtures.push(Fixture {
                name,
                dir: root.clone(),
            });
            continue;
        }
        let mut found = Vec::new();
        walk(root, root, &mut found)?;
        found.sort_by(|a: &Fixture, b| a.name.cmp(&b.name));
        fixtures.extend(found);
    }
    Ok(fixtures)
}

/// A folder with `input.yaml` or `expected.yaml`, or with cluster
/// subfolders that are not themselves fixtures.
fn is_fixture(dir: &Path) -> bool {
    let own_files = dir.join(INPUT).is_file() || dir.join(EXPECTED).is_file();
    let clusters = cluster_folders(dir);
    own_files
        || (!clusters.is_empty() && clusters.iter().all(|folder| !folder.join(INPUT).is_file()))
}

/// The subfolders of `dir` holding a `cluster.yaml`, sorted.
fn cluster_folders(dir: &Path) -> Vec<PathBuf> {
    let mut folders: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.join(CLUSTER_CONFIG).is_file())
        .collect();
    folders.sort();
    folders
}

fn walk(root: &Path, dir: &Path, found: &mut Vec<Fixture>) -> Result<(), HarnessError> {
    let io = |source| HarnessError::Io {
        path: dir.to_path_buf(),
        source,
    };
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let path = entry.map_err(io)?.path();
        if !path.is_dir() {
            continue;
        }
        if is_fixture(&path) {
            let name = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            found.push(Fixture { name, dir: path });
        } else {
            walk(root, &path, found)?;
        }
    }
    Ok(())
}

/// What a fixture runs: its clusters, and the plugin configuration of its
/// `plugin-config.json` if it has one.
#[derive(Debug, Clone)]
pub struct FixtureInputs {
    /// The clusters, as `trellis plan` would read them.
    pub clusters: Vec<ClusterInput>,
    /// The plugin's configuration (JSON text), if the fixture sets one.
    pub plugin_config: Option<String>,
}

/// Reads `fixture`'s inputs.
pub fn fixture_inputs(fixture: &Fixture) -> Result<FixtureInputs, HarnessError> {
    let manifests = |source: ManifestError| HarnessError::Manifests {
        fixture: fixture.dir.clone(),
        source: Box::new(source),
    };
    let input = fixture.dir.join(INPUT);
    let clusters = if input.is_file() {
        let config = fixture.dir.join(CLUSTER_CONFIG);
        vec![
            load_cluster_files(config.is_file().then_some(config.as_path()), &[input])
                .map_err(manifests)?,
        ]
    } else {
        let folders = cluster_folders(&fixture.dir);
        if folders.is_empty() {
            return Err(HarnessError::NoInput(fixture.dir.clone()));
        }
        load_plan_inputs(&folders).map_err(manifests)?
    };
    let config_path = fixture.dir.join(PLUGIN_CONFIG);
    let plugin_config = if config_path.is_file() {
        let text = std::fs::read_to_string(&config_path).map_err(|source| HarnessError::Io {
            path: config_path.clone(),
            source,
        })?;
        Some(text)
    } else {
        None
    };
    Ok(FixtureInputs {
        clusters,
        plugin_config,
    })
}

/// Runs `fixture` through the chain `plugin`, then `default` (the chain of
/// every object when a policy selects `plugin` for everything; `default`
/// alone when `plugin` is the default plugin), `plugin` configured by the
/// fixture's `plugin-config.json` when it has one, against a fresh in-memory
/// Lattice, and returns `{"state": …, "problems": […], "statuses": […]}`
/// (with `"dnsEndpoints": […]` when a route plans an ExternalDNS record);
/// file paths in problem messages are relative to the fixture's folder.
pub async fn run_fixture(
    fixture: &Fixture,
    plugin: &Plugin,
    default: &Plugin,
) -> Result<Value, HarnessError> {
    let inputs = fixture_inputs(fixture)?;
    let plugin = match inputs.plugin_config {
        Some(config) => plugin.clone().with_config(config),
        None => plugin.clone(),
    };
    let plugins = PluginSet::with_plugin(default.clone(), plugin);
    let first = &inputs.clusters[0].config;
    let lattice = InMemoryLattice::new(first.account_id.clone(), first.region.clone());
    let mut report = plan(&inputs.clusters, &plugins, &lattice).await;
    // Problems of objects left out of the input name their file: relative
    // to the fixture, so the expectation holds from any working directory.
    let folder = format!("{}/", fixture.dir.display());
    for problem in &mut report.problems {
        problem.message = problem.message.replace(&folder, "");
    }
    let mut result =
        json!({"state": report.state, "problems": report.problems, "statuses": report.statuses});
    // Only routes with a custom domain plan a DNSEndpoint: the key is
    // left out otherwise, as in `plan --output json`.
    if !report.dns_endpoints.is_empty() {
        result["dnsEndpoints"] = json!(report.dns_endpoints);
    }
    Ok(result)
}

/// Runs `fixture` and compares the result with its `expected.yaml`, or,
/// with `bless`, writes the result there.
pub async fn check_fixture(
    fixture: &Fixture,
    plugin: &Plugin,
    default: &Plugin,
    bless: bool,
) -> Result<FixtureOutcome, HarnessError> {
    let actual = run_fixture(fixture, plugin, default).await?;
    let path = fixture.dir.join(EXPECTED);
    if bless {
        let yaml = serde_yaml_ng::to_string(&actual).expect("JSON values serialize as YAML");
        let text = format!("# Written by `trellis test --bless`; review it like code.\n{yaml}");
        std::fs::write(&path, text).map_err(|source| HarnessError::Io {
            path: path.clone(),
            source,
        })?;
        return Ok(FixtureOutcome::Blessed);
    }
    if !path.is_file() {
        return Ok(FixtureOutcome::NoExpectation);
    }
    let text = std::fs::read_to_string(&path).map_err(|source| HarnessError::Io {
        path: path.clone(),
        source,
    })?;
    let expected: Value =
        serde_yaml_ng::from_str(&text).map_err(|error| HarnessError::Expectation {
            path: path.clone(),
            message: error.to_string(),
        })?;
    let found = differences(&expected, &actual);
    Ok(if found.is_empty() {
        FixtureOutcome::Passed
    } else {
        FixtureOutcome::Failed(found)
    })
}
