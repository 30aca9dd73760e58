//! Lattice's service, listener and rule rules, applied to a route translation.

use std::collections::HashSet;

use trellis_lattice_names::{NameKind, name_violation};

use super::target_groups::check_target_groups;
use super::{Checker, ValidationError};
use crate::plugin::bindings::types::{
    LatticeMatch, LatticePathMatch, ListenerProtocol, ListenerSpec, RouteTranslation, RuleAction,
    TargetGroupKey, TargetGroupSource,
};

/// Lattice: listeners per service.
const MAX_LISTENERS: usize = 2;
/// Lattice: rule priorities are 1 to 100.
const PRIORITIES: std::ops::RangeInclusive<u32> = 1..=100;
/// Lattice: header matches per rule.
const MAX_HEADER_MATCHES: usize = 5;
/// Lattice: path match values are at most 200 characters.
const MAX_PATH_LENGTH: usize = 200;
/// Lattice: target groups per forward action.
const MAX_FORWARD_TARGETS: usize = 10;
/// Lattice: target group weights are 0 to 999.
const MAX_WEIGHT: u32 = 999;

/// Validates a route translation: service network names, listeners (at most
/// two, unique ports), rules (priority 1-100 unique per listener, at most five
/// header matches, paths starting with `/`), actions (1-10 weighted target
/// groups of weight 0-999, status codes 100-599), TLS passthrough listeners
/// with a forward default and no rules, target groups, and every `service`
/// key a rule forwards to being one of the route's own target groups.
pub fn validate_route_translation(
    plugin: &str,
    translation: &RouteTranslation,
) -> Result<(), ValidationError> {
    let check = Checker { plugin };
    let service = &translation.service;
    let mut networks = HashSet::new();
    for (index, network) in service.service_networks.iter().enumerate() {
        let field = format!("service.service-networks[{index}]");
        if let Some(message) = name_violation(NameKind::ServiceNetwork, network) {
            return Err(check.error(field, message));
        }
        check.ensure(networks.insert(network), field, || {
            format!("service network {network:?} is listed twice")
        })?;
    }
    if let Some(domain) = &service.custom_domain_name {
        check.ensure(
            (3..=255).contains(&domain.len()),
            "service.custom-domain-name",
            || format!("custom domain name {domain:?} must be 3 to 255 characters"),
        )?;
    }
    check.ensure(
        service.listeners.len() <= MAX_LISTENERS,
        "service.listeners",
        || {
            format!(
                "{} listeners; Lattice allows {MAX_LISTENERS} per service",
                service.listeners.len()
            )
        },
    )?;
    check_target_groups(&check, "target-groups", &translation.target_groups)?;
    let owned: Vec<&TargetGroupKey> = translation
        .target_groups
        .iter()
        .map(|spec| &spec.key)
        .collect();
    for (index, spec) in translation.target_groups.iter().enumerate() {
        check.ensure(
            spec.key.source != TargetGroupSource::ServiceImport,
            format!("target-groups[{index}].key"),
            || "a route cannot own a service-import target group; the host resolves imports".into(),
        )?;
    }
    let mut ports = HashSet::new();
    for (index, listener) in service.listeners.iter().enumerate() {
        let field = format!("service.listeners[{index}]");
        check.ensure(listener.port > 0, format!("{field}.port"), || {
            "port 0; Lattice allows 1 to 65535".into()
        })?;
        check.ensure(ports.insert(listener.port), format!("{field}.port"), || {
            format!("port {} is used by two listeners", listener.port)
        })?;
        check_listener(&check, &field, listener, &owned)?;
    }
    Ok(())
}

