//! Listeners of a service: `CreateListener` (201), `ListListeners`,
//! `GetListener`, `UpdateListener` (PATCH `defaultAction`),
//! `DeleteListener` (204; its rules go with it).

use axum::extract::{Path, State};
use serde::Deserialize;
use serde_json::{Value, json};
use trellis::lattice::model::{CreateListenerInput, Listener, Tags, UpdateListenerInput};
use trellis::lattice::{Lattice, LatticeState};

use crate::actions;
use crate::extract::{JsonBody, QueryParams};
use crate::pages::{Paging, page};
use crate::reply::{Reply, created, no_content, ok, with_path};
use crate::{Emulator, lookup, quotas, validate};

/// `CreateListener` request body.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateBody {
    name: String,
    protocol: String,
    port: Option<i64>,
    default_action: Value,
    #[serde(default)]
    tags: Tags,
}

/// The members `CreateListener`, `GetListener` and `UpdateListener` share.
fn detail(state: &LatticeState, listener: &Listener) -> Value {
    let service_arn = lookup::find(&state.services, &listener.service_id)
        .map(|service| service.arn.clone())
        .ok();
    json!({
        "arn": listener.arn,
        "id": listener.id,
        "name": listener.name,
        "protocol": listener.protocol,
        "port": listener.port,
        "serviceArn": service_arn,
        "serviceId": listener.service_id,
        "defaultAction": actions::to_json(&listener.default_action),
    })
}

/// The port of a new listener: as given, else 80 for HTTP and 443 for HTTPS.
fn listener_port(protocol: &str, port: Option<i64>) -> Result<u16, crate::ApiError> {
    match (port, protocol) {
        (Some(port), _) => validate::port("port", port),
        (None, "HTTP") => Ok(80),
        (None, "HTTPS") => Ok(443),
        (None, _) => Err(crate::error::invalid(
            "port",
            "a TLS_PASSTHROUGH listener needs a port",
        )),
    }
}

/// `POST /services/{serviceIdentifier}/listeners`.
pub async fn create(
    State(emulator): State<Emulator>,
    Path(service): Path<String>,
    JsonBody { raw, body }: JsonBody<CreateBody>,
) -> Reply {
    let request = with_path(raw, &[("serviceIdentifier", &service)]);
    let response = emulator
        .tokens()
        .once("CreateListener", request, || async {
            validate::name(&body.name, validate::LISTENER_NAME)?;
            validate::one_of(
                "protocol",
                &body.protocol,
                &["HTTP", "HTTPS", "TLS_PASSTHROUGH"],
            )?;
            let port = listener_port(&body.protocol, body.port)?;
            let state = emulator.state();
            let service = lookup::find(&state.services, &service)?;
            let default_action = actions::action(&state, "defaultAction", body.default_action)?;
            let existing = state
                .listeners
                .iter()
                .filter(|listener| listener.service_id == service.id)
                .count();
            let quotas = emulator.quotas();
            quotas::check(
                existing,
                1,
                quotas.listeners_per_service,
                "Listeners per service",
                "LISTENER",
            )?;
            quotas::target_groups_per_service(
                &state,
                &service.id,
                None,
                &default_action,
                quotas.target_groups_per_service,
            )?;
            let input = CreateListenerInput {
                service_identifier: service.id.clone(),
                name: body.name,
                port,
                protocol: body.protocol,
                default_action,
                tags: body.tags,
            };
            let listener = emulator.lattice().create_listener(input).await?;
            Ok(detail(&state, &listener))
        })
        .await?;
    created(response)
}

/// `GET /services/{serviceIdentifier}/listeners`.
pub async fn list(
    State(emulator): State<Emulator>,
    Path(service): Path<String>,
    QueryParams(paging): QueryParams<Paging>,
) -> Reply {
    let service_id = lookup::find(&emulator.state().services, &service)?
        .id
        .clone();
    let listeners = emulator.lattice().list_listeners(&service_id).await?;
    let items = listeners
        .iter()
        .map(|listener| {
            json!({
                "arn": listener.arn,
                "id": listener.id,
                "name": listener.name,
                "protocol": listener.protocol,
                "port": listener.port,
            })
        })
        .collect();
    ok(page(items, &paging, emulator.config().page_size)?)
}

/// `GET /services/{serviceIdentifier}/listeners/{listenerIdentifier}`.
pub async fn get(
    State(emulator): State<Emulator>,
    Path((service, listener)): Path<(String, String)>,
) -> Reply {
    let state = emulator.state();
    ok(detail(
        &state,
        lookup::listener(&state, &service, &listener)?,
    ))
}

/// `UpdateListener` request body.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateBody {
    default_action: Value,
}

/// `PATCH /services/{serviceIdentifier}/listeners/{listenerIdentifier}`.
pub async fn update(
    State(emulator): State<Emulator>,
    Path((service, listener)): Path<(String, String)>,
    JsonBody { body, .. }: JsonBody<UpdateBody>,
) -> Reply {
    let state = emulator.state();
    let found = lookup::listener(&state, &service, &listener)?;
    let default_action = actions::action(&state, "defaultAction", body.default_action)?;
    quotas::target_groups_per_service(
        &state,
        &found.service_id,
        Some(&found.id),
        &default_action,
        emulator.quotas().target_groups_per_service,
    )?;
    let input = UpdateListenerInput {
        service_identifier: found.service_id.clone(),
        listener_identifier: found.id.clone(),
        default_action,
    };
    emulator.lattice().update_listener(input).await?;
    let state = emulator.state();
    ok(detail(
        &state,
        lookup::listener(&state, &found.service_id, &found.id)?,
    ))
}

/// `DELETE /services/{serviceIdentifier}/listeners/{listenerIdentifier}`.
pub async fn delete(
    State(emulator): State<Emulator>,
    Path((service, listener)): Path<(String, String)>,
) -> Reply {
    let state = emulator.state();
    let found = lookup::listener(&state, &service, &listener)?;
    emulator
        .lattice()
        .delete_listener(&found.service_id, &found.id)
        .await?;
    no_content()
}
