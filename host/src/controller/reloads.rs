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
use crate::object::{Kind, ObjectRef};
use crate::plugin::{PluginSet, Subject, reload::Reload};
use crate::reconcile::{CONTROLLER_NAME, normalize};

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
    let mut check = |kind: Kind, metadata: &K8sMeta| {
        let meta = normalize::object_meta(kind, metadata);
        let namespace_labels = normalize::namespace_labels(snapshot, &meta.namespace);
        let subject = Subject::of(&meta, &namespace_labels);
        if before.chain_identity(&subject) != after.chain_identity(&subject) {
            roots.push(ObjectRef::new(kind, &meta.namespace, &meta.name));
        }
    };
    for (kind, metadata) in snapshot.roots() {
        check(kind, metadata);
    }
    let cluster_level = Subject {
        kind: Kind::Cluster.as_str(),
        namespace: "",
        name: "",
        labels: &[],
        namespace_labels: &[],
    };
    let networks = Subject {
        kind: Kind::ServiceNetwork.as_str(),
        ..cluster_level
    };
    if before.chain_identity(&cluster_level) != after.chain_identity(&cluster_level)
        || before.chain_identity(&networks) != after.chain_identity(&networks)
    {
        roots.push(ObjectRef::new(Kind::ServiceNetwork, "", ""));
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
            api_version: Some(format!("{}/v1", Kind::GatewayClass.group())),
            kind: Some(Kind::GatewayClass.as_str().into()),
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

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::plugin::{Plugin, PluginEngine};

    /// Team payments' route and export, another team's route, their Gateway.
    fn snapshot() -> Snapshot {
        crate::kube::testing::snapshot(include_str!("testdata/reloads.yaml"))
    }

    /// The default plugin, and the same component as a policy plugin `name`.
    fn plugins(name: &str) -> (Plugin, Plugin) {
        let engine = PluginEngine::new().unwrap();
        let default = Plugin::default_plugin(&engine).unwrap();
        let policy = default.clone().with_name(name);
        (default, policy)
    }

    fn team_payments() -> crate::plugin::Applies {
        Arc::new(|subject: &Subject<'_>| {
            subject
                .namespace_labels
                .iter()
                .any(|label| label.key == "team" && label.value == "payments")
        })
    }

    #[test]
    fn a_policy_for_one_team_reconciles_that_teams_objects_only() {
        let (default, policy) = plugins("team-prefix");
        let before = PluginSet::stock(default.clone());
        let after = PluginSet::stock(default).and(policy, team_payments(), "team payments");
        let roots = changed_roots(&before, &after, &snapshot());
        assert_eq!(
            roots,
            [
                ObjectRef::new(Kind::HttpRoute, "payments", "checkout"),
                ObjectRef::new(Kind::ServiceExport, "payments", "ledger"),
            ]
        );
    }

    #[test]
    fn a_new_configuration_counts_as_a_change_and_the_same_set_as_none() {
        let (default, policy) = plugins("team-prefix");
        let before = PluginSet::stock(default.clone()).and(policy.clone(), team_payments(), "t");
        let same = PluginSet::stock(default.clone()).and(policy.clone(), team_payments(), "t");
        assert!(changed_roots(&before, &same, &snapshot()).is_empty());
        let reconfigured = PluginSet::stock(default).and(
            policy.with_config(r#"{"label": "owner"}"#),
            team_payments(),
            "t",
        );
        assert_eq!(changed_roots(&before, &reconfigured, &snapshot()).len(), 2);
    }

    #[test]
    fn a_policy_for_every_object_reaches_the_cluster_level_objects_too() {
        let (default, policy) = plugins("cost-tags");
        let before = PluginSet::stock(default.clone());
        let after = PluginSet::stock(default).and(policy, crate::plugin::everything(), "all");
        let roots = changed_roots(&before, &after, &snapshot());
        assert_eq!(roots.len(), 5, "{roots:?}");
        assert!(roots.contains(&ObjectRef::new(Kind::Gateway, "infra", "mesh")));
        assert!(roots.contains(&ObjectRef::new(Kind::ServiceNetwork, "", "")));
    }
}
