//! The verdicts on policies that do not depend on Lattice: what upstream's
//! policy controllers write as `Accepted=False` before they make any call
//! (`pkg/k8s/policyhelper/policy.go` `ValidateTargetRef` for
//! TargetGroupPolicy, IAMAuthPolicy and VpcAssociationPolicy; the
//! AccessLogPolicy controller's own checks).
//!
//! Contract, per policy (IAMAuthPolicy, AccessLogPolicy,
//! VpcAssociationPolicy, TargetGroupPolicy), the first that applies:
//! 1. `Invalid`: its `targetRef` group and kind are not a kind it may
//!    target ([`supported_targets`]);
//! 2. `TargetNotFound`: no object of that kind and name in the policy's
//!    namespace;
//! 3. `Conflicted` (not AccessLogPolicies, whose conflicts are per
//!    destination type and decided on apply): an older policy of the same
//!    kind (by creation time, then name) targets the same object; the
//!    message names it.
//!
//! Messages are upstream's. A policy attaches only to objects of its own
//! namespace (`targetRef.namespace` is not read; spec §9 quirk 13 fixed).

use kube::core::DynamicObject;

use super::policies::{core_alias, supported_targets, targeting};
use crate::config::ClusterConfig;
use crate::kube::{Snapshot, kind_of};
use crate::object::{Kind, ObjectRef, Problem};

/// The Gateway API group, the only one an AccessLogPolicy may target.
const GATEWAY_API_GROUP: &str = "gateway.networking.k8s.io";

/// The kinds whose policies get verdicts.
const POLICY_KINDS: [Kind; 4] = [
    Kind::IamAuthPolicy,
    Kind::AccessLogPolicy,
    Kind::VpcAssociationPolicy,
    Kind::TargetGroupPolicy,
];

/// The verdict on every policy of `snapshot` that is not accepted for one
/// of the module doc's reasons, sorted by namespace, name and kind.
pub fn policy_verdicts(snapshot: &Snapshot, cluster: &ClusterConfig) -> Vec<Problem> {
    let mut policies: Vec<(Kind, &DynamicObject)> = snapshot
        .policies
        .iter()
        .filter_map(|policy| Some((kind_of(policy)?, policy)))
        .filter(|(kind, _)| POLICY_KINDS.contains(kind))
        .collect();
    policies.sort_by(|(a_kind, a), (b_kind, b)| {
        (&a.metadata.namespace, &a.metadata.name, a_kind.as_str()).cmp(&(
            &b.metadata.namespace,
            &b.metadata.name,
            b_kind.as_str(),
        ))
    });
    policies
        .into_iter()
        .filter_map(|(kind, policy)| {
            let (field, reason, message) = verdict(snapshot, kind, policy)?;
            Some(Problem {
                cluster: cluster.cluster_name.clone(),
                object: ObjectRef::new(
                    kind,
                    policy.metadata.namespace.clone().unwrap_or_default(),
                    policy.metadata.name.clone().unwrap_or_default(),
                ),
                field: Some(field.into()),
                reason: reason.into(),
                message,
                plugin: None,
                lattice_error: None,
            })
        })
        .collect()
}

/// The verdict on `policy`, of `kind`: `(field, reason, message)`, or
/// `None` when none of the module doc's reasons applies.
fn verdict(
    snapshot: &Snapshot,
    kind: Kind,
    policy: &DynamicObject,
) -> Option<(&'static str, &'static str, String)> {
    let namespace = policy.metadata.namespace.as_deref().unwrap_or_default();
    let target = &policy.data["spec"]["targetRef"];
    let text = |field: &str| target[field].as_str().unwrap_or_default();
    let (group, target_kind, name) = (text("group"), text("kind"), text("name"));
    let parsed = Kind::parse_api(core_alias(group), target_kind)
        .filter(|parsed| supported_targets(kind).contains(parsed));
    if kind == Kind::AccessLogPolicy {
        if group != GATEWAY_API_GROUP {
            return Some((
                "spec.targetRef.group",
                "Invalid",
                format!(
                    "The targetRef's Group must be \"{GATEWAY_API_GROUP}\" but was \"{group}\""
                ),
            ));
        }
        let Some(parsed) = parsed else {
            return Some((
                "spec.targetRef.kind",
                "Invalid",
                format!(
                    "The targetRef's Kind must be \"Gateway\", \"HTTPRoute\", or \"GRPCRoute\" \
                     but was \"{target_kind}\""
                ),
            ));
        };
        return (!exists(snapshot, parsed, namespace, name)).then(|| {
            (
                "spec.targetRef.name",
                "TargetNotFound",
                format!("{target_kind} target \"{namespace}/{name}\" could not be found"),
            )
        });
    }
    let Some(parsed) = parsed else {
        return Some((
            "spec.targetRef.kind",
            "Invalid",
            format!("group/kind error: not supported GroupKind={group}/{target_kind}"),
        ));
    };
    if !exists(snapshot, parsed, namespace, name) {
        return Some((
            "spec.targetRef.name",
            "TargetNotFound",
            format!("targetRef not found, target={namespace}/{name}"),
        ));
    }
    let winner = targeting(snapshot, parsed, namespace, name)
        .into_iter()
        .find(|(policy_kind, _)| *policy_kind == kind)?
        .1
        .metadata
        .name
        .clone()?;
    (Some(winner.as_str()) != policy.metadata.name.as_deref()).then(|| {
        (
            "spec.targetRef",
            "Conflicted",
            format!("targetRef has conflict, policy={winner}"),
        )
    })
}

/// Whether the `kind` object `namespace/name` is in `snapshot`.
fn exists(snapshot: &Snapshot, kind: Kind, namespace: &str, name: &str) -> bool {
    snapshot
        .roots()
        .chain(
            snapshot
                .services
                .iter()
                .map(|service| (Kind::Service, &service.metadata)),
        )
        .any(|(found, meta)| {
            found == kind
                && meta.namespace.as_deref() == Some(namespace)
                && meta.name.as_deref() == Some(name)
        })
}
