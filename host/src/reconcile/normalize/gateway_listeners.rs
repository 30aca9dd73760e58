//! A Lattice Gateway's `status.listeners` and `status.addresses`, as
//! upstream's `UpdateGWListenerStatus` writes them (spec §4.11).
//!
//! Contract, per listener of the Gateway's spec, in spec order (statuses of
//! listeners no longer in the spec are dropped):
//! - `allowedRoutes.kinds` naming a kind the listener cannot carry (GRPCRoute
//!   off HTTPS, TLSRoute off TLS, any other kind) makes the listener invalid:
//!   one condition `ResolvedRefs=False/InvalidRouteKinds`, `supportedKinds`
//!   the valid subset of the kinds named, no routes counted;
//! - otherwise `Accepted`, `ResolvedRefs` and `Programmed` hold,
//!   `supportedKinds` follow the protocol (TLS: TLSRoute; HTTPS: HTTPRoute and
//!   GRPCRoute; else HTTPRoute) and `attachedRoutes` counts the (route,
//!   parentRef) pairs the listener accepts — the parentRef names the Gateway
//!   (in its own namespace, else the route's), its `sectionName` and `port`
//!   select the listener, and the listener allows the route by hostname, kind
//!   and namespace (as route attachment does, [`super::listeners`]).
//!
//! `addresses` is one `Hostname` address: the Lattice domain name of the
//! first route (HTTPRoutes, then GRPCRoutes, then TLSRoutes, each by
//! namespace and name) with a parentRef naming the Gateway and a known
//! domain name (its `lattice-assigned-domain-name` annotation, or the one
//! given for it); none when no such route exists.

use gateway_api::apis::standard::gateways::{Gateway, GatewayListeners};
use serde::Serialize;

use super::listeners::{accepts, names_gateway};
use super::meta::named;
use super::view;
use super::view::RouteView;
use crate::kube::Snapshot;
use crate::object::{Kind, ObjectRef};

/// The annotation with the DNS name Lattice assigned to a route's service.
pub const ASSIGNED_DOMAIN_NAME: &str =
    "application-networking.k8s.aws/lattice-assigned-domain-name";

/// The group of every route kind a listener supports.
const GATEWAY_API_GROUP: &str = "gateway.networking.k8s.io";

/// A Gateway's listener statuses and addresses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GatewayListenerStatus {
    /// One status per listener of the spec, in its order.
    pub listeners: Vec<ListenerStatus>,
    /// At most one `Hostname` address.
    pub addresses: Vec<GatewayAddress>,
}

/// One entry of a Gateway's `status.listeners`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListenerStatus {
    /// The listener's name.
    pub name: String,
    /// The route kinds the listener carries.
    pub supported_kinds: Vec<RouteGroupKind>,
    /// The (route, parentRef) pairs the listener accepts.
    pub attached_routes: i32,
    /// `Accepted`, `ResolvedRefs`, `Programmed`; or `ResolvedRefs` alone,
    /// false, for invalid route kinds.
    pub conditions: Vec<ListenerCondition>,
}

/// A route kind a listener carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RouteGroupKind {
    /// Always `gateway.networking.k8s.io` (the API's default, written out
    /// so that what is read back compares equal).
    pub group: &'static str,
    /// `HTTPRoute`, `GRPCRoute` or `TLSRoute`.
    pub kind: &'static str,
}

/// One condition of a listener (upstream writes no message).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListenerCondition {
    #[serde(rename = "type")]
    pub type_: &'static str,
    pub status: &'static str,
    pub reason: &'static str,
    pub message: &'static str,
}

/// One entry of a Gateway's `status.addresses`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GatewayAddress {
    /// Always `Hostname`.
    #[serde(rename = "type")]
    pub type_: &'static str,
    /// A route's Lattice domain name.
    pub value: String,
}

