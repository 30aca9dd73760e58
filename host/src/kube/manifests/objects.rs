//! Reading the YAML documents of one file into typed objects.
//!
//! Each file is parsed twice: once into untyped values to learn each
//! document's apiVersion, kind and name, then once more document by
//! document straight into the kind's type, so that a schema error carries
//! serde's field path and its line in the file.

use std::path::Path;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_yaml_ng::{Deserializer, Value};

use super::{ManifestError, Manifests};
use crate::kube::crds::{
    ServiceExport, ServiceExportSpec, ServiceExportStatus, ServiceImport, ServiceImportSpec,
    ServiceImportStatus,
};
use crate::object::{Kind, ObjectRef};

/// The namespace of a namespaced object that names none.
const DEFAULT_NAMESPACE: &str = "default";
/// Reads every object of the file at `path` into `manifests`.
pub(super) fn read_file(path: &Path, manifests: &mut Manifests) -> Result<(), ManifestError> {
    let text = std::fs::read_to_string(path).map_err(|source| ManifestError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    read_text(path, &text, manifests)
}

/// Reads every object of `text`, the contents of `path`, into `manifests`.
pub(super) fn read_text(
    path: &Path,
    text: &str,
    manifests: &mut Manifests,
) -> Result<(), ManifestError> {
    let heads = heads(path, text)?;
    for ((index, document), head) in Deserializer::from_str(text).enumerate().zip(heads) {
        if let Some(head) = head {
            let at = At {
                path,
                document: index + 1,
                head: &head,
            };
            at.read(document, manifests)?;
        }
    }
    Ok(())
}

/// What identifies a document's object.
struct Head {
    group: String,
    kind: String,
    namespace: Option<String>,
    name: String,
}

/// One head per document; `None` for an empty document.
fn heads(path: &Path, text: &str) -> Result<Vec<Option<Head>>, ManifestError> {
    let mut heads = Vec::new();
    for (index, document) in Deserializer::from_str(text).enumerate() {
        let document_number = index + 1;
        let value = Value::deserialize(document).map_err(|source| ManifestError::Syntax {
            path: path.to_path_buf(),
            document: document_number,
            source,
        })?;
        let head = head(&value).map_err(|message| ManifestError::NotAnObject {
            path: path.to_path_buf(),
            document: document_number,
            message: message.to_owned(),
        })?;
        heads.push(head);
    }
    Ok(heads)
}

fn head(value: &Value) -> Result<Option<Head>, &'static str> {
    if value.is_null() {
        return Ok(None);
    }
    if !value.is_mapping() {
        return Err("not a Kubernetes object (a mapping with apiVersion, kind and metadata)");
    }
    let api_version = text(value.get("apiVersion")).ok_or("missing apiVersion")?;
    let kind = text(value.get("kind")).ok_or("missing kind")?;
    let metadata = value.get("metadata");
    let name =
        text(metadata.and_then(|metadata| metadata.get("name"))).ok_or("missing metadata.name")?;
    let namespace = text(metadata.and_then(|metadata| metadata.get("namespace")));
    let group = api_version
        .rsplit_once('/')
        .map_or("", |(group, _version)| group);
    Ok(Some(Head {
        group: group.to_owned(),
        kind: kind.to_owned(),
        namespace: namespace.map(str::to_owned),
        name: name.to_owned(),
    }))
}

/// The non-empty string `value` holds, if any.
fn text(value: Option<&Value>) -> Option<&str> {
    value
        .and_then(Value::as_str)
        .filter(|text| !text.is_empty())
}

/// A document being read.
struct At<'a> {
    path: &'a Path,
    document: usize,
    head: &'a Head,
}

