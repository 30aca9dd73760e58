//! `trellis apply` semantics through the real SDK client against the
//! emulator: the multi-cluster example converges, a second apply makes no
//! mutating call, a deleted route takes exactly what it owned with it, and
//! 20 % injected faults still converge with nothing duplicated or leaked.

use std::path::{Path, PathBuf};
use std::time::Duration;

use aws_sdk_vpclattice::config::Credentials;
use lattice_emulator::{Emulator, EmulatorConfig, FaultKind};
use tokio::net::TcpListener;
use trellis::acm::PendingCertificates;
use trellis::kube::{ClusterInput, manifests};
use trellis::lattice::model::{
    CreateServiceInput, CreateTargetGroupInput, TagResourceInput, Tags, TargetGroupConfig,
};
use trellis::lattice::{
    CachedLattice, InMemoryLattice, Lattice, LatticeState, SdkLattice, SdkOptions,
};
use trellis::plugin::{Plugin, PluginEngine, PluginSet};
use trellis::reconcile::{Prune, Reconciled, plan, reconcile};

/// Operations that change Lattice.
const READ_PREFIXES: [&str; 3] = ["List", "Get", "Unknown"];

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/multi-cluster")
}

fn load(path: &Path) -> Vec<ClusterInput> {
    manifests::load_plan_inputs(&[path.to_path_buf()]).expect("manifests load")
}

fn plugin() -> PluginSet {
    let engine = PluginEngine::new().expect("engine");
    PluginSet::stock(Plugin::default_plugin(&engine).expect("default plugin"))
}

/// Starts `emulator` on 127.0.0.1; the server stops with the test runtime.
async fn serve(emulator: &Emulator) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(emulator.clone().serve(listener));
    url
}

/// A fresh SDK client (as a new `trellis apply` process would have) behind
/// a fresh observed-state cache.
fn client(url: &str) -> CachedLattice<SdkLattice> {
    let options = SdkOptions {
        endpoint_url: Some(url.to_owned()),
        calls_per_second: std::num::NonZeroU32::new(10_000).unwrap(),
        burst: std::num::NonZeroU32::new(10_000).unwrap(),
        max_attempts: 4,
        initial_backoff: Duration::from_millis(1),
        ..SdkOptions::default()
    };
    CachedLattice::new(SdkLattice::with_credentials(
        "us-west-2",
        Credentials::new("AKIDEXAMPLE", "secret", None, None, "test"),
        &options,
    ))
}

async fn apply(url: &str, clusters: &[ClusterInput], plugin: &PluginSet) -> Reconciled {
    reconcile(
        clusters,
        plugin,
        &client(url),
        &PendingCertificates,
        Prune::Yes,
    )
    .await
}

/// The state the offline plan of `clusters` ends in.
async fn planned_state(clusters: &[ClusterInput], plugin: &PluginSet) -> LatticeState {
    let lattice = InMemoryLattice::new("123456789012", "us-west-2");
    let report = plan(clusters, plugin, &lattice).await;
    assert!(report.problems.is_empty(), "{:#?}", report.problems);
    report.state
}