/// The listener statuses and addresses of `gateway` (see the module doc).
/// `domains` gives route domain names known beyond the routes' annotations
/// (a route just reconciled, whose annotation is not written yet).
pub fn gateway_listener_status(
    snapshot: &Snapshot,
    gateway: &Gateway,
    domains: &[(ObjectRef, String)],
) -> GatewayListenerStatus {
    let routes = route_views(snapshot);
    let listeners = gateway
        .spec
        .listeners
        .iter()
        .map(|listener| listener_status(snapshot, gateway, listener, &routes))
        .collect();
    let addresses = routes
        .iter()
        .filter(|route| {
            route
                .parents
                .iter()
                .any(|p| names_gateway(route, p, gateway))
        })
        .find_map(|route| domain(route, domains))
        .map(|value| GatewayAddress {
            type_: "Hostname",
            value,
        })
        .into_iter()
        .collect();
    GatewayListenerStatus {
        listeners,
        addresses,
    }
}

/// Every route, HTTPRoutes then GRPCRoutes then TLSRoutes, each sorted by
/// namespace and name.
fn route_views(snapshot: &Snapshot) -> Vec<RouteView<'_>> {
    let mut routes: Vec<RouteView<'_>> = snapshot
        .http_routes
        .iter()
        .map(view::http)
        .chain(snapshot.grpc_routes.iter().map(view::grpc))
        .chain(snapshot.tls_routes.iter().map(view::tls))
        .collect();
    let order = |kind: Kind| match kind {
        Kind::HttpRoute => 0,
        Kind::GrpcRoute => 1,
        _ => 2,
    };
    routes.sort_by(|a, b| {
        (order(a.object_kind), a.namespace, a.name).cmp(&(
            order(b.object_kind),
            b.namespace,
            b.name,
        ))
    });
    routes
}

/// The domain name of `route`: given in `domains`, else its annotation.
fn domain(route: &RouteView<'_>, domains: &[(ObjectRef, String)]) -> Option<String> {
    let object = ObjectRef::new(route.object_kind, route.namespace, route.name);
    domains
        .iter()
        .find(|(known, _)| *known == object)
        .map(|(_, domain)| domain.clone())
        .or_else(|| {
            route
                .metadata
                .annotations
                .as_ref()?
                .get(ASSIGNED_DOMAIN_NAME)
                .cloned()
        })
}

/// Whether `route`'s object in `snapshot` carries `domain` as its Lattice
/// domain name annotation: given for it, the domain changes nothing in
/// [`gateway_listener_status`].
pub fn carries_domain(snapshot: &Snapshot, route: &ObjectRef, domain: &str) -> bool {
    let metadata = match route.kind {
        Kind::HttpRoute => named(&snapshot.http_routes, route).map(|r| &r.metadata),
        Kind::GrpcRoute => named(&snapshot.grpc_routes, route).map(|r| &r.metadata),
        Kind::TlsRoute => named(&snapshot.tls_routes, route).map(|r| &r.metadata),
        _ => None,
    };
    metadata
        .and_then(|metadata| metadata.annotations.as_ref())
        .and_then(|annotations| annotations.get(ASSIGNED_DOMAIN_NAME))
        .is_some_and(|annotated| annotated == domain)
}

