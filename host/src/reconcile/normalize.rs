//! Normalize: from a [`Snapshot`] to the plugin model of `wit/types.wit`.
//!
//! The host does here what upstream's route controller does before building
//! its model (upstream spec §4.1, §4.4.3, §4.7-4.8): find a route's parent
//! Gateways and the listeners that accept it, resolve its backendRefs, and
//! collect the policies attached to Services and ServiceExports. What the
//! route says is handed on as written, with the Gateway API defaults the API
//! server would have filled in; deciding what it becomes in Lattice is the
//! plugins' job.
//!
//! Every function is deterministic: objects come out sorted by namespace and
//! name.
//!
//! One upstream quirk is fixed (spec §9, item 11): each parentRef is checked
//! against its own Gateway, in its own namespace (the parentRef's, else the
//! route's), not against the first lattice Gateway.

mod backends;
mod export;
mod gateway_listeners;
mod listeners;
mod matches;
mod meta;
mod policies;
mod policy_verdicts;
mod references;
mod route;
mod selector;
mod view;

pub use gateway_listeners::{
    ASSIGNED_DOMAIN_NAME, GatewayAddress, GatewayListenerStatus, ListenerCondition, ListenerStatus,
    RouteGroupKind, carries_domain, gateway_listener_status,
};
pub use meta::object_meta;
pub use policy_verdicts::policy_verdicts;
pub use references::{RouteReferences, route_references};

use gateway_api::apis::standard::gateways::Gateway;

use crate::config::ClusterConfig;
use crate::kube::{Snapshot, kind_of};
use crate::object::{Kind, ObjectRef, Problem};
use crate::plugin::bindings::types::{
    AttachedPolicy, ExportInput, GatewayInput, KeyValue, ObjectMeta, RouteInput,
};

use self::view::RouteView;

/// The `controllerName` of GatewayClasses whose Gateways are Lattice's.
pub const CONTROLLER_NAME: &str = "application-networking.k8s.aws/gateway-api-controller";

/// A route as normalized for the plugins, with what is wrong with it.
#[derive(Debug, Clone)]
pub struct NormalizedRoute {
    /// The route.
    pub object: ObjectRef,
    /// The plugin input; `None` when no lattice Gateway listener accepts the
    /// route, or when the route holds a value the API server would reject.
    pub input: Option<RouteInput>,
    /// What is wrong, in the order found: parentRefs first, then backendRefs.
    pub problems: Vec<Problem>,
}

/// The Gateways of a GatewayClass with [`CONTROLLER_NAME`], sorted by
/// namespace and name.
pub fn lattice_gateways(snapshot: &Snapshot) -> Vec<&Gateway> {
    let mut gateways: Vec<&Gateway> = snapshot
        .gateways
        .iter()
        .filter(|gateway| listeners::is_lattice(snapshot, gateway))
        .collect();
    gateways.sort_by(|a, b| meta::sort_key(&a.metadata).cmp(&meta::sort_key(&b.metadata)));
    gateways
}

/// The plugin input of a Gateway: its metadata, its policies and itself as JSON.
pub fn gateway_input(snapshot: &Snapshot, gateway: &Gateway) -> GatewayInput {
    GatewayInput {
        meta: meta::object_meta(Kind::Gateway, &gateway.metadata),
        policies: gateway_policies(snapshot, gateway),
        raw: meta::json(gateway),
    }
}

/// The policies attached to a Gateway through `spec.targetRef`, oldest first
/// (VpcAssociationPolicy, AccessLogPolicy, IAMAuthPolicy).
pub fn gateway_policies(snapshot: &Snapshot, gateway: &Gateway) -> Vec<AttachedPolicy> {
    let (namespace, name) = meta::sort_key(&gateway.metadata);
    policies::attached(snapshot, Kind::Gateway, namespace, name)
}

/// The cluster-scoped ServiceNetwork objects, sorted by name, as plugins see
/// their metadata.
pub fn service_network_objects(snapshot: &Snapshot) -> Vec<(ObjectRef, ObjectMeta)> {
    let mut networks: Vec<(ObjectRef, ObjectMeta)> = snapshot
        .policies
        .iter()
        .filter(|object| kind_of(object) == Some(Kind::ServiceNetwork))
        .map(|object| {
            let meta = meta::object_meta(Kind::ServiceNetwork, &object.metadata);
            (ObjectRef::new(Kind::ServiceNetwork, "", &meta.name), meta)
        })
        .collect();
    networks.sort_by(|a, b| a.0.cmp(&b.0));
    networks
}

