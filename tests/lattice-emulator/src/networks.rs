//! Service networks and their VPC associations.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};
use trellis::lattice::model::{
    CreateServiceNetworkInput, CreateServiceNetworkVpcAssociationInput, Tags,
};
use trellis::lattice::{Lattice, LatticeError};

use crate::Emulator;
use crate::error::ApiError;
use crate::pages::{Paging, page};

/// `CreateServiceNetwork` request body.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateServiceNetworkBody {
    name: String,
    auth_type: Option<String>,
    #[serde(default)]
    tags: Tags,
}

/// `POST /servicenetworks`.
pub async fn create_service_network(
    State(emulator): State<Emulator>,
    Json(body): Json<CreateServiceNetworkBody>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let input = CreateServiceNetworkInput {
        name: body.name,
        auth_type: body.auth_type.unwrap_or_else(|| "NONE".into()),
        tags: body.tags,
    };
    let network = emulator.lattice.create_service_network(input).await?;
    let body = json!({"id": network.id, "arn": network.arn, "name": network.name, "authType": network.auth_type});
    Ok((StatusCode::CREATED, Json(body)))
}

/// `GET /servicenetworks`.
pub async fn list_service_networks(
    State(emulator): State<Emulator>,
    Query(paging): Query<Paging>,
) -> Result<Json<Value>, ApiError> {
    let networks = emulator.lattice.list_service_networks().await?;
    let items = networks
        .iter()
        .map(|network| json!({"id": network.id, "arn": network.arn, "name": network.name}))
        .collect();
    Ok(Json(page(items, &paging, emulator.page_size)?))
}

/// `CreateServiceNetworkVpcAssociation` request body.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateVpcAssociationBody {
    service_network_identifier: String,
    vpc_identifier: String,
    #[serde(default)]
    security_group_ids: Vec<String>,
    #[serde(default)]
    tags: Tags,
}

/// `POST /servicenetworkvpcassociations`.
pub async fn create_vpc_association(
    State(emulator): State<Emulator>,
    Json(body): Json<CreateVpcAssociationBody>,
) -> Result<Json<Value>, ApiError> {
    let input = CreateServiceNetworkVpcAssociationInput {
        service_network_identifier: body.service_network_identifier,
        vpc_identifier: body.vpc_identifier,
        security_group_ids: body.security_group_ids,
        tags: body.tags,
    };
    let association = emulator
        .lattice
        .create_service_network_vpc_association(input)
        .await?;
    Ok(Json(json!({
        "id": association.id,
        "arn": association.arn,
        "status": association.status,
        "securityGroupIds": association.security_group_ids,
    })))
}

/// The filters of `ListServiceNetworkVpcAssociations`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VpcAssociationFilter {
    service_network_identifier: Option<String>,
    #[serde(flatten)]
    paging: Paging,
}

/// `GET /servicenetworkvpcassociations?serviceNetworkIdentifier=`.
pub async fn list_vpc_associations(
    State(emulator): State<Emulator>,
    Query(filter): Query<VpcAssociationFilter>,
) -> Result<Json<Value>, ApiError> {
    let network = filter
        .service_network_identifier
        .ok_or_else(|| LatticeError::Validation {
            field: "serviceNetworkIdentifier".into(),
            message: "serviceNetworkIdentifier or vpcIdentifier is required".into(),
        })?;
    let associations = emulator
        .lattice
        .list_service_network_vpc_associations(&network)
        .await?;
    let items = associations
        .iter()
        .map(|association| {
            json!({
                "id": association.id,
                "arn": association.arn,
                "serviceNetworkId": association.service_network_id,
                "serviceNetworkName": association.service_network_name,
                "status": association.status,
                "vpcId": association.vpc_id,
            })
        })
        .collect();
    Ok(Json(page(items, &filter.paging, emulator.page_size)?))
}
