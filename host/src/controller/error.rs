//! Why a reconcile failed, with the metric label of each kind of failure.

use crate::lattice::LatticeError;

/// A failed reconcile; the controller retries it with backoff.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A Kubernetes API call failed (finalizer, status, annotations).
    #[error("Kubernetes API: {0}")]
    Kube(#[from] kube::Error),
    /// A VPC Lattice call failed; what was done stays, the retry finishes it.
    #[error("VPC Lattice: {0}")]
    Lattice(#[from] LatticeError),
    /// The object's Lattice resources are not all gone yet (still in use, or
    /// a delete failed); its finalizer stays.
    #[error("cleanup of {object} not finished: {remaining}")]
    CleanupPending { object: String, remaining: String },
    /// A Gateway is still referenced by routes (each named as
    /// `Kind namespace/name`); it keeps its finalizer.
    #[error("cannot delete gateway {gateway} - found referencing routes {}", routes.join(", "))]
    GatewayInUse {
        gateway: String,
        routes: Vec<String>,
    },
}

impl Error {
    /// Whether the same reconcile may succeed soon without any change:
    /// a throttled, unanswered or internally failed Lattice call, or a
    /// cleanup still waiting. A permanent failure (Lattice refused the
    /// request, Kubernetes rejected a write) waits for a change or the
    /// longest backoff.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Lattice(error) => error.is_transient(),
            Self::Kube(_) | Self::CleanupPending { .. } | Self::GatewayInUse { .. } => true,
        }
    }

    /// The `error` label of `trellis_reconcile_errors_total`.
    pub fn metric_label(&self) -> &'static str {
        match self {
            Self::Kube(_) => "kube",
            Self::Lattice(error) if error.is_transient() => "lattice_transient",
            Self::Lattice(_) => "lattice",
            Self::CleanupPending { .. } => "cleanup_pending",
            Self::GatewayInUse { .. } => "gateway_in_use",
        }
    }
}