impl At<'_> {
    fn read(
        &self,
        document: Deserializer<'_>,
        manifests: &mut Manifests,
    ) -> Result<(), ManifestError> {
        let snapshot = &mut manifests.snapshot;
        let head = self.head;
        let Some(kind) = Kind::parse_api(&head.group, &head.kind) else {
            *manifests.skipped.entry(head.kind.clone()).or_default() += 1;
            return Ok(());
        };
        match kind {
            Kind::GatewayClass => snapshot.gateway_classes.push(self.parse(kind, document)?),
            Kind::Gateway => snapshot.gateways.push(self.parse(kind, document)?),
            Kind::HttpRoute => snapshot.http_routes.push(self.parse(kind, document)?),
            Kind::GrpcRoute => snapshot.grpc_routes.push(self.parse(kind, document)?),
            Kind::TlsRoute => snapshot.tls_routes.push(self.parse(kind, document)?),
            Kind::Service => snapshot.services.push(self.parse(kind, document)?),
            Kind::Namespace => snapshot.namespaces.push(self.parse(kind, document)?),
            Kind::EndpointSlice => snapshot.endpoint_slices.push(self.parse(kind, document)?),
            Kind::ServiceExport => snapshot
                .service_exports
                .push(self.parse::<Sparse<_, _>>(kind, document)?.into()),
            Kind::ServiceImport => snapshot
                .service_imports
                .push(self.parse::<Sparse<_, _>>(kind, document)?.into()),
            Kind::ServiceNetwork
            | Kind::TargetGroupPolicy
            | Kind::IamAuthPolicy
            | Kind::AccessLogPolicy
            | Kind::VpcAssociationPolicy => snapshot.policies.push(self.parse(kind, document)?),
            Kind::Cluster => unreachable!("parse_api never answers Cluster"),
        }
        Ok(())
    }

    /// Deserializes the document as `T`; a namespaced object without a
    /// namespace gets `default`.
    fn parse<T: DeserializeOwned + HasMetadata>(
        &self,
        kind: Kind,
        document: Deserializer<'_>,
    ) -> Result<T, ManifestError> {
        let namespaced = kind.is_namespaced();
        let namespace = match (&self.head.namespace, namespaced) {
            (Some(namespace), _) => namespace.as_str(),
            (None, true) => DEFAULT_NAMESPACE,
            (None, false) => "",
        };
        let mut object = T::deserialize(document).map_err(|source| ManifestError::Object {
            path: self.path.to_path_buf(),
            document: self.document,
            object: ObjectRef::new(kind, namespace, &self.head.name),
            source,
        })?;
        let metadata = object.metadata_mut();
        if namespaced && metadata.namespace.is_none() {
            metadata.namespace = Some(DEFAULT_NAMESPACE.to_owned());
        }
        Ok(object)
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kube::testing::manifests;

    #[test]
    fn objects_are_dispatched_by_group_and_kind() {
        let read = manifests(
            r#"
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: amazon-vpc-lattice}
spec: {controllerName: application-networking.k8s.aws/gateway-api-controller}
---
apiVersion: gateway.networking.k8s.io/v1alpha2
kind: TLSRoute
metadata: {name: tls}
spec:
  hostnames: [a.example.com]
  rules: [{backendRefs: [{name: web, port: 443}]}]
---
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {team: a}}
---
apiVersion: application-networking.k8s.aws/v1alpha1
kind: ServiceExport
metadata: {name: web, namespace: shop}
---
apiVersion: application-networking.k8s.aws/v1alpha1
kind: TargetGroupPolicy
metadata: {name: tgp}
spec: {targetRef: {group: "", kind: Service, name: web}, protocol: HTTP}
---
apiVersion: application-networking.k8s.aws/v1alpha1
kind: ServiceNetwork
metadata: {name: my-network}
---
# an empty document
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec: {}
"#,
        )
        .unwrap();
        let snapshot = &read.snapshot;
        assert_eq!(snapshot.gateway_classes[0].metadata.namespace, None);
        assert_eq!(
            snapshot.tls_routes[0].metadata.namespace.as_deref(),
            Some("default")
        );
        assert_eq!(snapshot.namespaces[0].metadata.namespace, None);
        assert_eq!(snapshot.service_exports[0].spec.exported_ports, None);
        assert_eq!(
            snapshot.service_exports[0].metadata.namespace.as_deref(),
            Some("shop")
        );
        let policies: Vec<_> = snapshot
            .policies
            .iter()
            .map(|policy| {
                (
                    policy.metadata.namespace.as_deref(),
                    policy.data["spec"]["protocol"].as_str(),
                )
            })
            .collect();
        assert_eq!(policies, [(Some("default"), Some("HTTP")), (None, None)]);
        assert_eq!(read.skipped.get("Deployment"), Some(&1));
    }

    #[test]
    fn a_schema_error_names_document_object_and_field() {
        let error = manifests(
            r#"
apiVersion: v1
kind: Service
metadata: {name: web}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: my-route}
spec:
  rules:
  - matches: [{path: {type: Prefix, value: /}}]
"#,
        )
        .unwrap_err();
        let message = error.to_string();
        assert!(
            message.contains("objects.yaml: document 2 (HTTPRoute default/my-route): "),
            "{message}"
        );
        assert!(
            message.contains("spec.rules[0].matches[0].path.type: unknown variant `Prefix`"),
            "{message}"
        );
        assert!(
            message.contains("line 11"),
            "the line is the file's: {message}"
        );
    }

    #[test]
    fn documents_that_are_no_objects_are_errors() {
        let missing_kind = manifests("apiVersion: v1\nmetadata: {name: x}\n").unwrap_err();
        assert!(
            missing_kind
                .to_string()
                .ends_with("objects.yaml: document 1: missing kind"),
            "{missing_kind}"
        );
        let scalar =
            manifests("apiVersion: v1\nkind: Service\nmetadata: {name: a}\n---\njust text\n")
                .unwrap_err();
        assert!(
            scalar
                .to_string()
                .contains("document 2: not a Kubernetes object"),
            "{scalar}"
        );
        let syntax = manifests("apiVersion: v1\nkind: [\n").unwrap_err();
        assert!(
            matches!(syntax, ManifestError::Syntax { document: 1, .. }),
            "{syntax}"
        );
    }
}
