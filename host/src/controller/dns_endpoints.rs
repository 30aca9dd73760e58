//! ExternalDNS `DNSEndpoint`s of routes (upstream
//! `pkg/deploy/externaldns/dnsendpoint_manager.go`): after a route's service
//! is applied, its planned [`DnsEndpoint`] is created (owned by the route,
//! as its controller) or, when it exists with other endpoints, merge-patched.
//!
//! Only where the API server serves `dnsendpoints.externaldns.k8s.io`
//! (`v1alpha1`): `trellis run` asks once at start-up, and a create answered
//! 404 (the CRD removed since) is skipped as upstream skips it. As upstream's
//! route controllers own their DNSEndpoints, [`watch`] reconciles the route
//! that controls an endpoint changed or deleted by someone else, which
//! restores it. Deleting the route deletes the endpoint through its owner
//! reference (Kubernetes' garbage collector); Trellis does not delete it
//! itself.

use futures::StreamExt;
use kube::api::{Api, Patch, PatchParams, PostParams};
use kube::core::{ApiResource, DynamicObject, GroupVersionKind};
use kube::runtime::WatchStreamExt;
use kube::runtime::watcher::{self, Event};
use kube::{Client, Resource};
use serde_json::json;

use super::error::Error;
use super::watch::Triggers;
use crate::object::{Kind, ObjectRef};
use crate::reconcile::DnsEndpoint;

/// The `DNSEndpoint` type of ExternalDNS's CRD source.
pub fn resource() -> ApiResource {
    ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk("externaldns.k8s.io", "v1alpha1", "DNSEndpoint"),
        "dnsendpoints",
    )
}

/// Makes `endpoint` exist with its endpoints, owned by `route` (the object
/// it was planned for): created when missing, merge-patched when its
/// `spec.endpoints` differ, left alone when they are the same.
pub async fn write<K: Resource<DynamicType = ()>>(
    client: &Client,
    route: &K,
    endpoint: &DnsEndpoint,
) -> Result<(), Error> {
    let api: Api<DynamicObject> =
        Api::namespaced_with(client.clone(), &endpoint.route.namespace, &resource());
    let endpoints = endpoint.endpoints();
    if let Some(existing) = api.get_opt(&endpoint.name).await? {
        if existing.data["spec"]["endpoints"] == endpoints {
            return Ok(());
        }
        let patch = json!({"spec": {"endpoints": endpoints}});
        api.patch(
            &endpoint.name,
            &PatchParams::default(),
            &Patch::Merge(&patch),
        )
        .await?;
        return Ok(());
    }
    let mut object = DynamicObject::new(&endpoint.name, &resource())
        .within(&endpoint.route.namespace)
        .data(json!({"spec": {"endpoints": endpoints}}));
    object.metadata.owner_references = route.controller_owner_ref(&()).map(|owner| vec![owner]);
    match api.create(&PostParams::default(), &object).await {
        Ok(_) => Ok(()),
        Err(kube::Error::Api(status)) if status.code == 404 => {
            tracing::debug!(
                endpoint = %endpoint.name,
                "the DNSEndpoint CRD is no longer served; skipping"
            );
            Ok(())
        }
        Err(error) => Err(error.into()),
    }
}

/// Watches every DNSEndpoint until the stream ends: an endpoint added,
/// changed or deleted after the first list triggers the route that is its
/// controller (owner reference of a Gateway API route kind); endpoints of
/// other controllers trigger nothing. The first list triggers nothing:
/// every route is reconciled at start-up anyway.
pub async fn watch(client: Client, triggers: Triggers) {
    let api: Api<DynamicObject> = Api::all_with(client, &resource());
    let events = watcher::watcher(api, watcher::Config::default().any_semantic()).default_backoff();
    let mut events = std::pin::pin!(events);
    while let Some(event) = events.next().await {
        match event {
            Ok(Event::Apply(endpoint) | Event::Delete(endpoint)) => {
                triggers.send(&controlling_route(&endpoint).into_iter().collect::<Vec<_>>());
            }
            Ok(Event::Init | Event::InitApply(_) | Event::InitDone) => {}
            Err(error) => tracing::warn!(%error, "DNSEndpoint watch failed; retrying"),
        }
    }
}

/// The route that controls `endpoint`, if a Gateway API route does.
fn controlling_route(endpoint: &DynamicObject) -> Option<ObjectRef> {
    let owner = endpoint
        .metadata
        .owner_references
        .iter()
        .flatten()
        .find(|owner| owner.controller == Some(true))?;
    let (group, _version) = owner.api_version.split_once('/')?;
    let kind = Kind::parse(&owner.kind).filter(|kind| kind.is_route())?;
    (group == "gateway.networking.k8s.io").then(|| {
        ObjectRef::new(
            kind,
            endpoint.metadata.namespace.as_deref().unwrap_or_default(),
            &owner.name,
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn endpoint(owners: serde_json::Value) -> DynamicObject {
        serde_json::from_value(json!({
            "apiVersion": "externaldns.k8s.io/v1alpha1",
            "kind": "DNSEndpoint",
            "metadata": {"name": "rates-dns", "namespace": "shop", "ownerReferences": owners},
        }))
        .unwrap()
    }

    fn owner(api_version: &str, kind: &str, controller: bool) -> serde_json::Value {
        json!({"apiVersion": api_version, "kind": kind, "name": "rates", "uid": "u",
               "controller": controller})
    }

    #[test]
    fn the_controlling_route_is_found_by_its_owner_reference() {
        let owned = endpoint(json!([
            owner("v1", "ConfigMap", false),
            owner("gateway.networking.k8s.io/v1", "GRPCRoute", true),
        ]));
        assert_eq!(
            controlling_route(&owned),
            Some(ObjectRef::new(Kind::GrpcRoute, "shop", "rates"))
        );
    }

    #[test]
    fn endpoints_of_others_trigger_nothing() {
        for owners in [
            json!([]),
            json!([owner("gateway.networking.k8s.io/v1", "HTTPRoute", false)]),
            json!([owner("gateway.networking.k8s.io/v1", "Gateway", true)]),
            json!([owner("example.com/v1", "HTTPRoute", true)]),
        ] {
            assert_eq!(
                controlling_route(&endpoint(owners.clone())),
                None,
                "{owners}"
            );
        }
    }
}
