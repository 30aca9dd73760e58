//! Parents: which lattice Gateway listeners accept a route (upstream
//! `validateRouteParentRefs` and `IsRouteAllowedByListener`, spec §4.1), each
//! parentRef checked against its own Gateway.

use gateway_api::apis::standard::gateways::{
    Gateway, GatewayListeners, GatewayListenersAllowedRoutesNamespacesFrom, GatewayListenersTlsMode,
};

use super::view::{ParentRef, RouteView};
use super::{CONTROLLER_NAME, Issue, meta, selector};
use crate::kube::Snapshot;
use crate::object::Kind;
use crate::plugin::bindings::types::{AttachedListener, KeyValue};

/// The Gateway API group, the default of a parentRef's `group`.
/// What a route's parentRefs come to.
pub(super) struct Attachment {
    /// Whether a parentRef names a lattice Gateway.
    pub relevant: bool,
    /// The listeners that accept the route, in parentRef then listener order,
    /// each once.
    pub listeners: Vec<AttachedListener>,
    /// Parents that name a missing Gateway or accept no listener.
    pub issues: Vec<Issue>,
}

/// Whether `gateway`'s GatewayClass is controlled by [`CONTROLLER_NAME`].
pub(super) fn is_lattice(snapshot: &Snapshot, gateway: &Gateway) -> bool {
    snapshot.gateway_classes.iter().any(|class| {
        class.metadata.name.as_deref() == Some(gateway.spec.gateway_class_name.as_str())
            && class.spec.controller_name == CONTROLLER_NAME
    })
}

/// Resolves every parentRef of `route`.
///
/// A parentRef of another group or kind than Gateway, or naming a Gateway of
/// another class, is not Trellis's and ignored. One naming a missing Gateway
/// is an issue. For a lattice Gateway, its listeners are narrowed by the
/// parentRef's `sectionName` and `port`, then each must intersect the
/// route's hostnames and allow the route ([`allows`]).
pub(super) fn attach(snapshot: &Snapshot, route: &RouteView) -> Attachment {
    let mut attachment = Attachment {
        relevant: false,
        listeners: Vec::new(),
        issues: Vec::new(),
    };
    for (index, parent) in route.parents.iter().enumerate() {
        if Kind::of_reference(parent.group, parent.kind, Kind::Gateway) != Some(Kind::Gateway) {
            continue;
        }
        let namespace = parent.namespace.unwrap_or(route.namespace);
        let found = snapshot
            .gateways
            .iter()
            .find(|gateway| meta::sort_key(&gateway.metadata) == (namespace, parent.name));
        let Some(gateway) = found else {
            attachment.issues.push(Issue {
                field: format!("spec.parentRefs[{index}].name"),
                reason: "NoMatchingParent",
                message: format!("Gateway {namespace}/{} not found", parent.name),
                blocking: false,
            });
            continue;
        };
        if !is_lattice(snapshot, gateway) {
            continue;
        }
        attachment.relevant = true;
        let field = format!("spec.parentRefs[{index}]");
        match accepting_listeners(snapshot, route, gateway, parent) {
            Ok(listeners) => {
                for attached in listeners
                    .into_iter()
                    .filter_map(|listener| attached_listener(gateway, listener))
                {
                    let known = attachment.listeners.iter().any(|other| {
                        other.gateway.namespace == attached.gateway.namespace
                            && other.gateway.name == attached.gateway.name
                            && other.listener_name == attached.listener_name
                    });
                    if !known {
                        attachment.listeners.push(attached);
                    }
                }
            }
            Err((reason, message)) => attachment.issues.push(Issue {
                field,
                reason,
                message,
                blocking: false,
            }),
        }
    }
    attachment
}

/// Whether `parent`, a parentRef of `route`, names `gateway` (kind Gateway,
/// in the parentRef's namespace, else the route's).
pub(super) fn names_gateway(route: &RouteView, parent: &ParentRef, gateway: &Gateway) -> bool {
    Kind::of_reference(parent.group, parent.kind, Kind::Gateway) == Some(Kind::Gateway)
        && meta::sort_key(&gateway.metadata)
            == (parent.namespace.unwrap_or(route.namespace), parent.name)
}

/// Whether `listener` of `gateway` accepts `route` through `parent`: the
/// parentRef's `port` and `sectionName` select it, the hostnames intersect
/// and the listener allows the route ([`allows`]).
pub(super) fn accepts(
    snapshot: &Snapshot,
    route: &RouteView,
    gateway: &Gateway,
    parent: &ParentRef,
    listener: &GatewayListeners,
) -> bool {
    parent.port.is_none_or(|port| port == listener.port)
        && parent
            .section_name
            .is_none_or(|section| section == listener.name)
        && hostnames_intersect(route.hostnames, listener.hostname.as_deref())
        && allows(snapshot, listener, gateway, route)
}

