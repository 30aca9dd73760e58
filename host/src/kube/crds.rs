//! The multi-cluster CRDs of `application-networking.k8s.aws/v1alpha1`:
//! ServiceExport and ServiceImport, schema-compatible with upstream
//! (`pkg/apis/applicationnetworking/v1alpha1` of
//! aws/aws-application-networking-k8s).
//!
//! Optional fields default so that sparse manifests parse; a ServiceExport or
//! ServiceImport manifest may omit `spec` altogether (see
//! [`crate::kube::manifests`]).

use k8s_openapi::api::core::v1::SessionAffinityConfig;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The API group of the Trellis (and upstream controller) CRDs.
pub const GROUP: &str = "application-networking.k8s.aws";

/// Declares that the Service with the same name and namespace (or the one
/// named by the `application-networking.k8s.aws/service-name` annotation)
/// is consumable from other clusters.
#[derive(CustomResource, Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[kube(
    group = "application-networking.k8s.aws",
    version = "v1alpha1",
    kind = "ServiceExport",
    plural = "serviceexports",
    namespaced,
    status = "ServiceExportStatus",
    derive = "Default",
    derive = "PartialEq"
)]
#[serde(rename_all = "camelCase")]
pub struct ServiceExportSpec {
    /// The Service ports to export and the route type each is used with;
    /// `None` for the legacy form (port from the `port` annotation, HTTP).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exported_ports: Option<Vec<ExportedPort>>,
}

/// A Service port a ServiceExport exports.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ExportedPort {
    /// The Service port.
    pub port: i32,
    /// `HTTP`, `GRPC` or `TLS`.
    pub route_type: String,
}

/// The status of a ServiceExport (upstream never writes it).
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ServiceExportStatus {
    /// Conditions such as `Valid` and `Conflict`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<ServiceExportCondition>,
}

/// One condition of a ServiceExport.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ServiceExportCondition {
    /// `Valid` or `Conflict`.
    #[serde(rename = "type")]
    pub type_: String,
    /// `True`, `False` or `Unknown`.
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

/// A service imported from the clusters of a ClusterSet: a route backend
/// resolved to the target groups some cluster's ServiceExport created.
#[derive(CustomResource, Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[kube(
    group = "application-networking.k8s.aws",
    version = "v1alpha1",
    kind = "ServiceImport",
    plural = "serviceimports",
    namespaced,
    status = "ServiceImportStatus",
    derive = "Default",
    derive = "PartialEq"
)]
#[serde(rename_all = "camelCase")]
pub struct ServiceImportSpec {
    /// The ports of the imported service.
    #[serde(default)]
    pub ports: Vec<ServiceImportPort>,
    /// The VIP when `type` is ClusterSetIP (at most one).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ips: Vec<String>,
    /// `ClusterSetIP` or `Headless`.
    #[serde(rename = "type")]
    pub type_: ServiceImportType,
    /// `ClientIP` or `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_affinity: Option<String>,
    /// Session affinity settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_affinity_config: Option<SessionAffinityConfig>,
}

/// How an imported service is addressed.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq, JsonSchema)]
pub enum ServiceImportType {
    /// Accessible through the ClusterSet IP.
    #[default]
    ClusterSetIP,
    /// Backend pods addressed directly.
    Headless,
}

/// A port of an imported service.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ServiceImportPort {
    /// The port's name (a DNS label).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `TCP` (the default), `UDP` or `SCTP`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
    /// The application protocol.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_protocol: Option<String>,
    /// The port number.
    pub port: i32,
}

/// The status of a ServiceImport.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ServiceImportStatus {
    /// The exporting clusters the import is derived from.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub clusters: Vec<ClusterStatus>,
}

/// An exporting cluster of a ServiceImport.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ClusterStatus {
    /// The exporting cluster's name.
    pub cluster: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparse_export_and_import_specs_parse() {
        let export: ServiceExportSpec = serde_yaml_ng::from_str("{}").unwrap();
        assert_eq!(export.exported_ports, None);
        let export: ServiceExportSpec =
            serde_yaml_ng::from_str("exportedPorts: [{port: 80, routeType: HTTP}]").unwrap();
        assert_eq!(export.exported_ports.unwrap()[0].route_type, "HTTP");

        let import: ServiceImportSpec =
            serde_yaml_ng::from_str("type: ClusterSetIP\nports: [{port: 80, protocol: TCP}]")
                .unwrap();
        assert_eq!(import.type_, ServiceImportType::ClusterSetIP);
        assert_eq!(import.ports[0].port, 80);
        assert!(serde_yaml_ng::from_str::<ServiceImportSpec>("type: ClusterIP").is_err());
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
