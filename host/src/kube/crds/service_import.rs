//! ServiceImport: a service imported from the clusters of a ClusterSet (the
//! Kubernetes multi-cluster services API, in this group).

use k8s_openapi::api::core::v1::SessionAffinityConfig;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::CustomResourceExt;
use schemars::{JsonSchema, Schema};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

custom_resource! {
    /// A service imported from the clusters of a ClusterSet: a route backend
    /// resolved to the target groups some cluster's ServiceExport created.
    #[derive(Default)]
    #[kube(kind = "ServiceImport", plural = "serviceimports")]
    #[kube(namespaced, status = "ServiceImportStatus", derive = "Default")]
    #[kube(doc = "A service imported from the clusters of a ClusterSet.")]
    #[schemars(transform = ports_required)]
    pub struct ServiceImportSpec {
        /// The ports of the imported service. The schema requires them; the
        /// manifests Trellis reads offline may omit them.
        #[serde(default)]
        #[schemars(extend("x-kubernetes-list-type" = "atomic"))]
        pub ports: Vec<ServiceImportPort>,
        /// The VIP when `type` is ClusterSetIP (at most one).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        #[schemars(length(max = 1))]
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
}

/// Makes `ports` required in the schema of a ServiceImport spec, without the
/// default serde's `default` gives it.
fn ports_required(schema: &mut Schema) {
    if let Some(Value::Object(ports)) = schema
        .get_mut("properties")
        .and_then(|properties| properties.get_mut("ports"))
    {
        ports.remove("default");
    }
    match schema.get_mut("required") {
        Some(Value::Array(required)) => required.insert(0, json!("ports")),
        _ => {
            schema.insert("required".to_owned(), json!(["ports"]));
        }
    }
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
    /// The exporting clusters the import is derived from, at most one entry
    /// per cluster.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(extend(
        "x-kubernetes-list-type" = "map",
        "x-kubernetes-list-map-keys" = ["cluster"]
    ))]
    pub clusters: Vec<ClusterStatus>,
}

/// An exporting cluster of a ServiceImport.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ClusterStatus {
    /// The exporting cluster's name.
    pub cluster: String,
}

/// The CRD: [`ServiceImport::crd`] with `spec` optional and, as upstream's,
/// without a status subresource.
pub(super) fn definition() -> CustomResourceDefinition {
    let mut crd = ServiceImport::crd();
    super::optional_spec(&mut crd, None);
    super::without_status_subresource(&mut crd);
    crd
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparse_import_specs_parse() {
        let import: ServiceImportSpec =
            serde_yaml_ng::from_str("type: ClusterSetIP\nports: [{port: 80, protocol: TCP}]")
                .unwrap();
        assert_eq!(import.type_, ServiceImportType::ClusterSetIP);
        assert_eq!(import.ports[0].port, 80);
        assert!(serde_yaml_ng::from_str::<ServiceImportSpec>("type: ClusterIP").is_err());
    }
}
