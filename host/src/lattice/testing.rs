//! Helpers of the unit tests of the in-memory account and the cache.

use std::future::Future;

use super::model::{CreateServiceNetworkInput, Tags};

/// Runs `future` to completion on a fresh single-threaded runtime.
pub fn block_on<F: Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(future)
}

/// A request for an untagged service network `name` without auth.
pub fn network(name: &str) -> CreateServiceNetworkInput {
    CreateServiceNetworkInput {
        name: name.into(),
        auth_type: "NONE".into(),
        tags: Tags::new(),
    }
}
