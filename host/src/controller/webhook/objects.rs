//! Where the webhook reads the objects its decision needs: the controller's
//! watch stores once the leader has them synced, else (a standby replica, or
//! the leader before its first lists) one LIST per kind.
//!
//! Contract: [`Objects::for_namespace`] returns the Services and
//! ServiceExports of one namespace and every HTTPRoute, GRPCRoute,
//! TLSRoute, Gateway and GatewayClass, or the first read that failed.

use std::sync::{Arc, OnceLock};

use kube::api::{Api, ListParams};
use kube::core::{ApiResource, DynamicObject};
use kube::runtime::reflector::Store;
use kube::{Client, Resource};
use serde::de::DeserializeOwned;

use super::super::stores::Stores;
use crate::kube::Snapshot;

/// The webhook's view of the cluster, shared with the controller, which
/// hands over its stores once they are synced ([`Objects::use_stores`]).
#[derive(Clone)]
pub struct Objects {
    client: Client,
    stores: Arc<OnceLock<Stores>>,
}

/// A read the webhook could not make: the pod is refused.
#[derive(Debug, thiserror::Error)]
#[error("cannot list {what}: {source}")]
pub struct ReadError {
    what: String,
    #[source]
    source: kube::Error,
}

impl Objects {
    /// Objects read through `client` until stores are handed over.
    pub fn new(client: Client) -> Self {
        Self {
            client,
            stores: Arc::new(OnceLock::new()),
        }
    }

    /// From now on, read the synced `stores` instead of listing.
    pub fn use_stores(&self, stores: Stores) {
        let _ = self.stores.set(stores);
    }

    /// The objects the decision on a pod of `namespace` reads.
    pub async fn for_namespace(&self, namespace: &str) -> Result<Snapshot, ReadError> {
        match self.stores.get() {
            Some(stores) => Ok(from_stores(stores, namespace)),
            None => self.listed(namespace).await,
        }
    }

    async fn listed(&self, namespace: &str) -> Result<Snapshot, ReadError> {
        let client = &self.client;
        let here = Some(namespace);
        Ok(Snapshot {
            services: list(client, here).await?,
            service_exports: list(client, here).await?,
            http_routes: list(client, None).await?,
            grpc_routes: list(client, None).await?,
            tls_routes: list(client, None).await?,
            gateways: list(client, None).await?,
            gateway_classes: list(client, None).await?,
            ..Snapshot::default()
        })
    }
}

/// The objects of `K` in `namespace` (every namespace when `None`), read
/// untyped and typed one by one as the watches do: an absent `spec` is
/// `{}` (a legacy ServiceExport), an object that does not fit is left out.
async fn list<K>(client: &Client, namespace: Option<&str>) -> Result<Vec<K>, ReadError>
where
    K: Resource<DynamicType = ()> + DeserializeOwned,
{
    let resource = ApiResource::erase::<K>(&());
    let api: Api<DynamicObject> = match namespace {
        Some(namespace) => Api::namespaced_with(client.clone(), namespace, &resource),
        None => Api::all_with(client.clone(), &resource),
    };
    let listed = api
        .list(&ListParams::default())
        .await
        .map_err(|source| ReadError {
            what: match namespace {
                Some(namespace) => format!("{}s in namespace {namespace}", resource.kind),
                None => format!("{}s", resource.kind),
            },
            source,
        })?;
    Ok(listed
        .items
        .into_iter()
        .filter_map(|object| {
            let mut value = serde_json::to_value(object).ok()?;
            if value.get("spec").is_none() {
                value["spec"] = serde_json::json!({});
            }
            serde_json::from_value(value).ok()
        })
        .collect())
}

fn from_stores(stores: &Stores, namespace: &str) -> Snapshot {
    fn all<K: Resource<DynamicType = ()> + Clone>(store: &Store<K>) -> Vec<K> {
        store
            .state()
            .iter()
            .map(|object| K::clone(object))
            .collect()
    }
    fn of<K: Resource<DynamicType = ()> + Clone>(store: &Store<K>, namespace: &str) -> Vec<K> {
        store
            .state()
            .iter()
            .filter(|object| object.meta().namespace.as_deref() == Some(namespace))
            .map(|object| K::clone(object))
            .collect()
    }
    Snapshot {
        services: of(&stores.services, namespace),
        service_exports: of(&stores.service_exports, namespace),
        http_routes: all(&stores.http_routes),
        grpc_routes: all(&stores.grpc_routes),
        tls_routes: all(&stores.tls_routes),
        gateways: all(&stores.gateways),
        gateway_classes: all(&stores.gateway_classes),
        ..Snapshot::default()
    }
}
