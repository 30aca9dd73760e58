//! [`export_plugin!`](crate::export_plugin): a [`Plugin`](crate::Plugin)
//! type as the component's exports.

/// Exports `$plugin`, a type implementing [`Plugin`](crate::Plugin), as the
/// component's `translate`, `naming`, `tagging`, `auth` and `dns` interfaces.
///
/// Use it once per plugin crate, at module level, with the name of a type
/// defined in that crate (`export_plugin!(TeamPrefix);`). It implements
/// wit-bindgen's five `Guest` traits by delegating to the [`Plugin`] methods
/// and, when building for Wasm, emits the component's export functions and
/// type information. Natively (unit tests) only the `Guest` impls exist.
///
/// [`Plugin`]: crate::Plugin
#[macro_export]
macro_rules! export_plugin {
    ($plugin:ident) => {
        const _: () = {
            use $crate::bindings::exports::trellis::plugin::{
                auth, dns, naming, tagging, translate,
            };
            use $crate::{
                AuthPolicy, CallContext, DnsDecision, ExportInput, GatewayInput, KeyValue, NamingSubject,
                ObjectMeta, Plugin, PluginError, RouteInput, RouteTranslation, TaggingSubject,
                TargetGroupSpec,
            };

            impl translate::Guest for $plugin {
                fn translate_route(
                    ctx: CallContext,
                    route: RouteInput,
                    previous: Option<RouteTranslation>,
                ) -> Result<RouteTranslation, PluginError> {
                    <$plugin as Plugin>::translate_route(&ctx, &route, previous)
                }

                fn translate_export(
                    ctx: CallContext,
                    service_export: ExportInput,
                    previous: Option<Vec<TargetGroupSpec>>,
                ) -> Result<Vec<TargetGroupSpec>, PluginError> {
                    <$plugin as Plugin>::translate_export(&ctx, &service_export, previous)
                }

                fn gateway_service_network(
                    ctx: CallContext,
                    gateway: GatewayInput,
                    previous: Option<String>,
                ) -> Result<String, PluginError> {
                    <$plugin as Plugin>::gateway_service_network(&ctx, &gateway, previous)
                }
            }

            impl naming::Guest for $plugin {
                fn name(
                    ctx: CallContext,
                    owner: ObjectMeta,
                    subjects: Vec<NamingSubject>,
                ) -> Result<Vec<Option<String>>, PluginError> {
                    <$plugin as Plugin>::name(&ctx, &owner, &subjects)
                }
            }

            impl tagging::Guest for $plugin {
                fn tags(
                    ctx: CallContext,
                    owner: ObjectMeta,
                    subjects: Vec<TaggingSubject>,
                ) -> Result<Vec<Vec<KeyValue>>, PluginError> {
                    <$plugin as Plugin>::tags(&ctx, &owner, &subjects)
                }
            }

            impl auth::Guest for $plugin {
                fn route_auth_policy(
                    ctx: CallContext,
                    route: RouteInput,
                ) -> Result<Option<AuthPolicy>, PluginError> {
                    <$plugin as Plugin>::route_auth_policy(&ctx, &route)
                }

                fn gateway_auth_policy(
                    ctx: CallContext,
                    gateway: GatewayInput,
                ) -> Result<Option<AuthPolicy>, PluginError> {
                    <$plugin as Plugin>::gateway_auth_policy(&ctx, &gateway)
                }
            }

            impl dns::Guest for $plugin {
                fn route_dns_record(
                    ctx: CallContext,
                    route: RouteInput,
                    custom_domain: String,
                ) -> Result<Option<DnsDecision>, PluginError> {
                    <$plugin as Plugin>::route_dns_record(&ctx, &route, &custom_domain)
                }
            }
        };

        #[cfg(target_arch = "wasm32")]
        $crate::bindings::export!($plugin with_types_in $crate::bindings);
    };
}
