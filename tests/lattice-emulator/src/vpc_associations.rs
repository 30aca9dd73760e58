//! VPC associations of service networks:
//! `CreateServiceNetworkVpcAssociation`, `ListServiceNetworkVpcAssociations`
//! (by `serviceNetworkIdentifier` and/or `vpcIdentifier`),
//! `GetServiceNetworkVpcAssociation`, `UpdateServiceNetworkVpcAssociation`
//! (PATCH `securityGroupIds`), `DeleteServiceNetworkVpcAssociation`.

use axum::extract::{Path, State};
use serde::Deserialize;
use serde_json::json;
use trellis::lattice::Lattice;
use trellis::lattice::model::{
    CreateServiceNetworkVpcAssociationInput, Tags, UpdateServiceNetworkVpcAssociationInput,
};

use crate::error::invalid;
use crate::extract::{JsonBody, QueryParams};
use crate::pages::{Paging, page};
use crate::reply::{Reply, ok};
use crate::{Emulator, lookup, quotas};

/// `CreateServiceNetworkVpcAssociation` request body.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateBody {
    service_network_identifier: String,
    vpc_identifier: String,
    #[serde(default)]
    security_group_ids: Vec<String>,
    #[serde(default)]
    tags: Tags,
}

/// `ServiceQuotaExceededException` past "Security groups per association".
fn check_security_groups(emulator: &Emulator, groups: &[String]) -> Result<(), crate::ApiError> {
    quotas::check(
        0,
        groups.len(),
        emulator.quotas().security_groups_per_association,
        "Security groups per association",
        "SERVICE_NETWORK_VPC_ASSOCIATION",
    )
}

/// `POST /servicenetworkvpcassociations` (200, status `CREATE_IN_PROGRESS`).
pub async fn create(
    State(emulator): State<Emulator>,
    JsonBody { raw, body }: JsonBody<CreateBody>,
) -> Reply {
    let response = emulator
        .tokens()
        .once("CreateServiceNetworkVpcAssociation", raw, || async {
            let state = emulator.state();
            let network = lookup::find(&state.service_networks, &body.service_network_identifier)?;
            let existing = state
                .service_network_vpc_associations
                .iter()
                .filter(|association| association.service_network_id == network.id)
                .count();
            quotas::check(
                existing,
                1,
                emulator.quotas().vpc_associations_per_service_network,
                "VPC associations per service network",
                "SERVICE_NETWORK_VPC_ASSOCIATION",
            )?;
            check_security_groups(&emulator, &body.security_group_ids)?;
            let input = CreateServiceNetworkVpcAssociationInput {
                service_network_identifier: network.id.clone(),
                vpc_identifier: body.vpc_identifier,
                security_group_ids: body.security_group_ids,
                tags: body.tags,
            };
            let association = emulator
                .lattice()
                .create_service_network_vpc_association(input)
                .await?;
            Ok(json!({
                "id": association.id,
                "arn": association.arn,
                "status": "CREATE_IN_PROGRESS",
                "createdBy": emulator.config().account_id,
                "securityGroupIds": association.security_group_ids,
            }))
        })
        .await?;
    ok(response)
}

/// The filters of `ListServiceNetworkVpcAssociations`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Filter {
    service_network_identifier: Option<String>,
    vpc_identifier: Option<String>,
    #[serde(flatten)]
    paging: Paging,
}

