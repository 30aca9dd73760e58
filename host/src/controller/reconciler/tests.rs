//! Scenario tests of the reconciler against a scripted mock API server
//! (`tower_test::mock`): each expected Kubernetes call is asserted (method,
//! path, body) and answered; a call that never comes, or one that was not
//! expected, fails the test.

use std::sync::Arc;
use std::time::Duration;

use gateway_api::apis::standard::httproutes::HttpRoute;
use http::{Request, Response};
use kube::client::Body;
use kube::runtime::events::{Recorder, Reporter};
use kube::runtime::reflector::{self, store::Writer};
use kube::runtime::watcher::Event as WatchEvent;
use serde_json::{Value, json};
use tower_test::mock::{self, Handle};

use super::super::backoff::Backoff;
use super::super::context::Context;
use super::super::metrics::Metrics;
use super::super::stores::Stores;
use super::*;
use crate::config::ClusterConfig;
use crate::kube::Snapshot;
use crate::lattice::{InMemoryLattice, LatticeError};
use crate::plugin::{LivePlugins, Plugin, PluginEngine, PluginSet};

type ApiHandle = Handle<Request<Body>, Response<Body>>;

const OBJECTS: &str = r#"
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: amazon-vpc-lattice}
spec: {controllerName: application-networking.k8s.aws/gateway-api-controller}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: mesh, namespace: default, generation: 1}
spec:
  gatewayClassName: amazon-vpc-lattice
  listeners: [{name: http, protocol: HTTP, port: 80}]
