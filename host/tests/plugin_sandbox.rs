//! The plugin runtime contains a misbehaving plugin: traps, endless loops,
//! unbounded allocation, refusals and invalid output each become an error or
//! a problem that names the plugin (and the object and field), the plugin
//! keeps serving the next call, and the other objects of a plan go on.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use trellis::config::ClusterConfig;
use trellis::kube::manifests::load_plan_inputs;
use trellis::lattice::InMemoryLattice;
use trellis::plugin::bindings::types::{
    AttachedListener, CallContext, KeyValue, ObjectMeta, RouteInput, RouteKind, RouteRule,
};
use trellis::plugin::{LogLimits, Plugin, PluginEngine, PluginError, PluginLimits, PluginSet};
use trellis::reconcile::{PlanReport, plan};

fn misbehaving(limits: PluginLimits) -> Plugin {
    let engine = PluginEngine::with_limits(limits).expect("engine starts");
    Plugin::from_file(&engine, Path::new(env!("TRELLIS_TEST_PLUGIN_MISBEHAVING")))
        .expect("test plugin loads")
}

fn quick_limits() -> PluginLimits {
    PluginLimits {
        timeout: Duration::from_millis(200),
        memory_bytes: 16 << 20,
        log: LogLimits::default(),
    }
}

/// What the host logs while the guard lives (this thread; plugin calls of a
/// current-thread runtime run on it), as plain text.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn start() -> (Self, tracing::subscriber::DefaultGuard) {
        let captured = Self::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        (captured, tracing::subscriber::set_default(subscriber))
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

const BUDGET_NOTICE: &str = "plugin reached its log budget";

fn context() -> CallContext {
    CallContext {
        cluster: (&ClusterConfig::local()).into(),
        config: "{}".into(),
        namespace_labels: Vec::new(),
    }
}

fn route(mode: &str) -> RouteInput {
    let meta = |kind: &str, name: &str, annotations: Vec<KeyValue>| ObjectMeta {
        kind: kind.into(),
        namespace: "default".into(),
        name: name.into(),
        annotations,
        labels: Vec::new(),
    };
    let annotations = vec![KeyValue {
        key: "trellis.test/misbehave".into(),
        value: mode.into(),
    }];
    RouteInput {
        kind: RouteKind::Http,
        meta: meta("HTTPRoute", "rates", annotations),
        hostnames: Vec::new(),
        listeners: vec![AttachedListener {
            gateway: meta("Gateway", "my-gateway", Vec::new()),
            listener_name: "http".into(),
            port: 80,
            protocol: "HTTP".into(),
            tls_mode: None,
            tls_options: Vec::new(),
        }],
        rules: vec![RouteRule {
            index: 0,
            matches: Vec::new(),
            backends: Vec::new(),
        }],
        policies: Vec::new(),
        raw: "{}".into(),
    }
}

#[tokio::test]
async fn a_trap_names_the_plugin_and_the_plugin_keeps_serving() {
    let plugin = misbehaving(quick_limits());
    let error = plugin
        .translate_route(&context(), &route("trap"), None)
        .await
        .unwrap_err();
    assert!(
        matches!(&error, PluginError::Trap { plugin, function: "translate-route", .. } if plugin == "trellis_test_plugin_misbehaving"),
        "{error}"
    );
    assert!(
        error.to_string().contains("trap requested") || error.to_string().contains("unreachable"),
        "{error}"
    );
    let translation = plugin
        .translate_route(&context(), &route(""), None)
        .await
        .expect("the next call is served");
    assert_eq!(translation.service.listeners.len(), 1);
}

#[tokio::test]
async fn an_endless_loop_is_stopped_at_the_timeout() {
    let plugin = misbehaving(quick_limits());
    let started = Instant::now();
    let error = plugin
        .translate_route(&context(), &route("loop"), None)
        .await
        .unwrap_err();
    let elapsed = started.elapsed();
    assert!(
        matches!(error, PluginError::Timeout { function: "translate-route", limit, .. } if limit == Duration::from_millis(200)),
        "{error}"
    );
    assert!(
        elapsed >= Duration::from_millis(200),
        "stopped before its budget: {elapsed:?}"
    );
    assert!(
        error
            .to_string()
            .contains("trellis_test_plugin_misbehaving"),
        "{error}"
    );
}

#[tokio::test]
async fn unbounded_allocation_is_stopped_at_the_memory_limit() {
    let plugin = misbehaving(quick_limits());
    let error = plugin
        .translate_route(&context(), &route("oom"), None)
        .await
        .unwrap_err();
    assert!(
        matches!(error, PluginError::MemoryExceeded { limit_bytes, .. } if limit_bytes == 16 << 20),
        "{error}"
    );
    plugin
        .translate_route(&context(), &route(""), None)
        .await
        .expect("the next call is served");
}