/// `GET /servicenetworkvpcassociations?serviceNetworkIdentifier=&vpcIdentifier=`
/// (at least one of the two).
pub async fn list(
    State(emulator): State<Emulator>,
    QueryParams(filter): QueryParams<Filter>,
) -> Reply {
    let state = emulator.state();
    let associations = match (&filter.service_network_identifier, &filter.vpc_identifier) {
        (Some(network), _) => {
            let network = lookup::find(&state.service_networks, network)?;
            emulator
                .lattice()
                .list_service_network_vpc_associations(&network.id)
                .await?
        }
        (None, Some(_)) => state.service_network_vpc_associations.clone(),
        (None, None) => {
            return Err(invalid(
                "serviceNetworkIdentifier",
                "serviceNetworkIdentifier or vpcIdentifier is required",
            ));
        }
    };
    let items = associations
        .iter()
        .filter(|association| {
            filter
                .vpc_identifier
                .as_ref()
                .is_none_or(|vpc| &association.vpc_id == vpc)
        })
        .map(|association| {
            let network_arn =
                lookup::find(&state.service_networks, &association.service_network_id)
                    .map(|network| network.arn.clone())
                    .unwrap_or_default();
            json!({
                "id": association.id,
                "arn": association.arn,
                "status": association.status,
                "createdBy": emulator.config().account_id,
                "serviceNetworkId": association.service_network_id,
                "serviceNetworkName": association.service_network_name,
                "serviceNetworkArn": network_arn,
                "vpcId": association.vpc_id,
            })
        })
        .collect();
    ok(page(items, &filter.paging, emulator.config().page_size)?)
}

/// `GET /servicenetworkvpcassociations/{serviceNetworkVpcAssociationIdentifier}`.
pub async fn get(State(emulator): State<Emulator>, Path(id): Path<String>) -> Reply {
    let state = emulator.state();
    let association = lookup::find(&state.service_network_vpc_associations, &id)?;
    let network_arn = lookup::find(&state.service_networks, &association.service_network_id)
        .map(|network| network.arn.clone())
        .unwrap_or_default();
    ok(json!({
        "id": association.id,
        "arn": association.arn,
        "status": association.status,
        "createdBy": emulator.config().account_id,
        "serviceNetworkId": association.service_network_id,
        "serviceNetworkName": association.service_network_name,
        "serviceNetworkArn": network_arn,
        "vpcId": association.vpc_id,
        "securityGroupIds": association.security_group_ids,
    }))
}

/// `UpdateServiceNetworkVpcAssociation` request body.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateBody {
    security_group_ids: Vec<String>,
}

/// `DELETE /servicenetworkvpcassociations/{serviceNetworkVpcAssociationIdentifier}`
/// (status `DELETE_IN_PROGRESS`; the association is gone at once).
pub async fn delete(State(emulator): State<Emulator>, Path(id): Path<String>) -> Reply {
    let state = emulator.state();
    let association = lookup::find(&state.service_network_vpc_associations, &id)?;
    emulator
        .lattice()
        .delete_service_network_vpc_association(&association.id)
        .await?;
    ok(json!({
        "id": association.id,
        "arn": association.arn,
        "status": "DELETE_IN_PROGRESS",
    }))
}

/// `PATCH /servicenetworkvpcassociations/{serviceNetworkVpcAssociationIdentifier}`.
pub async fn update(
    State(emulator): State<Emulator>,
    Path(id): Path<String>,
    JsonBody { body, .. }: JsonBody<UpdateBody>,
) -> Reply {
    if body.security_group_ids.is_empty() {
        return Err(invalid(
            "securityGroupIds",
            "must hold at least one security group",
        ));
    }
    check_security_groups(&emulator, &body.security_group_ids)?;
    let association_id = lookup::find(&emulator.state().service_network_vpc_associations, &id)?
        .id
        .clone();
    let input = UpdateServiceNetworkVpcAssociationInput {
        service_network_vpc_association_identifier: association_id.clone(),
        security_group_ids: body.security_group_ids,
    };
    emulator
        .lattice()
        .update_service_network_vpc_association(input)
        .await?;
    let state = emulator.state();
    let association = lookup::find(&state.service_network_vpc_associations, &association_id)?;
    ok(json!({
        "id": association.id,
        "arn": association.arn,
        "status": association.status,
        "createdBy": emulator.config().account_id,
        "securityGroupIds": association.security_group_ids,
    }))
}
