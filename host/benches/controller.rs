//! The controller in steady operation: `trellis::controller::run` in
//! process, watching a Kubernetes API server on 127.0.0.1
//! (`kube-test-server`) and applying to the Lattice emulator through the
//! real SDK client.
//!
//! `cargo bench -p trellis --bench controller [-- --routes N]` (default 200)
//!
//! Measures: cold convergence (start → every route `Programmed=True`), then
//! the latency and cost of one EndpointSlice change (→ the new target
//! registered) and of one Gateway change (→ its routes reconciled again):
//! wall time, reconciles run (`trellis_reconciles_total`), their mean
//! duration (`trellis_reconcile_duration_seconds`: the warm reconcile's
//! cost) and VPC Lattice requests. Peak RSS is the whole bench process (the API server and the
//! emulator included).

use std::fmt::Write as _;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_sdk_vpclattice::config::Credentials;
use kube::api::{Api, Patch, PatchParams};
use kube::core::DynamicObject;
use kube_test_server::TestApiServer;
use lattice_emulator::{Emulator, EmulatorConfig, Quotas};
use serde_json::json;
use trellis::config::RawSettings;
use trellis::lattice::{CachedLattice, Lattice, SdkLattice, SdkOptions};
use trellis::plugin::{Plugin, PluginEngine, PluginLoader};

const ACCOUNT: &str = "123456789012";
const REGION: &str = "us-west-2";

fn routes_argument() -> usize {
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--routes" {
            return args
                .next()
                .and_then(|value| value.parse().ok())
                .expect("--routes takes a number");
        }
    }
    200
}

