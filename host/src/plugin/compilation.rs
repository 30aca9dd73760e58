//! The engine settings that decide what code a plugin compiles to, shared by
//! the runtime engine and `host/build.rs` (which includes this file with
//! `#[path]` to precompile the default plugin).
//!
//! Contract: everything that changes the compiled code, or whether compiled
//! code may be loaded by an engine, is set here and only here, so that the
//! build script's engine and the runtime's engine have the same
//! [`wasmtime::Engine::precompile_compatibility_hash`]. Settings that only
//! affect running code (the pooling allocator, the compiled-component cache)
//! are the runtime's alone. This file may use only `wasmtime` and `std`: the
//! build script has no other dependency.

use std::hash::{DefaultHasher, Hash, Hasher};

use wasmtime::{Config, Engine};

/// Sets the compilation settings every plugin engine uses: the component
/// model and epoch interruption (the call timeout checks compiled into
/// every loop and function entry).
pub fn configure(config: &mut Config) -> &mut Config {
    config.wasm_component_model(true).epoch_interruption(true)
}

/// A fingerprint of `engine`'s compatibility hash: equal for two engines
/// whose compiled components can be loaded by each other, as far as
/// wasmtime can tell (same wasmtime version, target, compiler flags and
/// settings). Stable for one build of Trellis (the same `std` hasher at
/// build time and run time), not across toolchains.
pub fn compatibility_fingerprint(engine: &Engine) -> u64 {
    let mut hasher = DefaultHasher::new();
    engine.precompile_compatibility_hash().hash(&mut hasher);
    hasher.finish()
}
