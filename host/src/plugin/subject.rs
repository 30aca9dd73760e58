//! The object a plugin chain is chosen for.

use super::bindings::types::KeyValue;

/// What policies select on: one object's kind, namespace, name and labels,
/// and its namespace's labels.
///
/// Cluster-scoped subjects (a cluster's default service network, a
/// ServiceNetwork object) have an empty `namespace` and no namespace labels.
#[derive(Debug, Clone, Copy)]
pub struct Subject<'a> {
    /// The object's kind, e.g. `HTTPRoute`.
    pub kind: &'a str,
    /// The object's namespace; empty when cluster-scoped.
    pub namespace: &'a str,
    /// The object's name.
    pub name: &'a str,
    /// The object's labels, sorted by key.
    pub labels: &'a [KeyValue],
    /// The labels of the object's namespace, sorted by key; empty when the
    /// object is cluster-scoped or its Namespace is not known.
    pub namespace_labels: &'a [KeyValue],
}
