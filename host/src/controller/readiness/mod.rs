//! The pod readiness gate's condition (upstream's readiness sync in
//! `targetsSynthesizer.PostSynthesize`): a pod created with the gate
//! `application-networking.k8s.aws/pod-readiness-gate` (added by
//! `super::webhook`) becomes ready only once its condition is `True`,
//! which this task writes from its VPC Lattice target's health.
//!
//! Contract: on the leader, every [`PERIOD`] a pass ([`sync`]) looks at the
//! pods of not-ready endpoints of Services with a target group of this
//! cluster, and writes each gated pod's condition from `ListTargets`
//! (read afresh, never cached): `HEALTHY` → True/Healthy, `UNAVAILABLE`
//! → True/HealthCheckUnavailable, `UNUSED` → False/Unused, `INITIAL` →
//! False/Initial, other → False/Unhealthy ("Target health check status:
//! X"), not registered → False/TargetNotFound. A pod whose condition is
//! pending is looked at again on the next pass, 10 s later, as upstream's
//! requeue; a `True` condition is final (the endpoint turns ready and the
//! pod leaves the passes).

mod condition;
mod sync;

pub use sync::sync;

use std::sync::Arc;
use std::time::Duration;

use k8s_openapi::api::core::v1::Pod;
use tokio::sync::watch as signal;

use super::context::Context;

/// The pod condition type (and readiness gate) upstream uses.
pub const READINESS_GATE: &str = "application-networking.k8s.aws/pod-readiness-gate";

/// Time between passes: upstream requeues a pending target after 10 s.
pub const PERIOD: Duration = Duration::from_secs(10);

/// Whether `pod` lists the readiness gate.
pub fn has_gate(pod: &Pod) -> bool {
    pod.spec
        .as_ref()
        .and_then(|spec| spec.readiness_gates.as_ref())
        .is_some_and(|gates| {
            gates
                .iter()
                .any(|gate| gate.condition_type == READINESS_GATE)
        })
}

/// Runs a pass every [`PERIOD`] until `stopped` turns true.
pub async fn run(ctx: Arc<Context>, mut stopped: signal::Receiver<bool>) {
    let mut ticks = tokio::time::interval(PERIOD);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = ticks.tick() => {}
            _ = stopped.wait_for(|stop| *stop) => return,
        }
        let slices = ctx.stores.endpoint_slices.state();
        match sync(&ctx.client, ctx.lattice.as_ref(), &ctx.cluster, &slices).await {
            Ok(pass) if pass.written > 0 || pass.pending > 0 => {
                tracing::debug!(
                    written = pass.written,
                    pending = pass.pending,
                    "readiness-gate pass"
                );
            }
            Ok(_) => {}
            Err(error) => {
                tracing::warn!(%error, "readiness-gate pass failed; retrying at the next")
            }
        }
    }
}

#[cfg(test)]
mod tests;
