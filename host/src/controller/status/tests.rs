//! Route status against the Kubernetes test API server, through the real
//! kube client: the parents of other controllers survive Trellis's writes.

use gateway_api::apis::standard::httproutes::HttpRoute;
use kube::api::Api;
use kube_test_server::TestApiServer;

use super::*;
use crate::object::{Kind, ObjectRef};
use crate::reconcile::Condition;

/// HTTPRoute as the Gateway API v1.5.1 CRD declares the part of its status
/// that matters here: `status.parents` an atomic list, each parent's
/// `conditions` a map list keyed by `type`.
const HTTP_ROUTES: &str = r#"
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: httproutes.gateway.networking.k8s.io}
spec:
  group: gateway.networking.k8s.io
  names: {kind: HTTPRoute, plural: httproutes}
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
          status:
            type: object
            properties:
              parents:
                type: array
                maxItems: 32
                x-kubernetes-list-type: atomic
                items:
                  type: object
                  properties:
                    conditions:
                      type: array
                      x-kubernetes-list-type: map
                      x-kubernetes-list-map-keys: [type]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: rates, namespace: default}
spec:
  parentRefs: [{name: mesh}, {name: edge}]
  rules: [{backendRefs: [{name: rates, port: 80}]}]
"#;

const OTHER_CONTROLLER: &str = "example.com/edge-controller";

fn route_status(accepted: &'static str, reason: &str) -> ObjectStatus {
    ObjectStatus {
        cluster: "test".into(),
        object: ObjectRef::new(Kind::HttpRoute, "default", "rates"),
        conditions: vec![Condition {
            type_: "Accepted",
            status: accepted,
            reason: reason.into(),
            message: String::new(),
        }],
        gateway: None,
    }
}

fn client(server: &TestApiServer) -> kube::Client {
    let config = kube::Config::new(server.url().parse().unwrap());
    kube::Client::try_from(config).unwrap()
}

/// The live route's parents as (controllerName, parent name, Accepted
/// status).
async fn parents(api: &Api<HttpRoute>) -> Vec<(String, String, String)> {
    let route = serde_json::to_value(api.get_status("rates").await.unwrap()).unwrap();
    parents_of(&route)
        .iter()
        .map(|entry| {
            let field = |value: &Value| value.as_str().unwrap_or_default().to_owned();
            (
                field(&entry["controllerName"]),
                field(&entry["parentRef"]["name"]),
                field(&entry["conditions"][0]["status"]),
            )
        })
        .collect()
}

#[tokio::test]
async fn other_controllers_parents_survive_route_status_writes() {
    let server = TestApiServer::start().await;
    server.apply_manifests(HTTP_ROUTES).unwrap();
    let client = client(&server);
    let api: Api<HttpRoute> = Api::namespaced(client.clone(), "default");
    // The route as Trellis's cache holds it: without any status.
    let cached = api.get("rates").await.unwrap();

    // Another controller reports on its own parent, by server-side apply.
    let theirs = json!({
        "apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
        "metadata": {"name": "rates"},
        "status": {"parents": [{
            "parentRef": {"name": "edge"},
            "controllerName": OTHER_CONTROLLER,
            "conditions": [{"type": "Accepted", "status": "True", "reason": "Accepted",
                "message": "", "lastTransitionTime": "2026-01-01T00:00:00Z"}],
        }]},
    });
    api.patch_status(
        "rates",
        &PatchParams::apply("edge-controller"),
        &Patch::Apply(&theirs),
    )
    .await
    .unwrap();

    let mesh = [json!({"name": "mesh"})];
    write_route(
        client.clone(),
        &cached,
        &mesh,
        &route_status("True", "Accepted"),
        "default 1",
    )
    .await
    .unwrap();
    let edge = (
        OTHER_CONTROLLER.to_owned(),
        "edge".to_owned(),
        "True".to_owned(),
    );
    let mine = |status: &str| {
        (
            CONTROLLER_NAME.to_owned(),
            "mesh".to_owned(),
            status.to_owned(),
        )
    };
    assert_eq!(parents(&api).await, [edge.clone(), mine("True")]);

    // A change of Trellis's conditions, written from the stale cache,
    // replaces only Trellis's entry.
    write_route(
        client.clone(),
        &cached,
        &mesh,
        &route_status("False", "NoMatchingParent"),
        "default 1",
    )
    .await
    .unwrap();
    assert_eq!(parents(&api).await, [edge.clone(), mine("False")]);

    // Unchanged conditions: no write at all.
    let before = api.get("rates").await.unwrap().metadata.resource_version;
    let live = api.get("rates").await.unwrap();
    write_route(
        client.clone(),
        &live,
        &mesh,
        &route_status("False", "NoMatchingParent"),
        "default 1",
    )
    .await
    .unwrap();
    assert_eq!(
        api.get("rates").await.unwrap().metadata.resource_version,
        before
    );

    // What the server makes visible: the whole-list apply Trellis did
    // before would have dropped the other controller's entry.
    let whole = json!({"parents": [{"parentRef": {"name": "mesh"}, "controllerName": CONTROLLER_NAME, "conditions": []}]});
    apply_status(
        client,
        &ApiResource::erase::<HttpRoute>(&()),
        Some("default"),
        "rates",
        whole,
    )
    .await
    .unwrap();
    assert!(!parents(&api).await.contains(&edge));
}

