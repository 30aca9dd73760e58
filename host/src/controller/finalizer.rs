//! Adding and removing Trellis's finalizers, by JSON patch on the untyped
//! object (the answer is not parsed as the kind: an object that omits
//! `spec`, as upstream's CRDs allow, is still finalized).
//!
//! Guarantees: each patch first tests that the finalizer list is what was
//! read (`test` op), so a concurrent change makes the patch fail with a
//! conflict (the reconcile is retried) instead of clobbering another
//! controller's finalizers; removal takes out only Trellis's entry, by index.

use kube::api::{Api, Patch, PatchParams};
use kube::core::DynamicObject;
use serde_json::{Value, json};

/// Adds `finalizer` to `name`, whose finalizers were read as `current`.
pub async fn add(
    api: &Api<DynamicObject>,
    name: &str,
    current: Option<&Vec<String>>,
    finalizer: &str,
) -> Result<(), kube::Error> {
    let patch = match current {
        None => json!([
            {"op": "test", "path": "/metadata/finalizers", "value": null},
            {"op": "add", "path": "/metadata/finalizers", "value": [finalizer]},
        ]),
        Some(list) => json!([
            {"op": "test", "path": "/metadata/finalizers", "value": list},
            {"op": "add", "path": "/metadata/finalizers/-", "value": finalizer},
        ]),
    };
    json_patch(api, name, patch).await
}

/// Removes `finalizer` from `name`, whose finalizers were read as
/// `current`; nothing to do when it is not there, or when the object is
/// gone (a reconcile of a stale copy, after an earlier one removed the
/// finalizer and the API server deleted the object).
pub async fn remove(
    api: &Api<DynamicObject>,
    name: &str,
    current: Option<&Vec<String>>,
    finalizer: &str,
) -> Result<(), kube::Error> {
    let Some(index) = current
        .into_iter()
        .flatten()
        .position(|entry| entry == finalizer)
    else {
        return Ok(());
    };
    let path = format!("/metadata/finalizers/{index}");
    let removed = json_patch(
        api,
        name,
        json!([
            {"op": "test", "path": path, "value": finalizer},
            {"op": "remove", "path": path},
        ]),
    )
    .await;
    match removed {
        Err(kube::Error::Api(status)) if status.code == 404 => Ok(()),
        other => other,
    }
}

async fn json_patch(api: &Api<DynamicObject>, name: &str, patch: Value) -> Result<(), kube::Error> {
    let patch: json_patch::Patch =
        serde_json::from_value(patch).map_err(kube::Error::SerdeError)?;
    api.patch(name, &PatchParams::default(), &Patch::<()>::Json(patch))
        .await
        .map(|_| ())
}
