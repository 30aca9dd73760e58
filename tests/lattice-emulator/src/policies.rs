//! Auth policies of services and service networks: `GetAuthPolicy`,
//! `PutAuthPolicy` (PUT), `DeleteAuthPolicy` (204).
//!
//! A resource without a policy answers `GetAuthPolicy` with no `policy`
//! member; an identifier that names no service or service network fails
//! with `ResourceNotFoundException`.

use axum::extract::{Path, State};
use serde::Deserialize;
use serde_json::json;
use trellis::lattice::Lattice;
use trellis::lattice::model::PutAuthPolicyInput;

use crate::error::invalid;
use crate::extract::JsonBody;
use crate::reply::{Reply, no_content, ok};
use crate::{Emulator, lookup, quotas};

/// `GET /authpolicy/{resourceIdentifier}`.
pub async fn get(State(emulator): State<Emulator>, Path(resource): Path<String>) -> Reply {
    let (id, _) = lookup::service_or_network(&emulator.state(), &resource)?;
    let policy = emulator.lattice().get_auth_policy(&id).await?;
    ok(match policy {
        Some(policy) => json!({"policy": policy.policy, "state": policy.state}),
        None => json!({}),
    })
}

/// `PutAuthPolicy` request body.
#[derive(Debug, Deserialize)]
pub struct PutBody {
    policy: String,
}

/// `PUT /authpolicy/{resourceIdentifier}`: the policy must be a JSON
/// document within "Auth policy size".
pub async fn put(
    State(emulator): State<Emulator>,
    Path(resource): Path<String>,
    JsonBody { body, .. }: JsonBody<PutBody>,
) -> Reply {
    let (id, _) = lookup::service_or_network(&emulator.state(), &resource)?;
    if serde_json::from_str::<serde_json::Value>(&body.policy).is_err() {
        return Err(invalid("policy", "must be a JSON policy document"));
    }
    quotas::check(
        0,
        body.policy.len(),
        emulator.quotas().auth_policy_bytes,
        "Auth policy size",
        "AUTH_POLICY",
    )?;
    let input = PutAuthPolicyInput {
        resource_identifier: id,
        policy: body.policy,
    };
    let policy = emulator.lattice().put_auth_policy(input).await?;
    ok(json!({"policy": policy.policy, "state": policy.state}))
}

/// `DELETE /authpolicy/{resourceIdentifier}`.
pub async fn delete(State(emulator): State<Emulator>, Path(resource): Path<String>) -> Reply {
    let (id, _) = lookup::service_or_network(&emulator.state(), &resource)?;
    emulator.lattice().delete_auth_policy(&id).await?;
    no_content()
}
