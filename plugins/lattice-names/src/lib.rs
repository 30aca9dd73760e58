//! VPC Lattice's resource name rules, written once for the Trellis host
//! (which validates every name a plugin gives), its default plugin (which
//! checks a service name override) and the plugin SDK (which builds valid
//! names).
//!
//! A Lattice name has [`MIN_LENGTH`] to [`NameKind::max_length`]
//! characters of `a-z`, `0-9` and `-`, no hyphen first, last or after
//! another hyphen, and does not start with the prefix Lattice reserves for
//! the kind's ids ([`NameKind::reserved_prefix`]: `svc-` for services).
//!
//! Pure: no I/O, no dependencies beyond `std`; builds for the host and for
//! `wasm32-wasip2`.

mod kind;
mod violation;

pub use kind::{MIN_LENGTH, NameKind};
pub use violation::{Violation, is_lowercase_alphanumeric, name_violation, violations};
