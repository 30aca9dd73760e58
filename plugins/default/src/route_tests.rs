//! Route translation against upstream's rules.

use super::*;
use crate::test_support::{context, meta, service};
use crate::{KeyValue, PathMatch, ValueMatch};

fn listener(port: u16, protocol: &str) -> AttachedListener {
    AttachedListener {
        gateway: meta("Gateway", "default", "my-gateway", &[]),
        listener_name: protocol.to_ascii_lowercase(),
        port,
        protocol: protocol.into(),
        tls_mode: None,
        tls_options: Vec::new(),
    }
}

fn prefix(value: &str) -> RouteMatch {
    RouteMatch {
        path: Some(PathMatch {
            kind: PathMatchKind::PathPrefix,
            value: value.into(),
        }),
        method: None,
        headers: Vec::new(),
        query_params: None,
        grpc_service: None,
        grpc_method: None,
        grpc_match_kind: None,
    }
}

fn backend(name: &str, target: BackendTarget, weight: u32) -> BackendRef {
    BackendRef {
        kind: match target {
            BackendTarget::ServiceImport(_) => "ServiceImport".into(),
            _ => "Service".into(),
        },
        namespace: "default".into(),
        name: name.into(),
        port: Some(80),
        weight,
        target,
    }
}

fn import(name: &str) -> BackendTarget {
    BackendTarget::ServiceImport(meta("ServiceImport", "default", name, &[]))
}

fn route(
    annotations: &[(&str, &str)],
    rules: Vec<(Vec<RouteMatch>, Vec<BackendRef>)>,
) -> RouteInput {
    RouteInput {
        kind: RouteKind::Http,
        meta: meta("HTTPRoute", "default", "my-httproute", annotations),
        hostnames: Vec::new(),
        listeners: vec![listener(80, "HTTP")],
        rules: rules
            .into_iter()
            .enumerate()
            .map(|(index, (matches, backends))| RouteRule {
                index: index as u32,
                matches,
                backends,
            })
            .collect(),
        policies: Vec::new(),
        raw: "{}".into(),
    }
}

#[test]
fn the_multi_cluster_route_forwards_each_prefix_to_its_import() {
    let input = route(
        &[],
        vec![
            (
                vec![prefix("/service-1")],
                vec![backend("service-1", import("service-1"), 1)],
            ),
            (
                vec![prefix("/service-2")],
                vec![backend("service-2", import("service-2"), 1)],
            ),
        ],
    );
    let translation = translate_route(&context(), &input, None).unwrap();
    assert_eq!(translation.service.service_networks, ["my-gateway"]);
    assert!(
        translation.target_groups.is_empty(),
        "imports are resolved by the host"
    );
    let [listener] = translation.service.listeners.as_slice() else {
        panic!("one listener")
    };
    assert_eq!(
        (listener.port, listener.protocol, &listener.default_action),
        (80, ListenerProtocol::Http, &RuleAction::FixedResponse(404))
    );
    let priorities: Vec<u32> = listener.rules.iter().map(|rule| rule.priority).collect();
    assert_eq!(priorities, [1, 2]);
    assert_eq!(
        listener.rules[0].match_.path,
        Some(LatticePathMatch::Prefix("/service-1".into()))
    );
    assert!(listener.rules[0].match_.path_case_sensitive);
    let RuleAction::Forward(targets) = &listener.rules[1].action else {
        panic!("forwards")
    };
    assert_eq!(targets[0].key.source, TargetGroupSource::ServiceImport);
    assert_eq!(targets[0].key.name, "service-2");
}

#[test]
fn service_backends_get_one_port_80_target_group_each_with_weights() {
    let service_a = BackendTarget::Service(service("a", &[8080]));
    let input = route(
        &[],
        vec![
            (
                vec![prefix("/x")],
                vec![
                    backend("a", service_a.clone(), 90),
                    backend("b", BackendTarget::Service(service("b", &[80])), 10),
                ],
            ),
            (vec![prefix("/y")], vec![backend("a", service_a, 1)]),
        ],
    );
    let translation = translate_route(&context(), &input, None).unwrap();
    assert_eq!(
        translation.target_groups.len(),
        2,
        "the same backend twice is one target group"
    );
    let group = &translation.target_groups[0];
    assert_eq!(
        (
            group.port,
            group.protocol.as_str(),
            group.protocol_version.as_deref()
        ),
        (80, "HTTP", Some("HTTP1"))
    );
    assert_eq!(group.targets_from.as_ref().unwrap().ports, [80]);
    let RuleAction::Forward(targets) = &translation.service.listeners[0].rules[0].action else {
        panic!()
    };
    let weights: Vec<u32> = targets.iter().map(|target| target.weight).collect();
    assert_eq!(weights, [90, 10]);
}

#[test]
fn rules_whose_backends_are_all_invalid_answer_500() {
    let input = route(
        &[],
        vec![(
            vec![prefix("/x")],
            vec![
                backend("gone", BackendTarget::NotFound, 1),
                backend("fn", BackendTarget::UnsupportedKind("Lambda".into()), 1),
            ],
        )],
    );
    let translation = translate_route(&context(), &input, None).unwrap();
    assert_eq!(
        translation.service.listeners[0].rules[0].action,
        RuleAction::FixedResponse(500)
    );
}

#[test]
fn a_missing_service_import_still_forwards_to_its_export() {
    let mut missing = backend("rates", BackendTarget::NotFound, 1);
    missing.kind = "ServiceImport".into();
    let input = route(
        &[],
        vec![(
            vec![prefix("/x")],
            vec![missing, backend("gone", BackendTarget::NotFound, 1)],
        )],
    );
    let translation = translate_route(&context(), &input, None).unwrap();
    let RuleAction::Forward(targets) = &translation.service.listeners[0].rules[0].action else {
        panic!("a missing ServiceImport forwards to its export");
    };
    assert_eq!(targets.len(), 1);
    assert_eq!(targets[0].key.source, TargetGroupSource::ServiceImport);
    assert_eq!(targets[0].key.name, "rates");
    assert!(translation.target_groups.is_empty());
}

