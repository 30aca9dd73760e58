//! Target groups and their targets: find or create, health check updates,
//! target registration and deregistration in batches of
//! [`MAX_TARGETS_PER_CALL`].

use crate::lattice::model::{
    DeregisterTargetsInput, HealthCheckConfig, Matcher, RegisterTargetsInput, TagResourceInput,
    Target, TargetGroup, TargetGroupConfig, UpdateTargetGroupInput,
};
use crate::lattice::{LatticeError, MAX_TARGETS_PER_CALL};
use crate::reconcile::translate::desired::DesiredTargetGroup;

use super::deletion::Deletion;
use super::{Applier, CONTROLLER_TAG_PREFIX, tags};

impl Applier<'_> {
    /// Ensures a target group exists with its health check, tags and exactly
    /// its targets; returns its id.
    pub async fn target_group(
        &mut self,
        desired: &DesiredTargetGroup,
    ) -> Result<String, LatticeError> {
        // Only groups holding every controller tag can be the same group.
        let owned: Vec<(&str, &str)> = desired
            .input
            .tags
            .iter()
            .filter(|(key, _)| key.starts_with(CONTROLLER_TAG_PREFIX))
            .map(|(key, value)| (key.as_str(), value.as_str()))
            .collect();
        let candidates = self.lattice.target_groups_tagged(&owned).await?;
        let group = match candidates
            .into_iter()
            .find(|group| is_same_target_group(group, desired))
        {
            Some(group) => {
                self.update_target_group(&group, desired).await?;
                group
            }
            None => {
                self.record("CreateTargetGroup", &desired.input);
                self.lattice
                    .create_target_group(desired.input.clone())
                    .await?
            }
        };
        self.ensured.push(group.id.clone());
        self.targets(&group.id, &desired.targets).await?;
        Ok(group.id)
    }

    /// Brings an existing group's health check and tags to `desired`. With
    /// no health check desired (no TargetGroupPolicy sets one, e.g. the
    /// policy was deleted), a group whose health check is not Lattice's
    /// default gets the default back.
    async fn update_target_group(
        &mut self,
        group: &TargetGroup,
        desired: &DesiredTargetGroup,
    ) -> Result<(), LatticeError> {
        let current = group.config.health_check.as_ref();
        let update = match &desired.input.config.health_check {
            Some(wanted) => (!health_check_holds(current, wanted)).then(|| wanted.clone()),
            None => {
                let default = default_health_check(&group.config);
                let is_default = current.is_none_or(|current| {
                    health_check_holds(Some(current), &default) && current.port.is_none()
                });
                (!is_default).then_some(default)
            }
        };
        if let Some(health_check) = update {
            let input = UpdateTargetGroupInput {
                target_group_identifier: group.id.clone(),
                health_check,
            };
            self.record("UpdateTargetGroup", &input);
            self.lattice.update_target_group(input).await?;
        }
        let missing = tags::missing(&group.tags, &desired.input.tags);
        if !missing.is_empty() {
            let input = TagResourceInput {
                resource_arn: group.arn.clone(),
                tags: missing,
            };
            self.record("TagResource", &input);
            self.lattice.tag_resource(input).await?;
        }
        Ok(())
    }

    /// Registers the `desired` targets `group_id` lacks and deregisters the
    /// ones it should not have, in batches of at most 100.
    pub async fn targets(
        &mut self,
        group_id: &str,
        desired: &[Target],
    ) -> Result<(), LatticeError> {
        let registered = self.lattice.list_targets(group_id).await?;
        let stale: Vec<Target> = registered
            .iter()
            .filter(|target| !desired.contains(target))
            .cloned()
            .collect();
        for batch in stale.chunks(MAX_TARGETS_PER_CALL) {
            let input = DeregisterTargetsInput {
                target_group_identifier: group_id.to_owned(),
                targets: batch.to_vec(),
            };
            self.record("DeregisterTargets", &input);
            self.lattice.deregister_targets(input).await?;
        }
        let missing: Vec<Target> = desired
            .iter()
            .filter(|target| !registered.contains(target))
            .cloned()
            .collect();
        for batch in missing.chunks(MAX_TARGETS_PER_CALL) {
            let input = RegisterTargetsInput {
                target_group_identifier: group_id.to_owned(),
                targets: batch.to_vec(),
            };
            self.record("RegisterTargets", &input);
            self.lattice.register_targets(input).await?;
        }
        Ok(())
    }

    /// Deregisters every target of `group` and deletes it.
    pub async fn delete_target_group(&mut self, group: &TargetGroup) -> Result<(), LatticeError> {
        self.targets(&group.id, &[]).await?;
        self.delete(Deletion::TargetGroup(&group.id)).await
    }
}

