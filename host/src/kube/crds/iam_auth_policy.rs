//! IAMAuthPolicy: the VPC Lattice auth policy of a Gateway's service network
//! or of a route's service.

use super::policy::{NamespacedPolicyTargetReference, PolicyStatus};

custom_resource! {
    gateway_api
    /// An IAM auth policy for the Gateway, HTTPRoute or GRPCRoute `targetRef`
    /// names. While the policy exists the target's auth type is `AWS_IAM`; once
    /// it is deleted, `NONE`.
    #[kube(kind = "IAMAuthPolicy", plural = "iamauthpolicies", shortname = "iap")]
    #[kube(namespaced, status = "PolicyStatus")]
    #[kube(doc = "The IAM auth policy of a Gateway, HTTPRoute or GRPCRoute.")]
    pub struct IAMAuthPolicySpec {
        /// The policy document: JSON in IAM policy syntax (see "Auth policies"
        /// in the VPC Lattice User Guide).
        pub policy: String,
        /// The Gateway, HTTPRoute or GRPCRoute the policy applies to.
        pub target_ref: NamespacedPolicyTargetReference,
    }
}
