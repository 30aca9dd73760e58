//! Conversion of plugin specs (WIT types) into Lattice API shapes.
//!
//! Target group keys are resolved here through a [`TargetGroupIds`] map; a key
//! that the map lacks is a bug in the caller, who resolves every key first.

use std::collections::BTreeMap;

use crate::lattice::model::{
    FixedResponseAction, ForwardAction, HeaderMatch, HeaderMatchType, HealthCheckConfig, HttpMatch,
    Matcher, PathMatch, PathMatchType, RuleAction, RuleMatch, Tags, WeightedTargetGroup,
};
use crate::plugin::bindings::types::{
    self as wit, KeyValue, LatticeMatch, LatticePathMatch, ListenerProtocol, TargetGroupKey,
    TargetGroupSource,
};

/// Lattice target group ids by logical key (see [`key_string`]).
pub type TargetGroupIds = BTreeMap<String, String>;

/// A stable string form of a target group key: `source:namespace/name[:port]`.
pub fn key_string(key: &TargetGroupKey) -> String {
    let source = match key.source {
        TargetGroupSource::Service => "service",
        TargetGroupSource::ServiceImport => "service-import",
        TargetGroupSource::ServiceExport => "service-export",
    };
    match key.port {
        Some(port) => format!("{source}:{}/{}:{port}", key.namespace, key.name),
        None => format!("{source}:{}/{}", key.namespace, key.name),
    }
}

/// The API's name for a listener protocol.
pub fn listener_protocol(protocol: ListenerProtocol) -> &'static str {
    match protocol {
        ListenerProtocol::Http => "HTTP",
        ListenerProtocol::Https => "HTTPS",
        ListenerProtocol::TlsPassthrough => "TLS_PASSTHROUGH",
    }
}

/// Tags as the API takes them. Later duplicates of a key win.
pub fn tags(pairs: &[KeyValue]) -> Tags {
    pairs
        .iter()
        .map(|pair| (pair.key.clone(), pair.value.clone()))
        .collect()
}

/// A rule match as the API takes it.
pub fn rule_match(spec: &LatticeMatch) -> RuleMatch {
    let path_match = spec.path.as_ref().map(|path| PathMatch {
        match_: match path {
            LatticePathMatch::Exact(value) => PathMatchType::Exact(value.clone()),
            LatticePathMatch::Prefix(value) => PathMatchType::Prefix(value.clone()),
        },
        case_sensitive: spec.path_case_sensitive,
    });
    let header_matches = spec
        .headers
        .iter()
        .map(|header| HeaderMatch {
            name: header.name.clone(),
            match_: HeaderMatchType::Exact(header.exact.clone()),
            case_sensitive: header.case_sensitive,
        })
        .collect();
    RuleMatch {
        http_match: HttpMatch {
            method: spec.method.clone(),
            path_match,
            header_matches,
        },
    }
}

/// An action as the API takes it, with every key resolved through `ids`.
///
/// # Panics
/// When a forwarded key is missing from `ids`: callers resolve all keys first.
pub fn rule_action(spec: &wit::RuleAction, ids: &TargetGroupIds) -> RuleAction {
    match spec {
        wit::RuleAction::FixedResponse(status_code) => {
            RuleAction::FixedResponse(FixedResponseAction {
                status_code: *status_code,
            })
        }
        wit::RuleAction::Forward(groups) => RuleAction::Forward(ForwardAction {
            target_groups: groups
                .iter()
                .map(|group| WeightedTargetGroup {
                    target_group_identifier: ids
                        .get(&key_string(&group.key))
                        .unwrap_or_else(|| {
                            panic!("target group {} was not resolved", key_string(&group.key))
                        })
                        .clone(),
                    weight: group.weight,
                })
                .collect(),
        }),
    }
}

/// A health check as the API takes it.
pub fn health_check(spec: &wit::HealthCheck) -> HealthCheckConfig {
    HealthCheckConfig {
        enabled: spec.enabled,
        health_check_interval_seconds: spec.interval_seconds,
        health_check_timeout_seconds: spec.timeout_seconds,
        healthy_threshold_count: spec.healthy_threshold_count,
        unhealthy_threshold_count: spec.unhealthy_threshold_count,
        matcher: spec.matcher.clone().map(|http_code| Matcher { http_code }),
        path: spec.path.clone(),
        port: spec.port,
        protocol: spec.protocol.clone(),
        protocol_version: spec.protocol_version.clone(),
    }
}

/// Every key a rule action forwards to.
pub fn forwarded_keys(action: &wit::RuleAction) -> Vec<&TargetGroupKey> {
    match action {
        wit::RuleAction::Forward(groups) => groups.iter().map(|group| &group.key).collect(),
        wit::RuleAction::FixedResponse(_) => Vec::new(),
    }
}
