//! SDK errors as [`LatticeError`]s, by the API's error code.

use aws_sdk_vpclattice::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};

use crate::lattice::error::LatticeError;

/// The [`LatticeError`] for a failed call about `resource_type`
/// `identifier` (used in `NotFound`).
///
/// Errors the API answered with map by code; no answer at all (connection
/// failures, timeouts, unreadable responses, after the SDK's retries) maps to
/// [`LatticeError::Transport`].
pub fn lattice_error<E, R>(
    error: SdkError<E, R>,
    resource_type: &'static str,
    identifier: &str,
) -> LatticeError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug,
{
    let SdkError::ServiceError(service) = &error else {
        return LatticeError::Transport {
            message: DisplayErrorContext(&error).to_string(),
        };
    };
    let inner = service.err();
    let message = inner.message().unwrap_or_default().to_owned();
    match inner.code().unwrap_or("UnknownError") {
        "ResourceNotFoundException" => LatticeError::NotFound {
            resource_type,
            identifier: identifier.to_owned(),
        },
        "ConflictException" => LatticeError::Conflict { message },
        "ValidationException" => LatticeError::Validation {
            field: identifier.to_owned(),
            message,
        },
        "ThrottlingException" => LatticeError::Throttled { message },
        code => LatticeError::Api {
            code: code.to_owned(),
            message,
        },
    }
}
