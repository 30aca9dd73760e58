//! Object metadata and JSON for the plugin model.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta as K8sMeta;
use serde::Serialize;

use crate::object::{Kind, ObjectRef};
use crate::plugin::bindings::types::{KeyValue, ObjectMeta};

/// The plugin model's metadata of a `kind` object: annotations and labels
/// sorted by key.
pub fn object_meta(kind: Kind, metadata: &K8sMeta) -> ObjectMeta {
    let (namespace, name) = sort_key(metadata);
    ObjectMeta {
        kind: kind.as_str().into(),
        namespace: namespace.into(),
        name: name.into(),
        annotations: key_values(metadata.annotations.as_ref()),
        labels: key_values(metadata.labels.as_ref()),
    }
}

pub(super) fn key_values(map: Option<&BTreeMap<String, String>>) -> Vec<KeyValue> {
    map.into_iter()
        .flatten()
        .map(|(key, value)| KeyValue {
            key: key.clone(),
            value: value.clone(),
        })
        .collect()
}

/// An object's namespace (empty when cluster-scoped) and name.
pub(super) fn sort_key(metadata: &K8sMeta) -> (&str, &str) {
    (
        metadata.namespace.as_deref().unwrap_or_default(),
        metadata.name.as_deref().unwrap_or_default(),
    )
}

/// The first of `objects` whose namespace and name are `object`'s.
pub(super) fn named<'a, K: kube::Resource>(objects: &'a [K], object: &ObjectRef) -> Option<&'a K> {
    objects.iter().find(|candidate| {
        sort_key(candidate.meta()) == (object.namespace.as_str(), object.name.as_str())
    })
}

/// An object as JSON text.
pub(super) fn json<T: Serialize>(object: &T) -> String {
    serde_json::to_string(object)
        .expect("Kubernetes objects have string keys and serialize to JSON")
}