fn check_listener(
    check: &Checker<'_>,
    field: &str,
    listener: &ListenerSpec,
    owned: &[&TargetGroupKey],
) -> Result<(), ValidationError> {
    check_action(
        check,
        &format!("{field}.default-action"),
        &listener.default_action,
        owned,
    )?;
    if listener.protocol == ListenerProtocol::TlsPassthrough {
        check.ensure(listener.rules.is_empty(), format!("{field}.rules"), || {
            "a TLS passthrough listener has no rules, only its default action".into()
        })?;
        check.ensure(
            matches!(listener.default_action, RuleAction::Forward(_)),
            format!("{field}.default-action"),
            || "a TLS passthrough listener's default action must forward".into(),
        )?;
    }
    let mut priorities = HashSet::new();
    for (index, rule) in listener.rules.iter().enumerate() {
        let field = format!("{field}.rules[{index}]");
        check.ensure(
            PRIORITIES.contains(&rule.priority),
            format!("{field}.priority"),
            || format!("priority {}; Lattice allows 1 to 100", rule.priority),
        )?;
        check.ensure(
            priorities.insert(rule.priority),
            format!("{field}.priority"),
            || {
                format!(
                    "priority {} is used by two rules of listener {}",
                    rule.priority, listener.port
                )
            },
        )?;
        check_match(check, &format!("{field}.match"), &rule.match_)?;
        check_action(check, &format!("{field}.action"), &rule.action, owned)?;
    }
    Ok(())
}

fn check_match(
    check: &Checker<'_>,
    field: &str,
    rule_match: &LatticeMatch,
) -> Result<(), ValidationError> {
    if let Some(LatticePathMatch::Exact(path) | LatticePathMatch::Prefix(path)) = &rule_match.path {
        check.ensure(path.starts_with('/') && path.len() <= MAX_PATH_LENGTH, format!("{field}.path"), || {
            format!("path {path:?} must start with '/' and have at most {MAX_PATH_LENGTH} characters")
        })?;
    }
    if let Some(method) = &rule_match.method {
        check.ensure(
            !method.is_empty() && method.chars().all(|c| c.is_ascii_uppercase()),
            format!("{field}.method"),
            || format!("method {method:?} must be an upper-case HTTP method"),
        )?;
    }
    check.ensure(
        rule_match.headers.len() <= MAX_HEADER_MATCHES,
        format!("{field}.headers"),
        || {
            format!(
                "{} header matches; Lattice allows {MAX_HEADER_MATCHES}",
                rule_match.headers.len()
            )
        },
    )?;
    for (index, header) in rule_match.headers.iter().enumerate() {
        check.ensure(
            !header.name.is_empty(),
            format!("{field}.headers[{index}].name"),
            || "empty header name".into(),
        )?;
    }
    Ok(())
}

fn check_action(
    check: &Checker<'_>,
    field: &str,
    action: &RuleAction,
    owned: &[&TargetGroupKey],
) -> Result<(), ValidationError> {
    match action {
        RuleAction::FixedResponse(status) => {
            check.ensure((100..=599).contains(status), field, || {
                format!("fixed-response status {status}; HTTP status codes are 100 to 599")
            })
        }
        RuleAction::Forward(targets) => {
            check.ensure(
                (1..=MAX_FORWARD_TARGETS).contains(&targets.len()),
                field,
                || {
                    format!(
                        "forward to {} target groups; Lattice allows 1 to {MAX_FORWARD_TARGETS}",
                        targets.len()
                    )
                },
            )?;
            for (index, target) in targets.iter().enumerate() {
                let field = format!("{field}.forward[{index}]");
                check.ensure(
                    target.weight <= MAX_WEIGHT,
                    format!("{field}.weight"),
                    || format!("weight {}; Lattice allows 0 to {MAX_WEIGHT}", target.weight),
                )?;
                let key = &target.key;
                check.ensure(key.source == TargetGroupSource::ServiceImport || owned.contains(&key), format!("{field}.key"), || {
                    format!("forwards to {}/{} port {:?}, which is not one of the route's target groups", key.namespace, key.name, key.port)
                })?;
            }
            Ok(())
        }
    }
}
