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
use serde::Serialize;
use serde_json::{Value, json};
use tower_test::mock::{self, Handle};

use super::super::backoff::Backoff;
use super::super::context::Context;
use super::super::metrics::Metrics;
use super::super::stores::Stores;
use super::*;
use crate::acm::{
    AcmOptions, CertificateDiscovery, Certificates, DiscoveryTimes, PendingCertificates, SdkAcm,
};
use crate::config::ClusterConfig;
use crate::kube::Snapshot;
use crate::kube::testing::snapshot;
use crate::lattice::{InMemoryLattice, LatticeError};
use crate::plugin::{LivePlugins, Plugin, PluginEngine, PluginSet};

type ApiHandle = Handle<Request<Body>, Response<Body>>;

/// One route of a Lattice Gateway, forwarding to a Service.
const OBJECTS: &str = include_str!("../testdata/route.yaml");

/// An IAMAuthPolicy of the route of [`OBJECTS`].
const ROUTE_POLICY: &str = include_str!("../testdata/iam-auth-policy.yaml");

/// TargetGroupPolicies of the Service of [`OBJECTS`] (see the file).
const SERVICE_POLICIES: &str = include_str!("../testdata/target-group-policies.yaml");

/// A listed (ready) store of `objects`, as its watch's first list leaves it.
fn filled<K>(mut writer: Writer<K>, objects: impl IntoIterator<Item = K>) -> reflector::Store<K>
where
    K: kube::Resource + Clone + 'static,
    K::DynamicType: Eq + std::hash::Hash + Clone,
{
    writer.apply_watcher_event(&WatchEvent::Init);
    for object in objects {
        writer.apply_watcher_event(&WatchEvent::InitApply(object));
    }
    writer.apply_watcher_event(&WatchEvent::InitDone);
    writer.as_reader()
}