/// The listeners of `gateway` that accept `route` through `parent`, or the
/// reason none does, by upstream's priority: `NoMatchingParent`, then
/// `NoMatchingListenerHostname`, then `NotAllowedByListeners`.
fn accepting_listeners<'g>(
    snapshot: &Snapshot,
    route: &RouteView,
    gateway: &'g Gateway,
    parent: &ParentRef,
) -> Result<Vec<&'g GatewayListeners>, (&'static str, String)> {
    let (namespace, name) = meta::sort_key(&gateway.metadata);
    let candidates: Vec<&GatewayListeners> = gateway
        .spec
        .listeners
        .iter()
        .filter(|listener| parent.port.is_none_or(|port| port == listener.port))
        .filter(|listener| {
            parent
                .section_name
                .is_none_or(|section| section == listener.name)
        })
        .collect();
    if candidates.is_empty() {
        let wanted = match (parent.section_name, parent.port) {
            (Some(section), Some(port)) => format!(" named {section} on port {port}"),
            (Some(section), None) => format!(" named {section}"),
            (None, Some(port)) => format!(" on port {port}"),
            (None, None) => String::new(),
        };
        return Err((
            "NoMatchingParent",
            format!("Gateway {namespace}/{name} has no listener{wanted}"),
        ));
    }
    let (hostname_matches, hostname_misses): (Vec<_>, Vec<_>) = candidates
        .into_iter()
        .partition(|listener| hostnames_intersect(route.hostnames, listener.hostname.as_deref()));
    let accepting: Vec<_> = hostname_matches
        .into_iter()
        .filter(|listener| allows(snapshot, listener, gateway, route))
        .collect();
    match accepting.is_empty() {
        false => Ok(accepting),
        true if !hostname_misses.is_empty() => Err((
            "NoMatchingListenerHostname",
            format!("No matching listener hostname for this route on Gateway {namespace}/{name}"),
        )),
        true => Err((
            "NotAllowedByListeners",
            format!(
                "No matching listeners of Gateway {namespace}/{name} allow this route. \
                 Check Gateway listener allowedRoutes policies"
            ),
        )),
    }
}

/// Whether `listener` of `gateway` allows `route` by kind and namespace
/// (upstream `IsRouteAllowedByListener`; the hostnames are checked before).
///
/// Kinds: `allowedRoutes.kinds` when not empty (kind only, group ignored, as
/// upstream), else by protocol: `HTTP` allows HTTPRoute, `HTTPS` HTTPRoute and
/// GRPCRoute, `TLS` TLSRoute. Namespaces: `Same` (the default) the
/// Gateway's, `All` any, `Selector` those whose labels match.
fn allows(
    snapshot: &Snapshot,
    listener: &GatewayListeners,
    gateway: &Gateway,
    route: &RouteView,
) -> bool {
    let allowed = listener.allowed_routes.as_ref();
    let kinds = allowed
        .and_then(|allowed| allowed.kinds.as_deref())
        .unwrap_or_default();
    let kind_allowed = if kinds.is_empty() {
        matches!(
            (listener.protocol.as_str(), route.object_kind),
            ("HTTP", Kind::HttpRoute)
                | ("HTTPS", Kind::HttpRoute | Kind::GrpcRoute)
                | ("TLS", Kind::TlsRoute)
        )
    } else {
        kinds
            .iter()
            .any(|kind| kind.kind == route.object_kind.as_str())
    };
    if !kind_allowed {
        return false;
    }
    let namespaces = allowed.and_then(|allowed| allowed.namespaces.as_ref());
    match namespaces.and_then(|namespaces| namespaces.from.as_ref()) {
        Some(GatewayListenersAllowedRoutesNamespacesFrom::All) => true,
        Some(GatewayListenersAllowedRoutesNamespacesFrom::Selector) => {
            let labels = selector::namespace_labels(snapshot, route.namespace);
            selector::matches(
                namespaces.and_then(|namespaces| namespaces.selector.as_ref()),
                &labels,
            )
        }
        Some(GatewayListenersAllowedRoutesNamespacesFrom::Same) | None => {
            meta::sort_key(&gateway.metadata).0 == route.namespace
        }
    }
}

/// Whether a route's hostnames intersect a listener's hostname (upstream
/// `hostnamesIntersect`): true when either side has none; else some pair is
/// equal, or one is `*.suffix` and the other ends with `.suffix`.
pub(super) fn hostnames_intersect(route: &[String], listener: Option<&str>) -> bool {
    let Some(listener) = listener.filter(|hostname| !hostname.is_empty()) else {
        return true;
    };
    route.is_empty()
        || route
            .iter()
            .any(|hostname| hostname_match(hostname, listener))
}

fn hostname_match(a: &str, b: &str) -> bool {
    let covers = |wildcard: &str, other: &str| {
        wildcard
            .strip_prefix('*')
            .is_some_and(|suffix| suffix.starts_with('.') && other.ends_with(suffix))
    };
    a == b || covers(a, b) || covers(b, a)
}

/// The plugin model of an accepting listener; `None` for a port outside
/// 1-65535 (which the API server rejects). A TLS mode left out is
/// `Terminate`, the Gateway API default.
fn attached_listener(gateway: &Gateway, listener: &GatewayListeners) -> Option<AttachedListener> {
    let port = u16::try_from(listener.port).ok().filter(|port| *port > 0)?;
    let tls = listener.tls.as_ref();
    Some(AttachedListener {
        gateway: meta::object_meta(Kind::Gateway, &gateway.metadata),
        listener_name: listener.name.clone(),
        port,
        protocol: listener.protocol.clone(),
        tls_mode: tls.map(|tls| match tls.mode {
            Some(GatewayListenersTlsMode::Passthrough) => "Passthrough".to_owned(),
            Some(GatewayListenersTlsMode::Terminate) | None => "Terminate".to_owned(),
        }),
        tls_options: tls
            .and_then(|tls| tls.options.as_ref())
            .into_iter()
            .flatten()
            .map(|(key, value)| KeyValue {
                key: key.clone(),
                value: value.clone(),
            })
            .collect(),
    })
}
