//! Tags: `ListTagsForResource` and `TagResource`, on `/tags/{resourceArn}`
//! with the ARN percent-encoded into one path segment.
//!
//! `ListServices` and `ListTargetGroups` carry no tags (as in the API), so
//! clients read every resource's tags here.

use axum::extract::{Path, State};
use serde::Deserialize;
use serde_json::json;
use trellis::lattice::model::{TagResourceInput, Tags, arn_account};
use trellis::lattice::{Lattice, LatticeError};

use crate::error::{invalid, not_found};
use crate::extract::JsonBody;
use crate::reply::{Reply, ok};
use crate::{ApiError, Emulator, lookup};

/// `AccessDeniedException` for an ARN of another account: tags are shown to
/// and changed by the resource's owner only (a network shared through RAM).
fn require_own(emulator: &Emulator, arn: &str) -> Result<(), ApiError> {
    if arn_account(arn) == emulator.config().account_id {
        return Ok(());
    }
    Err(ApiError::Lattice(LatticeError::Api {
        code: "AccessDeniedException".into(),
        message: format!(
            "account {} may not access the tags of {arn}",
            emulator.config().account_id
        ),
    }))
}

/// `GET /tags/{resourceArn}`.
pub async fn list(State(emulator): State<Emulator>, Path(arn): Path<String>) -> Reply {
    require_own(&emulator, &arn)?;
    let state = emulator.state();
    let tags = lookup::tags_of(&state, &arn).ok_or_else(|| not_found("RESOURCE", &arn))?;
    ok(json!({"tags": tags}))
}

/// `TagResource` request body.
#[derive(Debug, Deserialize)]
pub struct TagBody {
    tags: Tags,
}

/// `POST /tags/{resourceArn}`: adds or overwrites tags, keeping the others.
pub async fn tag(
    State(emulator): State<Emulator>,
    Path(arn): Path<String>,
    JsonBody { body, .. }: JsonBody<TagBody>,
) -> Reply {
    require_own(&emulator, &arn)?;
    if body.tags.is_empty() {
        return Err(invalid("tags", "must hold at least one tag"));
    }
    let input = TagResourceInput {
        resource_arn: arn,
        tags: body.tags,
    };
    emulator.lattice().tag_resource(input).await?;
    ok(json!({}))
}
