//! One pass of the readiness-gate sync: the pods behind not-ready
//! endpoints, their Lattice targets' health, their condition written.
//!
//! Contract: a pod is considered when an endpoint of an EndpointSlice
//! (labelled with its Service) points at it and is not ready, and the
//! Service has a target group of this cluster (tagged `ManagedBy`,
//! `ClusterName`, `ServiceName`, `ServiceNamespace`, in the cluster's VPC).
//! It is written only when it lists the readiness gate, its condition is
//! not already `True`, and the condition changes ([`GateCondition::of`] of
//! its least ready target among those groups, matched by IP and endpoint
//! port; none registered is `TargetNotFound`). The condition goes to
//! `status.conditions` by merge patch carrying the pod's
//! `resourceVersion`, so a concurrent write (the kubelet's) wins and the
//! next pass retries. One pod's failure is logged and does not stop the
//! others.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::jiff::Timestamp;
use kube::Client;
use kube::api::{Api, Patch, PatchParams};
use serde_json::{Value, json};

use super::super::error::Error;
use super::condition::GateCondition;
use super::{READINESS_GATE, has_gate};
use crate::config::ClusterConfig;
use crate::kube::endpoints::SERVICE_NAME_LABEL;
use crate::lattice::Lattice;
use crate::lattice::model::{TargetGroup, TargetStatus};
use crate::reconcile::{controller_tag, managed_by};

/// A not-ready endpoint of a pod, in one Service's slice.
#[derive(Debug, Clone)]
struct Endpoint {
    service: String,
    addresses: Vec<String>,
    ports: Vec<u16>,
}

/// What one pass found: pods whose condition may still change.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Pass {
    /// Pods written or checked whose condition is not final yet.
    pub pending: usize,
    /// Pods whose condition was written.
    pub written: usize,
}

/// Runs one pass over `slices` (the EndpointSlice store's objects).
pub async fn sync(
    client: &Client,
    lattice: &dyn Lattice,
    cluster: &ClusterConfig,
    slices: &[Arc<EndpointSlice>],
) -> Result<Pass, Error> {
    let pods = not_ready_pods(slices);
    if pods.is_empty() {
        return Ok(Pass::default());
    }
    let managed = cluster.managed_by();
    let groups: Vec<TargetGroup> = lattice
        .list_target_groups()
        .await?
        .into_iter()
        .filter(|group| {
            managed_by(&group.tags) == Some(managed.as_str())
                && controller_tag(&group.tags, "ClusterName") == Some(cluster.cluster_name.as_str())
                && group.config.vpc_identifier == cluster.vpc_id
        })
        .collect();
    let mut targets = Targets {
        lattice,
        listed: HashMap::new(),
    };
    let mut pass = Pass::default();
    for ((namespace, name), endpoints) in pods {
        let of_service = |endpoint: &Endpoint| -> Vec<&TargetGroup> {
            groups
                .iter()
                .filter(|group| {
                    controller_tag(&group.tags, "ServiceName") == Some(endpoint.service.as_str())
                        && controller_tag(&group.tags, "ServiceNamespace")
                            == Some(namespace.as_str())
                })
                .collect()
        };
        let endpoints: Vec<(Endpoint, Vec<&TargetGroup>)> = endpoints
            .into_iter()
            .map(|endpoint| {
                let groups = of_service(&endpoint);
                (endpoint, groups)
            })
            .filter(|(_, groups)| !groups.is_empty())
            .collect();
        if endpoints.is_empty() {
            continue;
        }
        match sync_pod(client, &mut targets, &namespace, &name, &endpoints).await {
            Ok(Some(outcome)) => {
                pass.pending += usize::from(outcome.pending);
                pass.written += usize::from(outcome.written);
            }
            Ok(None) => {}
            Err(error) => {
                pass.pending += 1;
                tracing::warn!(namespace, pod = name, %error, "cannot set the pod's readiness-gate condition");
            }
        }
    }
    Ok(pass)
}

/// The listed targets of each group, read once per pass.
struct Targets<'a> {
    lattice: &'a dyn Lattice,
    listed: HashMap<String, Vec<TargetStatus>>,
}

impl Targets<'_> {
    async fn of(&mut self, group_id: &str) -> Result<&[TargetStatus], Error> {
        if !self.listed.contains_key(group_id) {
            let listed = self.lattice.list_target_statuses(group_id).await?;
            self.listed.insert(group_id.to_owned(), listed);
        }
        Ok(self
            .listed
            .get(group_id)
            .map(Vec::as_slice)
            .unwrap_or_default())
    }
}

struct Outcome {
    pending: bool,
    written: bool,
}

