//! Policies attached to an object through `spec.targetRef`.

use kube::core::DynamicObject;

use super::meta;
use crate::kube::{Snapshot, kind_of};
use crate::object::Kind;
use crate::plugin::bindings::types::AttachedPolicy;

/// The kinds a policy of kind `policy` may target (upstream's allowed
/// `targetRef` group/kinds, `pkg/k8s/policyhelper/policy.go` and the
/// policy controllers); empty for a kind that is not a policy.
pub fn supported_targets(policy: Kind) -> &'static [Kind] {
    match policy {
        Kind::TargetGroupPolicy => &[Kind::Service, Kind::ServiceExport],
        Kind::VpcAssociationPolicy => &[Kind::Gateway],
        Kind::IamAuthPolicy | Kind::AccessLogPolicy => {
            &[Kind::Gateway, Kind::HttpRoute, Kind::GrpcRoute]
        }
        _ => &[],
    }
}

/// The policies in `namespace` whose `spec.targetRef` names the `kind`
/// object `name`, oldest first, then by name (upstream resolves
/// conflicts to the oldest).
///
/// As upstream, a policy attaches only to objects of its own namespace;
/// `targetRef.namespace` is not read. The core group may be written `""` or
/// `core`. A policy whose kind may not target `kind` (see
/// [`supported_targets`]) is left out: it changes nothing (its verdict is
/// `Invalid`, see [`super::policy_verdicts`]).
pub(super) fn attached(
    snapshot: &Snapshot,
    kind: Kind,
    namespace: &str,
    name: &str,
) -> Vec<AttachedPolicy> {
    targeting(snapshot, kind, namespace, name)
        .into_iter()
        .filter(|(policy_kind, _)| supported_targets(*policy_kind).contains(&kind))
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

/// The policies in `namespace` whose `spec.targetRef` names the `kind`
/// object `name`, with their kind, oldest first, then by name.
pub(super) fn targeting<'a>(
    snapshot: &'a Snapshot,
    kind: Kind,
    namespace: &str,
    name: &str,
) -> Vec<(Kind, &'a DynamicObject)> {
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
        .collect()
}

/// A group as written, with `core` read as the core group (`""`).
pub(super) fn core_alias(group: &str) -> &str {
    if group == "core" { "" } else { group }
}
