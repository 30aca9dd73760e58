//! Policy files (`policies/*.toml`): which plugins apply to which objects,
//! in what order, and with what configuration. The format is described for
//! users in `policies/README.md`.
//!
//! This module reads and checks; it does not load plugins or watch files.
//! [`policy_files`] gives a folder's files in the order they apply;
//! [`read_policy_file`] gives one file's entries, in order, or the first
//! problem as `FILE:LINE: FIELD: MESSAGE`; [`Selector::matches`] says
//! whether an entry applies to an object.

mod entry;
mod error;
mod file;
mod folder;
mod location;
mod raw;
mod selector;

pub use entry::{PolicyEntry, RESERVED_NAME};
pub use error::PolicyError;
pub use file::{parse_policy_file, read_policy_file};
pub use folder::policy_files;
pub use selector::{KINDS, Selector};

#[cfg(test)]
mod tests;
