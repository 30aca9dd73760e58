//! The reconcile of one root object — a Gateway, a route or a ServiceExport —
//! in the controller-rs shape: [`reconcile`] runs the finalizer flow and
//! dispatches to [`apply`] or [`cleanup`]; [`error_policy`] counts the
//! failure and retries with backoff.
//!
//! Guarantees:
//! - A finalizer is added only to objects Trellis manages: Gateways of the
//!   Lattice GatewayClass, routes attached to such a Gateway, and
//!   ServiceExports. Other objects are not touched. An object that stops
//!   being managed (a route moved to another Gateway class) is cleaned up
//!   and loses the finalizer.
//! - A failure (a broken plugin, an invalid field, a Lattice error) never
//!   deletes live Lattice resources: problems are written to the object's
//!   status and as Warning events, and the object's resources stay.
//! - The finalizer is removed only once the object's Lattice resources are
//!   gone (routes, exports) or nothing references it (Gateways).
//!
//! Assumptions: apply and cleanup are idempotent; cleanup tolerates apply
//! never having run (it deletes what exists, by tags).

use std::fmt::Debug;
use std::sync::Arc;
use std::time::{Duration, Instant};

use gateway_api::apis::standard::gateways::Gateway;
use gateway_api::apis::standard::grpcroutes::GrpcRoute;
use gateway_api::apis::standard::httproutes::HttpRoute;
use gateway_api::apis::standard::tlsroutes::TlsRoute;
use kube::api::{Api, Patch, PatchParams};
use kube::core::{ApiResource, DynamicObject, NamespaceResourceScope};
use kube::runtime::controller::Action;
use kube::runtime::events::{Event as KubeEvent, EventType};
use kube::{Resource, ResourceExt};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::access_log_annotations;
use super::backoff::Backoff;
use super::blocked_deletion;
use super::context::Context;
use super::dns_endpoints;
use super::error::Error;
use super::finalizer;
use super::listener_status;
use super::policies;
use super::status;
use crate::kube::crds::ServiceExport;
use crate::kube::{Snapshot, TypedKind};
use crate::object::{Kind, ObjectRef};
use crate::reconcile::normalize;
use crate::reconcile::normalize::ASSIGNED_DOMAIN_NAME;
use crate::reconcile::{CERTIFICATE_NOT_FOUND, CERTIFICATE_RETRY, Reconciled, reconcile_object};
use crate::reconcile::{clean_up_object, route_service};

/// A kind whose objects own Lattice resources, with upstream's finalizer.
pub trait Root:
    TypedKind
    + Resource<DynamicType = (), Scope = NamespaceResourceScope>
    + Clone
    + Debug
    + Serialize
    + DeserializeOwned
    + Send
    + Sync
    + 'static
{
    /// Upstream's finalizer name for the kind (so objects finalized by the
    /// Go controller are cleaned up by Trellis, and the other way round).
    const FINALIZER: &'static str;
}

impl Root for Gateway {
    const FINALIZER: &'static str = "gateway.k8s.aws/resources";
}
impl Root for HttpRoute {
    const FINALIZER: &'static str = "httproute.k8s.aws/resources";
}
impl Root for GrpcRoute {
    const FINALIZER: &'static str = "grpcroute.k8s.aws/resources";
}
impl Root for TlsRoute {
    const FINALIZER: &'static str = "tlsroute.k8s.aws/resources";
}
impl Root for ServiceExport {
    const FINALIZER: &'static str = "serviceexport.k8s.aws/resources";
}

/// The longest wait of an object with problems before it looks again (an
/// import waiting for another cluster's export is found within a minute).
const PROBLEM_RETRY_LONGEST: Duration = Duration::from_secs(60);

/// How long a failed cleanup waits before it looks again.
const CLEANUP_RETRY: Duration = Duration::from_secs(10);

/// Whether Trellis manages `object`, given the live snapshot.
fn manages(ctx: &Context, snapshot: &Snapshot, object: &ObjectRef) -> bool {
    match object.kind {
        Kind::ServiceExport => true,
        Kind::Gateway => normalize::lattice_gateways(snapshot).iter().any(|gateway| {
            gateway.metadata.namespace.as_deref() == Some(object.namespace.as_str())
                && gateway.metadata.name.as_deref() == Some(object.name.as_str())
        }),
        _ => normalize::route(snapshot, &ctx.cluster, object).is_some(),
    }
}

