//! Kubernetes inputs: the typed snapshot of objects, the CRD types of the
//! `application-networking.k8s.aws` group, reading manifests from files, and
//! the targets behind a Service.

pub mod crds;
pub mod endpoints;
mod kinds;
pub mod manifests;
pub mod schemas;
pub mod snapshot;
#[cfg(test)]
pub mod testing;

pub use kinds::{TypedKind, kind_of};
pub use manifests::{ClusterInput, ManifestError};
pub use snapshot::Snapshot;
