//! What each route refers to, as written: the Gateways of its parentRefs and
//! the Services and ServiceImports of its backendRefs. The controller uses
//! it to re-reconcile exactly the routes a change of those objects affects.

use super::view::{self, RouteView};
use crate::kube::Snapshot;
use crate::reconcile::problem::ObjectRef;

/// A route and the objects it names, namespaces defaulted to the route's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteReferences {
    /// The route (`HTTPRoute`, `GRPCRoute` or `TLSRoute`).
    pub route: ObjectRef,
    /// Its parent Gateways (parentRefs of group `gateway.networking.k8s.io`
    /// and kind `Gateway`, or with both omitted).
    pub gateways: Vec<ObjectRef>,
    /// Its backends: `Service` (core group, or kind omitted) and
    /// `ServiceImport` references; other kinds are left out.
    pub backends: Vec<ObjectRef>,
}

/// The references of every route of `snapshot`, lattice or not.
pub fn route_references(snapshot: &Snapshot) -> Vec<RouteReferences> {
    snapshot
        .http_routes
        .iter()
        .map(view::http)
        .chain(snapshot.grpc_routes.iter().map(view::grpc))
        .chain(snapshot.tls_routes.iter().map(view::tls))
        .map(|route| references(&route))
        .collect()
}

fn references(route: &RouteView<'_>) -> RouteReferences {
    let gateways = route
        .parents
        .iter()
        .filter(|parent| {
            parent.group.unwrap_or("gateway.networking.k8s.io") == "gateway.networking.k8s.io"
                && parent.kind.unwrap_or("Gateway") == "Gateway"
        })
        .map(|parent| {
            ObjectRef::new(
                "Gateway",
                parent.namespace.unwrap_or(route.namespace),
                parent.name,
            )
        })
        .collect();
    let backends = route
        .rules
        .iter()
        .flat_map(|rule| &rule.backends)
        .filter_map(|backend| {
            let kind = match (
                backend.group.unwrap_or(""),
                backend.kind.unwrap_or("Service"),
            ) {
                ("", "Service") => "Service",
                ("" | "application-networking.k8s.aws", "ServiceImport") => "ServiceImport",
                _ => return None,
            };
            Some(ObjectRef::new(
                kind,
                backend.namespace.unwrap_or(route.namespace),
                backend.name,
            ))
        })
        .collect();
    RouteReferences {
        route: ObjectRef::new(route.kind_name, route.namespace, route.name),
        gateways,
        backends,
    }
}
