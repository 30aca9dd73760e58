//! ExternalDNS `DNSEndpoint`s of routes (upstream
//! `pkg/deploy/externaldns/dnsendpoint_manager.go`): after a route's service
//! is applied, its planned [`DnsEndpoint`] is created (owned by the route,
//! as its controller) or, when it exists with other endpoints, merge-patched.
//!
//! Only where the API server serves `dnsendpoints.externaldns.k8s.io`
//! (`v1alpha1`): `trellis run` asks once at start-up, and a create answered
//! 404 (the CRD removed since) is skipped as upstream skips it. Deleting the
//! route deletes the endpoint through its owner reference (Kubernetes'
//! garbage collector); Trellis does not delete it itself, and does not watch
//! endpoints: one edited or deleted by hand is restored at the route's next
//! reconcile.

use kube::api::{Api, Patch, PatchParams, PostParams};
use kube::core::{ApiResource, DynamicObject, GroupVersionKind};
use kube::{Client, Resource};
use serde_json::json;

use super::error::Error;
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
