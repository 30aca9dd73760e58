//! The cluster-level work, in one task: the default service network and the
//! ServiceNetwork objects (with their finalizer, status and deletion:
//! [`super::service_networks`]), the `Accepted` condition of Lattice
//! GatewayClasses, and the collection of this cluster's unused target
//! groups (and services of routes that no longer exist).
//!
//! Contract: networks and classes are reconciled at start, on every
//! ServiceNetwork or GatewayClass change, and every `interval`; collection
//! runs every `interval` (upstream: 30 s), only on the leader (the task
//! runs only while leading) and only against complete stores. It never
//! races an object's own cleanup or first reconcile: Lattice is listed
//! before the stores are read (what a route just made is protected by the
//! route), and objects being deleted protect their resources until their
//! own cleanup has deleted them.

use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use futures::channel::mpsc;
use gateway_api::apis::standard::gatewayclasses::GatewayClass;
use kube::ResourceExt;
use kube::core::ApiResource;
use serde_json::json;

use super::context::Context;
use super::service_networks;
use super::status;
use crate::object::{Kind, ObjectRef};
use crate::reconcile::CONTROLLER_NAME;
use crate::reconcile::{prune_cluster, reconcile_object};

/// Runs until the trigger channel closes (the controller stops).
pub async fn run(ctx: Arc<Context>, mut changes: mpsc::UnboundedReceiver<()>, interval: Duration) {
    let networks = ObjectRef::new(Kind::ServiceNetwork, "", "");
    let mut ticker = tokio::time::interval(interval);
    ticker.tick().await;
    loop {
        let input = ctx.input(ctx.stores.snapshot());
        let plugins = ctx.plugins.current();
        let done = reconcile_object(
            &input,
            &plugins,
            ctx.lattice.as_ref(),
            ctx.certificates.as_ref(),
            &networks,
        )
        .await;
        for problem in &done.problems {
            tracing::warn!(
                object = %problem.object,
                reason = %problem.reason,
                message = %problem.message,
                "service network"
            );
        }
        service_networks::reconcile(&ctx, &done).await;
        accept_gateway_classes(&ctx).await;
        tokio::select! {
            change = changes.next() => {
                if change.is_none() {
                    return;
                }
            }
            _ = ticker.tick() => {
                // Objects being deleted protect their resources here: their
                // own cleanup deletes them (see `Stores::collection_snapshot`).
                let input = || ctx.input(Arc::new(ctx.stores.collection_snapshot()));
                let done = prune_cluster(ctx.lattice.as_ref(), input).await;
                for problem in &done.problems {
                    tracing::warn!(
                        reason = %problem.reason,
                        message = %problem.message,
                        "collecting unused resources"
                    );
                }
            }
        }
    }
}

/// Writes `Accepted=True` on every GatewayClass of Trellis's controller
/// name that does not have it for its generation (as upstream's
/// GatewayClass controller does). Failures are logged and retried on the
/// next run.
async fn accept_gateway_classes(ctx: &Context) {
    for class in ctx.stores.gateway_classes.state() {
        if class.spec.controller_name != CONTROLLER_NAME {
            continue;
        }
        let generation = class.metadata.generation.unwrap_or_default();
        let accepted = class.status.as_ref().is_some_and(|status| {
            status.conditions.iter().flatten().any(|condition| {
                condition.type_ == "Accepted"
                    && condition.status == "True"
                    && condition.observed_generation == Some(generation)
            })
        });
        if accepted {
            continue;
        }
        let existing = class
            .status
            .as_ref()
            .and_then(|status| serde_json::to_value(&status.conditions).ok())
            .unwrap_or_default();
        let accepted = status::condition_json(
            "Accepted",
            "True",
            "Accepted",
            &format!("Accepted by {CONTROLLER_NAME}"),
            &existing,
            generation,
        );
        if let Err(error) = status::apply_status(
            ctx.client.clone(),
            &ApiResource::erase::<GatewayClass>(&()),
            None,
            &class.name_any(),
            json!({"conditions": [accepted]}),
        )
        .await
        {
            tracing::warn!(class = class.name_any(), %error, "could not accept the GatewayClass");
        }
    }
}
