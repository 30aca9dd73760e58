//! Errors of Lattice operations, in the API's own terms.

/// A failed Lattice operation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LatticeError {
    /// `ResourceNotFoundException`: the identifier names nothing.
    #[error("ResourceNotFoundException: {resource_type} {identifier} not found")]
    NotFound {
        resource_type: &'static str,
        identifier: String,
    },
    /// `ConflictException`: the request conflicts with an existing resource
    /// or with the resource's current state.
    #[error("ConflictException: {message}")]
    Conflict { message: String },
    /// `ValidationException`: the request breaks one of Lattice's rules.
    #[error("ValidationException: {field}: {message}")]
    Validation { field: String, message: String },
    /// `ThrottlingException` after the client's retries ran out.
    #[error("ThrottlingException: {message}")]
    Throttled { message: String },
    /// Any other error the API answered with (`AccessDeniedException`,
    /// `ServiceQuotaExceededException`, `InternalServerException`, ...).
    #[error("{code}: {message}")]
    Api { code: String, message: String },
    /// No answer to `operation` (`ListServices`, `CreateRule`, ...): the
    /// connection failed or timed out after the client's retries.
    #[error("no answer from VPC Lattice to {operation}: {message}")]
    Transport { operation: String, message: String },
}

impl LatticeError {
    /// Whether trying the same call later may succeed.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Throttled { .. } | Self::Transport { .. } => true,
            Self::Api { code, .. } => code == "InternalServerException",
            Self::NotFound { .. } | Self::Conflict { .. } | Self::Validation { .. } => false,
        }
    }
}
