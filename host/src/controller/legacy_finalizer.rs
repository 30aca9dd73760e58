//! Upstream's legacy Service finalizer, `service.ki8s.aws/resources` (the
//! typo is upstream's): old versions of the Go controller put it on
//! Services, and its Service controller only ever removes it. Trellis does
//! the same, so that a Service deleted after a switch-over from the Go
//! controller is not left `Terminating`.
//!
//! Contract: the Service watch sends every listed, added or modified
//! Service carrying the finalizer here ([`carries`]); [`run`] removes that
//! one entry (by JSON patch with a `test` op: [`super::finalizer::remove`]),
//! never another finalizer, and Trellis never adds any finalizer to a
//! Service. It runs only on the leader (it is started with the watches). A
//! failed removal is logged and retried with the per-object backoff.

use std::sync::Arc;

use futures::{Stream, StreamExt};
use k8s_openapi::api::core::v1::Service;
use kube::ResourceExt;
use kube::api::Api;
use kube::core::{ApiResource, DynamicObject};
use kube::runtime::Controller;
use kube::runtime::controller::Action;
use kube::runtime::reflector::{self, Store};
use tokio::sync::watch as signal;

use super::context::Context;
use super::error::Error;
use super::finalizer;
use crate::object::{Kind, ObjectRef};

/// The finalizer upstream's Service controller removes (its typo kept).
pub const LEGACY_FINALIZER: &str = "service.ki8s.aws/resources";

/// Whether `service` carries [`LEGACY_FINALIZER`].
pub fn carries(service: &Service) -> bool {
    service
        .finalizers()
        .iter()
        .any(|entry| entry == LEGACY_FINALIZER)
}

/// Removes [`LEGACY_FINALIZER`] from `service` (as read) and nothing else;
/// nothing to do when it does not carry it or is gone.
pub async fn remove(client: kube::Client, service: &Service) -> Result<(), kube::Error> {
    let namespace = service.namespace().unwrap_or_default();
    let api: Api<DynamicObject> =
        Api::namespaced_with(client, &namespace, &ApiResource::erase::<Service>(&()));
    finalizer::remove(
        &api,
        &service.name_any(),
        service.metadata.finalizers.as_ref(),
        LEGACY_FINALIZER,
    )
    .await
}

/// Removes the legacy finalizer from the Services of `store` that
/// `triggers` name, until `stopped` turns true.
pub async fn run(
    ctx: Arc<Context>,
    store: Store<Service>,
    triggers: impl Stream<Item = reflector::ObjectRef<Service>> + Send + 'static,
    mut stopped: signal::Receiver<bool>,
) {
    Controller::for_shared_stream(futures::stream::pending(), store)
        .reconcile_on(triggers)
        .graceful_shutdown_on(async move {
            let _ = stopped.wait_for(|stop| *stop).await;
        })
        .run(reconcile, error_policy, ctx)
        .for_each(|_| futures::future::ready(()))
        .await;
}

async fn reconcile(service: Arc<Service>, ctx: Arc<Context>) -> Result<Action, Error> {
    if carries(&service) {
        remove(ctx.client.clone(), &service).await?;
        tracing::info!(
            namespace = service.namespace().unwrap_or_default(),
            name = service.name_any(),
            finalizer = LEGACY_FINALIZER,
            "removed the legacy finalizer from the Service"
        );
    }
    ctx.backoff.succeeded(&reference(&service));
    Ok(Action::await_change())
}

fn error_policy(service: Arc<Service>, error: &Error, ctx: Arc<Context>) -> Action {
    tracing::warn!(
        namespace = service.namespace().unwrap_or_default(),
        name = service.name_any(),
        %error,
        "could not remove the legacy finalizer from the Service"
    );
    Action::requeue(ctx.backoff.failed(&reference(&service)))
}

fn reference(service: &Service) -> ObjectRef {
    ObjectRef::new(
        Kind::Service,
        service.namespace().unwrap_or_default(),
        service.name_any(),
    )
}

#[cfg(test)]
mod tests;
