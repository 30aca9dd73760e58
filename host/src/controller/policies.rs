//! Policies as the controller sees them: what a policy targets, and the
//! `Accepted` condition written on the policies of a reconciled object.
//!
//! Contract: IAMAuthPolicy, AccessLogPolicy and VpcAssociationPolicy objects
//! whose `targetRef` names the reconciled Gateway or route get `Accepted`
//! (`True`, or `False` with the reason of the problem that names the policy,
//! e.g. an AccessLogPolicy's `Invalid` or `Conflicted`), written when it
//! changes. TargetGroupPolicy targets Services and exports and gets no
//! condition yet.

use kube::ResourceExt;

use super::context::Context;
use super::status;
use crate::kube::crds::policy_target;
use crate::kube::{Snapshot, kind_of};
use crate::object::{Kind, ObjectRef, Problem};
use crate::reconcile::{Condition, ObjectStatus};

/// The policy kinds that get an `Accepted` condition.
const KINDS: [Kind; 3] = [
    Kind::IamAuthPolicy,
    Kind::AccessLogPolicy,
    Kind::VpcAssociationPolicy,
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
    for policy in &snapshot.policies {
        let Some(kind) = kind_of(policy) else {
            continue;
        };
        if !KINDS.contains(&kind) || policy_target(policy).as_ref() != Some(object) {
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
        };
        status::write_policy(ctx.client.clone(), policy, &policy_status, produced_by).await?;
    }
    Ok(())
}
