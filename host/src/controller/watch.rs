//! The watches: one reflector per kind fills its store and turns each
//! change into triggers for the root objects it affects
//! ([`super::triggers::affected`]).
//!
//! Contract: during a (re)list, a root object triggers only itself and
//! other objects trigger nothing (every root is reconciled once the list is
//! done anyway); afterwards every added, modified or deleted object
//! triggers exactly the roots that read it. Watch errors are logged and the
//! watch retries with kube-runtime's default backoff.

use std::fmt::Debug;
use std::hash::Hash;
use std::sync::Arc;

use futures::channel::mpsc::UnboundedSender;
use futures::{Stream, StreamExt};
use gateway_api::apis::standard::gateways::Gateway;
use gateway_api::apis::standard::grpcroutes::GrpcRoute;
use gateway_api::apis::standard::httproutes::HttpRoute;
use gateway_api::apis::standard::tlsroutes::TlsRoute;
use kube::api::Api;
use kube::core::{ApiResource, DynamicObject};
use kube::runtime::WatchStreamExt;
use kube::runtime::reflector::{self, ObjectRef as KubeRef, store::Writer};
use kube::runtime::watcher::{self, Event};
use kube::{Client, Resource};
use serde::de::DeserializeOwned;

use super::stores::Stores;
use super::triggers::{Change, affected};
use crate::kube::crds::ServiceExport;
use crate::reconcile::problem::ObjectRef;

/// Where the triggers of each root kind go.
#[derive(Clone)]
pub struct Triggers {
    pub gateways: UnboundedSender<KubeRef<Gateway>>,
    pub http_routes: UnboundedSender<KubeRef<HttpRoute>>,
    pub grpc_routes: UnboundedSender<KubeRef<GrpcRoute>>,
    pub tls_routes: UnboundedSender<KubeRef<TlsRoute>>,
    pub service_exports: UnboundedSender<KubeRef<ServiceExport>>,
    /// The cluster's service networks (default network, ServiceNetwork
    /// objects): any value means "reconcile them".
    pub networks: UnboundedSender<()>,
}

impl Triggers {
    /// Sends each root to its kind's controller.
    pub fn send(&self, roots: &[ObjectRef]) {
        for root in roots {
            let namespace = root.namespace.as_str();
            let name = root.name.as_str();
            // A closed channel: that controller is stopping; drop the trigger.
            match root.kind.as_str() {
                "Gateway" => send(&self.gateways, namespace, name),
                "HTTPRoute" => send(&self.http_routes, namespace, name),
                "GRPCRoute" => send(&self.grpc_routes, namespace, name),
                "TLSRoute" => send(&self.tls_routes, namespace, name),
                "ServiceExport" => send(&self.service_exports, namespace, name),
                "ServiceNetwork" => {
                    let _ = self.networks.unbounded_send(());
                }
                _ => {}
            }
        }
    }
}

fn send<K>(sender: &UnboundedSender<KubeRef<K>>, namespace: &str, name: &str)
where
    K: Resource<DynamicType = ()>,
{
    let _ = sender.unbounded_send(KubeRef::new(name).within(namespace));
}

/// Runs the watch of one kind until the stream ends: fills `writer`'s store
/// and sends the triggers of each change. `change` describes an object.
///
/// Objects are read untyped and then typed one by one, with an absent
/// `spec` taken as `{}` (upstream's CRDs let a ServiceExport omit it): an
/// object that does not fit the type is logged and left out, instead of
/// failing the list of every object of its kind.
pub async fn run<K>(
    client: Client,
    writer: Writer<K>,
    stores: Stores,
    triggers: Triggers,
    change: fn(&K) -> Change,
) where
    K: Resource<DynamicType = ()> + Clone + DeserializeOwned + Debug + Send + Sync + 'static,
{
    let resource = ApiResource::erase::<K>(&());
    let api: Api<DynamicObject> = Api::all_with(client, &resource);
    let events = watcher::watcher(api, watcher::Config::default().any_semantic())
        .default_backoff()
        .filter_map(|event| futures::future::ready(typed_event::<K>(event)))
        .reflect(writer);
    dispatch(events, stores, triggers, change).await;
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
    change: fn(&kube::core::DynamicObject) -> Change,
) {
    let events = watcher::watcher(api, watcher::Config::default().any_semantic())
        .default_backoff()
        .reflect(writer);
    dispatch(events, stores, triggers, change).await;
}

async fn dispatch<K>(
    events: impl Stream<Item = Result<Event<K>, watcher::Error>>,
    stores: Stores,
    triggers: Triggers,
    change: fn(&K) -> Change,
) {
    let stores = Arc::new(stores);
    let mut events = std::pin::pin!(events);
    while let Some(event) = events.next().await {
        match event {
            Ok(Event::InitApply(object)) => {
                if let Change::Root(root) = change(&object) {
                    triggers.send(&[root]);
                }
            }
            Ok(Event::Apply(object) | Event::Delete(object)) => {
                let roots = affected(&change(&object), &stores.snapshot());
                triggers.send(&roots);
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