#[tokio::test]
async fn a_refusal_carries_the_plugins_reason_and_field() {
    let plugin = misbehaving(quick_limits());
    let error = plugin
        .translate_route(&context(), &route("refuse"), None)
        .await
        .unwrap_err();
    let PluginError::Refused { reason, field, .. } = &error else {
        panic!("not a refusal: {error}")
    };
    assert_eq!(
        (reason.as_str(), field.as_deref()),
        ("Refused", Some("spec.rules[0]"))
    );
}

#[tokio::test]
async fn a_log_flood_is_cut_at_the_line_budget_and_the_call_succeeds() {
    let plugin = misbehaving(quick_limits());
    let (captured, _guard) = Captured::start();
    plugin
        .translate_route(&context(), &route("log-flood"), None)
        .await
        .expect("logging does not fail the call");
    let text = captured.text();
    let lines: Vec<&str> = text
        .lines()
        .filter(|line| line.contains(" line "))
        .collect();
    assert_eq!(lines.len(), 100, "{text}");
    assert!(lines[99].contains("line 99"), "{}", lines[99]);
    assert_eq!(text.matches(BUDGET_NOTICE).count(), 1, "{text}");
    assert!(text.contains("trellis_test_plugin_misbehaving"));
}

#[tokio::test]
async fn huge_log_lines_are_cut_and_a_call_logs_at_most_its_byte_budget() {
    let plugin = misbehaving(quick_limits());
    let (captured, _guard) = Captured::start();
    // 100 lines of a 1 MiB message and a 1 MiB field: 200 MiB offered.
    plugin
        .translate_route(&context(), &route("log-bytes"), None)
        .await
        .expect("logging does not fail the call");
    let text = captured.text();
    let limits = LogLimits::default();
    // Each line is cut to 4 KiB; 64 KiB hold 16 of them.
    let cut = text.lines().filter(|line| line.contains("…[cut]")).count();
    assert_eq!(cut, limits.call_bytes / limits.line_bytes, "{}", text.len());
    assert_eq!(text.matches(BUDGET_NOTICE).count(), 1);
    // The formatting of 16 lines and the notice add little to 64 KiB.
    assert!(
        text.len() < limits.call_bytes + 4096,
        "{} bytes logged",
        text.len()
    );
    // A second call has its own budget.
    let before = text.len();
    plugin
        .translate_route(&context(), &route("log-bytes"), None)
        .await
        .unwrap();
    assert!(captured.text().len() > before + limits.call_bytes / 2);
}

#[tokio::test]
async fn wasi_random_is_the_same_in_every_call() {
    let domain = |translation: trellis::plugin::bindings::types::RouteTranslation| {
        translation
            .service
            .custom_domain_name
            .expect("the random mode names a domain")
    };
    let plugin = misbehaving(quick_limits());
    let first = domain(
        plugin
            .translate_route(&context(), &route("random"), None)
            .await
            .unwrap(),
    );
    let again = domain(
        plugin
            .translate_route(&context(), &route("random"), None)
            .await
            .unwrap(),
    );
    // Another engine, another load: still the same bytes.
    let elsewhere = domain(
        misbehaving(quick_limits())
            .translate_route(&context(), &route("random"), None)
            .await
            .unwrap(),
    );
    assert_eq!(first, again);
    assert_eq!(first, elsewhere);
    // Eight bytes of each generator, in hex; the two are seeded apart.
    let parts: Vec<&str> = first.split('.').collect();
    assert_eq!(parts.len(), 4, "{first}");
    assert_eq!(&parts[2..], ["random", "test"]);
    assert!(parts[..2].iter().all(|hex| hex.len() == 16), "{first}");
    assert_ne!(parts[0], parts[1], "{first}");
    assert_ne!(parts[0], "0000000000000000", "{first}");
}

#[test]
fn a_file_that_is_not_a_component_fails_to_load_naming_the_plugin() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("garbage.wasm");
    std::fs::write(&path, b"not wasm at all").unwrap();
    let engine = PluginEngine::new().unwrap();
    let error = Plugin::from_file(&engine, &path)
        .err()
        .expect("garbage does not load");
    assert!(
        matches!(&error, PluginError::Load { plugin, .. } if plugin == "garbage"),
        "{error}"
    );
}

const MANIFESTS: &str = r#"
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: amazon-vpc-lattice}
spec: {controllerName: application-networking.k8s.aws/gateway-api-controller}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: my-gateway, namespace: default}
spec:
  gatewayClassName: amazon-vpc-lattice
  listeners: [{name: http, protocol: HTTP, port: 80}]
"#;

const CLUSTER: &str = "clusterName: solo\nvpcId: vpc-0123456789abcdef0\naccountId: \"123456789012\"\nregion: us-west-2\ndefaultServiceNetwork: my-gateway\n";

