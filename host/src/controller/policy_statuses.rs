//! The `Accepted` condition of the policies no root reconcile writes: a
//! policy whose target is missing (`TargetNotFound`), of a kind it may not
//! target (`Invalid`), or an object Trellis does not reconcile (a Service
//! no route or export uses, a route of another Gateway class), as
//! upstream's policy controllers reconcile every policy on its own.
//!
//! Contract: at start and after every change of a policy, a root or a
//! Service (changes queued meanwhile are taken as one), every IAMAuthPolicy,
//! AccessLogPolicy, VpcAssociationPolicy and TargetGroupPolicy that no root
//! reconcile writes ([`super::policies::WrittenByRoots`]) gets
//! `Accepted`: `False` with its verdict
//! ([`crate::reconcile::normalize::policy_verdicts`]: reason and upstream's
//! message), else `True/Accepted`; written only when it changed. Failures
//! are logged and retried on the next change.

use std::sync::Arc;

use futures::StreamExt;
use futures::channel::mpsc::UnboundedReceiver;
use kube::ResourceExt;
use kube::core::DynamicObject;
use serde_json::{Value, json};

use super::context::Context;
use super::policies::{KINDS, WrittenByRoots};
use super::status::{apply_status, condition_json, without_times};
use crate::kube::crds::policy_resources;
use crate::kube::kind_of;
use crate::object::{ObjectRef, Problem};
use crate::reconcile::normalize::policy_verdicts;

/// Runs until the trigger channel closes (the controller stops).
pub async fn run(ctx: Arc<Context>, mut changes: UnboundedReceiver<()>) {
    loop {
        write_all(&ctx).await;
        if changes.next().await.is_none() {
            return;
        }
        // Changes that came meanwhile are seen by this one pass.
        while changes.try_recv().is_ok() {}
    }
}

/// One pass over every policy no root reconcile writes.
async fn write_all(ctx: &Context) {
    let snapshot = ctx.stores.snapshot();
    let any_policy = snapshot
        .policies
        .iter()
        .any(|policy| kind_of(policy).is_some_and(|kind| KINDS.contains(&kind)));
    if !any_policy {
        // Nothing to write: the pass over every root is not needed.
        return;
    }
    let verdicts = policy_verdicts(&snapshot, &ctx.cluster);
    let written = WrittenByRoots::new(ctx, &snapshot);
    for policy in &snapshot.policies {
        let Some(kind) = kind_of(policy) else {
            continue;
        };
        if !KINDS.contains(&kind) || written.writes(policy) {
            continue;
        }
        let reference = ObjectRef::new(
            kind,
            policy.namespace().unwrap_or_default(),
            policy.name_any(),
        );
        let verdict = verdicts.iter().find(|problem| problem.object == reference);
        if let Err(error) = write(ctx, policy, verdict).await {
            tracing::warn!(policy = %reference, %error, "could not write the policy's status");
        }
    }
}

/// Writes `Accepted` on `policy`: `False` with `verdict`, else `True`; only
/// when it changed.
async fn write(
    ctx: &Context,
    policy: &DynamicObject,
    verdict: Option<&Problem>,
) -> Result<(), kube::Error> {
    let Some(resource) = policy.types.as_ref().and_then(|types| {
        policy_resources()
            .into_iter()
            .find(|r| r.kind == types.kind)
    }) else {
        return Ok(());
    };
    let (status, reason, message) = match verdict {
        Some(problem) => ("False", problem.reason.as_str(), problem.message.as_str()),
        None => ("True", "Accepted", ""),
    };
    let existing = &policy.data["status"]["conditions"];
    let generation = policy.metadata.generation.unwrap_or_default();
    let accepted = condition_json("Accepted", status, reason, message, existing, generation);
    let wanted = Value::Array(vec![accepted]);
    if without_times(&wanted) == without_times(existing) {
        return Ok(());
    }
    apply_status(
        ctx.client.clone(),
        &resource,
        policy.metadata.namespace.as_deref(),
        &policy.name_any(),
        json!({"conditions": wanted}),
    )
    .await
}

#[cfg(test)]
mod tests;
