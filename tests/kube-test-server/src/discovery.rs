//! `/version` and the discovery documents (`/api`, `/apis`,
//! `/apis/{group}`, `/api/v1`, `/apis/{group}/{version}`), listing the
//! registered types. The first registered version of a group is its
//! preferred version.

use serde_json::{Value, json};

use crate::resources::Registry;

/// Verbs of a collection and its objects.
const VERBS: [&str; 7] = [
    "create", "delete", "get", "list", "patch", "update", "watch",
];
/// Verbs of a `/status` subresource.
const STATUS_VERBS: [&str; 3] = ["get", "patch", "update"];

/// `/version`: a `version.Info` of Kubernetes 1.36.
pub(crate) fn version() -> Value {
    json!({
        "major": "1",
        "minor": "36",
        "gitVersion": "v1.36.0",
        "gitCommit": "0000000000000000000000000000000000000000",
        "gitTreeState": "clean",
        "buildDate": "2026-01-01T00:00:00Z",
        "goVersion": "go1.25.0",
        "compiler": "gc",
        "platform": "linux/amd64",
    })
}

/// `/api`: the core group's versions (`v1`, if any core type is registered).
pub(crate) fn core_versions(registry: &Registry, server_address: &str) -> Value {
    let versions: Vec<&str> = if registry.types().iter().any(|t| t.group.is_empty()) {
        vec!["v1"]
    } else {
        Vec::new()
    };
    json!({
        "kind": "APIVersions",
        "versions": versions,
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}],
    })
}

fn group_document(group: &str, versions: &[&str]) -> Value {
    let version = |v: &str| json!({"groupVersion": format!("{group}/{v}"), "version": v});
    json!({
        "name": group,
        "versions": versions.iter().map(|v| version(v)).collect::<Vec<_>>(),
        "preferredVersion": version(versions[0]),
    })
}

/// `/apis`: every registered group.
pub(crate) fn groups(registry: &Registry) -> Value {
    let groups: Vec<Value> = registry
        .groups()
        .iter()
        .map(|(group, versions)| group_document(group, versions))
        .collect();
    json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
}

/// `/apis/{group}`, if the group is registered.
pub(crate) fn group(registry: &Registry, name: &str) -> Option<Value> {
    let groups = registry.groups();
    let (group, versions) = groups.iter().find(|(group, _)| *group == name)?;
    let mut document = group_document(group, versions);
    document["kind"] = "APIGroup".into();
    document["apiVersion"] = "v1".into();
    Some(document)
}

/// `/api/v1` or `/apis/{group}/{version}`, if any type is registered there.
pub(crate) fn resources(registry: &Registry, group: &str, version: &str) -> Option<Value> {
    let mut resources = Vec::new();
    for t in registry
        .types()
        .iter()
        .filter(|t| t.group == group && t.version == version)
    {
        resources.push(json!({
            "name": t.plural,
            "singularName": t.kind.to_lowercase(),
            "namespaced": t.namespaced,
            "kind": t.kind,
            "verbs": VERBS,
        }));
        if t.status_subresource {
            resources.push(json!({
                "name": format!("{}/status", t.plural),
                "singularName": "",
                "namespaced": t.namespaced,
                "kind": t.kind,
                "verbs": STATUS_VERBS,
            }));
        }
    }
    if resources.is_empty() {
        return None;
    }
    let group_version = if group.is_empty() {
        version.to_string()
    } else {
        format!("{group}/{version}")
    };
    Some(json!({
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": group_version,
        "resources": resources,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::ResourceType;

    #[test]
    fn documents_list_registered_types() {
        let registry = Registry::new(ResourceType::defaults());
        let groups = groups(&registry);
        let gateway = groups["groups"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["name"] == "gateway.networking.k8s.io")
            .unwrap();
        assert_eq!(gateway["preferredVersion"]["version"], "v1");
        assert_eq!(
            group(&registry, "coordination.k8s.io").unwrap()["kind"],
            "APIGroup"
        );
        assert!(group(&registry, "apps").is_none());
        let core = resources(&registry, "", "v1").unwrap();
        let names: Vec<&str> = core["resources"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|r| r["name"].as_str())
            .collect();
        assert!(names.contains(&"pods/status") && names.contains(&"configmaps"));
        assert!(!names.contains(&"configmaps/status"));
        assert!(resources(&registry, "apps", "v1").is_none());
        assert_eq!(core_versions(&registry, "127.0.0.1:1")["versions"][0], "v1");
    }
}
