//! Manifests → snapshot → normalized plugin inputs, on the multi-cluster
//! example and on broken inputs.

use std::path::{Path, PathBuf};

use trellis::kube::ClusterInput;
use trellis::kube::manifests::{ManifestError, load_plan_inputs};
use trellis::plugin::bindings::types::{BackendTarget, PathMatchKind, RouteKind};
use trellis::reconcile::normalize;

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/multi-cluster")
}

fn counts(cluster: &ClusterInput) -> [usize; 10] {
    let snapshot = &cluster.snapshot;
    [
        snapshot.gateway_classes.len(),
        snapshot.gateways.len(),
        snapshot.http_routes.len(),
        snapshot.grpc_routes.len() + snapshot.tls_routes.len(),
        snapshot.services.len(),
        snapshot.endpoint_slices.len(),
        snapshot.service_exports.len(),
        snapshot.service_imports.len(),
        snapshot.policies.len() + snapshot.namespaces.len(),
        cluster.skipped.values().sum(),
    ]
}

#[test]
fn the_multi_cluster_example_is_three_clusters() {
    let clusters = load_plan_inputs(&[example()]).expect("the example loads");
    let names: Vec<_> = clusters
        .iter()
        .map(|cluster| cluster.config.cluster_name.as_str())
        .collect();
    assert_eq!(
        names,
        ["config-cluster", "workload-cluster-1", "workload-cluster-2"]
    );
    // The config cluster labels its namespace for the example policies.
    assert_eq!(counts(&clusters[0]), [1, 1, 1, 0, 0, 0, 0, 2, 1, 0]);
    for (cluster, number) in clusters[1..].iter().zip(1..) {
        assert_eq!(
            counts(cluster),
            [0, 0, 0, 0, 1, 1, 1, 0, 0, 1],
            "{}",
            cluster.config.cluster_name
        );
        assert_eq!(cluster.skipped.get("Deployment"), Some(&1));
        assert_eq!(
            cluster.config.vpc_id,
            format!("vpc-0a1b2c3d4e5f6000{number}")
        );
        assert!(
            cluster
                .source
                .ends_with(format!("workload-cluster-{number}"))
        );
    }
    for cluster in &clusters {
        assert_eq!(cluster.config.account_id, "123456789012");
        assert_eq!(cluster.config.region, "us-west-2");
        assert_eq!(
            cluster.config.default_service_network.as_deref(),
            Some("my-gateway")
        );
    }
}

#[test]
fn the_config_cluster_route_routes_to_both_imports() {
    let clusters = load_plan_inputs(&[example()]).unwrap();
    let config = &clusters[0];
    assert_eq!(normalize::lattice_gateways(&config.snapshot).len(), 1);
    let routes = normalize::routes(&config.snapshot, &config.config);
    assert_eq!(routes.len(), 1);
    let route = &routes[0];
    assert!(route.problems.is_empty(), "{:#?}", route.problems);
    let input = route.input.as_ref().expect("the route is accepted");
    assert_eq!(input.kind, RouteKind::Http);
    assert_eq!(
        (input.meta.namespace.as_str(), input.meta.name.as_str()),
        ("default", "my-httproute")
    );
    assert_eq!(input.listeners.len(), 1);
    let listener = &input.listeners[0];
    assert_eq!(
        (
            listener.gateway.name.as_str(),
            listener.listener_name.as_str(),
            listener.port
        ),
        ("my-gateway", "http", 80)
    );
    assert_eq!(
        (listener.protocol.as_str(), listener.tls_mode.as_ref()),
        ("HTTP", None)
    );
    assert_eq!(input.rules.len(), 2);
    for (rule, service) in input.rules.iter().zip(["service-1", "service-2"]) {
        let path = rule.matches[0].path.as_ref().unwrap();
        assert_eq!(
            (path.kind, path.value.as_str()),
            (PathMatchKind::PathPrefix, format!("/{service}").as_str())
        );
        assert_eq!(rule.backends.len(), 1);
        let backend = &rule.backends[0];
        assert_eq!(
            (
                backend.kind.as_str(),
                backend.name.as_str(),
                backend.port,
                backend.weight
            ),
            ("ServiceImport", service, Some(80), 1)
        );
        assert!(
            matches!(&backend.target, BackendTarget::ServiceImport(meta) if meta.name == service)
        );
    }
}