/// Stores holding the objects of `snapshot`, as the watches fill them.
fn stores(snapshot: &Snapshot) -> Stores {
    Stores {
        gateway_classes: filled(Writer::default(), snapshot.gateway_classes.clone()),
        gateways: filled(Writer::default(), snapshot.gateways.clone()),
        http_routes: filled(Writer::default(), snapshot.http_routes.clone()),
        grpc_routes: filled(Writer::default(), snapshot.grpc_routes.clone()),
        tls_routes: filled(Writer::default(), snapshot.tls_routes.clone()),
        services: filled(Writer::default(), snapshot.services.clone()),
        endpoint_slices: filled(Writer::default(), snapshot.endpoint_slices.clone()),
        namespaces: filled(Writer::default(), snapshot.namespaces.clone()),
        service_exports: filled(Writer::default(), snapshot.service_exports.clone()),
        service_imports: filled(Writer::default(), snapshot.service_imports.clone()),
        policies: crate::kube::crds::policy_resources()
            .into_iter()
            .map(|resource| {
                let of_kind: Vec<_> = snapshot
                    .policies
                    .iter()
                    .filter(|policy| {
                        policy
                            .types
                            .as_ref()
                            .is_some_and(|types| types.kind == resource.kind)
                    })
                    .cloned()
                    .collect();
                filled(Writer::new(resource), of_kind)
            })
            .collect(),
        shared: Default::default(),
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
pub(in crate::controller) fn context_over(
    client: kube::Client,
    lattice: Arc<InMemoryLattice>,
    plugins: Arc<LivePlugins>,
    snapshot: &Snapshot,
) -> Arc<Context> {
    context_discovering(
        client,
        lattice,
        plugins,
        snapshot,
        Arc::new(PendingCertificates),
    )
}

/// [`context_over`], discovering certificates through `certificates`.
fn context_discovering(
    client: kube::Client,
    lattice: Arc<InMemoryLattice>,
    plugins: Arc<LivePlugins>,
    snapshot: &Snapshot,
    certificates: Arc<dyn Certificates>,
) -> Arc<Context> {
    Arc::new(Context {
        client: client.clone(),
        cluster: cluster(),
        stores: stores(snapshot),
        plugins,
        lattice,
        certificates,
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
        dns_endpoints: false,
        listener_statuses: Default::default(),
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
    reconcile_without_problems(&ctx, snapshot, &lattice, &networks).await;
    (ctx, handle, lattice)
}

/// Reconciles `object` of `snapshot` straight into `lattice`, as an earlier
/// reconcile would have, and checks that it met no problems.
async fn reconcile_without_problems(
    ctx: &Context,
    snapshot: &Snapshot,
    lattice: &InMemoryLattice,
    object: &ObjectRef,
) {
    let input = ctx.input(Arc::new(snapshot.clone()));
    let made = reconcile_object(
        &input,
        &ctx.plugins.current(),
        lattice,
        ctx.certificates.as_ref(),
        object,
    )
    .await;
    assert!(made.problems.is_empty(), "{:?}", made.problems);
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

/// Takes the next request, checks its method and path, answers `answer`;
/// returns the request's body.
async fn expect(handle: &mut ApiHandle, method: &str, path: &str, answer: impl Serialize) -> Value {
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

const ROUTE_PATH: &str = "/apis/gateway.networking.k8s.io/v1/namespaces/default/httproutes/rates";

/// Takes the next request, a patch of the route (finalizers, annotations),
/// answers `route`; returns the patch.
async fn expect_route_patch(handle: &mut ApiHandle, route: impl Serialize) -> Value {
    expect(handle, "PATCH", ROUTE_PATH, route).await
}

/// Takes the next requests, a read of the route and a merge patch of its
/// status, answers `route` to both; returns the patch.
async fn expect_route_status(handle: &mut ApiHandle, route: impl Serialize) -> Value {
    expect(handle, "GET", ROUTE_PATH, &route).await;
    expect(handle, "PATCH", &format!("{ROUTE_PATH}/status"), route).await
}

const GATEWAY_STATUS_PATH: &str =
    "/apis/gateway.networking.k8s.io/v1/namespaces/default/gateways/mesh/status";

/// Takes the next request, a merge patch of the Gateway's listener
/// statuses and addresses, answers the Gateway of `snapshot`; returns the
/// patch.
async fn expect_gateway_listeners(handle: &mut ApiHandle, snapshot: &Snapshot) -> Value {
    expect(handle, "PATCH", GATEWAY_STATUS_PATH, &snapshot.gateways[0]).await
}

/// Waits a moment for a request and checks that none comes.
async fn expect_no_request(handle: &mut ApiHandle) {
    let request = tokio::time::timeout(Duration::from_millis(200), handle.next_request()).await;
    assert!(!matches!(request, Ok(Some(_))), "no Kubernetes call");
}

/// Takes the next request, an Event posted in `default`; returns it.
async fn expect_event(handle: &mut ApiHandle) -> Value {
    let posted = json!({"apiVersion": "events.k8s.io/v1", "kind": "Event", "metadata": {"name": "e", "namespace": "default"}, "eventTime": "2026-01-01T00:00:00.000000Z"});
    expect(
        handle,
        "POST",
        "/apis/events.k8s.io/v1/namespaces/default/events",
        posted,
    )
    .await
}

#[tokio::test]
async fn a_new_route_gets_the_finalizer_first() {
    let snapshot = snapshot(OBJECTS);
    let (ctx, mut handle, lattice) = context(&snapshot).await;
    let object = route(&snapshot);
    let task = tokio::spawn(reconcile(object.clone(), ctx));
    let mut finalized = serde_json::to_value(object.as_ref()).unwrap();
    finalized["metadata"]["finalizers"] = json!(["httproute.k8s.aws/resources"]);
    let patch = expect_route_patch(&mut handle, finalized).await;
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
    let status = expect_route_status(&mut handle, object.as_ref()).await;
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
    let event = expect_event(&mut handle).await;
    assert_eq!(event["reason"], "DeploySucceed");
    assert_eq!(event["regarding"]["name"], "rates");
    let annotations = expect_route_patch(&mut handle, object.as_ref()).await;
    let service = lattice.state().services[0].clone();
    assert_eq!(
        annotations,
        json!({"metadata": {"annotations": {
            "application-networking.k8s.aws/lattice-assigned-domain-name": service.dns_entry.domain_name,
            "application-networking.k8s.aws/lattice-service-arn": service.arn,
        }}})
    );
    // Then the Gateway's listener status counts the route, and its address
    // is the route's domain name (not in the cached route yet).
    let patch = expect_gateway_listeners(&mut handle, &snapshot).await;
    assert_eq!(
        patch["status"]["addresses"],
        json!([{"type": "Hostname", "value": service.dns_entry.domain_name}])
    );
    let listener = &patch["status"]["listeners"][0];
    assert_eq!(listener["name"], "http");
    assert_eq!(listener["attachedRoutes"], 1);
    assert_eq!(
        listener["supportedKinds"],
        json!([{"group": "gateway.networking.k8s.io", "kind": "HTTPRoute"}])
    );
    let summary: Vec<String> = listener["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            format!(
                "{}={}/{} gen {} {}",
                c["type"].as_str().unwrap(),
                c["status"].as_str().unwrap(),
                c["reason"].as_str().unwrap(),
                c["observedGeneration"],
                c["lastTransitionTime"].is_string()
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            "Accepted=True/Accepted gen 1 true",
            "ResolvedRefs=True/ResolvedRefs gen 1 true",
            "Programmed=True/Programmed gen 1 true"
        ]
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
    expect_no_request(&mut handle).await;
    assert!(lattice.state().services.is_empty());
}

#[tokio::test]
async fn a_deleted_route_loses_its_service_then_its_finalizer() {
    let finalized = with_route_finalizers("other.example/keep, httproute.k8s.aws/resources");
    let snapshot = snapshot(&finalized);
    let (ctx, mut handle, lattice) = context(&snapshot).await;
    // Make the route's service first, as an earlier reconcile would have.
    let object_ref = ObjectRef::new(Kind::HttpRoute, "default", "rates");
    reconcile_without_problems(&ctx, &snapshot, &lattice, &object_ref).await;
    assert_eq!(lattice.state().services.len(), 1);

    let mut deleting = (*route(&snapshot)).clone();
    deleting.metadata.deletion_timestamp = Some(
        k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(k8s_openapi::jiff::Timestamp::now()),
    );
    let task = tokio::spawn(reconcile(Arc::new(deleting.clone()), ctx));
    expect_gateway_listeners(&mut handle, &snapshot).await;
    let event = expect_event(&mut handle).await;
    assert_eq!(event["reason"], "Deleted");
    let patch = expect_route_patch(&mut handle, &deleting).await;
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
    let object_ref = ObjectRef::new(Kind::HttpRoute, "default", "rates");
    reconcile_without_problems(&ctx, &snapshot_ok, &lattice, &object_ref).await;
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
    let status = expect_route_status(&mut handle, object.as_ref()).await;
    let accepted = &status["status"]["parents"][0]["conditions"][0];
    assert_eq!(accepted["status"], "False");
    assert_eq!(accepted["reason"], "NoMatchingParent");
    let event = expect_event(&mut handle).await;
    assert_eq!(event["type"], "Warning");
    assert_eq!(event["reason"], "NoMatchingParent");
    assert!(
        event["note"]
            .as_str()
            .unwrap()
            .starts_with("spec.parentRefs"),
        "{event}"
    );
    let listeners = expect_gateway_listeners(&mut handle, &snapshot_broken).await;
    assert_eq!(
        listeners["status"]["listeners"][0]["attachedRoutes"], 0,
        "the rejected route counts on no listener"
    );
    let action = task.await.unwrap().unwrap();
    assert_ne!(action, Action::await_change(), "looked at again later");
    assert_eq!(lattice.state(), before, "nothing deleted or changed");
}

/// [`OBJECTS`] with the Gateway's listener terminating TLS without a
/// certificate and the route naming a hostname, its finalizer on.
fn https_without_certificate() -> String {
    with_route_finalizers("httproute.k8s.aws/resources")
        .replace(
            "listeners: [{name: http, protocol: HTTP, port: 80}]",
            "listeners: [{name: https, protocol: HTTPS, port: 443, tls: {mode: Terminate}}]",
        )
        .replace(
            "parentRefs: [{name: mesh}]",
            "parentRefs: [{name: mesh}]\n  hostnames: [rates.example.com]",
        )
}

/// Discovery through the real ACM client against an emulator served on
/// 127.0.0.1 for the test (its list never cached).
async fn acm_emulator() -> (lattice_emulator::Emulator, Arc<dyn Certificates>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let emulator = lattice_emulator::Emulator::new("000000000000", "us-west-2", 10);
    tokio::spawn(emulator.clone().serve(listener));
    let builder = aws_sdk_acm::Config::builder()
        .behavior_version(aws_sdk_acm::config::BehaviorVersion::latest())
        .credentials_provider(aws_sdk_acm::config::Credentials::new(
            "AKIDEXAMPLE",
            "secret",
            None,
            None,
            "test",
        ))
        .region(aws_sdk_acm::config::Region::new("us-west-2"));
    let options = AcmOptions {
        endpoint_url: Some(url),
        max_attempts: 2,
        ..AcmOptions::default()
    };
    let times = DiscoveryTimes {
        list_ttl: Duration::ZERO,
        jitter: Duration::ZERO,
        disabled_for: Duration::ZERO,
    };
    let discovery = CertificateDiscovery::with_times(SdkAcm::with_config(builder, &options), times);
    (emulator, Arc::new(discovery))
}

#[tokio::test]
async fn a_route_without_a_certificate_in_acm_is_not_accepted_and_looked_at_in_a_minute() {
    let objects = https_without_certificate();
    let snapshot = snapshot(&objects);
    let (ctx, mut handle, lattice) = context(&snapshot).await;
    let (acm, certificates) = acm_emulator().await;
    let ctx = context_discovering(
        ctx.client.clone(),
        lattice.clone(),
        ctx.plugins.clone(),
        &snapshot,
        certificates,
    );
    let object = route(&snapshot);

    // No certificate: not accepted, nothing made, looked at in 60 s.
    let task = tokio::spawn(reconcile(object.clone(), ctx.clone()));
    let status = expect_route_status(&mut handle, object.as_ref()).await;
    let accepted = &status["status"]["parents"][0]["conditions"][0];
    assert_eq!(accepted["type"], "Accepted");
    assert_eq!(accepted["status"], "False");
    assert_eq!(accepted["reason"], "CertificateNotFound");
    assert_eq!(
        accepted["message"],
        "no matching ACM certificate found for hostname rates.example.com"
    );
    let event = expect_event(&mut handle).await;
    assert_eq!(event["type"], "Warning");
    assert_eq!(event["reason"], "CertificateNotFound");
    // The rejected route counts on no listener.
    expect_gateway_listeners(&mut handle, &snapshot).await;
    let action = task.await.unwrap().unwrap();
    assert_eq!(action, Action::requeue(Duration::from_secs(60)));
    assert!(lattice.state().services.is_empty(), "no service made");

    // Issued meanwhile: the service is made with it.
    let arn = "arn:aws:acm:us-west-2:000000000000:certificate/rates";
    acm.acm().seed(lattice_emulator::SeededCertificate::issued(
        arn,
        "*.example.com",
        1_700_000_000.0,
    ));
    let task = tokio::spawn(reconcile(object.clone(), ctx.clone()));
    let status = expect_route_status(&mut handle, object.as_ref()).await;
    assert_eq!(
        status["status"]["parents"][0]["conditions"][0]["status"],
        "True"
    );
    expect_event(&mut handle).await;
    expect_route_patch(&mut handle, object.as_ref()).await;
    expect_gateway_listeners(&mut handle, &snapshot).await;
    assert_eq!(task.await.unwrap().unwrap(), Action::await_change());
    let services = lattice.state().services;
    assert_eq!(services.len(), 1);
    assert_eq!(services[0].certificate_arn.as_deref(), Some(arn));
    let before = lattice.state();

    // Gone from ACM: not accepted again, and the live service stays.
    acm.acm().clear();
    let task = tokio::spawn(reconcile(object.clone(), ctx));
    let status = expect_route_status(&mut handle, object.as_ref()).await;
    assert_eq!(
        status["status"]["parents"][0]["conditions"][0]["reason"],
        "CertificateNotFound"
    );
    // The same warning again: the recorder updates the first event.
    let (request, respond) = handle.next_request().await.expect("an event update");
    assert!(
        request
            .uri()
            .path()
            .starts_with("/apis/events.k8s.io/v1/namespaces/default/events/"),
        "{}",
        request.uri()
    );
    respond.send_response(
        Response::builder()
            .body(Body::from(serde_json::to_vec(&event).unwrap()))
            .unwrap(),
    );
    expect_gateway_listeners(&mut handle, &snapshot).await;
    assert_eq!(
        task.await.unwrap().unwrap(),
        Action::requeue(Duration::from_secs(60))
    );
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
    let task = tokio::spawn(reconcile(gateway.clone(), ctx.clone()));
    let status = expect(
        &mut handle,
        "PATCH",
        "/apis/gateway.networking.k8s.io/v1/namespaces/default/gateways/mesh/status",
        gateway.as_ref(),
    )
    .await;
    let blocked = &status["status"]["conditions"][0];
    assert_eq!(blocked["type"], "DeletionBlocked");
    assert_eq!(blocked["status"], "True");
    let message = blocked["message"].as_str().unwrap().to_owned();
    assert!(message.contains("HTTPRoute default/rates"), "{message}");
    let event = expect_event(&mut handle).await;
    assert_eq!(event["type"], "Warning");
    assert_eq!(event["reason"], "DeletionBlocked");
    assert_eq!(event["note"], message.as_str());
    assert_eq!(event["regarding"]["name"], "mesh");
    let error = task.await.unwrap().unwrap_err();
    assert!(
        matches!(&error, Error::GatewayInUse { routes, .. } if routes == &["HTTPRoute default/rates"]),
        "{error}"
    );

    // The retry finds the condition on the Gateway: no second write or event.
    let mut reported = (*gateway).clone();
    reported.status = serde_json::from_value(status["status"].clone()).unwrap();
    let again = reconcile(Arc::new(reported), ctx.clone())
        .await
        .unwrap_err();
    assert!(matches!(again, Error::GatewayInUse { .. }), "{again}");
    assert!(
        manages(
            &ctx,
            &ctx.stores.snapshot(),
            &ObjectRef::new(Kind::HttpRoute, "default", "rates")
        ),
        "the route still has its Gateway"
    );
    expect_no_request(&mut handle).await;
}

#[tokio::test]
async fn a_policy_of_the_route_is_accepted() {
    let with_policy = format!(
        "{}---\n{ROUTE_POLICY}",
        with_route_finalizers("httproute.k8s.aws/resources")
    );
    let snapshot = snapshot(&with_policy);
    let (ctx, mut handle, lattice) = context(&snapshot).await;
    let object = route(&snapshot);
    let task = tokio::spawn(reconcile(object.clone(), ctx));
    expect_route_status(&mut handle, object.as_ref()).await;
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
    expect_event(&mut handle).await;
    expect_route_patch(&mut handle, object.as_ref()).await;
    expect_gateway_listeners(&mut handle, &snapshot).await;
    task.await.unwrap().unwrap();
    assert_eq!(lattice.state().services[0].auth_type, "AWS_IAM");
}

#[tokio::test]
async fn target_group_policies_of_a_backend_get_accepted_or_conflicted() {
    let with_policies = format!(
        "{}---\n{SERVICE_POLICIES}",
        with_route_finalizers("httproute.k8s.aws/resources")
    );
    let snapshot = snapshot(&with_policies);
    let (ctx, mut handle, lattice) = context(&snapshot).await;
    let object = route(&snapshot);
    let task = tokio::spawn(reconcile(object.clone(), ctx));
    expect_route_status(&mut handle, object.as_ref()).await;
    // The two policies of the route's Service, in either order; not the
    // policy of a Service no route names.
    let prefix =
        "/apis/application-networking.k8s.aws/v1alpha1/namespaces/default/targetgrouppolicies/";
    let mut written = std::collections::BTreeMap::new();
    for _ in 0..2 {
        let (request, respond) =
            tokio::time::timeout(Duration::from_secs(10), handle.next_request())
                .await
                .expect("a policy status write")
                .expect("the client is gone");
        assert_eq!(request.method().as_str(), "PATCH");
        let name = request
            .uri()
            .path()
            .strip_prefix(prefix)
            .and_then(|rest| rest.strip_suffix("/status"))
            .unwrap_or_else(|| panic!("unexpected {}", request.uri()))
            .to_owned();
        let body = request.into_body().collect_bytes().await.unwrap();
        let body: Value = serde_json::from_slice(&body).unwrap();
        respond.send_response(
            Response::builder()
                .body(Body::from(
                    serde_json::to_vec(&json!({"apiVersion": "application-networking.k8s.aws/v1alpha1", "kind": "TargetGroupPolicy", "metadata": {"name": name}})).unwrap(),
                ))
                .unwrap(),
        );
        written.insert(name, body["status"]["conditions"][0].clone());
    }
    let older = &written["older"];
    assert_eq!(older["type"], "Accepted");
    assert_eq!(older["status"], "True");
    assert_eq!(older["reason"], "Accepted");
    assert_eq!(older["observedGeneration"], 4);
    let newer = &written["newer"];
    assert_eq!(newer["status"], "False");
    assert_eq!(newer["reason"], "Conflicted");
    let message = newer["message"].as_str().unwrap();
    assert_eq!(message, "targetRef has conflict, policy=older");
    expect_event(&mut handle).await;
    expect_route_patch(&mut handle, object.as_ref()).await;
    expect_gateway_listeners(&mut handle, &snapshot).await;
    task.await.unwrap().unwrap();
    // The older policy's health check is the one in Lattice.
    let groups = &lattice.state().target_groups;
    assert_eq!(groups.len(), 1);
    let check = groups[0]
        .config
        .health_check
        .as_ref()
        .expect("a health check");
    assert_eq!(check.path.as_deref(), Some("/healthz"));
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

/// [`OBJECTS`] and a ServiceNetwork object `mesh` being deleted (with
/// `status`, if given), whose name the Gateway `mesh` has.
fn with_deleting_network(status: Option<&Value>) -> String {
    let status = status.map_or_else(String::new, |status| format!("status: {status}\n"));
    format!(
        "{OBJECTS}---\napiVersion: application-networking.k8s.aws/v1alpha1\nkind: ServiceNetwork\n\
         metadata: {{name: mesh, generation: 1, finalizers: [servicenetwork.k8s.aws/resources], \
         deletionTimestamp: '2026-01-01T00:00:00Z'}}\n{status}"
    )
}

#[tokio::test]
async fn a_deleted_service_network_object_names_its_gateway_once() {
    let deleting = snapshot(&with_deleting_network(None));
    let (ctx, mut handle, lattice) = context(&deleting).await;
    let done = Reconciled {
        calls: Vec::new(),
        problems: Vec::new(),
        statuses: Vec::new(),
        produced_by: Vec::new(),
        dns_endpoints: Vec::new(),
        subscriptions: Vec::new(),
    };
    let object = deleting.policies[0].clone();
    let running = ctx.clone();
    let pass = done.clone();
    let task =
        tokio::spawn(
            async move { super::super::service_networks::reconcile(&running, &pass).await },
        );
    let status = expect(
        &mut handle,
        "PATCH",
        "/apis/application-networking.k8s.aws/v1alpha1/servicenetworks/mesh/status",
        &object,
    )
    .await;
    let conditions = &status["status"]["conditions"];
    assert_eq!(conditions[1]["reason"], "DeleteBlocked");
    assert_eq!(conditions[2]["type"], "DeletionBlocked");
    let message = conditions[2]["message"].as_str().unwrap().to_owned();
    assert!(message.contains("Gateway default/mesh"), "{message}");
    let event = expect_event(&mut handle).await;
    assert_eq!(
        (event["type"].as_str(), event["reason"].as_str()),
        (Some("Warning"), Some("DeletionBlocked"))
    );
    assert_eq!(event["note"], message.as_str());
    task.await.unwrap();
    assert!(
        !lattice.state().service_networks.is_empty(),
        "the network stays"
    );

    // The next run sees its own condition: no write, no second event.
    let reported = snapshot(&with_deleting_network(Some(&status["status"])));
    let ctx = context_over(ctx.client.clone(), lattice, ctx.plugins.clone(), &reported);
    super::super::service_networks::reconcile(&ctx, &done).await;
    expect_no_request(&mut handle).await;
}
