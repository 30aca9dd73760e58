//! The watches: one reflector per kind fills its store and turns each
//! change into triggers for the root objects it affects
//! ([`super::triggers::affected`]).
//!
//! Contract: during a (re)list, a root object triggers only itself and
//! other objects trigger nothing (every root is reconciled once the list is
//! done anyway); afterwards every added, modified or deleted object
//! triggers exactly the roots that read it. A listed, added or modified
//! object also gets its own work ([`Watched::own_work`]: a Service carrying
//! upstream's legacy finalizer is sent to its removal). A modification of
//! nothing but the object's status triggers nothing
//! ([`super::status_only`]). Watch errors are logged and the watch retries
//! with kube-runtime's default backoff.

use std::fmt::Debug;
use std::hash::Hash;
use std::sync::Arc;

use futures::channel::mpsc::{self, UnboundedReceiver, UnboundedSender};
use futures::future::BoxFuture;
use futures::{FutureExt, Stream, StreamExt};
use gateway_api::apis::standard::{
    gatewayclasses::GatewayClass, gateways::Gateway, grpcroutes::GrpcRoute, httproutes::HttpRoute,
    tlsroutes::TlsRoute,
};
use k8s_openapi::api::core::v1::{Namespace, Service};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use kube::ResourceExt;
use kube::api::Api;
use kube::core::{ApiResource, DynamicObject};
use kube::runtime::WatchStreamExt;
use kube::runtime::reflector::{self, ObjectRef as KubeRef, Store, store::Writer};
use kube::runtime::watcher::{self, Event};
use kube::{Client, Resource};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::task::JoinSet;

use super::legacy_finalizer;
use super::status_only::StatusOnly;
use super::stores::Stores;
use super::triggers::{Change, affected};
use crate::kube::TypedKind;
use crate::kube::crds::policy_target;
use crate::kube::crds::{ServiceExport, ServiceImport, policy_resources};
use crate::object::{Kind, ObjectRef};

/// A kind the controller watches: how a change of one of its objects is
/// described (what [`affected`] maps to roots).
pub trait Watched:
    TypedKind + Clone + Serialize + DeserializeOwned + Debug + Send + Sync + 'static
{
    /// The change `object` makes.
    fn change(object: &Self) -> Change;

    /// Work on `object` itself that its listing, addition or modification
    /// calls for, beside the roots it affects; none unless a kind says so.
    fn own_work(_object: &Self, _triggers: &Triggers) {}
}

/// Roots are a change of their own.
macro_rules! roots {
    ($($root:ty),*) => {
        $(impl Watched for $root {
            fn change(object: &Self) -> Change {
                Change::Root(TypedKind::reference(object))
            }
        })*
    };
}
roots!(Gateway, HttpRoute, GrpcRoute, TlsRoute, ServiceExport);

impl Watched for GatewayClass {
    fn change(class: &Self) -> Change {
        Change::GatewayClass(class.name_any())
    }
}

impl Watched for Service {
    fn change(service: &Self) -> Change {
        Change::Service(service.namespace().unwrap_or_default(), service.name_any())
    }

    /// A Service carrying upstream's legacy finalizer goes to its removal.
    fn own_work(service: &Self, triggers: &Triggers) {
        if legacy_finalizer::carries(service) {
            send(
                &triggers.legacy_finalizers,
                &service.namespace().unwrap_or_default(),
                &service.name_any(),
            );
        }
    }
}

impl Watched for EndpointSlice {
    fn change(slice: &Self) -> Change {
        Change::EndpointSlice(
            slice.namespace().unwrap_or_default(),
            slice.labels().get("kubernetes.io/service-name").cloned(),
        )
    }
}

impl Watched for Namespace {
    fn change(namespace: &Self) -> Change {
        Change::Namespace(namespace.name_any())
    }
}

impl Watched for ServiceImport {
    fn change(import: &Self) -> Change {
        Change::ServiceImport(import.namespace().unwrap_or_default(), import.name_any())
    }
}

/// The change a policy object of `kind` makes: its `spec.targetRef`, or a
/// ServiceNetwork object.
pub fn policy_change(kind: Kind) -> impl Fn(&DynamicObject) -> Change + Send + 'static {
    move |object| match kind {
        Kind::ServiceNetwork => Change::ServiceNetwork(object.name_any()),
        kind => Change::Policy {
            kind,
            target: policy_target(object),
        },
    }
}

