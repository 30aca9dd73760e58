use super::*;
use crate::plugin::bindings::types::{
    BackendTarget, ExportedPort, PathMatch, PathMatchKind, RouteKind, ValueMatch, ValueMatchKind,
};

/// The classes, Gateways and Service every test reads besides its own.
const GATEWAYS: &str = include_str!("testdata/gateways.yaml");

/// The snapshot of [`GATEWAYS`] and the objects of `yaml`.
fn snapshot(yaml: &str) -> Snapshot {
    crate::kube::testing::snapshot(&format!("{GATEWAYS}\n---\n{yaml}"))
}

fn cluster() -> ClusterConfig {
    ClusterConfig::local()
}

fn only_route(yaml: &str) -> NormalizedRoute {
    let mut routes = routes(&snapshot(yaml), &cluster());
    assert_eq!(routes.len(), 1, "{routes:#?}");
    routes.remove(0)
}

fn http_route(parents: &str) -> String {
    format!(
        r#"
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {{name: route, namespace: default}}
spec:
  parentRefs: {parents}
  rules: [{{backendRefs: [{{name: web, port: 80}}]}}]
"#
    )
}

fn listener_names(route: &NormalizedRoute) -> Vec<String> {
    let input = route.input.as_ref().expect("an input");
    input
        .listeners
        .iter()
        .map(|listener| {
            format!(
                "{}/{}:{}",
                listener.gateway.name, listener.listener_name, listener.port
            )
        })
        .collect()
}

fn reasons(route: &NormalizedRoute) -> Vec<(String, Option<String>)> {
    route
        .problems
        .iter()
        .map(|problem| (problem.reason.clone(), problem.field.clone()))
        .collect()
}

#[test]
fn section_name_and_port_narrow_the_listeners() {
    let both = only_route(&http_route("[{name: lattice}]"));
    assert_eq!(
        listener_names(&both),
        ["lattice/http:80", "lattice/https:443"]
    );
    let by_name = only_route(&http_route("[{name: lattice, sectionName: http}]"));
    assert_eq!(listener_names(&by_name), ["lattice/http:80"]);
    let by_port = only_route(&http_route("[{name: lattice, port: 443}]"));
    assert_eq!(listener_names(&by_port), ["lattice/https:443"]);
    let twice = only_route(&http_route(
        "[{name: lattice, sectionName: http}, {name: lattice, port: 80}]",
    ));
    assert_eq!(
        listener_names(&twice),
        ["lattice/http:80"],
        "a listener attaches once"
    );
}

#[test]
fn https_listener_allows_http_routes_and_carries_tls_settings() {
    let route = only_route(&http_route("[{name: lattice, sectionName: https}]"));
    let input = route.input.as_ref().unwrap();
    assert_eq!(listener_names(&route), ["lattice/https:443"]);
    let listener = &input.listeners[0];
    assert_eq!(listener.protocol, "HTTPS");
    assert_eq!(listener.tls_mode.as_deref(), Some("Terminate"));
    let options: Vec<_> = listener
        .tls_options
        .iter()
        .map(|option| option.key.as_str())
        .collect();
    assert_eq!(
        options,
        ["a", "application-networking.k8s.aws/certificate-arn"]
    );
    assert!(route.problems.is_empty());
}

#[test]
fn a_section_name_no_listener_has_is_no_matching_parent() {
    let route = only_route(&http_route(
        "[{name: lattice, sectionName: grpc}, {name: lattice, port: 8080}]",
    ));
    assert!(route.input.is_none());
    assert_eq!(
        reasons(&route),
        [
            ("NoMatchingParent".into(), Some("spec.parentRefs[0]".into())),
            ("NoMatchingParent".into(), Some("spec.parentRefs[1]".into()))
        ]
    );
    assert_eq!(
        route.problems[0].message,
        "Gateway default/lattice has no listener named grpc"
    );
    assert_eq!(
        route.problems[1].message,
        "Gateway default/lattice has no listener on port 8080"
    );
    assert_eq!(route.problems[0].cluster, "local");
}

