//! Building [`PluginSet`]s from policy files and plugin components, and
//! rebuilding them when files change, keeping the last good version of
//! anything that fails.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use sha2::{Digest, Sha256};

use super::bindings::types::{CallContext, ClusterContext, ObjectMeta};
use super::engine::PluginEngine;
use super::error::PluginError;
use super::instance::Plugin;
use super::interface::Interface;
use super::observer::CallObserver;
use super::policy::{PolicyEntry, PolicyError, policy_files, read_policy_file};
use super::set::{PluginSet, everything};
use super::subject::Subject;
use crate::object::Kind;

/// A file that could not be used, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct LoadFailure {
    /// The policy file (or, for `--plugin`, the component).
    pub file: PathBuf,
    /// Why, starting with the file: `FILE:LINE: FIELD: …` for policy files,
    /// `FILE:LINE: plugin NAME: COMPONENT: …` for a component a policy
    /// names.
    pub message: String,
}

/// A first load that failed: a controller does not start on a broken policy.
#[derive(Debug, thiserror::Error)]
#[error("{}", failures.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
pub struct LoadError {
    /// Every file that failed.
    pub failures: Vec<LoadFailure>,
}

/// A compiled component, the digest of the bytes it was compiled from, and
/// the configurations it passed the smoke test with.
struct Compiled {
    digest: [u8; 32],
    plugin: Plugin,
    smoke_tested: HashSet<String>,
}

/// A policy file's entries with their plugins, named and configured.
type GoodFile = Vec<(PolicyEntry, Plugin)>;

/// Builds plugin sets from a policy folder (and an optional plugin for
/// every object), remembering the last good version of every file.
///
/// Guarantees:
/// - [`PluginLoader::load`] succeeds only if every policy file reads and
///   every plugin it names compiles, links, is a compatible version and
///   passes a smoke test.
/// - [`PluginLoader::reload`] never fails: a policy file that no longer
///   reads, or that names a plugin that never loaded, keeps its last good
///   entries (none if it never was good); a component that no longer loads
///   keeps its last good compiled version serving; each is reported.
/// - A component is compiled again only when its bytes change (by SHA-256).
///
/// Caveat: a file is read while it may be being written; a half-written
/// component fails and keeps the last good one, and the write's next event
/// loads the whole file. Replace files atomically (write, then rename) to
/// avoid the failed attempt.
pub struct PluginLoader {
    engine: PluginEngine,
    default: Plugin,
    policy_dir: Option<PathBuf>,
    everywhere: Option<(PathBuf, String)>,
    observer: Option<Arc<dyn CallObserver>>,
    compiled: HashMap<PathBuf, Compiled>,
    good_files: BTreeMap<PathBuf, GoodFile>,
    good_everywhere: Option<Plugin>,
}

impl PluginLoader {
    /// A loader whose sets end with `default`.
    pub fn new(engine: PluginEngine, default: Plugin) -> Self {
        Self {
            engine,
            default,
            policy_dir: None,
            everywhere: None,
            observer: None,
            compiled: HashMap::new(),
            good_files: BTreeMap::new(),
            good_everywhere: None,
        }
    }