/// Reconciles one root object (the controller's reconcile function).
pub async fn reconcile<K: Root>(object: Arc<K>, ctx: Arc<Context>) -> Result<Action, Error> {
    let started = Instant::now();
    let result = reconcile_root(object, &ctx).await;
    ctx.metrics.reconciled(K::KIND.as_str(), started.elapsed());
    result
}

/// The finalizer flow (as kube-runtime's `finalizer()` helper, over the
/// untyped object — see [`super::finalizer`]): a deleted object is cleaned
/// up, then loses the finalizer; a managed object without it gets it first
/// (the patch's watch event reconciles it again); then it is applied. An
/// object no longer managed is cleaned up and let go.
async fn reconcile_root<K: Root>(object: Arc<K>, ctx: &Arc<Context>) -> Result<Action, Error> {
    let reference = TypedKind::reference(object.as_ref());
    let finalizers = object.meta().finalizers.as_ref();
    let finalized = finalizers.is_some_and(|list| list.iter().any(|name| name == K::FINALIZER));
    let deleting = object.meta().deletion_timestamp.is_some();
    let api = dynamic_api::<K>(ctx, &reference.namespace);
    // One copy of the stores per reconcile: what it decides and applies.
    let snapshot = ctx.stores.snapshot();
    let managed = !deleting && manages(ctx, &snapshot, &reference);
    if !managed {
        if finalized {
            cleanup(object.as_ref(), ctx, snapshot).await?;
            finalizer::remove(&api, &reference.name, finalizers, K::FINALIZER).await?;
        }
        return Ok(Action::await_change());
    }
    if !finalized {
        finalizer::add(&api, &reference.name, finalizers, K::FINALIZER).await?;
        return Ok(Action::await_change());
    }
    apply(object.as_ref(), ctx, snapshot).await
}

/// The untyped API of `K` in `namespace`.
fn dynamic_api<K: Root>(ctx: &Context, namespace: &str) -> Api<DynamicObject> {
    Api::namespaced_with(ctx.client.clone(), namespace, &ApiResource::erase::<K>(&()))
}

/// Translates and applies the object, then writes its status and events.
async fn apply<K: Root>(
    object: &K,
    ctx: &Context,
    snapshot: Arc<Snapshot>,
) -> Result<Action, Error> {
    let reference = TypedKind::reference(object);
    let parents = lattice_parents(object, &snapshot);
    let input = ctx.input(snapshot);
    let plugins = ctx.plugins.current();
    let reconciled = reconcile_object(
        &input,
        &plugins,
        ctx.lattice.as_ref(),
        ctx.certificates.as_ref(),
        &reference,
    )
    .await;
    let produced_by = reconciled
        .produced_by(&reference)
        .unwrap_or("no plugin (not translated)")
        .to_owned();
    for object_status in reconciled.statuses.iter().filter(|s| s.object == reference) {
        if reference.kind == Kind::Gateway {
            status::write_gateway(ctx.client.clone(), object, object_status, &produced_by).await?;
            if let Some(listeners) = &object_status.gateway {
                listener_status::write(ctx.client.clone(), object, listeners).await?;
            }
        } else {
            status::write_route(
                ctx.client.clone(),
                object,
                &parents,
                object_status,
                &produced_by,
            )
            .await?;
        }
    }
    policies::write_statuses(
        ctx,
        &input.snapshot,
        &reference,
        &reconciled.problems,
        &produced_by,
    )
    .await?;
    access_log_annotations::write(ctx, &input.snapshot, &reconciled.subscriptions).await;
    publish(object, ctx, &reconciled, &reference, &produced_by).await;
    if ctx.dns_endpoints {
        for endpoint in reconciled
            .dns_endpoints
            .iter()
            .filter(|e| e.route == reference)
        {
            dns_endpoints::write(&ctx.client, object, endpoint).await?;
        }
    }
    let problems: Vec<_> = reconciled
        .problems
        .iter()
        .filter(|problem| problem.object == reference)
        .collect();
    if K::KIND.is_route() && !problems.is_empty() {
        // A rejected route counts on no listener any more.
        listener_status::after_route(ctx, &input.snapshot, &reference, &parents, None).await;
    }
    if let Some(error) = problems
        .iter()
        .find_map(|problem| problem.lattice_error.clone())
    {
        return Err(Error::Lattice(error));
    }
    if problems
        .iter()
        .any(|problem| problem.reason == CERTIFICATE_NOT_FOUND)
    {
        // A certificate may be issued in ACM at any time (upstream: 60 s).
        return Ok(Action::requeue(CERTIFICATE_RETRY));
    }
    if !problems.is_empty() {
        // What is missing may come from elsewhere (another cluster's export,
        // a service network made later): look again, less and less often,
        // at Lattice as it is then.
        ctx.lattice.observe_shared_again();
        let delay = ctx.backoff.failed(&reference).min(PROBLEM_RETRY_LONGEST);
        return Ok(Action::requeue(delay));
    }
    if K::KIND.is_route() {
        let domain = annotate_route(object, ctx, &reference).await?;
        listener_status::after_route(ctx, &input.snapshot, &reference, &parents, domain).await;
    }
    ctx.backoff.succeeded(&reference);
    Ok(ctx
        .resync
        .map_or_else(Action::await_change, Action::requeue))
}

