//! The ground floor's vocabulary: the kinds of object Trellis reads, references
//! to objects, and the problems reported on them.
//!
//! Imports nothing from the rest of the crate; every other module may use it.

mod kind;
mod problem;
mod reference;

pub use kind::{Kind, LATTICE_GROUP};
pub use problem::{Problem, ProblemSource};
pub use reference::ObjectRef;
