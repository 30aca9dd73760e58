//! Quota checks: each fails with `ServiceQuotaExceededException` when
//! creating one more resource would go past the configured quota.

use std::collections::BTreeSet;

use trellis::lattice::LatticeState;
use trellis::lattice::model::RuleAction;

use crate::error::ApiError;

/// `ServiceQuotaExceededException` unless `existing + adding <= limit`.
pub fn check(
    existing: usize,
    adding: usize,
    limit: usize,
    quota: &'static str,
    resource_type: &'static str,
) -> Result<(), ApiError> {
    if existing + adding <= limit {
        return Ok(());
    }
    Err(ApiError::QuotaExceeded {
        quota,
        resource_type,
        message: format!(
            "quota {quota:?} is {limit}; this request would make {}",
            existing + adding
        ),
    })
}

/// The target groups `action` forwards to, as ids (identifiers that are
/// ARNs are resolved through `state`).
fn forwarded(state: &LatticeState, action: &RuleAction) -> Vec<String> {
    match action {
        RuleAction::Forward(forward) => forward
            .target_groups
            .iter()
            .map(|weighted| {
                let identifier = &weighted.target_group_identifier;
                state
                    .target_groups
                    .iter()
                    .find(|group| &group.arn == identifier)
                    .map_or_else(|| identifier.clone(), |group| group.id.clone())
            })
            .collect(),
        RuleAction::FixedResponse(_) => Vec::new(),
    }
}

/// Checks "Target groups per service" for the service `service_id` once
/// `action` replaces the action of the listener or rule `replacing` (or is
/// added, when `replacing` is `None`).
pub fn target_groups_per_service(
    state: &LatticeState,
    service_id: &str,
    replacing: Option<&str>,
    action: &RuleAction,
    limit: usize,
) -> Result<(), ApiError> {
    let listeners = state
        .listeners
        .iter()
        .filter(|listener| {
            listener.service_id == service_id && Some(listener.id.as_str()) != replacing
        })
        .map(|listener| &listener.default_action);
    let rules = state
        .rules
        .iter()
        .filter(|rule| rule.service_id == service_id && Some(rule.id.as_str()) != replacing)
        .map(|rule| &rule.action);
    let before: BTreeSet<String> = listeners
        .chain(rules)
        .flat_map(|existing| forwarded(state, existing))
        .collect();
    let mut after = before.clone();
    after.extend(forwarded(state, action));
    check(
        before.len(),
        after.len() - before.len(),
        limit,
        "Target groups per service",
        "TARGET_GROUP",
    )
}
