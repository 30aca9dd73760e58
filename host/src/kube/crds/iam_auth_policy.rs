//! IAMAuthPolicy: the VPC Lattice auth policy of a Gateway's service network
//! or of a route's service.

use kube::CustomResource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::policy::{NamespacedPolicyTargetReference, PolicyStatus};

/// An IAM auth policy for the Gateway, HTTPRoute or GRPCRoute `targetRef`
/// names. While the policy exists the target's auth type is `AWS_IAM`; once
/// it is deleted, `NONE`.
#[derive(CustomResource, Serialize, Deserialize, Clone, Debug, PartialEq, JsonSchema)]
#[kube(
    group = "application-networking.k8s.aws",
    version = "v1alpha1",
    doc = "The IAM auth policy of a Gateway, HTTPRoute or GRPCRoute.",
    kind = "IAMAuthPolicy",
    plural = "iamauthpolicies",
    shortname = "iap",
    category = "gateway-api",
    namespaced,
    status = "PolicyStatus",
    printcolumn(
        name = "Age",
        type_ = "date",
        json_path = ".metadata.creationTimestamp"
    ),
    derive = "PartialEq"
)]
#[serde(rename_all = "camelCase")]
pub struct IAMAuthPolicySpec {
    /// The policy document: JSON in IAM policy syntax (see "Auth policies"
    /// in the VPC Lattice User Guide).
    pub policy: String,
    /// The Gateway, HTTPRoute or GRPCRoute the policy applies to.
    pub target_ref: NamespacedPolicyTargetReference,
}