fn route_manifest(name: &str, mode: &str) -> String {
    format!(
        "---\napiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: {name}\n  namespace: default\n  annotations: {{trellis.test/misbehave: \"{mode}\"}}\nspec:\n  parentRefs: [{{name: my-gateway, sectionName: http}}]\n  rules:\n  - matches: [{{path: {{type: PathPrefix, value: /a}}}}]\n  - matches: [{{path: {{type: PathPrefix, value: /b}}}}]\n"
    )
}

fn plan_with_misbehaving(routes: &[(&str, &str)]) -> PlanReport {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("cluster.yaml"), CLUSTER).unwrap();
    let mut manifests = MANIFESTS.to_owned();
    for (name, mode) in routes {
        manifests.push_str(&route_manifest(name, mode));
    }
    std::fs::write(dir.path().join("manifests.yaml"), manifests).unwrap();
    let clusters = load_plan_inputs(&[PathBuf::from(dir.path())]).expect("manifests load");
    // The misbehaving plugin alone, in the default plugin's place.
    let plugin = PluginSet::stock(misbehaving(quick_limits()));
    let lattice = InMemoryLattice::new("123456789012", "us-west-2");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    runtime.block_on(plan(&clusters, &plugin, &lattice))
}

#[test]
fn each_broken_route_gets_its_own_problem_and_the_healthy_one_is_built() {
    let report = plan_with_misbehaving(&[
        ("trapping", "trap"),
        ("looping", "loop"),
        ("hoarding", "oom"),
        ("misnamed", "bad-name"),
        ("unnamed", "no-name"),
        ("zero-priority", "bad-priority"),
        ("same-priority", "dup-priority"),
        ("short-tags", "bad-tags"),
        ("healthy", ""),
    ]);
    let problem = |route: &str| {
        report
            .problems
            .iter()
            .find(|problem| problem.object.name == route)
            .unwrap_or_else(|| panic!("no problem on {route}: {:#?}", report.problems))
    };
    assert_eq!(problem("trapping").reason, "PluginTrapped");
    assert_eq!(problem("looping").reason, "PluginTimedOut");
    assert_eq!(problem("hoarding").reason, "PluginMemoryExceeded");
    for (route, field) in [
        ("misnamed", "(plugin output) name[0] (service)"),
        ("unnamed", "(plugin output) name[0] (service)"),
        (
            "zero-priority",
            "(plugin output) service.listeners[0].rules[0].priority",
        ),
        (
            "same-priority",
            "(plugin output) service.listeners[0].rules[1].priority",
        ),
        ("short-tags", "(plugin output) tags"),
    ] {
        let problem = problem(route);
        assert_eq!(problem.reason, "InvalidPluginOutput", "{problem}");
        assert_eq!(problem.field.as_deref(), Some(field), "{problem}");
    }
    for problem in &report.problems {
        assert_eq!(
            problem.plugin.as_deref(),
            Some("trellis_test_plugin_misbehaving"),
            "{problem}"
        );
        assert_eq!(problem.object.kind.as_str(), "HTTPRoute");
    }
    assert_eq!(report.problems.len(), 8, "{:#?}", report.problems);
    let names: Vec<&str> = report
        .state
        .services
        .iter()
        .map(|service| service.name.as_str())
        .collect();
    assert_eq!(
        names,
        ["mb-healthy"],
        "only the healthy route becomes a service"
    );
}

/// The misbehaving plugin is built for `trellis:plugin@0.1.0`, before the
/// `dns` interface: with it in the default plugin's place, no plugin of the
/// chain decides the DNS record and the host publishes upstream's.
#[test]
fn without_a_dns_plugin_a_custom_domain_gets_upstreams_record() {
    let report = plan_with_misbehaving(&[("domained", "random"), ("plain", "")]);
    assert_eq!(report.problems, [], "{:?}", report.problems);
    let service = report
        .state
        .services
        .iter()
        .find(|service| service.custom_domain_name.is_some())
        .expect("the service of the route with a custom domain");
    let domain = service
        .custom_domain_name
        .clone()
        .expect("the random mode sets a custom domain");
    assert_eq!(report.dns_endpoints.len(), 1, "{:?}", report.dns_endpoints);
    let endpoint = &report.dns_endpoints[0];
    assert_eq!(endpoint.route.name, "domained");
    assert_eq!(endpoint.name, "domained-dns");
    assert_eq!(endpoint.dns_name, domain);
    assert_eq!(endpoint.target, service.dns_entry.domain_name);
    assert_eq!(endpoint.record_ttl, 300);
}

fn custom_domain(translation: trellis::plugin::bindings::types::RouteTranslation) -> String {
    translation
        .service
        .custom_domain_name
        .expect("the mode names a domain")
}

