//! Telling apart the watch events that change only an object's `status`:
//! Trellis writes the statuses of Gateways, routes, exports, policies and
//! the GatewayClass, and reads none of them, so such an event affects no
//! reconcile. Without this filter each status write Trellis makes triggers
//! the writer again (and a Gateway's or GatewayClass's, every object under
//! it), which made cold convergence grow faster than the cluster.
//!
//! Contract: an object's fingerprint is its JSON without `status`,
//! `metadata.resourceVersion` and `metadata.managedFields`. An event is
//! status-only when the object's fingerprint equals the one last seen for
//! the same namespace and name; a first sighting, a deletion and any other
//! change (spec, labels, annotations, finalizers, deletion timestamp) are
//! not. Caveat: a status another writer changes is not re-read until the
//! next trigger of the object (or the resync period).

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};

use kube::Resource;
use serde::Serialize;
use serde_json::Value;

/// The fingerprints of the objects of one kind seen so far.
#[derive(Default)]
pub struct StatusOnly {
    seen: HashMap<(String, String), u64>,
}

impl StatusOnly {
    /// Records `object` as seen; whether it differs from the last sighting
    /// in its status alone.
    pub fn seen<K: Resource + Serialize>(&mut self, object: &K) -> bool {
        let fingerprint = fingerprint(object);
        let previous = self.seen.insert(key(object), fingerprint);
        previous == Some(fingerprint)
    }

    /// Forgets `object` (deleted).
    pub fn forget<K: Resource>(&mut self, object: &K) {
        self.seen.remove(&key(object));
    }
}

fn key<K: Resource>(object: &K) -> (String, String) {
    let meta = object.meta();
    (
        meta.namespace.clone().unwrap_or_default(),
        meta.name.clone().unwrap_or_default(),
    )
}

/// A hash of `object`'s JSON without what a status write changes.
fn fingerprint<K: Serialize>(object: &K) -> u64 {
    let mut value = serde_json::to_value(object).unwrap_or(Value::Null);
    if let Value::Object(members) = &mut value {
        members.remove("status");
        if let Some(Value::Object(metadata)) = members.get_mut("metadata") {
            metadata.remove("resourceVersion");
            metadata.remove("managedFields");
        }
    }
    let mut hasher = DefaultHasher::new();
    value.to_string().hash(&mut hasher);
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use gateway_api::apis::standard::httproutes::HttpRoute;
    use serde_json::json;

    use super::*;

    fn route(resource_version: &str, labels: Value, status: Value) -> HttpRoute {
        serde_json::from_value(json!({
            "apiVersion": "gateway.networking.k8s.io/v1",
            "kind": "HTTPRoute",
            "metadata": {
                "name": "rates", "namespace": "default",
                "resourceVersion": resource_version, "labels": labels,
            },
            "spec": {"parentRefs": [{"name": "mesh"}]},
            "status": status,
        }))
        .unwrap()
    }

    #[test]
    fn only_a_change_of_status_alone_is_status_only() {
        let mut seen = StatusOnly::default();
        let first = route("1", json!({}), json!({"parents": []}));
        assert!(!seen.seen(&first), "a first sighting");
        assert!(seen.seen(&first), "the same object again");

        let status = json!({"parents": [{"parentRef": {"name": "mesh"}, "controllerName": "c", "conditions": []}]});
        assert!(seen.seen(&route("2", json!({}), status.clone())));

        let labelled = route("3", json!({"team": "payments"}), status.clone());
        assert!(!seen.seen(&labelled), "a label changed");

        seen.forget(&labelled);
        assert!(!seen.seen(&labelled), "seen again after a deletion");
    }
}
