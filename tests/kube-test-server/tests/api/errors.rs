//! Requests the real server rejects, sent past kube's own validation.

use kube_test_server::TestApiServer;

use crate::support::{api_code, client};

/// A raw PATCH of a config map, past kube's own validation of patch options.
async fn raw_patch(server: &TestApiServer, content_type: &str, query: &str) -> u16 {
    let request = http::Request::patch(format!("/api/v1/namespaces/team/configmaps/cm?{query}"))
        .header(http::header::CONTENT_TYPE, content_type)
        .body(br#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cm"}}"#.to_vec())
        .unwrap();
    api_code(client(server).request::<serde_json::Value>(request).await)
}

#[tokio::test]
async fn patch_options_and_types_are_checked() {
    let server = TestApiServer::start().await;
    let apply = "application/apply-patch+yaml";
    assert_eq!(
        raw_patch(&server, apply, "").await,
        422,
        "apply needs a field manager"
    );
    let merge = "application/merge-patch+json";
    assert_eq!(
        raw_patch(&server, merge, "force=true").await,
        422,
        "only apply forces"
    );
    assert_eq!(raw_patch(&server, "text/plain", "").await, 415);
    assert_eq!(
        raw_patch(&server, merge, "").await,
        404,
        "merge patches do not create"
    );
}
