//! Cold convergence of N HTTPRoutes (default 1,000) against the emulator,
//! through the real SDK client.
//!
//! `cargo bench -p lattice-emulator --bench convergence [-- --routes N]`
//!
//! Generates one cluster (a Lattice Gateway, N HTTPRoutes, each one rule
//! with a path match forwarding to its own Service, each Service with an
//! EndpointSlice of two ready endpoints) in a temporary folder, serves an
//! in-process emulator on 127.0.0.1 (quotas raised so N services and target
//! groups fit, pages of 100), applies once cold and once more with a fresh
//! client and cache, and reports wall time, requests per operation against
//! the minimum a cold convergence needs, and peak resident memory.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::num::NonZeroU32;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use aws_sdk_vpclattice::config::Credentials;
use lattice_emulator::{Emulator, EmulatorConfig, Quotas};
use tokio::net::TcpListener;
use trellis::acm::PendingCertificates;
use trellis::kube::{ClusterInput, manifests};
use trellis::lattice::{CachedLattice, OperationCount, SdkLattice, SdkOptions};
use trellis::plugin::{Plugin, PluginEngine, PluginSet};
use trellis::reconcile::{Prune, Reconciled, reconcile};

const ACCOUNT: &str = "123456789012";
const REGION: &str = "us-west-2";
const PAGE_SIZE: usize = 100;
/// The client-side rate limit: high enough never to wait.
const RATE: u32 = 100_000;

/// Operations that only read.
const READ_PREFIXES: [&str; 2] = ["List", "Get"];

/// The creates each route needs on an empty account.
const PER_ROUTE_CREATES: [&str; 6] = [
    "CreateService",
    "CreateServiceNetworkServiceAssociation",
    "CreateListener",
    "CreateRule",
    "CreateTargetGroup",
    "RegisterTargets",
];
/// The creates the Gateway needs once: its service network and the
/// association of the cluster's VPC.
const NETWORK_CREATES: [&str; 2] = ["CreateServiceNetwork", "CreateServiceNetworkVpcAssociation"];
/// The account-wide listings (no parent resource): on an empty account one
/// first page each tells everything there is.
const ACCOUNT_LISTINGS: [&str; 3] = ["ListServiceNetworks", "ListServices", "ListTargetGroups"];

fn routes_argument() -> usize {
    let mut routes = 1_000;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        // `cargo bench` passes `--bench`; filters and other harness flags
        // mean nothing here.
        if arg == "--routes" {
            routes = args
                .next()
                .and_then(|value| value.parse().ok())
                .filter(|&n: &usize| (1..=65_535).contains(&n))
                .expect("--routes takes a number from 1 to 65535");
        }
    }
    routes
}

/// Writes the cluster folder: cluster.yaml, the GatewayClass and Gateway,
/// and `routes` routes, Services and EndpointSlices.
fn generate(folder: &Path, routes: usize) {
    let write = |name: &str, text: &str| std::fs::write(folder.join(name), text).unwrap();
    write(
        "cluster.yaml",
        &format!(
            "clusterName: bench-cluster\nvpcId: vpc-0be0c0000000000b0\naccountId: \"{ACCOUNT}\"\n\
             region: {REGION}\ndefaultServiceNetwork: bench-gateway\n"
        ),
    );
    write(
        "gateway.yaml",
        "apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\n\
         metadata:\n  name: amazon-vpc-lattice\n\
         spec:\n  controllerName: application-networking.k8s.aws/gateway-api-controller\n\
         ---\n\
         apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\n\
         metadata:\n  name: bench-gateway\n  namespace: default\n\
         spec:\n  gatewayClassName: amazon-vpc-lattice\n  listeners:\n\
         \x20   - name: http\n      protocol: HTTP\n      port: 80\n",
    );
    let (mut route_docs, mut service_docs, mut slice_docs) =
        (String::new(), String::new(), String::new());
    for i in 0..routes {
        let name = format!("app-{i:05}");
        let (high, low) = (i / 256, i % 256);
        write!(
            route_docs,
            "---\napiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\n\
             metadata:\n  name: {name}\n  namespace: default\n\
             spec:\n  parentRefs:\n    - name: bench-gateway\n      sectionName: http\n\
             \x20 rules:\n    - matches:\n        - path:\n            type: PathPrefix\n\
             \x20           value: /{name}\n      backendRefs:\n        - name: {name}\n\
             \x20         port: 80\n"
        )
        .unwrap();
        write!(
            service_docs,
            "---\napiVersion: v1\nkind: Service\n\
             metadata:\n  name: {name}\n  namespace: default\n\
             spec:\n  selector:\n    app: {name}\n  ports:\n    - name: http\n\
             \x20     protocol: TCP\n      port: 80\n      targetPort: 8090\n"
        )
        .unwrap();
        write!(
            slice_docs,
            "---\napiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\n\
             metadata:\n  name: {name}-abc12\n  namespace: default\n\
             \x20 labels:\n    kubernetes.io/service-name: {name}\n\
             addressType: IPv4\nports:\n  - name: http\n    protocol: TCP\n    port: 8090\n\
             endpoints:\n  - addresses: [\"10.{high}.{low}.11\"]\n    conditions:\n      ready: true\n\
             \x20 - addresses: [\"10.{high}.{low}.12\"]\n    conditions:\n      ready: true\n"
        )
        .unwrap();
    }
    write("httproutes.yaml", &route_docs);
    write("services.yaml", &service_docs);
    write("endpointslices.yaml", &slice_docs);
}

