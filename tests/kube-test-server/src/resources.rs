//! The registered resource types: what paths the server answers, and how
//! each type is scoped and stored.
//!
//! Objects are stored per (group, plural), whatever version wrote them, and
//! are served with the apiVersion and kind of the version asked for (there
//! is no schema conversion between versions).

use serde_json::Value;

/// One served version of a resource type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceType {
    /// API group; empty for the core group (`/api/v1`).
    pub group: String,
    /// Version, e.g. `v1`.
    pub version: String,
    /// Kind, e.g. `ConfigMap`.
    pub kind: String,
    /// Plural resource name used in paths, e.g. `configmaps`.
    pub plural: String,
    /// Whether objects live in a namespace (else they are cluster-scoped).
    pub namespaced: bool,
    /// Whether the type has a `/status` subresource: then `.status` is
    /// written only through it, and the main resource ignores `.status`.
    pub status_subresource: bool,
    /// The version's `openAPIV3Schema`, if a CRD gave one: server-side
    /// apply merges lists and maps as its `x-kubernetes-list-type` and
    /// `x-kubernetes-map-type` say (without one, lists are atomic).
    pub schema: Option<Value>,
}

impl ResourceType {
    /// A namespaced type without a status subresource.
    pub fn namespaced(group: &str, version: &str, kind: &str, plural: &str) -> Self {
        Self {
            group: group.into(),
            version: version.into(),
            kind: kind.into(),
            plural: plural.into(),
            namespaced: true,
            status_subresource: false,
            schema: None,
        }
    }

    /// A cluster-scoped type without a status subresource.
    pub fn cluster(group: &str, version: &str, kind: &str, plural: &str) -> Self {
        Self {
            namespaced: false,
            ..Self::namespaced(group, version, kind, plural)
        }
    }

    /// The same type with a status subresource.
    pub fn with_status(self) -> Self {
        Self {
            status_subresource: true,
            ..self
        }
    }

    /// The same type with this structural schema (`openAPIV3Schema`).
    pub fn with_schema(self, schema: Value) -> Self {
        Self {
            schema: Some(schema),
            ..self
        }
    }

    /// `v1` for the core group, else `group/version`.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// `plural` for the core group, else `plural.group`, as messages name
    /// resources.
    pub(crate) fn group_resource(&self) -> String {
        if self.group.is_empty() {
            self.plural.clone()
        } else {
            format!("{}.{}", self.plural, self.group)
        }
    }

    /// `object` (stored form) as this version serves it: with its
    /// `apiVersion` and `kind`.
    pub(crate) fn render(&self, object: &Value) -> Value {
        let mut rendered = object.clone();
        if let Some(fields) = rendered.as_object_mut() {
            fields.insert("apiVersion".into(), self.api_version().into());
            fields.insert("kind".into(), self.kind.clone().into());
        }
        rendered
    }

    /// The types a [`TestApiServer`](crate::TestApiServer) serves unless
    /// told otherwise: the core and `coordination`/`discovery`/`events`
    /// types Trellis reads or writes, the Gateway API (`v1`, `v1alpha2` and
    /// `v1alpha3` of each route and gateway kind; ReferenceGrant
    /// `v1beta1`), the AWS Gateway API controller's
    /// `application-networking.k8s.aws/v1alpha1` kinds (all with a status
    /// subresource), and CustomResourceDefinitions (writing one registers
    /// the types it serves in place of these).
    pub fn defaults() -> Vec<Self> {
        const GATEWAY: &str = "gateway.networking.k8s.io";
        const AWS: &str = "application-networking.k8s.aws";
        let mut types = vec![
            Self::cluster("", "v1", "Namespace", "namespaces").with_status(),
            Self::namespaced("", "v1", "Service", "services").with_status(),
            Self::namespaced("", "v1", "Pod", "pods").with_status(),
            Self::namespaced("", "v1", "ConfigMap", "configmaps"),
            Self::namespaced("", "v1", "Event", "events"),
            Self::namespaced("discovery.k8s.io", "v1", "EndpointSlice", "endpointslices"),
            Self::namespaced("events.k8s.io", "v1", "Event", "events"),
            Self::namespaced("coordination.k8s.io", "v1", "Lease", "leases"),
        ];
        for version in ["v1", "v1alpha2", "v1alpha3"] {
            types.push(
                Self::cluster(GATEWAY, version, "GatewayClass", "gatewayclasses").with_status(),
            );
            for (kind, plural) in [
                ("Gateway", "gateways"),
                ("HTTPRoute", "httproutes"),
                ("GRPCRoute", "grpcroutes"),
                ("TLSRoute", "tlsroutes"),
            ] {
                types.push(Self::namespaced(GATEWAY, version, kind, plural).with_status());
            }
        }
        types.push(Self::namespaced(
            GATEWAY,
            "v1beta1",
            "ReferenceGrant",
            "referencegrants",
        ));
        for (kind, plural) in [
            ("ServiceExport", "serviceexports"),
            ("ServiceImport", "serviceimports"),
            ("TargetGroupPolicy", "targetgrouppolicies"),
            ("VpcAssociationPolicy", "vpcassociationpolicies"),
            ("AccessLogPolicy", "accesslogpolicies"),
            ("IAMAuthPolicy", "iamauthpolicies"),
        ] {
            types.push(Self::namespaced(AWS, "v1alpha1", kind, plural).with_status());
        }
        types.push(
            Self::cluster(AWS, "v1alpha1", "ServiceNetwork", "servicenetworks").with_status(),
        );
        types.push(
            Self::cluster(
                "apiextensions.k8s.io",
                "v1",
                "CustomResourceDefinition",
                "customresourcedefinitions",
            )
            .with_status(),
        );
        types
    }
}

