//! Request bodies and query strings whose faults answer as the API does:
//! `ValidationException` naming the field, never axum's plain-text 4xx.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::{ApiError, invalid};

/// The field a serde error names (``missing field `name` `` → `name`), or
/// `fallback`.
fn field_of(error: &str, fallback: &str) -> String {
    error
        .split('`')
        .nth(1)
        .filter(|field| !field.is_empty())
        .unwrap_or(fallback)
        .to_string()
}

/// Deserializes `value`, answering a shape error with `ValidationException`.
pub fn parse<T: DeserializeOwned>(value: Value) -> Result<T, ApiError> {
    serde_json::from_value(value).map_err(|error| {
        let message = error.to_string();
        invalid(field_of(&message, "body"), message)
    })
}

/// A JSON request body: the raw value (for idempotency comparisons) and its
/// typed form. An empty body reads as `{}`.
#[derive(Debug)]
pub struct JsonBody<T> {
    pub raw: Value,
    pub body: T,
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = axum::body::Bytes::from_request(request, state)
            .await
            .map_err(|error| invalid("body", error.body_text()))?;
        let raw: Value = if bytes.is_empty() {
            Value::Object(Default::default())
        } else {
            serde_json::from_slice(&bytes)
                .map_err(|error| invalid("body", format!("malformed JSON: {error}")))?
        };
        let body = parse(raw.clone())?;
        Ok(Self { raw, body })
    }
}

/// A query string.
#[derive(Debug)]
pub struct QueryParams<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for QueryParams<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Query(query) =
            axum::extract::Query::<T>::from_request_parts(parts, state)
                .await
                .map_err(|error| {
                    let message = error.body_text();
                    invalid(field_of(&message, "query"), message)
                })?;
        Ok(Self(query))
    }
}