/// A session serves all of its calls from one instance; a trap, a timeout or
/// a memory overrun ends that instance and the next call gets a fresh one.
#[tokio::test]
async fn a_session_keeps_its_instance_until_a_failure_poisons_it() {
    let plugin = misbehaving(quick_limits());
    let session = plugin.session();
    let count = async || {
        custom_domain(
            session
                .translate_route(&context(), &route("count"), None)
                .await
                .expect("counting is served"),
        )
    };
    assert_eq!(count().await, "call-1.count.test");
    assert_eq!(count().await, "call-2.count.test");
    // A refusal is an answer: the instance stays.
    let refusal = session
        .translate_route(&context(), &route("refuse"), None)
        .await
        .unwrap_err();
    assert!(matches!(refusal, PluginError::Refused { .. }), "{refusal}");
    assert_eq!(count().await, "call-3.count.test");
    for (mode, expected) in [("trap", "trap"), ("loop", "timeout"), ("oom", "memory")] {
        let error = session
            .translate_route(&context(), &route(mode), None)
            .await
            .unwrap_err();
        let kind = match error {
            PluginError::Trap { .. } => "trap",
            PluginError::Timeout { .. } => "timeout",
            PluginError::MemoryExceeded { .. } => "memory",
            _ => "other",
        };
        assert_eq!(kind, expected, "{mode}: {error}");
        assert_eq!(count().await, "call-1.count.test", "after {mode}");
        assert_eq!(count().await, "call-2.count.test", "after {mode}");
    }
    // Another session, and the plugin's own functions, never see this state.
    assert_eq!(
        custom_domain(
            plugin
                .session()
                .translate_route(&context(), &route("count"), None)
                .await
                .unwrap()
        ),
        "call-1.count.test"
    );
    assert_eq!(
        custom_domain(
            plugin
                .translate_route(&context(), &route("count"), None)
                .await
                .unwrap()
        ),
        "call-1.count.test"
    );
}

/// The memory limit is per call: a call that fits in a fresh instance is
/// served even when the session's instance has used up the limit (here by
/// leaking 6 MiB a call, 16 MiB allowed).
#[tokio::test]
async fn a_session_call_that_fits_a_fresh_instance_is_not_refused_for_memory() {
    let plugin = misbehaving(quick_limits());
    let session = plugin.session();
    let mut domains = Vec::new();
    for _ in 0..4 {
        domains.push(custom_domain(
            session
                .translate_route(&context(), &route("leak"), None)
                .await
                .expect("a call that fits a fresh instance is served"),
        ));
    }
    assert_eq!(domains[..2], ["call-1.count.test", "call-2.count.test"]);
    assert!(
        domains[2..].contains(&"call-1.count.test".to_owned()),
        "a fresh instance took over: {domains:?}"
    );
}

/// The time budget is per call: every call of a session gets the whole
/// timeout, however long the session has lived.
#[tokio::test]
async fn every_call_of_a_session_gets_the_whole_timeout() {
    let plugin = misbehaving(quick_limits());
    let session = plugin.session();
    session
        .translate_route(&context(), &route("count"), None)
        .await
        .unwrap();
    // Longer than the 200 ms timeout in all.
    for _ in 0..3 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        session
            .translate_route(&context(), &route("count"), None)
            .await
            .expect("a later call has its own budget");
    }
    let started = Instant::now();
    let error = session
        .translate_route(&context(), &route("loop"), None)
        .await
        .unwrap_err();
    assert!(matches!(error, PluginError::Timeout { .. }), "{error}");
    assert!(started.elapsed() >= Duration::from_millis(200));
}

/// `wasi:random` is back at its seeds for every call of a session.
#[tokio::test]
async fn wasi_random_is_the_same_in_every_call_of_a_session() {
    let plugin = misbehaving(quick_limits());
    let session = plugin.session();
    let mut domains = Vec::new();
    for _ in 0..2 {
        domains.push(custom_domain(
            session
                .translate_route(&context(), &route("random"), None)
                .await
                .unwrap(),
        ));
    }
    assert_eq!(domains[0], domains[1]);
}

/// Each object of a plan gets its own instance of a plugin: two routes in
/// counting mode both see the first call of an instance.
#[test]
fn every_object_of_a_plan_gets_its_own_instance() {
    let report = plan_with_misbehaving(&[("first", "count"), ("second", "count")]);
    assert_eq!(report.problems, [], "{:?}", report.problems);
    let domains: Vec<_> = report
        .state
        .services
        .iter()
        .map(|service| service.custom_domain_name.clone())
        .collect();
    assert_eq!(
        domains,
        [
            Some("call-1.count.test".to_owned()),
            Some("call-1.count.test".to_owned())
        ]
    );
}
