//! Client tokens of create operations.
//!
//! Contract: a create that carries a `clientToken` the emulator has seen
//! for the same operation with the same request answers with the first
//! response and creates nothing; with a different request it fails with
//! `ConflictException`. Only successful responses are remembered, so a
//! request that failed can be retried with the same token.

use std::collections::HashMap;
use std::future::Future;

use serde_json::Value;
use tokio::sync::Mutex;
use trellis::lattice::LatticeError;

use crate::error::ApiError;
use crate::validate;

/// An operation and a client token.
type Key = (&'static str, String);

/// The first request (without its token) and the response it got.
type First = (Value, Value);

/// The first request and response of each `(operation, clientToken)`.
#[derive(Debug, Default)]
pub struct Tokens {
    seen: Mutex<HashMap<Key, First>>,
}

/// `request` without its `clientToken`, which is what a retry must repeat.
fn fingerprint(mut request: Value) -> Value {
    if let Some(members) = request.as_object_mut() {
        members.remove("clientToken");
    }
    request
}

impl Tokens {
    /// Runs `create` for `request` of `operation` unless its `clientToken`
    /// was seen, and returns the response body.
    ///
    /// `request` is the whole request (body members and path parameters).
    /// Creates with a token run one at a time, so that two concurrent
    /// retries cannot both create.
    pub async fn once<F, Fut>(
        &self,
        operation: &'static str,
        request: Value,
        create: F,
    ) -> Result<Value, ApiError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Value, ApiError>>,
    {
        let Some(token) = request
            .get("clientToken")
            .and_then(Value::as_str)
            .map(str::to_owned)
        else {
            return create().await;
        };
        validate::client_token(&token)?;
        let request = fingerprint(request);
        let mut seen = self.seen.lock().await;
        let key = (operation, token);
        if let Some((first_request, first_response)) = seen.get(&key) {
            if *first_request == request {
                return Ok(first_response.clone());
            }
            return Err(ApiError::Lattice(LatticeError::Conflict {
                message: format!(
                    "clientToken {:?} was used for a different {operation} request",
                    key.1
                ),
            }));
        }
        let response = create().await?;
        seen.insert(key, (request, response.clone()));
        Ok(response)
    }
}