    /// Reads policies from the `*.toml` files of `dir`.
    pub fn with_policy_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.policy_dir = Some(dir.into());
        self
    }

    /// Puts the component at `path`, configured with `config` (JSON text),
    /// first in every object's chain (`--plugin`).
    pub fn with_plugin_everywhere(mut self, path: impl Into<PathBuf>, config: String) -> Self {
        self.everywhere = Some((path.into(), config));
        self
    }

    /// Reports every call of every plugin loaded (the default plugin
    /// included) to `observer`.
    pub fn with_observer(mut self, observer: Arc<dyn CallObserver>) -> Self {
        self.default = self.default.with_observer(observer.clone());
        self.observer = Some(observer);
        self
    }

    /// The first load: the set, or every file that failed.
    pub async fn load(&mut self) -> Result<PluginSet, LoadError> {
        let (set, failures) = self.reload().await;
        if failures.is_empty() {
            Ok(set)
        } else {
            Err(LoadError { failures })
        }
    }

    /// Reads every file again and builds the set, keeping the last good
    /// version of whatever fails (see the type's guarantees).
    pub async fn reload(&mut self) -> (PluginSet, Vec<LoadFailure>) {
        let mut failures = Vec::new();
        if let Some((path, config)) = self.everywhere.clone() {
            let name = Plugin::name_of_file(&path);
            match self.plugin(&path, &name, &config).await {
                Ok(plugin) => self.good_everywhere = Some(plugin),
                Err(failure) => failures.push(failure),
            }
        }
        if let Some(dir) = self.policy_dir.clone() {
            self.reload_policies(&dir, &mut failures).await;
        }
        (self.set(), failures)
    }

    /// Every file a change of which can change the set: the policy folder,
    /// and every plugin component in use or named.
    pub fn watched_files(&self) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = self.policy_dir.iter().cloned().collect();
        files.extend(self.everywhere.iter().map(|(path, _)| path.clone()));
        files.extend(self.compiled.keys().cloned());
        files.extend(
            self.good_files
                .values()
                .flatten()
                .map(|(entry, _)| entry.plugin_path.clone()),
        );
        files.sort();
        files.dedup();
        files
    }

    async fn reload_policies(&mut self, dir: &Path, failures: &mut Vec<LoadFailure>) {
        let files = match policy_files(dir) {
            Ok(files) => files,
            Err(error) => {
                failures.push(policy_failure(dir, &error));
                return;
            }
        };
        let mut good = BTreeMap::new();
        let mut names: HashMap<String, PathBuf> = HashMap::new();
        for file in files {
            let entries = match self.policy_file(&file, &names).await {
                Ok(entries) => entries,
                Err(failure) => {
                    failures.push(failure);
                    match self.good_files.get(&file) {
                        Some(previous) => previous.clone(),
                        None => continue,
                    }
                }
            };
            for (entry, _) in &entries {
                names
                    .entry(entry.name.clone())
                    .or_insert_with(|| file.clone());
            }
            good.insert(file, entries);
        }
        self.good_files = good;
    }

    /// One policy file's entries with their plugins; `names` are the plugin
    /// names earlier files took.
    async fn policy_file(
        &mut self,
        file: &Path,
        names: &HashMap<String, PathBuf>,
    ) -> Result<GoodFile, LoadFailure> {
        let entries = read_policy_file(file).map_err(|error| policy_failure(file, &error))?;
        let mut loaded = Vec::with_capacity(entries.len());
        for entry in entries {
            if let Some(other) = names.get(&entry.name).filter(|other| *other != file) {
                return Err(LoadFailure {
                    file: file.to_owned(),
                    message: format!(
                        "{}:{}: name: plugin name {:?} is already used by {}",
                        file.display(),
                        entry.line,
                        entry.name,
                        other.display()
                    ),
                });
            }
            let plugin = self
                .plugin(&entry.plugin_path, &entry.name, &entry.config_json)
                .await
                .map_err(|failure| LoadFailure {
                    file: file.to_owned(),
                    message: format!(
                        "{}:{}: plugin {}: {}",
                        file.display(),
                        entry.line,
                        entry.name,
                        failure.message
                    ),
                })?;
            loaded.push((entry, plugin));
        }
        Ok(loaded)
    }

    /// The component at `path`, named, configured and smoke-tested with that
    /// configuration: compiled again only if its bytes changed, smoke-tested
    /// again only for new bytes or a new configuration.
    async fn plugin(
        &mut self,
        path: &Path,
        name: &str,
        config: &str,
    ) -> Result<Plugin, LoadFailure> {
        let failure = |message: String| LoadFailure {
            file: path.to_owned(),
            message: format!("{}: {message}", path.display()),
        };
        let bytes = std::fs::read(path).map_err(|error| failure(format!("reading: {error}")))?;
        let digest: [u8; 32] = Sha256::digest(&bytes).into();
        let unchanged = self
            .compiled
            .get(path)
            .is_some_and(|compiled| compiled.digest == digest);
        if !unchanged {
            match self.compile(name, bytes).await {
                Ok(plugin) => {
                    let smoke_tested = HashSet::new();
                    self.compiled.insert(
                        path.to_owned(),
                        Compiled {
                            digest,
                            plugin,
                            smoke_tested,
                        },
                    );
                }
                Err(error) => return Err(failure(error.to_string())),
            }
        }
        let compiled = self
            .compiled
            .get_mut(path)
            .expect("compiled above or unchanged");
        let plugin = compiled
            .plugin
            .clone()
            .with_name(name)
            .with_config(config.to_owned());
        // A smoke test's outcome depends only on the bytes and the
        // configuration: each pair is tested once, not on every reload.
        if !compiled.smoke_tested.contains(config) {
            smoke_test(&plugin)
                .await
                .map_err(|error| failure(error.to_string()))?;
            compiled.smoke_tested.insert(config.to_owned());
        }
        Ok(match &self.observer {
            Some(observer) => plugin.with_observer(observer.clone()),
            None => plugin,
        })
    }

    /// Compiles `bytes` off the async threads.
    async fn compile(&self, name: &str, bytes: Vec<u8>) -> Result<Plugin, PluginError> {
        let engine = self.engine.clone();
        let owned_name = name.to_owned();
        tokio::task::spawn_blocking(move || Plugin::load(&engine, &owned_name, &bytes))
            .await
            .map_err(|error| PluginError::Load {
                plugin: name.to_owned(),
                message: format!("the compile task failed: {error}"),
            })?
    }

    /// The set of the last good version of everything.
    fn set(&self) -> PluginSet {
        let mut set = PluginSet::stock(self.default.clone());
        if let Some(plugin) = &self.good_everywhere {
            set = set.and(plugin.clone(), everything(), "every object (--plugin)");
        }
        for (entry, plugin) in self.good_files.values().flatten() {
            let selector = entry.selector.clone();
            let selection = format!("{:?}", entry.selector);
            set = set.and(
                plugin.clone(),
                Arc::new(move |subject: &Subject<'_>| selector.matches(subject)),
                selection,
            );
        }
        set
    }
}

