//! Routes → one Lattice service with listeners, rules and the target groups
//! of Service backends (upstream-spec §4.2-4.5).
//!
//! Covered: HTTPRoute (PathPrefix and Exact paths, exact headers, method),
//! GRPCRoute (service/method → POST and path), TLSRoute passthrough (default
//! action forwards), Service and ServiceImport backends with weights,
//! standalone services, custom domains and certificates. Upstream's
//! rejections are refusals with upstream's reasons, naming the field.

use crate::annotations;
use crate::target_group_policy;
use crate::{
    AttachedListener, BackendRef, BackendTarget, CallContext, LatticeHeaderMatch, LatticeMatch,
    LatticePathMatch, ListenerProtocol, ListenerSpec, PathMatchKind, PluginError, RouteInput,
    RouteKind, RouteMatch, RouteRule, RouteTranslation, RuleAction, RuleSpec, ServiceInfo,
    ServiceSpec, TargetGroupKey, TargetGroupSource, TargetGroupSpec, TargetSource, ValueMatchKind,
    WeightedTargetGroup, refuse,
};

/// Lattice allows at most five header matches per rule.
const MAX_HEADER_MATCHES: usize = 5;
/// The listener TLS option naming an ACM certificate.
const CERTIFICATE_OPTION: &str = "application-networking.k8s.aws/certificate-arn";

/// Translates `route`. `previous` (an earlier plugin's result) is ignored:
/// the stock plugin translates from scratch.
pub fn translate_route(
    _ctx: &CallContext,
    route: &RouteInput,
    _previous: Option<&RouteTranslation>,
) -> Result<RouteTranslation, PluginError> {
    if route.kind == RouteKind::Tls && route.hostnames.is_empty() {
        return Err(refuse(
            "UnsupportedValue",
            "spec.hostnames",
            format!(
                "TLSRoute {}/{} must specify at least one hostname as VPC Lattice requires a custom domain name",
                route.meta.namespace, route.meta.name
            ),
        ));
    }
    let mut target_groups = Vec::new();
    let mut rules = Vec::new();
    for (rule, priority) in route.rules.iter().zip(priorities(route)) {
        let action = rule_action(route, rule, &mut target_groups)?;
        rules.push(RuleSpec {
            priority,
            match_: rule_match(route, rule)?,
            action,
        });
    }
    let listeners = listeners(route, rules)?;
    let service = ServiceSpec {
        custom_domain_name: route.hostnames.first().cloned(),
        certificate_arn: certificate(&route.listeners),
        service_networks: service_networks(route),
        listeners,
        allow_takeover_from: annotations::get(&route.meta.annotations, "allow-takeover-from")
            .map(str::trim)
            .filter(|owner| !owner.is_empty())
            .map(str::to_owned),
    };
    Ok(RouteTranslation {
        service,
        target_groups,
    })
}

/// Rule priorities (upstream-spec §4.4.1): rules with a valid
/// `rule-{i}-priority` annotation take it, in route order; every other rule
/// takes the last assigned priority plus one, after all annotated rules.
/// The result is in rule order.
fn priorities(route: &RouteInput) -> Vec<u32> {
    let annotated: Vec<Option<u32>> = (0..route.rules.len())
        .map(|index| {
            annotations::get(&route.meta.annotations, &format!("rule-{index}-priority"))
                .map(|value| value.trim().parse::<u32>().unwrap_or(index as u32 + 1))
        })
        .collect();
    let mut last = annotated.iter().flatten().last().copied();
    annotated
        .iter()
        .map(|priority| match priority {
            Some(priority) => *priority,
            None => {
                let next = last.map_or(1, |last| last + 1);
                last = Some(next);
                next
            }
        })
        .collect()
}