/// Every HTTPRoute, GRPCRoute and TLSRoute that is Trellis's, normalized,
/// sorted by namespace, name and kind.
///
/// A route is Trellis's when one of its parentRefs names a lattice Gateway
/// (its `input` is then `Some` if a listener of such a Gateway accepts it),
/// or names a Gateway that does not exist (reported, as the route may have
/// been meant for Trellis). Routes of other Gateways only are left out.
///
/// Problems (with `cluster` = `cluster.cluster_name`), by reason:
/// - `NoMatchingParent`: a parentRef names a missing Gateway (field
///   `spec.parentRefs[i].name`), or no listener of its lattice Gateway
///   passes its `sectionName` and `port` (field `spec.parentRefs[i]`);
/// - `NoMatchingListenerHostname`, `NotAllowedByListeners`: the listeners
///   left reject the route by hostname, or by `allowedRoutes` (field
///   `spec.parentRefs[i]`);
/// - `BackendNotFound` (field `spec.rules[i].backendRefs[j].name`) and
///   `InvalidKind` (field `...kind` or `...group`): a backendRef's target is
///   missing or of a kind Lattice cannot route to; the input still carries it
///   (`not-found`, `unsupported-kind`) for the plugin to decide — except a
///   missing ServiceImport of a route with a valid
///   `service-name-override`, which gets no input (upstream refuses to
///   claim the service the override names);
/// - `UnsupportedValue`: a backendRef port or weight out of range; the route
///   gets no input.
pub fn routes(snapshot: &Snapshot, cluster: &ClusterConfig) -> Vec<NormalizedRoute> {
    let mut views = route_views(snapshot);
    views.sort_by(|a, b| {
        (a.namespace, a.name, a.object_kind).cmp(&(b.namespace, b.name, b.object_kind))
    });
    views
        .iter()
        .filter_map(|route| route::normalize(snapshot, cluster, route))
        .collect()
}

/// The one route `object` of [`routes`], normalized alone (a route's
/// normalization reads its Gateways, Services and policies, never other
/// routes); `None` when it is not in the snapshot or no lattice Gateway is
/// its parent.
pub fn route(
    snapshot: &Snapshot,
    cluster: &ClusterConfig,
    object: &ObjectRef,
) -> Option<NormalizedRoute> {
    use meta::named;
    // Only the route asked for is viewed: a view of every route per
    // reconcile made each reconcile cost as much as the cluster.
    let view = match object.kind {
        Kind::HttpRoute => named(&snapshot.http_routes, object).map(view::http),
        Kind::GrpcRoute => named(&snapshot.grpc_routes, object).map(view::grpc),
        Kind::TlsRoute => named(&snapshot.tls_routes, object).map(view::tls),
        _ => None,
    }?;
    route::normalize(snapshot, cluster, &view)
}

fn route_views(snapshot: &Snapshot) -> Vec<RouteView<'_>> {
    snapshot
        .http_routes
        .iter()
        .map(view::http)
        .chain(snapshot.grpc_routes.iter().map(view::grpc))
        .chain(snapshot.tls_routes.iter().map(view::tls))
        .collect()
}

/// Something wrong with a route, before it is a [`Problem`].
struct Issue {
    field: String,
    reason: &'static str,
    message: String,
    /// Whether the route gets no plugin input because of it.
    blocking: bool,
}

/// Every ServiceExport, sorted by namespace and name, with its plugin input.
///
/// The exported Service is the one the `application-networking.k8s.aws/service-name`
/// annotation names (trimmed, if not empty), else the export's own name, in
/// the export's namespace. Every export is returned, federated or not: the
/// plugin decides. An `exportedPorts` entry whose port is not in 1-65535 is
/// left out, with a warning naming `cluster`.
pub fn exports(snapshot: &Snapshot, cluster: &ClusterConfig) -> Vec<(ObjectRef, ExportInput)> {
    let mut exports: Vec<_> = snapshot.service_exports.iter().collect();
    exports.sort_by(|a, b| meta::sort_key(&a.metadata).cmp(&meta::sort_key(&b.metadata)));
    exports
        .into_iter()
        .map(|export| export::normalize(snapshot, cluster, export))
        .collect()
}

/// The labels of `namespace` for the plugin model (the call context's
/// `namespace-labels`), sorted by key: its Namespace object's labels plus
/// `kubernetes.io/metadata.name`; empty for cluster-scoped objects.
pub fn namespace_labels(snapshot: &Snapshot, namespace: &str) -> Vec<KeyValue> {
    if namespace.is_empty() {
        return Vec::new();
    }
    meta::key_values(Some(&selector::namespace_labels(snapshot, namespace)))
}

#[cfg(test)]
mod tests;
