//! The component glue: the WIT exports, delegating to the native core.

use crate::exports::trellis::plugin::{auth, dns, naming, tagging, translate};
use crate::{
    AuthPolicy, CallContext, DnsDecision, ExportInput, GatewayInput, KeyValue, NamingSubject,
    ObjectMeta, PluginError, RouteInput, RouteTranslation, TaggingSubject, TargetGroupSpec,
};

struct DefaultPlugin;

impl translate::Guest for DefaultPlugin {
    fn translate_route(
        ctx: CallContext,
        route: RouteInput,
        previous: Option<RouteTranslation>,
    ) -> Result<RouteTranslation, PluginError> {
        crate::translate_route(&ctx, &route, previous.as_ref())
    }

    fn translate_export(
        ctx: CallContext,
        service_export: ExportInput,
        _previous: Option<Vec<TargetGroupSpec>>,
    ) -> Result<Vec<TargetGroupSpec>, PluginError> {
        crate::translate_export(&ctx, &service_export)
    }

    fn gateway_service_network(
        ctx: CallContext,
        gateway: GatewayInput,
        _previous: Option<String>,
    ) -> Result<String, PluginError> {
        crate::gateway_service_network(&ctx, &gateway)
    }
}

impl naming::Guest for DefaultPlugin {
    fn name(
        ctx: CallContext,
        owner: ObjectMeta,
        subjects: Vec<NamingSubject>,
    ) -> Result<Vec<Option<String>>, PluginError> {
        crate::name(&ctx, &owner, &subjects)
    }
}

impl tagging::Guest for DefaultPlugin {
    fn tags(
        ctx: CallContext,
        owner: ObjectMeta,
        subjects: Vec<TaggingSubject>,
    ) -> Result<Vec<Vec<KeyValue>>, PluginError> {
        crate::tags(&ctx, &owner, &subjects)
    }
}

impl auth::Guest for DefaultPlugin {
    fn route_auth_policy(
        ctx: CallContext,
        route: RouteInput,
    ) -> Result<Option<AuthPolicy>, PluginError> {
        crate::route_auth_policy(&ctx, &route)
    }

    fn gateway_auth_policy(
        ctx: CallContext,
        gateway: GatewayInput,
    ) -> Result<Option<AuthPolicy>, PluginError> {
        crate::gateway_auth_policy(&ctx, &gateway)
    }
}

impl dns::Guest for DefaultPlugin {
    fn route_dns_record(
        ctx: CallContext,
        route: RouteInput,
        custom_domain: String,
    ) -> Result<Option<DnsDecision>, PluginError> {
        crate::route_dns_record(&ctx, &route, &custom_domain)
    }
}

crate::export!(DefaultPlugin with_types_in crate);