---
apiVersion: v1
kind: Service
metadata: {name: rates, namespace: default}
spec: {ports: [{port: 80}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: rates, namespace: default, generation: 3, resourceVersion: "7"}
spec:
  parentRefs: [{name: mesh}]
  rules: [{backendRefs: [{name: rates, port: 80}]}]
"#;

fn snapshot(yaml: &str) -> Snapshot {
    crate::kube::manifests::parse_manifests(std::path::Path::new("objects.yaml"), yaml)
        .expect("manifests")
        .snapshot
}

fn filled<K>(objects: &[K]) -> reflector::Store<K>
where
    K: kube::Resource<DynamicType = ()> + Clone + 'static,
{
    let mut writer: Writer<K> = Writer::default();
    writer.apply_watcher_event(&WatchEvent::Init);
    for object in objects {
        writer.apply_watcher_event(&WatchEvent::InitApply(object.clone()));
    }
    writer.apply_watcher_event(&WatchEvent::InitDone);
    writer.as_reader()
}

fn stores(snapshot: &Snapshot) -> Stores {
    Stores {
        gateway_classes: filled(&snapshot.gateway_classes),
        gateways: filled(&snapshot.gateways),
        http_routes: filled(&snapshot.http_routes),
        grpc_routes: filled(&snapshot.grpc_routes),
        tls_routes: filled(&snapshot.tls_routes),
        services: filled(&snapshot.services),
        endpoint_slices: filled(&snapshot.endpoint_slices),
        namespaces: filled(&snapshot.namespaces),
        service_exports: filled(&snapshot.service_exports),
        service_imports: filled(&snapshot.service_imports),
        policies: crate::kube::crds::policy_resources()
            .into_iter()
            .map(|resource| {
                let kind = resource.kind.clone();
                let mut writer = Writer::new(resource);
                writer.apply_watcher_event(&WatchEvent::Init);
                for policy in snapshot.policies.iter().filter(|policy| {
                    policy
                        .types
                        .as_ref()
                        .is_some_and(|types| types.kind == kind)
                }) {
                    writer.apply_watcher_event(&WatchEvent::InitApply(policy.clone()));
                }
                writer.apply_watcher_event(&WatchEvent::InitDone);
                writer.as_reader()
            })
            .collect(),
    }
}

fn cluster() -> ClusterConfig {
    ClusterConfig {
        default_service_network: Some("mesh".into()),
        ..ClusterConfig::local()
    }
}

/// A context over the API server `client`, `lattice` and the objects of
/// `snapshot`.
fn context_over(
    client: kube::Client,
    lattice: Arc<InMemoryLattice>,
    plugins: Arc<LivePlugins>,
    snapshot: &Snapshot,
) -> Arc<Context> {
    Arc::new(Context {
        client: client.clone(),
        cluster: cluster(),
        stores: stores(snapshot),
        plugins,
        lattice,
        recorder: Recorder::new(
            client,
            Reporter {
                controller: "trellis".into(),
                instance: None,
            },
        ),
        metrics: Arc::new(Metrics::new(None)),
        resync: None,
        backoff: Backoff::default(),
    })
}

/// A context over a mock API server and an in-memory Lattice that holds
/// the service network `mesh`.
async fn context(snapshot: &Snapshot) -> (Arc<Context>, ApiHandle, Arc<InMemoryLattice>) {
    let (service, handle) = mock::pair::<Request<Body>, Response<Body>>();
    let client = kube::Client::new(service, "default");
    let engine = PluginEngine::new().unwrap();
    let plugins = PluginSet::stock(Plugin::default_plugin(&engine).unwrap());
    let lattice = Arc::new(InMemoryLattice::new("000000000000", "us-west-2"));
    let ctx = context_over(
        client,
        lattice.clone(),
        Arc::new(LivePlugins::new(plugins)),
        snapshot,
    );
    let networks = ObjectRef::new(Kind::ServiceNetwork, "", "");
    let input = ctx.input(snapshot.clone());
    let made = reconcile_object(&input, &ctx.plugins.current(), lattice.as_ref(), &networks).await;
    assert!(made.problems.is_empty(), "{:?}", made.problems);
    (ctx, handle, lattice)
}

/// [`OBJECTS`] with the route carrying `finalizers`.
fn with_route_finalizers(finalizers: &str) -> String {
    OBJECTS.replace(
        "name: rates, namespace: default, generation: 3,",
        &format!("name: rates, namespace: default, generation: 3, finalizers: [{finalizers}],"),
    )
}

fn route(snapshot: &Snapshot) -> Arc<HttpRoute> {
    Arc::new(snapshot.http_routes[0].clone())
}

/// Takes the next request, checks its method and path, answers `answer`.
async fn expect(handle: &mut ApiHandle, method: &str, path: &str, answer: Value) -> Value {
    let (request, respond) = tokio::time::timeout(Duration::from_secs(10), handle.next_request())
        .await
        .unwrap_or_else(|_| panic!("expected {method} {path}, but no request came"))
        .expect("the client is gone");
    assert_eq!(request.method().as_str(), method, "{}", request.uri());
    assert_eq!(request.uri().path(), path);
    let body = request.into_body().collect_bytes().await.unwrap();
    let body = serde_json::from_slice(&body).unwrap_or(Value::Null);
    respond.send_response(
        Response::builder()
            .body(Body::from(serde_json::to_vec(&answer).unwrap()))
            .unwrap(),
    );
    body
}

fn event_answer() -> Value {
    json!({"apiVersion": "events.k8s.io/v1", "kind": "Event", "metadata": {"name": "e", "namespace": "default"}, "eventTime": "2026-01-01T00:00:00.000000Z"})
}

const ROUTE_PATH: &str = "/apis/gateway.networking.k8s.io/v1/namespaces/default/httproutes/rates";

#[tokio::test]
async fn a_new_route_gets_the_finalizer_first() {
    let snapshot = snapshot(OBJECTS);
    let (ctx, mut handle, lattice) = context(&snapshot).await;
    let object = route(&snapshot);
    let task = tokio::spawn(reconcile(object.clone(), ctx));
    let mut finalized = serde_json::to_value(object.as_ref()).unwrap();
    finalized["metadata"]["finalizers"] = json!(["httproute.k8s.aws/resources"]);
    let patch = expect(&mut handle, "PATCH", ROUTE_PATH, finalized).await;
    assert_eq!(
        patch,
        json!([
            {"op": "test", "path": "/metadata/finalizers", "value": null},
            {"op": "add", "path": "/metadata/finalizers", "value": ["httproute.k8s.aws/resources"]}
        ])
    );
    let action = task.await.unwrap().unwrap();
    assert_eq!(
        action,
        Action::await_change(),
        "the patch's watch event reconciles again"
    );
    assert!(
        lattice.state().services.is_empty(),
        "nothing applied before the finalizer is on"
    );
}

#[tokio::test]
async fn a_finalized_route_is_applied_then_its_status_and_an_event_are_written() {
    let finalized = with_route_finalizers("httproute.k8s.aws/resources");
    let snapshot = snapshot(&finalized);
    let (ctx, mut handle, lattice) = context(&snapshot).await;
    let object = route(&snapshot);
    let task = tokio::spawn(reconcile(object.clone(), ctx));
    let status = expect(
        &mut handle,
        "PATCH",
        &format!("{ROUTE_PATH}/status"),
        serde_json::to_value(object.as_ref()).unwrap(),
    )
    .await;
    let parent = &status["status"]["parents"][0];
    assert_eq!(parent["parentRef"], json!({"name": "mesh"}));
    assert_eq!(parent["controllerName"], normalize::CONTROLLER_NAME);
    let summary: Vec<String> = parent["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            format!(
                "{}={} gen {}",
                c["type"].as_str().unwrap(),
                c["status"].as_str().unwrap(),
                c["observedGeneration"]
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            "Accepted=True gen 3",
            "ResolvedRefs=True gen 3",
            "Programmed=True gen 3"
        ]
    );
    assert!(
        parent["conditions"][0]["message"]
            .as_str()
            .unwrap()
            .contains(&format!("default {}", env!("CARGO_PKG_VERSION")))
    );
    let event = expect(
        &mut handle,
        "POST",
        "/apis/events.k8s.io/v1/namespaces/default/events",
        event_answer(),
    )
    .await;
    assert_eq!(event["reason"], "DeploySucceed");
    assert_eq!(event["regarding"]["name"], "rates");
    let annotations = expect(
        &mut handle,
        "PATCH",
        ROUTE_PATH,
        serde_json::to_value(object.as_ref()).unwrap(),
    )
    .await;
    let service = lattice.state().services[0].clone();
    assert_eq!(
        annotations,
        json!({"metadata": {"annotations": {
            "application-networking.k8s.aws/lattice-assigned-domain-name": service.dns_entry.domain_name,
            "application-networking.k8s.aws/lattice-service-arn": service.arn,
        }}})
    );
    assert_eq!(task.await.unwrap().unwrap(), Action::await_change());
}

