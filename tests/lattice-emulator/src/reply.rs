//! Successful responses, with the status code each operation answers with.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::error::ApiError;

/// What a handler answers.
pub type Reply = Result<Response, ApiError>;

/// `value` without its `null` members (absent members are left out, as
/// the API does).
fn without_nulls(value: Value) -> Value {
    match value {
        Value::Object(members) => Value::Object(
            members
                .into_iter()
                .filter(|(_, member)| !member.is_null())
                .map(|(name, member)| (name, without_nulls(member)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(without_nulls).collect()),
        other => other,
    }
}

/// HTTP 200 with `body`.
pub fn ok(body: Value) -> Reply {
    Ok((StatusCode::OK, Json(without_nulls(body))).into_response())
}

/// HTTP 201 with `body` (the creates whose API model says so).
pub fn created(body: Value) -> Reply {
    Ok((StatusCode::CREATED, Json(without_nulls(body))).into_response())
}

/// HTTP 204 with no body (`DeleteListener`, `DeleteRule`, ...).
pub fn no_content() -> Reply {
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `raw` (a request body) with the path parameters `params` added, so that
/// an idempotency comparison covers the whole request.
pub fn with_path(mut raw: Value, params: &[(&str, &str)]) -> Value {
    if let Some(members) = raw.as_object_mut() {
        for (name, value) in params {
            members.insert((*name).to_string(), Value::String((*value).to_string()));
        }
    }
    raw
}
