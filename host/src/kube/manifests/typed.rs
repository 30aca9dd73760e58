//! The last pass: each object, identified and checked, deserialized from
//! its document into its kind's type, so that an error carries serde's
//! field path and the line in the file.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_yaml_ng::Deserializer;

use super::identify::{DEFAULT_NAMESPACE, Head};
use crate::kube::Snapshot;
use crate::kube::crds::{
    ServiceExport, ServiceExportSpec, ServiceExportStatus, ServiceImport, ServiceImportSpec,
    ServiceImportStatus,
};
use crate::object::Kind;

/// Reads `document`, the object `head` identifies, into `snapshot`; a
/// namespaced object without a namespace gets `default`.
pub(super) fn read(
    head: &Head,
    document: Deserializer<'_>,
    snapshot: &mut Snapshot,
) -> Result<(), serde_yaml_ng::Error> {
    let kind = head.kind;
    match kind {
        Kind::GatewayClass => snapshot.gateway_classes.push(parse(kind, document)?),
        Kind::Gateway => snapshot.gateways.push(parse(kind, document)?),
        Kind::HttpRoute => snapshot.http_routes.push(parse(kind, document)?),
        Kind::GrpcRoute => snapshot.grpc_routes.push(parse(kind, document)?),
        Kind::TlsRoute => snapshot.tls_routes.push(parse(kind, document)?),
        Kind::Service => snapshot.services.push(parse(kind, document)?),
        Kind::Namespace => snapshot.namespaces.push(parse(kind, document)?),
        Kind::EndpointSlice => snapshot.endpoint_slices.push(parse(kind, document)?),
        Kind::ServiceExport => snapshot
            .service_exports
            .push(parse::<Sparse<_, _>>(kind, document)?.into()),
        Kind::ServiceImport => snapshot
            .service_imports
            .push(parse::<Sparse<_, _>>(kind, document)?.into()),
        Kind::ServiceNetwork
        | Kind::TargetGroupPolicy
        | Kind::IamAuthPolicy
        | Kind::AccessLogPolicy
        | Kind::VpcAssociationPolicy => snapshot.policies.push(parse(kind, document)?),
        Kind::Cluster => unreachable!("no document is identified as the cluster"),
    }
    Ok(())
}

/// Deserializes the document as `T`; a namespaced object without a
/// namespace gets `default`.
fn parse<T: DeserializeOwned + HasMetadata>(
    kind: Kind,
    document: Deserializer<'_>,
) -> Result<T, serde_yaml_ng::Error> {
    let mut object = T::deserialize(document)?;
    let metadata = object.metadata_mut();
    if kind.is_namespaced() && metadata.namespace.is_none() {
        metadata.namespace = Some(DEFAULT_NAMESPACE.to_owned());
    }
    Ok(object)
}

/// Objects whose metadata the reader completes.
trait HasMetadata {
    fn metadata_mut(&mut self) -> &mut ObjectMeta;
}

impl<K: kube::Resource> HasMetadata for K {
    fn metadata_mut(&mut self) -> &mut ObjectMeta {
        self.meta_mut()
    }
}

/// A ServiceExport or ServiceImport as upstream's CRD allows it: `spec` and
/// `status` optional.
#[derive(Deserialize)]
#[serde(bound(deserialize = "S: Deserialize<'de> + Default, T: Deserialize<'de>"))]
struct Sparse<S, T> {
    metadata: ObjectMeta,
    #[serde(default)]
    spec: S,
    #[serde(default)]
    status: Option<T>,
}

/// The typed object a [`Sparse`] one stands for.
macro_rules! from_sparse {
    ($($kind:ident ($spec:ident, $status:ident)),*) => {
        $(impl From<Sparse<$spec, $status>> for $kind {
            fn from(sparse: Sparse<$spec, $status>) -> Self {
                $kind {
                    metadata: sparse.metadata,
                    spec: sparse.spec,
                    status: sparse.status,
                }
            }
        })*
    };
}

from_sparse!(
    ServiceExport(ServiceExportSpec, ServiceExportStatus),
    ServiceImport(ServiceImportSpec, ServiceImportStatus)
);

impl<S, T> HasMetadata for Sparse<S, T> {
    fn metadata_mut(&mut self) -> &mut ObjectMeta {
        &mut self.metadata
    }
}
