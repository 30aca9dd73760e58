//! One view over the three route kinds: their parentRefs, rules and
//! backendRefs have the same shape but distinct generated types.

use gateway_api::apis::standard::grpcroutes::GrpcRoute;
use gateway_api::apis::standard::httproutes::HttpRoute;
use gateway_api::apis::standard::tlsroutes::TlsRoute;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::{matches, meta};
use crate::object::Kind;
use crate::plugin::bindings::types::{RouteKind, RouteMatch};

/// A route of any kind.
pub(super) struct RouteView<'a> {
    pub kind: RouteKind,
    /// `HTTPRoute`, `GRPCRoute` or `TLSRoute`.
    pub object_kind: Kind,
    pub metadata: &'a ObjectMeta,
    pub namespace: &'a str,
    pub name: &'a str,
    pub hostnames: &'a [String],
    pub parents: Vec<ParentRef<'a>>,
    pub rules: Vec<RuleView<'a>>,
    /// The route itself.
    pub source: Source<'a>,
}

/// The typed route a view is over.
pub(super) enum Source<'a> {
    Http(&'a HttpRoute),
    Grpc(&'a GrpcRoute),
    Tls(&'a TlsRoute),
}

impl RouteView<'_> {
    /// The route as JSON text.
    pub fn raw(&self) -> String {
        match self.source {
            Source::Http(route) => meta::json(route),
            Source::Grpc(route) => meta::json(route),
            Source::Tls(route) => meta::json(route),
        }
    }
}

/// A parentRef as written.
pub(super) struct ParentRef<'a> {
    pub group: Option<&'a str>,
    pub kind: Option<&'a str>,
    pub namespace: Option<&'a str>,
    pub name: &'a str,
    pub section_name: Option<&'a str>,
    pub port: Option<i32>,
}

/// A rule: its matches (Gateway API defaults applied) and backendRefs.
pub(super) struct RuleView<'a> {
    pub matches: Vec<RouteMatch>,
    pub backends: Vec<BackendRefView<'a>>,
}

/// A backendRef as written.
pub(super) struct BackendRefView<'a> {
    pub group: Option<&'a str>,
    pub kind: Option<&'a str>,
    pub namespace: Option<&'a str>,
    pub name: &'a str,
    pub port: Option<i32>,
    pub weight: Option<i32>,
}

macro_rules! parent_refs {
    ($refs:expr) => {
        $refs
            .iter()
            .flatten()
            .map(|parent| ParentRef {
                group: parent.group.as_deref(),
                kind: parent.kind.as_deref(),
                namespace: parent.namespace.as_deref(),
                name: &parent.name,
                section_name: parent.section_name.as_deref(),
                port: parent.port,
            })
            .collect()
    };
}

macro_rules! backend_refs {
    ($refs:expr) => {
        $refs
            .into_iter()
            .map(|backend| BackendRefView {
                group: backend.group.as_deref(),
                kind: backend.kind.as_deref(),
                namespace: backend.namespace.as_deref(),
                name: &backend.name,
                port: backend.port,
                weight: backend.weight,
            })
            .collect()
    };
}

/// An HTTPRoute. Absent `spec.rules` is the API server's default: one rule
/// matching every request, with no backends.
pub(super) fn http(route: &HttpRoute) -> RouteView<'_> {
    let rules = match &route.spec.rules {
        None => vec![RuleView {
            matches: vec![matches::default_http()],
            backends: Vec::new(),
        }],
        Some(rules) => rules
            .iter()
            .map(|rule| RuleView {
                matches: matches::http(rule.matches.as_deref()),
                backends: backend_refs!(rule.backend_refs.iter().flatten()),
            })
            .collect(),
    };
    let (namespace, name) = meta::sort_key(&route.metadata);
    RouteView {
        kind: RouteKind::Http,
        object_kind: Kind::HttpRoute,
        metadata: &route.metadata,
        namespace,
        name,
        hostnames: route.spec.hostnames.as_deref().unwrap_or_default(),
        parents: parent_refs!(route.spec.parent_refs),
        rules,
        source: Source::Http(route),
    }
}

/// A GRPCRoute.
pub(super) fn grpc(route: &GrpcRoute) -> RouteView<'_> {
    let rules = route
        .spec
        .rules
        .iter()
        .flatten()
        .map(|rule| RuleView {
            matches: rule.matches.iter().flatten().map(matches::grpc).collect(),
            backends: backend_refs!(rule.backend_refs.iter().flatten()),
        })
        .collect();
    let (namespace, name) = meta::sort_key(&route.metadata);
    RouteView {
        kind: RouteKind::Grpc,
        object_kind: Kind::GrpcRoute,
        metadata: &route.metadata,
        namespace,
        name,
        hostnames: route.spec.hostnames.as_deref().unwrap_or_default(),
        parents: parent_refs!(route.spec.parent_refs),
        rules,
        source: Source::Grpc(route),
    }
}

/// A TLSRoute: its rules have no matches.
pub(super) fn tls(route: &TlsRoute) -> RouteView<'_> {
    let rules = route
        .spec
        .rules
        .iter()
        .map(|rule| RuleView {
            matches: Vec::new(),
            backends: backend_refs!(rule.backend_refs.iter()),
        })
        .collect();
    let (namespace, name) = meta::sort_key(&route.metadata);
    RouteView {
        kind: RouteKind::Tls,
        object_kind: Kind::TlsRoute,
        metadata: &route.metadata,
        namespace,
        name,
        hostnames: &route.spec.hostnames,
        parents: parent_refs!(route.spec.parent_refs),
        rules,
        source: Source::Tls(route),
    }
}