/// Where the triggers of each root kind go.
#[derive(Clone)]
pub struct Triggers {
    gateways: UnboundedSender<KubeRef<Gateway>>,
    http_routes: UnboundedSender<KubeRef<HttpRoute>>,
    grpc_routes: UnboundedSender<KubeRef<GrpcRoute>>,
    tls_routes: UnboundedSender<KubeRef<TlsRoute>>,
    service_exports: UnboundedSender<KubeRef<ServiceExport>>,
    /// The cluster's service networks (default network, ServiceNetwork
    /// objects): any value means "reconcile them".
    networks: UnboundedSender<()>,
    /// Services carrying upstream's legacy finalizer ([`legacy_finalizer`]).
    legacy_finalizers: UnboundedSender<KubeRef<Service>>,
    /// The statuses of policies no root writes
    /// ([`super::policy_statuses`]): any value means "look again".
    policies: UnboundedSender<()>,
}

/// The receiving ends of [`Triggers`]: one stream per root kind's
/// controller, and the cluster-level task's.
pub struct TriggerStreams {
    pub gateways: UnboundedReceiver<KubeRef<Gateway>>,
    pub http_routes: UnboundedReceiver<KubeRef<HttpRoute>>,
    pub grpc_routes: UnboundedReceiver<KubeRef<GrpcRoute>>,
    pub tls_routes: UnboundedReceiver<KubeRef<TlsRoute>>,
    pub service_exports: UnboundedReceiver<KubeRef<ServiceExport>>,
    pub networks: UnboundedReceiver<()>,
    pub legacy_finalizers: UnboundedReceiver<KubeRef<Service>>,
    pub policies: UnboundedReceiver<()>,
}

impl Triggers {
    /// New triggers and the streams they feed.
    pub fn channels() -> (Triggers, TriggerStreams) {
        let (gateways, gateway_stream) = mpsc::unbounded();
        let (http_routes, http_stream) = mpsc::unbounded();
        let (grpc_routes, grpc_stream) = mpsc::unbounded();
        let (tls_routes, tls_stream) = mpsc::unbounded();
        let (service_exports, export_stream) = mpsc::unbounded();
        let (networks, network_stream) = mpsc::unbounded();
        let (legacy_finalizers, legacy_stream) = mpsc::unbounded();
        let (policies, policy_stream) = mpsc::unbounded();
        let triggers = Triggers {
            gateways,
            http_routes,
            grpc_routes,
            tls_routes,
            service_exports,
            networks,
            legacy_finalizers,
            policies,
        };
        let streams = TriggerStreams {
            gateways: gateway_stream,
            http_routes: http_stream,
            grpc_routes: grpc_stream,
            tls_routes: tls_stream,
            service_exports: export_stream,
            networks: network_stream,
            legacy_finalizers: legacy_stream,
            policies: policy_stream,
        };
        (triggers, streams)
    }

    /// Sends each root to its kind's controller.
    pub fn send(&self, roots: &[ObjectRef]) {
        for root in roots {
            let namespace = root.namespace.as_str();
            let name = root.name.as_str();
            // A closed channel: that controller is stopping; drop the trigger.
            match root.kind {
                Kind::Gateway => send(&self.gateways, namespace, name),
                Kind::HttpRoute => send(&self.http_routes, namespace, name),
                Kind::GrpcRoute => send(&self.grpc_routes, namespace, name),
                Kind::TlsRoute => send(&self.tls_routes, namespace, name),
                Kind::ServiceExport => send(&self.service_exports, namespace, name),
                Kind::ServiceNetwork => {
                    let _ = self.networks.unbounded_send(());
                }
                _ => {}
            }
        }
    }
}

impl Triggers {
    /// Wakes the policy statuses' task when `change` may change a policy's
    /// verdict (a policy, or an object a policy may target).
    fn policies_of(&self, change: &Change) {
        if change.concerns_policies() {
            let _ = self.policies.unbounded_send(());
        }
    }
}