/// The cluster's objects: the Lattice GatewayClass and a Gateway, and
/// `routes` HTTPRoutes, each to its own Service with an EndpointSlice of two
/// ready endpoints.
fn manifests(routes: usize) -> String {
    let mut text = String::from(
        "apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\nmetadata: {name: amazon-vpc-lattice}\n\
         spec: {controllerName: application-networking.k8s.aws/gateway-api-controller}\n---\n\
         apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: bench-gateway, namespace: default}\n\
         spec:\n  gatewayClassName: amazon-vpc-lattice\n  listeners: [{name: http, protocol: HTTP, port: 80}]\n",
    );
    for i in 0..routes {
        let name = format!("app-{i:05}");
        let (high, low) = (i / 256, i % 256);
        write!(
            text,
            "---\napiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\n\
             metadata: {{name: {name}, namespace: default}}\n\
             spec:\n  parentRefs: [{{name: bench-gateway, sectionName: http}}]\n\
             \x20 rules:\n  - matches: [{{path: {{type: PathPrefix, value: /{name}}}}}]\n\
             \x20   backendRefs: [{{name: {name}, port: 80}}]\n\
             ---\napiVersion: v1\nkind: Service\nmetadata: {{name: {name}, namespace: default}}\n\
             spec:\n  ports: [{{name: http, protocol: TCP, port: 80, targetPort: 8090}}]\n\
             ---\napiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\n\
             metadata:\n  name: {name}-abc12\n  namespace: default\n\
             \x20 labels: {{kubernetes.io/service-name: {name}}}\n\
             addressType: IPv4\nports: [{{name: http, protocol: TCP, port: 8090}}]\n\
             endpoints:\n- addresses: [\"10.{high}.{low}.11\"]\n  conditions: {{ready: true}}\n\
             - addresses: [\"10.{high}.{low}.12\"]\n  conditions: {{ready: true}}\n"
        )
        .unwrap();
    }
    text
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The metrics page of the controller.
fn metrics(metrics_port: u16) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", metrics_port)).unwrap();
    write!(
        stream,
        "GET /metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut text = String::new();
    stream.read_to_string(&mut text).unwrap();
    text
}

/// The values of the series whose name (before the labels) is `name`,
/// summed over their labels.
fn series_sum(text: &str, name: &str) -> f64 {
    let prefix = format!("{name}{{");
    text.lines()
        .filter(|line| line.starts_with(&prefix))
        .filter_map(|line| line.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

/// The value of the `trellis_reconciles_total` series, summed over kinds.
fn reconciles(metrics_port: u16) -> u64 {
    series_sum(&metrics(metrics_port), "trellis_reconciles_total") as u64
}

/// The time spent in reconciles so far, summed over kinds: the
/// `trellis_reconcile_duration_seconds` histogram's sum.
fn reconcile_seconds(metrics_port: u16) -> f64 {
    series_sum(
        &metrics(metrics_port),
        "trellis_reconcile_duration_seconds_sum",
    )
}

fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|line| line.starts_with("VmHWM:"))
        .and_then(|line| line.split_whitespace().nth(1)?.parse::<f64>().ok())
        .map_or(0.0, |kib| kib / 1024.0)
}

async fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(
            started.elapsed() < Duration::from_secs(600),
            "timed out: {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Waits until the reconcile count stays put for half a second; returns it.
async fn settled(metrics_port: u16) -> u64 {
    let mut last = reconciles(metrics_port);
    loop {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let now = reconciles(metrics_port);
        if now == last {
            return now;
        }
        last = now;
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let routes = routes_argument();
    // Quotas raised past AWS's defaults (500 target groups per region, 500
    // service associations per network) so that every route fits.
    let capacity = routes.max(2_000);
    let emulator = Emulator::with_config(EmulatorConfig::default().page_size(100).quotas(Quotas {
        services: capacity,
        target_groups: capacity,
        service_associations_per_service_network: capacity,
        ..Quotas::default()
    }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(emulator.clone().serve(listener));

    let server = TestApiServer::start().await;
    server
        .apply_manifests(&trellis::kube::crds::to_yaml().unwrap())
        .unwrap();
    server.apply_manifests(&manifests(routes)).unwrap();
    let client = kube::Client::try_from(kube::Config::new(server.url().parse().unwrap())).unwrap();

    let metrics_port = free_port();
    let settings = RawSettings {
        cluster_name: Some("bench-cluster".into()),
        cluster_vpc_id: Some("vpc-0be0c0000000000b0".into()),
        aws_account_id: Some(ACCOUNT.into()),
        region: Some(REGION.into()),
        default_service_network: Some("bench-gateway".into()),
        metrics_bind_address: Some(format!("127.0.0.1:{metrics_port}")),
        health_probe_bind_address: Some("127.0.0.1:0".into()),
        ..RawSettings::default()
    }
    .resolve()
    .unwrap();
    let options = SdkOptions {
        endpoint_url: Some(url.clone()),
        calls_per_second: std::num::NonZeroU32::new(100_000).unwrap(),
        burst: std::num::NonZeroU32::new(100_000).unwrap(),
        ..SdkOptions::default()
    };
    let sdk = SdkLattice::with_credentials(
        REGION,
        Credentials::new("AKIDEXAMPLE", "secret", None, None, "bench"),
        &options,
    );
    let calls = sdk.call_counter();
    let lattice: Arc<dyn Lattice> = Arc::new(CachedLattice::new(sdk));
    let engine = PluginEngine::new().unwrap();
    let plugin = PluginLoader::new(engine.clone(), Plugin::default_plugin(&engine).unwrap());
    let requests = || -> u64 { calls.snapshot().values().map(|count| count.requests).sum() };

    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let started = Instant::now();
    let controller = tokio::spawn(async move {
        trellis::controller::run(&settings, client, lattice, None, plugin, async {
            let _ = stopped.await;
        })
        .await
    });

    let programmed = |route: &serde_json::Value| {
        route["status"]["parents"][0]["conditions"]
            .as_array()
            .is_some_and(|conditions| {
                conditions
                    .iter()
                    .any(|c| c["type"] == "Programmed" && c["status"] == "True")
            })
    };
    wait_until("every route programmed", || {
        server
            .objects("httproutes")
            .iter()
            .filter(|route| programmed(route))
            .count()
            == routes
    })
    .await;
    let cold = started.elapsed();
    let cold_reconciles = settled(metrics_port).await;
    let cold_requests = requests();

    // One EndpointSlice gains an endpoint: the new target is registered.
    let kube = kube::Client::try_from(kube::Config::new(server.url().parse().unwrap())).unwrap();
    let slices: Api<DynamicObject> = Api::namespaced_with(
        kube.clone(),
        "default",
        &kube::core::ApiResource::erase::<k8s_openapi::api::discovery::v1::EndpointSlice>(&()),
    );
    let endpoints = json!({"endpoints": [
        {"addresses": ["10.0.0.11"], "conditions": {"ready": true}},
        {"addresses": ["10.0.0.12"], "conditions": {"ready": true}},
        {"addresses": ["10.0.0.13"], "conditions": {"ready": true}},
    ]});
    let (before_reconciles, before_requests) = (reconciles(metrics_port), requests());
    let before_seconds = reconcile_seconds(metrics_port);
    let changed = Instant::now();
    slices
        .patch(
            "app-00000-abc12",
            &PatchParams::default(),
            &Patch::Merge(&endpoints),
        )
        .await
        .unwrap();
    wait_until("the new target registered", || {
        emulator.lattice().state().targets.iter().any(|targets| {
            targets
                .targets
                .iter()
                .any(|target| target.id == "10.0.0.13")
        })
    })
    .await;
    let slice_latency = changed.elapsed();
    let slice_reconciles = settled(metrics_port).await - before_reconciles;
    let slice_requests = requests() - before_requests;
    let slice_seconds = reconcile_seconds(metrics_port) - before_seconds;

    // The Gateway changes: its routes are reconciled again.
    let gateways: Api<DynamicObject> = Api::namespaced_with(
        kube,
        "default",
        &kube::core::ApiResource::erase::<gateway_api::apis::standard::gateways::Gateway>(&()),
    );
    let (before_reconciles, before_requests) = (reconciles(metrics_port), requests());
    let before_seconds = reconcile_seconds(metrics_port);
    let changed = Instant::now();
    gateways
        .patch(
            "bench-gateway",
            &PatchParams::default(),
            &Patch::Merge(&json!({"metadata": {"labels": {"touched": "yes"}}})),
        )
        .await
        .unwrap();
    let gateway_reconciles = settled(metrics_port).await - before_reconciles;
    let gateway_time = changed.elapsed() - Duration::from_millis(500);
    let gateway_requests = requests() - before_requests;
    let gateway_seconds = reconcile_seconds(metrics_port) - before_seconds;
    let mean_ms = |seconds: f64, count: u64| seconds * 1000.0 / count.max(1) as f64;

    let _ = stop.send(());
    controller.await.unwrap().unwrap();

    println!("| routes | {routes} |");
    println!(
        "| cold convergence (start → all Programmed) | {:.1} s |",
        cold.as_secs_f64()
    );
    println!("| reconciles / VPC Lattice requests, cold | {cold_reconciles} / {cold_requests} |");
    println!(
        "| EndpointSlice change → target registered | {} ms, {slice_reconciles} reconcile(s), {slice_requests} request(s) |",
        slice_latency.as_millis()
    );
    println!(
        "| Gateway label change → its routes reconciled | ≤ {} ms, {gateway_reconciles} reconcile(s), {gateway_requests} request(s) |",
        gateway_time.as_millis()
    );
    println!(
        "| mean reconcile, EndpointSlice change / Gateway change | {:.2} ms / {:.2} ms |",
        mean_ms(slice_seconds, slice_reconciles),
        mean_ms(gateway_seconds, gateway_reconciles)
    );
    println!(
        "| peak RSS (whole bench process) | {:.0} MiB |",
        peak_rss_mib()
    );
}
