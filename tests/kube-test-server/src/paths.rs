//! Request paths: which endpoint a path names, before any lookup of the
//! resource type it mentions.
//!
//! Resource paths are `/api/v1/...` (core group) or
//! `/apis/{group}/{version}/...` followed by `{plural}[/{name}[/status]]`
//! (cluster-wide or cluster-scoped) or
//! `namespaces/{namespace}/{plural}[/{name}[/status]]`. In the core group
//! `namespaces/{name}` and `namespaces/{name}/status` name a Namespace.

/// The endpoint a request path names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Route<'a> {
    /// `/version`
    Version,
    /// `/api`
    CoreVersions,
    /// `/apis`
    Groups,
    /// `/apis/{group}`
    Group(&'a str),
    /// `/api/v1`, `/apis/{group}/{version}`
    Resources { group: &'a str, version: &'a str },
    /// A collection, an object or an object's status.
    Resource(ResourcePath<'a>),
    /// Anything else.
    Unknown,
}

/// A path under a group version that names resources.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ResourcePath<'a> {
    pub group: &'a str,
    pub version: &'a str,
    pub plural: &'a str,
    /// The namespace in the path, if it goes through `namespaces/{namespace}`.
    pub namespace: Option<&'a str>,
    /// The object's name; `None` for a collection.
    pub name: Option<&'a str>,
    /// Whether the path ends in `/status`.
    pub status: bool,
}

/// The endpoint `path` names.
pub(crate) fn route(path: &str) -> Route<'_> {
    let segments: Vec<&str> = path
        .trim_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    match segments.as_slice() {
        ["version"] => Route::Version,
        ["api"] => Route::CoreVersions,
        ["apis"] => Route::Groups,
        ["apis", group] => Route::Group(group),
        ["api", version] => Route::Resources { group: "", version },
        ["apis", group, version] => Route::Resources { group, version },
        ["api", version, rest @ ..] => resource("", version, rest),
        ["apis", group, version, rest @ ..] => resource(group, version, rest),
        _ => Route::Unknown,
    }
}

/// The resource named by the segments after the group version.
fn resource<'a>(group: &'a str, version: &'a str, rest: &[&'a str]) -> Route<'a> {
    let path = |namespace, plural, name, status| {
        Route::Resource(ResourcePath {
            group,
            version,
            plural,
            namespace,
            name,
            status,
        })
    };
    match rest {
        ["namespaces", name, "status"] if group.is_empty() => {
            path(None, "namespaces", Some(*name), true)
        }
        ["namespaces", namespace, plural] => path(Some(*namespace), plural, None, false),
        ["namespaces", namespace, plural, name] => {
            path(Some(*namespace), plural, Some(*name), false)
        }
        ["namespaces", namespace, plural, name, "status"] => {
            path(Some(*namespace), plural, Some(*name), true)
        }
        [plural] => path(None, plural, None, false),
        [plural, name] => path(None, plural, Some(*name), false),
        [plural, name, "status"] => path(None, plural, Some(*name), true),
        _ => Route::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resource_path(path: &str) -> ResourcePath<'_> {
        match route(path) {
            Route::Resource(resource) => resource,
            other => panic!("{path}: {other:?}"),
        }
    }

    #[test]
    fn core_and_group_paths() {
        assert_eq!(route("/version"), Route::Version);
        assert_eq!(route("/api"), Route::CoreVersions);
        assert_eq!(route("/apis"), Route::Groups);
        assert_eq!(route("/apis/g.io"), Route::Group("g.io"));
        assert_eq!(
            route("/api/v1"),
            Route::Resources {
                group: "",
                version: "v1"
            }
        );
        let pods = resource_path("/api/v1/pods");
        assert_eq!(
            (pods.plural, pods.namespace, pods.name),
            ("pods", None, None)
        );
        let pod = resource_path("/api/v1/namespaces/ns/pods/p/status");
        assert_eq!(
            (pod.plural, pod.namespace, pod.name, pod.status),
            ("pods", Some("ns"), Some("p"), true)
        );
        let http_route = resource_path("/apis/g.io/v1/namespaces/ns/httproutes/r");
        assert_eq!(
            (
                http_route.group,
                http_route.version,
                http_route.plural,
                http_route.namespace,
                http_route.name
            ),
            ("g.io", "v1", "httproutes", Some("ns"), Some("r"))
        );
        let class = resource_path("/apis/g.io/v1/gatewayclasses/c");
        assert_eq!((class.namespace, class.name), (None, Some("c")));
        assert_eq!(
            route("/apis/g.io/v1/namespaces/ns/pods/p/log"),
            Route::Unknown
        );
        assert_eq!(route("/healthz"), Route::Unknown);
    }

    #[test]
    fn namespaces_name_namespace_objects() {
        let namespace = resource_path("/api/v1/namespaces/team");
        assert_eq!(
            (namespace.plural, namespace.namespace, namespace.name),
            ("namespaces", None, Some("team"))
        );
        let status = resource_path("/api/v1/namespaces/team/status");
        assert_eq!((status.name, status.status), (Some("team"), true));
        let all = resource_path("/api/v1/namespaces");
        assert_eq!((all.plural, all.name), ("namespaces", None));
        let services = resource_path("/api/v1/namespaces/team/services");
        assert_eq!(
            (services.plural, services.namespace),
            ("services", Some("team"))
        );
    }
}