#[test]
fn the_workload_clusters_export_their_services() {
    let clusters = load_plan_inputs(&[example()]).unwrap();
    for (cluster, service) in clusters[1..].iter().zip(["service-1", "service-2"]) {
        assert!(normalize::routes(&cluster.snapshot, &cluster.config).is_empty());
        let exports = normalize::exports(&cluster.snapshot, &cluster.config);
        assert_eq!(exports.len(), 1);
        let (object, input) = &exports[0];
        assert_eq!(
            object.to_string(),
            format!("ServiceExport default/{service}")
        );
        assert_eq!(input.exported_ports, None);
        let found = input.service.as_ref().expect("the exported Service exists");
        assert_eq!(
            (found.ports[0].name.as_str(), found.ports[0].port),
            ("http", 80)
        );
    }
}

fn write(dir: &Path, file: &str, text: &str) -> PathBuf {
    let path = dir.join(file);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn a_parent_ref_to_a_missing_gateway_is_a_problem() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "route.yaml",
        r#"
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: inventory}
spec:
  parentRefs: [{name: my-hotel, sectionName: http}]
  rules: [{backendRefs: [{name: inventory, port: 80}]}]
"#,
    );
    let clusters = load_plan_inputs(&[dir.path().to_path_buf()]).unwrap();
    assert_eq!(clusters.len(), 1);
    assert_eq!(clusters[0].config.cluster_name, "local");
    let routes = normalize::routes(&clusters[0].snapshot, &clusters[0].config);
    assert_eq!(routes.len(), 1);
    assert!(routes[0].input.is_none());
    assert_eq!(routes[0].problems.len(), 1);
    let problem = &routes[0].problems[0];
    assert_eq!(
        (problem.reason.as_str(), problem.field.as_deref()),
        ("NoMatchingParent", Some("spec.parentRefs[0].name"))
    );
    assert_eq!(problem.message, "Gateway default/my-hotel not found");
    assert_eq!(problem.object.to_string(), "HTTPRoute default/inventory");
    assert_eq!(problem.cluster, "local");
}

/// One malformed object is a problem of its own, naming the file, the
/// object and the field; every other object is read.
#[test]
fn a_malformed_object_is_left_out_alone() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "a-service.yaml",
        "apiVersion: v1\nkind: Service\nmetadata: {name: web}\n",
    );
    let route = write(
        dir.path(),
        "route.yaml",
        r#"apiVersion: v1
kind: Service
metadata: {name: other}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: my-route}
spec:
  rules:
  - matches:
    - path: {type: Prefix, value: /}
"#,
    );
    let clusters = load_plan_inputs(&[dir.path().to_path_buf()]).unwrap();
    let cluster = &clusters[0];
    assert_eq!(cluster.snapshot.services.len(), 2);
    assert!(cluster.snapshot.http_routes.is_empty());
    assert_eq!(cluster.left_out.len(), 1);
    let problem = &cluster.left_out[0];
    assert_eq!(
        (
            problem.reason.as_str(),
            problem.field.as_deref(),
            problem.object.to_string(),
            problem.cluster.as_str()
        ),
        (
            "SchemaViolation",
            Some("spec.rules[0].matches[0].path.type"),
            "HTTPRoute default/my-route".to_owned(),
            "local"
        )
    );
    let expected = format!(
        "{}: document 2: HTTPRoute default/my-route: the API server would refuse it: spec.rules[0].matches[0].path.type: ",
        route.display()
    );
    assert!(
        problem.message.starts_with(&expected),
        "{}",
        problem.message
    );
}

/// A path that is not a regular file is refused before it is opened.
#[test]
fn a_device_is_not_read() {
    let error = load_plan_inputs(&[PathBuf::from("/dev/zero")]).unwrap_err();
    assert!(matches!(error, ManifestError::NotAFile { .. }), "{error}");
}
