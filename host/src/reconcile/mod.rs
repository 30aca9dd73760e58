//! Reconcile: normalize Kubernetes objects into the plugin model, translate
//! them through their plugin chains, plan the Lattice calls that make the
//! account match, and apply them.
//!
//! The stages, in the order one object travels through them:
//!
//! 1. [`normalize`]: a snapshot's objects as the plugin model's inputs,
//!    with their references resolved (or a problem each);
//! 2. `translate`: each object through its plugin chain, every output
//!    validated, into the desired Lattice resources of that object;
//! 3. `plan`: desired against observed, per object, with the policies'
//!    verdicts and the status conditions the result calls for;
//! 4. `apply`: the Lattice calls, with ServiceImport backends resolved to
//!    the target groups other clusters export, and cleanup of what an object
//!    no longer wants.
//!
//! Only `normalize` is public as a module (the plugin model's inputs are
//! useful on their own, e.g. to tests and benchmarks); the other stages are
//! reached through the names re-exported here.

pub mod normalize;

#[doc(hidden)]
pub mod fuzzing;

mod apply;
mod plan;
mod translate;

pub use apply::{
    CleanedUp, clean_up_object, controller_tag, find_service_network, managed_by, route_service,
};
pub use normalize::{CONTROLLER_NAME, RouteReferences};
pub use plan::certificate::{CERTIFICATE_NOT_FOUND, CERTIFICATE_RETRY, pending_certificate};
pub use plan::conditions::{Condition, ObjectStatus};
pub use plan::dns_endpoint::DnsEndpoint;
pub use plan::{
    AccessLogSubscribed, PlanReport, Prune, Reconciled, plan, plan_with_certificates,
    prune_cluster, reconcile, reconcile_object,
};
