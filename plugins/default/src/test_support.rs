//! Builders for the unit tests.

use crate::{CallContext, ClusterContext, KeyValue, ObjectMeta, ServiceInfo, ServicePort};

/// The config cluster of the multi-cluster example.
pub(crate) fn context() -> CallContext {
    CallContext {
        cluster: ClusterContext {
            cluster_name: "config-cluster".into(),
            vpc_id: "vpc-0a1b2c3d4e5f60000".into(),
            account_id: "123456789012".into(),
            region: "us-west-2".into(),
            default_service_network: Some("my-gateway".into()),
        },
        config: "{}".into(),
        namespace_labels: Vec::new(),
    }
}

/// Metadata with the given annotations.
pub(crate) fn meta(
    kind: &str,
    namespace: &str,
    name: &str,
    annotations: &[(&str, &str)],
) -> ObjectMeta {
    ObjectMeta {
        kind: kind.into(),
        namespace: namespace.into(),
        name: name.into(),
        annotations: annotations
            .iter()
            .map(|(key, value)| KeyValue {
                key: (*key).into(),
                value: (*value).into(),
            })
            .collect(),
        labels: Vec::new(),
    }
}

/// A single-stack Service in `default` with unnamed TCP ports.
pub(crate) fn service(name: &str, ports: &[u16]) -> ServiceInfo {
    ServiceInfo {
        meta: meta("Service", "default", name, &[]),
        ports: ports
            .iter()
            .map(|port| ServicePort {
                name: String::new(),
                port: *port,
                protocol: "TCP".into(),
            })
            .collect(),
        ip_families: vec!["IPv4".into()],
        policies: Vec::new(),
    }
}