#[tokio::test]
async fn a_route_of_another_gateway_class_is_not_touched() {
    let foreign = OBJECTS.replace(
        "gatewayClassName: amazon-vpc-lattice",
        "gatewayClassName: istio",
    );
    let snapshot = snapshot(&foreign);
    let (ctx, mut handle, lattice) = context(&snapshot).await;
    let action = reconcile(route(&snapshot), ctx).await.unwrap();
    assert_eq!(action, Action::await_change());
    let request = tokio::time::timeout(Duration::from_millis(200), handle.next_request()).await;
    assert!(!matches!(request, Ok(Some(_))), "no Kubernetes call");
    assert!(lattice.state().services.is_empty());
}

#[tokio::test]
async fn a_deleted_route_loses_its_service_then_its_finalizer() {
    let finalized = with_route_finalizers("other.example/keep, httproute.k8s.aws/resources");
    let snapshot = snapshot(&finalized);
    let (ctx, mut handle, lattice) = context(&snapshot).await;
    // Make the route's service first, as an earlier reconcile would have.
    let input = ctx.input(snapshot.clone());
    let object_ref = ObjectRef::new(Kind::HttpRoute, "default", "rates");
    let made = reconcile_object(
        &input,
        &ctx.plugins.current(),
        lattice.as_ref(),
        &object_ref,
    )
    .await;
    assert!(made.problems.is_empty(), "{:?}", made.problems);
    assert_eq!(lattice.state().services.len(), 1);

    let mut deleting = (*route(&snapshot)).clone();
    deleting.metadata.deletion_timestamp = Some(
        k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(k8s_openapi::jiff::Timestamp::now()),
    );
    let task = tokio::spawn(reconcile(Arc::new(deleting.clone()), ctx));
    let event = expect(
        &mut handle,
        "POST",
        "/apis/events.k8s.io/v1/namespaces/default/events",
        event_answer(),
    )
    .await;
    assert_eq!(event["reason"], "Deleted");
    let patch = expect(
        &mut handle,
        "PATCH",
        ROUTE_PATH,
        serde_json::to_value(&deleting).unwrap(),
    )
    .await;
    assert_eq!(
        patch,
        json!([
            {"op": "test", "path": "/metadata/finalizers/1", "value": "httproute.k8s.aws/resources"},
            {"op": "remove", "path": "/metadata/finalizers/1"}
        ]),
        "only Trellis's finalizer is removed, after a test"
    );
    task.await.unwrap().unwrap();
    let state = lattice.state();
    assert!(state.services.is_empty() && state.target_groups.is_empty());
}

