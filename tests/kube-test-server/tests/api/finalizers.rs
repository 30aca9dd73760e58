//! Deletion with finalizers, and kube-runtime's `finalizer` helper.

use std::convert::Infallible;
use std::sync::Arc;

use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{Api, DeleteParams, Patch, PatchParams, PostParams};
use kube::runtime::controller::Action;
use kube::runtime::finalizer::{Event, finalizer};
use kube_test_server::TestApiServer;
use serde_json::json;

use crate::support::{api_code, client};
use crate::watches::config_map;

const FINALIZER: &str = "trellis.dev/cleanup";

/// Runs kube-runtime's `finalizer` once on `object`; returns whether it
/// ran the cleanup.
async fn run_finalizer(api: &Api<ConfigMap>, object: ConfigMap) -> bool {
    let mut cleaned = false;
    finalizer(api, FINALIZER, Arc::new(object), |event| {
        cleaned = matches!(event, Event::Cleanup(_));
        async { Ok::<_, Infallible>(Action::await_change()) }
    })
    .await
    .unwrap();
    cleaned
}

#[tokio::test]
async fn finalizer_holds_deletion_until_removed() {
    let server = TestApiServer::start().await;
    let api: Api<ConfigMap> = Api::namespaced(client(&server), "team");
    let created = api
        .create(&PostParams::default(), &config_map("cm"))
        .await
        .unwrap();
    assert!(
        !run_finalizer(&api, created).await,
        "the first run adds the finalizer"
    );
    let held = api.get("cm").await.unwrap();
    assert_eq!(held.metadata.finalizers, Some(vec![FINALIZER.to_string()]));

    let deleting = api
        .delete("cm", &DeleteParams::default())
        .await
        .unwrap()
        .left()
        .expect("the object, still there");
    assert!(deleting.metadata.deletion_timestamp.is_some());
    let again = api.delete("cm", &DeleteParams::default()).await.unwrap();
    assert!(again.is_left(), "deleting again changes nothing");
    let late = Patch::Merge(json!({"metadata": {"finalizers": [FINALIZER, "late"]}}));
    assert_eq!(
        api_code(api.patch("cm", &PatchParams::default(), &late).await),
        422,
        "no new finalizers while deleting"
    );

    let live = api.get("cm").await.unwrap();
    assert!(live.metadata.deletion_timestamp.is_some());
    assert!(run_finalizer(&api, live).await, "the second run cleans up");
    assert_eq!(api_code(api.get("cm").await), 404);
}

#[tokio::test]
async fn failing_json_patch_test_is_rejected() {
    let server = TestApiServer::start().await;
    let api: Api<ConfigMap> = Api::namespaced(client(&server), "team");
    let created = api
        .create(&PostParams::default(), &config_map("cm"))
        .await
        .unwrap();
    run_finalizer(&api, created).await;
    let patch: json_patch::Patch = serde_json::from_value(json!([
        {"op": "test", "path": "/metadata/finalizers/0", "value": "someone-else"},
        {"op": "remove", "path": "/metadata/finalizers/0"}
    ]))
    .unwrap();
    let result = api
        .patch("cm", &PatchParams::default(), &Patch::Json::<()>(patch))
        .await;
    assert_eq!(api_code(result), 422);
    let unchanged = api.get("cm").await.unwrap();
    assert_eq!(
        unchanged.metadata.finalizers,
        Some(vec![FINALIZER.to_string()])
    );
}
