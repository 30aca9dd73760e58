//! The plugin arguments of `plan`, `apply`, `test` and `run`: PLUGIN
//! (`default` or a component file), its configuration, the policy folder and
//! the compiled-plugin cache.

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Args;

use trellis::plugin::{EngineOptions, Plugin, PluginEngine, PluginLoader, PluginSet};

/// The folder `plan` and `apply` read policies from when none is named.
pub const DEFAULT_POLICY_DIR: &str = "policies";

/// How `plan` and `apply` choose their plugins.
#[derive(Debug, Args)]
pub struct PluginArgs {
    /// A plugin for every object, ahead of the policies' plugins: a component
    /// `.wasm` file, or `default` for none (the built-in plugin, always last,
    /// then takes `--plugin-config`).
    #[arg(long, value_name = "PLUGIN", default_value = "default")]
    plugin: String,
    /// The `--plugin`'s configuration, as JSON text (for the default plugin,
    /// e.g. `{"uniqueServiceNames": true}`).
    #[arg(long, value_name = "JSON", default_value = "{}")]
    plugin_config: String,
    /// The folder of policy files that choose plugins per object (default:
    /// `policies` if it exists).
    #[arg(long = "policies", value_name = "DIR")]
    policy_dir: Option<PathBuf>,
    /// Where compiled plugins are kept between runs.
    #[arg(long, value_name = "DIR", env = "TRELLIS_PLUGIN_CACHE_DIR")]
    plugin_cache_dir: Option<PathBuf>,
}

impl PluginArgs {
    /// The loader these arguments describe.
    pub fn loader(&self) -> anyhow::Result<PluginLoader> {
        let engine = engine(self.plugin_cache_dir.clone())?;
        let policy_dir = self.policy_dir.clone().or_else(|| {
            let default = PathBuf::from(DEFAULT_POLICY_DIR);
            default.is_dir().then_some(default)
        });
        loader(&engine, &self.plugin, &self.plugin_config, policy_dir)
    }
}

/// The plugin engine, caching compiled plugins in `cache_dir` if given.
pub fn engine(cache_dir: Option<PathBuf>) -> anyhow::Result<PluginEngine> {
    PluginEngine::with_options(EngineOptions {
        cache_dir,
        ..EngineOptions::default()
    })
    .context("starting the plugin engine")
}

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
    let default = default(engine)?;
    let mut loader = if plugin == "default" {
        PluginLoader::new(engine.clone(), default.with_config(config))
    } else {
        PluginLoader::new(engine.clone(), default).with_plugin_everywhere(plugin, config.to_owned())
    };
    if let Some(dir) = policy_dir {
        loader = loader.with_policy_dir(dir);
    }
    Ok(loader)
}

/// Loads every plugin `loader` names, failing with every file that does not
/// load.
pub async fn load_set(loader: &mut PluginLoader) -> anyhow::Result<PluginSet> {
    loader
        .load()
        .await
        .context("loading the plugins and policies")
}
