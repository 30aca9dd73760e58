//! The second pass: what each document is — an object of a kind Trellis
//! reads, one of another kind (skipped), or something left out.
//!
//! In Trellis's own API groups (`gateway.networking.k8s.io`,
//! `application-networking.k8s.aws`) a kind that the group does not define
//! is a typo (`HttpRoute`), never skipped silently: it is an
//! [`LeftOutReason::UnknownKind`] naming the closest kind Trellis reads.

use serde_json::Value;

use super::left_out::{LeftOut, LeftOutReason, Location};
use crate::object::{Kind, LATTICE_GROUP, ObjectRef};

/// The namespace of a namespaced object that names none.
pub(super) const DEFAULT_NAMESPACE: &str = "default";

/// Kinds of the Gateway API group Trellis does not read; skipped like any
/// other kind Trellis does not read.
const OTHER_GATEWAY_API_KINDS: [&str; 9] = [
    "ReferenceGrant",
    "BackendTLSPolicy",
    "ListenerSet",
    "TCPRoute",
    "UDPRoute",
    "BackendLBPolicy",
    "XBackendTrafficPolicy",
    "XListenerSet",
    "XMesh",
];

/// What a document is.
#[derive(Debug)]
pub(super) enum Identity {
    /// An empty document.
    Empty,
    /// An object of a kind Trellis does not read, by its kind.
    Skipped(String),
    /// An object Trellis reads.
    Object(Head),
}

/// What identifies an object Trellis reads.
#[derive(Debug, Clone)]
pub(super) struct Head {
    /// Its kind.
    pub kind: Kind,
    /// Its version (`v1` of `gateway.networking.k8s.io/v1`).
    pub version: String,
    /// Kind, namespace (`default` for a namespaced object naming none) and
    /// name.
    pub object: ObjectRef,
}

/// What the document `value` at `at` is.
pub(super) fn identify(at: &Location, value: &Value) -> Result<Identity, LeftOut> {
    if value.is_null() {
        return Ok(Identity::Empty);
    }
    let not_an_object = |message: &str| LeftOut {
        object: None,
        field: None,
        reason: LeftOutReason::NotAnObject,
        message: format!("{at}: {message}"),
    };
    if !value.is_object() {
        return Err(not_an_object(
            "not a Kubernetes object (a mapping with apiVersion, kind and metadata)",
        ));
    }
    let api_version =
        text(value.get("apiVersion")).ok_or_else(|| not_an_object("missing apiVersion"))?;
    let kind_name = text(value.get("kind")).ok_or_else(|| not_an_object("missing kind"))?;
    let metadata = value.get("metadata");
    let name = text(metadata.and_then(|metadata| metadata.get("name")))
        .ok_or_else(|| not_an_object("missing metadata.name"))?;
    let namespace = text(metadata.and_then(|metadata| metadata.get("namespace")));
    let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
    let Some(kind) = Kind::parse_api(group, kind_name) else {
        return match unknown_kind(at, group, kind_name, namespace, name) {
            Some(left_out) => Err(left_out),
            None => Ok(Identity::Skipped(kind_name.to_owned())),
        };
    };
    let namespace = match (namespace, kind.is_namespaced()) {
        (_, false) => "",
        (Some(namespace), true) => namespace,
        (None, true) => DEFAULT_NAMESPACE,
    };
    Ok(Identity::Object(Head {
        kind,
        version: version.to_owned(),
        object: ObjectRef::new(kind, namespace, name),
    }))
}

/// The problem of `kind_name`, a kind of `group` Trellis does not read,
/// when `group` is one of Trellis's and does not define it.
fn unknown_kind(
    at: &Location,
    group: &str,
    kind_name: &str,
    namespace: Option<&str>,
    name: &str,
) -> Option<LeftOut> {
    let gateway_api = group == Kind::Gateway.group();
    if !(gateway_api || group == LATTICE_GROUP) || OTHER_GATEWAY_API_KINDS.contains(&kind_name) {
        return None;
    }
    let closest = closest_kind(group, kind_name)?;
    let object = match namespace {
        Some(namespace) => format!("{namespace}/{name}"),
        None => name.to_owned(),
    };
    Some(LeftOut {
        object: None,
        field: Some("kind".into()),
        reason: LeftOutReason::UnknownKind,
        message: format!(
            "{at}: {kind_name} {object}: {group} has no kind {kind_name}; did you mean {closest}? \
             The object is left out"
        ),
    })
}

