//! AccessLogPolicy: where VPC Lattice sends the access logs of a Gateway's
//! service network or of a route's service.

use super::policy::{NamespacedPolicyTargetReference, PolicyStatus};

/// The ARN of an S3 bucket, CloudWatch Logs log group or Firehose delivery
/// stream.
const DESTINATION_ARN_PATTERN: &str =
    r"^arn(:[a-z0-9]+([.-][a-z0-9]+)*){2}(:([a-z0-9]+([.-][a-z0-9]+)*)?){2}:([^/].*)?";

custom_resource! {
    gateway_api
    /// An access log subscription for the Gateway, HTTPRoute or GRPCRoute
    /// `targetRef` names.
    #[kube(kind = "AccessLogPolicy", plural = "accesslogpolicies", shortname = "alp")]
    #[kube(namespaced, status = "PolicyStatus")]
    #[kube(doc = "An access log subscription of a Gateway, HTTPRoute or GRPCRoute.")]
    pub struct AccessLogPolicySpec {
        /// The ARN of the log destination: an S3 bucket, a CloudWatch Logs log
        /// group or a Firehose delivery stream. Changing it replaces the
        /// subscription.
        #[schemars(pattern(DESTINATION_ARN_PATTERN))]
        pub destination_arn: String,
        /// The Gateway, HTTPRoute or GRPCRoute the policy applies to.
        pub target_ref: NamespacedPolicyTargetReference,
    }
}
