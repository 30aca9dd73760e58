//! The interfaces of the `trellis:plugin` world a plugin may export.

use std::fmt;

/// An interface of the `trellis:plugin` world a plugin may export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Interface {
    /// `translate`: routes, exports and Gateways into Lattice specs.
    Translate,
    /// `naming`: names of Lattice resources.
    Naming,
    /// `tagging`: tags of Lattice resources.
    Tagging,
    /// `auth`: auth policies of services and service networks.
    Auth,
    /// `dns` (since 0.1.1): the DNS record of a route's custom domain.
    Dns,
}

impl Interface {
    /// Every interface a plugin may export.
    pub const ALL: [Self; 5] = [
        Self::Translate,
        Self::Naming,
        Self::Tagging,
        Self::Auth,
        Self::Dns,
    ];

    /// The interface's name in the WIT package, e.g. `naming`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Translate => "translate",
            Self::Naming => "naming",
            Self::Tagging => "tagging",
            Self::Auth => "auth",
            Self::Dns => "dns",
        }
    }
}

impl fmt::Display for Interface {
    /// The package-qualified name without version, e.g. `trellis:plugin/naming`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "trellis:plugin/{}", self.name())
    }
}
