//! IAMAuthPolicy → the auth type and IAM policy of a route's service
//! (upstream `iamauthpolicy_controller.go`).

use serde::Deserialize;

use crate::{
    AttachedPolicy, AuthPolicy, CallContext, GatewayInput, PluginError, RouteInput, refuse,
};

const KIND: &str = "IAMAuthPolicy";

/// `spec` of an IAMAuthPolicy.
#[derive(Debug, Deserialize)]
struct IamAuthPolicySpec {
    /// The IAM policy document, as JSON text.
    policy: String,
}

/// `AWS_IAM` with the policy of the oldest IAMAuthPolicy targeting the route;
/// `None` (no opinion) when there is none.
pub fn route_auth_policy(
    _ctx: &CallContext,
    route: &RouteInput,
) -> Result<Option<AuthPolicy>, PluginError> {
    from_policies(&route.policies)
}

/// `AWS_IAM` with the policy of the oldest IAMAuthPolicy targeting the
/// Gateway (for its service network); `None` when there is none.
pub fn gateway_auth_policy(
    _ctx: &CallContext,
    gateway: &GatewayInput,
) -> Result<Option<AuthPolicy>, PluginError> {
    from_policies(&gateway.policies)
}

fn from_policies(policies: &[AttachedPolicy]) -> Result<Option<AuthPolicy>, PluginError> {
    let Some(policy) = policies.iter().find(|policy| policy.meta.kind == KIND) else {
        return Ok(None);
    };
    let shown = format!("{KIND} {}/{}", policy.meta.namespace, policy.meta.name);
    let spec: IamAuthPolicySpec = serde_json::from_str(&policy.spec).map_err(|error| {
        refuse(
            "InvalidPolicy",
            format!("{shown} spec"),
            format!("{shown}: {error}"),
        )
    })?;
    match serde_json::from_str::<serde_json::Value>(&spec.policy) {
        Ok(serde_json::Value::Object(_)) => {}
        _ => {
            return Err(refuse(
                "InvalidPolicy",
                format!("{shown} spec.policy"),
                format!("{shown}: spec.policy must be an IAM policy document (a JSON object)"),
            ));
        }
    }
    Ok(Some(AuthPolicy {
        auth_type: "AWS_IAM".into(),
        policy: Some(spec.policy),
    }))
}
