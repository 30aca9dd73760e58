//! The snapshot: every Kubernetes object one translation pass reads.

use gateway_api::apis::standard::{
    gatewayclasses::GatewayClass, gateways::Gateway, grpcroutes::GrpcRoute, httproutes::HttpRoute,
    tlsroutes::TlsRoute,
};
use k8s_openapi::api::core::v1::{Namespace, Service};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::core::DynamicObject;

mod lookup;

pub use lookup::SnapshotLookup;

use super::TypedKind;
use super::crds::{ServiceExport, ServiceImport};
use crate::object::Kind;

/// The objects of one cluster that translation reads, typed.
///
/// Filled from manifests by `plan` and from reflector stores by the
/// controller. Order is the order objects were read in; consumers that need
/// a stable order sort by namespace/name themselves.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// GatewayClasses (cluster-scoped).
    pub gateway_classes: Vec<GatewayClass>,
    /// Gateways.
    pub gateways: Vec<Gateway>,
    /// HTTPRoutes.
    pub http_routes: Vec<HttpRoute>,
    /// GRPCRoutes.
    pub grpc_routes: Vec<GrpcRoute>,
    /// TLSRoutes.
    pub tls_routes: Vec<TlsRoute>,
    /// Services.
    pub services: Vec<Service>,
    /// EndpointSlices.
    pub endpoint_slices: Vec<EndpointSlice>,
    /// Namespaces (for `allowedRoutes.namespaces.from: Selector`).
    pub namespaces: Vec<Namespace>,
    /// ServiceExports (`application-networking.k8s.aws/v1alpha1`).
    pub service_exports: Vec<ServiceExport>,
    /// ServiceImports (`application-networking.k8s.aws/v1alpha1`).
    pub service_imports: Vec<ServiceImport>,
    /// Policy objects of the `application-networking.k8s.aws` group
    /// (TargetGroupPolicy, IAMAuthPolicy, ...), kept untyped: plugins read
    /// their `spec` as JSON.
    pub policies: Vec<DynamicObject>,
    /// The lookups by namespace and name ([`Snapshot::service`],
    /// [`Snapshot::service_import`], [`Snapshot::endpoint_slices_of`]),
    /// built on first use; see its module for the contract when lists
    /// change after a lookup.
    pub lookup: SnapshotLookup,
}

impl Snapshot {
    /// The root objects (Gateways, routes, ServiceExports: those reconciled
    /// one by one) with their kind, kind by kind in that order.
    pub fn roots(&self) -> impl Iterator<Item = (Kind, &ObjectMeta)> {
        fn of<K: TypedKind>(objects: &[K]) -> impl Iterator<Item = (Kind, &ObjectMeta)> {
            objects.iter().map(|object| (K::KIND, object.meta()))
        }
        of(&self.gateways)
            .chain(of(&self.http_routes))
            .chain(of(&self.grpc_routes))
            .chain(of(&self.tls_routes))
            .chain(of(&self.service_exports))
    }
}
