//! ServiceNetwork objects (cluster-scoped, optional CRD): their finalizer,
//! status and deletion, as upstream's ServiceNetwork controller does. The
//! network itself is made (or adopted) by the cluster-level reconcile; this
//! module adds what belongs to the object's life cycle.
//!
//! Guarantees: the finalizer `servicenetwork.k8s.aws/resources` is added
//! before anything else; a deleted object's network is deleted only when
//! this controller's `ManagedBy` tag is on it (another's, or an untagged
//! one, is left and the finalizer removed); deletion waits while a Lattice
//! Gateway of the same name exists (`Programmed=False/DeleteBlocked` and
//! `DeletionBlocked` naming it, with one Warning event per change) or
//! Lattice refuses (`DeleteError`, e.g. associations remain), and is
//! retried on the next cluster-level run.

use kube::api::Api;
use kube::core::{ApiResource, DynamicObject};
use kube::{Resource, ResourceExt};
use serde_json::{Value, json};

use super::blocked_deletion;
use super::context::Context;
use super::finalizer;
use super::status;
use crate::kube::crds::policy_resources;
use crate::kube::kind_of;
use crate::object::Kind;
use crate::reconcile::Reconciled;
use crate::reconcile::normalize;
use crate::reconcile::{find_service_network, managed_by};

/// Upstream's finalizer of ServiceNetwork objects.
pub const FINALIZER: &str = "servicenetwork.k8s.aws/resources";

/// The ServiceNetwork kind's API resource.
fn resource() -> Option<ApiResource> {
    policy_resources()
        .into_iter()
        .find(|resource| resource.kind == Kind::ServiceNetwork.as_str())
}

fn api(ctx: &Context) -> Option<Api<DynamicObject>> {
    resource().map(|resource| Api::all_with(ctx.client.clone(), &resource))
}

/// Finalizers, status and deletion of every ServiceNetwork object, after
/// the cluster-level reconcile `done` made their networks.
pub async fn reconcile(ctx: &Context, done: &Reconciled) {
    let Some(api) = api(ctx) else {
        return;
    };
    let objects: Vec<DynamicObject> = ctx
        .stores
        .policies
        .iter()
        .flat_map(|store| store.state())
        .filter(|object| kind_of(object) == Some(Kind::ServiceNetwork))
        .map(|object| (*object).clone())
        .collect();
    for object in objects {
        let name = object.name_any();
        let result = if object.metadata.deletion_timestamp.is_some() {
            delete(ctx, &api, &object).await
        } else if !object.finalizers().iter().any(|f| f == FINALIZER) {
            finalizer::add(&api, &name, object.metadata.finalizers.as_ref(), FINALIZER).await
        } else {
            programmed(ctx, &api, &object, done).await
        };
        if let Err(error) = result {
            tracing::warn!(service_network = name, %error, "ServiceNetwork object");
        }
    }
}

/// Writes `Accepted` and `Programmed` (or `ReconcileError` with the
/// object's problem) and the network's ARN and id, when they changed.
async fn programmed(
    ctx: &Context,
    api: &Api<DynamicObject>,
    object: &DynamicObject,
    done: &Reconciled,
) -> Result<(), kube::Error> {
    let name = object.name_any();
    let problem = done
        .problems
        .iter()
        .find(|problem| problem.object.kind == Kind::ServiceNetwork && problem.object.name == name);
    let network = find_service_network(ctx.lattice.as_ref(), &name)
        .await
        .ok()
        .flatten();
    let programmed = match (problem, &network) {
        (Some(problem), _) => (
            "False",
            "ReconcileError".to_owned(),
            problem.message.clone(),
        ),
        (None, Some(_)) => (
            "True",
            "Programmed".to_owned(),
            "ServiceNetwork is programmed".to_owned(),
        ),
        (None, None) => (
            "False",
            "Pending".to_owned(),
            "waiting for the service network".to_owned(),
        ),
    };
    let mut status = json!({
        "conditions": [
            condition(object, "Accepted", "True", "Accepted", "ServiceNetwork is accepted"),
            condition(object, "Programmed", programmed.0, &programmed.1, &programmed.2),
        ],
    });
    if let Some(network) = &network {
        status["serviceNetworkARN"] = json!(network.arn);
        status["serviceNetworkID"] = json!(network.id);
    }
    write_status(api, object, status).await
}

