//! ServiceExport → the target groups other clusters' ServiceImports find
//! (upstream-spec §4.7).

use crate::annotations;
use crate::target_group_policy;
use crate::{
    CallContext, ExportInput, PluginError, TargetGroupKey, TargetGroupSource, TargetGroupSpec,
    TargetSource, refuse,
};

/// The annotation that opts a ServiceExport into Lattice, and its value.
const FEDERATION: (&str, &str) = ("federation", "amazon-vpc-lattice");

/// One target group per exported port (`spec.exportedPorts`), or, in the
/// legacy form, one on port 80 whose targets are the ports of the `port`
/// annotation (every port when absent). An export without the federation
/// annotation exports nothing.
pub fn translate_export(
    _ctx: &CallContext,
    export: &ExportInput,
) -> Result<Vec<TargetGroupSpec>, PluginError> {
    let meta = &export.meta;
    if annotations::get(&meta.annotations, FEDERATION.0) != Some(FEDERATION.1) {
        return Ok(Vec::new());
    }
    let Some(service) = &export.service else {
        let name = annotations::get(&meta.annotations, "service-name")
            .map(str::trim)
            .filter(|name| !name.is_empty());
        let field = if name.is_some() {
            annotations::field("service-name")
        } else {
            "metadata.name".to_owned()
        };
        return Err(refuse(
            "ServiceNotFound",
            field,
            format!(
                "ServiceExport {}/{} exports Service {}, which does not exist",
                meta.namespace,
                meta.name,
                name.unwrap_or(&meta.name)
            ),
        ));
    };
    // Protocol from a ServiceExport-targeted policy; the health check from a
    // Service-targeted one first, as upstream's HealthCheckConfigResolver.
    let export_policy = target_group_policy::winner(&export.policies)?;
    let service_policy = target_group_policy::winner(&service.policies)?;
    let health_check = service_policy
        .as_ref()
        .and_then(|policy| policy.health_check.as_ref())
        .or_else(|| {
            export_policy
                .as_ref()
                .and_then(|policy| policy.health_check.as_ref())
        })
        .map(target_group_policy::HealthCheckPolicy::to_health_check);
    let ip_address_type = if service
        .ip_families
        .first()
        .is_some_and(|family| family == "IPv6")
    {
        "IPV6"
    } else {
        "IPV4"
    };
    let target_group = |port: u16,
                        (protocol, version): (String, Option<String>),
                        target_ports: Vec<u16>| TargetGroupSpec {
        key: TargetGroupKey {
            source: TargetGroupSource::ServiceExport,
            namespace: meta.namespace.clone(),
            name: meta.name.clone(),
            port: Some(port),
        },
        port,
        protocol,
        protocol_version: version,
        ip_address_type: ip_address_type.into(),
        health_check: health_check.clone(),
        targets_from: Some(TargetSource {
            namespace: service.meta.namespace.clone(),
            name: service.meta.name.clone(),
            ports: target_ports,
        }),
    };
    match &export.exported_ports {
        Some(ports) => ports
            .iter()
            .enumerate()
            .map(|(index, exported)| {
                let (protocol, version) = match exported.route_type.as_str() {
                    "HTTP" => ("HTTP", Some("HTTP1")),
                    "GRPC" => ("HTTP", Some("GRPC")),
                    "TLS" => ("TCP", None),
                    other => {
                        return Err(refuse(
                            "UnsupportedValue",
                            format!("spec.exportedPorts[{index}].routeType"),
                            format!("route type {other:?}; supported are HTTP, GRPC and TLS"),
                        ));
                    }
                };
                let protocol =
                    target_group_policy::protocol(export_policy.as_ref(), protocol, version);
                Ok(target_group(exported.port, protocol, vec![exported.port]))
            })
            .collect(),
        None => {
            let ports = annotations::get(&meta.annotations, "port")
                .map(|list| {
                    list.split(',')
                        .filter_map(|port| port.trim().parse().ok())
                        .collect()
                })
                .unwrap_or_default();
            let protocol =
                target_group_policy::protocol(export_policy.as_ref(), "HTTP", Some("HTTP1"));
            Ok(vec![target_group(80, protocol, ports)])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ExportedPort;
    use crate::test_support::{context, meta, service};

    const FEDERATED: (&str, &str) = (
        "application-networking.k8s.aws/federation",
        "amazon-vpc-lattice",
    );

    fn export(
        annotations: &[(&str, &str)],
        ports: Option<Vec<(u16, &str)>>,
        with_service: bool,
    ) -> ExportInput {
        ExportInput {
            meta: meta("ServiceExport", "default", "service-1", annotations),
            exported_ports: ports.map(|ports| {
                ports
                    .into_iter()
                    .map(|(port, route_type)| ExportedPort {
                        port,
                        route_type: route_type.into(),
                    })
                    .collect()
            }),
            service: with_service.then(|| service("service-1", &[80, 8443])),
            policies: Vec::new(),
            raw: "{}".into(),
        }
    }

    #[test]
    fn exported_ports_become_one_target_group_each() {
        let groups = translate_export(
            &context(),
            &export(&[FEDERATED], Some(vec![(80, "HTTP"), (8443, "GRPC")]), true),
        )
        .unwrap();
        assert_eq!(groups.len(), 2);
        assert_eq!(
            (
                groups[0].port,
                groups[0].protocol.as_str(),
                groups[0].protocol_version.as_deref()
            ),
            (80, "HTTP", Some("HTTP1"))
        );
        assert_eq!(
            (
                groups[1].port,
                groups[1].protocol.as_str(),
                groups[1].protocol_version.as_deref()
            ),
            (8443, "HTTP", Some("GRPC"))
        );
        assert_eq!(groups[1].key.source, TargetGroupSource::ServiceExport);
        assert_eq!(groups[1].key.port, Some(8443));
        assert_eq!(groups[1].targets_from.as_ref().unwrap().ports, vec![8443]);
    }

    #[test]
    fn the_legacy_form_is_one_target_group_on_port_80() {
        let groups = translate_export(&context(), &export(&[FEDERATED], None, true)).unwrap();
        assert_eq!(groups.len(), 1);
        assert_eq!(groups[0].port, 80);
        assert_eq!(
            groups[0].targets_from.as_ref().unwrap().ports,
            Vec::<u16>::new(),
            "every port"
        );
    }

    #[test]
    fn without_the_federation_annotation_nothing_is_exported() {
        assert_eq!(
            translate_export(&context(), &export(&[], None, true)).unwrap(),
            Vec::new()
        );
    }

    #[test]
    fn a_missing_service_is_refused() {
        let error = translate_export(&context(), &export(&[FEDERATED], None, false)).unwrap_err();
        assert_eq!(
            (error.reason.as_str(), error.field.as_deref()),
            ("ServiceNotFound", Some("metadata.name"))
        );
        let error = translate_export(
            &context(),
            &export(&[FEDERATED], Some(vec![(80, "UDP")]), true),
        )
        .unwrap_err();
        assert_eq!(
            error.field.as_deref(),
            Some("spec.exportedPorts[0].routeType")
        );
    }
}