/// Starts the plugin and calls it the way the host will, with nothing to
/// answer: a fresh instance must start, and a naming or tagging call for no
/// subjects must answer no names or tags (with the policy's config, so a
/// plugin that checks its config there refuses a bad one at load). Catches
/// components that trap at start-up or break the calling convention before
/// they serve a real object.
async fn smoke_test(plugin: &Plugin) -> Result<(), PluginError> {
    plugin.check_instantiation().await?;
    let ctx = CallContext {
        cluster: ClusterContext {
            cluster_name: "smoke-test".into(),
            vpc_id: "vpc-00000000000000000".into(),
            account_id: "000000000000".into(),
            region: "us-west-2".into(),
            default_service_network: None,
        },
        config: plugin.config().to_owned(),
        namespace_labels: Vec::new(),
    };
    let owner = ObjectMeta {
        kind: Kind::Cluster.as_str().into(),
        namespace: String::new(),
        name: "smoke-test".into(),
        annotations: Vec::new(),
        labels: Vec::new(),
    };
    let unexpected = |function: &str| PluginError::Load {
        plugin: plugin.name().to_owned(),
        message: format!("smoke test: {function} answered for no subjects"),
    };
    if plugin.exports(Interface::Naming)
        && !plugin.name_resources(&ctx, &owner, &[]).await?.is_empty()
    {
        return Err(unexpected("name"));
    }
    if plugin.exports(Interface::Tagging)
        && !plugin.tag_resources(&ctx, &owner, &[]).await?.is_empty()
    {
        return Err(unexpected("tags"));
    }
    Ok(())
}

fn policy_failure(file: &Path, error: &PolicyError) -> LoadFailure {
    LoadFailure {
        file: file.to_owned(),
        message: error.to_string(),
    }
}