/// The annotation with the ARN of a route's service.
pub const SERVICE_ARN: &str = "application-networking.k8s.aws/lattice-service-arn";

/// Writes the route's service DNS name and ARN into its annotations (as
/// upstream does), when they differ; skipped while the route has no service
/// (all its parents rejected). The service's DNS name, if it has one.
async fn annotate_route<K: Root>(
    object: &K,
    ctx: &Context,
    reference: &ObjectRef,
) -> Result<Option<String>, Error> {
    let service = route_service(ctx.lattice.as_ref(), &ctx.cluster.managed_by(), reference).await?;
    let Some(service) = service else {
        return Ok(None);
    };
    let domain = Some(service.dns_entry.domain_name.clone());
    let annotations = object.annotations();
    if annotations.get(ASSIGNED_DOMAIN_NAME) == Some(&service.dns_entry.domain_name)
        && annotations.get(SERVICE_ARN) == Some(&service.arn)
    {
        return Ok(domain);
    }
    let patch = serde_json::json!({"metadata": {"annotations": {
        ASSIGNED_DOMAIN_NAME: service.dns_entry.domain_name,
        SERVICE_ARN: service.arn,
    }}});
    let api: Api<K> = Api::namespaced(ctx.client.clone(), &reference.namespace);
    api.patch(
        &reference.name,
        &PatchParams::default(),
        &Patch::Merge(&patch),
    )
    .await?;
    Ok(domain)
}

/// Events for a reconcile: a Warning per problem of the object, a Normal
/// `DeploySucceed` when Lattice was changed without a problem. Publishing
/// failures are logged, never fatal.
async fn publish<K: Root>(
    object: &K,
    ctx: &Context,
    reconciled: &Reconciled,
    reference: &ObjectRef,
    produced_by: &str,
) {
    let mut events: Vec<KubeEvent> = reconciled
        .problems
        .iter()
        .filter(|problem| problem.object == *reference)
        .map(|problem| KubeEvent {
            type_: EventType::Warning,
            reason: problem.reason.clone(),
            note: Some(match &problem.field {
                Some(field) => format!("{field}: {}", problem.message),
                None => problem.message.clone(),
            }),
            action: "Reconcile".into(),
            secondary: None,
        })
        .collect();
    if events.is_empty() && !reconciled.calls.is_empty() {
        events.push(KubeEvent {
            type_: EventType::Normal,
            reason: "DeploySucceed".into(),
            note: Some(format!(
                "{} VPC Lattice change(s), translated by plugins {produced_by}",
                reconciled.calls.len()
            )),
            action: "Reconcile".into(),
            secondary: None,
        });
    }
    let target = object.object_ref(&());
    for event in events {
        if let Err(error) = ctx.recorder.publish(&event, &target).await {
            tracing::warn!(object = %reference, %error, "could not publish an event");
        }
    }
}