/// The health check Lattice gives a group of `config`'s protocol and version
/// when none is set (upstream `getDefaultHealthCheckConfig`, after the
/// Lattice user guide): off for `TCP`; otherwise `HTTP` `GET /` every 30 s,
/// 5 s timeout, 5 healthy and 2 unhealthy, matcher `200`, on the traffic
/// port, protocol version the group's (`HTTP1` for `GRPC` and none), and on
/// only for `HTTP1` groups.
fn default_health_check(config: &TargetGroupConfig) -> HealthCheckConfig {
    if config.protocol == "TCP" {
        return HealthCheckConfig {
            enabled: Some(false),
            ..HealthCheckConfig::default()
        };
    }
    let version = match config.protocol_version.as_deref() {
        None | Some("") => "HTTP1",
        Some(version) => version,
    };
    let check_version = if version == "GRPC" { "HTTP1" } else { version };
    HealthCheckConfig {
        enabled: Some(version == "HTTP1"),
        health_check_interval_seconds: Some(30),
        health_check_timeout_seconds: Some(5),
        healthy_threshold_count: Some(5),
        unhealthy_threshold_count: Some(2),
        matcher: Some(Matcher {
            http_code: "200".into(),
        }),
        path: Some("/".into()),
        port: None,
        protocol: Some("HTTP".into()),
        protocol_version: Some(check_version.into()),
    }
}

/// Whether every member `wanted` sets has that value in `current` (Lattice
/// fills the members left out with its defaults, which are not a change).
fn health_check_holds(current: Option<&HealthCheckConfig>, wanted: &HealthCheckConfig) -> bool {
    let current = current.cloned().unwrap_or_default();
    fn holds<T: PartialEq>(current: &Option<T>, wanted: &Option<T>) -> bool {
        wanted.is_none() || current == wanted
    }
    holds(&current.enabled, &wanted.enabled)
        && holds(
            &current.health_check_interval_seconds,
            &wanted.health_check_interval_seconds,
        )
        && holds(
            &current.health_check_timeout_seconds,
            &wanted.health_check_timeout_seconds,
        )
        && holds(
            &current.healthy_threshold_count,
            &wanted.healthy_threshold_count,
        )
        && holds(
            &current.unhealthy_threshold_count,
            &wanted.unhealthy_threshold_count,
        )
        && holds(&current.matcher, &wanted.matcher)
        && holds(&current.path, &wanted.path)
        && holds(&current.port, &wanted.port)
        && holds(&current.protocol, &wanted.protocol)
        && holds(&current.protocol_version, &wanted.protocol_version)
}

/// Whether `existing` is the target group `desired` describes: the same
/// immutable configuration and every controller tag of `desired` present with
/// the same value (upstream finds target groups by these tags, not by name).
fn is_same_target_group(existing: &TargetGroup, desired: &DesiredTargetGroup) -> bool {
    let wanted = &desired.input.config;
    let config = &existing.config;
    config.port == wanted.port
        && config.protocol == wanted.protocol
        && config.protocol_version == wanted.protocol_version
        && config.ip_address_type == wanted.ip_address_type
        && config.vpc_identifier == wanted.vpc_identifier
        && desired
            .input
            .tags
            .iter()
            .filter(|(key, _)| key.starts_with(CONTROLLER_TAG_PREFIX))
            .all(|(key, value)| existing.tags.get(key) == Some(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(protocol: &str, version: Option<&str>) -> TargetGroupConfig {
        TargetGroupConfig {
            port: 80,
            protocol: protocol.into(),
            protocol_version: version.map(str::to_owned),
            ip_address_type: "IPV4".into(),
            vpc_identifier: "vpc-0a1b2c3d4e5f60000".into(),
            health_check: None,
        }
    }

    #[test]
    fn lattice_default_health_checks_follow_protocol_and_version() {
        let tcp = default_health_check(&config("TCP", None));
        assert_eq!(
            tcp,
            HealthCheckConfig {
                enabled: Some(false),
                ..HealthCheckConfig::default()
            }
        );
        let http1 = default_health_check(&config("HTTP", None));
        assert_eq!(http1.enabled, Some(true));
        assert_eq!(http1.protocol_version.as_deref(), Some("HTTP1"));
        let grpc = default_health_check(&config("HTTPS", Some("GRPC")));
        assert_eq!(grpc.enabled, Some(false));
        assert_eq!(grpc.protocol_version.as_deref(), Some("HTTP1"));
        let http2 = default_health_check(&config("HTTP", Some("HTTP2")));
        assert_eq!(
            (http2.enabled, http2.protocol_version.as_deref()),
            (Some(false), Some("HTTP2"))
        );
        assert_eq!(http2.path.as_deref(), Some("/"));
        assert_eq!(http2.port, None);
    }
}
