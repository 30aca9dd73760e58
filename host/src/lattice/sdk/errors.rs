//! SDK errors as [`LatticeError`]s, by the API's error code.

use aws_sdk_vpclattice::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;

use crate::lattice::error::LatticeError;

/// The [`LatticeError`] for a failed call about `resource_type`
/// `identifier` (used in `NotFound`).
///
/// Errors the API answered with map by code; no answer at all (connection
/// failures, timeouts, unreadable responses, after the SDK's retries) maps to
/// [`LatticeError::Transport`].
pub fn lattice_error<E>(
    error: SdkError<E, HttpResponse>,
    resource_type: &'static str,
    identifier: &str,
) -> LatticeError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let SdkError::ServiceError(service) = &error else {
        return LatticeError::Transport {
            message: DisplayErrorContext(&error).to_string(),
        };
    };
    let inner = service.err();
    let status = service.raw().status().as_u16();
    let message = match inner.message() {
        Some(message) => message.to_owned(),
        None => format!("HTTP {status} with no error message"),
    };
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
