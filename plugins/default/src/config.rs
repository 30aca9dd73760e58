//! The stock plugin's configuration: the JSON text in `call-context.config`.

use serde::Deserialize;

use crate::{CallContext, PluginError, refuse};

/// Options of the stock plugin; every option is off by default, which is
/// upstream's behavior.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct PluginConfig {
    /// When a route or namespace name is too long for upstream's
    /// `{route≤20}-{namespace≤18}`, add a hash of the full names so that two
    /// routes cut to the same prefix get different services (upstream issue
    /// #657). Names that need no cut are unchanged.
    #[serde(default)]
    pub unique_service_names: bool,
}

impl PluginConfig {
    /// The configuration in `ctx`, or a refusal naming the bad option.
    pub(crate) fn from_context(ctx: &CallContext) -> Result<Self, PluginError> {
        serde_json::from_str(&ctx.config).map_err(|error| {
            refuse(
                "InvalidPluginConfig",
                "config",
                format!("default plugin configuration: {error}"),
            )
        })
    }
}
