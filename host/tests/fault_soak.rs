//! The fault soak, bounded: a cluster of routes created, updated and
//! deleted through the real SDK client while the emulator injects 20 % and
//! 50 % faults (throttling, 5xx, dropped connections, answers slower than
//! the attempt timeout); every step converges to exactly the account a
//! fault-free apply makes — nothing missing, leaked or duplicated.
//! `cargo bench -p trellis --bench faults` runs it larger and writes the
//! figures.

mod support;

use support::soak::{self, Soak};
use trellis::plugin::{Plugin, PluginEngine, PluginSet};

fn plugins() -> PluginSet {
    let engine = PluginEngine::new().unwrap();
    PluginSet::stock(Plugin::default_plugin(&engine).unwrap())
}

async fn soak_converges(rate: f64, seed: u64) {
    let outcome = soak::run(
        Soak {
            routes: 20,
            rate,
            seed,
            max_attempts: 12,
            max_rounds: 5,
        },
        &plugins(),
    )
    .await;
    for step in &outcome.steps {
        assert!(
            step.difference.is_empty(),
            "{rate}: {:?} differs from a clean apply: {:#?}",
            step.step,
            step.difference
        );
        assert!(
            step.rounds < 5,
            "{rate}: {:?} took {} applies",
            step.step,
            step.rounds
        );
    }
    let requests = outcome.stats.total_requests();
    let faults = outcome.stats.total_faults() as f64;
    assert!(
        faults > rate * requests as f64 * 0.7,
        "{rate}: faults were injected at about the rate: {}",
        outcome.stats
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fifth_of_requests_faulting_converges_with_nothing_duplicated_or_leaked() {
    soak_converges(0.2, 20).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn half_of_requests_faulting_converges_with_nothing_duplicated_or_leaked() {
    soak_converges(0.5, 50).await;
}
