//! VPC Lattice: the resource model (in the API's own member names), the
//! [`Lattice`] trait over the operations Trellis uses, and the in-memory
//! account that `plan` applies to.
//!
//! Nothing here knows about Kubernetes or WebAssembly.

mod api;
mod cache;
mod error;
mod index;
mod memory;
pub mod model;
mod observe;
mod sdk;
mod state;
#[cfg(test)]
mod testing;

pub use api::Lattice;
pub use cache::CachedLattice;
pub use error::LatticeError;
pub use memory::{InMemoryLattice, MAX_TARGETS_PER_CALL};
pub use observe::read_state;
pub use sdk::{
    CallCounter, ConnectError, DEFAULT_ATTEMPT_TIMEOUT, DEFAULT_CONNECT_TIMEOUT, OperationCount,
    SdkLattice, SdkOptions,
};
pub use state::{LatticeState, TargetGroupTargets};
