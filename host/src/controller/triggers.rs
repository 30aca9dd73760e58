//! Which reconciles a change of one object calls for: the "root" objects
//! (Gateways, routes, ServiceExports, the cluster's service networks) whose
//! Lattice resources depend on it. Upstream requeues every route on any
//! Gateway change; here a change reaches only the objects that read it.
//!
//! Contract: [`affected`] is a pure function of the change and the
//! snapshot; a root's own change always includes the root itself. Mapping
//! reads references as written (namespaces defaulted to the referrer's),
//! whether or not the referenced object exists, so creating a missing
//! backend triggers the routes waiting for it.

use crate::kube::{Snapshot, TypedKind};
use crate::object::{Kind, ObjectRef};
use crate::reconcile::{RouteReferences, normalize};

/// One object that changed (was added, modified or deleted).
///
/// Roots are Gateways, routes, ServiceExports, and the cluster-level work
/// (service networks, GatewayClass status), keyed `ServiceNetwork`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// A GatewayClass (by name).
    GatewayClass(String),
    /// A Gateway, route or ServiceExport: a root itself.
    Root(ObjectRef),
    /// A Service (namespace, name).
    Service(String, String),
    /// An EndpointSlice of the Service its `kubernetes.io/service-name`
    /// label names (namespace, service), if any.
    EndpointSlice(String, Option<String>),
    /// A ServiceImport (namespace, name).
    ServiceImport(String, String),
    /// A Namespace (its labels select routes for Gateways).
    Namespace(String),
    /// A policy of `kind` whose `spec.targetRef` names `target` (kind,
    /// namespace defaulted to the policy's, name), if it names an object of
    /// a kind Trellis reads.
    Policy {
        kind: Kind,
        target: Option<ObjectRef>,
    },
    /// A ServiceNetwork object (by name).
    ServiceNetwork(String),
}

impl Change {
    /// Whether the change may change a policy's verdict: a policy, or an
    /// object a policy may target (a root or a Service) appeared, changed
    /// or went.
    pub fn concerns_policies(&self) -> bool {
        matches!(
            self,
            Change::Root(_) | Change::Service(..) | Change::Policy { .. }
        )
    }
}

/// The roots a change affects, without duplicates, in a stable order.
pub fn affected(change: &Change, snapshot: &Snapshot) -> Vec<ObjectRef> {
    let routes = normalize::route_references(snapshot);
    let mut roots = match change {
        // The cluster-level task (keyed by `ServiceNetwork`) writes the
        // class's own status.
        Change::GatewayClass(class) => {
            std::iter::once(ObjectRef::new(Kind::ServiceNetwork, "", ""))
                .chain(
                    snapshot
                        .gateways
                        .iter()
                        .filter(|gateway| &gateway.spec.gateway_class_name == class)
                        .map(TypedKind::reference),
                )
                .collect()
        }
        Change::Root(object) if object.kind == Kind::Gateway => {
            let mut roots = vec![object.clone()];
            roots.extend(routes_of_gateway(&routes, object));
            roots
        }
        Change::Root(object) if object.kind == Kind::ServiceExport => {
            let mut roots = vec![object.clone()];
            let import = ObjectRef::new(Kind::ServiceImport, &object.namespace, &object.name);
            roots.extend(routes_to_backend(&routes, &import));
            roots
        }
        Change::Root(object) => vec![object.clone()],
        Change::Service(namespace, name) => service_roots(snapshot, &routes, namespace, name),
        Change::EndpointSlice(namespace, Some(service)) => {
            service_roots(snapshot, &routes, namespace, service)
        }
        Change::EndpointSlice(_, None) => Vec::new(),
        Change::ServiceImport(namespace, name) => {
            let import = ObjectRef::new(Kind::ServiceImport, namespace, name);
            routes_to_backend(&routes, &import)
        }
        Change::Namespace(namespace) => routes
            .iter()
            .filter(|route| &route.route.namespace == namespace)
            .map(|route| route.route.clone())
            .collect(),
        Change::Policy { target: None, .. } => Vec::new(),
        Change::Policy {
            target: Some(target),
            ..
        } => match target.kind {
            Kind::Service => service_roots(snapshot, &routes, &target.namespace, &target.name),
            kind if kind.is_root() => vec![target.clone()],
            _ => Vec::new(),
        },
        Change::ServiceNetwork(name) => {
            let mut roots = vec![ObjectRef::new(Kind::ServiceNetwork, "", name)];
            roots.extend(
                snapshot
                    .gateways
                    .iter()
                    .filter(|gateway| gateway.metadata.name.as_deref() == Some(name))
                    .map(TypedKind::reference),
            );
            roots
        }
    };
    roots.sort();
    roots.dedup();
    roots
}

/// The routes whose parents name `gateway`.
fn routes_of_gateway(routes: &[RouteReferences], gateway: &ObjectRef) -> Vec<ObjectRef> {
    routes_where(routes, |route| route.gateways.contains(gateway))
}

/// The routes whose backends name `backend`.
fn routes_to_backend(routes: &[RouteReferences], backend: &ObjectRef) -> Vec<ObjectRef> {
    routes_where(routes, |route| route.backends.contains(backend))
}

fn routes_where(
    routes: &[RouteReferences],
    reads: impl Fn(&RouteReferences) -> bool,
) -> Vec<ObjectRef> {
    routes
        .iter()
        .filter(|route| reads(route))
        .map(|route| route.route.clone())
        .collect()
}

/// The routes forwarding to a Service and the exports exporting it.
fn service_roots(
    snapshot: &Snapshot,
    routes: &[RouteReferences],
    namespace: &str,
    name: &str,
) -> Vec<ObjectRef> {
    let service = ObjectRef::new(Kind::Service, namespace, name);
    let mut roots = routes_to_backend(routes, &service);
    roots.extend(
        snapshot
            .service_exports
            .iter()
            .filter(|export| export.metadata.namespace.as_deref() == Some(namespace))
            .filter(|export| export.service_name() == name)
            .map(TypedKind::reference),
    );
    roots
}

#[cfg(test)]
mod tests;
