//! Targets of a target group: `RegisterTargets` and `DeregisterTargets`
//! (1–100 targets a call; answer `successful` and `unsuccessful`) and
//! `ListTargets` (POST, optionally filtered by `targets`).

use std::collections::HashMap;
use std::sync::Mutex;

use axum::extract::{Path, State};
use serde::Deserialize;
use serde_json::{Value, json};
use trellis::lattice::Lattice;
use trellis::lattice::model::{DeregisterTargetsInput, RegisterTargetsInput, Target, TargetGroup};

use crate::error::{ApiError, not_found};
use crate::extract::{JsonBody, QueryParams};
use crate::pages::{Paging, page};
use crate::reply::{Reply, ok};
use crate::{Emulator, lookup, quotas, validate};

/// A target as requests carry it: the port defaults to the group's.
#[derive(Debug, Deserialize)]
pub struct TargetBody {
    id: String,
    port: Option<i64>,
}

/// The body of `RegisterTargets` and `DeregisterTargets`.
#[derive(Debug, Deserialize)]
pub struct TargetsBody {
    targets: Vec<TargetBody>,
}

/// The targets of `body` for `group`, checked.
fn targets(group: &TargetGroup, body: Vec<TargetBody>) -> Result<Vec<Target>, ApiError> {
    body.into_iter()
        .map(|target| {
            let port = match target.port {
                Some(port) => validate::port("targets.port", port)?,
                None => group.config.port,
            };
            Ok(Target {
                id: target.id,
                port,
            })
        })
        .collect()
}

/// `{"successful": targets, "unsuccessful": []}`.
fn outcome(targets: &[Target]) -> Value {
    let successful: Vec<Value> = targets
        .iter()
        .map(|target| json!({"id": target.id, "port": target.port}))
        .collect();
    json!({"successful": successful, "unsuccessful": []})
}

/// `POST /targetgroups/{targetGroupIdentifier}/registertargets`.
pub async fn register(
    State(emulator): State<Emulator>,
    Path(id): Path<String>,
    JsonBody { body, .. }: JsonBody<TargetsBody>,
) -> Reply {
    validate::target_batch(body.targets.len())?;
    let state = emulator.state();
    let group = lookup::find(&state.target_groups, &id)?;
    let targets = targets(group, body.targets)?;
    let registered = emulator.lattice().list_targets(&group.id).await?;
    let adding = targets
        .iter()
        .filter(|target| !registered.contains(target))
        .count();
    quotas::check(
        registered.len(),
        adding,
        emulator.quotas().targets_per_target_group,
        "Targets per target group",
        "TARGET",
    )?;
    let input = RegisterTargetsInput {
        target_group_identifier: group.id.clone(),
        targets: targets.clone(),
    };
    emulator.lattice().register_targets(input).await?;
    ok(outcome(&targets))
}

/// `POST /targetgroups/{targetGroupIdentifier}/deregistertargets`.
pub async fn deregister(
    State(emulator): State<Emulator>,
    Path(id): Path<String>,
    JsonBody { body, .. }: JsonBody<TargetsBody>,
) -> Reply {
    validate::target_batch(body.targets.len())?;
    let state = emulator.state();
    let group = lookup::find(&state.target_groups, &id)?;
    let targets = targets(group, body.targets)?;
    let input = DeregisterTargetsInput {
        target_group_identifier: group.id.clone(),
        targets: targets.clone(),
    };
    emulator.lattice().deregister_targets(input).await?;
    ok(outcome(&targets))
}

/// The optional body of `ListTargets`: only these targets.
#[derive(Debug, Default, Deserialize)]
pub struct ListBody {
    #[serde(default)]
    targets: Vec<TargetBody>,
}

/// Health statuses tests set, by (group id, IP, port).
#[derive(Default)]
pub struct StatusOverrides(Mutex<HashMap<(String, String, u16), String>>);

impl StatusOverrides {
    /// Sets (`Some`) or clears (`None`) the status of one target.
    pub fn set(&self, group_id: &str, ip: &str, port: u16, status: Option<&str>) {
        let key = (group_id.to_owned(), ip.to_owned(), port);
        let mut overrides = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        match status {
            Some(status) => overrides.insert(key, status.to_owned()),
            None => overrides.remove(&key),
        };
    }

    fn get(&self, group_id: &str, target: &Target) -> Option<String> {
        let overrides = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        overrides
            .get(&(group_id.to_owned(), target.id.clone(), target.port))
            .cloned()
    }
}

/// `POST /targetgroups/{targetGroupIdentifier}/listtargets`: `HEALTHY`
/// targets while a service forwards to the group, `UNUSED` otherwise,
/// unless a test set a target's status ([`Emulator::set_target_status`]).
pub async fn list(
    State(emulator): State<Emulator>,
    Path(id): Path<String>,
    QueryParams(paging): QueryParams<Paging>,
    JsonBody { body, .. }: JsonBody<ListBody>,
) -> Reply {
    let group = emulator
        .lattice()
        .find_target_group(&id)
        .await?
        .ok_or_else(|| not_found("TARGET_GROUP", &id))?;
    let only = targets(&group, body.targets)?;
    let items = emulator
        .lattice()
        .list_target_statuses(&group.id)
        .await?
        .into_iter()
        .filter(|listed| only.is_empty() || only.contains(&listed.target))
        .map(|listed| {
            let status = emulator
                .target_statuses()
                .get(&group.id, &listed.target)
                .unwrap_or(listed.status);
            json!({"id": listed.target.id, "port": listed.target.port, "status": status})
        })
        .collect();
    ok(page(items, &paging, emulator.config().page_size)?)
}
