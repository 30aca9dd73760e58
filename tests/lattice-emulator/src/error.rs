//! Errors as REST-JSON error responses: the HTTP status the API reference
//! gives each error type, the type in `x-amzn-ErrorType`, and the error's
//! members in the body.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use trellis::lattice::LatticeError;

/// A failed request, as the API reports it.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// An error of the in-memory account (or a validation of the emulator,
    /// which uses [`LatticeError::Validation`] with the offending field).
    #[error(transparent)]
    Lattice(#[from] LatticeError),
    /// `ServiceQuotaExceededException` (HTTP 402).
    #[error("ServiceQuotaExceededException: {message}")]
    QuotaExceeded {
        /// The quota, as named in the user guide.
        quota: &'static str,
        /// The API's resource type (`LISTENER`, `RULE`, ...).
        resource_type: &'static str,
        message: String,
    },
    /// An injected `ThrottlingException` (HTTP 429).
    #[error("ThrottlingException: rate exceeded (injected)")]
    Throttled,
    /// An injected `InternalServerException` (HTTP 500).
    #[error("InternalServerException: injected server error")]
    Internal,
}

/// `ValidationException` on `field`.
pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> ApiError {
    ApiError::Lattice(LatticeError::Validation {
        field: field.into(),
        message: message.into(),
    })
}

/// `ResourceNotFoundException` for `identifier` of `resource_type`.
pub fn not_found(resource_type: &'static str, identifier: &str) -> ApiError {
    ApiError::Lattice(LatticeError::NotFound {
        resource_type,
        identifier: identifier.to_string(),
    })
}

/// The HTTP status of an error type, per the API reference.
fn status_of(error_type: &str) -> StatusCode {
    match error_type {
        "ValidationException" => StatusCode::BAD_REQUEST,
        "ServiceQuotaExceededException" => StatusCode::PAYMENT_REQUIRED,
        "AccessDeniedException" => StatusCode::FORBIDDEN,
        "ResourceNotFoundException" | "UnknownOperationException" => StatusCode::NOT_FOUND,
        "ConflictException" => StatusCode::CONFLICT,
        "ThrottlingException" => StatusCode::TOO_MANY_REQUESTS,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl ApiError {
    /// The error type and the body members.
    fn parts(&self) -> (&str, Value) {
        let message = self.to_string();
        match self {
            ApiError::Lattice(LatticeError::NotFound {
                resource_type,
                identifier,
            }) => (
                "ResourceNotFoundException",
                json!({"message": message, "resourceType": resource_type, "resourceId": identifier}),
            ),
            ApiError::Lattice(LatticeError::Conflict { message }) => (
                "ConflictException",
                json!({"message": message, "resourceType": "", "resourceId": ""}),
            ),
            ApiError::Lattice(LatticeError::Validation { field, message }) => (
                "ValidationException",
                json!({
                    "message": format!("{field}: {message}"),
                    "reason": "fieldValidationFailed",
                    "fieldList": [{"name": field, "message": message}],
                }),
            ),
            ApiError::Lattice(LatticeError::Throttled { message }) => {
                ("ThrottlingException", json!({"message": message}))
            }
            ApiError::Lattice(LatticeError::Transport { message, .. }) => {
                ("InternalServerException", json!({"message": message}))
            }
            ApiError::Lattice(LatticeError::Api { code, message }) => {
                (code.as_str(), json!({"message": message}))
            }
            ApiError::QuotaExceeded {
                quota,
                resource_type,
                ..
            } => (
                "ServiceQuotaExceededException",
                json!({
                    "message": message,
                    "resourceType": resource_type,
                    "serviceCode": "vpc-lattice",
                    "quotaCode": quota,
                }),
            ),
            ApiError::Throttled => (
                "ThrottlingException",
                json!({"message": message, "serviceCode": "vpc-lattice"}),
            ),
            ApiError::Internal => ("InternalServerException", json!({"message": message})),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (error_type, body) = self.parts();
        let status = status_of(error_type);
        let error_type = error_type.to_string();
        let mut response = (status, [("x-amzn-ErrorType", error_type)], Json(body)).into_response();
        if matches!(
            status,
            StatusCode::TOO_MANY_REQUESTS | StatusCode::INTERNAL_SERVER_ERROR
        ) {
            // The `retryAfterSeconds` member of both errors.
            response
                .headers_mut()
                .insert("Retry-After", axum::http::HeaderValue::from_static("1"));
        }
        response
    }
}