#[tokio::test]
async fn a_broken_route_reports_without_deleting_anything() {
    let finalized = with_route_finalizers("httproute.k8s.aws/resources");
    let snapshot_ok = snapshot(&finalized);
    let (ctx, mut handle, lattice) = context(&snapshot_ok).await;
    let input = ctx.input(snapshot_ok.clone());
    let object_ref = ObjectRef::new(Kind::HttpRoute, "default", "rates");
    reconcile_object(
        &input,
        &ctx.plugins.current(),
        lattice.as_ref(),
        &object_ref,
    )
    .await;
    let before = lattice.state();

    // The same route now points at a listener the Gateway does not have.
    let broken = finalized.replace(
        "parentRefs: [{name: mesh}]",
        "parentRefs: [{name: mesh, sectionName: https}]",
    );
    let snapshot_broken = snapshot(&broken);
    let ctx = context_over(
        ctx.client.clone(),
        lattice.clone(),
        ctx.plugins.clone(),
        &snapshot_broken,
    );
    let object = route(&snapshot_broken);
    let task = tokio::spawn(reconcile(object.clone(), ctx));
    let status = expect(
        &mut handle,
        "PATCH",
        &format!("{ROUTE_PATH}/status"),
        serde_json::to_value(object.as_ref()).unwrap(),
    )
    .await;
    let accepted = &status["status"]["parents"][0]["conditions"][0];
    assert_eq!(accepted["status"], "False");
    assert_eq!(accepted["reason"], "NoMatchingParent");
    let event = expect(
        &mut handle,
        "POST",
        "/apis/events.k8s.io/v1/namespaces/default/events",
        event_answer(),
    )
    .await;
    assert_eq!(event["type"], "Warning");
    assert_eq!(event["reason"], "NoMatchingParent");
    assert!(
        event["note"]
            .as_str()
            .unwrap()
            .starts_with("spec.parentRefs"),
        "{event}"
    );
    let action = task.await.unwrap().unwrap();
    assert_ne!(action, Action::await_change(), "looked at again later");
    assert_eq!(lattice.state(), before, "nothing deleted or changed");
}

