//! Create, get, list, replace, patch and delete through `kube::Api`.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{ConfigMap, Namespace, NamespaceSpec};
use kube::api::{Api, DeleteParams, ListParams, ObjectMeta, Patch, PatchParams, PostParams};
use kube_test_server::TestApiServer;
use serde_json::json;

use crate::support::{api_code, client};

fn config_map(name: &str, value: &str) -> ConfigMap {
    ConfigMap {
        metadata: ObjectMeta {
            name: Some(name.into()),
            labels: Some(BTreeMap::from([("app".into(), "web".into())])),
            ..ObjectMeta::default()
        },
        data: Some(BTreeMap::from([("key".into(), value.into())])),
        ..ConfigMap::default()
    }
}

fn revision(meta: &ObjectMeta) -> (String, i64) {
    (
        meta.resource_version.clone().unwrap(),
        meta.generation.unwrap(),
    )
}

#[tokio::test]
async fn namespaced_config_map_lifecycle() {
    let server = TestApiServer::start().await;
    let api: Api<ConfigMap> = Api::namespaced(client(&server), "team");
    let created = api
        .create(&PostParams::default(), &config_map("settings", "1"))
        .await
        .unwrap();
    assert_eq!(created.metadata.namespace.as_deref(), Some("team"));
    assert!(created.metadata.uid.is_some() && created.metadata.creation_timestamp.is_some());
    assert_eq!(created.metadata.generation, Some(1));
    let duplicate = api
        .create(&PostParams::default(), &config_map("settings", "1"))
        .await;
    assert_eq!(api_code(duplicate), 409);

    api.create(&PostParams::default(), &config_map("other", "1"))
        .await
        .unwrap();
    let mut unlabelled = config_map("plain", "1");
    unlabelled.metadata.labels = None;
    api.create(&PostParams::default(), &unlabelled)
        .await
        .unwrap();
    let web = api
        .list(&ListParams::default().labels("app=web"))
        .await
        .unwrap();
    let names: Vec<_> = web
        .iter()
        .map(|c| c.metadata.name.clone().unwrap())
        .collect();
    assert_eq!(names, ["other", "settings"]);
    let by_name = api
        .list(&ListParams::default().fields("metadata.name=plain"))
        .await
        .unwrap();
    assert_eq!(by_name.items.len(), 1);
    assert!(by_name.metadata.resource_version.is_some());
    let everywhere: Api<ConfigMap> = Api::all(client(&server));
    assert_eq!(
        everywhere
            .list(&ListParams::default())
            .await
            .unwrap()
            .items
            .len(),
        3
    );

    let mut changed = api.get("settings").await.unwrap();
    changed.data = Some(BTreeMap::from([("key".into(), "2".into())]));
    let replaced = api
        .replace("settings", &PostParams::default(), &changed)
        .await
        .unwrap();
    let (replaced_version, replaced_generation) = revision(&replaced.metadata);
    assert_eq!(replaced_generation, 2, "data changes bump generation");
    assert_eq!(replaced.metadata.uid, created.metadata.uid);
    assert_eq!(
        replaced.metadata.creation_timestamp,
        created.metadata.creation_timestamp
    );

    let label = Patch::Merge(json!({"metadata": {"labels": {"tier": "front"}}}));
    let labelled = api
        .patch("settings", &PatchParams::default(), &label)
        .await
        .unwrap();
    let (labelled_version, labelled_generation) = revision(&labelled.metadata);
    assert_ne!(labelled_version, replaced_version);
    assert_eq!(labelled_generation, 2, "metadata changes keep generation");
    let again = api
        .patch("settings", &PatchParams::default(), &label)
        .await
        .unwrap();
    assert_eq!(
        revision(&again.metadata),
        (labelled_version, 2),
        "a no-op patch keeps resourceVersion"
    );

    let deleted = api
        .delete("settings", &DeleteParams::default())
        .await
        .unwrap();
    assert!(deleted.is_left());
    assert_eq!(api_code(api.get("settings").await), 404);
    assert_eq!(
        api_code(api.delete("settings", &DeleteParams::default()).await),
        404
    );
    assert!(
        server
            .object("v1", "configmaps", Some("team"), "settings")
            .is_none()
    );
    assert!(
        server
            .object("v1", "configmaps", Some("team"), "other")
            .is_some()
    );
}

#[tokio::test]
async fn cluster_scoped_namespace_lifecycle() {
    let server = TestApiServer::start().await;
    let api: Api<Namespace> = Api::all(client(&server));
    let namespace = Namespace {
        metadata: ObjectMeta {
            name: Some("team".into()),
            ..ObjectMeta::default()
        },
        ..Namespace::default()
    };
    let created = api
        .create(&PostParams::default(), &namespace)
        .await
        .unwrap();
    assert_eq!(created.metadata.namespace, None);
    assert_eq!(
        api.list(&ListParams::default()).await.unwrap().items.len(),
        1
    );

    let label = Patch::Merge(json!({"metadata": {"labels": {"env": "test"}}}));
    let labelled = api
        .patch("team", &PatchParams::default(), &label)
        .await
        .unwrap();
    assert_eq!(labelled.metadata.generation, Some(1));

    let mut with_spec = labelled.clone();
    with_spec.spec = Some(NamespaceSpec {
        finalizers: Some(vec!["kubernetes".into()]),
    });
    let replaced = api
        .replace("team", &PostParams::default(), &with_spec)
        .await
        .unwrap();
    assert_eq!(
        replaced.metadata.generation,
        Some(2),
        "spec changes bump generation"
    );
    assert_eq!(
        replaced
            .metadata
            .labels
            .unwrap()
            .get("env")
            .map(String::as_str),
        Some("test")
    );

    api.delete("team", &DeleteParams::default()).await.unwrap();
    assert_eq!(api_code(api.get("team").await), 404);
    assert!(server.objects("namespaces").is_empty());
}
