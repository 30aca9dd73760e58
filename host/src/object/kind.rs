//! The kinds of object Trellis reads, as a type: parsed once where objects
//! enter (manifest files, watches, references written in objects), and
//! compared as values everywhere else.

use std::fmt;

use serde::{Serialize, Serializer};

/// A kind Trellis reads, plus [`Kind::Cluster`], the cluster itself (the
/// owner of its default service network).
///
/// Ordered by name, as the kind strings were, so lists sorted by kind keep
/// their order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    GatewayClass,
    Gateway,
    HttpRoute,
    GrpcRoute,
    TlsRoute,
    Service,
    EndpointSlice,
    Namespace,
    ServiceExport,
    ServiceImport,
    ServiceNetwork,
    TargetGroupPolicy,
    IamAuthPolicy,
    AccessLogPolicy,
    VpcAssociationPolicy,
    /// Not a Kubernetes kind: the cluster Trellis runs for.
    Cluster,
}

/// The Gateway API group.
const GATEWAY_API_GROUP: &str = "gateway.networking.k8s.io";
/// The group of Trellis's (and upstream's) CRDs.
pub const LATTICE_GROUP: &str = "application-networking.k8s.aws";

impl Kind {
    /// Every kind, in declaration order.
    pub const ALL: [Kind; 16] = [
        Kind::GatewayClass,
        Kind::Gateway,
        Kind::HttpRoute,
        Kind::GrpcRoute,
        Kind::TlsRoute,
        Kind::Service,
        Kind::EndpointSlice,
        Kind::Namespace,
        Kind::ServiceExport,
        Kind::ServiceImport,
        Kind::ServiceNetwork,
        Kind::TargetGroupPolicy,
        Kind::IamAuthPolicy,
        Kind::AccessLogPolicy,
        Kind::VpcAssociationPolicy,
        Kind::Cluster,
    ];

    /// The route kinds.
    pub const ROUTES: [Kind; 3] = [Kind::HttpRoute, Kind::GrpcRoute, Kind::TlsRoute];

    /// The kind's name as written in manifests (`HTTPRoute`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Kind::GatewayClass => "GatewayClass",
            Kind::Gateway => "Gateway",
            Kind::HttpRoute => "HTTPRoute",
            Kind::GrpcRoute => "GRPCRoute",
            Kind::TlsRoute => "TLSRoute",
            Kind::Service => "Service",
            Kind::EndpointSlice => "EndpointSlice",
            Kind::Namespace => "Namespace",
            Kind::ServiceExport => "ServiceExport",
            Kind::ServiceImport => "ServiceImport",
            Kind::ServiceNetwork => "ServiceNetwork",
            Kind::TargetGroupPolicy => "TargetGroupPolicy",
            Kind::IamAuthPolicy => "IAMAuthPolicy",
            Kind::AccessLogPolicy => "AccessLogPolicy",
            Kind::VpcAssociationPolicy => "VpcAssociationPolicy",
            Kind::Cluster => "Cluster",
        }
    }

    /// The API group (`""` for the core group; also for
    /// [`Kind::Cluster`], which has none).
    pub const fn group(self) -> &'static str {
        match self {
            Kind::GatewayClass
            | Kind::Gateway
            | Kind::HttpRoute
            | Kind::GrpcRoute
            | Kind::TlsRoute => GATEWAY_API_GROUP,
            Kind::Service | Kind::Namespace | Kind::Cluster => "",
            Kind::EndpointSlice => "discovery.k8s.io",
            Kind::ServiceExport
            | Kind::ServiceImport
            | Kind::ServiceNetwork
            | Kind::TargetGroupPolicy
            | Kind::IamAuthPolicy
            | Kind::AccessLogPolicy
            | Kind::VpcAssociationPolicy => LATTICE_GROUP,
        }
    }

    /// Whether objects of the kind live in a namespace.
    pub const fn is_namespaced(self) -> bool {
        !matches!(
            self,
            Kind::GatewayClass | Kind::Namespace | Kind::ServiceNetwork | Kind::Cluster
        )
    }

    /// Whether the kind is a route.
    pub fn is_route(self) -> bool {
        Self::ROUTES.contains(&self)
    }

    /// Whether objects of the kind own Lattice resources of their own and
    /// are reconciled one by one: Gateways, routes and ServiceExports.
    pub fn is_root(self) -> bool {
        matches!(self, Kind::Gateway | Kind::ServiceExport) || self.is_route()
    }

    /// The kind named `name`, if Trellis reads it.
    pub fn parse(name: &str) -> Option<Kind> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == name)
    }

    /// The kind named `name` in API group `group` (`""` for the core
    /// group), if Trellis reads it.
    pub fn parse_api(group: &str, name: &str) -> Option<Kind> {
        Self::parse(name).filter(|kind| kind.group() == group && *kind != Kind::Cluster)
    }

    /// The kind a reference written in an object names (a `parentRef`,
    /// `backendRef` or `targetRef`): its `group` and `kind` as written, each
    /// defaulting to `default`'s; `None` for a kind Trellis does not read.
    pub fn of_reference(group: Option<&str>, kind: Option<&str>, default: Kind) -> Option<Kind> {
        Self::parse_api(
            group.unwrap_or(default.group()),
            kind.unwrap_or(default.as_str()),
        )
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Kind {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl PartialOrd for Kind {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Kind {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_parses_from_its_name() {
        for kind in Kind::ALL {
            assert_eq!(Kind::parse(kind.as_str()), Some(kind));
            if kind != Kind::Cluster {
                assert_eq!(Kind::parse_api(kind.group(), kind.as_str()), Some(kind));
            }
        }
        assert_eq!(Kind::parse("HttpRoute"), None);
    }

    #[test]
    fn the_group_must_be_the_kinds_own() {
        assert_eq!(
            Kind::parse_api(LATTICE_GROUP, "ServiceImport"),
            Some(Kind::ServiceImport)
        );
        assert_eq!(Kind::parse_api("", "ServiceImport"), None);
        assert_eq!(Kind::parse_api("", "Cluster"), None);
    }

    #[test]
    fn kinds_order_by_name() {
        assert!(Kind::Gateway < Kind::HttpRoute);
        assert!(Kind::ServiceExport < Kind::ServiceImport);
        assert!(Kind::GrpcRoute < Kind::Gateway, "GR sorts before Ga");
    }
}
