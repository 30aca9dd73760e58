//! Problems: what went wrong for one object, reported instead of failing the run.

use serde::Serialize;

use super::ObjectRef;
use crate::lattice::LatticeError;

/// One problem with one object: what `plan` lists and what the controller
/// writes to the object's status and events.
///
/// A problem never causes deletion of live Lattice resources: the object's
/// resources are left as they are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Problem {
    /// The cluster the object belongs to.
    pub cluster: String,
    /// The object.
    pub object: ObjectRef,
    /// Where in the object, e.g. `spec.parentRefs[0].name`, if known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Machine-readable reason, as used in status conditions (e.g. `NoMatchingParent`).
    pub reason: String,
    /// What is wrong, for a person.
    pub message: String,
    /// The plugin that reported or caused the problem, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plugin: Option<String>,
    /// The failed Lattice call behind the problem, if that is what it is
    /// (reason `LatticeError`): kept typed, so whoever retries can tell a
    /// transient failure from a permanent one.
    #[serde(skip)]
    pub lattice_error: Option<LatticeError>,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "[{}] {}", self.cluster, self.object)?;
        if let Some(field) = &self.field {
            write!(f, " ({field})")?;
        }
        write!(f, ": {}: {}", self.reason, self.message)?;
        if let Some(plugin) = &self.plugin {
            write!(f, " [plugin {plugin}]")?;
        }
        Ok(())
    }
}

/// An error that becomes a [`Problem`] on the object it happened for.
pub trait ProblemSource {
    /// The problem, for `object` in `cluster`.
    fn into_problem(self, cluster: &str, object: &ObjectRef) -> Problem;
}
