//! What each route refers to, as written: the Gateways of its parentRefs and
//! the Services and ServiceImports of its backendRefs. The controller uses
//! it to re-reconcile exactly the routes a change of those objects affects.

use super::view::RouteView;
use crate::kube::Snapshot;
use crate::object::{Kind, LATTICE_GROUP, ObjectRef};

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
    super::route_views(snapshot)
        .iter()
        .map(references)
        .collect()
}

fn references(route: &RouteView<'_>) -> RouteReferences {
    let gateways = route
        .parents
        .iter()
        .filter(|parent| {
            Kind::of_reference(parent.group, parent.kind, Kind::Gateway) == Some(Kind::Gateway)
        })
        .map(|parent| {
            ObjectRef::new(
                Kind::Gateway,
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
                backend.kind.map_or(Some(Kind::Service), Kind::parse),
            ) {
                ("", Some(Kind::Service)) => Kind::Service,
                ("" | LATTICE_GROUP, Some(Kind::ServiceImport)) => Kind::ServiceImport,
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
        route: ObjectRef::new(route.object_kind, route.namespace, route.name),
        gateways,
        backends,
    }
}
