//! Example Trellis plugin (auth): the Lattice services of routes get auth
//! type `AWS_IAM` with an IAM policy that lets only the principals of one AWS
//! organization invoke them.
//!
//! Config (`[plugin.config]` of the policy):
//! - `organizationId` (required): the AWS Organizations id, `o-` and 10 to 32
//!   lowercase letters or digits. Missing or malformed, every object the
//!   policy gives this plugin is refused, naming `config.organizationId`.
//! - `serviceNetworks` (default `false`): also protect the service networks
//!   of Gateways. Off by default: a service network's auth policy applies
//!   to every service in it, including those of teams the policy did not
//!   select, and makes every client sign its requests.
//!
//! Defers (the next plugin decides; after the default plugin, the object's
//! IAMAuthPolicy if any, else the auth stays as it is):
//! - a route or Gateway with an IAMAuthPolicy attached: a policy written for
//!   that object wins over the platform-wide default;
//! - TLSRoutes: Lattice passes TLS through without decrypting it, so it
//!   never sees the signed HTTP request an IAM policy is checked against
//!   (and upstream's IAMAuthPolicy does not target TLSRoutes either);
//! - Gateways, unless `serviceNetworks` is on.

use serde::Deserialize;
use serde_json::json;
use trellis_plugin_sdk::{
    AttachedPolicy, AuthPolicy, CallContext, GatewayInput, Plugin, PluginError, RouteInput,
    RouteKind, log,
};

/// The policy kind whose presence makes this plugin defer.
const IAM_AUTH_POLICY: &str = "IAMAuthPolicy";

/// The plugin.
pub struct OrgAuth;

/// The plugin's configuration, as written.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Config {
    /// The organization whose principals may invoke.
    organization_id: Option<String>,
    /// Whether Gateways' service networks are protected too.
    #[serde(default)]
    service_networks: bool,
}

/// The configuration, checked.
struct Settings {
    /// A well-formed AWS Organizations id.
    organization_id: String,
    /// Whether Gateways' service networks are protected too.
    service_networks: bool,
}

impl Plugin for OrgAuth {
    fn route_auth_policy(
        ctx: &CallContext,
        route: &RouteInput,
    ) -> Result<Option<AuthPolicy>, PluginError> {
        let settings = settings(ctx)?;
        if route.kind == RouteKind::Tls || has_iam_auth_policy(&route.policies) {
            return Ok(None);
        }
        log::debug(
            "service restricted to the organization",
            &[("organization", &settings.organization_id)],
        );
        Ok(Some(organization_only(&settings.organization_id)))
    }

    fn gateway_auth_policy(
        ctx: &CallContext,
        gateway: &GatewayInput,
    ) -> Result<Option<AuthPolicy>, PluginError> {
        let settings = settings(ctx)?;
        if !settings.service_networks || has_iam_auth_policy(&gateway.policies) {
            return Ok(None);
        }
        Ok(Some(organization_only(&settings.organization_id)))
    }
}

trellis_plugin_sdk::export_plugin!(OrgAuth);

/// The configuration in `ctx`, or a refusal: naming `config.organizationId`
/// when it is missing or not an AWS Organizations id (`o-` and 10 to 32
/// characters of `a-z0-9`).
fn settings(ctx: &CallContext) -> Result<Settings, PluginError> {
    let config: Config = ctx.parse_config()?;
    let Some(organization_id) = config.organization_id else {
        return Err(PluginError::invalid_config(
            "organizationId",
            "required: the id (o-…) of the AWS organization whose principals may invoke",
        ));
    };
    let well_formed = organization_id.strip_prefix("o-").is_some_and(|rest| {
        (10..=32).contains(&rest.len())
            && rest
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
    });
    if !well_formed {
        return Err(PluginError::invalid_config(
            "organizationId",
            format!(
                "{organization_id:?} is not an AWS organization id: o- and 10 to 32 of a-z, 0-9"
            ),
        ));
    }
    Ok(Settings {
        organization_id,
        service_networks: config.service_networks,
    })
}