/// Removes what Trellis made for the object, and only that: its own
/// resources, found by their tags (`reconcile::clean_up_object`; one
/// already gone counts as deleted, so concurrent cleanups of other objects
/// never fail this one). A Gateway has none; it waits for its routes.
async fn cleanup<K: Root>(object: &K, ctx: &Context, snapshot: Arc<Snapshot>) -> Result<(), Error> {
    let reference = TypedKind::reference(object);
    if reference.kind == Kind::Gateway {
        let mut routes: Vec<ObjectRef> = normalize::route_references(&snapshot)
            .into_iter()
            .filter(|route| route.gateways.contains(&reference))
            .map(|route| route.route)
            .collect();
        if routes.is_empty() {
            return Ok(());
        }
        routes.sort();
        routes.dedup();
        blocked_deletion::gateway(ctx, object, &routes).await?;
        return Err(Error::GatewayInUse {
            gateway: format!("{}/{}", reference.namespace, reference.name),
            routes: routes.iter().map(ToString::to_string).collect(),
        });
    }
    let cleaned = clean_up_object(ctx.lattice.as_ref(), &ctx.cluster, &reference).await?;
    if reference.kind.is_route() {
        // The route no longer counts on its Gateways' listeners.
        let parents = lattice_parents(object, &snapshot);
        listener_status::after_route(ctx, &snapshot, &reference, &parents, None).await;
    }
    if !cleaned.remaining.is_empty() {
        return Err(Error::CleanupPending {
            object: reference.to_string(),
            remaining: cleaned.remaining.join(", "),
        });
    }
    if !cleaned.calls.is_empty() {
        let event = KubeEvent {
            type_: EventType::Normal,
            reason: "Deleted".into(),
            note: Some(format!(
                "{} VPC Lattice resource(s) deleted",
                cleaned.calls.len()
            )),
            action: "Cleanup".into(),
            secondary: None,
        };
        if let Err(error) = ctx.recorder.publish(&event, &object.object_ref(&())).await {
            tracing::warn!(object = %reference, %error, "could not publish an event");
        }
    }
    Ok(())
}

/// The parentRefs of a route, as written, that name a Lattice Gateway.
fn lattice_parents<K: Root>(object: &K, snapshot: &crate::kube::Snapshot) -> Vec<Value> {
    let json = serde_json::to_value(object).unwrap_or_default();
    let namespace = object.namespace().unwrap_or_default();
    let gateways = normalize::lattice_gateways(snapshot);
    json["spec"]["parentRefs"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|parent| {
            let kind = Kind::of_reference(
                parent["group"].as_str(),
                parent["kind"].as_str(),
                Kind::Gateway,
            );
            let parent_namespace = parent["namespace"].as_str().unwrap_or(&namespace);
            kind == Some(Kind::Gateway)
                && gateways.iter().any(|gateway| {
                    gateway.metadata.namespace.as_deref() == Some(parent_namespace)
                        && gateway.metadata.name.as_deref() == parent["name"].as_str()
                })
        })
        .cloned()
        .collect()
}

/// The controller's error policy: log, count by error kind, retry with
/// backoff (cleanups that wait on Lattice at a fixed pace).
pub fn error_policy<K: Root>(object: Arc<K>, error: &Error, ctx: Arc<Context>) -> Action {
    let kind = K::KIND.as_str();
    tracing::warn!(
        kind,
        namespace = object.namespace().unwrap_or_default(),
        name = object.name_any(),
        %error,
        "reconcile failed"
    );
    ctx.metrics.failed(kind, error.metric_label());
    Action::requeue(retry_delay(
        &ctx.backoff,
        &TypedKind::reference(object.as_ref()),
        error,
    ))
}

/// How long `object` waits before its next try after `error`: a transient
/// failure backs off from seconds, a permanent one waits the longest
/// backoff (a change of the object triggers it sooner), and cleanups that
/// wait on Lattice look again at a fixed pace.
fn retry_delay(backoff: &Backoff, object: &ObjectRef, error: &Error) -> Duration {
    match error {
        Error::CleanupPending { .. } | Error::GatewayInUse { .. } => {
            backoff.failed(object).min(CLEANUP_RETRY)
        }
        error if error.is_transient() => backoff.failed(object),
        _ => backoff.failed_for_good(object),
    }
}

#[cfg(test)]
pub(super) mod tests;
