//! The compiled-component cache: an engine started again with the same cache
//! directory loads a plugin from the cache instead of compiling it, and a
//! cache that cannot be created, written or read never fails a load.
//!
//! The component used is the default plugin's, loaded from its bytes as a
//! plugin file is: the embedded default plugin itself is precompiled at
//! build time and never compiled, so it does not go through the cache.

use std::path::{Path, PathBuf};

use trellis::plugin::{CacheStats, EngineOptions, Plugin, PluginEngine};

/// The default plugin's component bytes, as a plugin file would hold them.
const COMPONENT: &[u8] = include_bytes!(env!("TRELLIS_DEFAULT_PLUGIN_WASM"));

/// Compiles [`COMPONENT`] (or takes it from the cache) in `engine`.
fn load(engine: &PluginEngine) -> Result<Plugin, trellis::plugin::PluginError> {
    Plugin::load(engine, "default", COMPONENT)
}

fn engine(cache_dir: &Path) -> PluginEngine {
    PluginEngine::with_options(EngineOptions {
        cache_dir: Some(cache_dir.to_owned()),
        ..EngineOptions::default()
    })
    .expect("engine starts")
}

/// The cache entries in cache directory `dir`: wasmtime keeps them under
/// `modules/`, named by their key (no extension), beside bookkeeping files
/// with one (`.stats`, ...).
fn entries(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending: Vec<PathBuf> = [dir.join("modules")]
        .into_iter()
        .filter(|modules| modules.is_dir())
        .collect();
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_none() {
                found.push(path);
            }
        }
    }
    found
}

async fn answers(plugin: &Plugin) {
    use trellis::plugin::bindings::naming::NamingSubject;
    use trellis::plugin::bindings::types::{CallContext, ObjectMeta};
    let ctx = CallContext {
        cluster: (&trellis::config::ClusterConfig::local()).into(),
        config: "{}".into(),
        namespace_labels: Vec::new(),
    };
    let owner = ObjectMeta {
        kind: "HTTPRoute".into(),
        namespace: "default".into(),
        name: "rates".into(),
        annotations: Vec::new(),
        labels: Vec::new(),
    };
    let names = plugin
        .name_resources(&ctx, &owner, &[NamingSubject::Service])
        .await
        .expect("the plugin answers");
    assert!(names[0].is_some(), "{names:?}");
}

#[tokio::test]
async fn a_restarted_engine_loads_the_plugin_from_the_cache() {
    let dir = tempfile::tempdir().unwrap();

    let first = engine(dir.path());
    load(&first).expect("compiles");
    assert_eq!(first.cache_stats(), Some(CacheStats { hits: 0, stored: 1 }));
    let stored = entries(dir.path());
    assert_eq!(stored.len(), 1, "one compiled component: {stored:?}");
    let written = std::fs::read(&stored[0]).unwrap();
    drop(first);

    let second = engine(dir.path());
    let plugin = load(&second).expect("loads from the cache");
    assert_eq!(
        second.cache_stats(),
        Some(CacheStats { hits: 1, stored: 0 }),
        "the second engine compiled nothing"
    );
    assert_eq!(entries(dir.path()), stored);
    assert_eq!(std::fs::read(&stored[0]).unwrap(), written);
    answers(&plugin).await;
}

#[tokio::test]
async fn a_corrupt_entry_is_compiled_again_and_replaced() {
    let dir = tempfile::tempdir().unwrap();
    load(&engine(dir.path())).expect("compiles");
    let stored = entries(dir.path());
    assert_eq!(stored.len(), 1, "{stored:?}");
    std::fs::write(&stored[0], b"not compiled code").unwrap();

    let engine = engine(dir.path());
    let plugin = load(&engine).expect("a corrupt entry does not fail the load");
    assert_eq!(
        engine.cache_stats(),
        Some(CacheStats { hits: 0, stored: 1 })
    );
    assert_ne!(std::fs::read(&stored[0]).unwrap(), b"not compiled code");
    answers(&plugin).await;
}

#[tokio::test]
async fn a_cache_directory_that_cannot_be_created_leaves_the_engine_without_a_cache() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, b"").unwrap();

    let engine = engine(&file.join("cache"));
    assert_eq!(engine.cache_stats(), None);
    let plugin = load(&engine).expect("loads without a cache");
    answers(&plugin).await;
}

#[tokio::test]
async fn a_cache_that_cannot_be_written_does_not_fail_the_load() {
    let dir = tempfile::tempdir().unwrap();
    // Where wasmtime keeps its entries is a file, so no entry can be written
    // (permissions would not stop a test running as root).
    std::fs::write(dir.path().join("modules"), b"").unwrap();

    let engine = engine(dir.path());
    let plugin = load(&engine).expect("loads although nothing is cached");
    assert_eq!(
        engine.cache_stats(),
        Some(CacheStats { hits: 0, stored: 0 })
    );
    assert!(entries(dir.path()).is_empty());
    answers(&plugin).await;
}

#[test]
fn the_embedded_default_plugin_is_not_compiled() {
    let dir = tempfile::tempdir().unwrap();
    let engine = engine(dir.path());
    Plugin::default_plugin(&engine).expect("loads");
    assert_eq!(
        engine.cache_stats(),
        Some(CacheStats { hits: 0, stored: 0 })
    );
    assert!(entries(dir.path()).is_empty());
}

#[test]
fn an_engine_without_a_cache_directory_has_no_cache() {
    let engine = PluginEngine::new().unwrap();
    assert_eq!(engine.cache_stats(), None);
}
