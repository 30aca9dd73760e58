//! Hot-reload latency: from a plugin component replaced on disk (written
//! aside, then renamed into place) to the new plugin set in force, through
//! the real notify watcher, debounce, compile and smoke test; and what the
//! plugin chain costs a plan.
//!
//! `cargo bench -p trellis --bench hot_reload [-- --rounds N]`

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use trellis::kube::manifests;
use trellis::lattice::InMemoryLattice;
use trellis::plugin::reload;
use trellis::plugin::{LivePlugins, Plugin, PluginEngine, PluginLoader, PluginSet};
use trellis::reconcile::plan;

const TEAM_PREFIX: &str = env!("TRELLIS_EXAMPLE_PLUGIN_TEAM_PREFIX");
const COST_TAGS: &str = env!("TRELLIS_EXAMPLE_PLUGIN_COST_TAGS");
const ORG_AUTH: &str = env!("TRELLIS_EXAMPLE_PLUGIN_ORG_AUTH");

fn main() {
    let rounds = std::env::args()
        .skip_while(|arg| arg != "--rounds")
        .nth(1)
        .and_then(|value| value.parse().ok())
        .unwrap_or(20usize);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        reload_latency(rounds).await;
        chain_cost(rounds).await;
    });
}

/// Milliseconds of `samples`: median, min, max.
fn summary(mut samples: Vec<Duration>) -> String {
    samples.sort();
    let ms = |duration: Duration| duration.as_secs_f64() * 1000.0;
    format!(
        "median {:.1} ms (min {:.1}, max {:.1}, n = {})",
        ms(samples[samples.len() / 2]),
        ms(samples[0]),
        ms(samples[samples.len() - 1]),
        samples.len()
    )
}

async fn reload_latency(rounds: usize) {
    let dir = tempfile::tempdir().unwrap();
    let policies = dir.path().join("policies");
    std::fs::create_dir(&policies).unwrap();
    std::fs::write(
        policies.join("10-chosen.toml"),
        "[[plugin]]\nname = \"chosen\"\npath = \"../chosen.wasm\"\n",
    )
    .unwrap();
    let component = dir.path().join("chosen.wasm");
    std::fs::copy(TEAM_PREFIX, &component).unwrap();
    let engine = PluginEngine::new().unwrap();
    let default = Plugin::default_plugin(&engine).unwrap();
    let mut loader = PluginLoader::new(engine, default).with_policy_dir(&policies);
    let live = Arc::new(LivePlugins::new(loader.load().await.unwrap()));
    let mut reloads = reload::spawn(loader, live.clone()).unwrap();

    let versions = [
        std::fs::read(COST_TAGS).unwrap(),
        std::fs::read(TEAM_PREFIX).unwrap(),
    ];
    let mut to_serving = Vec::new();
    let mut noticed_to_serving = Vec::new();
    for round in 0..rounds {
        let before = live.current();
        let aside = dir.path().join("chosen.partial");
        std::fs::write(&aside, &versions[round % 2]).unwrap();
        let written = Instant::now();
        std::fs::rename(&aside, &component).unwrap();
        while Arc::ptr_eq(&before, &live.current()) {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        to_serving.push(written.elapsed());
        loop {
            let reload = reloads.recv().await.unwrap();
            if reload.replaced {
                noticed_to_serving.push(reload.took);
                break;
            }
        }
    }
    println!("hot reload, component replaced → new set in force:");
    println!("  file renamed → serving:   {}", summary(to_serving));
    println!(
        "  change noticed → serving: {} (compile + smoke test + swap; the rest is the {} ms debounce)",
        summary(noticed_to_serving),
        reload::DEBOUNCE.as_millis()
    );
}

async fn chain_cost(rounds: usize) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/multi-cluster");
    let clusters = manifests::load_plan_inputs(&[root]).unwrap();
    let engine = PluginEngine::new().unwrap();
    let default = Plugin::default_plugin(&engine).unwrap();
    let load = |path: &str, name: &str, config: &str| {
        Plugin::from_file(&engine, Path::new(path))
            .unwrap()
            .with_name(name)
            .with_config(config)
    };
    let stock = PluginSet::stock(default.clone());
    let chained = PluginSet::stock(default)
        .and(
            load(TEAM_PREFIX, "team-prefix", "{}"),
            trellis::plugin::everything(),
            "all",
        )
        .and(
            load(COST_TAGS, "cost-tags", "{}"),
            trellis::plugin::everything(),
            "all",
        )
        .and(
            load(
                ORG_AUTH,
                "org-auth",
                r#"{"organizationId": "o-abc1234567"}"#,
            ),
            trellis::plugin::everything(),
            "all",
        );
    println!("plan of examples/multi-cluster (3 clusters, 1 route, 2 exports, 1 Gateway):");
    for (label, set) in [
        ("default plugin alone", &stock),
        ("three plugins + default", &chained),
    ] {
        let mut samples = Vec::new();
        for _ in 0..rounds {
            let lattice = InMemoryLattice::new("123456789012", "us-west-2");
            let started = Instant::now();
            let report = plan(&clusters, set, &lattice).await;
            samples.push(started.elapsed());
            assert!(report.problems.is_empty(), "{:?}", report.problems);
        }
        println!("  {label:<24} {}", summary(samples));
    }
}
