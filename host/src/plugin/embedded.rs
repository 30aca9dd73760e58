//! The default plugin, built from `plugins/default` by `host/build.rs` and
//! embedded in the binary twice: as its component bytes, and precompiled to
//! native code for this build's engine settings so that start-up does not
//! compile it.

use wasmtime::Engine;
use wasmtime::component::Component;

use super::compilation;

/// The default plugin's component bytes (`wasm32-wasip2`, release).
pub(super) const DEFAULT_PLUGIN: &[u8] = include_bytes!(env!("TRELLIS_DEFAULT_PLUGIN_WASM"));

/// The default plugin compiled by the build script; empty when the build
/// could not precompile it (a cross build, or `TRELLIS_NO_PRECOMPILE`).
const PRECOMPILED: &[u8] = include_bytes!(env!("TRELLIS_DEFAULT_PLUGIN_PRECOMPILED"));

/// The compatibility fingerprint of the build script's engine
/// ([`compilation::compatibility_fingerprint`]); `0` when nothing was
/// precompiled.
const PRECOMPILED_FOR: &str = env!("TRELLIS_DEFAULT_PLUGIN_ENGINE");

/// The name the default plugin is reported under.
pub(super) const DEFAULT_PLUGIN_NAME: &str = "default";

/// How the default plugin's component was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Origin {
    /// Loaded from the code the build script compiled.
    Precompiled,
    /// Compiled at start (or taken from the compiled-component cache),
    /// because nothing was precompiled or `engine` cannot load it.
    Compiled,
}

/// The default plugin's component for `engine`: the precompiled code when
/// the engine is compatible with the one that compiled it, else compiled
/// from [`DEFAULT_PLUGIN`].
///
/// Guarantee: never loads precompiled code into an engine whose
/// compatibility fingerprint differs from the build script's; wasmtime then
/// checks the artifact's own header again on deserialization, and a refusal
/// there falls back to compiling as well (logged at debug level).
///
/// Caveat: the build script's engine detects the build machine's CPU
/// features, and they are part of the fingerprint; on a machine with other
/// features the default plugin is compiled at start (≈ 0.4 s of CPU in a
/// release build), as it was before precompiling.
pub(super) fn default_component(engine: &Engine) -> Result<(Component, Origin), wasmtime::Error> {
    if let Some(component) = precompiled(engine) {
        return Ok((component, Origin::Precompiled));
    }
    Component::new(engine, DEFAULT_PLUGIN).map(|component| (component, Origin::Compiled))
}

fn precompiled(engine: &Engine) -> Option<Component> {
    if PRECOMPILED.is_empty() {
        return None;
    }
    let fingerprint = compilation::compatibility_fingerprint(engine).to_string();
    if fingerprint != PRECOMPILED_FOR {
        tracing::debug!(
            "the precompiled default plugin was built for another engine configuration; compiling it"
        );
        return None;
    }
    // SAFETY: `PRECOMPILED` is the output of `Engine::precompile_component`
    // run by this crate's build script on the default plugin, embedded at
    // build time (it cannot be swapped without rebuilding the binary), and
    // the engine's settings match the build script's (fingerprint above;
    // wasmtime checks its header too). Those are the conditions
    // `Component::deserialize` asks for.
    match unsafe { Component::deserialize(engine, PRECOMPILED) } {
        Ok(component) => Some(component),
        Err(error) => {
            tracing::debug!(
                error = format!("{error:#}"),
                "the precompiled default plugin cannot be loaded; compiling it"
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plugin::{EngineOptions, PluginEngine, PluginLimits};

    #[test]
    fn the_runtime_engine_loads_the_precompiled_default_plugin() {
        let engine = PluginEngine::new().unwrap();
        let (_, origin) = default_component(engine.engine()).unwrap();
        assert_eq!(origin, Origin::Precompiled);
    }

    #[test]
    fn runtime_only_settings_keep_the_precompiled_code_usable() {
        let cache = tempfile::tempdir().unwrap();
        let engine = PluginEngine::with_options(EngineOptions {
            limits: PluginLimits {
                memory_bytes: 16 << 20,
                ..PluginLimits::default()
            },
            cache_dir: Some(cache.path().to_owned()),
        })
        .unwrap();
        let (_, origin) = default_component(engine.engine()).unwrap();
        assert_eq!(origin, Origin::Precompiled);
    }

    #[test]
    fn an_engine_with_other_compilation_settings_compiles_the_plugin() {
        let mut config = wasmtime::Config::new();
        config.wasm_component_model(true);
        let engine = Engine::new(&config).unwrap();
        let (component, origin) = default_component(&engine).unwrap();
        assert_eq!(origin, Origin::Compiled);
        assert!(component.component_type().exports(&engine).count() > 0);
    }
}
