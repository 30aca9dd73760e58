//! Access log subscriptions of services and service networks:
//! `CreateAccessLogSubscription` (201), `ListAccessLogSubscriptions` (by
//! `resourceIdentifier`, required), `DeleteAccessLogSubscription` (204).

use axum::extract::{Path, State};
use serde::Deserialize;
use serde_json::json;
use trellis::lattice::Lattice;
use trellis::lattice::model::{CreateAccessLogSubscriptionInput, Tags};

use crate::error::invalid;
use crate::extract::{JsonBody, QueryParams};
use crate::pages::{Paging, page};
use crate::reply::{Reply, created, no_content, ok};
use crate::{Emulator, lookup};

/// `CreateAccessLogSubscription` request body.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateBody {
    resource_identifier: String,
    destination_arn: String,
    #[serde(default)]
    tags: Tags,
}

/// `POST /accesslogsubscriptions`: the destination must be an S3 bucket,
/// CloudWatch Logs log group or Firehose delivery stream ARN.
pub async fn create(
    State(emulator): State<Emulator>,
    JsonBody { raw, body }: JsonBody<CreateBody>,
) -> Reply {
    let response = emulator
        .tokens()
        .once("CreateAccessLogSubscription", raw, || async {
            let kind = body.destination_arn.split(':').nth(2).unwrap_or_default();
            if !body.destination_arn.starts_with("arn:")
                || !["s3", "logs", "firehose"].contains(&kind)
            {
                return Err(invalid(
                    "destinationArn",
                    "must be an S3, CloudWatch Logs or Firehose ARN",
                ));
            }
            let (id, arn) =
                lookup::service_or_network(&emulator.state(), &body.resource_identifier)?;
            let input = CreateAccessLogSubscriptionInput {
                resource_identifier: id,
                destination_arn: body.destination_arn,
                tags: body.tags,
            };
            let subscription = emulator
                .lattice()
                .create_access_log_subscription(input)
                .await?;
            Ok(json!({
                "id": subscription.id,
                "arn": subscription.arn,
                "resourceId": subscription.resource_id,
                "resourceArn": arn,
                "destinationArn": subscription.destination_arn,
            }))
        })
        .await?;
    created(response)
}

/// The filter of `ListAccessLogSubscriptions`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Filter {
    resource_identifier: Option<String>,
    #[serde(flatten)]
    paging: Paging,
}

/// `GET /accesslogsubscriptions?resourceIdentifier=`.
pub async fn list(
    State(emulator): State<Emulator>,
    QueryParams(filter): QueryParams<Filter>,
) -> Reply {
    let resource = filter
        .resource_identifier
        .ok_or_else(|| invalid("resourceIdentifier", "required"))?;
    let (id, arn) = lookup::service_or_network(&emulator.state(), &resource)?;
    let subscriptions = emulator
        .lattice()
        .list_access_log_subscriptions(&id)
        .await?;
    let items = subscriptions
        .iter()
        .map(|subscription| {
            json!({
                "id": subscription.id,
                "arn": subscription.arn,
                "resourceId": subscription.resource_id,
                "resourceArn": arn,
                "destinationArn": subscription.destination_arn,
            })
        })
        .collect();
    ok(page(items, &filter.paging, emulator.config().page_size)?)
}

/// `DELETE /accesslogsubscriptions/{accessLogSubscriptionIdentifier}`.
pub async fn delete(State(emulator): State<Emulator>, Path(id): Path<String>) -> Reply {
    let state = emulator.state();
    let subscription = lookup::find(&state.access_log_subscriptions, &id)?;
    emulator
        .lattice()
        .delete_access_log_subscription(&subscription.id)
        .await?;
    no_content()
}
