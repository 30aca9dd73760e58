//! The fault soak as a benchmark: one cluster of N routes (default 100)
//! created, updated and deleted through the real SDK client while the
//! emulator injects 20 % and then 50 % faults (throttling, 5xx, dropped
//! connections, answers slower than the attempt timeout), each step applied
//! until no object has a problem and compared with a fault-free apply.
//!
//! `cargo bench -p trellis --bench faults [-- --routes N]`
//!
//! Prints, per rate: each step's applies and wall time, the requests and
//! faults the emulator saw, the client's attempts, and whether the account
//! equals the fault-free one (nothing missing, leaked or duplicated). The
//! figures in BENCHMARKS.md ("Issue 13: faults") come from it.

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::Instant;

use support::soak::{self, Soak};
use trellis::plugin::{Plugin, PluginEngine, PluginSet};

fn routes_argument() -> usize {
    let mut routes = 100;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        // `cargo bench` passes `--bench`; other harness flags mean nothing.
        if arg == "--routes" {
            routes = args
                .next()
                .and_then(|value| value.parse().ok())
                .filter(|&n: &usize| (2..=2_000).contains(&n))
                .expect("--routes takes a number from 2 to 2000");
        }
    }
    routes
}

fn main() {
    let routes = routes_argument();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let engine = PluginEngine::new().expect("plugin engine");
    let plugins = PluginSet::stock(Plugin::default_plugin(&engine).expect("default plugin"));
    println!("fault soak: {routes} routes, create → update → delete, prune on");
    let mut converged = true;
    for (rate, seed) in [(0.2, 20), (0.5, 50)] {
        let started = Instant::now();
        let outcome = runtime.block_on(soak::run(
            Soak {
                routes,
                rate,
                seed,
                max_attempts: 12,
                max_rounds: 10,
            },
            &plugins,
        ));
        let total = started.elapsed();
        println!(
            "\n{:.0} % faults (seed {seed}): {total:.2?} in all",
            rate * 100.0
        );
        for step in &outcome.steps {
            let same = step.difference.is_empty();
            converged &= same;
            println!(
                "  {:<7} {} apply(s), {:>8.2?}, {}",
                format!("{:?}", step.step),
                step.rounds,
                step.wall,
                if same {
                    "equals the fault-free account".to_owned()
                } else {
                    format!("DIFFERS: {:?}", step.difference)
                }
            );
        }
        println!(
            "  emulator: {} ; client attempts {}",
            outcome.stats.to_string().lines().next().unwrap_or_default(),
            outcome.attempts
        );
        for (kind, count) in &outcome.stats.faults {
            println!("    {kind}: {count}");
        }
    }
    assert!(converged, "an account differs from the fault-free one");
}
