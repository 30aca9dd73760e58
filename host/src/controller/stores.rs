//! The reflector stores of every kind Trellis reads, and the snapshot the
//! plugin pipeline reads, built from them.
//!
//! Contract: one watch per kind ([`super::watch::start`]);
//! [`Stores::snapshot`] is a copy of each store at the time of the call
//! (kinds are copied one after the other, so a change racing the copy shows
//! up in the next reconcile, which it triggers), shared: the copy is made
//! again only after a store changed ([`Stores::changed`], which every
//! watch calls once its event is in the store), so the reconciles between
//! two watch events share one copy and its lookups instead of each copying
//! every object. Routes, exports
//! and policies being deleted are left out of the snapshot a reconcile
//! reads; a Gateway being deleted stays until its routes are gone (its
//! deletion waits for them). The periodic collection reads
//! [`Stores::collection_snapshot`] instead, with every object: one being
//! deleted is cleaned up by its own reconcile, which deletes only its own
//! resources, so the two never delete the same resource.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use gateway_api::apis::standard::{
    gatewayclasses::GatewayClass, gateways::Gateway, grpcroutes::GrpcRoute, httproutes::HttpRoute,
    tlsroutes::TlsRoute,
};
use k8s_openapi::api::core::v1::{Namespace, Service};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use kube::Resource;
use kube::core::DynamicObject;
use kube::runtime::reflector::Store;

use self::Taking::{All, Live};
use crate::kube::Snapshot;
use crate::kube::crds::{ServiceExport, ServiceImport};
use crate::kube::snapshot::SnapshotLookup;

/// Readers of every store.
#[derive(Clone)]
pub struct Stores {
    pub gateway_classes: Store<GatewayClass>,
    pub gateways: Store<Gateway>,
    pub http_routes: Store<HttpRoute>,
    pub grpc_routes: Store<GrpcRoute>,
    pub tls_routes: Store<TlsRoute>,
    pub services: Store<Service>,
    pub endpoint_slices: Store<EndpointSlice>,
    pub namespaces: Store<Namespace>,
    pub service_exports: Store<ServiceExport>,
    pub service_imports: Store<ServiceImport>,
    /// One store per kind of [`crate::kube::crds::policy_resources`], in
    /// that order.
    pub policies: Vec<Store<DynamicObject>>,
    /// The live snapshot last made, shared until a store changes.
    pub shared: SharedSnapshot,
}

/// The live snapshot last made and the store generation it was made at.
///
/// Invariant: a snapshot kept for generation `g` holds every store write
/// whose [`Stores::changed`] call came before `g` was read; the generation
/// is read before the stores are copied, so a write racing the copy bumps
/// it past `g` and the next [`Stores::snapshot`] copies again.
#[derive(Clone, Default)]
pub struct SharedSnapshot {
    inner: Arc<SharedInner>,
}

#[derive(Default)]
struct SharedInner {
    /// Bumped after every watch event, once the event is in its store.
    generation: AtomicU64,
    /// The last snapshot and the generation read before it was copied.
    last: Mutex<Option<(u64, Arc<Snapshot>)>>,
}

/// Which objects of a store a snapshot takes.
#[derive(Clone, Copy)]
enum Taking {
    /// Every object, those being deleted included.
    All,
    /// The objects that are not being deleted.
    Live,
}

/// The objects of `store` that `taking` says.
fn objects<K>(store: &Store<K>, taking: Taking) -> Vec<K>
where
    K: Resource + Clone + 'static,
    K::DynamicType: Eq + std::hash::Hash + Clone,
{
    store
        .state()
        .iter()
        .filter(|object| match taking {
            Taking::All => true,
            Taking::Live => object.meta().deletion_timestamp.is_none(),
        })
        .map(|object| K::clone(object))
        .collect()
}

