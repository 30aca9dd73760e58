//! Services: `CreateService` (201, `CREATE_IN_PROGRESS`), `ListServices`
//! (no tags: clients read them with `ListTagsForResource`), `GetService`,
//! `UpdateService` (PATCH `authType`, `certificateArn`), `DeleteService`
//! (200, `DELETE_IN_PROGRESS`).

use axum::extract::{Path, State};
use serde::Deserialize;
use serde_json::{Value, json};
use trellis::lattice::Lattice;
use trellis::lattice::model::{CreateServiceInput, Service, Tags, UpdateServiceInput};

use crate::extract::{JsonBody, QueryParams};
use crate::pages::{Paging, page};
use crate::reply::{Reply, created, ok};
use crate::{Emulator, lookup, quotas, validate};

/// `CreateService` request body.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateBody {
    name: String,
    custom_domain_name: Option<String>,
    certificate_arn: Option<String>,
    auth_type: Option<String>,
    #[serde(default)]
    tags: Tags,
}

/// The members `CreateService`, `GetService` and `UpdateService` share.
fn detail(service: &Service) -> Value {
    json!({
        "id": service.id,
        "arn": service.arn,
        "name": service.name,
        "customDomainName": service.custom_domain_name,
        "certificateArn": service.certificate_arn,
        "authType": service.auth_type,
        "dnsEntry": {
            "domainName": service.dns_entry.domain_name,
            "hostedZoneId": service.dns_entry.hosted_zone_id,
        },
        "status": service.status,
    })
}

/// `POST /services`.
pub async fn create(
    State(emulator): State<Emulator>,
    JsonBody { raw, body }: JsonBody<CreateBody>,
) -> Reply {
    let response = emulator
        .tokens()
        .once("CreateService", raw, || async {
            validate::name(&body.name, validate::SERVICE_NAME)?;
            let auth_type = body.auth_type.unwrap_or_else(|| "NONE".into());
            validate::auth_type(&auth_type)?;
            quotas::check(
                emulator.state().services.len(),
                1,
                emulator.quotas().services,
                "Services per Region",
                "SERVICE",
            )?;
            let input = CreateServiceInput {
                name: body.name,
                custom_domain_name: body.custom_domain_name,
                certificate_arn: body.certificate_arn,
                auth_type,
                tags: body.tags,
            };
            let service = emulator.lattice().create_service(input).await?;
            let mut response = detail(&service);
            response["status"] = json!("CREATE_IN_PROGRESS");
            Ok(response)
        })
        .await?;
    created(response)
}

/// `GET /services`.
pub async fn list(
    State(emulator): State<Emulator>,
    QueryParams(paging): QueryParams<Paging>,
) -> Reply {
    let services = emulator.lattice().list_services().await?;
    let items = services
        .iter()
        .map(|service| {
            json!({
                "id": service.id,
                "arn": service.arn,
                "name": service.name,
                "customDomainName": service.custom_domain_name,
                "dnsEntry": {
                    "domainName": service.dns_entry.domain_name,
                    "hostedZoneId": service.dns_entry.hosted_zone_id,
                },
                "status": service.status,
            })
        })
        .collect();
    ok(page(items, &paging, emulator.config().page_size)?)
}

/// `GET /services/{serviceIdentifier}`.
pub async fn get(State(emulator): State<Emulator>, Path(id): Path<String>) -> Reply {
    let state = emulator.state();
    ok(detail(lookup::find(&state.services, &id)?))
}

/// `UpdateService` request body: only the members present change.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateBody {
    auth_type: Option<String>,
    certificate_arn: Option<String>,
}

/// `PATCH /services/{serviceIdentifier}`.
pub async fn update(
    State(emulator): State<Emulator>,
    Path(id): Path<String>,
    JsonBody { body, .. }: JsonBody<UpdateBody>,
) -> Reply {
    if let Some(auth_type) = &body.auth_type {
        validate::auth_type(auth_type)?;
    }
    let service_id = lookup::find(&emulator.state().services, &id)?.id.clone();
    let input = UpdateServiceInput {
        service_identifier: service_id.clone(),
        auth_type: body.auth_type,
        certificate_arn: body.certificate_arn,
    };
    emulator.lattice().update_service(input).await?;
    let state = emulator.state();
    let mut response = detail(lookup::find(&state.services, &service_id)?);
    if let Some(members) = response.as_object_mut() {
        members.remove("dnsEntry");
        members.remove("status");
    }
    ok(response)
}

/// `DELETE /services/{serviceIdentifier}`: also deletes the service's
/// listeners, rules, auth policy and access log subscriptions; fails with
/// `ConflictException` while the service is associated with a service
/// network.
pub async fn delete(State(emulator): State<Emulator>, Path(id): Path<String>) -> Reply {
    let state = emulator.state();
    let service = lookup::find(&state.services, &id)?;
    emulator.lattice().delete_service(&service.id).await?;
    ok(json!({
        "id": service.id,
        "arn": service.arn,
        "name": service.name,
        "status": "DELETE_IN_PROGRESS",
    }))
}
