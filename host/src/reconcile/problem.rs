//! Problems: what went wrong for one object, reported instead of failing the run.

use serde::Serialize;

/// The Kubernetes object a problem is about.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ObjectRef {
    /// Kind as written in the manifest, e.g. `HTTPRoute`.
    pub kind: String,
    /// Namespace; empty for cluster-scoped objects.
    pub namespace: String,
    /// Name.
    pub name: String,
}

impl ObjectRef {
    /// A reference to `kind` `namespace/name`.
    pub fn new(
        kind: impl Into<String>,
        namespace: impl Into<String>,
        name: impl Into<String>,
    ) -> Self {
        Self {
            kind: kind.into(),
            namespace: namespace.into(),
            name: name.into(),
        }
    }
}

impl std::fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.namespace.is_empty() {
            write!(f, "{} {}", self.kind, self.name)
        } else {
            write!(f, "{} {}/{}", self.kind, self.namespace, self.name)
        }
    }
}

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
