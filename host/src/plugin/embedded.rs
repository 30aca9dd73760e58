//! The default plugin, built from `plugins/default` by `host/build.rs` and
//! embedded in the binary.

/// The default plugin's component bytes (`wasm32-wasip2`, release).
pub(super) const DEFAULT_PLUGIN: &[u8] = include_bytes!(env!("TRELLIS_DEFAULT_PLUGIN_WASM"));

/// The name the default plugin is reported under.
pub(super) const DEFAULT_PLUGIN_NAME: &str = "default";
