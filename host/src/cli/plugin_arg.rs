//! The plugin arguments of `plan`, `apply`, `test` and `run`: PLUGIN
//! (`default` or a component file), its configuration, and the policy
//! folder.

use std::path::{Path, PathBuf};

use anyhow::Context;

use trellis::plugin::{Plugin, PluginEngine, PluginLoader, PluginSet};

/// The folder `plan` and `apply` read policies from when none is named.
pub const DEFAULT_POLICY_DIR: &str = "policies";

/// The built-in plugin for `default`, else the component at path `plugin`.
pub fn load(engine: &PluginEngine, plugin: &str) -> anyhow::Result<Plugin> {
    if plugin == "default" {
        default(engine)
    } else {
        Plugin::from_file(engine, Path::new(plugin))
            .with_context(|| format!("loading the plugin {plugin}"))
    }
}

/// The built-in default plugin.
pub fn default(engine: &PluginEngine) -> anyhow::Result<Plugin> {
    Plugin::default_plugin(engine).context("loading the default plugin")
}

/// A loader for: `plugin` with `config` first in every object's chain (or,
/// for `default`, the default plugin configured with `config`), then the
/// policies of `policy_dir`, then the default plugin.
pub fn loader(
    engine: &PluginEngine,
    plugin: &str,
    config: &str,
    policy_dir: Option<PathBuf>,
) -> anyhow::Result<PluginLoader> {
    let mut default = default(engine)?;
    let mut loader = if plugin == "default" {
        default = default.with_config(config);
        PluginLoader::new(engine.clone(), default)
    } else {
        PluginLoader::new(engine.clone(), default)
            .with_plugin_everywhere(plugin, config.to_owned())
    };
    if let Some(dir) = policy_dir {
        loader = loader.with_policy_dir(dir);
    }
    Ok(loader)
}

/// The folder `plan` and `apply` read: `explicit`, else [`DEFAULT_POLICY_DIR`]
/// if it exists in the working folder, else none.
pub fn policy_dir(explicit: Option<PathBuf>) -> Option<PathBuf> {
    explicit.or_else(|| {
        let default = PathBuf::from(DEFAULT_POLICY_DIR);
        default.is_dir().then_some(default)
    })
}

/// Loads every plugin `loader` names, failing with every file that does not
/// load.
pub async fn load_set(loader: &mut PluginLoader) -> anyhow::Result<PluginSet> {
    loader
        .load()
        .await
        .context("loading the plugins and policies")
}
