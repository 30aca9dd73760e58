//! TargetGroupPolicy: target group protocol, protocol version and health
//! check (upstream-spec §4.9).
//!
//! The host attaches the policies whose `targetRef` names the Service or
//! ServiceExport, oldest first; the oldest TargetGroupPolicy wins.

use serde::Deserialize;

use crate::{AttachedPolicy, HealthCheck, PluginError, refuse};

const KIND: &str = "TargetGroupPolicy";

/// The fields of a TargetGroupPolicy `spec` the plugin reads.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TargetGroupPolicy {
    /// `HTTP`, `HTTPS` or `TCP`.
    pub protocol: Option<String>,
    /// `HTTP1`, `HTTP2` or `GRPC`.
    pub protocol_version: Option<String>,
    /// The health check.
    pub health_check: Option<HealthCheckPolicy>,
}

/// `spec.healthCheck`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct HealthCheckPolicy {
    enabled: Option<bool>,
    interval_seconds: Option<u32>,
    timeout_seconds: Option<u32>,
    healthy_threshold_count: Option<u32>,
    unhealthy_threshold_count: Option<u32>,
    status_match: Option<String>,
    path: Option<String>,
    port: Option<u16>,
    protocol: Option<String>,
    protocol_version: Option<String>,
}

impl HealthCheckPolicy {
    /// The Lattice health check; unset fields take Lattice's values.
    pub(crate) fn to_health_check(&self) -> HealthCheck {
        HealthCheck {
            enabled: self.enabled,
            interval_seconds: self.interval_seconds,
            timeout_seconds: self.timeout_seconds,
            healthy_threshold_count: self.healthy_threshold_count,
            unhealthy_threshold_count: self.unhealthy_threshold_count,
            matcher: self.status_match.clone(),
            path: self.path.clone(),
            port: self.port,
            protocol: self.protocol.clone(),
            protocol_version: self.protocol_version.clone(),
        }
    }
}

/// The winning (oldest) TargetGroupPolicy among `policies`, parsed.
pub(crate) fn winner(
    policies: &[AttachedPolicy],
) -> Result<Option<TargetGroupPolicy>, PluginError> {
    let Some(policy) = policies.iter().find(|policy| policy.meta.kind == KIND) else {
        return Ok(None);
    };
    let shown = format!(
        "TargetGroupPolicy {}/{}",
        policy.meta.namespace, policy.meta.name
    );
    let parsed: TargetGroupPolicy = serde_json::from_str(&policy.spec).map_err(|error| {
        refuse(
            "InvalidPolicy",
            format!("{shown} spec"),
            format!("{shown}: {error}"),
        )
    })?;
    if parsed.protocol.as_deref() == Some("TCP") && parsed.protocol_version.is_some() {
        return Err(refuse(
            "InvalidPolicy",
            format!("{shown} spec.protocolVersion"),
            "protocolVersion is not supported for TCP protocol TargetGroupPolicy",
        ));
    }
    Ok(Some(parsed))
}

/// Protocol and version from `policy` over the defaults: the policy's
/// protocol replaces the default; its version applies unless the protocol is
/// TCP, which has none.
pub(crate) fn protocol(
    policy: Option<&TargetGroupPolicy>,
    default_protocol: &str,
    default_version: Option<&str>,
) -> (String, Option<String>) {
    let protocol = policy
        .and_then(|policy| policy.protocol.clone())
        .unwrap_or_else(|| default_protocol.to_owned());
    if protocol == "TCP" {
        return (protocol, None);
    }
    let version = policy
        .and_then(|policy| policy.protocol_version.clone())
        .or_else(|| default_version.map(str::to_owned))
        .or_else(|| Some("HTTP1".to_owned()));
    (protocol, version)
}