fn send<K>(sender: &UnboundedSender<KubeRef<K>>, namespace: &str, name: &str)
where
    K: Resource<DynamicType = ()>,
{
    let _ = sender.unbounded_send(KubeRef::new(name).within(namespace));
}

/// A watch waiting for the stores it computes triggers from.
type PendingWatch = Box<dyn FnOnce(Stores, Triggers) -> BoxFuture<'static, ()> + Send>;

/// The store of `K`, filled by a watch that starts once every store exists.
fn watched<K: Watched>(client: &Client, pending: &mut Vec<PendingWatch>) -> Store<K> {
    let (reader, writer) = reflector::store();
    let client = client.clone();
    pending.push(Box::new(move |stores, triggers| {
        run::<K>(client, writer, stores, triggers).boxed()
    }));
    reader
}

/// Starts one watch per kind on `tasks` and returns their stores.
/// `policies_served` says, per kind of [`policy_resources`], whether the
/// API server serves it; the store of a kind not served stays empty and
/// ready. Wait for [`Stores::ready`] before reading them.
pub fn start(
    client: &Client,
    policies_served: &[bool],
    triggers: &Triggers,
    tasks: &mut JoinSet<()>,
) -> Stores {
    let mut pending = Vec::new();
    let mut policies = Vec::new();
    for (resource, served) in policy_resources().into_iter().zip(policies_served) {
        let writer = Writer::new(resource.clone());
        if !served {
            policies.push(empty_store(writer));
            continue;
        }
        policies.push(writer.as_reader());
        let api = Api::all_with(client.clone(), &resource);
        let change = policy_change(Kind::parse(&resource.kind).expect("a policy kind"));
        pending.push(Box::new(move |stores, triggers| {
            run_dynamic(api, writer, stores, triggers, change).boxed()
        }) as PendingWatch);
    }
    let stores = Stores {
        gateway_classes: watched(client, &mut pending),
        gateways: watched(client, &mut pending),
        http_routes: watched(client, &mut pending),
        grpc_routes: watched(client, &mut pending),
        tls_routes: watched(client, &mut pending),
        services: watched(client, &mut pending),
        endpoint_slices: watched(client, &mut pending),
        namespaces: watched(client, &mut pending),
        service_exports: watched(client, &mut pending),
        service_imports: watched(client, &mut pending),
        policies,
        shared: Default::default(),
    };
    for watch in pending {
        tasks.spawn(watch(stores.clone(), triggers.clone()));
    }
    stores
}

/// Runs the watch of one kind until the stream ends: fills `writer`'s store
/// and sends the triggers of each change.
///
/// Objects are read untyped and then typed one by one, with an absent
/// `spec` taken as `{}` (upstream's CRDs let a ServiceExport omit it): an
/// object that does not fit the type is logged and left out, instead of
/// failing the list of every object of its kind.
pub async fn run<K: Watched>(
    client: Client,
    writer: Writer<K>,
    stores: Stores,
    triggers: Triggers,
) {
    let resource = ApiResource::erase::<K>(&());
    let api: Api<DynamicObject> = Api::all_with(client, &resource);
    let events = watcher::watcher(api, watcher::Config::default().any_semantic())
        .default_backoff()
        .filter_map(|event| futures::future::ready(typed_event::<K>(event)))
        .reflect(writer);
    dispatch(events, stores, triggers, K::change, K::own_work).await;
}

/// The event with its object typed; `None` (logged) when the object does
/// not fit `K`.
fn typed_event<K: Resource<DynamicType = ()> + DeserializeOwned>(
    event: Result<Event<DynamicObject>, watcher::Error>,
) -> Option<Result<Event<K>, watcher::Error>> {
    let typed = |object: DynamicObject| {
        let name = format!(
            "{} {}/{}",
            K::kind(&()),
            object.metadata.namespace.as_deref().unwrap_or_default(),
            object.metadata.name.as_deref().unwrap_or_default()
        );
        let mut value = serde_json::to_value(object).ok()?;
        if value.get("spec").is_none() {
            value["spec"] = serde_json::json!({});
        }
        serde_json::from_value::<K>(value)
            .inspect_err(|error| {
                tracing::warn!(object = %name, %error, "left out: does not fit its type");
            })
            .ok()
    };
    Some(match event {
        Err(error) => Err(error),
        Ok(Event::Init) => Ok(Event::Init),
        Ok(Event::InitDone) => Ok(Event::InitDone),
        Ok(Event::InitApply(object)) => Ok(Event::InitApply(typed(object)?)),
        Ok(Event::Apply(object)) => Ok(Event::Apply(typed(object)?)),
        Ok(Event::Delete(object)) => Ok(Event::Delete(typed(object)?)),
    })
}

