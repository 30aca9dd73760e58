//! VPC Lattice: the resource model (in the API's own field names), the
//! in-memory Lattice that `plan` applies to, and the calls it records.
//!
//! Nothing here knows about Kubernetes or WebAssembly.

pub mod model;
