//! One ServiceExport.

use super::{backends, meta, policies};
use crate::config::ClusterConfig;
use crate::kube::Snapshot;
use crate::kube::crds::{self, ServiceExport};
use crate::object::{Kind, ObjectRef};
use crate::plugin::bindings::types::{ExportInput, ExportedPort};

/// The plugin input of `export` (see [`super::exports`]).
pub(super) fn normalize(
    snapshot: &Snapshot,
    cluster: &ClusterConfig,
    export: &ServiceExport,
) -> (ObjectRef, ExportInput) {
    let (namespace, name) = meta::sort_key(&export.metadata);
    let object = ObjectRef::new(Kind::ServiceExport, namespace, name);
    let service_name = export.service_name();
    let exported_ports = export.spec.exported_ports.as_ref().map(|ports| {
        ports
            .iter()
            .filter_map(|exported| exported_port(cluster, &object, exported))
            .collect()
    });
    let input = ExportInput {
        meta: meta::object_meta(Kind::ServiceExport, &export.metadata),
        exported_ports,
        service: backends::find_service(snapshot, namespace, service_name)
            .map(|service| backends::service_info(snapshot, service)),
        policies: policies::attached(snapshot, Kind::ServiceExport, namespace, name),
        raw: meta::json(export),
    };
    (object, input)
}

/// An `exportedPorts` entry; `None`, with a warning, for a port outside 1-65535.
fn exported_port(
    cluster: &ClusterConfig,
    object: &ObjectRef,
    exported: &crds::ExportedPort,
) -> Option<ExportedPort> {
    match u16::try_from(exported.port) {
        Ok(port) if port > 0 => Some(ExportedPort {
            port,
            route_type: exported.route_type.clone(),
        }),
        _ => {
            tracing::warn!(
                cluster = %cluster.cluster_name,
                export = %object,
                port = exported.port,
                "exported port out of range; left out"
            );
            None
        }
    }
}
