//! The schemas every object is checked against before it is read, so that
//! `plan` refuses what the Kubernetes API server would refuse:
//!
//! - the Gateway API kinds: the `openAPIV3Schema` of each version of the
//!   Gateway API v1.5.1 standard-channel CRDs (vendored, unchanged, in
//!   `gateway-api-v1.5.1-standard/`); a version the CRD does not serve
//!   (TLSRoute `v1alpha2`) is refused;
//! - the `application-networking.k8s.aws` kinds: the CRDs `trellis crds`
//!   prints ([`super::crds::all`]);
//! - Service and EndpointSlice: a hand-written schema of the fields Trellis
//!   reads (`core.yaml`), with the API server's dual-stack rule (two
//!   `ipFamilies` need a dual-stack `ipFamilyPolicy`).
//!
//! Namespaces are not checked. Not checked either: CEL rules
//! (`x-kubernetes-validations`), `metadata`, and value formats. As the API
//! server prunes them, fields set to `null` are ignored.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use jsonschema::Validator;
use jsonschema::error::ValidationErrorKind;
use jsonschema::paths::LocationSegment;
use serde_json::Value;

use crate::object::Kind;

/// The vendored Gateway API CRDs.
const GATEWAY_API_CRDS: [&str; 5] = [
    include_str!("gateway-api-v1.5.1-standard/gatewayclasses.yaml"),
    include_str!("gateway-api-v1.5.1-standard/gateways.yaml"),
    include_str!("gateway-api-v1.5.1-standard/grpcroutes.yaml"),
    include_str!("gateway-api-v1.5.1-standard/httproutes.yaml"),
    include_str!("gateway-api-v1.5.1-standard/tlsroutes.yaml"),
];
/// The core kinds' schemas: kind → version → schema.
const CORE: &str = include_str!("core.yaml");
/// The most errors one violation lists.
const MAX_ERRORS: usize = 5;
/// The longest error text kept (values quoted in errors can be long).
const MAX_ERROR_CHARS: usize = 300;

/// Why an object would be refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The field of the first error (`spec.hostnames`), if it is one.
    pub field: Option<String>,
    /// Every error (at most five), each `field: what is wrong`.
    pub message: String,
}

/// Checks `object`, of `kind` at API `version` (`v1` of
/// `gateway.networking.k8s.io/v1`), against its schema. A kind with no
/// schema passes; a version its CRD does not serve does not.
pub fn check(kind: Kind, version: &str, object: &Value) -> Result<(), Violation> {
    let schemas = schemas();
    let Some(versions) = schemas.get(&kind) else {
        return Ok(());
    };
    let Some(validator) = versions.get(version) else {
        let served: Vec<&str> = versions.keys().map(String::as_str).collect();
        return Err(Violation {
            field: Some("apiVersion".into()),
            message: format!(
                "apiVersion: {kind} is not served at version {version} (served: {})",
                served.join(", ")
            ),
        });
    };
    let object = without_nulls(object);
    let mut errors = validator.iter_errors(&object).peekable();
    if errors.peek().is_none() {
        return Ok(());
    }
    let mut field = None;
    let mut lines = Vec::new();
    for error in errors.take(MAX_ERRORS) {
        let path = field_path(&object, error.instance_path().segments(), error.kind());
        let mut text = error.to_string();
        if text.chars().count() > MAX_ERROR_CHARS {
            text = text.chars().take(MAX_ERROR_CHARS).collect::<String>() + "…";
        }
        lines.push(format!("{}: {text}", path.as_deref().unwrap_or("(object)")));
        field = field.or(path);
    }
    Err(Violation {
        field,
        message: lines.join("; "),
    })
}

/// The validators of every kind, by version served.
type Schemas = BTreeMap<Kind, BTreeMap<String, Validator>>;

fn schemas() -> &'static Schemas {
    static SCHEMAS: OnceLock<Schemas> = OnceLock::new();
    SCHEMAS.get_or_init(|| {
        let mut schemas = Schemas::new();
        let trellis = super::crds::all()
            .into_iter()
            .map(|crd| serde_json::to_value(crd).expect("a CRD serializes"));
        let gateway_api = GATEWAY_API_CRDS
            .iter()
            .map(|text| serde_yaml_ng::from_str::<Value>(text).expect("a vendored CRD is YAML"));
        for crd in trellis.chain(gateway_api) {
            let kind = crd["spec"]["names"]["kind"].as_str().and_then(Kind::parse);
            let kind = kind.expect("a CRD of a kind Trellis reads");
            for version in crd["spec"]["versions"].as_array().into_iter().flatten() {
                if version["served"] != Value::Bool(true) {
                    continue;
                }
                let name = version["name"].as_str().expect("a CRD version has a name");
                let schema = &version["schema"]["openAPIV3Schema"];
                schemas
                    .entry(kind)
                    .or_default()
                    .insert(name.to_owned(), compile(schema));
            }
        }
        let core: BTreeMap<String, BTreeMap<String, Value>> =
            serde_yaml_ng::from_str(CORE).expect("core.yaml is YAML");
        for (kind, versions) in core {
            let kind = Kind::parse(&kind).expect("core.yaml names kinds Trellis reads");
            for (version, schema) in versions {
                schemas
                    .entry(kind)
                    .or_default()
                    .insert(version, compile(&schema));
            }
        }
        schemas
    })
}