#[tokio::test]
async fn a_deleted_gateway_waits_for_its_routes_and_keeps_serving_them() {
    let deleting = OBJECTS.replace(
        "metadata: {name: mesh, namespace: default, generation: 1}",
        "metadata: {name: mesh, namespace: default, generation: 1, finalizers: [gateway.k8s.aws/resources], deletionTimestamp: '2026-01-01T00:00:00Z'}",
    );
    let snapshot = snapshot(&deleting);
    let (ctx, mut handle, _lattice) = context(&snapshot).await;
    let gateway = Arc::new(snapshot.gateways[0].clone());
    let error = reconcile(gateway, ctx.clone()).await.unwrap_err();
    assert!(
        matches!(&error, Error::GatewayInUse { route, .. } if route == "default/rates"),
        "{error}"
    );
    assert!(
        manages(
            &ctx,
            &ctx.stores.snapshot(),
            &ObjectRef::new(Kind::HttpRoute, "default", "rates")
        ),
        "the route still has its Gateway"
    );
    let request = tokio::time::timeout(Duration::from_millis(200), handle.next_request()).await;
    assert!(!matches!(request, Ok(Some(_))), "no Kubernetes call");
}

#[tokio::test]
async fn a_policy_of_the_route_is_accepted() {
    let with_policy = format!(
        "{}---\napiVersion: application-networking.k8s.aws/v1alpha1\nkind: IAMAuthPolicy\n\
         metadata: {{name: allow-all, namespace: default, generation: 2}}\n\
         spec:\n  targetRef: {{group: gateway.networking.k8s.io, kind: HTTPRoute, name: rates}}\n\
         \x20 policy: '{{\"Version\": \"2012-10-17\", \"Statement\": [{{\"Effect\": \"Allow\", \"Principal\": \"*\", \"Action\": \"vpc-lattice-svcs:Invoke\", \"Resource\": \"*\"}}]}}'\n",
        with_route_finalizers("httproute.k8s.aws/resources")
    );
    let snapshot = snapshot(&with_policy);
    let (ctx, mut handle, lattice) = context(&snapshot).await;
    let object = route(&snapshot);
    let task = tokio::spawn(reconcile(object.clone(), ctx));
    let route_json = serde_json::to_value(object.as_ref()).unwrap();
    expect(
        &mut handle,
        "PATCH",
        &format!("{ROUTE_PATH}/status"),
        route_json.clone(),
    )
    .await;
    let policy = expect(
        &mut handle,
        "PATCH",
        "/apis/application-networking.k8s.aws/v1alpha1/namespaces/default/iamauthpolicies/allow-all/status",
        json!({"apiVersion": "application-networking.k8s.aws/v1alpha1", "kind": "IAMAuthPolicy", "metadata": {"name": "allow-all"}}),
    )
    .await;
    let accepted = &policy["status"]["conditions"][0];
    assert_eq!(accepted["type"], "Accepted");
    assert_eq!(accepted["status"], "True");
    assert_eq!(accepted["observedGeneration"], 2);
    expect(
        &mut handle,
        "POST",
        "/apis/events.k8s.io/v1/namespaces/default/events",
        event_answer(),
    )
    .await;
    expect(&mut handle, "PATCH", ROUTE_PATH, route_json).await;
    task.await.unwrap().unwrap();
    assert_eq!(lattice.state().services[0].auth_type, "AWS_IAM");
}

#[test]
fn a_throttled_lattice_call_is_retried_as_transient_and_a_refused_one_is_not() {
    let backoff = Backoff::default();
    let route = ObjectRef::new(Kind::HttpRoute, "apps", "rates");
    let throttled = Error::from(LatticeError::Throttled {
        message: "Rate exceeded".into(),
    });
    let refused = Error::from(LatticeError::Validation {
        field: "name".into(),
        message: "too long".into(),
    });
    assert!(throttled.is_transient());
    assert_eq!(throttled.metric_label(), "lattice_transient");
    assert!(!refused.is_transient());
    assert_eq!(refused.metric_label(), "lattice");

    // A transient failure backs off from seconds, doubling.
    assert_eq!(
        retry_delay(&backoff, &route, &throttled),
        Duration::from_secs(5)
    );
    assert_eq!(
        retry_delay(&backoff, &route, &throttled),
        Duration::from_secs(10)
    );
    // A permanent one waits the longest backoff at once.
    let other = ObjectRef::new(Kind::HttpRoute, "apps", "other");
    assert_eq!(
        retry_delay(&backoff, &other, &refused),
        Duration::from_secs(300)
    );
}