/// A fresh SDK client with the rate limit effectively off, behind a fresh
/// observed-state cache.
fn client(url: &str) -> CachedLattice<SdkLattice> {
    let options = SdkOptions {
        endpoint_url: Some(url.to_owned()),
        calls_per_second: NonZeroU32::new(RATE).unwrap(),
        burst: NonZeroU32::new(RATE).unwrap(),
        max_attempts: 4,
        initial_backoff: Duration::from_millis(1),
        ..SdkOptions::default()
    };
    CachedLattice::new(SdkLattice::with_credentials(
        REGION,
        Credentials::new("AKIDEXAMPLE", "secret", None, None, "bench"),
        &options,
    ))
}

/// One apply's result and what it cost.
struct Applied {
    reconciled: Reconciled,
    wall: Duration,
    counts: BTreeMap<String, OperationCount>,
}

impl Applied {
    fn requests(&self, read: bool) -> u64 {
        self.counts
            .iter()
            .filter(|(operation, _)| is_read(operation) == read)
            .map(|(_, count)| count.requests)
            .sum()
    }

    fn attempts(&self) -> u64 {
        self.counts.values().map(|count| count.attempts).sum()
    }
}

fn is_read(operation: &str) -> bool {
    READ_PREFIXES
        .iter()
        .any(|prefix| operation.starts_with(prefix))
}

async fn apply(url: &str, clusters: &[ClusterInput], plugin: &PluginSet) -> Applied {
    let lattice = client(url);
    let started = Instant::now();
    let reconciled = reconcile(clusters, plugin, &lattice, &PendingCertificates, Prune::Yes).await;
    let wall = started.elapsed();
    Applied {
        reconciled,
        wall,
        counts: lattice.inner().call_counts(),
    }
}

/// The minimal requests of a cold convergence, by operation.
fn minimal(routes: usize) -> BTreeMap<&'static str, u64> {
    let mut minimal = BTreeMap::new();
    for operation in PER_ROUTE_CREATES {
        minimal.insert(operation, routes as u64);
    }
    for operation in NETWORK_CREATES.into_iter().chain(ACCOUNT_LISTINGS) {
        minimal.insert(operation, 1);
    }
    minimal
}

/// VmHWM (peak resident set) of this process, in KiB.
fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix("VmHWM:"))
                .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

fn print_counts(applied: &Applied, minimal: Option<&BTreeMap<&'static str, u64>>) {
    let mut operations: Vec<&str> = applied.counts.keys().map(String::as_str).collect();
    if let Some(minimal) = minimal {
        operations.extend(
            minimal
                .keys()
                .filter(|op| !applied.counts.contains_key(**op)),
        );
    }
    operations.sort_by_key(|op| (is_read(op), *op));
    operations.dedup();
    println!(
        "  | operation | kind | requests | attempts |{}",
        if minimal.is_some() { " minimal |" } else { "" }
    );
    println!(
        "  |---|---|---:|---:|{}",
        if minimal.is_some() { "---:|" } else { "" }
    );
    for op in operations {
        let count = applied.counts.get(op).copied().unwrap_or_default();
        let kind = if is_read(op) { "read" } else { "mutating" };
        let least = minimal.map(|m| format!(" {} |", m.get(op).copied().unwrap_or(0)));
        println!(
            "  | {op} | {kind} | {} | {} |{}",
            count.requests,
            count.attempts,
            least.unwrap_or_default()
        );
    }
    println!(
        "  total: {} requests ({} mutating, {} read), {} attempts",
        applied.requests(false) + applied.requests(true),
        applied.requests(false),
        applied.requests(true),
        applied.attempts()
    );
}

fn main() {
    let routes = routes_argument();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(run(routes));
}

