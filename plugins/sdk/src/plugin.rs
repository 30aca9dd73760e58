//! The [`Plugin`] trait: one method per function of the WIT world, each with
//! a default that defers to the rest of the chain.

use crate::{
    AuthPolicy, CallContext, DnsDecision, ExportInput, GatewayInput, KeyValue, NamingSubject,
    ObjectMeta, PluginError, RouteInput, RouteTranslation, TaggingSubject, TargetGroupSpec,
};

/// A Trellis plugin. Implement the methods you have an opinion on and export
/// the type with [`export_plugin!`](crate::export_plugin); every method you
/// leave out keeps its default, which defers to the next plugin of the chain
/// (the built-in default plugin is always last), so the object gets exactly
/// what it would get without this plugin.
///
/// Methods are associated functions: plugins are pure functions of their
/// inputs. The host instantiates a plugin once per object and serves all of
/// that object's calls (translate, auth, DNS, names, tags) from that
/// instance, never sharing it with another object; keep no state between
/// calls all the same — a call may be the first of a fresh instance (after a
/// failure, or for the plugin's own checks). Inputs come by reference; the result of the rest of
/// the chain (`previous`) comes by value, to be refined and returned.
///
/// Contract for every method: the same input gives the same output (no
/// clock or randomness — the host provides neither), and an `Err` is a
/// refusal for this one object, shown on its status; its live Lattice
/// resources stay as they are.
pub trait Plugin {
    /// The Lattice service, listeners, rules and target groups of a route.
    ///
    /// Translation runs from the end of the chain to its start, so `previous`
    /// is the translation of the rest of the chain (for a plugin other than
    /// the default, always `Some`). Default: returns `previous` unchanged;
    /// refuses when there is none, which only a host that breaks the chain's
    /// contract can cause (the same for the other two translations).
    fn translate_route(
        _ctx: &CallContext,
        _route: &RouteInput,
        previous: Option<RouteTranslation>,
    ) -> Result<RouteTranslation, PluginError> {
        previous.ok_or_else(|| first_in_chain("translate-route"))
    }

    /// The target groups a ServiceExport exports; `previous` as for
    /// [`Plugin::translate_route`]. Default: returns `previous` unchanged.
    fn translate_export(
        _ctx: &CallContext,
        _service_export: &ExportInput,
        previous: Option<Vec<TargetGroupSpec>>,
    ) -> Result<Vec<TargetGroupSpec>, PluginError> {
        previous.ok_or_else(|| first_in_chain("translate-export"))
    }

    /// The name of the Lattice service network a Gateway stands for;
    /// `previous` as for [`Plugin::translate_route`]. Default: returns
    /// `previous` unchanged.
    fn gateway_service_network(
        _ctx: &CallContext,
        _gateway: &GatewayInput,
        previous: Option<String>,
    ) -> Result<String, PluginError> {
        previous.ok_or_else(|| first_in_chain("gateway-service-network"))
    }

    /// Names for `subjects`, resources of `owner` (a route or a
    /// ServiceExport): exactly one entry per subject, in order; `None` defers
    /// that subject to the next plugin. The host checks each name against
    /// Lattice's rules ([`lattice_name`](crate::lattice_name) builds valid
    /// ones). Default: `None` for every subject.
    fn name(
        _ctx: &CallContext,
        _owner: &ObjectMeta,
        subjects: &[NamingSubject],
    ) -> Result<Vec<Option<String>>, PluginError> {
        Ok(vec![None; subjects.len()])
    }

    /// Tags for `subjects`, resources of `owner`: exactly one list per
    /// subject, in order. The chain merges the lists per subject, earlier
    /// plugins winning on a key. Keys starting with
    /// `application-networking.k8s.aws/` are the controller's ownership tags:
    /// the host refuses them from any plugin but the default. Default: an
    /// empty list for every subject.
    fn tags(
        _ctx: &CallContext,
        _owner: &ObjectMeta,
        subjects: &[TaggingSubject],
    ) -> Result<Vec<Vec<KeyValue>>, PluginError> {
        Ok(vec![Vec::new(); subjects.len()])
    }

    /// The auth type and IAM policy of a route's Lattice service; `None`
    /// defers to the next plugin. Default: `None`.
    fn route_auth_policy(
        _ctx: &CallContext,
        _route: &RouteInput,
    ) -> Result<Option<AuthPolicy>, PluginError> {
        Ok(None)
    }

