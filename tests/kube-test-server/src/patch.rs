//! PATCH bodies, by content type:
//!
//! - `application/json-patch+json`: RFC 6902. As in the real server, a
//!   `test` of a path that does not exist passes when the expected value is
//!   `null` (kube-runtime's `finalizer` relies on it to add the first
//!   finalizer); a failing operation is 422 `Invalid`.
//! - `application/merge-patch+json`: RFC 7386.
//! - `application/strategic-merge-patch+json`: treated as a merge patch
//!   (lists are replaced; `$patch` directives are not understood).
//! - `application/apply-patch+yaml` (server-side apply, YAML or JSON): the
//!   applied configuration, merged by the schema and the field owners
//!   (`ownership`), not here.

use json_patch::PatchOperation;
use serde_json::Value;

use crate::status_error::ApiError;

/// A decoded PATCH body.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Patch {
    /// RFC 6902 operations.
    Json(Vec<PatchOperation>),
    /// An RFC 7386 merge patch (also for strategic merge patches).
    Merge(Value),
    /// A server-side apply configuration.
    Apply(Value),
}

impl Patch {
    /// Decodes `body` as the patch type `content_type` names (parameters
    /// such as `; charset=utf-8` are ignored): 415 for other types, 400 for
    /// bodies that do not decode or are not a JSON object (for merge and
    /// apply patches).
    pub fn parse(content_type: &str, body: &[u8]) -> Result<Self, ApiError> {
        let media_type = content_type
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        let malformed = |error: &dyn std::fmt::Display| {
            ApiError::bad_request(format!("the patch could not be decoded: {error}"))
        };
        let object = |value: Value| {
            if value.is_object() {
                Ok(value)
            } else {
                Err(ApiError::bad_request("the patch must be a JSON object"))
            }
        };
        match media_type.as_str() {
            "application/json-patch+json" => serde_json::from_slice(body)
                .map(Self::Json)
                .map_err(|e| malformed(&e)),
            "application/merge-patch+json" | "application/strategic-merge-patch+json" => {
                serde_json::from_slice(body)
                    .map_err(|e| malformed(&e))
                    .and_then(object)
                    .map(Self::Merge)
            }
            "application/apply-patch+yaml" => serde_json::from_slice(body)
                .or_else(|_| serde_yaml_ng::from_slice(body))
                .map_err(|e| malformed(&e))
                .and_then(object)
                .map(Self::Apply),
            _ => Err(ApiError::unsupported_media_type(content_type)),
        }
    }

    /// `document` with a JSON or merge patch applied (400 for an apply
    /// patch: see `ownership::apply`).
    pub fn apply_to(&self, document: &Value) -> Result<Value, ApiError> {
        let mut patched = document.clone();
        match self {
            Self::Json(operations) => apply_json_patch(&mut patched, operations)?,
            Self::Merge(patch) => json_patch::merge(&mut patched, patch),
            Self::Apply(_) => {
                return Err(ApiError::bad_request(
                    "an apply patch merges by field ownership, not on its own",
                ));
            }
        }
        Ok(patched)
    }
}

fn apply_json_patch(document: &mut Value, operations: &[PatchOperation]) -> Result<(), ApiError> {
    for operation in operations {
        if let PatchOperation::Test(test) = operation {
            let passed = match document.pointer(test.path.as_str()) {
                Some(actual) => *actual == test.value,
                None => test.value.is_null(),
            };
            if !passed {
                return Err(ApiError::invalid(format!(
                    "the server rejected our request due to an error in our request: \
                     testing value {} failed",
                    test.path
                )));
            }
        } else {
            json_patch::patch(document, std::slice::from_ref(operation)).map_err(|error| {
                ApiError::invalid(format!(
                    "the server rejected our request due to an error in our request: {error}"
                ))
            })?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn patch(content_type: &str, body: Value, document: Value) -> Result<Value, ApiError> {
        Patch::parse(content_type, body.to_string().as_bytes())?.apply_to(&document)
    }

    #[test]
    fn json_patch_tests_missing_paths_as_null() {
        let document = json!({"metadata": {"name": "a"}});
        let added = patch(
            "application/json-patch+json",
            json!([
                {"op": "test", "path": "/metadata/finalizers", "value": null},
                {"op": "add", "path": "/metadata/finalizers", "value": ["f"]}
            ]),
            document.clone(),
        )
        .unwrap();
        assert_eq!(added["metadata"]["finalizers"], json!(["f"]));
        let failed = patch(
            "application/json-patch+json",
            json!([
                {"op": "test", "path": "/metadata/finalizers/0", "value": "other"},
                {"op": "remove", "path": "/metadata/finalizers/0"}
            ]),
            added,
        )
        .unwrap_err();
        assert_eq!(failed.code, 422);
        let missing = patch(
            "application/json-patch+json",
            json!([{"op": "remove", "path": "/spec"}]),
            document,
        )
        .unwrap_err();
        assert_eq!(missing.code, 422);
    }

    #[test]
    fn merge_patches_merge_maps_and_replace_lists() {
        let document = json!({"spec": {"a": 1, "b": [1, 2], "c": {"d": 1}}});
        for content_type in [
            "application/merge-patch+json",
            "application/strategic-merge-patch+json; charset=utf-8",
        ] {
            let patched = patch(
                content_type,
                json!({"spec": {"a": null, "b": [3], "c": {"e": 2}}}),
                document.clone(),
            )
            .unwrap();
            assert_eq!(patched, json!({"spec": {"b": [3], "c": {"d": 1, "e": 2}}}));
        }
        let yaml = Patch::parse("application/apply-patch+yaml", b"spec:\n  a: 2\n").unwrap();
        assert_eq!(yaml, Patch::Apply(json!({"spec": {"a": 2}})));
    }

    #[test]
    fn unknown_and_malformed_patches_fail() {
        assert_eq!(
            Patch::parse("application/json", b"{}").unwrap_err().code,
            415
        );
        assert_eq!(
            Patch::parse("application/merge-patch+json", b"[1]")
                .unwrap_err()
                .code,
            400
        );
        assert_eq!(
            Patch::parse("application/json-patch+json", b"{}")
                .unwrap_err()
                .code,
            400
        );
    }
}
