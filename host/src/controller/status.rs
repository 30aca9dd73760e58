//! Writing status conditions to Gateways and routes: upstream's condition
//! types and reasons (the [`ObjectStatus`] a reconcile computes), the plugin
//! that produced the result named in each holding condition's message.
//!
//! Contract: status is written with server-side apply under the field
//! manager [`FIELD_MANAGER`], on the `status` subresource only; nothing is
//! written when the conditions (type, status, reason, message, observed
//! generation) are unchanged, so a steady object causes no writes and no
//! watch events. `lastTransitionTime` changes only when a condition's
//! status does. A route's `status.parents` is the exception to
//! server-side apply: it is shared with other controllers, so it is written
//! by read-modify-write ([`write_route`]) and their entries are kept.

use k8s_openapi::jiff::Timestamp;
use kube::api::{Api, Patch, PatchParams};
use kube::core::{ApiResource, DynamicObject};
use kube::{Resource, ResourceExt};
use serde::Serialize;
use serde_json::{Value, json};

use crate::reconcile::CONTROLLER_NAME;
use crate::reconcile::ObjectStatus;

/// The field manager of every status write.
pub const FIELD_MANAGER: &str = "trellis";

/// The conditions of `status` as the API wants them, keeping the
/// `lastTransitionTime` of conditions in `existing` whose status is the
/// same. `produced_by` is appended to holding conditions' messages (after
/// what the condition says, if anything).
fn conditions(
    status: &ObjectStatus,
    existing: &Value,
    generation: i64,
    produced_by: &str,
) -> Vec<Value> {
    status
        .conditions
        .iter()
        .map(|condition| {
            let message = match (condition.status, condition.message.as_str()) {
                ("True", "") => format!("Translated by plugins {produced_by}"),
                ("True", said) => format!("{said}; translated by plugins {produced_by}"),
                _ => condition.message.clone(),
            };
            condition_json(
                condition.type_,
                condition.status,
                &condition.reason,
                &message,
                existing,
                generation,
            )
        })
        .collect()
}

/// One condition as the API wants it, keeping the `lastTransitionTime` of
/// the condition of its type in `existing` when its status is the same.
pub fn condition_json(
    type_: &str,
    status: &str,
    reason: &str,
    message: &str,
    existing: &Value,
    generation: i64,
) -> Value {
    let before = existing
        .as_array()
        .and_then(|list| list.iter().find(|old| old["type"] == type_));
    let since = before
        .filter(|old| old["status"] == status)
        .and_then(|old| old["lastTransitionTime"].as_str())
        .map_or_else(|| Timestamp::now().to_string(), str::to_owned);
    json!({
        "type": type_,
        "status": status,
        "reason": reason,
        "message": message,
        "observedGeneration": generation,
        "lastTransitionTime": since,
    })
}

/// The conditions without their times, to tell whether anything changed.
pub fn without_times(conditions: &Value) -> Value {
    let mut conditions = conditions.clone();
    if let Some(list) = conditions.as_array_mut() {
        for condition in list {
            if let Some(fields) = condition.as_object_mut() {
                fields.remove("lastTransitionTime");
            }
        }
    }
    conditions
}

/// Applies `status` to the `status` subresource of `name` (in `namespace`,
/// if namespaced), an object of `resource`.
pub async fn apply_status(
    client: kube::Client,
    resource: &ApiResource,
    namespace: Option<&str>,
    name: &str,
    status: Value,
) -> Result<(), kube::Error> {
    let body = json!({
        "apiVersion": resource.api_version,
        "kind": resource.kind,
        "metadata": {"name": name},
        "status": status,
    });
    let api: Api<DynamicObject> = match namespace {
        Some(namespace) => Api::namespaced_with(client, namespace, resource),
        None => Api::all_with(client, resource),
    };
    api.patch_status(
        name,
        &PatchParams::apply(FIELD_MANAGER).force(),
        &Patch::Apply(&body),
    )
    .await
    .map(|_| ())
}

/// [`apply_status`] for a typed object.
async fn apply_typed_status<K: Resource<DynamicType = ()>>(
    client: kube::Client,
    object: &K,
    status: Value,
) -> Result<(), kube::Error> {
    let resource = ApiResource::erase::<K>(&());
    let namespace = object.meta().namespace.clone();
    apply_status(
        client,
        &resource,
        namespace.as_deref(),
        &object.name_any(),
        status,
    )
    .await
}

/// Writes a policy's conditions (`Accepted`, or the problem that keeps it
/// from applying), if they changed.
pub async fn write_policy(
    client: kube::Client,
    policy: &DynamicObject,
    status: &ObjectStatus,
    produced_by: &str,
) -> Result<(), kube::Error> {
    let Some(types) = &policy.types else {
        return Ok(());
    };
    let Some(resource) = crate::kube::crds::policy_resources()
        .into_iter()
        .find(|resource| resource.kind == types.kind)
    else {
        return Ok(());
    };
    let existing = &policy.data["status"]["conditions"];
    let generation = policy.metadata.generation.unwrap_or_default();
    let wanted = Value::Array(conditions(status, existing, generation, produced_by));
    if without_times(&wanted) == without_times(existing) {
        return Ok(());
    }
    apply_status(
        client,
        &resource,
        policy.metadata.namespace.as_deref(),
        &policy.name_any(),
        json!({"conditions": wanted}),
    )
    .await
}