#[test]
fn merged_parents_replace_only_trellis_entries() {
    let existing = vec![
        json!({"parentRef": {"name": "a"}, "controllerName": CONTROLLER_NAME}),
        json!({"parentRef": {"name": "b"}, "controllerName": OTHER_CONTROLLER}),
        json!({"parentRef": {"name": "stale"}, "controllerName": CONTROLLER_NAME}),
    ];
    let mine = vec![
        json!({"parentRef": {"name": "a"}, "controllerName": CONTROLLER_NAME, "conditions": []}),
    ];
    let merged = merged_parents(&existing, mine.clone());
    assert_eq!(merged, [existing[1].clone(), mine[0].clone()]);
}

/// Answers the next request of `handle` with `code` and `body`; returns the
/// request's method and body.
async fn answer(
    handle: &mut tower_test::mock::Handle<
        http::Request<kube::client::Body>,
        http::Response<kube::client::Body>,
    >,
    code: u16,
    body: Value,
) -> (String, Value) {
    let (request, respond) = handle.next_request().await.expect("a request");
    let method = request.method().to_string();
    let sent = request.into_body().collect_bytes().await.unwrap();
    respond.send_response(
        http::Response::builder()
            .status(code)
            .body(kube::client::Body::from(serde_json::to_vec(&body).unwrap()))
            .unwrap(),
    );
    (method, serde_json::from_slice(&sent).unwrap_or(Value::Null))
}

/// A route's status write against a mock API server that answers every
/// write with a conflict `conflicts` times: the writes made, and the
/// result.
async fn write_with_conflicts(conflicts: u32) -> (Vec<Value>, Result<(), kube::Error>) {
    let (service, mut handle) = tower_test::mock::pair();
    let client = kube::Client::new(service, "default");
    let route: HttpRoute = serde_json::from_value(json!({
        "apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
        "metadata": {"name": "rates", "namespace": "default", "generation": 1},
        "spec": {"parentRefs": [{"name": "mesh"}]},
    }))
    .unwrap();
    let task = tokio::spawn(async move {
        write_route(
            client,
            &route,
            &[json!({"name": "mesh"})],
            &route_status("True", "Accepted"),
            "default 1",
        )
        .await
    });
    let conflict = json!({"kind": "Status", "apiVersion": "v1", "status": "Failure",
        "reason": "Conflict", "code": 409, "message": "the object has been modified"});
    let mut writes = Vec::new();
    for attempt in 1.. {
        let live = json!({
            "apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
            "metadata": {"name": "rates", "namespace": "default", "resourceVersion": attempt.to_string()},
            "status": {"parents": [{"parentRef": {"name": "edge"}, "controllerName": OTHER_CONTROLLER}]},
        });
        let (method, _) = answer(&mut handle, 200, live.clone()).await;
        assert_eq!(method, "GET", "a fresh read before each write");
        let (code, body) = if attempt <= conflicts {
            (409, conflict.clone())
        } else {
            (200, live)
        };
        let (method, patch) = answer(&mut handle, code, body).await;
        assert_eq!(method, "PATCH");
        writes.push(patch);
        if code == 200 || attempt == ROUTE_STATUS_ATTEMPTS {
            break;
        }
    }
    (writes, task.await.unwrap())
}

#[tokio::test]
async fn a_conflict_is_retried_with_a_fresh_read_a_bounded_number_of_times() {
    let (writes, result) = write_with_conflicts(1).await;
    result.unwrap();
    let versions: Vec<&Value> = writes
        .iter()
        .map(|patch| &patch["metadata"]["resourceVersion"])
        .collect();
    assert_eq!(versions, [&json!("1"), &json!("2")]);
    let parents = &writes[1]["status"]["parents"];
    assert_eq!(parents[0]["controllerName"], OTHER_CONTROLLER);
    assert_eq!(parents[1]["controllerName"], CONTROLLER_NAME);

    let (writes, result) = write_with_conflicts(u32::MAX).await;
    assert_eq!(writes.len(), ROUTE_STATUS_ATTEMPTS as usize);
    assert!(
        matches!(result, Err(kube::Error::Api(status)) if status.code == 409),
        "the last conflict is the error"
    );
}
