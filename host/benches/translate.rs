//! The default plugin translating a 10-rule HTTPRoute: through Wasm, against
//! the same translation core compiled natively.
//!
//! Two groups: `translate-route` alone (a fresh instance for the call, as
//! `Plugin::translate_route` makes), and a route's four calls
//! (`translate-route`, `route-auth-policy`, `name`, `tags` for the service,
//! its listener and its rules) made with a fresh instance per call, with one
//! `PluginSession` for the route (what the chain does), and natively.

use criterion::{Criterion, criterion_group, criterion_main};
use trellis::config::ClusterConfig;
use trellis::plugin::bindings::naming::{ListenerSubject, NamingSubject, RuleSubject};
use trellis::plugin::bindings::tagging::TaggingSubject;
use trellis::plugin::bindings::types::{
    AttachedListener, BackendRef, BackendTarget, CallContext, KeyValue, ObjectMeta, PathMatch,
    PathMatchKind, RouteInput, RouteKind, RouteMatch, RouteRule, RouteTranslation, ServiceInfo,
    ServicePort,
};
use trellis::plugin::{Plugin, PluginEngine, PluginError, PluginSession};

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

/// The naming and tagging subjects of a translated route's service,
/// associations, listeners and rules, as the host makes them.
fn subjects(translation: &RouteTranslation) -> (Vec<NamingSubject>, Vec<TaggingSubject>) {
    let spec = &translation.service;
    let mut naming = vec![NamingSubject::Service];
    let mut tagging = vec![TaggingSubject::Service];
    tagging.extend(
        spec.service_networks
            .iter()
            .cloned()
            .map(TaggingSubject::ServiceNetworkAssociation),
    );
    for listener in &spec.listeners {
        naming.push(NamingSubject::Listener(ListenerSubject {
            port: listener.port,
            protocol: listener.protocol,
        }));
        tagging.push(TaggingSubject::Listener(listener.port));
        for rule in &listener.rules {
            naming.push(NamingSubject::Rule(RuleSubject {
                listener_port: listener.port,
                priority: rule.priority,
                match_json: serde_json::to_string(&rule.match_).unwrap(),
            }));
            tagging.push(TaggingSubject::Rule((listener.port, rule.priority)));
        }
    }
    (naming, tagging)
}

/// A route's four calls on `session`: translate, auth, names, tags.
async fn route_calls(
    session: &PluginSession<'_>,
    context: &CallContext,
    route: &RouteInput,
) -> Result<usize, PluginError> {
    let translation = session.translate_route(context, route, None).await?;
    let auth = session.route_auth_policy(context, route).await?;
    let (naming, tagging) = subjects(&translation);
    let names = session
        .name_resources(context, &route.meta, &naming)
        .await?;
    let tags = session
        .tag_resources(context, &route.meta, &tagging)
        .await?;
    Ok(names.len() + tags.len() + usize::from(auth.is_some()))
}

/// The same four calls, each in a fresh instance.
async fn route_calls_fresh(
    plugin: &Plugin,
    context: &CallContext,
    route: &RouteInput,
) -> Result<usize, PluginError> {
    let translation = plugin.translate_route(context, route, None).await?;
    let auth = plugin.route_auth_policy(context, route).await?;
    let (naming, tagging) = subjects(&translation);
    let names = plugin.name_resources(context, &route.meta, &naming).await?;
    let tags = plugin.tag_resources(context, &route.meta, &tagging).await?;
    Ok(names.len() + tags.len() + usize::from(auth.is_some()))
}

/// The same four calls to the native core.
fn route_calls_native(
    context: &trellis_plugin_default::CallContext,
    route: &trellis_plugin_default::RouteInput,
) -> usize {
    use trellis_plugin_default as native;
    let translation = native::translate_route(context, route, None).unwrap();
    let auth = native::route_auth_policy(context, route).unwrap();
    // The subjects are built from the host's types, as the host does.
    let host: RouteTranslation =
        serde_json::from_value(serde_json::to_value(&translation).unwrap()).unwrap();
    let (naming, tagging) = subjects(&host);
    let naming: Vec<native::NamingSubject> =
        serde_json::from_value(serde_json::to_value(&naming).unwrap()).unwrap();
    let tagging: Vec<native::TaggingSubject> =
        serde_json::from_value(serde_json::to_value(&tagging).unwrap()).unwrap();
    let names = native::name(context, &route.meta, &naming).unwrap();
    let tags = native::tags(context, &route.meta, &tagging).unwrap();
    names.len() + tags.len() + usize::from(auth.is_some())
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

    // The native route: subjects are converted outside the timed part.
    let native_translation =
        trellis_plugin_default::translate_route(&native_context, &native_route, None).unwrap();
    let host_translation: RouteTranslation =
        serde_json::from_value(serde_json::to_value(&native_translation).unwrap()).unwrap();
    let (naming, tagging) = subjects(&host_translation);
    let native_naming: Vec<trellis_plugin_default::NamingSubject> =
        serde_json::from_value(serde_json::to_value(&naming).unwrap()).unwrap();
    let native_tagging: Vec<trellis_plugin_default::TaggingSubject> =
        serde_json::from_value(serde_json::to_value(&tagging).unwrap()).unwrap();
    let session_answers = runtime
        .block_on(route_calls(&plugin.session(), &context, &route))
        .unwrap();
    assert_eq!(
        session_answers,
        runtime
            .block_on(route_calls_fresh(&plugin, &context, &route))
            .unwrap()
    );
    assert_eq!(
        session_answers,
        route_calls_native(&native_context, &native_route)
    );

    let mut group = c.benchmark_group("10-rule HTTPRoute, translate + auth + name + tags");
    group.bench_function("wasm, fresh instance per call", |b| {
        b.iter(|| {
            runtime
                .block_on(route_calls_fresh(&plugin, &context, &route))
                .unwrap()
        })
    });
    group.bench_function("wasm, one session per route", |b| {
        b.iter(|| {
            runtime
                .block_on(route_calls(&plugin.session(), &context, &route))
                .unwrap()
        })
    });
    group.bench_function("native core", |b| {
        b.iter(|| {
            use trellis_plugin_default as native;
            let translation =
                native::translate_route(&native_context, &native_route, None).unwrap();
            let auth = native::route_auth_policy(&native_context, &native_route).unwrap();
            let names = native::name(&native_context, &native_route.meta, &native_naming).unwrap();
            let tags = native::tags(&native_context, &native_route.meta, &native_tagging).unwrap();
            (translation, auth, names, tags)
        })
    });
    group.finish();
}

criterion_group!(benches, translate);
criterion_main!(benches);