/// The Lattice match of a rule.
fn rule_match(route: &RouteInput, rule: &RouteRule) -> Result<LatticeMatch, PluginError> {
    let field = format!("spec.rules[{}].matches", rule.index);
    let grpc = route.kind == RouteKind::Grpc;
    match rule.matches.as_slice() {
        [] => Ok(LatticeMatch {
            path: Some(LatticePathMatch::Prefix("/".into())),
            path_case_sensitive: true,
            method: grpc.then(|| "POST".into()),
            headers: Vec::new(),
        }),
        [only] if grpc => grpc_match(only, &format!("{field}[0]")),
        [only] => http_match(only, &format!("{field}[0]")),
        _ => Err(refuse(
            "LATTICE_NO_SUPPORT_FOR_MULTIPLE_MATCHES",
            field,
            "VPC Lattice supports one match per rule; split the matches into rules",
        )),
    }
}

fn http_match(route_match: &RouteMatch, field: &str) -> Result<LatticeMatch, PluginError> {
    if route_match.query_params.is_some() {
        return Err(refuse(
            "LATTICE_UNSUPPORTED_MATCH_TYPE",
            format!("{field}.queryParams"),
            "VPC Lattice does not support query parameter matches",
        ));
    }
    let path = match &route_match.path {
        None => None,
        Some(path) => Some(match path.kind {
            PathMatchKind::Exact => LatticePathMatch::Exact(path.value.clone()),
            PathMatchKind::PathPrefix => LatticePathMatch::Prefix(path.value.clone()),
            PathMatchKind::RegularExpression => {
                return Err(refuse(
                    "LATTICE_UNSUPPORTED_PATH_MATCH_TYPE",
                    format!("{field}.path.type"),
                    "VPC Lattice supports Exact and PathPrefix path matches, not RegularExpression",
                ));
            }
        }),
    };
    Ok(LatticeMatch {
        path,
        path_case_sensitive: true,
        method: route_match.method.clone(),
        headers: header_matches(route_match, field)?,
    })
}

fn grpc_match(route_match: &RouteMatch, field: &str) -> Result<LatticeMatch, PluginError> {
    if route_match
        .grpc_match_kind
        .as_deref()
        .is_some_and(|kind| kind != "Exact")
    {
        return Err(refuse(
            "UnsupportedValue",
            format!("{field}.method.type"),
            format!(
                "unsupported gRPC method match type {}",
                route_match.grpc_match_kind.as_deref().unwrap_or_default()
            ),
        ));
    }
    let path = match (&route_match.grpc_service, &route_match.grpc_method) {
        (None, Some(_)) => {
            return Err(refuse(
                "UnsupportedValue",
                format!("{field}.method"),
                "cannot create GRPCRouteMatch for nil service and non-nil method",
            ));
        }
        (None, None) => LatticePathMatch::Prefix("/".into()),
        (Some(service), None) => LatticePathMatch::Prefix(format!("/{service}/")),
        (Some(service), Some(method)) => LatticePathMatch::Exact(format!("/{service}/{method}")),
    };
    Ok(LatticeMatch {
        path: Some(path),
        path_case_sensitive: true,
        method: Some("POST".into()),
        headers: header_matches(route_match, field)?,
    })
}

fn header_matches(
    route_match: &RouteMatch,
    field: &str,
) -> Result<Vec<LatticeHeaderMatch>, PluginError> {
    if route_match.headers.len() > MAX_HEADER_MATCHES {
        return Err(refuse(
            "LATTICE_EXCEED_MAX_HEADER_MATCHES",
            format!("{field}.headers"),
            format!(
                "{} header matches; VPC Lattice supports {MAX_HEADER_MATCHES}",
                route_match.headers.len()
            ),
        ));
    }
    route_match
        .headers
        .iter()
        .enumerate()
        .map(|(index, header)| match header.kind {
            ValueMatchKind::Exact => Ok(LatticeHeaderMatch {
                name: header.name.clone(),
                exact: header.value.clone(),
                case_sensitive: false,
            }),
            ValueMatchKind::RegularExpression => Err(refuse(
                "LATTICE_UNSUPPORTED_HEADER_MATCH_TYPE",
                format!("{field}.headers[{index}].type"),
                "VPC Lattice supports only Exact header matches",
            )),
        })
        .collect()
}

