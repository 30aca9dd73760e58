//! Conversions between Trellis's Lattice model and the AWS SDK's types.
//!
//! Contract: `to_sdk_*` fails only when a member the API requires is missing
//! (reported as a `ValidationException` naming the member); `from_sdk_*`
//! reads members the API always returns, and treats an absent one as empty.

use aws_sdk_vpclattice::types as sdk;

use crate::lattice::error::LatticeError;
use crate::lattice::model::{
    FixedResponseAction, ForwardAction, HeaderMatch, HeaderMatchType, HealthCheckConfig, HttpMatch,
    Matcher, PathMatch, PathMatchType, RuleAction, RuleMatch, Tags, Target, TargetGroupConfig,
    WeightedTargetGroup,
};

fn invalid(member: &str, error: impl std::fmt::Display) -> LatticeError {
    LatticeError::Validation {
        field: member.into(),
        message: error.to_string(),
    }
}

/// A non-negative integer member of an SDK shape, as the model's type.
pub fn narrow<T: TryFrom<i32> + Default>(value: Option<i32>) -> T {
    value
        .and_then(|value| T::try_from(value).ok())
        .unwrap_or_default()
}

pub fn to_sdk_action(action: &RuleAction) -> Result<sdk::RuleAction, LatticeError> {
    Ok(match action {
        RuleAction::Forward(forward) => {
            let groups = forward
                .target_groups
                .iter()
                .map(|group| {
                    sdk::WeightedTargetGroup::builder()
                        .target_group_identifier(&group.target_group_identifier)
                        .weight(i32::try_from(group.weight).unwrap_or(i32::MAX))
                        .build()
                        .map_err(|error| invalid("action.forward.targetGroups", error))
                })
                .collect::<Result<Vec<_>, _>>()?;
            sdk::RuleAction::Forward(
                sdk::ForwardAction::builder()
                    .set_target_groups(Some(groups))
                    .build()
                    .map_err(|error| invalid("action.forward", error))?,
            )
        }
        RuleAction::FixedResponse(fixed) => sdk::RuleAction::FixedResponse(
            sdk::FixedResponseAction::builder()
                .status_code(i32::from(fixed.status_code))
                .build()
                .map_err(|error| invalid("action.fixedResponse", error))?,
        ),
    })
}

pub fn from_sdk_action(action: Option<&sdk::RuleAction>) -> RuleAction {
    match action {
        Some(sdk::RuleAction::Forward(forward)) => RuleAction::Forward(ForwardAction {
            target_groups: forward
                .target_groups()
                .iter()
                .map(|group| WeightedTargetGroup {
                    target_group_identifier: group.target_group_identifier().to_owned(),
                    weight: narrow(group.weight()),
                })
                .collect(),
        }),
        Some(sdk::RuleAction::FixedResponse(fixed)) => {
            RuleAction::FixedResponse(FixedResponseAction {
                status_code: narrow(Some(fixed.status_code())),
            })
        }
        // An action Trellis does not write: show it as a 404, which differs
        // from every desired action and so gets replaced.
        _ => RuleAction::FixedResponse(FixedResponseAction { status_code: 404 }),
    }
}

pub fn to_sdk_match(rule_match: &RuleMatch) -> Result<sdk::RuleMatch, LatticeError> {
    let http = &rule_match.http_match;
    let path_match = http.path_match.as_ref().map(|path| {
        let value = match &path.match_ {
            PathMatchType::Exact(value) => sdk::PathMatchType::Exact(value.clone()),
            PathMatchType::Prefix(value) => sdk::PathMatchType::Prefix(value.clone()),
        };
        sdk::PathMatch::builder()
            .r#match(value)
            .case_sensitive(path.case_sensitive)
            .build()
    });
    let header_matches = http
        .header_matches
        .iter()
        .map(|header| {
            let HeaderMatchType::Exact(value) = &header.match_;
            sdk::HeaderMatch::builder()
                .name(&header.name)
                .r#match(sdk::HeaderMatchType::Exact(value.clone()))
                .case_sensitive(header.case_sensitive)
                .build()
                .map_err(|error| invalid("match.httpMatch.headerMatches", error))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(sdk::RuleMatch::HttpMatch(
        sdk::HttpMatch::builder()
            .set_method(http.method.clone())
            .set_path_match(path_match)
            .set_header_matches((!header_matches.is_empty()).then_some(header_matches))
            .build(),
    ))
}

pub fn from_sdk_match(rule_match: Option<&sdk::RuleMatch>) -> RuleMatch {
    let Some(sdk::RuleMatch::HttpMatch(http)) = rule_match else {
        return RuleMatch {
            http_match: HttpMatch {
                method: None,
                path_match: None,
                header_matches: Vec::new(),
            },
        };
    };
    let path_match = http.path_match().and_then(|path| {
        let value = match path.r#match()? {
            sdk::PathMatchType::Exact(value) => PathMatchType::Exact(value.clone()),
            sdk::PathMatchType::Prefix(value) => PathMatchType::Prefix(value.clone()),
            _ => return None,
        };
        Some(PathMatch {
            match_: value,
            case_sensitive: path.case_sensitive().unwrap_or(true),
        })
    });
    let header_matches = http
        .header_matches()
        .iter()
        .filter_map(|header| match header.r#match()? {
            sdk::HeaderMatchType::Exact(value) => Some(HeaderMatch {
                name: header.name().to_owned(),
                match_: HeaderMatchType::Exact(value.clone()),
                case_sensitive: header.case_sensitive().unwrap_or(false),
            }),
            _ => None,
        })
        .collect();
    RuleMatch {
        http_match: HttpMatch {
            method: http.method().map(str::to_owned),
            path_match,
            header_matches,
        },
    }
}