impl Stores {
    /// The objects of every store; routes, exports and policies being
    /// deleted are left out (their resources are going), other objects
    /// being deleted stay in: a Gateway whose deletion waits for its routes
    /// keeps serving them, a Service waiting on another finalizer keeps its
    /// targets.
    ///
    /// Shared: while no store has changed since the last call, this is the
    /// same snapshot (and its lookups, built once). Concurrent callers after
    /// a change wait for one copy rather than each making their own.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        let shared = &self.shared.inner;
        let mut last = shared.last.lock().unwrap_or_else(PoisonError::into_inner);
        let generation = shared.generation.load(Ordering::Acquire);
        if let Some((made_at, snapshot)) = last.as_ref()
            && *made_at == generation
        {
            return Arc::clone(snapshot);
        }
        let snapshot = Arc::new(self.taking(Live));
        *last = Some((generation, Arc::clone(&snapshot)));
        snapshot
    }

    /// Tells the stores that one of them changed: the next
    /// [`snapshot`](Self::snapshot) copies them again. Called by each watch
    /// after its event is applied to the store.
    pub fn changed(&self) {
        self.shared.inner.generation.fetch_add(1, Ordering::AcqRel);
    }

    /// The objects of every store, those being deleted included: what the
    /// periodic collection of unused resources reads. An object being
    /// deleted still protects its resources there, so the collection never
    /// deletes them while the object's own cleanup is at work (two deletes
    /// of one resource, or a cleanup finding its resources half gone).
    pub fn collection_snapshot(&self) -> Snapshot {
        self.taking(All)
    }

    /// Every store's objects; routes, exports and policies being deleted
    /// as `deleting` says, every other object whether deleted or not.
    fn taking(&self, deleting: Taking) -> Snapshot {
        Snapshot {
            gateway_classes: objects(&self.gateway_classes, All),
            gateways: objects(&self.gateways, All),
            http_routes: objects(&self.http_routes, deleting),
            grpc_routes: objects(&self.grpc_routes, deleting),
            tls_routes: objects(&self.tls_routes, deleting),
            services: objects(&self.services, All),
            endpoint_slices: objects(&self.endpoint_slices, All),
            namespaces: objects(&self.namespaces, All),
            service_exports: objects(&self.service_exports, deleting),
            service_imports: objects(&self.service_imports, All),
            policies: self
                .policies
                .iter()
                .flat_map(|store| objects(store, deleting))
                .collect(),
            lookup: SnapshotLookup::default(),
        }
    }

    /// Waits until every store has its initial list.
    pub async fn ready(&self) {
        // A store's writer lives as long as its watch task; a dropped writer
        // means the controller is shutting down, and waiting ends either way.
        let _ = self.gateway_classes.wait_until_ready().await;
        let _ = self.gateways.wait_until_ready().await;
        let _ = self.http_routes.wait_until_ready().await;
        let _ = self.grpc_routes.wait_until_ready().await;
        let _ = self.tls_routes.wait_until_ready().await;
        let _ = self.services.wait_until_ready().await;
        let _ = self.endpoint_slices.wait_until_ready().await;
        let _ = self.namespaces.wait_until_ready().await;
        let _ = self.service_exports.wait_until_ready().await;
        let _ = self.service_imports.wait_until_ready().await;
        for store in &self.policies {
            let _ = store.wait_until_ready().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use kube::runtime::reflector::store::Writer;
    use kube::runtime::watcher::Event;

    use super::*;

    fn empty<K>() -> Store<K>
    where
        K: Resource + Clone + 'static,
        K::DynamicType: Eq + std::hash::Hash + Clone + Default,
    {
        let mut writer = Writer::default();
        writer.apply_watcher_event(&Event::Init);
        writer.apply_watcher_event(&Event::InitDone);
        writer.as_reader()
    }

    fn stores(http_routes: Store<HttpRoute>) -> Stores {
        Stores {
            gateway_classes: empty(),
            gateways: empty(),
            http_routes,
            grpc_routes: empty(),
            tls_routes: empty(),
            services: empty(),
            endpoint_slices: empty(),
            namespaces: empty(),
            service_exports: empty(),
            service_imports: empty(),
            policies: Vec::new(),
            shared: SharedSnapshot::default(),
        }
    }

    fn route(name: &str) -> HttpRoute {
        serde_json::from_value(serde_json::json!({
            "apiVersion": "gateway.networking.k8s.io/v1",
            "kind": "HTTPRoute",
            "metadata": {"name": name, "namespace": "default"},
            "spec": {},
        }))
        .unwrap()
    }

    #[test]
    fn reconciles_share_one_snapshot_until_a_store_changes() {
        let mut writer: Writer<HttpRoute> = Writer::default();
        writer.apply_watcher_event(&Event::Init);
        writer.apply_watcher_event(&Event::InitApply(route("first")));
        writer.apply_watcher_event(&Event::InitDone);
        let stores = stores(writer.as_reader());

        let before = stores.snapshot();
        assert!(Arc::ptr_eq(&before, &stores.snapshot()));
        assert_eq!(before.http_routes.len(), 1);

        writer.apply_watcher_event(&Event::Apply(route("second")));
        stores.changed();
        let after = stores.snapshot();
        assert!(!Arc::ptr_eq(&before, &after));
        assert_eq!(after.http_routes.len(), 2);
        assert_eq!(
            before.http_routes.len(),
            1,
            "a held snapshot stays as it was"
        );
        assert!(Arc::ptr_eq(&after, &stores.snapshot()));
    }
}
