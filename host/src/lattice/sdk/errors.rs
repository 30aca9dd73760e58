//! SDK errors as [`LatticeError`]s, by the API's error code.

use aws_sdk_vpclattice::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;

use crate::lattice::error::LatticeError;

/// The [`LatticeError`] for a failed call about `resource_type`
/// `identifier` (used in `NotFound`).
///
/// Errors the API answered with map by code; no answer at all (connection
/// failures, timeouts, unreadable responses, after the SDK's retries) maps to
/// [`LatticeError::Transport`] naming the operation ([`operation_name`]).
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
            operation: operation_name::<E>(),
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

/// The API operation whose error type is `E`: the SDK names each
/// operation's error `<Operation>Error` (`GetServiceError` for
/// `GetService`); the type's whole path when it does not follow that form.
pub fn operation_name<E>() -> String {
    let path = std::any::type_name::<E>();
    let last = path.rsplit("::").next().unwrap_or(path);
    match last.strip_suffix("Error") {
        Some(operation) if !operation.is_empty() => operation.to_owned(),
        _ => path.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::operation_name;

    #[test]
    fn operations_are_named_by_their_error_type() {
        use aws_sdk_vpclattice::operation::get_service::GetServiceError;
        use aws_sdk_vpclattice::operation::list_target_groups::ListTargetGroupsError;
        assert_eq!(operation_name::<GetServiceError>(), "GetService");
        assert_eq!(
            operation_name::<ListTargetGroupsError>(),
            "ListTargetGroups"
        );
        assert!(operation_name::<std::fmt::Error>().ends_with("fmt::Error"));
    }
}