fn to_i32(value: Option<u32>) -> Option<i32> {
    value.map(|value| i32::try_from(value).unwrap_or(i32::MAX))
}

fn from_i32(value: Option<i32>) -> Option<u32> {
    value.and_then(|value| u32::try_from(value).ok())
}

pub fn to_sdk_health_check(check: &HealthCheckConfig) -> sdk::HealthCheckConfig {
    sdk::HealthCheckConfig::builder()
        .set_enabled(check.enabled)
        .set_health_check_interval_seconds(to_i32(check.health_check_interval_seconds))
        .set_health_check_timeout_seconds(to_i32(check.health_check_timeout_seconds))
        .set_healthy_threshold_count(to_i32(check.healthy_threshold_count))
        .set_unhealthy_threshold_count(to_i32(check.unhealthy_threshold_count))
        .set_matcher(
            check
                .matcher
                .as_ref()
                .map(|matcher| sdk::Matcher::HttpCode(matcher.http_code.clone())),
        )
        .set_path(check.path.clone())
        .set_port(check.port.map(i32::from))
        .set_protocol(
            check
                .protocol
                .as_deref()
                .map(sdk::TargetGroupProtocol::from),
        )
        .set_protocol_version(
            check
                .protocol_version
                .as_deref()
                .map(sdk::HealthCheckProtocolVersion::from),
        )
        .build()
}

pub fn from_sdk_health_check(check: &sdk::HealthCheckConfig) -> HealthCheckConfig {
    HealthCheckConfig {
        enabled: check.enabled(),
        health_check_interval_seconds: from_i32(check.health_check_interval_seconds()),
        health_check_timeout_seconds: from_i32(check.health_check_timeout_seconds()),
        healthy_threshold_count: from_i32(check.healthy_threshold_count()),
        unhealthy_threshold_count: from_i32(check.unhealthy_threshold_count()),
        matcher: match check.matcher() {
            Some(sdk::Matcher::HttpCode(code)) => Some(Matcher {
                http_code: code.clone(),
            }),
            _ => None,
        },
        path: check.path().map(str::to_owned),
        port: check.port().and_then(|port| u16::try_from(port).ok()),
        protocol: check
            .protocol()
            .map(|protocol| protocol.as_str().to_owned()),
        protocol_version: check
            .protocol_version()
            .map(|version| version.as_str().to_owned()),
    }
}

pub fn to_sdk_config(config: &TargetGroupConfig) -> sdk::TargetGroupConfig {
    sdk::TargetGroupConfig::builder()
        .port(i32::from(config.port))
        .protocol(sdk::TargetGroupProtocol::from(config.protocol.as_str()))
        .set_protocol_version(
            config
                .protocol_version
                .as_deref()
                .map(sdk::TargetGroupProtocolVersion::from),
        )
        .ip_address_type(sdk::IpAddressType::from(config.ip_address_type.as_str()))
        .vpc_identifier(&config.vpc_identifier)
        .set_health_check(config.health_check.as_ref().map(to_sdk_health_check))
        .build()
}

