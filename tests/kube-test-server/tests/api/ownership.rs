//! Field ownership through kube-rs: `managedFields` per manager, server-side
//! apply merging by the CRD schema's list types, 409 on another manager's
//! field unless forced, and updates taking the fields they change.

use kube::api::{Api, ApiResource, DynamicObject, GroupVersionKind, Patch, PatchParams};
use kube_test_server::TestApiServer;
use serde_json::{Value, json};

use crate::support::{api_code, client};

/// Widgets whose status has an atomic list, a map list keyed by `type` and
/// a set list.
const WIDGETS: &str = r#"
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  names: {kind: Widget, plural: widgets}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    subresources: {status: {}}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              size: {type: integer}
              color: {type: string}
          status:
            type: object
            properties:
              parents:
                type: array
                x-kubernetes-list-type: atomic
                items: {type: object}
              conditions:
                type: array
                x-kubernetes-list-type: map
                x-kubernetes-list-map-keys: [type]
                items: {type: object}
              tags:
                type: array
                x-kubernetes-list-type: set
                items: {type: string}
"#;

async fn widgets(server: &TestApiServer) -> Api<DynamicObject> {
    server.apply_manifests(WIDGETS).unwrap();
    let gvk = GroupVersionKind::gvk("example.com", "v1", "Widget");
    let resource = ApiResource::from_gvk_with_plural(&gvk, "widgets");
    let api = Api::namespaced_with(client(server), "team", &resource);
    let widget = json!({
        "apiVersion": "example.com/v1", "kind": "Widget",
        "metadata": {"name": "w"}, "spec": {"size": 1},
    });
    api.patch("w", &PatchParams::apply("owner"), &Patch::Apply(&widget))
        .await
        .unwrap();
    api
}

fn status(body: Value) -> Value {
    json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}, "status": body})
}

/// (manager, operation, subresource) of each `managedFields` entry.
fn managers(object: &DynamicObject) -> Vec<(String, String, String)> {
    object
        .metadata
        .managed_fields
        .iter()
        .flatten()
        .map(|entry| {
            (
                entry.manager.clone().unwrap_or_default(),
                entry.operation.clone().unwrap_or_default(),
                entry.subresource.clone().unwrap_or_default(),
            )
        })
        .collect()
}

/// The `fieldsV1` of `manager`'s entry.
fn fields_of(object: &DynamicObject, manager: &str) -> Value {
    object
        .metadata
        .managed_fields
        .iter()
        .flatten()
        .find(|entry| entry.manager.as_deref() == Some(manager))
        .and_then(|entry| entry.fields_v1.as_ref())
        .map_or(Value::Null, |fields| fields.0.clone())
}

#[tokio::test]
async fn apply_merges_by_list_type_and_records_managers() {
    let server = TestApiServer::start().await;
    let api = widgets(&server).await;
    let a = json!({
        "parents": [{"name": "a"}],
        "conditions": [{"type": "A", "status": "True"}],
        "tags": ["a"],
    });
    api.patch_status("w", &PatchParams::apply("a"), &Patch::Apply(status(a)))
        .await
        .unwrap();
    let b = json!({"conditions": [{"type": "B", "status": "True"}], "tags": ["b"]});
    let both = api
        .patch_status("w", &PatchParams::apply("b"), &Patch::Apply(status(b)))
        .await
        .unwrap();
    assert_eq!(
        both.data["status"],
        json!({
            "parents": [{"name": "a"}],
            "conditions": [{"type": "A", "status": "True"}, {"type": "B", "status": "True"}],
            "tags": ["a", "b"],
        }),
        "map lists merge by key, set lists as sets"
    );
    assert_eq!(
        managers(&both),
        [
            ("owner".into(), "Apply".into(), String::new()),
            ("a".into(), "Apply".into(), "status".into()),
            ("b".into(), "Apply".into(), "status".into()),
        ]
    );
    assert!(fields_of(&both, "a")["f:status"]["f:parents"].is_object());
    assert!(fields_of(&both, "b")["f:status"]["f:conditions"]["k:{\"type\":\"B\"}"].is_object());

    // `a` stops applying its condition and tag: they go, `b`'s stay.
    let fewer = api
        .patch_status(
            "w",
            &PatchParams::apply("a"),
            &Patch::Apply(status(json!({"parents": [{"name": "a"}]}))),
        )
        .await
        .unwrap();
    assert_eq!(
        fewer.data["status"],
        json!({
            "parents": [{"name": "a"}],
            "conditions": [{"type": "B", "status": "True"}],
            "tags": ["b"],
        })
    );
}

#[tokio::test]
async fn another_managers_field_conflicts_unless_forced() {
    let server = TestApiServer::start().await;
    let api = widgets(&server).await;
    let mine = json!({"parents": [{"name": "a"}]});
    api.patch_status(
        "w",
        &PatchParams::apply("a"),
        &Patch::Apply(status(mine.clone())),
    )
    .await
    .unwrap();
    let theirs = status(json!({"parents": [{"name": "b"}]}));
    let refused = api
        .patch_status("w", &PatchParams::apply("b"), &Patch::Apply(&theirs))
        .await;
    match refused {
        Err(kube::Error::Api(status)) => {
            assert_eq!((status.code, status.reason.as_str()), (409, "Conflict"));
            assert!(
                status.message.contains("\"a\"") && status.message.contains(".status.parents"),
                "{}",
                status.message
            );
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    assert_eq!(
        api.get_status("w").await.unwrap().data["status"]["parents"],
        json!([{"name": "a"}]),
        "nothing written"
    );

    // The same value is shared, not a conflict.
    api.patch_status("w", &PatchParams::apply("c"), &Patch::Apply(status(mine)))
        .await
        .unwrap();

    let forced = api
        .patch_status(
            "w",
            &PatchParams::apply("b").force(),
            &Patch::Apply(&theirs),
        )
        .await
        .unwrap();
    assert_eq!(
        forced.data["status"]["parents"],
        json!([{"name": "b"}]),
        "an atomic list is replaced whole"
    );
    assert!(fields_of(&forced, "b")["f:status"]["f:parents"].is_object());
    assert!(
        fields_of(&forced, "a").is_null(),
        "the forced field left its owners"
    );
}

#[tokio::test]
async fn updates_take_the_fields_they_change() {
    let server = TestApiServer::start().await;
    let api = widgets(&server).await;
    let resized = api
        .patch(
            "w",
            &PatchParams {
                field_manager: Some("resizer".into()),
                ..PatchParams::default()
            },
            &Patch::Merge(json!({"spec": {"size": 2, "color": "red"}})),
        )
        .await
        .unwrap();
    assert_eq!(
        managers(&resized),
        [("resizer".into(), "Update".into(), String::new())],
        "the apply manager's only field moved"
    );
    let again = json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}, "spec": {"size": 1}});
    let refused = api
        .patch("w", &PatchParams::apply("owner"), &Patch::Apply(&again))
        .await;
    assert_eq!(api_code(refused), 409);
    // Without a fieldManager, the client's User-Agent names the manager.
    let renamed = api
        .patch(
            "w",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"color": "blue"}})),
        )
        .await
        .unwrap();
    let names: Vec<String> = managers(&renamed).into_iter().map(|m| m.0).collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert_ne!(names[1], "resizer");
}
