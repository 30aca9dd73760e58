//! The plugin runtime: WebAssembly components that implement the
//! `trellis:plugin` world, each compiled once and instantiated fresh, in a
//! sandbox with a time and memory budget, for every call.

pub mod bindings;
mod embedded;
mod engine;
mod error;
mod instance;
mod live;
mod loader;
pub mod policy;
pub mod reload;
mod sandbox;
mod set;
mod subject;

pub use engine::{PluginEngine, PluginLimits};
pub use error::PluginError;
pub use instance::{CallObserver, CallOutcome, Interface, Plugin};
pub use live::LivePlugins;
pub use loader::{LoadError, LoadFailure, PluginLoader};
pub use set::{Applies, ChainLabel, PluginSet, everything};
pub use subject::Subject;
