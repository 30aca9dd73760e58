//! The PLUGIN argument of `plan`, `apply`, `test` and `run`: `default` or a
//! component file.

use std::path::Path;

use anyhow::Context;

use trellis::plugin::{Plugin, PluginEngine, PluginSet};

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

/// The chain of `plugin` configured with `config` ahead of the default
/// plugin, for every object; the default plugin alone (configured) for
/// `default`.
pub fn plugin_set(engine: &PluginEngine, plugin: &str, config: &str) -> anyhow::Result<PluginSet> {
    let default = default(engine)?;
    let chosen = if plugin == "default" {
        default.clone()
    } else {
        load(engine, plugin)?
    };
    Ok(PluginSet::with_plugin(default, chosen.with_config(config)))
}
