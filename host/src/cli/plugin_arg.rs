//! The PLUGIN argument of `plan` and `test`: `default` or a component file.

use std::path::Path;

use anyhow::Context;

use trellis::plugin::{Plugin, PluginEngine};

/// The built-in plugin for `default`, else the component at path `plugin`.
pub fn load(engine: &PluginEngine, plugin: &str) -> anyhow::Result<Plugin> {
    if plugin == "default" {
        Plugin::default_plugin(engine).context("loading the default plugin")
    } else {
        Plugin::from_file(engine, Path::new(plugin))
            .with_context(|| format!("loading the plugin {plugin}"))
    }
}