/// Writes a Gateway's conditions, if they changed.
pub async fn write_gateway<K>(
    client: kube::Client,
    gateway: &K,
    status: &ObjectStatus,
    produced_by: &str,
) -> Result<(), kube::Error>
where
    K: Resource<DynamicType = ()> + Serialize,
{
    let live = serde_json::to_value(gateway).unwrap_or_default();
    let existing = &live["status"]["conditions"];
    let generation = gateway.meta().generation.unwrap_or_default();
    let wanted = Value::Array(conditions(status, existing, generation, produced_by));
    if without_times(&wanted) == without_times(existing) {
        return Ok(());
    }
    apply_typed_status(client, gateway, json!({"conditions": wanted})).await
}

/// How many times a route's status write is tried when another writer
/// changed the route between the read and the write (409).
const ROUTE_STATUS_ATTEMPTS: u32 = 5;

/// Trellis's entries of a route's `status.parents`: one per parent in
/// `parents`, with the conditions of `status` (keeping transition times
/// from `existing`, the live list).
fn route_entries(
    existing: &[Value],
    parents: &[Value],
    status: &ObjectStatus,
    generation: i64,
    produced_by: &str,
) -> Vec<Value> {
    parents
        .iter()
        .map(|parent| {
            let before = existing
                .iter()
                .find(|old| old["parentRef"] == *parent && is_trellis(old))
                .map(|old| old["conditions"].clone())
                .unwrap_or(Value::Null);
            json!({
                "parentRef": parent,
                "controllerName": CONTROLLER_NAME,
                "conditions": conditions(status, &before, generation, produced_by),
            })
        })
        .collect()
}

/// Whether a `status.parents` entry is Trellis's (by `controllerName`).
fn is_trellis(entry: &Value) -> bool {
    entry["controllerName"] == CONTROLLER_NAME
}

/// Trellis's entries of `parents` without their times, to tell whether
/// anything changed.
fn comparable(parents: &[Value]) -> Vec<Value> {
    parents
        .iter()
        .filter(|parent| is_trellis(parent))
        .map(|parent| {
            json!({
                "parentRef": parent["parentRef"],
                "controllerName": parent["controllerName"],
                "conditions": without_times(&parent["conditions"]),
            })
        })
        .collect()
}

/// `existing` with Trellis's entries replaced by `mine`: every entry of
/// another controller stays, in its place.
fn merged_parents(existing: &[Value], mine: Vec<Value>) -> Vec<Value> {
    existing
        .iter()
        .filter(|entry| !is_trellis(entry))
        .cloned()
        .chain(mine)
        .collect()
}

/// The `status.parents` of a route object, as a list.
fn parents_of(route: &Value) -> Vec<Value> {
    route["status"]["parents"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

/// Writes a route's conditions for each of `parents` (its parentRefs that
/// name a Lattice Gateway, as written), if they changed.
///
/// `status.parents` is shared with other controllers (one entry per
/// parent and controller) and the Gateway API CRDs make it an atomic list,
/// so it is written by read-modify-write: the route is read, every entry
/// whose `controllerName` is not Trellis's is kept, Trellis's are replaced,
/// and the list is written by a merge patch carrying the read
/// `resourceVersion`; a conflict (another writer came between) is retried
/// with a fresh read, at most [`ROUTE_STATUS_ATTEMPTS`] times. The cached
/// `route` only spares the read when Trellis's entries are already right.
pub async fn write_route<K>(
    client: kube::Client,
    route: &K,
    parents: &[Value],
    status: &ObjectStatus,
    produced_by: &str,
) -> Result<(), kube::Error>
where
    K: Resource<DynamicType = ()> + Serialize,
{
    let generation = route.meta().generation.unwrap_or_default();
    let cached = parents_of(&serde_json::to_value(route).unwrap_or_default());
    let wanted = route_entries(&cached, parents, status, generation, produced_by);
    if comparable(&wanted) == comparable(&cached) {
        return Ok(());
    }
    let resource = ApiResource::erase::<K>(&());
    let namespace = route.meta().namespace.clone().unwrap_or_default();
    let api: Api<DynamicObject> = Api::namespaced_with(client, &namespace, &resource);
    let name = route.name_any();
    let params = PatchParams {
        field_manager: Some(FIELD_MANAGER.into()),
        ..PatchParams::default()
    };
    let mut attempt = 1;
    loop {
        let live = api.get(&name).await?;
        let existing = parents_of(&live.data);
        let wanted = route_entries(&existing, parents, status, generation, produced_by);
        if comparable(&wanted) == comparable(&existing) {
            return Ok(());
        }
        let patch = json!({
            "metadata": {"resourceVersion": live.metadata.resource_version},
            "status": {"parents": merged_parents(&existing, wanted)},
        });
        match api
            .patch_status(&name, &params, &Patch::Merge(&patch))
            .await
        {
            Err(kube::Error::Api(error))
                if error.code == 409 && attempt < ROUTE_STATUS_ATTEMPTS =>
            {
                attempt += 1;
            }
            result => return result.map(|_| ()),
        }
    }
}

#[cfg(test)]
mod tests;