/// Sets the condition of one pod; `None` when the pod is gone, has no gate
/// or is already `True`.
async fn sync_pod(
    client: &Client,
    targets: &mut Targets<'_>,
    namespace: &str,
    name: &str,
    endpoints: &[(Endpoint, Vec<&TargetGroup>)],
) -> Result<Option<Outcome>, Error> {
    let api: Api<Pod> = Api::namespaced(client.clone(), namespace);
    let Some(pod) = api.get_opt(name).await? else {
        return Ok(None);
    };
    if !has_gate(&pod) || gate_status(&pod) == Some("True") {
        return Ok(None);
    }
    let mut least: Option<GateCondition> = None;
    for (endpoint, groups) in endpoints {
        for group in groups {
            for listed in targets.of(&group.id).await? {
                let matches = endpoint.addresses.contains(&listed.target.id)
                    && (endpoint.ports.is_empty() || endpoint.ports.contains(&listed.target.port));
                if matches {
                    let condition = GateCondition::of(Some(&listed.status));
                    if least
                        .as_ref()
                        .is_none_or(|least| condition.rank() < least.rank())
                    {
                        least = Some(condition);
                    }
                }
            }
        }
    }
    let condition = least.unwrap_or_else(|| GateCondition::of(None));
    let written = write(&api, &pod, &condition).await?;
    Ok(Some(Outcome {
        pending: condition.pending,
        written,
    }))
}

/// The status of the pod's readiness-gate condition, if it has one.
fn gate_status(pod: &Pod) -> Option<&str> {
    pod.status
        .as_ref()?
        .conditions
        .as_ref()?
        .iter()
        .find(|condition| condition.type_ == READINESS_GATE)
        .map(|condition| condition.status.as_str())
}

/// Writes `condition` unless the pod already has it; whether it wrote.
async fn write(api: &Api<Pod>, pod: &Pod, condition: &GateCondition) -> Result<bool, Error> {
    let existing: Vec<Value> = pod
        .status
        .as_ref()
        .and_then(|status| status.conditions.as_ref())
        .map(|conditions| {
            conditions
                .iter()
                .filter_map(|condition| serde_json::to_value(condition).ok())
                .collect()
        })
        .unwrap_or_default();
    let before = existing.iter().find(|old| old["type"] == READINESS_GATE);
    let message = condition.message.clone().unwrap_or_default();
    if before.is_some_and(|old| {
        old["status"] == condition.status
            && old["reason"] == condition.reason
            && old["message"].as_str().unwrap_or_default() == message
    }) {
        return Ok(false);
    }
    let since = before
        .filter(|old| old["status"] == condition.status)
        .and_then(|old| old["lastTransitionTime"].as_str())
        .map_or_else(|| Timestamp::now().to_string(), str::to_owned);
    let mut ours = json!({
        "type": READINESS_GATE,
        "status": condition.status,
        "reason": condition.reason,
        "lastTransitionTime": since,
    });
    if let Some(message) = &condition.message {
        ours["message"] = json!(message);
    }
    let mut conditions: Vec<Value> = existing
        .iter()
        .filter(|old| old["type"] != READINESS_GATE)
        .cloned()
        .collect();
    conditions.push(ours);
    let patch = json!({
        "metadata": {"resourceVersion": pod.metadata.resource_version},
        "status": {"conditions": conditions},
    });
    let name = pod.metadata.name.as_deref().unwrap_or_default();
    api.patch_status(name, &PatchParams::default(), &Patch::Merge(&patch))
        .await?;
    tracing::info!(
        namespace = pod.metadata.namespace.as_deref(),
        pod = name,
        status = condition.status,
        reason = condition.reason,
        "pod readiness-gate condition set"
    );
    Ok(true)
}

/// The pods of not-ready endpoints, by (namespace, name), with those
/// endpoints.
fn not_ready_pods(slices: &[Arc<EndpointSlice>]) -> BTreeMap<(String, String), Vec<Endpoint>> {
    let mut pods: BTreeMap<(String, String), Vec<Endpoint>> = BTreeMap::new();
    for slice in slices {
        let Some(service) = slice
            .metadata
            .labels
            .as_ref()
            .and_then(|labels| labels.get(SERVICE_NAME_LABEL))
        else {
            continue;
        };
        let namespace = slice.metadata.namespace.clone().unwrap_or_default();
        let ports: Vec<u16> = slice
            .ports
            .iter()
            .flatten()
            .filter_map(|port| port.port.and_then(|port| u16::try_from(port).ok()))
            .collect();
        for endpoint in slice.endpoints.iter().flatten() {
            let ready = endpoint
                .conditions
                .as_ref()
                .and_then(|conditions| conditions.ready)
                .unwrap_or(false);
            let Some(target) = endpoint
                .target_ref
                .as_ref()
                .filter(|target| target.kind.as_deref() == Some("Pod"))
            else {
                continue;
            };
            let Some(pod) = target.name.clone() else {
                continue;
            };
            if ready {
                continue;
            }
            let pod_namespace = target
                .namespace
                .clone()
                .unwrap_or_else(|| namespace.clone());
            pods.entry((pod_namespace, pod))
                .or_default()
                .push(Endpoint {
                    service: service.clone(),
                    addresses: endpoint.addresses.clone(),
                    ports: ports.clone(),
                });
        }
    }
    pods
}
