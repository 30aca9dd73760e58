//! Watches through `kube::runtime::watcher` and reflectors, raw watches,
//! bookmarks and streaming lists.

use std::collections::BTreeMap;
use std::time::Duration;

use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::core::v1::ConfigMap;
use kube::api::{
    Api, DeleteParams, ObjectMeta, Patch, PatchParams, PostParams, WatchEvent, WatchParams,
};
use kube::runtime::reflector::{self, Store};
use kube::runtime::watcher;
use kube_test_server::TestApiServer;
use serde_json::json;

use crate::support::{client, eventually, within};

pub fn config_map(name: &str) -> ConfigMap {
    ConfigMap {
        metadata: ObjectMeta {
            name: Some(name.into()),
            ..ObjectMeta::default()
        },
        ..ConfigMap::default()
    }
}

fn value(store: &Store<ConfigMap>, name: &str) -> Option<String> {
    store
        .state()
        .iter()
        .find(|c| c.metadata.name.as_deref() == Some(name))
        .and_then(|c| c.data.as_ref()?.get("key").cloned())
}

fn names(store: &Store<ConfigMap>) -> Vec<String> {
    let mut names: Vec<_> = store
        .state()
        .iter()
        .filter_map(|c| c.metadata.name.clone())
        .collect();
    names.sort();
    names
}

/// A reflector over config maps in `team`, running until the test ends.
async fn reflect(api: &Api<ConfigMap>, config: watcher::Config) -> Store<ConfigMap> {
    let (reader, writer) = reflector::store();
    let stream = reflector::reflector(writer, watcher(api.clone(), config));
    tokio::spawn(stream.for_each(|_| async {}));
    within("the initial list", reader.wait_until_ready())
        .await
        .unwrap();
    reader
}

async fn reflector_follows_changes(config: watcher::Config) {
    let server = TestApiServer::start().await;
    let api: Api<ConfigMap> = Api::namespaced(client(&server), "team");
    api.create(&PostParams::default(), &config_map("first"))
        .await
        .unwrap();
    let other: Api<ConfigMap> = Api::namespaced(client(&server), "elsewhere");
    other
        .create(&PostParams::default(), &config_map("unseen"))
        .await
        .unwrap();
    let store = reflect(&api, config).await;
    assert_eq!(names(&store), ["first"], "the initial list");

    api.create(&PostParams::default(), &config_map("second"))
        .await
        .unwrap();
    eventually("ADDED", || names(&store) == ["first", "second"]).await;
    let data = Patch::Merge(json!({"data": {"key": "v2"}}));
    api.patch("second", &PatchParams::default(), &data)
        .await
        .unwrap();
    eventually("MODIFIED", || {
        value(&store, "second").as_deref() == Some("v2")
    })
    .await;
    api.delete("first", &DeleteParams::default()).await.unwrap();
    eventually("DELETED", || names(&store) == ["second"]).await;
}

#[tokio::test]
async fn reflector_lists_then_watches() {
    reflector_follows_changes(watcher::Config::default()).await;
}

#[tokio::test]
async fn reflector_with_streaming_list() {
    reflector_follows_changes(watcher::Config::default().streaming_lists()).await;
}

#[tokio::test]
async fn label_selector_turns_modifications_into_additions_and_deletions() {
    let server = TestApiServer::start().await;
    let api: Api<ConfigMap> = Api::namespaced(client(&server), "team");
    let store = reflect(&api, watcher::Config::default().labels("app=web")).await;
    api.create(&PostParams::default(), &config_map("cm"))
        .await
        .unwrap();
    let label = |value: Option<&str>| Patch::Merge(json!({"metadata": {"labels": {"app": value}}}));
    api.patch("cm", &PatchParams::default(), &label(Some("web")))
        .await
        .unwrap();
    eventually("the object to start matching", || names(&store) == ["cm"]).await;
    api.patch("cm", &PatchParams::default(), &label(None))
        .await
        .unwrap();
    eventually("the object to stop matching", || names(&store).is_empty()).await;
}

#[tokio::test]
async fn bookmarks_arrive_when_allowed() {
    let server = TestApiServer::builder()
        .bookmark_interval(Duration::from_millis(50))
        .start()
        .await;
    let api: Api<ConfigMap> = Api::namespaced(client(&server), "team");
    let created = api
        .create(&PostParams::default(), &config_map("cm"))
        .await
        .unwrap();
    let version = created.metadata.resource_version.unwrap();
    let mut events = api
        .watch(&WatchParams::default().timeout(10), &version)
        .await
        .unwrap()
        .boxed();
    for _ in 0..2 {
        match within("a bookmark", events.try_next()).await.unwrap() {
            Some(WatchEvent::Bookmark(bookmark)) => {
                assert_eq!(bookmark.metadata.resource_version, version);
                assert_eq!(bookmark.types.kind, "ConfigMap");
            }
            other => panic!("expected a bookmark, got {other:?}"),
        }
    }

    let mut quiet = api
        .watch(
            &WatchParams::default().disable_bookmarks().timeout(1),
            &version,
        )
        .await
        .unwrap()
        .boxed();
    let nothing = within("the watch to time out", quiet.try_next())
        .await
        .unwrap();
    assert!(
        nothing.is_none(),
        "no bookmarks unless allowed: {nothing:?}"
    );
}

#[tokio::test]
async fn streaming_list_ends_initial_events_with_a_bookmark() {
    let server = TestApiServer::builder()
        .bookmark_interval(Duration::from_secs(3600))
        .start()
        .await;
    let api: Api<ConfigMap> = Api::namespaced(client(&server), "team");
    for name in ["a", "b"] {
        let mut object = config_map(name);
        object.data = Some(BTreeMap::from([("key".into(), name.into())]));
        api.create(&PostParams::default(), &object).await.unwrap();
    }
    let mut events = api
        .watch(&WatchParams::default().initial_events().timeout(10), "0")
        .await
        .unwrap()
        .boxed();
    let mut added = Vec::new();
    loop {
        match within("the initial events", events.try_next())
            .await
            .unwrap()
        {
            Some(WatchEvent::Added(object)) => added.push(object.metadata.name.unwrap()),
            Some(WatchEvent::Bookmark(bookmark)) => {
                assert_eq!(
                    bookmark
                        .metadata
                        .annotations
                        .get("k8s.io/initial-events-end"),
                    Some(&"true".to_string())
                );
                assert_eq!(bookmark.metadata.resource_version, "2");
                break;
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(added, ["a", "b"]);
    api.delete("a", &DeleteParams::default()).await.unwrap();
    match within("a live event", events.try_next()).await.unwrap() {
        Some(WatchEvent::Deleted(object)) => {
            assert_eq!(object.metadata.resource_version.as_deref(), Some("3"));
        }
        other => panic!("expected DELETED, got {other:?}"),
    }
}
