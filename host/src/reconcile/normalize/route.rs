//! One route: its listeners, rules and problems.

use super::view::RouteView;
use super::{Issue, NormalizedRoute, backends, listeners, meta, policies};
use crate::config::ClusterConfig;
use crate::kube::Snapshot;
use crate::object::{ObjectRef, Problem};
use crate::plugin::bindings::types::{RouteInput, RouteRule};

/// Normalizes one route; `None` when it is not Trellis's (see [`super::routes`]).
pub(super) fn normalize(
    snapshot: &Snapshot,
    cluster: &ClusterConfig,
    route: &RouteView,
) -> Option<NormalizedRoute> {
    let attachment = listeners::attach(snapshot, route);
    if !attachment.relevant && attachment.issues.is_empty() {
        return None;
    }
    let mut issues = attachment.issues;
    let rules: Vec<RouteRule> = if attachment.relevant {
        rules(snapshot, route, &mut issues)
    } else {
        Vec::new()
    };
    let accepted = !attachment.listeners.is_empty() && !issues.iter().any(|issue| issue.blocking);
    let input = accepted.then(|| RouteInput {
        kind: route.kind,
        meta: meta::object_meta(route.object_kind, route.metadata),
        hostnames: route.hostnames.to_vec(),
        listeners: attachment.listeners,
        rules,
        policies: policies::attached(snapshot, route.object_kind, route.namespace, route.name),
        raw: route.raw(),
    });
    let object = ObjectRef::new(route.object_kind, route.namespace, route.name);
    let problems = issues
        .into_iter()
        .map(|issue| Problem {
            cluster: cluster.cluster_name.clone(),
            object: object.clone(),
            field: Some(issue.field),
            reason: issue.reason.into(),
            message: issue.message,
            plugin: None,
            lattice_error: None,
        })
        .collect();
    Some(NormalizedRoute {
        object,
        input,
        problems,
    })
}

fn rules(snapshot: &Snapshot, route: &RouteView, issues: &mut Vec<Issue>) -> Vec<RouteRule> {
    route
        .rules
        .iter()
        .enumerate()
        .map(|(index, rule)| RouteRule {
            index: u32::try_from(index).expect("a route has fewer than 2^32 rules"),
            matches: rule.matches.clone(),
            backends: rule
                .backends
                .iter()
                .enumerate()
                .map(|(position, backend)| {
                    let field = format!("spec.rules[{index}].backendRefs[{position}]");
                    backends::resolve(snapshot, route, backend, &field, issues)
                })
                .collect(),
        })
        .collect()
}
