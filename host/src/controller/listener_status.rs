//! A Lattice Gateway's `status.listeners` and `status.addresses` (upstream
//! `UpdateGWListenerStatus`), written on the Gateway's reconcile and after
//! each reconcile or cleanup of a route naming it, as upstream does.
//!
//! Contract: the two fields are written together by a JSON merge patch of
//! the `status` subresource (as upstream's `Status().Patch`), only when they
//! differ from the cached Gateway's (times aside); the Gateway's conditions
//! are written apart ([`super::status::write_gateway`], server-side apply)
//! and are not touched. A listener condition keeps its `lastTransitionTime`
//! while its status is unchanged.

use kube::api::{Api, Patch, PatchParams};
use kube::core::{ApiResource, DynamicObject};
use kube::{Resource, ResourceExt};
use serde::Serialize;
use serde_json::{Value, json};

use super::context::Context;
use super::status::{FIELD_MANAGER, condition_json, without_times};
use crate::kube::Snapshot;
use crate::object::{Kind, ObjectRef};
use crate::reconcile::normalize::{self, GatewayListenerStatus};

/// Writes `wanted` as `gateway`'s listener statuses and addresses, if they
/// changed.
pub async fn write<K>(
    client: kube::Client,
    gateway: &K,
    wanted: &GatewayListenerStatus,
) -> Result<(), kube::Error>
where
    K: Resource<DynamicType = ()> + Serialize,
{
    let live = serde_json::to_value(gateway).unwrap_or_default();
    let existing = &live["status"];
    let generation = gateway.meta().generation.unwrap_or_default();
    let listeners = listeners_json(wanted, &existing["listeners"], generation);
    let addresses = serde_json::to_value(&wanted.addresses).unwrap_or_default();
    let unchanged = comparable(&listeners) == comparable(&existing["listeners"])
        && addresses == *existing.get("addresses").unwrap_or(&json!([]));
    if unchanged {
        return Ok(());
    }
    let namespace = gateway.meta().namespace.clone().unwrap_or_default();
    let resource = ApiResource::erase::<K>(&());
    let api: Api<DynamicObject> = Api::namespaced_with(client, &namespace, &resource);
    let patch = json!({"status": {"listeners": listeners, "addresses": addresses}});
    let params = PatchParams {
        field_manager: Some(FIELD_MANAGER.into()),
        ..PatchParams::default()
    };
    api.patch_status(&gateway.name_any(), &params, &Patch::Merge(&patch))
        .await
        .map(|_| ())
}

/// The listener statuses as the API wants them, keeping each condition's
/// `lastTransitionTime` from `existing` (the live list) while its status
/// is the same.
fn listeners_json(wanted: &GatewayListenerStatus, existing: &Value, generation: i64) -> Value {
    let listeners = wanted
        .listeners
        .iter()
        .map(|listener| {
            let before = existing
                .as_array()
                .and_then(|list| {
                    list.iter()
                        .find(|old| old["name"] == listener.name.as_str())
                })
                .map_or(Value::Null, |old| old["conditions"].clone());
            let conditions: Vec<Value> = listener
                .conditions
                .iter()
                .map(|condition| {
                    condition_json(
                        condition.type_,
                        condition.status,
                        condition.reason,
                        condition.message,
                        &before,
                        generation,
                    )
                })
                .collect();
            json!({
                "name": listener.name,
                "supportedKinds": listener.supported_kinds,
                "attachedRoutes": listener.attached_routes,
                "conditions": conditions,
            })
        })
        .collect();
    Value::Array(listeners)
}

/// Listener statuses without their condition times.
fn comparable(listeners: &Value) -> Value {
    let mut listeners = listeners.clone();
    if let Some(list) = listeners.as_array_mut() {
        for listener in list {
            listener["conditions"] = without_times(&listener["conditions"]);
        }
    }
    listeners
}

/// After a reconcile or cleanup of `route` (whose parentRefs, as written,
/// are `parents`): writes the listener statuses and addresses of every
/// Lattice Gateway of `snapshot` they name. `domain` is the route's Lattice
/// domain name when just learnt (its annotation may not be in `snapshot`
/// yet). Failures are logged: the Gateway's own reconcile writes them
/// again.
pub async fn after_route(
    ctx: &Context,
    snapshot: &Snapshot,
    route: &ObjectRef,
    parents: &[Value],
    domain: Option<String>,
) {
    let domains: Vec<(ObjectRef, String)> = domain
        .map(|domain| (route.clone(), domain))
        .into_iter()
        .collect();
    for gateway in normalize::lattice_gateways(snapshot) {
        let (namespace, name) = (gateway.namespace().unwrap_or_default(), gateway.name_any());
        let named = parents.iter().any(|parent| {
            parent["name"] == name.as_str()
                && parent["namespace"].as_str().unwrap_or(&route.namespace) == namespace
        });
        if !named {
            continue;
        }
        let wanted = normalize::gateway_listener_status(snapshot, gateway, &domains);
        if let Err(error) = write(ctx.client.clone(), gateway, &wanted).await {
            let gateway = ObjectRef::new(Kind::Gateway, namespace, name);
            tracing::warn!(%gateway, %route, %error, "could not write the Gateway's listener statuses");
        }
    }
}

#[cfg(test)]
mod tests;
