//! ServiceExport: a Service made consumable from the other clusters of a
//! ClusterSet (the Kubernetes multi-cluster services API, in this group).

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use kube::CustomResourceExt;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

custom_resource! {
    /// Declares that the Service with the same name and namespace (or the one
    /// named by the `application-networking.k8s.aws/service-name` annotation)
    /// is consumable from other clusters.
    #[derive(Default)]
    #[kube(kind = "ServiceExport", plural = "serviceexports")]
    #[kube(namespaced, status = "ServiceExportStatus", derive = "Default")]
    #[kube(doc = "A Service exported to the other clusters of a ClusterSet.")]
    pub struct ServiceExportSpec {
        /// The Service ports to export and the route type each is used with.
        /// Unset in the legacy form: the port then comes from the
        /// `application-networking.k8s.aws/port` annotation, and routes are HTTP.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub exported_ports: Option<Vec<ExportedPort>>,
    }
}

/// The ServiceExport annotation naming the Service it exports.
pub const SERVICE_NAME_ANNOTATION: &str = "application-networking.k8s.aws/service-name";

impl ServiceExport {
    /// The name of the Service it exports: the `service-name` annotation
    /// (trimmed) when set and not blank, else the export's own name.
    pub fn service_name(&self) -> &str {
        self.metadata
            .annotations
            .as_ref()
            .and_then(|annotations| annotations.get(SERVICE_NAME_ANNOTATION))
            .map(|annotated| annotated.trim())
            .filter(|annotated| !annotated.is_empty())
            .or(self.metadata.name.as_deref())
            .unwrap_or_default()
    }
}

/// A Service port a ServiceExport exports.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExportedPort {
    /// The Service port.
    pub port: i32,
    /// `HTTP`, `GRPC` or `TLS` (the schema admits only these).
    #[schemars(extend("enum" = ["HTTP", "GRPC", "TLS"]))]
    pub route_type: String,
}

/// The status of a ServiceExport (upstream's controller never writes it).
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ServiceExportStatus {
    /// Conditions such as `Valid` and `Conflict`, at most one per type.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(extend(
        "x-kubernetes-list-type" = "map",
        "x-kubernetes-list-map-keys" = ["type"]
    ))]
    pub conditions: Vec<ServiceExportCondition>,
}

/// One condition of a ServiceExport.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ServiceExportCondition {
    /// `Valid` or `Conflict`.
    #[serde(rename = "type")]
    pub type_: String,
    /// `True`, `False` or `Unknown` (the schema admits only these).
    #[schemars(extend("enum" = ["True", "False", "Unknown"]))]
    pub status: String,
    /// When the status last changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_transition_time: Option<Time>,
    /// Machine-readable reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Human-readable message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// The CRD: [`ServiceExport::crd`] with `spec` optional and defaulting to
/// `{}` (the legacy form has no spec), and, as upstream's, without a status
/// subresource.
pub(super) fn definition() -> CustomResourceDefinition {
    let mut crd = ServiceExport::crd();
    super::optional_spec(&mut crd, Some(serde_json::json!({})));
    super::without_status_subresource(&mut crd);
    crd
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparse_export_specs_parse() {
        let export: ServiceExportSpec = serde_yaml_ng::from_str("{}").unwrap();
        assert_eq!(export.exported_ports, None);
        let export: ServiceExportSpec =
            serde_yaml_ng::from_str("exportedPorts: [{port: 80, routeType: HTTP}]").unwrap();
        assert_eq!(export.exported_ports.unwrap()[0].route_type, "HTTP");
    }

    #[test]
    fn serializes_with_api_version_and_kind() {
        let export = ServiceExport::new("service-1", ServiceExportSpec::default());
        let json = serde_json::to_value(&export).unwrap();
        assert_eq!(
            json["apiVersion"],
            "application-networking.k8s.aws/v1alpha1"
        );
        assert_eq!(json["kind"], "ServiceExport");
    }
}
