//! The plugin runtime: WebAssembly components that implement (a subset of)
//! the `trellis:plugin` world, checked for a compatible interface version,
//! compiled once (or taken from the compiled-component cache) and
//! instantiated once per object (a [`PluginSession`]), in a sandbox with a
//! time and memory budget per call; the policies that choose them per
//! object, the sets they form, and their hot reload.

pub mod bindings;
mod cache;
mod compilation;
mod embedded;
mod engine;
mod error;
mod exports;
mod instance;
mod interface;
mod live;
mod loader;
mod log_budget;
mod observer;
pub mod policy;
pub mod reload;
mod sandbox;
mod session;
mod set;
mod subject;
mod version;

pub use cache::CacheStats;
pub use engine::{EngineOptions, PluginEngine, PluginLimits};
pub use error::PluginError;
pub use instance::Plugin;
pub use interface::Interface;
pub use live::LivePlugins;
pub use loader::{LoadError, LoadFailure, PluginLoader};
pub use log_budget::LogLimits;
pub use observer::{CallObserver, CallOutcome, CallReport};
pub use session::PluginSession;
pub use set::{Applies, ChainLabel, PluginSet, everything};
pub use subject::Subject;
pub use version::WIT_VERSION;
