//! Errors of plugin loading and plugin calls, each naming the plugin.

use std::time::Duration;

use semver::Version;

use super::interface::Interface;
use super::version::{VersionError, compatible_range};
use crate::object::{ObjectRef, Problem, ProblemSource};

/// A plugin that could not be loaded, or a call that did not produce a result.
///
/// Every variant names the plugin; call failures also name the exported
/// function. None of them is fatal to the host: the object being translated
/// gets a problem and its live Lattice resources are left alone.
#[derive(Debug, thiserror::Error)]
pub enum PluginError {
    /// The bytes are not a valid component, or the component does not link
    /// (it imports what the host does not provide) or exports a `trellis:plugin`
    /// interface with other types than the host's.
    #[error("plugin {plugin} cannot be loaded: {message}")]
    Load {
        /// The plugin.
        plugin: String,
        /// Why: from the compiler, the linker or the version check.
        message: String,
    },
    /// The component is built for a version of the `trellis:plugin` package
    /// that this host cannot run.
    #[error(
        "plugin {plugin} is built for trellis:plugin@{found}; this Trellis supports \
         trellis:plugin@{range} ({supported}): rebuild it against wit/since_v{supported} \
         or upgrade Trellis",
        range = compatible_range(.supported)
    )]
    IncompatibleVersion {
        /// The plugin.
        plugin: String,
        /// The first incompatible version among the plugin's interface names.
        found: Version,
        /// The version the host's bindings are generated from.
        supported: Version,
    },
    /// The component exports none of the `trellis:plugin` interfaces.
    #[error(
        "plugin {plugin} exports no trellis:plugin interface (translate, naming, tagging or \
         auth): build it for a world that exports at least one of them"
    )]
    NothingExported {
        /// The plugin.
        plugin: String,
    },
    /// A function of an interface the plugin does not export was called;
    /// callers check [`Plugin::exports`](super::Plugin::exports) first.
    #[error("plugin {plugin} does not export {interface}")]
    NotExported {
        /// The plugin.
        plugin: String,
        /// The interface called.
        interface: Interface,
    },
    /// The plugin trapped (a panic, an out-of-bounds access, `unreachable`, ...).
    #[error("plugin {plugin} trapped in {function}: {message}")]
    Trap {
        /// The plugin.
        plugin: String,
        /// The exported function called.
        function: &'static str,
        /// The trap and its Wasm backtrace.
        message: String,
    },
    /// The call ran longer than its time budget and was interrupted.
    #[error("plugin {plugin} ran longer than {limit:?} in {function} and was stopped")]
    Timeout {
        /// The plugin.
        plugin: String,
        /// The exported function called.
        function: &'static str,
        /// The budget.
        limit: Duration,
    },
    /// The call tried to grow its memory beyond its budget and was stopped.
    #[error(
        "plugin {plugin} tried to use more than {limit_bytes} bytes of memory in {function} and was stopped"
    )]
    MemoryExceeded {
        /// The plugin.
        plugin: String,
        /// The exported function called.
        function: &'static str,
        /// The budget in bytes.
        limit_bytes: usize,
    },
    /// The plugin returned a `plugin-error`: it refused the object.
    #[error("plugin {plugin} refused the object in {function}: {reason}: {message}")]
    Refused {
        /// The plugin.
        plugin: String,
        /// The exported function called.
        function: &'static str,
        /// The plugin's machine-readable reason.
        reason: String,
        /// The field the plugin blamed, if any.
        field: Option<String>,
        /// The plugin's explanation.
        message: String,
    },
}

impl PluginError {
    /// The error of loading `plugin`, whose interface versions the version
    /// check refused with `error`: [`Self::IncompatibleVersion`], or
    /// [`Self::Load`] for a name without a valid version.
    pub(super) fn from_version_check(plugin: &str, error: VersionError) -> Self {
        let plugin = plugin.to_owned();
        match error {
            VersionError::Incompatible { found, supported } => Self::IncompatibleVersion {
                plugin,
                found,
                supported,
            },
            unversioned @ VersionError::Unversioned { .. } => Self::Load {
                plugin,
                message: unversioned.to_string(),
            },
        }
    }

    /// The plugin the error is about.
    pub fn plugin(&self) -> &str {
        match self {
            Self::Load { plugin, .. }
            | Self::IncompatibleVersion { plugin, .. }
            | Self::NothingExported { plugin, .. }
            | Self::NotExported { plugin, .. }
            | Self::Trap { plugin, .. }
            | Self::Timeout { plugin, .. }
            | Self::MemoryExceeded { plugin, .. }
            | Self::Refused { plugin, .. } => plugin,
        }
    }

    /// The status-condition reason the error maps to.
    pub fn reason(&self) -> &str {
        match self {
            Self::Load { .. } | Self::NothingExported { .. } => "PluginLoadFailed",
            Self::IncompatibleVersion { .. } => "PluginVersionIncompatible",
            Self::NotExported { .. } => "PluginInterfaceNotExported",
            Self::Trap { .. } => "PluginTrapped",
            Self::Timeout { .. } => "PluginTimedOut",
            Self::MemoryExceeded { .. } => "PluginMemoryExceeded",
            Self::Refused { reason, .. } => reason,
        }
    }
}

impl ProblemSource for PluginError {
    fn into_problem(self, cluster: &str, object: &ObjectRef) -> Problem {
        let (field, message) = match &self {
            Self::Refused { field, message, .. } => (field.clone(), message.clone()),
            other => (None, other.to_string()),
        };
        Problem {
            cluster: cluster.to_owned(),
            object: object.clone(),
            field,
            reason: self.reason().to_owned(),
            message,
            plugin: Some(self.plugin().to_owned()),
            lattice_error: None,
        }
    }
}
