//! CustomResourceDefinitions drive the registry, as in a real cluster:
//! after every write to the CRD `{plural}.{group}`, the server serves
//! exactly the versions it declares `served`, with its scope and status
//! subresource and schema (replacing any registration of that group and plural, the
//! defaults included). A CRD whose group and plural do not match its name
//! declares nothing. Once the CRD is gone, the type is no longer served and
//! its objects are deleted (with DELETED events).

use serde_json::Value;

use crate::resources::ResourceType;
use crate::server::State;
use crate::store::ObjectKey;

const GROUP: &str = "apiextensions.k8s.io";
const PLURAL: &str = "customresourcedefinitions";

/// Whether `resource` is the CustomResourceDefinition type.
pub(crate) fn is_crd(resource: &ResourceType) -> bool {
    resource.group == GROUP && resource.plural == PLURAL
}

/// Brings the registry in line with the CRD `name` after a write to it.
pub(crate) fn sync(state: &mut State, name: &str) {
    let Some((plural, group)) = name.split_once('.') else {
        return;
    };
    let key = ObjectKey {
        group: GROUP.into(),
        plural: PLURAL.into(),
        namespace: String::new(),
        name: name.into(),
    };
    match state.store.get(&key) {
        Some(crd) => {
            let types = served_types(crd)
                .into_iter()
                .filter(|t| t.group == group && t.plural == plural)
                .collect();
            state.registry.replace(group, plural, types);
        }
        None => {
            state.registry.replace(group, plural, Vec::new());
            state.store.remove_all(group, plural);
        }
    }
}

/// The versions `crd` serves, in its order.
fn served_types(crd: &Value) -> Vec<ResourceType> {
    let spec = &crd["spec"];
    let (Some(group), Some(kind), Some(plural)) = (
        spec["group"].as_str(),
        spec["names"]["kind"].as_str(),
        spec["names"]["plural"].as_str(),
    ) else {
        return Vec::new();
    };
    let namespaced = spec["scope"].as_str() != Some("Cluster");
    spec["versions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|version| version["served"].as_bool() == Some(true))
        .filter_map(|version| {
            Some(ResourceType {
                group: group.into(),
                version: version["name"].as_str()?.into(),
                kind: kind.into(),
                plural: plural.into(),
                namespaced,
                status_subresource: version["subresources"].get("status").is_some(),
                schema: version["schema"].get("openAPIV3Schema").cloned(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn served_versions_become_types() {
        let crd = json!({"spec": {
            "group": "example.com",
            "names": {"kind": "Widget", "plural": "widgets"},
            "scope": "Cluster",
            "versions": [
                {"name": "v1", "served": true, "storage": true, "subresources": {"status": {}}},
                {"name": "v1beta1", "served": false},
                {"name": "v1alpha1", "served": true},
            ],
        }});
        let types = served_types(&crd);
        assert_eq!(types.len(), 2);
        assert_eq!(
            types[0],
            ResourceType::cluster("example.com", "v1", "Widget", "widgets").with_status()
        );
        assert!(!types[1].status_subresource && !types[1].namespaced);
        assert!(served_types(&json!({"spec": {}})).is_empty());
    }
}