#[test]
fn a_missing_gateway_is_a_problem_naming_it() {
    let route = only_route(&http_route("[{name: my-hotel, namespace: travel}]"));
    assert_eq!(
        route.object,
        ObjectRef::new(Kind::HttpRoute, "default", "route")
    );
    assert!(route.input.is_none());
    assert_eq!(
        reasons(&route),
        [(
            "NoMatchingParent".into(),
            Some("spec.parentRefs[0].name".into())
        )]
    );
    assert_eq!(
        route.problems[0].message,
        "Gateway travel/my-hotel not found"
    );
}

#[test]
fn gateways_of_other_classes_are_not_ours() {
    assert!(routes(&snapshot(&http_route("[{name: mesh}]")), &cluster()).is_empty());
    let both = only_route(&http_route(
        "[{name: mesh}, {name: lattice, sectionName: http}]",
    ));
    assert_eq!(listener_names(&both), ["lattice/http:80"]);
    assert!(both.problems.is_empty());
    let not_a_gateway = http_route("[{name: lattice, kind: Service, group: \"\"}]");
    assert!(routes(&snapshot(&not_a_gateway), &cluster()).is_empty());
}

#[test]
fn each_parent_ref_is_checked_against_its_own_gateway() {
    let yaml = format!(
        r#"{}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {{name: edge, namespace: infra}}
spec:
  gatewayClassName: amazon-vpc-lattice
  listeners:
  - name: public
    protocol: HTTP
    port: 8080
    allowedRoutes: {{namespaces: {{from: All}}}}
"#,
        http_route("[{name: edge, namespace: infra}, {name: lattice, sectionName: http}]")
    );
    let route = only_route(&yaml);
    assert_eq!(
        listener_names(&route),
        ["edge/public:8080", "lattice/http:80"]
    );
    assert_eq!(
        route.input.as_ref().unwrap().listeners[0].gateway.namespace,
        "infra"
    );
}

fn gateway_with(listener: &str, route: &str) -> String {
    format!(
        r#"
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {{name: shared, namespace: infra}}
spec:
  gatewayClassName: amazon-vpc-lattice
  listeners: [{listener}]
---
apiVersion: v1
kind: Namespace
metadata: {{name: team-a, labels: {{team: a, tier: gold}}}}
---
{route}
"#
    )
}