/// Forward to the rule's valid backends, or a fixed 500 when none is valid.
/// Records the target group of every Service backend in `target_groups`.
///
/// A ServiceImport backend whose object the host did not find still forwards
/// to the import's key, as upstream's `model_build_rule.go` tolerates the
/// missing object (an empty ServiceImport: no resolution hints); the host
/// resolves the key to an exported target group when it applies, and reports
/// the route when no cluster exports it. (A route with a service-name
/// override and a missing ServiceImport never reaches the plugin: the host
/// blocks it, as upstream refuses to build it.)
fn rule_action(
    route: &RouteInput,
    rule: &RouteRule,
    target_groups: &mut Vec<TargetGroupSpec>,
) -> Result<RuleAction, PluginError> {
    let mut forward = Vec::new();
    for (index, backend) in rule.backends.iter().enumerate() {
        let source = match &backend.target {
            BackendTarget::Service(service) => {
                let spec = backend_target_group(
                    route,
                    backend,
                    service,
                    &format!("spec.rules[{}].backendRefs[{index}]", rule.index),
                )?;
                if !target_groups
                    .iter()
                    .any(|known: &TargetGroupSpec| known.key == spec.key)
                {
                    target_groups.push(spec);
                }
                TargetGroupSource::Service
            }
            BackendTarget::ServiceImport(_) => TargetGroupSource::ServiceImport,
            BackendTarget::NotFound if backend.kind == IMPORT_KIND => {
                TargetGroupSource::ServiceImport
            }
            BackendTarget::NotFound | BackendTarget::UnsupportedKind(_) => continue,
        };
        forward.push(WeightedTargetGroup {
            key: backend_key(source, backend),
            weight: backend.weight,
        });
    }
    Ok(if forward.is_empty() {
        RuleAction::FixedResponse(500)
    } else {
        RuleAction::Forward(forward)
    })
}

/// The kind of a backendRef naming a ServiceImport.
const IMPORT_KIND: &str = "ServiceImport";

fn backend_key(source: TargetGroupSource, backend: &BackendRef) -> TargetGroupKey {
    TargetGroupKey {
        source,
        namespace: backend.namespace.clone(),
        name: backend.name.clone(),
        port: backend.port,
    }
}

/// The target group of a Service backend: port 80 (targets carry the real
/// ports); protocol and version from the Service's TargetGroupPolicy, else
/// HTTP/HTTP1, with GRPC forced for GRPCRoute and TCP for TLSRoute; the
/// policy's health check; the Service's single IP family.
fn backend_target_group(
    route: &RouteInput,
    backend: &BackendRef,
    service: &ServiceInfo,
    field: &str,
) -> Result<TargetGroupSpec, PluginError> {
    let ip_address_type = match service.ip_families.as_slice() {
        [] => "IPV4",
        [family] if family == "IPv6" => "IPV6",
        [_] => "IPV4",
        _ => {
            return Err(refuse(
                "UnsupportedValue",
                field,
                format!(
                    "Dual stack Service {}/{} is not supported",
                    backend.namespace, backend.name
                ),
            ));
        }
    };
    let policy = target_group_policy::winner(&service.policies)?;
    let (mut protocol, mut protocol_version) =
        target_group_policy::protocol(policy.as_ref(), "HTTP", Some("HTTP1"));
    match route.kind {
        RouteKind::Http => {}
        RouteKind::Grpc => protocol_version = Some("GRPC".into()),
        RouteKind::Tls => (protocol, protocol_version) = ("TCP".into(), None),
    }
    Ok(TargetGroupSpec {
        key: backend_key(TargetGroupSource::Service, backend),
        port: 80,
        protocol,
        protocol_version,
        ip_address_type: ip_address_type.into(),
        health_check: policy
            .and_then(|policy| policy.health_check)
            .map(|check| check.to_health_check()),
        targets_from: Some(TargetSource {
            namespace: backend.namespace.clone(),
            name: backend.name.clone(),
            ports: backend.port.into_iter().filter(|port| *port != 0).collect(),
        }),
    })
}

