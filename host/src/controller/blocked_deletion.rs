//! Deletions that wait on other objects, made visible: a Gateway that
//! routes still use, and a ServiceNetwork object whose name a Lattice
//! Gateway still has.
//!
//! Contract: the waiting object gets a `DeletionBlocked` condition
//! (`True`, reason `InUse`) whose message names what it waits for, and one
//! Warning event (reason `DeletionBlocked`) with the same message — only when that
//! message changes: the condition on the live object is the memory, so a
//! retry that finds the same blockers writes and publishes nothing. Once
//! the blockers are gone the deletion goes on and the object disappears
//! with its condition.

use k8s_openapi::api::core::v1::ObjectReference;
use kube::Resource;
use kube::runtime::events::{Event, EventType};
use serde::Serialize;
use serde_json::{Value, json};

use super::context::Context;
use super::status;
use crate::object::ObjectRef;

/// The condition type.
pub const CONDITION: &str = "DeletionBlocked";
/// The condition's reason.
pub const REASON: &str = "InUse";

/// What a Gateway's deletion waits for, for its condition and event.
pub fn gateway_message(routes: &[ObjectRef]) -> String {
    let names: Vec<String> = routes.iter().map(ToString::to_string).collect();
    format!(
        "deletion waits for the routes that still use this Gateway: {} (remove their parentRefs to it, or delete them)",
        names.join(", ")
    )
}

/// What a ServiceNetwork object's deletion waits for.
pub fn service_network_message(gateway: &str) -> String {
    format!(
        "deletion waits for Gateway {gateway}, which has this service network's name (delete the Gateway first)"
    )
}

/// Whether `conditions` (a live status's list) already say `message`.
pub fn reported(conditions: &Value, message: &str) -> bool {
    conditions.as_array().is_some_and(|list| {
        list.iter().any(|condition| {
            condition["type"] == CONDITION
                && condition["status"] == "True"
                && condition["message"] == message
        })
    })
}

/// `conditions` (a live status's list) with the `DeletionBlocked`
/// condition saying `message` in place of any earlier one.
pub fn with_condition(conditions: &Value, message: &str, generation: i64) -> Vec<Value> {
    conditions
        .as_array()
        .into_iter()
        .flatten()
        .filter(|condition| condition["type"] != CONDITION)
        .cloned()
        .chain([status::condition_json(
            CONDITION, "True", REASON, message, conditions, generation,
        )])
        .collect()
}

/// Publishes the Warning event of a blocked deletion of `object`;
/// a failure is logged, never fatal.
pub async fn warn(ctx: &Context, object: &ObjectReference, message: &str) {
    let event = Event {
        type_: EventType::Warning,
        reason: CONDITION.into(),
        note: Some(message.to_owned()),
        action: "Delete".into(),
        secondary: None,
    };
    if let Err(error) = ctx.recorder.publish(&event, object).await {
        tracing::warn!(%error, "could not publish an event");
    }
}

/// Reports that the deletion of `gateway` waits for `routes` (condition
/// and event), unless it already says so.
pub async fn gateway<K>(ctx: &Context, gateway: &K, routes: &[ObjectRef]) -> Result<(), kube::Error>
where
    K: Resource<DynamicType = ()> + Serialize,
{
    let message = gateway_message(routes);
    let live = serde_json::to_value(gateway).unwrap_or_default();
    let existing = &live["status"]["conditions"];
    if reported(existing, &message) {
        return Ok(());
    }
    let generation = gateway.meta().generation.unwrap_or_default();
    status::apply_status(
        ctx.client.clone(),
        &kube::core::ApiResource::erase::<K>(&()),
        gateway.meta().namespace.as_deref(),
        gateway.meta().name.as_deref().unwrap_or_default(),
        json!({"conditions": with_condition(existing, &message, generation)}),
    )
    .await?;
    warn(ctx, &gateway.object_ref(&()), &message).await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::object::Kind;

    #[test]
    fn the_condition_replaces_an_earlier_one_and_names_the_routes() {
        let routes = [
            ObjectRef::new(Kind::HttpRoute, "default", "rates"),
            ObjectRef::new(Kind::GrpcRoute, "team", "quotes"),
        ];
        let message = gateway_message(&routes);
        assert!(
            message.contains("HTTPRoute default/rates, GRPCRoute team/quotes"),
            "{message}"
        );
        let before = json!([
            {"type": "Accepted", "status": "True"},
            {"type": CONDITION, "status": "True", "message": "older"},
        ]);
        assert!(!reported(&before, &message));
        let after = Value::Array(with_condition(&before, &message, 2));
        assert!(reported(&after, &message));
        let types: Vec<&str> = after
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["type"].as_str().unwrap())
            .collect();
        assert_eq!(types, ["Accepted", CONDITION]);
    }
}
