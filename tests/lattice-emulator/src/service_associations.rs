//! Associations of services with service networks:
//! `CreateServiceNetworkServiceAssociation` (200, `CREATE_IN_PROGRESS`),
//! `ListServiceNetworkServiceAssociations` (by `serviceIdentifier` and/or
//! `serviceNetworkIdentifier`), `DeleteServiceNetworkServiceAssociation`
//! (200, `DELETE_IN_PROGRESS`).

use axum::extract::{Path, State};
use serde::Deserialize;
use serde_json::json;
use trellis::lattice::Lattice;
use trellis::lattice::model::{CreateServiceNetworkServiceAssociationInput, Tags};

use crate::error::invalid;
use crate::extract::{JsonBody, QueryParams};
use crate::pages::{Paging, page};
use crate::reply::{Reply, ok};
use crate::{Emulator, lookup, quotas};

/// `CreateServiceNetworkServiceAssociation` request body.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateBody {
    service_identifier: String,
    service_network_identifier: String,
    #[serde(default)]
    tags: Tags,
}

/// `POST /servicenetworkserviceassociations`.
pub async fn create(
    State(emulator): State<Emulator>,
    JsonBody { raw, body }: JsonBody<CreateBody>,
) -> Reply {
    let response = emulator
        .tokens()
        .once("CreateServiceNetworkServiceAssociation", raw, || async {
            let state = emulator.state();
            let service = lookup::find(&state.services, &body.service_identifier)?;
            let network = lookup::find(&state.service_networks, &body.service_network_identifier)?;
            let existing = state
                .service_network_service_associations
                .iter()
                .filter(|association| association.service_network_id == network.id)
                .count();
            quotas::check(
                existing,
                1,
                emulator.quotas().service_associations_per_service_network,
                "Service associations per service network",
                "SERVICE_NETWORK_SERVICE_ASSOCIATION",
            )?;
            let input = CreateServiceNetworkServiceAssociationInput {
                service_identifier: service.id.clone(),
                service_network_identifier: network.id.clone(),
                tags: body.tags,
            };
            let association = emulator
                .lattice()
                .create_service_network_service_association(input)
                .await?;
            Ok(json!({
                "id": association.id,
                "arn": association.arn,
                "status": "CREATE_IN_PROGRESS",
                "createdBy": emulator.config().account_id,
                "customDomainName": service.custom_domain_name,
                "dnsEntry": {
                    "domainName": service.dns_entry.domain_name,
                    "hostedZoneId": service.dns_entry.hosted_zone_id,
                },
            }))
        })
        .await?;
    ok(response)
}

/// The filters of `ListServiceNetworkServiceAssociations`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Filter {
    service_identifier: Option<String>,
    service_network_identifier: Option<String>,
    #[serde(flatten)]
    paging: Paging,
}

/// `GET /servicenetworkserviceassociations?serviceIdentifier=&serviceNetworkIdentifier=`
/// (at least one of the two).
pub async fn list(
    State(emulator): State<Emulator>,
    QueryParams(filter): QueryParams<Filter>,
) -> Reply {
    let state = emulator.state();
    let network_id = match &filter.service_network_identifier {
        Some(network) => Some(lookup::find(&state.service_networks, network)?.id.clone()),
        None => None,
    };
    let associations = match (&filter.service_identifier, &network_id) {
        (Some(service), _) => {
            let service = lookup::find(&state.services, service)?;
            emulator
                .lattice()
                .list_service_network_service_associations(&service.id)
                .await?
        }
        (None, Some(_)) => state.service_network_service_associations.clone(),
        (None, None) => {
            return Err(invalid(
                "serviceIdentifier",
                "serviceIdentifier or serviceNetworkIdentifier is required",
            ));
        }
    };
    let items = associations
        .iter()
        .filter(|association| {
            network_id
                .as_ref()
                .is_none_or(|network| &association.service_network_id == network)
        })
        .map(|association| {
            let service = lookup::find(&state.services, &association.service_id).ok();
            let network =
                lookup::find(&state.service_networks, &association.service_network_id).ok();
            json!({
                "id": association.id,
                "arn": association.arn,
                "status": association.status,
                "createdBy": emulator.config().account_id,
                "serviceId": association.service_id,
                "serviceName": association.service_name,
                "serviceArn": service.map(|service| service.arn.clone()),
                "serviceNetworkId": association.service_network_id,
                "serviceNetworkName": association.service_network_name,
                "serviceNetworkArn": network.map(|network| network.arn.clone()),
                "dnsEntry": service.map(|service| json!({
                    "domainName": service.dns_entry.domain_name,
                    "hostedZoneId": service.dns_entry.hosted_zone_id,
                })),
            })
        })
        .collect();
    ok(page(items, &filter.paging, emulator.config().page_size)?)
}

/// `DELETE /servicenetworkserviceassociations/{serviceNetworkServiceAssociationIdentifier}`.
pub async fn delete(State(emulator): State<Emulator>, Path(id): Path<String>) -> Reply {
    let state = emulator.state();
    let association = lookup::find(&state.service_network_service_associations, &id)?;
    emulator
        .lattice()
        .delete_service_network_service_association(&association.id)
        .await?;
    ok(json!({
        "id": association.id,
        "arn": association.arn,
        "status": "DELETE_IN_PROGRESS",
    }))
}
