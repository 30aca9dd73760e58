//! The default plugin translating a 10-rule HTTPRoute: through Wasm with a
//! fresh instance per call (what the host does), against the same translation
//! core compiled natively.

use criterion::{Criterion, criterion_group, criterion_main};
use trellis::config::ClusterConfig;
use trellis::plugin::bindings::types::{
    AttachedListener, BackendRef, BackendTarget, CallContext, KeyValue, ObjectMeta, PathMatch,
    PathMatchKind, RouteInput, RouteKind, RouteMatch, RouteRule, ServiceInfo, ServicePort,
};
use trellis::plugin::{Plugin, PluginEngine};

fn meta(kind: &str, name: &str) -> ObjectMeta {
    ObjectMeta {
        kind: kind.into(),
        namespace: "default".into(),
        name: name.into(),
        annotations: vec![KeyValue {
            key: "application-networking.k8s.aws/tags".into(),
            value: "team=payments".into(),
        }],
        labels: Vec::new(),
    }
}

/// An HTTPRoute with ten PathPrefix rules, each to its own Service.
fn ten_rule_route() -> RouteInput {
    let rules = (0..10u32)
        .map(|index| {
            let service = format!("service-{index}");
            RouteRule {
                index,
                matches: vec![RouteMatch {
                    path: Some(PathMatch {
                        kind: PathMatchKind::PathPrefix,
                        value: format!("/{service}"),
                    }),
                    method: None,
                    headers: Vec::new(),
                    query_params: None,
                    grpc_service: None,
                    grpc_method: None,
                    grpc_match_kind: None,
                }],
                backends: vec![BackendRef {
                    kind: "Service".into(),
                    namespace: "default".into(),
                    name: service.clone(),
                    port: Some(80),
                    weight: 1,
                    target: BackendTarget::Service(ServiceInfo {
                        meta: meta("Service", &service),
                        ports: vec![ServicePort {
                            name: "http".into(),
                            port: 80,
                            protocol: "TCP".into(),
                        }],
                        ip_families: vec!["IPv4".into()],
                        policies: Vec::new(),
                    }),
                }],
            }
        })
        .collect();
    RouteInput {
        kind: RouteKind::Http,
        meta: meta("HTTPRoute", "checkout"),
        hostnames: Vec::new(),
        listeners: vec![AttachedListener {
            gateway: meta("Gateway", "my-gateway"),
            listener_name: "http".into(),
            port: 80,
            protocol: "HTTP".into(),
            tls_mode: None,
            tls_options: Vec::new(),
        }],
        rules,
        policies: Vec::new(),
        raw: "{}".into(),
    }
}

fn translate(c: &mut Criterion) {
    let context = CallContext {
        cluster: (&ClusterConfig::local()).into(),
        config: "{}".into(),
        namespace_labels: Vec::new(),
    };
    let route = ten_rule_route();

    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime starts");
    let engine = PluginEngine::new().expect("engine starts");
    let plugin = Plugin::default_plugin(&engine).expect("default plugin loads");

    // The same input, as the native core's own (wit-bindgen) types.
    let native_context: trellis_plugin_default::CallContext =
        serde_json::from_value(serde_json::to_value(&context).unwrap()).unwrap();
    let native_route: trellis_plugin_default::RouteInput =
        serde_json::from_value(serde_json::to_value(&route).unwrap()).unwrap();

    let wasm = runtime
        .block_on(plugin.translate_route(&context, &route, None))
        .expect("wasm translation");
    let native = trellis_plugin_default::translate_route(&native_context, &native_route, None)
        .expect("native");
    assert_eq!(
        serde_json::to_value(&wasm).unwrap(),
        serde_json::to_value(&native).unwrap(),
        "same result"
    );

    let mut group = c.benchmark_group("translate 10-rule HTTPRoute");
    group.bench_function("wasm, fresh instance per call", |b| {
        b.iter(|| {
            runtime
                .block_on(plugin.translate_route(&context, &route, None))
                .unwrap()
        })
    });
    group.bench_function("native core", |b| {
        b.iter(|| {
            trellis_plugin_default::translate_route(&native_context, &native_route, None).unwrap()
        })
    });
    group.finish();
}

criterion_group!(benches, translate);
criterion_main!(benches);
