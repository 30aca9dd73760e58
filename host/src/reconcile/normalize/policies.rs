//! Policies attached to an object through `spec.targetRef`.

use kube::core::DynamicObject;

use super::meta;
use crate::kube::{Snapshot, kind_of};
use crate::object::Kind;
use crate::plugin::bindings::types::AttachedPolicy;

/// The policies in `namespace` whose `spec.targetRef` names the `kind`
/// object `name`, oldest first, then by name (upstream resolves
/// conflicts to the oldest).
///
/// As upstream, a policy attaches only to objects of its own namespace;
/// `targetRef.namespace` is not read. The core group may be written `""` or
/// `core`.
pub(super) fn attached(
    snapshot: &Snapshot,
    kind: Kind,
    namespace: &str,
    name: &str,
) -> Vec<AttachedPolicy> {
    let mut policies: Vec<&DynamicObject> = snapshot
        .policies
        .iter()
        .filter(|policy| policy.metadata.namespace.as_deref() == Some(namespace))
        .filter(|policy| {
            let target = &policy.data["spec"]["targetRef"];
            let text = |field: &str| target[field].as_str().unwrap_or_default();
            core_alias(text("group")) == core_alias(kind.group())
                && text("kind") == kind.as_str()
                && text("name") == name
        })
        .collect();
    policies.sort_by(|a, b| {
        (&a.metadata.creation_timestamp, &a.metadata.name)
            .cmp(&(&b.metadata.creation_timestamp, &b.metadata.name))
    });
    policies
        .into_iter()
        .filter_map(|policy| Some((kind_of(policy)?, policy)))
        .map(|(kind, policy)| AttachedPolicy {
            meta: meta::object_meta(kind, &policy.metadata),
            created: policy
                .metadata
                .creation_timestamp
                .as_ref()
                .map(|time| time.0.to_string())
                .unwrap_or_default(),
            spec: policy.data["spec"].to_string(),
        })
        .collect()
}

fn core_alias(group: &str) -> &str {
    if group == "core" { "" } else { group }
}