pub fn from_sdk_config(config: Option<&sdk::TargetGroupConfig>) -> TargetGroupConfig {
    let Some(config) = config else {
        return TargetGroupConfig {
            port: 0,
            protocol: String::new(),
            protocol_version: None,
            ip_address_type: String::new(),
            vpc_identifier: String::new(),
            health_check: None,
        };
    };
    TargetGroupConfig {
        port: narrow(config.port()),
        protocol: config
            .protocol()
            .map(|protocol| protocol.as_str().to_owned())
            .unwrap_or_default(),
        protocol_version: config
            .protocol_version()
            .map(|version| version.as_str().to_owned()),
        ip_address_type: config
            .ip_address_type()
            .map(|kind| kind.as_str().to_owned())
            .unwrap_or_default(),
        vpc_identifier: config.vpc_identifier().unwrap_or_default().to_owned(),
        health_check: config.health_check().map(from_sdk_health_check),
    }
}

pub fn to_sdk_targets(targets: &[Target]) -> Result<Vec<sdk::Target>, LatticeError> {
    targets
        .iter()
        .map(|target| {
            sdk::Target::builder()
                .id(&target.id)
                .port(i32::from(target.port))
                .build()
                .map_err(|error| invalid("targets", error))
        })
        .collect()
}

pub fn from_sdk_tags(tags: Option<&std::collections::HashMap<String, String>>) -> Tags {
    tags.map(|tags| tags.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default()
}

pub fn to_sdk_tags(tags: &Tags) -> Option<std::collections::HashMap<String, String>> {
    (!tags.is_empty()).then(|| tags.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn forward() -> RuleAction {
        RuleAction::Forward(ForwardAction {
            target_groups: vec![
                WeightedTargetGroup {
                    target_group_identifier: "tg-1".into(),
                    weight: 90,
                },
                WeightedTargetGroup {
                    target_group_identifier: "tg-2".into(),
                    weight: 10,
                },
            ],
        })
    }

    #[test]
    fn actions_round_trip() {
        for action in [
            forward(),
            RuleAction::FixedResponse(FixedResponseAction { status_code: 500 }),
        ] {
            let sdk = to_sdk_action(&action).unwrap();
            assert_eq!(from_sdk_action(Some(&sdk)), action);
        }
    }

    #[test]
    fn matches_round_trip() {
        let rule_match = RuleMatch {
            http_match: HttpMatch {
                method: Some("POST".into()),
                path_match: Some(PathMatch {
                    match_: PathMatchType::Prefix("/rates".into()),
                    case_sensitive: true,
                }),
                header_matches: vec![HeaderMatch {
                    name: "x-team".into(),
                    match_: HeaderMatchType::Exact("payments".into()),
                    case_sensitive: false,
                }],
            },
        };
        let sdk = to_sdk_match(&rule_match).unwrap();
        assert_eq!(from_sdk_match(Some(&sdk)), rule_match);
        let bare = RuleMatch {
            http_match: HttpMatch {
                method: None,
                path_match: None,
                header_matches: Vec::new(),
            },
        };
        assert_eq!(from_sdk_match(Some(&to_sdk_match(&bare).unwrap())), bare);
    }

    #[test]
    fn target_group_configs_round_trip() {
        let config = TargetGroupConfig {
            port: 8443,
            protocol: "HTTPS".into(),
            protocol_version: Some("HTTP2".into()),
            ip_address_type: "IPV6".into(),
            vpc_identifier: "vpc-1".into(),
            health_check: Some(HealthCheckConfig {
                enabled: Some(true),
                health_check_interval_seconds: Some(10),
                health_check_timeout_seconds: Some(2),
                healthy_threshold_count: Some(3),
                unhealthy_threshold_count: Some(4),
                matcher: Some(Matcher {
                    http_code: "200-299".into(),
                }),
                path: Some("/healthz".into()),
                port: Some(9000),
                protocol: Some("HTTP".into()),
                protocol_version: Some("HTTP1".into()),
            }),
        };
        let sdk = to_sdk_config(&config);
        assert_eq!(from_sdk_config(Some(&sdk)), config);
    }

    #[test]
    fn targets_and_tags_convert() {
        let targets = to_sdk_targets(&[Target {
            id: "10.0.0.1".into(),
            port: 8080,
        }])
        .unwrap();
        assert_eq!(targets[0].id(), "10.0.0.1");
        assert_eq!(targets[0].port(), Some(8080));
        assert_eq!(to_sdk_tags(&Tags::new()), None);
        let tags = Tags::from([("team".into(), "payments".into())]);
        assert_eq!(from_sdk_tags(to_sdk_tags(&tags).as_ref()), tags);
    }
}
