//! The legacy finalizer: which Services the watch sends to its removal, and
//! the removal against the Kubernetes test API server through the real
//! kube client (only that finalizer goes; a deleting Service then goes).

use futures::StreamExt;
use k8s_openapi::api::core::v1::Service;
use kube::api::{Api, DeleteParams, PostParams};
use kube_test_server::TestApiServer;
use serde_json::json;

use super::*;
use crate::controller::watch::{Triggers, Watched};

const KEEP: &str = "example.com/keep";
const OTHER: &str = "example.com/other";

fn service(name: &str, finalizers: &[&str]) -> Service {
    serde_json::from_value(json!({
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": name, "namespace": "default", "finalizers": finalizers},
        "spec": {"ports": [{"port": 80}]},
    }))
    .unwrap()
}

fn client(server: &TestApiServer) -> kube::Client {
    let config = kube::Config::new(server.url().parse().unwrap());
    kube::Client::try_from(config).unwrap()
}

#[tokio::test]
async fn the_watch_sends_only_services_carrying_the_legacy_finalizer() {
    let (triggers, streams) = Triggers::channels();
    Service::own_work(&service("plain", &[]), &triggers);
    Service::own_work(&service("other", &[KEEP]), &triggers);
    // The spelling without upstream's typo is not upstream's finalizer.
    Service::own_work(&service("fixed", &["service.k8s.aws/resources"]), &triggers);
    Service::own_work(&service("legacy", &[KEEP, LEGACY_FINALIZER]), &triggers);
    drop(triggers);
    let sent: Vec<String> = streams
        .legacy_finalizers
        .map(|service| service.name)
        .collect()
        .await;
    assert_eq!(sent, ["legacy"]);
}

#[tokio::test]
async fn only_the_legacy_finalizer_is_removed() {
    let server = TestApiServer::start().await;
    let api: Api<Service> = Api::namespaced(client(&server), "default");
    let created = api
        .create(
            &PostParams::default(),
            &service("rates", &[KEEP, LEGACY_FINALIZER, OTHER]),
        )
        .await
        .unwrap();

    remove(client(&server), &created).await.unwrap();
    let now = api.get("rates").await.unwrap();
    assert_eq!(now.finalizers(), [KEEP, OTHER]);
    assert!(!carries(&now));
    // Again, from the same stale copy: the `test` op refuses the patch
    // instead of removing whatever is now at that index.
    assert!(remove(client(&server), &created).await.is_err());
    assert_eq!(api.get("rates").await.unwrap().finalizers(), [KEEP, OTHER]);
    // From the fresh copy: nothing to do.
    remove(client(&server), &now).await.unwrap();
    assert_eq!(api.get("rates").await.unwrap().finalizers(), [KEEP, OTHER]);
}

#[tokio::test]
async fn a_deleting_service_with_only_the_legacy_finalizer_goes_away() {
    let server = TestApiServer::start().await;
    let api: Api<Service> = Api::namespaced(client(&server), "default");
    api.create(
        &PostParams::default(),
        &service("rates", &[LEGACY_FINALIZER]),
    )
    .await
    .unwrap();
    api.delete("rates", &DeleteParams::default()).await.unwrap();
    let deleting = api.get("rates").await.unwrap();
    assert!(
        deleting.metadata.deletion_timestamp.is_some(),
        "stuck Terminating"
    );

    remove(client(&server), &deleting).await.unwrap();
    assert!(api.get_opt("rates").await.unwrap().is_none());
    // A stale copy of a Service that is gone: nothing to do.
    remove(client(&server), &deleting).await.unwrap();
}
