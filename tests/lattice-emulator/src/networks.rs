//! Service networks: `CreateServiceNetwork` (201), `ListServiceNetworks`,
//! `GetServiceNetwork`, `UpdateServiceNetwork` (PATCH `authType`),
//! `DeleteServiceNetwork` (204).

use axum::extract::{Path, State};
use serde::Deserialize;
use serde_json::{Value, json};
use trellis::lattice::model::{
    CreateServiceNetworkInput, ServiceNetwork, Tags, UpdateServiceNetworkInput,
};
use trellis::lattice::{Lattice, LatticeState};

use crate::extract::{JsonBody, QueryParams};
use crate::pages::{Paging, page};
use crate::reply::{Reply, created, no_content, ok};
use crate::{Emulator, lookup, quotas, validate};

/// `CreateServiceNetwork` request body.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateBody {
    name: String,
    auth_type: Option<String>,
    #[serde(default)]
    tags: Tags,
}

/// The summary members (`ListServiceNetworks` items, `GetServiceNetwork`
/// without `authType`).
fn summary(state: &LatticeState, network: &ServiceNetwork) -> Value {
    let vpcs = state
        .service_network_vpc_associations
        .iter()
        .filter(|association| association.service_network_id == network.id)
        .count();
    let services = state
        .service_network_service_associations
        .iter()
        .filter(|association| association.service_network_id == network.id)
        .count();
    json!({
        "id": network.id,
        "arn": network.arn,
        "name": network.name,
        "numberOfAssociatedVPCs": vpcs,
        "numberOfAssociatedServices": services,
    })
}

/// `POST /servicenetworks`.
pub async fn create(
    State(emulator): State<Emulator>,
    JsonBody { raw, body }: JsonBody<CreateBody>,
) -> Reply {
    let response = emulator
        .tokens()
        .once("CreateServiceNetwork", raw, || async {
            validate::name(&body.name, validate::SERVICE_NETWORK_NAME)?;
            let auth_type = body.auth_type.unwrap_or_else(|| "NONE".into());
            validate::auth_type(&auth_type)?;
            quotas::check(
                emulator.state().service_networks.len(),
                1,
                emulator.quotas().service_networks,
                "Service networks per Region",
                "SERVICE_NETWORK",
            )?;
            let input = CreateServiceNetworkInput {
                name: body.name,
                auth_type,
                tags: body.tags,
            };
            let network = emulator.lattice().create_service_network(input).await?;
            Ok(json!({
                "id": network.id,
                "arn": network.arn,
                "name": network.name,
                "authType": network.auth_type,
            }))
        })
        .await?;
    created(response)
}

/// `GET /servicenetworks`.
pub async fn list(
    State(emulator): State<Emulator>,
    QueryParams(paging): QueryParams<Paging>,
) -> Reply {
    let networks = emulator.lattice().list_service_networks().await?;
    let state = emulator.state();
    let items = networks
        .iter()
        .filter(|network| !emulator.is_unlisted(&network.id))
        .map(|network| summary(&state, network))
        .collect();
    ok(page(items, &paging, emulator.config().page_size)?)
}

/// `GET /servicenetworks/{serviceNetworkIdentifier}`.
pub async fn get(State(emulator): State<Emulator>, Path(id): Path<String>) -> Reply {
    let state = emulator.state();
    let network = lookup::find(&state.service_networks, &id)?;
    let mut body = summary(&state, network);
    body["authType"] = json!(network.auth_type);
    ok(body)
}

/// `UpdateServiceNetwork` request body.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateBody {
    auth_type: String,
}

/// `PATCH /servicenetworks/{serviceNetworkIdentifier}`.
pub async fn update(
    State(emulator): State<Emulator>,
    Path(id): Path<String>,
    JsonBody { body, .. }: JsonBody<UpdateBody>,
) -> Reply {
    validate::auth_type(&body.auth_type)?;
    let network_id = lookup::find(&emulator.state().service_networks, &id)?
        .id
        .clone();
    let input = UpdateServiceNetworkInput {
        service_network_identifier: network_id.clone(),
        auth_type: body.auth_type,
    };
    emulator.lattice().update_service_network(input).await?;
    let state = emulator.state();
    let network = lookup::find(&state.service_networks, &network_id)?;
    ok(json!({
        "id": network.id,
        "arn": network.arn,
        "name": network.name,
        "authType": network.auth_type,
    }))
}

/// `DELETE /servicenetworks/{serviceNetworkIdentifier}`: also deletes the
/// network's auth policy and access log subscriptions; fails with
/// `ConflictException` while a service or a VPC is associated with it.
pub async fn delete(State(emulator): State<Emulator>, Path(id): Path<String>) -> Reply {
    let state = emulator.state();
    let network = lookup::find(&state.service_networks, &id)?;
    emulator
        .lattice()
        .delete_service_network(&network.id)
        .await?;
    no_content()
}
