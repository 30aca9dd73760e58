//! TargetGroupPolicy: how the VPC Lattice target groups of a Service (or a
//! ServiceExport) route and health-check.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::policy::{NamespacedPolicyTargetReference, PolicyStatus};

custom_resource! {
    gateway_api
    /// Target group settings for the Service (or ServiceExport) `targetRef`
    /// names. Changing `protocol` or `protocolVersion` replaces the target
    /// groups; changing `healthCheck` updates them in place.
    #[kube(kind = "TargetGroupPolicy", plural = "targetgrouppolicies", shortname = "tgp")]
    #[kube(namespaced, status = "PolicyStatus")]
    #[kube(doc = "Target group settings (protocol, health check) for a Service or ServiceExport.")]
    pub struct TargetGroupPolicySpec {
        /// The protocol to the targets: `HTTP` (the default), `HTTPS` or `TCP`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub protocol: Option<String>,
        /// The HTTP version to the targets: `HTTP1` (the default) or `HTTP2`;
        /// ignored for `TCP`, and behind a GRPCRoute (always HTTP/2).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub protocol_version: Option<String>,
        /// The Service or ServiceExport the policy applies to.
        pub target_ref: NamespacedPolicyTargetReference,
        /// How VPC Lattice checks the targets' health.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub health_check: Option<HealthCheckConfig>,
    }
}

/// The health check of a VPC Lattice target group; unset fields keep VPC
/// Lattice's defaults.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct HealthCheckConfig {
    /// Whether targets are health-checked at all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// Seconds between two checks of one target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 5, max = 300))]
    pub interval_seconds: Option<i64>,
    /// Seconds without a response after which a check fails.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 120))]
    pub timeout_seconds: Option<i64>,
    /// Consecutive successful checks that make an unhealthy target healthy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 2, max = 10))]
    pub healthy_threshold_count: Option<i64>,
    /// Consecutive failed checks that make a healthy target unhealthy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 2, max = 10))]
    pub unhealthy_threshold_count: Option<i64>,
    /// The HTTP status codes of a successful check, e.g. `200` or
    /// `200-299`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_match: Option<String>,
    /// The path checks request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The port checks go to; the target's traffic port when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 65535))]
    pub port: Option<i64>,
    /// The protocol of the checks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<HealthCheckProtocol>,
    /// The HTTP version of the checks (HTTP/1.1 when unset).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol_version: Option<HealthCheckProtocolVersion>,
}

/// The protocol of health checks.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum HealthCheckProtocol {
    /// Plain HTTP.
    Http,
    /// HTTP over TLS.
    Https,
}

/// The HTTP version of health checks.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, JsonSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum HealthCheckProtocolVersion {
    /// HTTP/1.1.
    Http1,
    /// HTTP/2.
    Http2,
}