/// The kind Trellis reads in `group` whose name is closest to `name`
/// (compared without case).
fn closest_kind(group: &str, name: &str) -> Option<Kind> {
    let name = name.to_ascii_lowercase();
    Kind::ALL
        .into_iter()
        .filter(|kind| kind.group() == group && *kind != Kind::Cluster)
        .map(|kind| {
            let distance = strsim::damerau_levenshtein(&name, &kind.as_str().to_ascii_lowercase());
            (distance, kind)
        })
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, kind)| kind)
}

/// The non-empty string `value` holds, if any.
fn text(value: Option<&Value>) -> Option<&str> {
    value
        .and_then(Value::as_str)
        .filter(|text| !text.is_empty())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use serde_json::json;

    use super::*;

    fn at() -> Location {
        Location::new(Path::new("objects.yaml"), 2)
    }

    #[test]
    fn objects_are_identified_by_group_and_kind_with_the_default_namespace() {
        let identity = identify(
            &at(),
            &json!({"apiVersion": "gateway.networking.k8s.io/v1beta1", "kind": "HTTPRoute", "metadata": {"name": "a"}}),
        )
        .unwrap();
        let Identity::Object(head) = identity else {
            panic!("{identity:?}")
        };
        assert_eq!(head.version, "v1beta1");
        assert_eq!(head.object.to_string(), "HTTPRoute default/a");

        let namespace = identify(
            &at(),
            &json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop", "namespace": "x"}}),
        )
        .unwrap();
        assert!(matches!(namespace, Identity::Object(head) if head.object.namespace.is_empty()));
    }

    #[test]
    fn other_kinds_are_skipped_but_typos_in_trellis_groups_are_not() {
        let skipped = |api_version: &str, kind: &str| {
            identify(
                &at(),
                &json!({"apiVersion": api_version, "kind": kind, "metadata": {"name": "a"}}),
            )
        };
        assert!(
            matches!(skipped("apps/v1", "Deployment"), Ok(Identity::Skipped(kind)) if kind == "Deployment")
        );
        assert!(matches!(
            skipped("gateway.networking.k8s.io/v1beta1", "ReferenceGrant"),
            Ok(Identity::Skipped(_))
        ));
        let typo = skipped("gateway.networking.k8s.io/v1", "HttpRoute").unwrap_err();
        assert_eq!(typo.reason, LeftOutReason::UnknownKind);
        assert_eq!(
            typo.message,
            "objects.yaml: document 2: HttpRoute a: gateway.networking.k8s.io has no kind \
             HttpRoute; did you mean HTTPRoute? The object is left out"
        );
        let typo = skipped("application-networking.k8s.aws/v1alpha1", "ServiceExprot").unwrap_err();
        assert!(
            typo.message.contains("did you mean ServiceExport?"),
            "{}",
            typo.message
        );
    }

    #[test]
    fn documents_that_are_no_objects_are_left_out() {
        let missing_kind = identify(
            &at(),
            &json!({"apiVersion": "v1", "metadata": {"name": "x"}}),
        )
        .unwrap_err();
        assert_eq!(
            missing_kind.message,
            "objects.yaml: document 2: missing kind"
        );
        assert_eq!(missing_kind.reason, LeftOutReason::NotAnObject);
        let scalar = identify(&at(), &json!("just text")).unwrap_err();
        assert!(scalar.message.contains("not a Kubernetes object"));
        assert!(matches!(identify(&at(), &Value::Null), Ok(Identity::Empty)));
    }
}
