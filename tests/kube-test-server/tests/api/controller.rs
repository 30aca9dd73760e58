//! A `kube::runtime::Controller` with an event `Recorder`.

use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use k8s_openapi::api::core::v1::ConfigMap;
use kube::Resource;
use kube::api::{Api, Patch, PatchParams, PostParams};
use kube::runtime::controller::{Action, Controller};
use kube::runtime::events::{Event, EventType, Recorder, Reporter};
use kube::runtime::watcher;
use kube_test_server::TestApiServer;
use serde_json::json;

use crate::support::{client, eventually};
use crate::watches::config_map;

struct Context {
    api: Api<ConfigMap>,
    recorder: Recorder,
}

/// Labels the object (a no-op the second time) and records an event.
async fn reconcile(object: Arc<ConfigMap>, context: Arc<Context>) -> Result<Action, kube::Error> {
    let name = object.metadata.name.clone().unwrap_or_default();
    let label = Patch::Merge(json!({"metadata": {"labels": {"reconciled": "true"}}}));
    context
        .api
        .patch(&name, &PatchParams::default(), &label)
        .await?;
    let event = Event {
        type_: EventType::Normal,
        reason: "Reconciled".into(),
        note: None,
        action: "Reconcile".into(),
        secondary: None,
    };
    context
        .recorder
        .publish(&event, &object.object_ref(&()))
        .await?;
    Ok(Action::await_change())
}

fn error_policy(_: Arc<ConfigMap>, _: &kube::Error, _: Arc<Context>) -> Action {
    Action::requeue(Duration::from_millis(100))
}

#[tokio::test]
async fn controller_reconciles_until_nothing_changes() {
    let server = TestApiServer::start().await;
    let client = client(&server);
    let api: Api<ConfigMap> = Api::namespaced(client.clone(), "team");
    let reporter = Reporter {
        controller: "trellis".into(),
        instance: None,
    };
    let context = Arc::new(Context {
        api: api.clone(),
        recorder: Recorder::new(client, reporter),
    });
    let controller = Controller::new(api.clone(), watcher::Config::default())
        .run(reconcile, error_policy, context)
        .for_each(|_| async {});
    tokio::spawn(controller);
    api.create(&PostParams::default(), &config_map("cm"))
        .await
        .unwrap();

    // The label patch wakes the controller once more; its second patch is a
    // no-op that wakes nothing, and its second event is a series of two.
    eventually("a series of two events", || {
        server
            .objects("events")
            .iter()
            .any(|e| e["apiVersion"] == "events.k8s.io/v1" && e["series"]["count"] == 2)
    })
    .await;
    let labelled = server
        .object("v1", "configmaps", Some("team"), "cm")
        .unwrap();
    assert_eq!(labelled["metadata"]["labels"]["reconciled"], "true");
    let events = server.objects("events");
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["reason"], "Reconciled");
    assert_eq!(events[0]["regarding"]["name"], "cm");
    let patches = server
        .requests()
        .iter()
        .filter(|r| r.method == "PATCH" && r.path.ends_with("/configmaps/cm"))
        .count();
    assert_eq!(patches, 2);
}
