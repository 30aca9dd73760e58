//! Errors of ACM operations.

/// A failed ACM request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AcmError {
    /// `AccessDeniedException`: the caller may not list (or describe)
    /// certificates; discovery is off for a while after it.
    #[error(
        "ACM access denied: missing acm:ListCertificates or acm:DescribeCertificate permission ({message})"
    )]
    AccessDenied { message: String },
    /// Any other error ACM answered with to `operation`.
    #[error("ACM {operation}: {code}: {message}")]
    Api {
        operation: String,
        code: String,
        message: String,
    },
    /// No answer from ACM to `operation` after the client's retries.
    #[error("no answer from ACM to {operation}: {message}")]
    Transport { operation: String, message: String },
}
