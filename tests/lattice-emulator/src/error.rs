//! Lattice errors as REST-JSON error responses.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use trellis::lattice::LatticeError;

/// An error response: the HTTP status, the `x-amzn-ErrorType` and the body.
#[derive(Debug)]
pub struct ApiError(pub LatticeError);

impl From<LatticeError> for ApiError {
    fn from(error: LatticeError) -> Self {
        Self(error)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, error_type, body) = match &self.0 {
            LatticeError::NotFound {
                resource_type,
                identifier,
            } => (
                StatusCode::NOT_FOUND,
                "ResourceNotFoundException",
                json!({"message": self.0.to_string(), "resourceType": resource_type, "resourceId": identifier}),
            ),
            LatticeError::Conflict { message } => (
                StatusCode::CONFLICT,
                "ConflictException",
                json!({"message": message}),
            ),
            LatticeError::Validation { field, message } => (
                StatusCode::BAD_REQUEST,
                "ValidationException",
                json!({"message": message, "reason": "fieldValidationFailed", "fieldList": [{"name": field, "message": message}]}),
            ),
        };
        (status, [("x-amzn-ErrorType", error_type)], Json(body)).into_response()
    }
}
