//! Which `trellis:plugin` interfaces a plugin exports, found once at load.

use wasmtime::component::InstancePre;

use super::bindings::{auth, dns, naming, tagging, translate};
use super::error::PluginError;
use super::interface::Interface;
use super::sandbox::Sandbox;
use super::version::WIT_VERSION;

/// The export indices of the interfaces a plugin exports; `None` for the
/// ones it does not.
///
/// Guarantees: an interface present here was found in the component under a
/// name semver-compatible with the host's and type-checked against the
/// host's bindings, so loading its functions from an instance of the same
/// component does not fail.
pub(super) struct Exports {
    pub(super) translate: Option<translate::GuestIndices>,
    pub(super) naming: Option<naming::GuestIndices>,
    pub(super) tagging: Option<tagging::GuestIndices>,
    pub(super) auth: Option<auth::GuestIndices>,
    /// Since 0.1.1: a plugin built for 0.1.0 never exports it.
    pub(super) dns: Option<dns::GuestIndices>,
}

impl Exports {
    /// The interfaces `pre` (the pre-linked plugin `plugin`) exports.
    ///
    /// Fails when it exports none of them, or exports one whose functions do
    /// not have the types the host's bindings expect.
    pub(super) fn find(plugin: &str, pre: &InstancePre<Sandbox>) -> Result<Self, PluginError> {
        let exports = Self {
            translate: optional(
                plugin,
                pre,
                Interface::Translate,
                translate::GuestIndices::new,
            )?,
            naming: optional(plugin, pre, Interface::Naming, naming::GuestIndices::new)?,
            tagging: optional(plugin, pre, Interface::Tagging, tagging::GuestIndices::new)?,
            auth: optional(plugin, pre, Interface::Auth, auth::GuestIndices::new)?,
            dns: optional(plugin, pre, Interface::Dns, dns::GuestIndices::new)?,
        };
        if Interface::ALL
            .iter()
            .all(|&interface| !exports.has(interface))
        {
            return Err(PluginError::NothingExported {
                plugin: plugin.to_owned(),
            });
        }
        Ok(exports)
    }

    /// Whether the plugin exports `interface`.
    pub(super) fn has(&self, interface: Interface) -> bool {
        match interface {
            Interface::Translate => self.translate.is_some(),
            Interface::Naming => self.naming.is_some(),
            Interface::Tagging => self.tagging.is_some(),
            Interface::Auth => self.auth.is_some(),
            Interface::Dns => self.dns.is_some(),
        }
    }
}

/// The indices of `interface` if the component exports it (under a
/// semver-compatible name), built by `indices`; an error if it exports it
/// with other types.
fn optional<I>(
    plugin: &str,
    pre: &InstancePre<Sandbox>,
    interface: Interface,
    indices: fn(&InstancePre<Sandbox>) -> wasmtime::Result<I>,
) -> Result<Option<I>, PluginError> {
    let name = format!("{interface}@{WIT_VERSION}");
    if pre.component().get_export_index(None, &name).is_none() {
        return Ok(None);
    }
    indices(pre).map(Some).map_err(|error| PluginError::Load {
        plugin: plugin.to_owned(),
        message: format!("its export {name} does not match this Trellis: {error:#}"),
    })
}
