//! Policies as the controller sees them: what a policy targets, and the
//! `Accepted` condition written on the policies of a reconciled object.
//!
//! Contract: policies whose `targetRef` names the reconciled Gateway or
//! route get `Accepted` (`True`, or `False` with the reason of the problem
//! that names the policy, e.g. an AccessLogPolicy's `Invalid` or
//! `Conflicted`, or `Invalid` for a kind the policy may not target), written
//! when it changes. TargetGroupPolicies targeting a Service a reconciled
//! route names as a backend, or a reconciled ServiceExport (or its Service),
//! get `Accepted` too. Every policy's verdict (`Invalid`, `TargetNotFound`,
//! `Conflicted`, see [`policy_verdicts`]) is among the problems. The
//! policies no such reconcile writes are written by
//! [`super::policy_statuses`].

use std::collections::HashSet;

use kube::ResourceExt;
use kube::core::DynamicObject;

use super::context::Context;
use super::status;
use crate::kube::crds::policy_target;
use crate::kube::{Snapshot, TypedKind, kind_of};
use crate::object::{Kind, ObjectRef, Problem};
use crate::reconcile::normalize::{lattice_gateways, policy_verdicts, route_references, routes};
use crate::reconcile::{Condition, ObjectStatus};

/// The policy kinds that get an `Accepted` condition.
pub const KINDS: [Kind; 4] = [
    Kind::IamAuthPolicy,
    Kind::AccessLogPolicy,
    Kind::VpcAssociationPolicy,
    Kind::TargetGroupPolicy,
];

/// Writes `Accepted` on the policies of `snapshot` that target `object`,
/// given the reconcile's `problems`.
pub async fn write_statuses(
    ctx: &Context,
    snapshot: &Snapshot,
    object: &ObjectRef,
    problems: &[Problem],
    produced_by: &str,
) -> Result<(), kube::Error> {
    let backends = target_group_policy_targets(snapshot, object);
    let verdicts = policy_verdicts(snapshot, &ctx.cluster);
    let problems: Vec<&Problem> = problems.iter().chain(&verdicts).collect();
    for policy in &snapshot.policies {
        let Some(kind) = kind_of(policy) else {
            continue;
        };
        let target = policy_target(policy);
        let targets_object = target.as_ref() == Some(object);
        let targets_backend = kind == Kind::TargetGroupPolicy
            && target
                .as_ref()
                .is_some_and(|target| backends.contains(target));
        if !KINDS.contains(&kind) || !(targets_object || targets_backend) {
            continue;
        }
        let reference = ObjectRef::new(
            kind,
            policy.namespace().unwrap_or_default(),
            policy.name_any(),
        );
        let accepted = match problems.iter().find(|problem| problem.object == reference) {
            Some(problem) => Condition {
                type_: "Accepted",
                status: "False",
                reason: problem.reason.clone(),
                message: problem.message.clone(),
            },
            None => Condition {
                type_: "Accepted",
                status: "True",
                reason: "Accepted".into(),
                message: String::new(),
            },
        };
        let policy_status = ObjectStatus {
            cluster: ctx.cluster.cluster_name.clone(),
            object: reference,
            conditions: vec![accepted],
            gateway: None,
        };
        status::write_policy(ctx.client.clone(), policy, &policy_status, produced_by).await?;
    }
    Ok(())
}

/// The targets whose policies the reconciles of the roots Trellis manages
/// write ([`write_statuses`]): Lattice Gateways, routes attached to one and
/// ServiceExports; for TargetGroupPolicies also the Services such a route
/// uses as backends and the exports' Services.
pub struct WrittenByRoots {
    roots: HashSet<ObjectRef>,
    services: HashSet<ObjectRef>,
}

impl WrittenByRoots {
    /// The targets of `snapshot`'s managed roots.
    pub fn new(ctx: &Context, snapshot: &Snapshot) -> Self {
        let roots: HashSet<ObjectRef> = lattice_gateways(snapshot)
            .into_iter()
            .map(TypedKind::reference)
            .chain(
                routes(snapshot, &ctx.cluster)
                    .into_iter()
                    .map(|route| route.object),
            )
            .chain(snapshot.service_exports.iter().map(TypedKind::reference))
            .collect();
        let mut services: HashSet<ObjectRef> = route_references(snapshot)
            .into_iter()
            .filter(|references| roots.contains(&references.route))
            .flat_map(|references| references.backends)
            .filter(|backend| backend.kind == Kind::Service)
            .collect();
        services.extend(
            roots
                .iter()
                .filter(|root| root.kind == Kind::ServiceExport)
                .map(|export| ObjectRef::new(Kind::Service, &export.namespace, &export.name)),
        );
        Self { roots, services }
    }

    /// Whether a root's reconcile writes `policy`'s status.
    pub fn writes(&self, policy: &DynamicObject) -> bool {
        let Some(target) = policy_target(policy) else {
            return false;
        };
        self.roots.contains(&target)
            || (kind_of(policy) == Some(Kind::TargetGroupPolicy) && self.services.contains(&target))
    }
}

/// The objects whose TargetGroupPolicies a reconcile of `object` writes:
/// the Services a route names as backends; a ServiceExport and its Service.
fn target_group_policy_targets(snapshot: &Snapshot, object: &ObjectRef) -> Vec<ObjectRef> {
    match object.kind {
        Kind::ServiceExport => vec![
            object.clone(),
            ObjectRef::new(Kind::Service, &object.namespace, &object.name),
        ],
        kind if kind.is_route() => route_references(snapshot)
            .into_iter()
            .filter(|references| &references.route == object)
            .flat_map(|references| references.backends)
            .filter(|backend| backend.kind == Kind::Service)
            .collect(),
        _ => Vec::new(),
    }
}
