//! Policies attached to an object through `spec.targetRef`.

use kube::core::DynamicObject;

use super::meta;
use crate::config::ClusterConfig;
use crate::kube::{Snapshot, kind_of};
use crate::object::{Kind, ObjectRef, Problem};
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
/// [`supported_targets`]) is left out: it changes nothing (see
/// [`unsupported`]).
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

/// An `Invalid` problem, on the policy, for every policy in `namespace`
/// whose `spec.targetRef` names the `kind` object `name` although its kind
/// may not target `kind` (e.g. an IAMAuthPolicy on a TLSRoute), as
/// upstream's `group/kind error: not supported GroupKind`.
pub fn unsupported(
    snapshot: &Snapshot,
    cluster: &ClusterConfig,
    kind: Kind,
    namespace: &str,
    name: &str,
) -> Vec<Problem> {
    targeting(snapshot, kind, namespace, name)
        .into_iter()
        .filter(|(policy_kind, _)| {
            let supported = supported_targets(*policy_kind);
            !supported.is_empty() && !supported.contains(&kind)
        })
        .map(|(policy_kind, policy)| {
            let supported: Vec<&str> = supported_targets(policy_kind)
                .iter()
                .map(|kind| kind.as_str())
                .collect();
            let policy_name = policy.metadata.name.clone().unwrap_or_default();
            Problem {
                cluster: cluster.cluster_name.clone(),
                object: ObjectRef::new(policy_kind, namespace, &policy_name),
                field: Some("spec.targetRef.kind".into()),
                reason: "Invalid".into(),
                message: format!(
                    "{policy_kind} {namespace}/{policy_name}: group/kind error: not supported \
                     GroupKind={}/{kind} (supported target kinds: {})",
                    kind.group(),
                    supported.join(", ")
                ),
                plugin: None,
                lattice_error: None,
            }
        })
        .collect()
}

/// The policies in `namespace` whose `spec.targetRef` names the `kind`
/// object `name`, with their kind, oldest first, then by name.
fn targeting<'a>(
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

fn core_alias(group: &str) -> &str {
    if group == "core" { "" } else { group }
}

/// The verdicts of the TargetGroupPolicies of `snapshot` that target a
/// Service or a ServiceExport and are not accepted, as upstream's
/// `ValidateAndUpdateCondition`: `TargetNotFound` when the target is not in
/// the policy's namespace; `Conflicted` for every policy but the oldest
/// (then by name) targeting the same object, naming the winner. A policy
/// on another kind is reported by [`unsupported`] where that object is
/// planned.
pub fn target_group_policy_problems(snapshot: &Snapshot, cluster: &ClusterConfig) -> Vec<Problem> {
    snapshot
        .policies
        .iter()
        .filter(|policy| kind_of(policy) == Some(Kind::TargetGroupPolicy))
        .filter_map(|policy| {
            let namespace = policy.metadata.namespace.as_deref()?;
            let name = policy.metadata.name.as_deref()?;
            let target = &policy.data["spec"]["targetRef"];
            let text = |field: &str| target[field].as_str().unwrap_or_default();
            let kind = Kind::parse_api(core_alias(text("group")), text("kind"))
                .filter(|kind| supported_targets(Kind::TargetGroupPolicy).contains(kind))?;
            let target_name = text("name");
            let problem = |field: &str, reason: &str, message: String| Problem {
                cluster: cluster.cluster_name.clone(),
                object: ObjectRef::new(Kind::TargetGroupPolicy, namespace, name),
                field: Some(field.into()),
                reason: reason.into(),
                message,
                plugin: None,
                lattice_error: None,
            };
            if !target_exists(snapshot, kind, namespace, target_name) {
                return Some(problem(
                    "spec.targetRef.name",
                    "TargetNotFound",
                    format!(
                        "TargetGroupPolicy {namespace}/{name}: {kind} {namespace}/{target_name} \
                         not found"
                    ),
                ));
            }
            let winner = targeting(snapshot, kind, namespace, target_name)
                .into_iter()
                .find(|(policy_kind, _)| *policy_kind == Kind::TargetGroupPolicy)?
                .1
                .metadata
                .name
                .clone()?;
            (winner != name).then(|| {
                problem(
                    "spec.targetRef",
                    "Conflicted",
                    format!(
                        "TargetGroupPolicy {namespace}/{name}: targetRef has conflict, \
                         policy={namespace}/{winner}"
                    ),
                )
            })
        })
        .collect()
}

/// Whether the Service or ServiceExport `namespace/name` is in `snapshot`.
fn target_exists(snapshot: &Snapshot, kind: Kind, namespace: &str, name: &str) -> bool {
    let named = |meta: &kube::core::ObjectMeta| {
        meta.namespace.as_deref() == Some(namespace) && meta.name.as_deref() == Some(name)
    };
    match kind {
        Kind::Service => snapshot
            .services
            .iter()
            .any(|service| named(&service.metadata)),
        Kind::ServiceExport => snapshot
            .service_exports
            .iter()
            .any(|export| named(&export.metadata)),
        _ => false,
    }
}