/// Deletes the object's network (if it is this controller's), then the
/// finalizer; or says on the status why not yet.
async fn delete(
    ctx: &Context,
    api: &Api<DynamicObject>,
    object: &DynamicObject,
) -> Result<(), kube::Error> {
    if !object.finalizers().iter().any(|f| f == FINALIZER) {
        return Ok(());
    }
    let name = object.name_any();
    let snapshot = ctx.stores.snapshot();
    if let Some(gateway) = normalize::lattice_gateways(&snapshot)
        .into_iter()
        .find(|gateway| gateway.metadata.name.as_deref() == Some(name.as_str()))
    {
        let gateway = format!(
            "{}/{name}",
            gateway.metadata.namespace.as_deref().unwrap_or_default()
        );
        return blocked_by_gateway(ctx, api, object, &gateway).await;
    }
    let network = match find_service_network(ctx.lattice.as_ref(), &name).await {
        Ok(network) => network,
        Err(error) => return blocked(api, object, "DeleteError", &error.to_string()).await,
    };
    if let Some(network) = network
        && managed_by(&network.tags) == Some(ctx.cluster.managed_by().as_str())
        && let Err(error) = ctx.lattice.delete_service_network(&network.id).await
        && !matches!(error, crate::lattice::LatticeError::NotFound { .. })
    {
        return blocked(api, object, "DeleteError", &error.to_string()).await;
    }
    finalizer::remove(api, &name, object.metadata.finalizers.as_ref(), FINALIZER).await
}

/// Says on the status, with `DeletionBlocked` and one Warning event per
/// change (see [`blocked_deletion`]), that the deletion waits for
/// `gateway` (`namespace/name`).
async fn blocked_by_gateway(
    ctx: &Context,
    api: &Api<DynamicObject>,
    object: &DynamicObject,
    gateway: &str,
) -> Result<(), kube::Error> {
    let message = blocked_deletion::service_network_message(gateway);
    let reported = blocked_deletion::reported(&object.data["status"]["conditions"], &message);
    let status = json!({"conditions": [
        condition(object, "Accepted", "True", "Accepted", "ServiceNetwork is accepted"),
        condition(object, "Programmed", "False", "DeleteBlocked", &message),
        condition(object, blocked_deletion::CONDITION, "True", blocked_deletion::REASON, &message),
    ]});
    write_status(api, object, status).await?;
    if !reported && let Some(resource) = resource() {
        blocked_deletion::warn(ctx, &object.object_ref(&resource), &message).await;
    }
    Ok(())
}

async fn blocked(
    api: &Api<DynamicObject>,
    object: &DynamicObject,
    reason: &str,
    message: &str,
) -> Result<(), kube::Error> {
    let status = json!({"conditions": [
        condition(object, "Accepted", "True", "Accepted", "ServiceNetwork is accepted"),
        condition(object, "Programmed", "False", reason, message),
    ]});
    write_status(api, object, status).await
}

/// A condition of `object`, keeping the live one's transition time when its
/// status is the same.
fn condition(
    object: &DynamicObject,
    type_: &str,
    status: &str,
    reason: &str,
    message: &str,
) -> Value {
    status::condition_json(
        type_,
        status,
        reason,
        message,
        &object.data["status"]["conditions"],
        object.metadata.generation.unwrap_or_default(),
    )
}

/// Applies `status` unless the live one says the same (times aside).
async fn write_status(
    api: &Api<DynamicObject>,
    object: &DynamicObject,
    status: Value,
) -> Result<(), kube::Error> {
    let untimed = |status: &Value| {
        let mut status = status.clone();
        status["conditions"] = status::without_times(&status["conditions"]);
        status
    };
    if untimed(&object.data["status"]) == untimed(&status) {
        return Ok(());
    }
    let Some(resource) = resource() else {
        return Ok(());
    };
    status::apply_status(
        api.clone().into_client(),
        &resource,
        None,
        &object.name_any(),
        status,
    )
    .await
}
