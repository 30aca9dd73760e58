//! ServiceNetwork: a cluster-scoped VPC Lattice service network whose
//! lifecycle the controller manages.

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use kube::CustomResourceExt;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::policy::{not_reconciled_by_default, pending_accepted_and_programmed};

custom_resource! {
    gateway_api
    /// A VPC Lattice service network named after the object. The spec has no
    /// fields yet.
    #[derive(Default)]
    #[kube(kind = "ServiceNetwork", plural = "servicenetworks", shortname = "sn")]
    #[kube(status = "ServiceNetworkStatus", derive = "Default")]
    #[kube(printcolumn(name = "ARN", type_ = "string", json_path = ".status.serviceNetworkARN"))]
    #[kube(doc = "A cluster-scoped VPC Lattice service network managed by the controller.")]
    pub struct ServiceNetworkSpec {}
}

/// The status of a ServiceNetwork.
///
/// The API server fills in an `Accepted` condition of status `Unknown` on
/// creation (the schema's default), until the controller writes its own.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(transform = not_reconciled_by_default)]
pub struct ServiceNetworkStatus {
    /// The service network's conditions (`Accepted`, `Programmed`), at most
    /// one per type.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(schema_with = "pending_accepted_and_programmed")]
    pub conditions: Vec<Condition>,
    /// The service network's ARN, once created.
    #[serde(
        rename = "serviceNetworkARN",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub service_network_arn: Option<String>,
    /// The service network's ID, once created.
    #[serde(
        rename = "serviceNetworkID",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub service_network_id: Option<String>,
}

/// The CRD: [`ServiceNetwork::crd`] with `spec` optional and defaulting to
/// `{}`, as a ServiceNetwork manifest usually has no spec.
pub(super) fn definition() -> CustomResourceDefinition {
    let mut crd = ServiceNetwork::crd();
    super::optional_spec(&mut crd, Some(serde_json::json!({})));
    crd
}
