//! Rules of a listener: `CreateRule` (201), `ListRules`, `GetRule`,
//! `UpdateRule` (PATCH; members left out keep their values), `DeleteRule`
//! (204).
//!
//! As in the API, every listener also has a default rule (`isDefault`,
//! no priority, the listener's default action): `ListRules` lists it after
//! the others and `GetRule` reads it; its id is `rule-` and the listener
//! id's number. The in-memory account keeps only the other rules.

use axum::extract::{Path, State};
use serde::Deserialize;
use serde_json::{Value, json};
use trellis::lattice::Lattice;
use trellis::lattice::model::{CreateRuleInput, Listener, Rule, Tags, UpdateRuleInput};

use crate::actions;
use crate::extract::{JsonBody, QueryParams};
use crate::pages::{Paging, page};
use crate::reply::{Reply, created, no_content, ok, with_path};
use crate::{Emulator, lookup, quotas, validate};

/// `CreateRule` request body.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateBody {
    name: String,
    priority: i64,
    #[serde(rename = "match")]
    match_: Value,
    action: Value,
    #[serde(default)]
    tags: Tags,
}

/// The members `CreateRule`, `GetRule` and `UpdateRule` share.
fn detail(rule: &Rule) -> Value {
    json!({
        "arn": rule.arn,
        "id": rule.id,
        "name": rule.name,
        "isDefault": false,
        "priority": rule.priority,
        "match": actions::to_json(&rule.match_),
        "action": actions::to_json(&rule.action),
    })
}

/// The id of the default rule of the listener `listener_id`
/// (`listener-N` → `rule-N`; no other rule can have it, since ids share
/// one counter).
fn default_rule_id(listener_id: &str) -> String {
    format!("rule-{}", listener_id.trim_start_matches("listener-"))
}

/// The `GetRule` members of the default rule of `listener`.
fn default_rule(listener: &Listener) -> Value {
    let id = default_rule_id(&listener.id);
    json!({
        "arn": format!("{}/rule/{id}", listener.arn),
        "id": id,
        "name": "default",
        "isDefault": true,
        "action": actions::to_json(&listener.default_action),
    })
}

/// `POST /services/{serviceIdentifier}/listeners/{listenerIdentifier}/rules`.
pub async fn create(
    State(emulator): State<Emulator>,
    Path((service, listener)): Path<(String, String)>,
    JsonBody { raw, body }: JsonBody<CreateBody>,
) -> Reply {
    let request = with_path(
        raw,
        &[
            ("serviceIdentifier", &service),
            ("listenerIdentifier", &listener),
        ],
    );
    let response = emulator
        .tokens()
        .once("CreateRule", request, || async {
            validate::name(&body.name, validate::RULE_NAME)?;
            let priority = validate::priority(body.priority)?;
            let rule_match = actions::rule_match(body.match_)?;
            let state = emulator.state();
            let listener = lookup::listener(&state, &service, &listener)?;
            let action = actions::action(&state, "action", body.action)?;
            let existing = state
                .rules
                .iter()
                .filter(|rule| rule.listener_id == listener.id)
                .count();
            let quotas = emulator.quotas();
            quotas::check(
                existing,
                1,
                quotas.rules_per_listener,
                "Rules per listener",
                "RULE",
            )?;
            quotas::target_groups_per_service(
                &state,
                &listener.service_id,
                None,
                &action,
                quotas.target_groups_per_service,
            )?;
            let input = CreateRuleInput {
                service_identifier: listener.service_id.clone(),
                listener_identifier: listener.id.clone(),
                name: body.name,
                priority,
                match_: rule_match,
                action,
                tags: body.tags,
            };
            let rule = emulator.lattice().create_rule(input).await?;
            let mut response = detail(&rule);
            if let Some(members) = response.as_object_mut() {
                members.remove("isDefault");
            }
            Ok(response)
        })
        .await?;
    created(response)
}

/// `GET /services/{serviceIdentifier}/listeners/{listenerIdentifier}/rules`.
pub async fn list(
    State(emulator): State<Emulator>,
    Path((service, listener)): Path<(String, String)>,
    QueryParams(paging): QueryParams<Paging>,
) -> Reply {
    let state = emulator.state();
    let found = lookup::listener(&state, &service, &listener)?;
    let rules = emulator
        .lattice()
        .list_rules(&found.service_id, &found.id)
        .await?;
    let mut items: Vec<Value> = rules
        .iter()
        .map(|rule| {
            json!({
                "arn": rule.arn,
                "id": rule.id,
                "name": rule.name,
                "isDefault": false,
                "priority": rule.priority,
            })
        })
        .collect();
    let mut default = default_rule(found);
    if let Some(members) = default.as_object_mut() {
        members.remove("action");
    }
    items.push(default);
    ok(page(items, &paging, emulator.config().page_size)?)
}

/// `GET /services/{serviceIdentifier}/listeners/{listenerIdentifier}/rules/{ruleIdentifier}`.
pub async fn get(
    State(emulator): State<Emulator>,
    Path((service, listener, rule)): Path<(String, String, String)>,
) -> Reply {
    let state = emulator.state();
    let found = lookup::listener(&state, &service, &listener)?;
    let default = default_rule(found);
    if rule == default["id"] || rule == default["arn"] {
        return ok(default);
    }
    ok(detail(lookup::rule(&state, &service, &listener, &rule)?))
}

/// `UpdateRule` request body.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateBody {
    priority: Option<i64>,
    #[serde(rename = "match")]
    match_: Option<Value>,
    action: Option<Value>,
}

/// `PATCH /services/{serviceIdentifier}/listeners/{listenerIdentifier}/rules/{ruleIdentifier}`.
pub async fn update(
    State(emulator): State<Emulator>,
    Path((service, listener, rule)): Path<(String, String, String)>,
    JsonBody { body, .. }: JsonBody<UpdateBody>,
) -> Reply {
    let state = emulator.state();
    let found = lookup::rule(&state, &service, &listener, &rule)?;
    let priority = match body.priority {
        Some(priority) => validate::priority(priority)?,
        None => found.priority,
    };
    let rule_match = match body.match_ {
        Some(value) => actions::rule_match(value)?,
        None => found.match_.clone(),
    };
    let action = match body.action {
        Some(value) => actions::action(&state, "action", value)?,
        None => found.action.clone(),
    };
    quotas::target_groups_per_service(
        &state,
        &found.service_id,
        Some(&found.id),
        &action,
        emulator.quotas().target_groups_per_service,
    )?;
    let input = UpdateRuleInput {
        service_identifier: found.service_id.clone(),
        listener_identifier: found.listener_id.clone(),
        rule_identifier: found.id.clone(),
        priority,
        match_: rule_match,
        action,
    };
    emulator.lattice().update_rule(input).await?;
    let state = emulator.state();
    ok(detail(lookup::rule(
        &state,
        &found.service_id,
        &found.listener_id,
        &found.id,
    )?))
}

/// `DELETE /services/{serviceIdentifier}/listeners/{listenerIdentifier}/rules/{ruleIdentifier}`.
pub async fn delete(
    State(emulator): State<Emulator>,
    Path((service, listener, rule)): Path<(String, String, String)>,
) -> Reply {
    let state = emulator.state();
    let found = lookup::rule(&state, &service, &listener, &rule)?;
    emulator
        .lattice()
        .delete_rule(&found.service_id, &found.listener_id, &found.id)
        .await?;
    no_content()
}
