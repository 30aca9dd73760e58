//! Example Trellis plugin (naming): the Lattice service of a route is named
//! `<team>-<route name>-<route namespace>`, where `<team>` is the value of a
//! label of the route's namespace.
//!
//! Config (`[plugin.config]` of the policy): `label`, the namespace label
//! that holds the team, `team` by default.
//!
//! Defers (the next plugin names it; after the default plugin, upstream's
//! `<route>-<namespace>`): every subject but the route's service; routes in a
//! namespace without the label; and routes with upstream's
//! `service-name-override` annotation, because a name asked for on the route
//! itself wins over a platform-wide scheme.

use serde::Deserialize;
use trellis_plugin_sdk::{
    CallContext, NamingSubject, ObjectMeta, Plugin, PluginError, SERVICE_NAME_MAX_LENGTH,
    lattice_name, log,
};

/// The annotation with which a route names its own service (upstream's).
const SERVICE_NAME_OVERRIDE: &str = "application-networking.k8s.aws/service-name-override";

/// The plugin.
pub struct TeamPrefix;

/// The plugin's configuration.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Config {
    /// The namespace label whose value is the team.
    #[serde(default = "default_label")]
    label: String,
}

fn default_label() -> String {
    "team".into()
}

impl Plugin for TeamPrefix {
    fn name(
        ctx: &CallContext,
        owner: &ObjectMeta,
        subjects: &[NamingSubject],
    ) -> Result<Vec<Option<String>>, PluginError> {
        let service = service_name(ctx, owner)?;
        Ok(subjects
            .iter()
            .map(|subject| match subject {
                NamingSubject::Service => service.clone(),
                _ => None,
            })
            .collect())
    }
}

trellis_plugin_sdk::export_plugin!(TeamPrefix);

/// The name of `route`'s Lattice service: `<team>-<route>-<namespace>` as a
/// valid Lattice service name (at most 40 characters; longer ones are cut
/// and end in a hash), or `None` to defer.
fn service_name(ctx: &CallContext, route: &ObjectMeta) -> Result<Option<String>, PluginError> {
    let config: Config = ctx.parse_config()?;
    if route
        .annotations
        .iter()
        .any(|annotation| annotation.key == SERVICE_NAME_OVERRIDE)
    {
        return Ok(None);
    }
    let Some(team) = ctx.namespace_label(&config.label) else {
        return Ok(None);
    };
    let name = lattice_name(
        &[team, &route.name, &route.namespace],
        SERVICE_NAME_MAX_LENGTH,
    );
    log::debug(
        "service named after the namespace's team",
        &[("team", team), ("service", &name)],
    );
    Ok(Some(name))
}

#[cfg(test)]
mod tests {
    use trellis_plugin_sdk::{ListenerProtocol, ListenerSubject, testing};

    use super::*;

    fn route() -> ObjectMeta {
        testing::object_meta("HTTPRoute", "payments-api", "rates")
    }

    fn subjects() -> Vec<NamingSubject> {
        vec![
            NamingSubject::Service,
            NamingSubject::Listener(ListenerSubject {
                port: 80,
                protocol: ListenerProtocol::Http,
            }),
        ]
    }

    fn names(ctx: &CallContext, route: &ObjectMeta) -> Vec<Option<String>> {
        TeamPrefix::name(ctx, route, &subjects()).unwrap()
    }

    #[test]
    fn names_the_service_after_the_team_and_defers_the_rest() {
        let ctx = testing::context("{}", &[("team", "Payments")]);
        assert_eq!(
            names(&ctx, &route()),
            [Some("payments-rates-payments-api".to_owned()), None]
        );
    }

    #[test]
    fn defers_when_the_namespace_has_no_team() {
        let ctx = testing::context("{}", &[("cost-center", "cc-1234")]);
        assert_eq!(names(&ctx, &route()), [None, None]);
    }

    #[test]
    fn reads_the_configured_label() {
        let ctx = testing::context(r#"{"label": "owner"}"#, &[("team", "a"), ("owner", "web")]);
        assert_eq!(
            names(&ctx, &route())[0].as_deref(),
            Some("web-rates-payments-api")
        );
    }

    #[test]
    fn defers_to_the_routes_own_override() {
        let ctx = testing::context("{}", &[("team", "payments")]);
        let mut route = route();
        route.annotations = testing::key_values(&[(SERVICE_NAME_OVERRIDE, "my-rates")]);
        assert_eq!(names(&ctx, &route), [None, None]);
    }

    #[test]
    fn long_names_are_cut_to_a_valid_service_name() {
        let ctx = testing::context("{}", &[("team", "payments-and-billing")]);
        let route = testing::object_meta("HTTPRoute", "production-east", "exchange-rates-v2");
        let name = names(&ctx, &route)[0].clone().unwrap();
        assert_eq!(name.len(), 40);
        assert!(name.starts_with("payments-and-billing-exchange-"), "{name}");
    }

    #[test]
    fn an_unknown_option_is_refused() {
        let ctx = testing::context(r#"{"lable": "team"}"#, &[("team", "payments")]);
        let error = TeamPrefix::name(&ctx, &route(), &subjects()).unwrap_err();
        assert_eq!(error.field.as_deref(), Some("config.lable"));
    }
}