fn mutating(stats: &lattice_emulator::Stats) -> u64 {
    stats
        .requests
        .iter()
        .filter(|(operation, _)| !READ_PREFIXES.iter().any(|p| operation.starts_with(p)))
        .map(|(_, count)| count)
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_example_applies_as_planned_and_a_second_apply_changes_nothing() {
    let emulator = Emulator::new("123456789012", "us-west-2", 2);
    let url = serve(&emulator).await;
    let clusters = load(&example());
    let plugin = plugin();

    let first = apply(&url, &clusters, &plugin).await;
    assert!(first.problems.is_empty(), "{:#?}", first.problems);
    assert_eq!(
        emulator.lattice().state(),
        planned_state(&clusters, &plugin).await,
        "the emulator holds what the offline plan shows"
    );
    let mutating_before = mutating(&emulator.stats());
    assert_eq!(mutating_before, first.calls.len() as u64);

    let second = apply(&url, &clusters, &plugin).await;
    assert!(second.problems.is_empty(), "{:#?}", second.problems);
    assert_eq!(second.calls, [], "a second apply makes no mutating call");
    assert_eq!(mutating(&emulator.stats()), mutating_before);

    // `plan --endpoint-url`: the observed state seeds the plan, which then
    // has nothing to do either.
    let observed = trellis::lattice::read_state(&client(&url)).await.unwrap();
    let seeded = InMemoryLattice::with_state("123456789012", "us-west-2", observed);
    assert_eq!(plan(&clusters, &plugin, &seeded).await.calls, []);
}

/// Copies the example to a temporary folder without its HTTPRoute.
fn example_without_route() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in walk(&example()) {
        let relative = entry.strip_prefix(example()).unwrap();
        let target = dir.path().join(relative);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        let text = std::fs::read_to_string(&entry).unwrap();
        let kept: Vec<&str> = text
            .split("\n---")
            .filter(|document| !document.contains("kind: HTTPRoute"))
            .collect();
        std::fs::write(&target, kept.join("\n---")).unwrap();
    }
    dir
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deleted_route_takes_what_it_owned_and_nothing_else() {
    let emulator = Emulator::new("123456789012", "us-west-2", 2);
    let url = serve(&emulator).await;
    let plugin = plugin();
    let lattice = emulator.lattice();
    // Resources of others: an untagged service, another controller's target
    // group in the config cluster's VPC.
    let foreign_service = lattice
        .create_service(CreateServiceInput {
            name: "payments-by-hand".into(),
            custom_domain_name: None,
            certificate_arn: None,
            auth_type: "NONE".into(),
            tags: Tags::new(),
        })
        .await
        .unwrap();
    let foreign_group = lattice
        .create_target_group(CreateTargetGroupInput {
            name: "someone-elses".into(),
            type_: "IP".into(),
            config: TargetGroupConfig {
                port: 80,
                protocol: "HTTP".into(),
                protocol_version: Some("HTTP1".into()),
                ip_address_type: "IPV4".into(),
                vpc_identifier: "vpc-0a1b2c3d4e5f60000".into(),
                health_check: None,
            },
            tags: Tags::from([(
                "application-networking.k8s.aws/ManagedBy".into(),
                "999999999999/other/vpc-0a1b2c3d4e5f60000".into(),
            )]),
        })
        .await
        .unwrap();

    let first = apply(&url, &load(&example()), &plugin).await;
    assert!(first.problems.is_empty(), "{:#?}", first.problems);
    let service = lattice
        .state()
        .services
        .into_iter()
        .find(|service| service.name == "my-httproute-default")
        .expect("the route's service");
    // Someone tags the route's target groups: the tag must survive.
    for group in lattice.state().target_groups {
        lattice
            .tag_resource(TagResourceInput {
                resource_arn: group.arn,
                tags: Tags::from([("cost-center".into(), "42".into())]),
            })
            .await
            .unwrap();
    }

    let without = example_without_route();
    let second = apply(&url, &load(without.path()), &plugin).await;
    assert!(second.problems.is_empty(), "{:#?}", second.problems);
    let operations: Vec<&str> = second.calls.iter().map(|call| call.operation).collect();
    assert_eq!(
        operations,
        ["DeleteServiceNetworkServiceAssociation", "DeleteService"]
    );
    let state = lattice.state();
    assert!(!state.services.iter().any(|s| s.id == service.id));
    assert!(state.listeners.is_empty() && state.rules.is_empty());
    assert!(state.services.iter().any(|s| s.id == foreign_service.id));
    assert!(state.target_groups.iter().any(|g| g.id == foreign_group.id));
    // The exports still exist, so their target groups stay, tags intact.
    let exported: Vec<_> = state
        .target_groups
        .iter()
        .filter(|group| group.id != foreign_group.id)
        .collect();
    assert_eq!(exported.len(), 2);
    assert!(
        exported
            .iter()
            .all(|g| g.tags.get("cost-center") == Some(&"42".into()))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_percent_faults_converge_with_nothing_duplicated_or_leaked() {
    let config = EmulatorConfig {
        account_id: "123456789012".into(),
        region: "us-west-2".into(),
        ..EmulatorConfig::default()
    }
    .page_size(2)
    .faults(0.2, &FaultKind::ALL, 7);
    let emulator = Emulator::with_config(config);
    let url = serve(&emulator).await;
    let clusters = load(&example());
    let plugin = plugin();

    let (rounds, calls) = converge(&url, &clusters, &plugin).await;
    let stats = emulator.stats();
    report(&format!(
        "faults: the example converged after {rounds} applies (the last one a no-op); \
         {calls} mutating calls recorded; {} requests reached the emulator, {} faults injected {:?}",
        stats.total_requests(),
        stats.total_faults(),
        stats.faults
    ));
    assert!(stats.total_faults() > 0, "faults were injected");

    let expected = planned_state(&clusters, &plugin).await;
    let state = emulator.lattice().state();
    let names = |state: &LatticeState| {
        let mut names: Vec<String> = state
            .service_networks
            .iter()
            .map(|r| r.name.clone())
            .chain(state.services.iter().map(|r| r.name.clone()))
            .chain(state.listeners.iter().map(|r| r.name.clone()))
            .chain(state.rules.iter().map(|r| r.name.clone()))
            .chain(state.target_groups.iter().map(|r| r.name.clone()))
            .collect();
        names.sort();
        names
    };
    assert_eq!(
        names(&state),
        names(&expected),
        "nothing duplicated or leaked"
    );
    assert_eq!(
        state.service_network_vpc_associations.len(),
        expected.service_network_vpc_associations.len()
    );
    assert_eq!(
        state.service_network_service_associations.len(),
        expected.service_network_service_associations.len()
    );
    let targets =
        |state: &LatticeState| -> usize { state.targets.iter().map(|t| t.targets.len()).sum() };
    assert_eq!(targets(&state), targets(&expected));

    // Deleting the route under the same faults also converges.
    let without = example_without_route();
    let (rounds, calls) = converge(&url, &load(without.path()), &plugin).await;
    report(&format!(
        "faults: the route's deletion converged after {rounds} applies; {calls} mutating calls recorded"
    ));
    let state = emulator.lattice().state();
    assert!(state.services.is_empty() && state.listeners.is_empty() && state.rules.is_empty());
    assert_eq!(state.target_groups.len(), expected.target_groups.len());
}

/// Applies until an apply has no problem and makes no call; returns the
/// applies made and the mutating calls recorded.
async fn converge(url: &str, clusters: &[ClusterInput], plugin: &PluginSet) -> (usize, usize) {
    let mut rounds = 0;
    let mut calls = 0;
    loop {
        rounds += 1;
        let result = apply(url, clusters, plugin).await;
        calls += result.calls.len();
        if result.problems.is_empty() && result.calls.is_empty() {
            return (rounds, calls);
        }
        assert!(
            rounds < 10,
            "no convergence after {rounds} rounds: {:#?}",
            result.problems
        );
    }
}

/// Writes a figure to the test output even when the test passes: the test
/// harness captures `print!` and `eprint!`, so this writes to the stderr
/// device itself (falling back to `eprintln!`).
fn report(line: &str) {
    use std::io::Write;
    match std::fs::OpenOptions::new().append(true).open("/dev/stderr") {
        Ok(mut device) => writeln!(device, "{line}").expect("stderr is writable"),
        Err(_) => eprintln!("{line}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_warm_reconcile_of_unchanged_routes_lists_nothing_account_wide() {
    let emulator = Emulator::new("123456789012", "us-west-2", 2);
    let url = serve(&emulator).await;
    let clusters = load(&example());
    let plugin = plugin();
    let lattice = client(&url);

    let first = reconcile(
        &clusters,
        &plugin,
        &lattice,
        &PendingCertificates,
        Prune::No,
    )
    .await;
    assert!(first.problems.is_empty(), "{:#?}", first.problems);
    let before = lattice.inner().call_counts();
    let second = reconcile(
        &clusters,
        &plugin,
        &lattice,
        &PendingCertificates,
        Prune::No,
    )
    .await;
    assert!(second.problems.is_empty(), "{:#?}", second.problems);
    assert_eq!(second.calls, []);
    let after = lattice.inner().call_counts();
    let requests =
        |counts: &std::collections::BTreeMap<String, trellis::lattice::OperationCount>| {
            counts
                .iter()
                .map(|(operation, count)| (operation.clone(), count.requests))
                .collect::<std::collections::BTreeMap<_, _>>()
        };
    assert_eq!(
        requests(&after),
        requests(&before),
        "the second reconcile is served from the observed-state cache"
    );
    // The drift check: after a refresh, Lattice is read again.
    lattice.refresh();
    let third = reconcile(
        &clusters,
        &plugin,
        &lattice,
        &PendingCertificates,
        Prune::No,
    )
    .await;
    assert_eq!(third.calls, []);
    assert!(
        lattice.inner().call_counts()["ListServices"].requests > before["ListServices"].requests
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn observations_older_than_the_drift_period_are_read_again() {
    let emulator = Emulator::new("123456789012", "us-west-2", 2);
    let url = serve(&emulator).await;
    let clusters = load(&example());
    let plugin = plugin();
    let cached = client(&url);
    reconcile(&clusters, &plugin, &cached, &PendingCertificates, Prune::No).await;
    let sdk = cached.into_inner();
    let listed = |sdk: &SdkLattice| sdk.call_counts()["ListServices"].requests;
    let before = listed(&sdk);

    // A period of zero: every reconcile observes Lattice afresh, and so sees
    // a listener someone deleted and puts it back.
    let lattice = CachedLattice::with_max_age(sdk, Duration::ZERO);
    let listener = emulator.lattice().state().listeners[0].clone();
    emulator
        .lattice()
        .delete_listener(&listener.service_id, &listener.id)
        .await
        .unwrap();
    let repaired = reconcile(
        &clusters,
        &plugin,
        &lattice,
        &PendingCertificates,
        Prune::No,
    )
    .await;
    let operations: Vec<&str> = repaired.calls.iter().map(|call| call.operation).collect();
    assert_eq!(operations, ["CreateListener", "CreateRule", "CreateRule"]);
    assert!(listed(lattice.inner()) > before);
}