/// A schema's validator; the schemas are Trellis's own, tested to compile.
fn compile(schema: &Value) -> Validator {
    jsonschema::validator_for(schema).expect("a bundled schema compiles")
}

/// `value` without the `null` members of its objects, at any depth.
fn without_nulls(value: &Value) -> Value {
    match value {
        Value::Object(members) => Value::Object(
            members
                .iter()
                .filter(|(_, member)| !member.is_null())
                .map(|(key, member)| (key.clone(), without_nulls(member)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_nulls).collect()),
        other => other.clone(),
    }
}

/// The field an error is about, as problems name fields
/// (`spec.rules[0].matches`); a missing required property is named too.
/// `None` for the object itself.
fn field_path<'a>(
    object: &Value,
    segments: impl Iterator<Item = LocationSegment<'a>>,
    kind: &ValidationErrorKind,
) -> Option<String> {
    let mut path = String::new();
    let mut at = Some(object);
    for segment in segments {
        match segment {
            LocationSegment::Index(index) => {
                path.push_str(&format!("[{index}]"));
                at = at.and_then(|value| value.get(index));
            }
            LocationSegment::Property(name) => {
                if !path.is_empty() {
                    path.push('.');
                }
                at = at.and_then(|value| value.get(name.as_ref()));
                path.push_str(&name);
            }
        }
    }
    if let ValidationErrorKind::Required { property } = kind
        && let Some(name) = property.as_str()
    {
        if !path.is_empty() {
            path.push('.');
        }
        path.push_str(name);
    }
    (!path.is_empty()).then_some(path)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn every_schema_compiles_and_serves_the_kinds_trellis_reads() {
        let kinds: Vec<Kind> = schemas().keys().copied().collect();
        let unchecked: Vec<Kind> = Kind::ALL
            .into_iter()
            .filter(|kind| !kinds.contains(kind))
            .collect();
        assert_eq!(unchecked, [Kind::Namespace, Kind::Cluster]);
        let tls: Vec<&String> = schemas()[&Kind::TlsRoute].keys().collect();
        assert_eq!(tls, ["v1"]);
    }

    #[test]
    fn an_unserved_version_is_refused() {
        let route = json!({"apiVersion": "gateway.networking.k8s.io/v1alpha2", "kind": "TLSRoute",
            "metadata": {"name": "a"}, "spec": {"hostnames": ["a.example.com"], "rules": [{"backendRefs": [{"name": "a", "port": 443}]}]}});
        let violation = check(Kind::TlsRoute, "v1alpha2", &route).unwrap_err();
        assert_eq!(violation.field.as_deref(), Some("apiVersion"));
        assert_eq!(
            violation.message,
            "apiVersion: TLSRoute is not served at version v1alpha2 (served: v1)"
        );
        assert_eq!(check(Kind::TlsRoute, "v1", &route), Ok(()));
    }

    #[test]
    fn a_violation_names_the_field() {
        let route = json!({"spec": {"rules": [{"backendRefs": [{"name": "a", "port": 443}]}]}});
        let violation = check(Kind::TlsRoute, "v1", &route).unwrap_err();
        assert_eq!(violation.field.as_deref(), Some("spec.hostnames"));
        assert!(
            violation.message.starts_with("spec.hostnames: "),
            "{violation:?}"
        );

        let route =
            json!({"spec": {"rules": [{"matches": [{"path": {"type": "Prefix", "value": "/"}}]}]}});
        let violation = check(Kind::HttpRoute, "v1", &route).unwrap_err();
        assert_eq!(
            violation.field.as_deref(),
            Some("spec.rules[0].matches[0].path.type")
        );
    }

    #[test]
    fn trellis_crds_are_checked_with_their_patterns() {
        let policy = json!({"spec": {"targetRef": {"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": "g"},
            "securityGroupIds": ["web servers"]}});
        let violation = check(Kind::VpcAssociationPolicy, "v1alpha1", &policy).unwrap_err();
        assert_eq!(violation.field.as_deref(), Some("spec.securityGroupIds[0]"));
    }

    #[test]
    fn two_ip_families_need_a_dual_stack_policy() {
        let service = |spec: Value| json!({"apiVersion": "v1", "kind": "Service", "spec": spec});
        let families = json!(["IPv4", "IPv6"]);
        for refused in [
            json!({"ipFamilies": families}),
            json!({"ipFamilies": families, "ipFamilyPolicy": "SingleStack"}),
        ] {
            let violation = check(Kind::Service, "v1", &service(refused)).unwrap_err();
            assert!(
                violation.field.as_deref().unwrap().starts_with("spec"),
                "{violation:?}"
            );
        }
        for accepted in [
            json!({"ipFamilies": families, "ipFamilyPolicy": "RequireDualStack"}),
            json!({"ipFamilies": ["IPv6"]}),
            json!({"ports": [{"port": 80, "targetPort": "http"}], "clusterIP": null}),
        ] {
            assert_eq!(check(Kind::Service, "v1", &service(accepted)), Ok(()));
        }
        let violation = check(
            Kind::Service,
            "v1",
            &service(json!({"ports": [{"port": 0}]})),
        )
        .unwrap_err();
        assert_eq!(violation.field.as_deref(), Some("spec.ports[0].port"));
    }
}
