//! What the policy kinds share: the reference to the object a policy
//! attaches to, and status conditions with the validations and defaults
//! upstream's CRDs declare for them.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use kube::ResourceExt;
use kube::core::DynamicObject;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::object::{Kind, ObjectRef};

/// A DNS subdomain or the empty string (the core API group).
const GROUP_PATTERN: &str = r"^$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";
/// A CamelCase kind name.
const KIND_PATTERN: &str = r"^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$";
/// A DNS label.
const NAMESPACE_PATTERN: &str = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";

/// The object a policy attaches to, as in Gateway API's
/// `NamespacedPolicyTargetReference` (v1alpha2).
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct NamespacedPolicyTargetReference {
    /// The target's API group; empty for the core group (a Service).
    #[schemars(length(max = 253), pattern(GROUP_PATTERN))]
    pub group: String,
    /// The target's kind, e.g. `Gateway`, `HTTPRoute` or `Service`.
    #[schemars(length(min = 1, max = 63), pattern(KIND_PATTERN))]
    pub kind: String,
    /// The target's name.
    #[schemars(length(min = 1, max = 253))]
    pub name: String,
    /// The target's namespace; the policy's own namespace when unset. A
    /// policy only ever affects traffic from its own namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 63), pattern(NAMESPACE_PATTERN))]
    pub namespace: Option<String>,
}

/// The status of TargetGroupPolicy, AccessLogPolicy and IAMAuthPolicy.
///
/// The API server fills in an `Accepted` condition of status `Unknown` on
/// creation (the schema's default), until the controller writes its own.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(transform = not_reconciled_by_default)]
pub struct PolicyStatus {
    /// The policy's conditions, at most one per type (`Accepted`,
    /// `Programmed`, ...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(schema_with = "pending_accepted_and_programmed")]
    pub conditions: Vec<Condition>,
}

/// The schema of the conditions of a status whose conditions default to
/// pending `Accepted` and `Programmed` ones.
pub(super) fn pending_accepted_and_programmed(generator: &mut SchemaGenerator) -> Schema {
    conditions(generator, &["Accepted", "Programmed"])
}

/// The schema of the conditions of a status whose conditions default to a
/// pending `Accepted` one.
pub(super) fn pending_accepted(generator: &mut SchemaGenerator) -> Schema {
    conditions(generator, &["Accepted"])
}

/// Sets the default of a status schema: an `Accepted` condition saying the
/// controller has not reconciled the object yet.
pub(super) fn not_reconciled_by_default(schema: &mut Schema) {
    schema.insert(
        "default".to_owned(),
        json!({ "conditions": [waiting_condition("Accepted", "NotReconciled")] }),
    );
}

/// A condition of status `Unknown` that waits for the controller.
fn waiting_condition(type_: &str, reason: &str) -> Value {
    json!({
        "type": type_,
        "status": "Unknown",
        "reason": reason,
        "message": "Waiting for controller",
        "lastTransitionTime": "1970-01-01T00:00:00Z",
    })
}

/// A list of `metav1.Condition`s keyed by type, with the validations the
/// Kubernetes API conventions give conditions, defaulting to pending
/// conditions of the given types.
fn conditions(generator: &mut SchemaGenerator, pending: &[&str]) -> Schema {
    let mut condition = Condition::json_schema(generator);
    let constraints = [
        ("message", json!({ "maxLength": 32768 })),
        ("observedGeneration", json!({ "minimum": 0 })),
        (
            "reason",
            json!({
                "minLength": 1,
                "maxLength": 1024,
                "pattern": "^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$",
            }),
        ),
        ("status", json!({ "enum": ["True", "False", "Unknown"] })),
        (
            "type",
            json!({
                "maxLength": 316,
                "pattern": r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$",
            }),
        ),
    ];
    if let Some(Value::Object(properties)) = condition.get_mut("properties") {
        for (name, constraint) in constraints {
            if let (Some(Value::Object(property)), Value::Object(constraint)) =
                (properties.get_mut(name), constraint)
            {
                property.extend(constraint);
            }
        }
    }
    let defaults: Vec<Value> = pending
        .iter()
        .map(|type_| waiting_condition(type_, "Pending"))
        .collect();
    json_schema!({
        "type": "array",
        "items": condition,
        "maxItems": 8,
        "x-kubernetes-list-type": "map",
        "x-kubernetes-list-map-keys": ["type"],
        "default": defaults,
    })
}

/// The object a policy's `spec.targetRef` names (namespace defaulted to the
/// policy's); `None` without a target name.
pub fn policy_target(policy: &DynamicObject) -> Option<ObjectRef> {
    let target = &policy.data["spec"]["targetRef"];
    let name = target["name"].as_str()?;
    let kind = Kind::parse(target["kind"].as_str()?)?;
    Some(ObjectRef::new(
        kind,
        target["namespace"]
            .as_str()
            .map(str::to_owned)
            .or_else(|| policy.namespace())
            .unwrap_or_default(),
        name,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions_schema_constrains_each_condition() {
        let schema = pending_accepted(&mut SchemaGenerator::default());
        let status = &schema.as_value()["items"]["properties"]["status"];
        assert_eq!(status["type"], "string");
        assert_eq!(status["enum"], json!(["True", "False", "Unknown"]));
        assert_eq!(schema.as_value()["default"][0]["reason"], "Pending");
        assert_eq!(schema.as_value()["default"].as_array().unwrap().len(), 1);
    }
}
