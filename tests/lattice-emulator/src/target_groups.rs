//! Target groups: `CreateTargetGroup` (201, `CREATE_IN_PROGRESS`),
//! `ListTargetGroups` (with `serviceArns`; no tags), `GetTargetGroup`,
//! `UpdateTargetGroup` (PATCH `healthCheck`), `DeleteTargetGroup` (200,
//! `DELETE_IN_PROGRESS`; `ConflictException` while a listener or rule
//! forwards to it).

use axum::extract::{Path, State};
use serde::Deserialize;
use serde_json::{Value, json};
use trellis::lattice::Lattice;
use trellis::lattice::model::{
    CreateTargetGroupInput, HealthCheckConfig, Tags, TargetGroup, TargetGroupConfig,
    UpdateTargetGroupInput,
};

use crate::actions::to_json;
use crate::error::{ApiError, invalid};
use crate::extract::{JsonBody, QueryParams, parse};
use crate::pages::{Paging, page};
use crate::reply::{Reply, created, ok};
use crate::{Emulator, lookup, quotas, validate};

/// `CreateTargetGroup` request body.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateBody {
    name: String,
    #[serde(rename = "type")]
    type_: String,
    config: Option<Value>,
    #[serde(default)]
    tags: Tags,
}

/// A health check, with its port (if any) checked.
fn health_check(value: Value) -> Result<HealthCheckConfig, ApiError> {
    if let Some(port) = value.get("port").and_then(Value::as_i64) {
        validate::port("healthCheck.port", port)?;
    }
    parse(value)
}

/// A target group `config`; `ipAddressType` defaults to `IPV4`.
fn config(mut value: Value) -> Result<TargetGroupConfig, ApiError> {
    let port = value
        .get("port")
        .and_then(Value::as_i64)
        .ok_or_else(|| invalid("config.port", "required"))?;
    validate::port("config.port", port)?;
    let protocol = value
        .get("protocol")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid("config.protocol", "required"))?;
    validate::one_of("config.protocol", protocol, &["HTTP", "HTTPS", "TCP"])?;
    if let Some(members) = value.as_object_mut() {
        members.entry("ipAddressType").or_insert(json!("IPV4"));
        if let Some(check) = members.remove("healthCheck") {
            let check = to_json(&health_check(check)?);
            members.insert("healthCheck".into(), check);
        }
    }
    parse(value)
}

/// The members `CreateTargetGroup`, `GetTargetGroup` and `UpdateTargetGroup` share.
fn detail(group: &TargetGroup) -> Value {
    json!({
        "id": group.id,
        "arn": group.arn,
        "name": group.name,
        "type": group.type_,
        "config": to_json(&group.config),
        "status": group.status,
    })
}

/// `POST /targetgroups`.
pub async fn create(
    State(emulator): State<Emulator>,
    JsonBody { raw, body }: JsonBody<CreateBody>,
) -> Reply {
    let response = emulator
        .tokens()
        .once("CreateTargetGroup", raw, || async {
            validate::name(&body.name, validate::TARGET_GROUP_NAME)?;
            validate::one_of("type", &body.type_, &["IP", "LAMBDA", "INSTANCE", "ALB"])?;
            let config = config(body.config.ok_or_else(|| invalid("config", "required"))?)?;
            quotas::check(
                emulator.state().target_groups.len(),
                1,
                emulator.quotas().target_groups,
                "Target groups per Region",
                "TARGET_GROUP",
            )?;
            let input = CreateTargetGroupInput {
                name: body.name,
                type_: body.type_,
                config,
                tags: body.tags,
            };
            let group = emulator.lattice().create_target_group(input).await?;
            let mut response = detail(&group);
            response["status"] = json!("CREATE_IN_PROGRESS");
            Ok(response)
        })
        .await?;
    created(response)
}

/// The filters of `ListTargetGroups`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Filter {
    vpc_identifier: Option<String>,
    target_group_type: Option<String>,
    #[serde(flatten)]
    paging: Paging,
}

/// `GET /targetgroups?vpcIdentifier=&targetGroupType=`.
pub async fn list(
    State(emulator): State<Emulator>,
    QueryParams(filter): QueryParams<Filter>,
) -> Reply {
    let groups = emulator.lattice().list_target_groups().await?;
    let items = groups
        .iter()
        .filter(|group| {
            filter
                .vpc_identifier
                .as_ref()
                .is_none_or(|vpc| &group.config.vpc_identifier == vpc)
                && filter
                    .target_group_type
                    .as_ref()
                    .is_none_or(|type_| &group.type_ == type_)
        })
        .map(|group| {
            json!({
                "id": group.id,
                "arn": group.arn,
                "name": group.name,
                "type": group.type_,
                "port": group.config.port,
                "protocol": group.config.protocol,
                "ipAddressType": group.config.ip_address_type,
                "vpcIdentifier": group.config.vpc_identifier,
                "status": group.status,
                "serviceArns": group.service_arns,
            })
        })
        .collect();
    ok(page(items, &filter.paging, emulator.config().page_size)?)
}

/// `GET /targetgroups/{targetGroupIdentifier}` (with `serviceArns`).
pub async fn get(State(emulator): State<Emulator>, Path(id): Path<String>) -> Reply {
    let state = emulator.state();
    let group = lookup::find(&state.target_groups, &id)?;
    let mut response = detail(group);
    let users = emulator.lattice().target_group_users(&group.id).await?;
    response["serviceArns"] = json!(users);
    ok(response)
}

/// `UpdateTargetGroup` request body.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateBody {
    health_check: Value,
}

/// `PATCH /targetgroups/{targetGroupIdentifier}`.
pub async fn update(
    State(emulator): State<Emulator>,
    Path(id): Path<String>,
    JsonBody { body, .. }: JsonBody<UpdateBody>,
) -> Reply {
    let health_check = health_check(body.health_check)?;
    let group_id = lookup::find(&emulator.state().target_groups, &id)?
        .id
        .clone();
    let input = UpdateTargetGroupInput {
        target_group_identifier: group_id.clone(),
        health_check,
    };
    emulator.lattice().update_target_group(input).await?;
    let state = emulator.state();
    ok(detail(lookup::find(&state.target_groups, &group_id)?))
}

/// `DELETE /targetgroups/{targetGroupIdentifier}`.
pub async fn delete(State(emulator): State<Emulator>, Path(id): Path<String>) -> Reply {
    let state = emulator.state();
    let group = lookup::find(&state.target_groups, &id)?;
    emulator.lattice().delete_target_group(&group.id).await?;
    ok(json!({"id": group.id, "arn": group.arn, "status": "DELETE_IN_PROGRESS"}))
}