    /// The auth type and IAM policy of the service network a Gateway stands
    /// for; `None` defers to the next plugin. Default: `None`.
    fn gateway_auth_policy(
        _ctx: &CallContext,
        _gateway: &GatewayInput,
    ) -> Result<Option<AuthPolicy>, PluginError> {
        Ok(None)
    }

    /// The DNS record (an ExternalDNS `DNSEndpoint`, a CNAME to the
    /// service's DNS name) of a route whose service has the custom domain
    /// name `custom_domain`: [`DnsDecision::Publish`] with a record,
    /// [`DnsDecision::Skip`] for none, or `None` to defer to the next
    /// plugin. The host checks the name is a DNS name and the TTL 1 or more.
    /// Default: `None` (the default plugin publishes the custom domain with
    /// a TTL of 300 unless the route has
    /// `application-networking.k8s.aws/dns-endpoint: "false"`).
    fn route_dns_record(
        _ctx: &CallContext,
        _route: &RouteInput,
        _custom_domain: &str,
    ) -> Result<Option<DnsDecision>, PluginError> {
        Ok(None)
    }
}

/// The refusal of a translation default that has nothing to pass on: the
/// host always runs the built-in default plugin before any other, so only a
/// host that breaks that contract gets it.
fn first_in_chain(function: &str) -> PluginError {
    PluginError {
        reason: "PluginNotRefining".into(),
        field: None,
        message: format!(
            "{function}: this plugin only refines the result of the plugins after it in the \
             chain, and got none; it cannot run without the default plugin after it"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing;

    /// A plugin that implements nothing.
    struct Deferring;
    impl Plugin for Deferring {}

    #[test]
    fn naming_defers_every_subject() {
        let owner = testing::object_meta("HTTPRoute", "shop", "cart");
        let subjects = [NamingSubject::Service, NamingSubject::Service];
        let names = Deferring::name(&testing::context("{}", &[]), &owner, &subjects);
        assert_eq!(names, Ok(vec![None, None]));
    }

    #[test]
    fn tagging_gives_one_empty_list_per_subject() {
        let owner = testing::object_meta("HTTPRoute", "shop", "cart");
        let subjects = [
            TaggingSubject::Service,
            TaggingSubject::Listener(80),
            TaggingSubject::ServiceNetwork("net".into()),
        ];
        let tags = Deferring::tags(&testing::context("{}", &[]), &owner, &subjects);
        assert_eq!(tags, Ok(vec![Vec::new(), Vec::new(), Vec::new()]));
    }

    #[test]
    fn auth_defers() {
        let ctx = testing::context("{}", &[]);
        let route = testing::route(testing::object_meta("HTTPRoute", "shop", "cart"));
        let gateway = testing::gateway(testing::object_meta("Gateway", "infra", "net"));
        assert_eq!(Deferring::route_auth_policy(&ctx, &route), Ok(None));
        assert_eq!(Deferring::gateway_auth_policy(&ctx, &gateway), Ok(None));
    }

    #[test]
    fn dns_records_defer() {
        let ctx = testing::context("{}", &[]);
        let route = testing::route(testing::object_meta("HTTPRoute", "shop", "cart"));
        assert_eq!(
            Deferring::route_dns_record(&ctx, &route, "cart.example.com"),
            Ok(None)
        );
    }

    #[test]
    fn translation_passes_previous_on() {
        let ctx = testing::context("{}", &[]);
        let gateway = testing::gateway(testing::object_meta("Gateway", "infra", "net"));
        let network = Deferring::gateway_service_network(&ctx, &gateway, Some("net".into()));
        assert_eq!(network, Ok("net".to_owned()));
        let export = testing::export(testing::object_meta("ServiceExport", "shop", "cart"));
        assert_eq!(
            Deferring::translate_export(&ctx, &export, Some(Vec::new())),
            Ok(Vec::new())
        );
    }

    #[test]
    fn translation_without_previous_is_refused() {
        let ctx = testing::context("{}", &[]);
        let route = testing::route(testing::object_meta("HTTPRoute", "shop", "cart"));
        let error = Deferring::translate_route(&ctx, &route, None).unwrap_err();
        assert_eq!(error.reason, "PluginNotRefining");
        assert!(error.message.starts_with("translate-route: "));
    }
}
