//! Pagination: `maxResults` and an opaque `nextToken` (the next index).

use serde::Deserialize;
use serde_json::{Value, json};

use crate::error::{ApiError, invalid};

/// The paging parameters of a list request (query string).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Paging {
    max_results: Option<usize>,
    next_token: Option<String>,
}

/// `{"items": [...], "nextToken": ...}` for the page of `items` that
/// `paging` asks for, at most `page_size` (or `maxResults`, if smaller).
pub fn page(items: Vec<Value>, paging: &Paging, page_size: usize) -> Result<Value, ApiError> {
    let start = match &paging.next_token {
        None => 0,
        Some(token) => token
            .parse::<usize>()
            .map_err(|_| invalid("nextToken", format!("invalid nextToken {token:?}")))?,
    };
    if paging.max_results == Some(0) {
        return Err(invalid("maxResults", "must be at least 1"));
    }
    let size = paging.max_results.unwrap_or(page_size).clamp(1, page_size);
    let end = (start + size).min(items.len());
    let page: Vec<Value> = items
        .get(start..end)
        .map(<[Value]>::to_vec)
        .unwrap_or_default();
    let mut body = json!({ "items": page });
    if end < items.len() {
        body["nextToken"] = json!(end.to_string());
    }
    Ok(body)
}
