//! Host-side bindings generated from the WIT package `trellis:plugin` in `wit/`.
//!
//! The generated types are the normalized model the host hands to plugins and
//! the specs plugins return. They derive serde so that tests, fixtures and the
//! benchmark can build them from JSON.

wasmtime::component::bindgen!({
    world: "plugin",
    path: "../wit/since_v0.1.1",
    additional_derives: [serde::Serialize, serde::Deserialize, PartialEq],
    exports: { default: async },
});

pub use self::trellis::plugin::log;
pub use self::trellis::plugin::types;
pub use exports::trellis::plugin::{auth, dns, naming, tagging, translate};