#[test]
fn a_rule_without_matches_matches_every_path() {
    let input = route(&[], vec![(Vec::new(), vec![backend("s", import("s"), 1)])]);
    let translation = translate_route(&context(), &input, None).unwrap();
    assert_eq!(
        translation.service.listeners[0].rules[0].match_.path,
        Some(LatticePathMatch::Prefix("/".into()))
    );
}

#[test]
fn priorities_follow_upstreams_annotation_quirk() {
    let rules = (0..4)
        .map(|n| {
            (
                vec![prefix(&format!("/{n}"))],
                vec![backend("s", import("s"), 1)],
            )
        })
        .collect();
    let input = route(
        &[
            ("application-networking.k8s.aws/rule-1-priority", "10"),
            ("application-networking.k8s.aws/rule-2-priority", "5"),
        ],
        rules,
    );
    let translation = translate_route(&context(), &input, None).unwrap();
    let priorities: Vec<u32> = translation.service.listeners[0]
        .rules
        .iter()
        .map(|rule| rule.priority)
        .collect();
    assert_eq!(
        priorities,
        [6, 10, 5, 7],
        "unannotated rules follow the last annotated rule in route order"
    );
}

#[test]
fn unsupported_matches_are_refused_with_upstreams_reasons_and_the_field() {
    let mut regex = prefix("/a.*");
    regex.path.as_mut().unwrap().kind = PathMatchKind::RegularExpression;
    let mut query = prefix("/a");
    query.query_params = Some(Vec::new());
    let mut headers = prefix("/a");
    headers.headers = (0..6)
        .map(|n| ValueMatch {
            kind: ValueMatchKind::Exact,
            name: format!("h{n}"),
            value: "v".into(),
        })
        .collect();
    let mut regex_header = prefix("/a");
    regex_header.headers = vec![ValueMatch {
        kind: ValueMatchKind::RegularExpression,
        name: "h".into(),
        value: ".*".into(),
    }];
    for (matches, reason, field) in [
        (
            vec![regex],
            "LATTICE_UNSUPPORTED_PATH_MATCH_TYPE",
            "spec.rules[0].matches[0].path.type",
        ),
        (
            vec![query],
            "LATTICE_UNSUPPORTED_MATCH_TYPE",
            "spec.rules[0].matches[0].queryParams",
        ),
        (
            vec![headers],
            "LATTICE_EXCEED_MAX_HEADER_MATCHES",
            "spec.rules[0].matches[0].headers",
        ),
        (
            vec![regex_header],
            "LATTICE_UNSUPPORTED_HEADER_MATCH_TYPE",
            "spec.rules[0].matches[0].headers[0].type",
        ),
        (
            vec![prefix("/a"), prefix("/b")],
            "LATTICE_NO_SUPPORT_FOR_MULTIPLE_MATCHES",
            "spec.rules[0].matches",
        ),
    ] {
        let input = route(&[], vec![(matches, vec![backend("s", import("s"), 1)])]);
        let error = translate_route(&context(), &input, None).unwrap_err();
        assert_eq!(
            (error.reason.as_str(), error.field.as_deref()),
            (reason, Some(field))
        );
    }
}

#[test]
fn exact_headers_and_method_are_kept() {
    let mut matched = prefix("/a");
    matched.method = Some("GET".into());
    matched.headers = vec![ValueMatch {
        kind: ValueMatchKind::Exact,
        name: "x-env".into(),
        value: "canary".into(),
    }];
    let input = route(
        &[],
        vec![(vec![matched], vec![backend("s", import("s"), 1)])],
    );
    let rule_match = &translate_route(&context(), &input, None)
        .unwrap()
        .service
        .listeners[0]
        .rules[0]
        .match_;
    assert_eq!(rule_match.method.as_deref(), Some("GET"));
    assert_eq!(
        rule_match.headers,
        [LatticeHeaderMatch {
            name: "x-env".into(),
            exact: "canary".into(),
            case_sensitive: false
        }]
    );
}

#[test]
fn standalone_routes_join_no_service_network() {
    let input = route(
        &[("application-networking.k8s.aws/standalone", " True ")],
        vec![(Vec::new(), Vec::new())],
    );
    assert!(
        translate_route(&context(), &input, None)
            .unwrap()
            .service
            .service_networks
            .is_empty()
    );
}

#[test]
fn hostnames_and_certificates_come_from_the_route_and_listener() {
    let mut input = route(&[], vec![(Vec::new(), vec![backend("s", import("s"), 1)])]);
    input.hostnames = vec!["rates.example.com".into()];
    let mut https = listener(443, "HTTPS");
    https.tls_mode = Some("Terminate".into());
    https.tls_options = vec![KeyValue {
        key: CERTIFICATE_OPTION.into(),
        value: "arn:aws:acm:us-west-2:123456789012:certificate/abc".into(),
    }];
    input.listeners.push(https);
    let service = translate_route(&context(), &input, None).unwrap().service;
    assert_eq!(
        service.custom_domain_name.as_deref(),
        Some("rates.example.com")
    );
    assert_eq!(
        service.certificate_arn.as_deref(),
        Some("arn:aws:acm:us-west-2:123456789012:certificate/abc")
    );
    assert_eq!(service.listeners.len(), 2);
    assert_eq!(service.listeners[1].protocol, ListenerProtocol::Https);
}