async fn run(routes: usize) {
    let rss_start = peak_rss_kib();
    println!("cold convergence of {routes} routes against the emulator");
    println!("  peak RSS (VmHWM) at start: {}", mib(rss_start));

    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    generate(dir.path(), routes);
    let clusters = manifests::load_plan_inputs(&[dir.path().to_path_buf()]).expect("manifests");
    let snapshot = &clusters[0].snapshot;
    assert_eq!(clusters.len(), 1);
    assert_eq!(snapshot.http_routes.len(), routes);
    println!(
        "  manifests: {} HTTPRoutes, {} Services, {} EndpointSlices written and loaded in {:.2?}",
        snapshot.http_routes.len(),
        snapshot.services.len(),
        snapshot.endpoint_slices.len(),
        started.elapsed()
    );
    let started = Instant::now();
    let engine = PluginEngine::new().expect("plugin engine");
    let plugin = PluginSet::stock(Plugin::default_plugin(&engine).expect("default plugin"));
    println!("  plugin compiled in {:.2?}", started.elapsed());

    // Quotas raised: AWS defaults allow 500 target groups per region and
    // 500 service associations per service network.
    let capacity = routes.max(2_000);
    let quotas = Quotas {
        services: capacity,
        target_groups: capacity,
        service_associations_per_service_network: capacity,
        ..Quotas::default()
    };
    let emulator = Emulator::with_config(
        EmulatorConfig {
            account_id: ACCOUNT.into(),
            region: REGION.into(),
            ..EmulatorConfig::default()
        }
        .page_size(PAGE_SIZE)
        .quotas(quotas),
    );
    // The emulator's router, served with a layer that sums the time its
    // handlers take, to tell the emulator's share of the wall time.
    let handler_nanos = Arc::new(AtomicU64::new(0));
    let timed = handler_nanos.clone();
    let router = emulator.router().layer(axum::middleware::from_fn(
        move |request: axum::extract::Request, next: axum::middleware::Next| {
            let timed = timed.clone();
            async move {
                let started = Instant::now();
                let response = next.run(request).await;
                timed.fetch_add(started.elapsed().as_nanos() as u64, Ordering::Relaxed);
                response
            }
        },
    ));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    let handler_time = || Duration::from_nanos(handler_nanos.load(Ordering::Relaxed));
    println!(
        "  emulator: in-process on {url}, pages of {PAGE_SIZE}, quotas raised to {capacity} \
         services, target groups and service associations per network (AWS defaults 2,000, 500, 500)"
    );
    println!(
        "  client: SdkLattice, rate limit effectively off ({RATE} calls/s, burst {RATE}), \
         fresh observed-state cache per apply, 2 tokio workers"
    );

    // Cold: empty account, fresh cache.
    let first = apply(&url, &clusters, &plugin).await;
    let handlers_first = handler_time();
    assert!(
        first.reconciled.problems.is_empty(),
        "the cold apply has problems: {:#?}",
        first.reconciled.problems
    );
    let server_first = emulator.stats();
    let rss_first = peak_rss_kib();
    let minimal = minimal(routes);
    let minimal_total: u64 = minimal.values().sum();
    let made = first.requests(false) + first.requests(true);
    println!();
    println!(
        "cold apply: {:.2?} wall ({:.2?} of it in emulator handlers, summed over requests), \
         {} mutating calls reported by reconcile",
        first.wall,
        handlers_first,
        first.reconciled.calls.len()
    );
    print_counts(&first, Some(&minimal));
    println!(
        "  minimal cold convergence: {minimal_total} requests \
         ({routes} x 6 per-route creates + 2 network creates + 3 account-wide first pages); \
         made/minimal = {:.2}",
        made as f64 / minimal_total as f64
    );
    println!(
        "  the emulator saw {} requests",
        server_first.total_requests()
    );
    let state = emulator.lattice().state();
    println!(
        "  emulator state: {} services, {} listeners, {} rules, \
         {} target groups, {} targets",
        state.services.len(),
        state.listeners.len(),
        state.rules.len(),
        state.target_groups.len(),
        state
            .targets
            .iter()
            .map(|group| group.targets.len())
            .sum::<usize>()
    );

    // Second: same manifests, fresh client and cache; nothing to do.
    let second = apply(&url, &clusters, &plugin).await;
    assert!(
        second.reconciled.problems.is_empty(),
        "the second apply has problems: {:#?}",
        second.reconciled.problems
    );
    let server_second = emulator.stats();
    println!();
    println!(
        "second apply (fresh client and cache): {:.2?} wall ({:.2?} of it in emulator handlers, \
         summed over requests), {} mutating calls reported",
        second.wall,
        handler_time() - handlers_first,
        second.reconciled.calls.len()
    );
    print_counts(&second, None);
    println!(
        "  the emulator saw {} requests",
        server_second.total_requests() - server_first.total_requests()
    );
    assert!(
        second.reconciled.calls.is_empty(),
        "a second apply makes no mutating call: {:?}",
        second.reconciled.calls
    );
    assert_eq!(
        second.requests(false),
        0,
        "a second apply sends no mutating request"
    );

    let rss_end = peak_rss_kib();
    println!();
    println!(
        "peak RSS (VmHWM, includes the in-process emulator and its state): \
         start {}, after the cold apply {}, after the second apply {}",
        mib(rss_start),
        mib(rss_first),
        mib(rss_end)
    );
}
