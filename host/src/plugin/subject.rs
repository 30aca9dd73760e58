//! The object a plugin chain is chosen for.

use super::bindings::types::{KeyValue, ObjectMeta};

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

impl<'a> Subject<'a> {
    /// The object `meta` describes (the plugin model's metadata), in a
    /// namespace with `namespace_labels`.
    pub fn of(meta: &'a ObjectMeta, namespace_labels: &'a [KeyValue]) -> Self {
        Self {
            kind: &meta.kind,
            namespace: &meta.namespace,
            name: &meta.name,
            labels: &meta.labels,
            namespace_labels,
        }
    }
}