/// The registered types, in registration order (the first registered
/// version of a (group, plural) is its preferred one).
#[derive(Debug, Clone)]
pub(crate) struct Registry {
    types: Vec<ResourceType>,
}

impl Registry {
    pub fn new(types: Vec<ResourceType>) -> Self {
        Self { types }
    }

    /// The type served at `group`/`version`/`plural`.
    pub fn lookup(&self, group: &str, version: &str, plural: &str) -> Option<&ResourceType> {
        self.types
            .iter()
            .find(|t| t.group == group && t.version == version && t.plural == plural)
    }

    /// The type of objects with this `apiVersion` and `kind`.
    pub fn by_kind(&self, api_version: &str, kind: &str) -> Option<&ResourceType> {
        self.types
            .iter()
            .find(|t| t.kind == kind && t.api_version() == api_version)
    }

    /// The type served at `api_version` (`v1` or `group/version`) and `plural`.
    pub fn by_api_version(&self, api_version: &str, plural: &str) -> Option<&ResourceType> {
        let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
        self.lookup(group, version, plural)
    }

    /// The preferred version of every stored (group, plural) named `plural`.
    pub fn preferred_with_plural(&self, plural: &str) -> Vec<&ResourceType> {
        let mut found: Vec<&ResourceType> = Vec::new();
        for t in self.types.iter().filter(|t| t.plural == plural) {
            if !found.iter().any(|f| f.group == t.group) {
                found.push(t);
            }
        }
        found
    }

    /// Serves `types` instead of every registered version of `plural` in
    /// `group` (in the place of the first of those, if any).
    pub fn replace(&mut self, group: &str, plural: &str, types: Vec<ResourceType>) {
        let matches = |t: &ResourceType| t.group == group && t.plural == plural;
        let at = self
            .types
            .iter()
            .position(matches)
            .unwrap_or(self.types.len());
        self.types.retain(|t| !matches(t));
        let at = at.min(self.types.len());
        self.types.splice(at..at, types);
    }

    /// Every registered type.
    pub fn types(&self) -> &[ResourceType] {
        &self.types
    }

    /// The groups (core excluded) with their versions, in registration order.
    pub fn groups(&self) -> Vec<(&str, Vec<&str>)> {
        let mut groups: Vec<(&str, Vec<&str>)> = Vec::new();
        for t in self.types.iter().filter(|t| !t.group.is_empty()) {
            match groups.iter_mut().find(|(group, _)| *group == t.group) {
                Some((_, versions)) if versions.contains(&t.version.as_str()) => {}
                Some((_, versions)) => versions.push(&t.version),
                None => groups.push((&t.group, vec![&t.version])),
            }
        }
        groups
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups_find_registered_types_only() {
        let registry = Registry::new(ResourceType::defaults());
        let pods = registry.lookup("", "v1", "pods").unwrap();
        assert!(pods.namespaced && pods.status_subresource);
        assert!(registry.lookup("", "v2", "pods").is_none());
        let class = registry
            .by_kind("gateway.networking.k8s.io/v1alpha2", "GatewayClass")
            .unwrap();
        assert!(!class.namespaced);
        assert_eq!(
            registry
                .by_api_version("coordination.k8s.io/v1", "leases")
                .unwrap()
                .kind,
            "Lease"
        );
        let events: Vec<_> = registry
            .preferred_with_plural("events")
            .iter()
            .map(|t| t.api_version())
            .collect();
        assert_eq!(events, ["v1", "events.k8s.io/v1"]);
        let gateway = registry
            .groups()
            .into_iter()
            .find(|(group, _)| *group == "gateway.networking.k8s.io")
            .unwrap();
        assert_eq!(gateway.1, ["v1", "v1alpha2", "v1alpha3", "v1beta1"]);
    }

    #[test]
    fn replace_keeps_the_place_of_a_type() {
        let mut registry = Registry::new(ResourceType::defaults());
        let before = registry.types().iter().position(|t| t.plural == "services");
        let v2 = ResourceType::namespaced("", "v2", "Service", "services");
        registry.replace("", "services", vec![v2.clone()]);
        assert_eq!(registry.lookup("", "v2", "services"), Some(&v2));
        assert!(registry.lookup("", "v1", "services").is_none());
        assert_eq!(
            registry.types().iter().position(|t| t.plural == "services"),
            before
        );
        registry.replace("", "services", Vec::new());
        assert!(registry.preferred_with_plural("services").is_empty());
        registry.replace(
            "example.com",
            "widgets",
            vec![ResourceType::cluster(
                "example.com",
                "v1",
                "Widget",
                "widgets",
            )],
        );
        assert_eq!(registry.types().last().unwrap().plural, "widgets");
    }
}