/// The watch of an untyped kind (the policies): as [`run`].
pub async fn run_dynamic(
    api: Api<kube::core::DynamicObject>,
    writer: Writer<kube::core::DynamicObject>,
    stores: Stores,
    triggers: Triggers,
    change: impl Fn(&DynamicObject) -> Change,
) {
    let events = watcher::watcher(api, watcher::Config::default().any_semantic())
        .default_backoff()
        .reflect(writer);
    dispatch(events, stores, triggers, change, |_, _| {}).await;
}

async fn dispatch<K: Resource + Serialize>(
    events: impl Stream<Item = Result<Event<K>, watcher::Error>>,
    stores: Stores,
    triggers: Triggers,
    change: impl Fn(&K) -> Change,
    own_work: impl Fn(&K, &Triggers),
) {
    let stores = Arc::new(stores);
    let mut status_only = StatusOnly::default();
    let mut events = std::pin::pin!(events);
    while let Some(event) = events.next().await {
        // The event is in the store already (`reflect` applies it before
        // passing it on): later snapshots must copy the stores again.
        if event.is_ok() {
            stores.changed();
        }
        match event {
            Ok(Event::InitApply(object)) => {
                status_only.seen(&object);
                if let Change::Root(root) = change(&object) {
                    triggers.send(&[root]);
                }
                own_work(&object, &triggers);
            }
            Ok(Event::Apply(object)) => {
                if status_only.seen(&object) {
                    // Trellis reads no status: nothing to reconcile.
                    continue;
                }
                let change = change(&object);
                triggers.send(&affected(&change, &stores.snapshot()));
                triggers.policies_of(&change);
                own_work(&object, &triggers);
            }
            Ok(Event::Delete(object)) => {
                status_only.forget(&object);
                let change = change(&object);
                triggers.send(&affected(&change, &stores.snapshot()));
                triggers.policies_of(&change);
            }
            Ok(Event::Init | Event::InitDone) => {}
            Err(error) => tracing::warn!(%error, "watch failed; retrying"),
        }
    }
}

/// A store whose kind is not served: empty and ready, so nothing waits on it.
pub fn empty_store<K>(mut writer: Writer<K>) -> reflector::Store<K>
where
    K: Resource + Clone + 'static,
    K::DynamicType: Eq + Hash + Clone,
{
    writer.apply_watcher_event(&Event::Init);
    writer.apply_watcher_event(&Event::InitDone);
    writer.as_reader()
}

#[cfg(test)]
mod tests {
    use gateway_api::apis::standard::httproutes::HttpRoute;
    use serde_json::json;

    use super::*;
    use crate::kube::crds::ServiceExport;

    fn object(value: serde_json::Value) -> DynamicObject {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn an_export_without_spec_is_read_with_an_empty_one() {
        let export = object(json!({
            "apiVersion": "application-networking.k8s.aws/v1alpha1",
            "kind": "ServiceExport",
            "metadata": {"name": "service-1", "namespace": "default"},
        }));
        let event = typed_event::<ServiceExport>(Ok(Event::Apply(export)));
        let Some(Ok(Event::Apply(export))) = event else {
            panic!("typed: {event:?}");
        };
        assert_eq!(export.spec.exported_ports, None);
    }

    #[test]
    fn an_object_that_does_not_fit_is_left_out_and_the_list_goes_on() {
        let broken = object(json!({
            "apiVersion": "gateway.networking.k8s.io/v1",
            "kind": "HTTPRoute",
            "metadata": {"name": "broken", "namespace": "default"},
            "spec": {"rules": "not a list"},
        }));
        assert!(typed_event::<HttpRoute>(Ok(Event::InitApply(broken))).is_none());
        assert!(matches!(
            typed_event::<HttpRoute>(Ok(Event::InitDone)),
            Some(Ok(Event::InitDone))
        ));
    }
}
