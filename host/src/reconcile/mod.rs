//! Reconcile: normalize Kubernetes objects into the plugin model, translate
//! them through plugins, validate the output, and apply it to Lattice.

pub mod access_log;
pub mod apply;
pub mod chain;
pub mod convert;
pub mod desired;
pub mod normalize;
pub mod plan;
pub mod problem;
pub mod resolve;
pub mod status;
pub mod translate;
pub mod validate;
pub mod vpc_association;
