//! 410 `Expired` after a compaction, and the watcher's recovery from it.

use std::time::Duration;

use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::core::v1::{ConfigMap, Namespace};
use kube::api::{Api, ObjectMeta, Patch, PatchParams, PostParams, WatchEvent, WatchParams};
use kube::runtime::reflector;
use kube::runtime::watcher;
use kube_test_server::TestApiServer;
use serde_json::json;
use tokio::sync::mpsc;

use crate::support::{client, eventually, within};
use crate::watches::config_map;

#[tokio::test]
async fn raw_watch_from_a_compacted_version_gets_410() {
    let server = TestApiServer::start().await;
    let api: Api<ConfigMap> = Api::namespaced(client(&server), "team");
    let created = api
        .create(&PostParams::default(), &config_map("cm"))
        .await
        .unwrap();
    let old = created.metadata.resource_version.unwrap();
    let data = Patch::Merge(json!({"data": {"key": "v2"}}));
    let patched = api
        .patch("cm", &PatchParams::default(), &data)
        .await
        .unwrap();
    let current = patched.metadata.resource_version.unwrap();

    let mut replay = api
        .watch(
            &WatchParams::default().disable_bookmarks().timeout(10),
            &old,
        )
        .await
        .unwrap()
        .boxed();
    match within("the replayed event", replay.try_next())
        .await
        .unwrap()
    {
        Some(WatchEvent::Modified(object)) => {
            assert_eq!(object.metadata.resource_version, Some(current.clone()));
        }
        other => panic!("expected the retained MODIFIED, got {other:?}"),
    }

    server.compact();
    let mut expired = api
        .watch(&WatchParams::default().timeout(10), &old)
        .await
        .unwrap()
        .boxed();
    match within("the error event", expired.try_next()).await.unwrap() {
        Some(WatchEvent::Error(status)) => {
            assert_eq!((status.code, status.reason.as_str()), (410, "Expired"));
        }
        other => panic!("expected ERROR 410, got {other:?}"),
    }
    let end = within("the end of the stream", expired.try_next())
        .await
        .unwrap();
    assert!(end.is_none(), "the watch ends after 410: {end:?}");

    let mut resumed = api
        .watch(
            &WatchParams::default().disable_bookmarks().timeout(1),
            &current,
        )
        .await
        .unwrap()
        .boxed();
    let quiet = within("the watch to time out", resumed.try_next())
        .await
        .unwrap();
    assert!(
        quiet.is_none(),
        "watching from the compaction point is fine: {quiet:?}"
    );
}

#[tokio::test]
async fn watcher_relists_after_410() {
    // No bookmarks: the watcher keeps the list's resourceVersion, which the
    // compaction below makes too old.
    let server = TestApiServer::builder()
        .bookmark_interval(Duration::from_secs(3600))
        .start()
        .await;
    let api: Api<ConfigMap> = Api::namespaced(client(&server), "team");
    api.create(&PostParams::default(), &config_map("before"))
        .await
        .unwrap();
    let (reader, writer) = reflector::store();
    let (errors, mut error_rx) = mpsc::unbounded_channel();
    // Watches end after 1 s, so the watcher soon resumes from its version.
    let config = watcher::Config::default().timeout(1);
    let stream = reflector::reflector(writer, watcher(api.clone(), config));
    tokio::spawn(stream.for_each(move |event| {
        if let Err(error) = event {
            let _ = errors.send(error);
        }
        async {}
    }));
    within("the initial list", reader.wait_until_ready())
        .await
        .unwrap();

    // A write of another type moves the global resourceVersion past the
    // watcher's; the compaction then drops everything up to it.
    let namespaces: Api<Namespace> = Api::all(client(&server));
    let namespace = Namespace {
        metadata: ObjectMeta {
            name: Some("team".into()),
            ..ObjectMeta::default()
        },
        ..Namespace::default()
    };
    namespaces
        .create(&PostParams::default(), &namespace)
        .await
        .unwrap();
    server.compact();

    match within("the watcher's 410", error_rx.recv()).await.unwrap() {
        watcher::Error::WatchError(status) => assert_eq!(status.code, 410),
        other => panic!("expected a 410 watch error, got {other:?}"),
    }
    api.create(&PostParams::default(), &config_map("after"))
        .await
        .unwrap();
    eventually("the relisted watcher to see a later change", || {
        reader
            .state()
            .iter()
            .any(|c| c.metadata.name.as_deref() == Some("after"))
    })
    .await;
    let lists = server
        .requests()
        .iter()
        .filter(|r| r.method == "GET" && r.path == "/api/v1/namespaces/team/configmaps")
        .filter(|r| !r.is_watch())
        .count();
    assert_eq!(lists, 2, "the watcher listed again");
}
