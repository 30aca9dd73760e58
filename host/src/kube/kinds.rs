//! The Rust type of each kind Trellis reads typed, tied to its [`Kind`].

use gateway_api::apis::standard::{
    gatewayclasses::GatewayClass, gateways::Gateway, grpcroutes::GrpcRoute, httproutes::HttpRoute,
    tlsroutes::TlsRoute,
};
use k8s_openapi::api::core::v1::{Namespace, Service};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use kube::core::DynamicObject;

use super::crds::{ServiceExport, ServiceImport};
use crate::object::{Kind, ObjectRef};

/// A Kubernetes type that holds objects of one [`Kind`].
pub trait TypedKind: kube::Resource<DynamicType = ()> {
    /// The kind its objects are.
    const KIND: Kind;

    /// A reference to `object`.
    fn reference(object: &Self) -> ObjectRef {
        let meta = object.meta();
        ObjectRef::new(
            Self::KIND,
            meta.namespace.as_deref().unwrap_or_default(),
            meta.name.as_deref().unwrap_or_default(),
        )
    }
}

/// The kind of an untyped object (a policy or ServiceNetwork object), if
/// it says one Trellis reads.
pub fn kind_of(object: &DynamicObject) -> Option<Kind> {
    object
        .types
        .as_ref()
        .and_then(|types| Kind::parse(&types.kind))
}

macro_rules! typed_kinds {
    ($($type:ty => $kind:ident),* $(,)?) => {
        $(impl TypedKind for $type {
            const KIND: Kind = Kind::$kind;
        })*
    };
}

typed_kinds! {
    GatewayClass => GatewayClass,
    Gateway => Gateway,
    HttpRoute => HttpRoute,
    GrpcRoute => GrpcRoute,
    TlsRoute => TlsRoute,
    Service => Service,
    EndpointSlice => EndpointSlice,
    Namespace => Namespace,
    ServiceExport => ServiceExport,
    ServiceImport => ServiceImport,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_type_is_the_kind_kubernetes_calls_it() {
        fn check<K: TypedKind>() {
            assert_eq!(K::kind(&()), K::KIND.as_str());
            assert_eq!(K::group(&()), K::KIND.group());
        }
        check::<GatewayClass>();
        check::<Gateway>();
        check::<HttpRoute>();
        check::<GrpcRoute>();
        check::<TlsRoute>();
        check::<Service>();
        check::<EndpointSlice>();
        check::<Namespace>();
        check::<ServiceExport>();
        check::<ServiceImport>();
    }
}
