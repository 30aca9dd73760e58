//! VpcAssociationPolicy: whether and how the cluster's VPC is associated
//! with the service network of a Gateway.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::policy::{NamespacedPolicyTargetReference, pending_accepted};

/// A security group ID such as `sg-0123456789abcdef0`.
const SECURITY_GROUP_ID_PATTERN: &str = "^sg-[0-9a-z]+$";

custom_resource! {
    gateway_api
    /// The VPC association of the service network the Gateway `targetRef`
    /// names.
    #[kube(kind = "VpcAssociationPolicy", plural = "vpcassociationpolicies", shortname = "vap")]
    #[kube(namespaced, status = "VpcAssociationPolicyStatus")]
    #[kube(doc = "The VPC association of the service network of a Gateway.")]
    pub struct VpcAssociationPolicySpec {
        /// The security groups of the association (at least one when set);
        /// ignored when `associateWithVpc` is false.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schemars(
            length(min = 1),
            inner(length(min = 3, max = 32), pattern(SECURITY_GROUP_ID_PATTERN))
        )]
        pub security_group_ids: Option<Vec<String>>,
        /// Whether the cluster's VPC is associated with the service network;
        /// true when unset.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub associate_with_vpc: Option<bool>,
        /// The Gateway the policy applies to.
        pub target_ref: NamespacedPolicyTargetReference,
    }
}

/// The status of a VpcAssociationPolicy. Unlike the other policies' it has
/// no default: only `conditions` defaults, to a pending `Accepted`.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct VpcAssociationPolicyStatus {
    /// The policy's conditions, at most one per type.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(schema_with = "pending_accepted")]
    pub conditions: Vec<Condition>,
}
