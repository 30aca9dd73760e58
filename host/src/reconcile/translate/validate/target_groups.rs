//! Lattice's target group rules.

use super::{Checker, ValidationError};
use crate::plugin::bindings::types::{HealthCheck, TargetGroupKey, TargetGroupSpec};

/// Validates target group specs: unique keys, port 1-65535, protocol
/// `HTTP`/`HTTPS`/`TCP`, protocol version `HTTP1`/`HTTP2`/`GRPC` (none for
/// `TCP`), IP address type `IPV4`/`IPV6`, and health check ranges.
pub fn validate_target_groups(
    plugin: &str,
    specs: &[TargetGroupSpec],
) -> Result<(), ValidationError> {
    let check = Checker { plugin };
    check_target_groups(&check, "target-groups", specs)
}

pub(super) fn check_target_groups(
    check: &Checker<'_>,
    field: &str,
    specs: &[TargetGroupSpec],
) -> Result<(), ValidationError> {
    let mut keys: Vec<&TargetGroupKey> = Vec::new();
    for (index, spec) in specs.iter().enumerate() {
        let field = format!("{field}[{index}]");
        let key = &spec.key;
        check.ensure(!keys.contains(&key), format!("{field}.key"), || {
            format!(
                "target group key {}/{} port {:?} is given twice",
                key.namespace, key.name, key.port
            )
        })?;
        keys.push(key);
        check.ensure(spec.port > 0, format!("{field}.port"), || {
            "port 0; Lattice allows 1 to 65535".into()
        })?;
        check.ensure(
            ["HTTP", "HTTPS", "TCP"].contains(&spec.protocol.as_str()),
            format!("{field}.protocol"),
            || {
                format!(
                    "protocol {:?}; Lattice allows HTTP, HTTPS or TCP",
                    spec.protocol
                )
            },
        )?;
        match (spec.protocol.as_str(), spec.protocol_version.as_deref()) {
            ("TCP", None) | ("HTTP" | "HTTPS", Some("HTTP1" | "HTTP2" | "GRPC")) => {}
            (protocol, version) => {
                return Err(check.error(
                    format!("{field}.protocol-version"),
                    format!("protocol version {version:?} with protocol {protocol}; Lattice needs HTTP1, HTTP2 or GRPC for HTTP(S) and none for TCP"),
                ));
            }
        }
        check.ensure(
            ["IPV4", "IPV6"].contains(&spec.ip_address_type.as_str()),
            format!("{field}.ip-address-type"),
            || {
                format!(
                    "IP address type {:?}; Lattice allows IPV4 or IPV6",
                    spec.ip_address_type
                )
            },
        )?;
        if let Some(health_check) = &spec.health_check {
            check_health_check(check, &format!("{field}.health-check"), health_check)?;
        }
    }
    Ok(())
}

fn check_health_check(
    check: &Checker<'_>,
    field: &str,
    health: &HealthCheck,
) -> Result<(), ValidationError> {
    let ranges = [
        ("interval-seconds", health.interval_seconds, 5, 300),
        ("timeout-seconds", health.timeout_seconds, 1, 120),
        (
            "healthy-threshold-count",
            health.healthy_threshold_count,
            2,
            10,
        ),
        (
            "unhealthy-threshold-count",
            health.unhealthy_threshold_count,
            2,
            10,
        ),
    ];
    for (name, value, min, max) in ranges {
        if let Some(value) = value {
            check.ensure(
                (min..=max).contains(&value),
                format!("{field}.{name}"),
                || format!("{value}; Lattice allows {min} to {max}"),
            )?;
        }
    }
    if let Some(protocol) = &health.protocol {
        check.ensure(
            ["HTTP", "HTTPS"].contains(&protocol.as_str()),
            format!("{field}.protocol"),
            || format!("health check protocol {protocol:?}; Lattice allows HTTP or HTTPS"),
        )?;
    }
    if let Some(path) = &health.path {
        check.ensure(path.starts_with('/'), format!("{field}.path"), || {
            format!("health check path {path:?} must start with '/'")
        })?;
    }
    Ok(())
}
