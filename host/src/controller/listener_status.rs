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

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError, Weak};

use gateway_api::apis::standard::gateways::Gateway;
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

/// The Gateways' listener statuses computed over one shared snapshot, so
/// that the reconciles sharing it (a Gateway change reconciles every route
/// of the Gateway over one snapshot) compute each Gateway's once instead of
/// once per route, each a pass over every route.
///
/// Contract: an answer is reused only for the very snapshot it was
/// computed over (the same allocation, held weakly so it cannot be
/// reused), and only when the route brings no domain name its snapshot
/// lacks; otherwise the status is computed as before.
#[derive(Default)]
pub struct ListenerStatusMemo {
    last: Mutex<Option<Memo>>,
}

struct Memo {
    snapshot: Weak<Snapshot>,
    statuses: HashMap<(String, String), GatewayListenerStatus>,
}

impl ListenerStatusMemo {
    /// The listener status of `gateway` over `snapshot` with no domain
    /// name learnt since.
    fn status(&self, snapshot: &Arc<Snapshot>, gateway: &Gateway) -> GatewayListenerStatus {
        let key = (gateway.namespace().unwrap_or_default(), gateway.name_any());
        let mut last = self.last.lock().unwrap_or_else(PoisonError::into_inner);
        let weak = Arc::downgrade(snapshot);
        let memo = match &mut *last {
            Some(memo) if Weak::ptr_eq(&memo.snapshot, &weak) => memo,
            slot => slot.insert(Memo {
                snapshot: weak,
                statuses: HashMap::new(),
            }),
        };
        memo.statuses
            .entry(key)
            .or_insert_with(|| normalize::gateway_listener_status(snapshot, gateway, &[]))
            .clone()
    }
}

/// After a reconcile or cleanup of `route` (whose parentRefs, as written,
/// are `parents`): writes the listener statuses and addresses of every
/// Lattice Gateway of `snapshot` they name. `domain` is the route's Lattice
/// domain name (its annotation may not be in `snapshot` yet). Failures are
/// logged: the Gateway's own reconcile writes them again.
pub async fn after_route(
    ctx: &Context,
    snapshot: &Arc<Snapshot>,
    route: &ObjectRef,
    parents: &[Value],
    domain: Option<String>,
) {
    // A domain the snapshot's route already carries changes nothing: the
    // memo (computed without domains) answers.
    let domains: Vec<(ObjectRef, String)> = domain
        .filter(|domain| !normalize::carries_domain(snapshot, route, domain))
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
        let wanted = if domains.is_empty() {
            ctx.listener_statuses.status(snapshot, gateway)
        } else {
            normalize::gateway_listener_status(snapshot, gateway, &domains)
        };
        if let Err(error) = write(ctx.client.clone(), gateway, &wanted).await {
            let gateway = ObjectRef::new(Kind::Gateway, namespace, name);
            tracing::warn!(%gateway, %route, %error, "could not write the Gateway's listener statuses");
        }
    }
}

#[cfg(test)]
mod tests;
