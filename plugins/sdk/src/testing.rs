//! Inputs for a plugin's native unit tests (`cargo test`): the WIT records
//! the host would pass, with every field the builder does not take left
//! empty. Change the fields a test is about on the returned value.

use crate::{
    AttachedPolicy, CallContext, ClusterContext, ExportInput, GatewayInput, KeyValue, ObjectMeta,
    RouteInput, RouteKind,
};

/// A call context for cluster `test-cluster` with plugin configuration
/// `config` (JSON text; the host passes `{}` when the policy gives none) and
/// the object's namespace labels, which the host sorts by key.
pub fn context(config: &str, namespace_labels: &[(&str, &str)]) -> CallContext {
    let mut namespace_labels = key_values(namespace_labels);
    namespace_labels.sort_by(|a, b| a.key.cmp(&b.key));
    CallContext {
        cluster: ClusterContext {
            cluster_name: "test-cluster".into(),
            vpc_id: "vpc-0123456789abcdef0".into(),
            account_id: "123456789012".into(),
            region: "us-west-2".into(),
            default_service_network: None,
        },
        config: config.into(),
        namespace_labels,
    }
}

/// `pairs` as key/value records, in the given order.
pub fn key_values(pairs: &[(&str, &str)]) -> Vec<KeyValue> {
    pairs
        .iter()
        .map(|(key, value)| KeyValue {
            key: (*key).into(),
            value: (*value).into(),
        })
        .collect()
}

/// The metadata of object `namespace/name` of `kind`, without annotations
/// or labels.
pub fn object_meta(kind: &str, namespace: &str, name: &str) -> ObjectMeta {
    ObjectMeta {
        kind: kind.into(),
        namespace: namespace.into(),
        name: name.into(),
        annotations: Vec::new(),
        labels: Vec::new(),
    }
}

/// A route of `meta` with no hostnames, listeners, rules or policies; its
/// kind follows `meta.kind` (`GRPCRoute`, `TLSRoute`, else HTTP).
pub fn route(meta: ObjectMeta) -> RouteInput {
    let kind = match meta.kind.as_str() {
        "GRPCRoute" => RouteKind::Grpc,
        "TLSRoute" => RouteKind::Tls,
        _ => RouteKind::Http,
    };
    RouteInput {
        kind,
        meta,
        hostnames: Vec::new(),
        listeners: Vec::new(),
        rules: Vec::new(),
        policies: Vec::new(),
        raw: "{}".into(),
    }
}

/// A Gateway of `meta` with no attached policies.
pub fn gateway(meta: ObjectMeta) -> GatewayInput {
    GatewayInput {
        meta,
        policies: Vec::new(),
        raw: "{}".into(),
    }
}

/// A ServiceExport of `meta` in the legacy single-port form, whose Service
/// was not found.
pub fn export(meta: ObjectMeta) -> ExportInput {
    ExportInput {
        meta,
        exported_ports: None,
        service: None,
        policies: Vec::new(),
        raw: "{}".into(),
    }
}

/// A policy of `kind` named `namespace/name` with `spec` (JSON text), as
/// found in the `policies` of a route, Gateway or export.
pub fn attached_policy(kind: &str, namespace: &str, name: &str, spec: &str) -> AttachedPolicy {
    AttachedPolicy {
        meta: object_meta(kind, namespace, name),
        created: String::new(),
        spec: spec.into(),
    }
}
