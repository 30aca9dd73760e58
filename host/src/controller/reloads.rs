//! What the controller does after each plugin reload: log it, count it,
//! report failures as events, and re-reconcile exactly the objects whose
//! plugin chain changed.

use std::sync::Arc;

use k8s_openapi::api::core::v1::ObjectReference;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta as K8sMeta;
use kube::ResourceExt;
use kube::runtime::events::{Event as KubeEvent, EventType};
use tokio::sync::mpsc::UnboundedReceiver;

use super::context::Context;
use super::watch::Triggers;
use crate::kube::Snapshot;
use crate::plugin::{PluginSet, Subject, reload::Reload};
use crate::reconcile::normalize::{self, CONTROLLER_NAME};
use crate::reconcile::problem::ObjectRef;

/// Handles reloads until the watcher stops.
pub async fn run(ctx: Arc<Context>, mut reloads: UnboundedReceiver<Reload>, triggers: Triggers) {
    let mut serving = ctx.plugins.current();
    while let Some(reload) = reloads.recv().await {
        ctx.metrics.plugin_reload(&reload);
        for failure in &reload.failures {
            tracing::error!(
                file = %failure.file.display(),
                error = %failure.message,
                "plugin or policy file failed to load; the last good version keeps serving"
            );
        }
        let snapshot = ctx.stores.snapshot();
        publish_failures(&ctx, &snapshot, &reload).await;
        if !reload.replaced {
            continue;
        }
        let current = ctx.plugins.current();
        let roots = changed_roots(&serving, &current, &snapshot);
        tracing::info!(
            took_ms = reload.took.as_millis() as u64,
            objects = roots.len(),
            "new plugins in force; re-reconciling the objects they translate"
        );
        triggers.send(&roots);
        serving = current;
    }
}

/// The roots (Gateways, routes, ServiceExports, and `ServiceNetwork` for the
/// cluster-level objects) whose plugin chain differs between `before` and
/// `after`: name, version, configuration or order of a plugin.
pub fn changed_roots(before: &PluginSet, after: &PluginSet, snapshot: &Snapshot) -> Vec<ObjectRef> {
    let mut roots = Vec::new();
    let mut check = |kind: &str, metadata: &K8sMeta| {
        let meta = normalize::object_meta(kind, metadata);
        let namespace_labels = normalize::namespace_labels(snapshot, &meta.namespace);
        let subject = Subject {
            kind,
            namespace: &meta.namespace,
            name: &meta.name,
            labels: &meta.labels,
            namespace_labels: &namespace_labels,
        };
        if before.chain_identity(&subject) != after.chain_identity(&subject) {
            roots.push(ObjectRef::new(kind, &meta.namespace, &meta.name));
        }
    };
    for gateway in &snapshot.gateways {
        check("Gateway", &gateway.metadata);
    }
    for route in &snapshot.http_routes {
        check("HTTPRoute", &route.metadata);
    }
    for route in &snapshot.grpc_routes {
        check("GRPCRoute", &route.metadata);
    }
    for route in &snapshot.tls_routes {
        check("TLSRoute", &route.metadata);
    }
    for export in &snapshot.service_exports {
        check("ServiceExport", &export.metadata);
    }
    let cluster_level = Subject {
        kind: "Cluster",
        namespace: "",
        name: "",
        labels: &[],
        namespace_labels: &[],
    };
    let networks = Subject {
        kind: "ServiceNetwork",
        ..cluster_level
    };
    if before.chain_identity(&cluster_level) != after.chain_identity(&cluster_level)
        || before.chain_identity(&networks) != after.chain_identity(&networks)
    {
        roots.push(ObjectRef::new("ServiceNetwork", "", ""));
    }
    roots
}

/// A Warning event per failed file on each GatewayClass of this
/// controller: reload failures belong to no single object.
async fn publish_failures(ctx: &Context, snapshot: &Snapshot, reload: &Reload) {
    if reload.failures.is_empty() {
        return;
    }
    for class in snapshot
        .gateway_classes
        .iter()
        .filter(|class| class.spec.controller_name == CONTROLLER_NAME)
    {
        let target = ObjectReference {
            api_version: Some("gateway.networking.k8s.io/v1".into()),
            kind: Some("GatewayClass".into()),
            name: Some(class.name_any()),
            uid: class.metadata.uid.clone(),
            ..ObjectReference::default()
        };
        for failure in &reload.failures {
            let event = KubeEvent {
                type_: EventType::Warning,
                reason: "PluginLoadFailed".into(),
                note: Some(format!("{failure}; the last good version keeps serving")),
                action: "ReloadPlugins".into(),
                secondary: None,
            };
            if let Err(error) = ctx.recorder.publish(&event, &target).await {
                tracing::warn!(%error, "could not publish a plugin reload event");
            }
        }
    }
}