fn listener_status(
    snapshot: &Snapshot,
    gateway: &Gateway,
    listener: &GatewayListeners,
    routes: &[RouteView<'_>],
) -> ListenerStatus {
    let condition = |type_, status, reason| ListenerCondition {
        type_,
        status,
        reason,
        message: "",
    };
    let kinds = |names: &[&'static str]| -> Vec<RouteGroupKind> {
        names
            .iter()
            .map(|&kind| RouteGroupKind {
                group: GATEWAY_API_GROUP,
                kind,
            })
            .collect()
    };
    if let Some(valid) = invalid_route_kinds(listener) {
        return ListenerStatus {
            name: listener.name.clone(),
            supported_kinds: kinds(&valid),
            attached_routes: 0,
            conditions: vec![condition("ResolvedRefs", "False", "InvalidRouteKinds")],
        };
    }
    let attached = routes
        .iter()
        .flat_map(|route| route.parents.iter().map(move |parent| (route, parent)))
        .filter(|(route, parent)| {
            names_gateway(route, parent, gateway)
                && accepts(snapshot, route, gateway, parent, listener)
        })
        .count();
    let supported: &[&'static str] = match listener.protocol.as_str() {
        "TLS" => &["TLSRoute"],
        "HTTPS" => &["HTTPRoute", "GRPCRoute"],
        _ => &["HTTPRoute"],
    };
    ListenerStatus {
        name: listener.name.clone(),
        supported_kinds: kinds(supported),
        attached_routes: i32::try_from(attached).unwrap_or(i32::MAX),
        conditions: vec![
            condition("Accepted", "True", "Accepted"),
            condition("ResolvedRefs", "True", "ResolvedRefs"),
            condition("Programmed", "True", "Programmed"),
        ],
    }
}

/// `Some` with the valid subset of `allowedRoutes.kinds` when one of them
/// is a kind the listener cannot carry (upstream
/// `listenerRouteGroupKindSupported`); `None` when the listener is valid.
fn invalid_route_kinds(listener: &GatewayListeners) -> Option<Vec<&'static str>> {
    let named = listener
        .allowed_routes
        .as_ref()
        .and_then(|allowed| allowed.kinds.as_deref())
        .unwrap_or_default();
    let protocol = listener.protocol.as_str();
    let mut valid = Vec::new();
    let mut invalid = false;
    for kind in named {
        match (kind.kind.as_str(), protocol) {
            ("HTTPRoute", _) => valid.push("HTTPRoute"),
            ("GRPCRoute", "HTTPS") => valid.push("GRPCRoute"),
            ("TLSRoute", "TLS") => valid.push("TLSRoute"),
            _ => invalid = true,
        }
    }
    invalid.then_some(valid)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kube::testing::snapshot;

    const CLASS: &str = r#"
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: amazon-vpc-lattice}
spec: {controllerName: application-networking.k8s.aws/gateway-api-controller}
"#;

    fn summary(status: &ListenerStatus) -> String {
        let kinds: Vec<&str> = status.supported_kinds.iter().map(|k| k.kind).collect();
        let conditions: Vec<String> = status
            .conditions
            .iter()
            .map(|c| format!("{}={}/{}", c.type_, c.status, c.reason))
            .collect();
        format!(
            "{} [{}] {} {}",
            status.name,
            kinds.join(","),
            status.attached_routes,
            conditions.join(",")
        )
    }

    #[test]
    fn listeners_count_the_route_parent_pairs_they_accept() {
        let snapshot = snapshot(&format!(
            r#"{CLASS}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {{name: gw, namespace: default}}
spec:
  gatewayClassName: amazon-vpc-lattice
  listeners:
  - {{name: http, protocol: HTTP, port: 80}}
  - {{name: https, protocol: HTTPS, port: 443}}
  - {{name: bad, protocol: HTTP, port: 8080, allowedRoutes: {{kinds: [{{kind: HTTPRoute}}, {{kind: GRPCRoute}}]}}}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: b-route
  namespace: default
  annotations: {{application-networking.k8s.aws/lattice-assigned-domain-name: b.example}}
spec:
  parentRefs: [{{name: gw}}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {{name: a-route, namespace: default}}
spec:
  parentRefs: [{{name: gw, sectionName: http}}, {{name: gw, port: 443}}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: {{name: grpc, namespace: default}}
spec:
  parentRefs: [{{name: gw}}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {{name: elsewhere, namespace: other}}
spec:
  parentRefs: [{{name: gw, namespace: default}}]
"#
        ));
        let gateway = &snapshot.gateways[0];
        let status = gateway_listener_status(&snapshot, gateway, &[]);
        let summaries: Vec<String> = status.listeners.iter().map(summary).collect();
        assert_eq!(
            summaries,
            [
                "http [HTTPRoute] 2 Accepted=True/Accepted,ResolvedRefs=True/ResolvedRefs,Programmed=True/Programmed",
                "https [HTTPRoute,GRPCRoute] 3 Accepted=True/Accepted,ResolvedRefs=True/ResolvedRefs,Programmed=True/Programmed",
                "bad [HTTPRoute] 0 ResolvedRefs=False/InvalidRouteKinds",
            ],
            "the route of another namespace is not allowed (Same); a-route counts once per listener"
        );
        assert_eq!(
            status.addresses,
            [GatewayAddress {
                type_: "Hostname",
                value: "b.example".into()
            }],
            "a-route has no domain name yet"
        );
        let known = [(
            ObjectRef::new(Kind::HttpRoute, "default", "a-route"),
            "a.example".to_owned(),
        )];
        let status = gateway_listener_status(&snapshot, gateway, &known);
        assert_eq!(status.addresses[0].value, "a.example");
    }
}
