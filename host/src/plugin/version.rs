//! The `trellis:plugin` interface version a component is built for, and
//! whether this host can run it.
//!
//! Every interface name a plugin imports or exports from the package carries
//! the package version it was built against (`trellis:plugin/naming@0.1.0`).
//! The host has bindings for one version, [`WIT_VERSION`] (the newest
//! `wit/since_v*` folder), and accepts any version [`compatible`] with it:
//! wasmtime's linker and export lookup resolve such names to the host's
//! definitions by the same rule, so a compatible plugin links unchanged.

use semver::Version;
use wasmtime::Engine;
use wasmtime::component::Component;

/// The version of the `trellis:plugin` package the host's bindings are
/// generated from: the newest folder `wit/since_v<version>`.
pub const WIT_VERSION: &str = "0.1.1";

/// The WIT package every plugin interface belongs to.
const PACKAGE: &str = "trellis:plugin";

/// [`WIT_VERSION`] parsed.
pub(super) fn supported_version() -> Version {
    Version::parse(WIT_VERSION).expect("WIT_VERSION is a semantic version")
}

/// Whether a plugin built for `plugin` runs on a host built for `host`:
/// the same version, or, for releases (no pre-release part), the same major
/// version from 1.0.0 on and the same major and minor version before it
/// (`0.1.9` runs on `0.1.0` and back; `0.2.0` does not; `0.0.x` only on
/// itself). This is the rule wasmtime matches import and export names by.
pub(super) fn compatible(host: &Version, plugin: &Version) -> bool {
    if host == plugin {
        return true;
    }
    if !host.pre.is_empty() || !plugin.pre.is_empty() || host.major != plugin.major {
        return false;
    }
    match host.major {
        0 => host.minor != 0 && host.minor == plugin.minor,
        _ => true,
    }
}

/// The versions this host accepts, as a pattern: `0.1.x`, `1.x`, or the
/// exact version where nothing else is compatible.
pub(super) fn compatible_range(host: &Version) -> String {
    if !host.pre.is_empty() || (host.major == 0 && host.minor == 0) {
        host.to_string()
    } else if host.major == 0 {
        format!("0.{}.x", host.minor)
    } else {
        format!("{}.x", host.major)
    }
}

/// Why a component cannot run on this host's `trellis:plugin` version;
/// [`PluginError::from_version_check`](super::PluginError::from_version_check)
/// names the plugin.
#[derive(Debug, thiserror::Error)]
pub(super) enum VersionError {
    /// An interface name of the package carries a version not
    /// [`compatible`] with the host's.
    #[error(
        "it is built for {PACKAGE}@{found}, which this Trellis ({PACKAGE}@{supported}) cannot run"
    )]
    Incompatible {
        /// The first incompatible version among the component's interface names.
        found: Version,
        /// [`WIT_VERSION`].
        supported: Version,
    },
    /// An interface name of the package carries no valid version.
    #[error(
        "it uses `{name}`, which carries no valid package version; this Trellis supports \
         {PACKAGE}@{range} ({WIT_VERSION}): rebuild it against wit/since_v{WIT_VERSION}",
        range = compatible_range(&supported_version())
    )]
    Unversioned {
        /// The interface name as the component writes it.
        name: String,
    },
}

/// Refuses `component` unless every `trellis:plugin` interface it imports
/// or exports carries a version [`compatible`] with [`WIT_VERSION`].
///
/// Guarantees: runs before linking, so an incompatible plugin is refused
/// with both versions named instead of a linker error about a missing
/// import or a mismatched type. Does not check that the component exports
/// anything: see [`super::exports`].
pub(super) fn check(component: &Component, engine: &Engine) -> Result<(), VersionError> {
    let supported = supported_version();
    let component_type = component.component_type();
    let imports = component_type.imports(engine).map(|(name, _)| name);
    let exports = component_type.exports(engine).map(|(name, _)| name);
    for name in imports.chain(exports) {
        let Some(version) = package_version(name)? else {
            continue;
        };
        if !compatible(&supported, &version) {
            return Err(VersionError::Incompatible {
                found: version,
                supported,
            });
        }
    }
    Ok(())
}

/// The version in `name` if it names an interface of the `trellis:plugin`
/// package; an error if such a name has no valid version.
fn package_version(name: &str) -> Result<Option<Version>, VersionError> {
    let Some(interface) = name
        .strip_prefix(PACKAGE)
        .and_then(|rest| rest.strip_prefix('/'))
    else {
        return Ok(None);
    };
    let unversioned = || VersionError::Unversioned {
        name: name.to_owned(),
    };
    let (_, version) = interface.split_once('@').ok_or_else(unversioned)?;
    Version::parse(version).map(Some).map_err(|_| unversioned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> Version {
        Version::parse(text).unwrap()
    }

    #[test]
    fn zero_x_versions_are_compatible_within_a_minor_version() {
        assert!(compatible(&v("0.1.0"), &v("0.1.0")));
        assert!(compatible(&v("0.1.0"), &v("0.1.9")));
        assert!(compatible(&v("0.1.9"), &v("0.1.0")));
        assert!(!compatible(&v("0.1.0"), &v("0.2.0")));
        assert!(!compatible(&v("0.2.0"), &v("0.1.0")));
        assert!(!compatible(&v("0.1.0"), &v("1.1.0")));
    }

    #[test]
    fn released_versions_are_compatible_within_a_major_version() {
        assert!(compatible(&v("1.0.0"), &v("1.4.2")));
        assert!(compatible(&v("1.4.2"), &v("1.0.0")));
        assert!(!compatible(&v("1.0.0"), &v("2.0.0")));
    }

    #[test]
    fn patch_only_and_pre_release_versions_match_only_themselves() {
        assert!(compatible(&v("0.0.1"), &v("0.0.1")));
        assert!(!compatible(&v("0.0.1"), &v("0.0.2")));
        assert!(compatible(&v("0.2.0-rc.1"), &v("0.2.0-rc.1")));
        assert!(!compatible(&v("0.2.0"), &v("0.2.0-rc.1")));
        assert!(!compatible(&v("0.2.0-rc.1"), &v("0.2.1")));
    }

    #[test]
    fn the_range_says_what_is_accepted() {
        assert_eq!(compatible_range(&v("0.1.0")), "0.1.x");
        assert_eq!(compatible_range(&v("1.3.0")), "1.x");
        assert_eq!(compatible_range(&v("0.0.4")), "0.0.4");
        assert_eq!(compatible_range(&v("0.2.0-rc.1")), "0.2.0-rc.1");
    }

    #[test]
    fn only_names_of_the_package_carry_its_version() {
        assert_eq!(
            package_version("trellis:plugin/naming@0.1.9").unwrap(),
            Some(v("0.1.9"))
        );
        assert_eq!(package_version("wasi:cli/environment@0.2.6").unwrap(), None);
        assert_eq!(
            package_version("trellis:plugins/naming@9.0.0").unwrap(),
            None
        );
        assert!(package_version("trellis:plugin/naming").is_err());
        assert!(package_version("trellis:plugin/naming@one").is_err());
    }
}
