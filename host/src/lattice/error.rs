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
    /// `ConflictException`: the request conflicts with an existing resource.
    #[error("ConflictException: {message}")]
    Conflict { message: String },
    /// `ValidationException`: the request breaks one of Lattice's rules.
    #[error("ValidationException: {field}: {message}")]
    Validation { field: String, message: String },
}
