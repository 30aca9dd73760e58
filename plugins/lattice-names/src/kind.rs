//! The kinds of Lattice resources Trellis names, and their length limits.

/// The fewest characters a Lattice name of any kind has.
pub const MIN_LENGTH: usize = 3;

/// A kind of Lattice resource name; the rules differ in the longest name and
/// in the reserved prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NameKind {
    /// A service: at most 40 characters, not starting with `svc-`.
    Service,
    /// A service network: at most 63 characters.
    ServiceNetwork,
    /// A listener: at most 63 characters.
    Listener,
    /// A listener rule: at most 63 characters.
    Rule,
    /// A target group: at most 128 characters.
    TargetGroup,
}

impl NameKind {
    /// The most characters a name of this kind may have.
    pub const fn max_length(self) -> usize {
        match self {
            Self::Service => 40,
            Self::ServiceNetwork | Self::Listener | Self::Rule => 63,
            Self::TargetGroup => 128,
        }
    }

    /// The prefix a name of this kind must not start with, because Lattice
    /// gives it to the kind's ids; `None` where Trellis checks none.
    pub const fn reserved_prefix(self) -> Option<&'static str> {
        match self {
            Self::Service => Some("svc-"),
            Self::ServiceNetwork | Self::Listener | Self::Rule | Self::TargetGroup => None,
        }
    }

    /// The kind as messages name it, e.g. `service network`.
    pub const fn describe(self) -> &'static str {
        match self {
            Self::Service => "service",
            Self::ServiceNetwork => "service network",
            Self::Listener => "listener",
            Self::Rule => "rule",
            Self::TargetGroup => "target group",
        }
    }
}