fn route_in(namespace: &str, kind: &str) -> String {
    let hostnames = if kind == "TLSRoute" {
        "[a.example.com]"
    } else {
        "[]"
    };
    format!(
        r#"
apiVersion: v1
kind: Service
metadata: {{name: web, namespace: {namespace}}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: {kind}
metadata: {{name: route, namespace: {namespace}}}
spec:
  hostnames: {hostnames}
  parentRefs: [{{name: shared, namespace: infra}}]
  rules: [{{backendRefs: [{{name: web, port: 80}}]}}]
"#
    )
}

fn accepted(listener: &str, namespace: &str, kind: &str) -> Result<(), String> {
    let route = only_route(&gateway_with(listener, &route_in(namespace, kind)));
    match route.input {
        Some(_) => Ok(()),
        None => Err(route
            .problems
            .iter()
            .map(|problem| problem.reason.clone())
            .collect::<Vec<_>>()
            .join(",")),
    }
}

#[test]
fn allowed_route_kinds_default_by_protocol_or_are_listed() {
    let http = "{name: l, protocol: HTTP, port: 80, allowedRoutes: {namespaces: {from: All}}}";
    let https = "{name: l, protocol: HTTPS, port: 443, allowedRoutes: {namespaces: {from: All}}}";
    let tls = "{name: l, protocol: TLS, port: 443, tls: {mode: Passthrough}, allowedRoutes: {namespaces: {from: All}}}";
    let listed = "{name: l, protocol: HTTP, port: 80, allowedRoutes: {kinds: [{kind: GRPCRoute}], namespaces: {from: All}}}";
    assert_eq!(accepted(http, "team-a", "HTTPRoute"), Ok(()));
    assert_eq!(
        accepted(http, "team-a", "GRPCRoute"),
        Err("NotAllowedByListeners".into())
    );
    assert_eq!(accepted(https, "team-a", "GRPCRoute"), Ok(()));
    assert_eq!(
        accepted(https, "team-a", "TLSRoute"),
        Err("NotAllowedByListeners".into())
    );
    assert_eq!(accepted(listed, "team-a", "GRPCRoute"), Ok(()));
    assert_eq!(
        accepted(listed, "team-a", "HTTPRoute"),
        Err("NotAllowedByListeners".into())
    );
    let route = only_route(&gateway_with(tls, &route_in("team-a", "TLSRoute")));
    assert_eq!(
        route.input.as_ref().unwrap().listeners[0]
            .tls_mode
            .as_deref(),
        Some("Passthrough")
    );
    assert_eq!(route.input.as_ref().unwrap().kind, RouteKind::Tls);
}

#[test]
fn allowed_route_namespaces_same_all_and_selector() {
    let listener = |namespaces: &str| {
        format!(
            "{{name: l, protocol: HTTP, port: 80, allowedRoutes: {{namespaces: {namespaces}}}}}"
        )
    };
    assert_eq!(
        accepted("{name: l, protocol: HTTP, port: 80}", "team-a", "HTTPRoute"),
        Err("NotAllowedByListeners".into())
    );
    assert_eq!(
        accepted("{name: l, protocol: HTTP, port: 80}", "infra", "HTTPRoute"),
        Ok(())
    );
    assert_eq!(
        accepted(&listener("{from: Same}"), "team-a", "HTTPRoute"),
        Err("NotAllowedByListeners".into())
    );
    assert_eq!(
        accepted(&listener("{from: All}"), "team-a", "HTTPRoute"),
        Ok(())
    );
    let selector = |selector: &str| listener(&format!("{{from: Selector, selector: {selector}}}"));
    assert_eq!(
        accepted(&selector("{matchLabels: {team: a}}"), "team-a", "HTTPRoute"),
        Ok(())
    );
    assert_eq!(
        accepted(&selector("{matchLabels: {team: b}}"), "team-a", "HTTPRoute"),
        Err("NotAllowedByListeners".into())
    );
    let expressions = "{matchExpressions: [{key: tier, operator: In, values: [gold, silver]}, {key: legacy, operator: DoesNotExist}]}";
    assert_eq!(
        accepted(&selector(expressions), "team-a", "HTTPRoute"),
        Ok(())
    );
    let not_in = "{matchExpressions: [{key: tier, operator: NotIn, values: [gold]}]}";
    assert_eq!(
        accepted(&selector(not_in), "team-a", "HTTPRoute"),
        Err("NotAllowedByListeners".into())
    );
    let exists = "{matchExpressions: [{key: team, operator: Exists}]}";
    assert_eq!(
        accepted(&selector(exists), "team-b", "HTTPRoute"),
        Err("NotAllowedByListeners".into())
    );
    let by_name = "{matchLabels: {kubernetes.io/metadata.name: team-b}}";
    assert_eq!(
        accepted(&selector(by_name), "team-b", "HTTPRoute"),
        Ok(()),
        "undeclared namespaces have their name label"
    );
    assert_eq!(
        accepted(&listener("{from: Selector}"), "team-a", "HTTPRoute"),
        Err("NotAllowedByListeners".into())
    );
}

#[test]
fn hostnames_intersect_with_wildcards_on_either_side() {
    let hostnames = |names: &[&str]| {
        names
            .iter()
            .map(|name| name.to_string())
            .collect::<Vec<_>>()
    };
    assert!(listeners::hostnames_intersect(
        &hostnames(&["a.example.com"]),
        None
    ));
    assert!(listeners::hostnames_intersect(
        &hostnames(&[]),
        Some("a.example.com")
    ));
    assert!(listeners::hostnames_intersect(
        &hostnames(&["a.example.com"]),
        Some("*.example.com")
    ));
    assert!(listeners::hostnames_intersect(
        &hostnames(&["*.example.com"]),
        Some("b.a.example.com")
    ));
    assert!(listeners::hostnames_intersect(
        &hostnames(&["x.org", "a.example.com"]),
        Some("a.example.com")
    ));
    assert!(!listeners::hostnames_intersect(
        &hostnames(&["example.com"]),
        Some("*.example.com")
    ));
    assert!(!listeners::hostnames_intersect(
        &hostnames(&["a.example.org"]),
        Some("*.example.com")
    ));
}

#[test]
fn a_listener_hostname_miss_outranks_not_allowed() {
    let listeners = "{name: a, protocol: HTTP, port: 80, hostname: \"*.example.com\", allowedRoutes: {namespaces: {from: All}}}, \
                     {name: b, protocol: HTTPS, port: 443, allowedRoutes: {kinds: [{kind: TLSRoute}]}}";
    let route =
        route_in("team-a", "HTTPRoute").replace("hostnames: []", "hostnames: [shop.example.org]");
    let route = only_route(&gateway_with(listeners, &route));
    assert!(route.input.is_none());
    assert_eq!(
        reasons(&route),
        [(
            "NoMatchingListenerHostname".into(),
            Some("spec.parentRefs[0]".into())
        )]
    );

    let matching =
        route_in("team-a", "HTTPRoute").replace("hostnames: []", "hostnames: [shop.example.com]");
    assert_eq!(
        listener_names(&only_route(&gateway_with(listeners, &matching))),
        ["shared/a:80"]
    );
}

/// A route whose backends resolve in every way and fail in every way.
const BACKENDS: &str = include_str!("testdata/backends.yaml");

#[test]
fn backends_are_resolved_with_their_defaults() {
    let route = only_route(BACKENDS);
    let input = route
        .input
        .as_ref()
        .expect("backend problems do not block the input");
    let first = &input.rules[0].backends;
    assert_eq!(
        (
            first[0].kind.as_str(),
            first[0].namespace.as_str(),
            first[0].port,
            first[0].weight
        ),
        ("Service", "default", Some(80), 1)
    );
    let BackendTarget::Service(service) = &first[0].target else {
        panic!("{:?}", first[0].target)
    };
    assert_eq!(service.meta.kind, "Service");
    assert_eq!(service.ip_families, ["IPv4"]);
    let ports: Vec<_> = service
        .ports
        .iter()
        .map(|port| (port.name.as_str(), port.port, port.protocol.as_str()))
        .collect();
    assert_eq!(ports, [("http", 80, "TCP"), ("", 9000, "UDP")]);
    let policies: Vec<_> = service
        .policies
        .iter()
        .map(|policy| (policy.meta.name.as_str(), policy.created.as_str()))
        .collect();
    assert_eq!(
        policies,
        [
            ("older", "2024-01-01T00:00:00Z"),
            ("newer", "2024-02-01T00:00:00Z")
        ]
    );
    assert_eq!(service.policies[0].meta.kind, "TargetGroupPolicy");
    let spec: serde_json::Value = serde_json::from_str(&service.policies[0].spec).unwrap();
    assert_eq!(spec["protocol"], "HTTP");

    assert_eq!((first[1].port, first[1].weight), (None, 10));
    let BackendTarget::ServiceImport(import) = &first[1].target else {
        panic!("{:?}", first[1].target)
    };
    assert_eq!(
        (import.kind.as_str(), import.name.as_str()),
        ("ServiceImport", "remote")
    );
    assert_eq!(
        import.annotations[0].key,
        "application-networking.k8s.aws/aws-eks-cluster-name"
    );
    assert!(matches!(first[2].target, BackendTarget::ServiceImport(_)));

    let second = &input.rules[1].backends;
    assert_eq!(second[0].target, BackendTarget::NotFound);
    assert_eq!(
        second[1].target,
        BackendTarget::UnsupportedKind("S3Bucket".into())
    );
    assert_eq!(
        second[2].target,
        BackendTarget::UnsupportedKind("Service".into())
    );
    assert_eq!(
        reasons(&route),
        [
            (
                "BackendNotFound".into(),
                Some("spec.rules[1].backendRefs[0].name".into())
            ),
            (
                "InvalidKind".into(),
                Some("spec.rules[1].backendRefs[1].kind".into())
            ),
            (
                "InvalidKind".into(),
                Some("spec.rules[1].backendRefs[2].group".into())
            ),
        ]
    );
    assert_eq!(route.problems[0].message, "Service default/gone not found");
    assert_eq!(input.rules[1].index, 1);
}

#[test]
fn out_of_range_backend_values_block_the_input() {
    // The schema refuses such values in manifests; a watched object is set
    // by hand here, as only a misbehaving API server would hand it over.
    let mut snapshot = snapshot(BACKENDS);
    let backend = &mut snapshot.http_routes[0].spec.rules.as_mut().unwrap()[0]
        .backend_refs
        .as_mut()
        .unwrap()[0];
    assert_eq!(backend.name, "shop");
    backend.port = Some(70000);
    backend.weight = Some(-1);
    let mut routes = routes(&snapshot, &cluster());
    assert_eq!(routes.len(), 1);
    let route = routes.remove(0);
    assert!(route.input.is_none());
    let blocking: Vec<_> = route
        .problems
        .iter()
        .filter(|problem| problem.reason == "UnsupportedValue")
        .collect();
    assert_eq!(blocking.len(), 2);
    assert_eq!(
        blocking[0].field.as_deref(),
        Some("spec.rules[0].backendRefs[0].port")
    );
}

#[test]
fn http_matches_get_the_gateway_api_defaults() {
    let route = only_route(include_str!("testdata/http-matches.yaml"));
    let input = route.input.unwrap();
    let keys: Vec<_> = input
        .meta
        .annotations
        .iter()
        .map(|annotation| annotation.key.as_str())
        .collect();
    assert_eq!(keys, ["a", "z"]);
    assert_eq!(input.hostnames, ["shop.example.com"]);
    let prefix = |value: &str| {
        Some(PathMatch {
            kind: PathMatchKind::PathPrefix,
            value: value.into(),
        })
    };
    assert_eq!(input.rules[0].matches.len(), 1);
    assert_eq!(input.rules[0].matches[0].path, prefix("/"));
    let matches = &input.rules[1].matches;
    assert_eq!(matches[0].path, prefix("/"));
    assert_eq!(matches[0].method.as_deref(), Some("GET"));
    assert_eq!(
        matches[0].headers,
        [ValueMatch {
            kind: ValueMatchKind::Exact,
            name: "version".into(),
            value: "v2".into()
        }]
    );
    assert_eq!(matches[0].query_params, None);
    assert_eq!(
        matches[1].path,
        Some(PathMatch {
            kind: PathMatchKind::Exact,
            value: "/cart".into()
        })
    );
    assert_eq!(matches[1].query_params, Some(vec![]));
    assert_eq!(matches[2].path, prefix("/items"));
    assert_eq!(
        matches[2].headers[0].kind,
        ValueMatchKind::RegularExpression
    );
    assert_eq!(
        matches[2].query_params.as_ref().unwrap()[0].kind,
        ValueMatchKind::Exact
    );
    assert!(matches.iter().all(|matched| matched.grpc_service.is_none()));
    let raw: serde_json::Value = serde_json::from_str(&input.raw).unwrap();
    assert_eq!(raw["kind"], "HTTPRoute");
    assert_eq!(
        raw["spec"]["rules"][1]["matches"][1]["path"]["type"],
        "Exact"
    );
}

#[test]
fn grpc_methods_map_into_the_grpc_fields() {
    let route = only_route(include_str!("testdata/grpc-methods.yaml"));
    let input = route.input.unwrap();
    assert_eq!(input.kind, RouteKind::Grpc);
    let matches = &input.rules[0].matches;
    assert_eq!(
        (
            matches[0].grpc_service.as_deref(),
            matches[0].grpc_method.as_deref(),
            matches[0].grpc_match_kind.as_deref()
        ),
        (Some("shop.Cart"), Some("Add"), Some("Exact"))
    );
    assert_eq!(matches[0].headers[0].name, "tenant");
    assert_eq!(
        matches[1].grpc_match_kind.as_deref(),
        Some("RegularExpression")
    );
    assert_eq!(
        (
            matches[2].grpc_service.as_deref(),
            matches[2].grpc_match_kind.as_deref()
        ),
        (None, None)
    );
    assert!(
        matches
            .iter()
            .all(|matched| matched.path.is_none() && matched.query_params.is_none())
    );
    assert!(input.rules[1].matches.is_empty());
}

#[test]
fn routes_are_sorted_by_namespace_and_name() {
    let route = |namespace: &str, name: &str| {
        http_route("[{name: lattice, namespace: default}]").replace(
            "{name: route, namespace: default}",
            &format!("{{name: {name}, namespace: {namespace}}}"),
        )
    };
    let yaml = [
        route("default", "b"),
        route("apps", "z"),
        route("default", "a"),
    ]
    .join("\n---\n");
    let names: Vec<_> = routes(&snapshot(&yaml), &cluster())
        .into_iter()
        .map(|route| route.object.to_string())
        .collect();
    assert_eq!(
        names,
        [
            "HTTPRoute apps/z",
            "HTTPRoute default/a",
            "HTTPRoute default/b"
        ]
    );
}

#[test]
fn lattice_gateways_are_those_of_the_lattice_class() {
    let snapshot = snapshot("");
    let gateways = lattice_gateways(&snapshot);
    assert_eq!(gateways.len(), 1);
    let input = gateway_input(&snapshot, gateways[0]);
    assert_eq!(
        (
            input.meta.kind.as_str(),
            input.meta.namespace.as_str(),
            input.meta.name.as_str()
        ),
        ("Gateway", "default", "lattice")
    );
    let raw: serde_json::Value = serde_json::from_str(&input.raw).unwrap();
    assert_eq!(raw["spec"]["listeners"][1]["name"], "https");
}

#[test]
fn exports_find_their_service_ports_and_policies() {
    let yaml = include_str!("testdata/exports.yaml");
    let exports = exports(&snapshot(yaml), &cluster());
    let names: Vec<_> = exports
        .iter()
        .map(|(object, _)| object.to_string())
        .collect();
    assert_eq!(
        names,
        ["ServiceExport default/alone", "ServiceExport default/web"]
    );
    let (_, alone) = &exports[0];
    assert_eq!(
        (alone.exported_ports.as_ref(), alone.service.as_ref()),
        (None, None)
    );
    let (_, web) = &exports[1];
    assert_eq!(web.service.as_ref().unwrap().meta.name, "backend");
    assert_eq!(
        web.exported_ports,
        Some(vec![ExportedPort {
            port: 80,
            route_type: "HTTP".into()
        }])
    );
    assert_eq!(web.policies.len(), 1);
    assert_eq!(web.meta.kind, "ServiceExport");
    let raw: serde_json::Value = serde_json::from_str(&web.raw).unwrap();
    assert_eq!(raw["apiVersion"], "application-networking.k8s.aws/v1alpha1");
}

/// A route of one rule forwarding to the ServiceImport `default/rates`, which
/// does not exist, with `annotations` on the route.
fn route_to_missing_import(annotations: &str) -> String {
    format!(
        r#"
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {{name: route, namespace: default, annotations: {annotations}}}
spec:
  parentRefs: [{{name: lattice}}]
  rules:
  - backendRefs: [{{name: rates, kind: ServiceImport, port: 80}}]
"#
    )
}

#[test]
fn a_missing_service_import_is_tolerated_unless_the_route_overrides_its_service_name() {
    let route = only_route(&route_to_missing_import("{}"));
    let input = route
        .input
        .as_ref()
        .expect("the missing import does not block");
    let backend = &input.rules[0].backends[0];
    assert_eq!(backend.target, BackendTarget::NotFound);
    assert_eq!(backend.kind, "ServiceImport");
    assert_eq!(
        reasons(&route),
        [(
            "BackendNotFound".into(),
            Some("spec.rules[0].backendRefs[0].name".into())
        )]
    );
    assert!(
        route.problems[0]
            .message
            .contains("ServiceImport default/rates not found")
    );

    let route = only_route(&route_to_missing_import(
        "{application-networking.k8s.aws/service-name-override: payments-rates}",
    ));
    assert!(route.input.is_none(), "{route:#?}");
    assert_eq!(route.problems[0].reason, "BackendNotFound");
    assert!(
        route.problems[0]
            .message
            .contains("refusing to claim the existing service")
    );
}