fn has_iam_auth_policy(policies: &[AttachedPolicy]) -> bool {
    policies
        .iter()
        .any(|policy| policy.meta.kind == IAM_AUTH_POLICY)
}

/// `AWS_IAM` with a policy allowing `vpc-lattice-svcs:Invoke` on every
/// resource to principals of `organization` only.
fn organization_only(organization: &str) -> AuthPolicy {
    let document = json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": "*",
            "Action": "vpc-lattice-svcs:Invoke",
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:PrincipalOrgID": organization}},
        }],
    });
    AuthPolicy {
        auth_type: "AWS_IAM".into(),
        policy: Some(document.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::Value;
    use trellis_plugin_sdk::testing;

    use super::*;

    const CONFIG: &str = r#"{"organizationId": "o-a1b2c3d4e5"}"#;

    fn route(kind: &str) -> RouteInput {
        testing::route(testing::object_meta(kind, "payments-api", "rates"))
    }

    fn gateway() -> GatewayInput {
        testing::gateway(testing::object_meta("Gateway", "default", "my-gateway"))
    }

    fn iam_auth_policy() -> AttachedPolicy {
        testing::attached_policy("IAMAuthPolicy", "payments-api", "rates-auth", "{}")
    }

    #[test]
    fn routes_allow_only_the_organization() {
        let ctx = testing::context(CONFIG, &[]);
        for kind in ["HTTPRoute", "GRPCRoute"] {
            let auth = OrgAuth::route_auth_policy(&ctx, &route(kind))
                .unwrap()
                .unwrap();
            assert_eq!(auth.auth_type, "AWS_IAM");
            let document: Value = serde_json::from_str(&auth.policy.unwrap()).unwrap();
            let statement = &document["Statement"][0];
            assert_eq!(statement["Effect"], "Allow");
            assert_eq!(statement["Action"], "vpc-lattice-svcs:Invoke");
            assert_eq!(statement["Resource"], "*");
            assert_eq!(
                statement["Condition"]["StringEquals"]["aws:PrincipalOrgID"],
                "o-a1b2c3d4e5"
            );
        }
    }

    #[test]
    fn defers_to_an_attached_iam_auth_policy_and_for_tls_routes() {
        let ctx = testing::context(CONFIG, &[]);
        let mut with_policy = route("HTTPRoute");
        with_policy.policies.push(iam_auth_policy());
        assert_eq!(OrgAuth::route_auth_policy(&ctx, &with_policy), Ok(None));
        assert_eq!(
            OrgAuth::route_auth_policy(&ctx, &route("TLSRoute")),
            Ok(None)
        );
    }

    #[test]
    fn service_networks_only_when_asked() {
        let ctx = testing::context(CONFIG, &[]);
        assert_eq!(OrgAuth::gateway_auth_policy(&ctx, &gateway()), Ok(None));
        let ctx = testing::context(
            r#"{"organizationId": "o-a1b2c3d4e5", "serviceNetworks": true}"#,
            &[],
        );
        let auth = OrgAuth::gateway_auth_policy(&ctx, &gateway()).unwrap();
        assert_eq!(auth, Some(organization_only("o-a1b2c3d4e5")));
        let mut with_policy = gateway();
        with_policy.policies.push(iam_auth_policy());
        assert_eq!(OrgAuth::gateway_auth_policy(&ctx, &with_policy), Ok(None));
    }

    #[test]
    fn a_missing_or_malformed_organization_is_refused() {
        for config in [
            "{}",
            r#"{"organizationId": "123456789012"}"#,
            r#"{"organizationId": "o-short"}"#,
            r#"{"organizationId": "o-A1B2C3D4E5"}"#,
        ] {
            let ctx = testing::context(config, &[]);
            for error in [
                OrgAuth::route_auth_policy(&ctx, &route("HTTPRoute")).unwrap_err(),
                OrgAuth::gateway_auth_policy(&ctx, &gateway()).unwrap_err(),
            ] {
                assert_eq!(error.reason, "InvalidPluginConfig", "{config}");
                assert_eq!(
                    error.field.as_deref(),
                    Some("config.organizationId"),
                    "{config}"
                );
            }
        }
    }
}