/// One listener per distinct port of the attached Gateway listeners (the
/// first wins), each carrying every rule; TLS passthrough listeners forward
/// by default to the route's single rule's target groups.
fn listeners(route: &RouteInput, rules: Vec<RuleSpec>) -> Result<Vec<ListenerSpec>, PluginError> {
    let mut listeners: Vec<ListenerSpec> = Vec::new();
    for (index, attached) in route.listeners.iter().enumerate() {
        if listeners
            .iter()
            .any(|listener| listener.port == attached.port)
        {
            continue;
        }
        let protocol = listener_protocol(attached).ok_or_else(|| {
            refuse(
                "UnsupportedProtocol",
                format!("spec.parentRefs[{index}]"),
                format!(
                    "invalid listener protocol {} on Gateway {} listener {}",
                    attached.protocol, attached.gateway.name, attached.listener_name
                ),
            )
        })?;
        let listener = if protocol == ListenerProtocol::TlsPassthrough {
            let [rule] = rules.as_slice() else {
                return Err(refuse(
                    "UnsupportedValue",
                    "spec.rules",
                    format!(
                        "only support exactly 1 rule for TLSRoute {}/{}, but got {}",
                        route.meta.namespace,
                        route.meta.name,
                        rules.len()
                    ),
                ));
            };
            if !matches!(rule.action, RuleAction::Forward(_)) {
                return Err(refuse(
                    "BackendNotFound",
                    "spec.rules[0].backendRefs",
                    format!(
                        "TLSRoute {}/{} must have at least one valid backendRef target group",
                        route.meta.namespace, route.meta.name
                    ),
                ));
            }
            ListenerSpec {
                port: attached.port,
                protocol,
                default_action: rule.action.clone(),
                rules: Vec::new(),
            }
        } else {
            ListenerSpec {
                port: attached.port,
                protocol,
                default_action: RuleAction::FixedResponse(404),
                rules: rules.clone(),
            }
        };
        listeners.push(listener);
    }
    Ok(listeners)
}

fn listener_protocol(listener: &AttachedListener) -> Option<ListenerProtocol> {
    match (listener.protocol.as_str(), listener.tls_mode.as_deref()) {
        ("HTTP", _) => Some(ListenerProtocol::Http),
        ("HTTPS", _) => Some(ListenerProtocol::Https),
        ("TLS", Some("Passthrough")) => Some(ListenerProtocol::TlsPassthrough),
        _ => None,
    }
}

/// The first `certificate-arn` option of an attached TLS-terminating listener.
fn certificate(listeners: &[AttachedListener]) -> Option<String> {
    listeners
        .iter()
        .filter(|listener| listener.tls_mode.as_deref() == Some("Terminate"))
        .find_map(|listener| {
            listener
                .tls_options
                .iter()
                .find(|option| option.key == CERTIFICATE_OPTION)
        })
        .map(|option| option.value.clone())
}

/// The Gateways' names (deduplicated), or none for a standalone service: the
/// route's `standalone` annotation decides when present, else any attached
/// Gateway's.
fn service_networks(route: &RouteInput) -> Vec<String> {
    let is_true = |value: &str| value.trim().eq_ignore_ascii_case("true");
    let standalone = match annotations::get(&route.meta.annotations, "standalone") {
        Some(value) => is_true(value),
        None => route.listeners.iter().any(|listener| {
            annotations::get(&listener.gateway.annotations, "standalone").is_some_and(is_true)
        }),
    };
    let mut networks: Vec<String> = Vec::new();
    if !standalone {
        for listener in &route.listeners {
            if !networks.contains(&listener.gateway.name) {
                networks.push(listener.gateway.name.clone());
            }
        }
    }
    networks
}

#[cfg(test)]
#[path = "route_tests.rs"]
mod tests;
