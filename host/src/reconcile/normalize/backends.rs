//! BackendRefs: what each names, found in the snapshot (upstream spec
//! §4.1 ResolvedRefs, §4.4.3).

use k8s_openapi::api::core::v1::Service;

use trellis_lattice_names::{NameKind, name_violation};

use super::view::{BackendRefView, RouteView};
use super::{Issue, meta, policies};
use crate::kube::Snapshot;
use crate::object::{Kind, LATTICE_GROUP};
use crate::plugin::bindings::types::{BackendRef, BackendTarget, ServiceInfo, ServicePort};

/// Resolves one backendRef of a route in `route_namespace`; `field` is its
/// path, e.g. `spec.rules[0].backendRefs[1]`.
///
/// Defaults: kind `Service`, namespace the route's, weight 1. A `Service`
/// (group `""` or `core`) or `ServiceImport` (group `""` or
/// `application-networking.k8s.aws`) is looked up; a missing one is
/// `not-found` plus a non-blocking `BackendNotFound` issue (upstream's
/// `ResolvedRefs=False/BackendNotFound`). A missing ServiceImport does not
/// stop the route: as upstream's `model_build_rule.go` tolerates it (an empty
/// object, no resolution hints), the rule still forwards to the import's key,
/// which apply resolves to the target group another cluster exported, or
/// reports when none did. Any other group or kind is
/// `unsupported-kind` plus an `InvalidKind` issue. A port outside 1-65535 or a
/// negative weight is a blocking `UnsupportedValue` issue.
///
/// A missing ServiceImport of a route with a valid service-name override
/// (`route.service_name_override`) blocks the route (upstream
/// `model_build_rule.go`): the service the override names may be someone
/// else's, and a route that cannot forward must not claim it.
pub(super) fn resolve(
    snapshot: &Snapshot,
    route: &RouteView,
    backend: &BackendRefView,
    field: &str,
    issues: &mut Vec<Issue>,
) -> BackendRef {
    let route_namespace = route.namespace;
    let kind = backend.kind.unwrap_or(Kind::Service.as_str());
    let group = backend.group.unwrap_or_default();
    let namespace = backend.namespace.unwrap_or(route_namespace);
    let name = backend.name;
    let mut unsupported = |field: String, message: String| {
        issues.push(Issue {
            field,
            reason: "UnsupportedValue",
            message,
            blocking: true,
        });
    };
    let port = backend.port.and_then(|port| match u16::try_from(port) {
        Ok(port) if port > 0 => Some(port),
        _ => {
            unsupported(
                format!("{field}.port"),
                format!("port {port} is not in 1-65535"),
            );
            None
        }
    });
    let weight = u32::try_from(backend.weight.unwrap_or(1)).unwrap_or_else(|_| {
        unsupported(
            format!("{field}.weight"),
            format!("weight {} is negative", backend.weight.unwrap_or_default()),
        );
        0
    });
    let target = match (Kind::parse(kind), group) {
        (Some(Kind::Service), "" | "core") => match find_service(snapshot, namespace, name) {
            Some(service) => BackendTarget::Service(service_info(snapshot, service)),
            None => not_found(issues, field, Kind::Service, namespace, name),
        },
        (Some(Kind::ServiceImport), "" | LATTICE_GROUP) => {
            let found = snapshot.service_import(namespace, name);
            match found {
                Some(import) => BackendTarget::ServiceImport(meta::object_meta(
                    Kind::ServiceImport,
                    &import.metadata,
                )),
                None => match service_name_override(route) {
                    Some(name_override) => {
                        issues.push(Issue {
                            field: format!("{field}.name"),
                            reason: "BackendNotFound",
                            message: format!(
                                "ServiceImport {namespace}/{name} referenced by route {}/{} \
                                 with service-name-override={name_override:?} does not exist; \
                                 refusing to claim the existing service",
                                route.namespace, route.name
                            ),
                            blocking: true,
                        });
                        BackendTarget::NotFound
                    }
                    None => {
                        issues.push(Issue {
                            field: format!("{field}.name"),
                            reason: "BackendNotFound",
                            message: format!(
                                "ServiceImport {namespace}/{name} not found; the rule forwards \
                                 to the target group a cluster exports as {namespace}/{name}, \
                                 if any"
                            ),
                            blocking: false,
                        });
                        BackendTarget::NotFound
                    }
                },
            }
        }
        (parsed, _) => {
            let (field, written) = match parsed {
                Some(Kind::Service | Kind::ServiceImport) => (
                    format!("{field}.group"),
                    format!("group `{group}` of kind {kind}"),
                ),
                _ => (format!("{field}.kind"), format!("kind `{kind}`")),
            };
            let message = format!(
                "backendRef {written} is not supported; Lattice routes to a Service or a ServiceImport"
            );
            issues.push(Issue {
                field,
                reason: "InvalidKind",
                message,
                blocking: false,
            });
            BackendTarget::UnsupportedKind(kind.into())
        }
    };
    BackendRef {
        kind: kind.into(),
        namespace: namespace.into(),
        name: name.into(),
        port,
        weight,
        target,
    }
}

/// The annotation that names a route's Lattice service.
const SERVICE_NAME_OVERRIDE: &str = "application-networking.k8s.aws/service-name-override";

/// The route's service-name override when it is valid (upstream's
/// `GetServiceNameOverrideWithValidation`; an invalid one is the plugin's
/// `InvalidServiceNameOverride` problem).
fn service_name_override<'a>(route: &RouteView<'a>) -> Option<&'a str> {
    let name = route
        .metadata
        .annotations
        .as_ref()?
        .get(SERVICE_NAME_OVERRIDE)?
        .as_str();
    name_violation(NameKind::Service, name)
        .is_none()
        .then_some(name)
}

fn not_found(
    issues: &mut Vec<Issue>,
    field: &str,
    kind: Kind,
    namespace: &str,
    name: &str,
) -> BackendTarget {
    issues.push(Issue {
        field: format!("{field}.name"),
        reason: "BackendNotFound",
        message: format!("{kind} {namespace}/{name} not found"),
        blocking: false,
    });
    BackendTarget::NotFound
}

/// The Service `namespace/name`, if the snapshot has it.
pub(super) fn find_service<'a>(
    snapshot: &'a Snapshot,
    namespace: &str,
    name: &str,
) -> Option<&'a Service> {
    snapshot.service(namespace, name)
}

/// The plugin model of a Service: ports in manifest order (protocol `TCP`
/// when unset; ports outside 1-65535 left out), `spec.ipFamilies`, and the
/// policies attached to it.
pub(super) fn service_info(snapshot: &Snapshot, service: &Service) -> ServiceInfo {
    let spec = service.spec.as_ref();
    let ports = spec
        .and_then(|spec| spec.ports.as_ref())
        .into_iter()
        .flatten()
        .filter_map(|port| {
            Some(ServicePort {
                name: port.name.clone().unwrap_or_default(),
                port: u16::try_from(port.port).ok().filter(|port| *port > 0)?,
                protocol: port.protocol.clone().unwrap_or_else(|| "TCP".into()),
            })
        })
        .collect();
    let (namespace, name) = meta::sort_key(&service.metadata);
    ServiceInfo {
        meta: meta::object_meta(Kind::Service, &service.metadata),
        ports,
        ip_families: spec
            .and_then(|spec| spec.ip_families.clone())
            .unwrap_or_default(),
        policies: policies::attached(snapshot, Kind::Service, namespace, name),
    }
}
