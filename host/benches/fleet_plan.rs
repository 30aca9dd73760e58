//! `trellis plan` on generated multi-cluster fleets: the plan's time and
//! peak memory as the mesh grows.
//!
//! `cargo bench -p trellis --bench fleet_plan [-- --routes 100,1000,5000]
//! [--write DIR]`
//!
//! For each route count, writes a fleet (`support/fleet.rs`: a config
//! cluster with a Gateway, N HTTPRoutes of 1–10 rules forwarding to
//! ServiceImports, three workload clusters exporting the Services) to a
//! temporary folder and runs the `trellis` binary of this build on it
//! (`plan FOLDER`, output discarded), as a user would. Reports the child's
//! wall time, CPU time (user + system) and peak RSS (`wait4`'s `ru_maxrss`),
//! and the growth ratios between consecutive sizes. `--write DIR` writes
//! the fleet of the first size to DIR and exits (for profiling).

#[path = "support/fleet.rs"]
mod fleet;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

struct Run {
    routes: usize,
    wall: Duration,
    cpu: Duration,
    peak_rss_kib: i64,
}

fn arguments() -> (Vec<usize>, Option<String>) {
    let mut sizes = vec![100, 1_000, 5_000];
    let mut write = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--routes" => {
                sizes = args
                    .next()
                    .expect("--routes takes a list")
                    .split(',')
                    .map(|size| size.parse().expect("--routes takes numbers"))
                    .collect();
            }
            "--write" => write = Some(args.next().expect("--write takes a folder")),
            _ => {}
        }
    }
    (sizes, write)
}

fn duration_of(time: libc::timeval) -> Duration {
    Duration::from_secs(time.tv_sec as u64) + Duration::from_micros(time.tv_usec as u64)
}

/// Runs `trellis plan folder` and measures it.
fn plan(folder: &Path, routes: usize) -> Run {
    let started = Instant::now();
    // Waited for with wait4 below (for its resource usage), not `wait()`.
    #[allow(clippy::zombie_processes)]
    let child = Command::new(env!("CARGO_BIN_EXE_trellis"))
        .arg("plan")
        .arg(folder)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start trellis");
    let mut status = 0;
    // SAFETY: `usage` is a plain C struct that wait4 fills in; the pid is
    // our own child, waited for once.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let waited = unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
    assert_eq!(waited, child.id() as i32, "wait4 failed");
    let wall = started.elapsed();
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "trellis plan of {routes} routes failed (status {status})"
    );
    Run {
        routes,
        wall,
        cpu: duration_of(usage.ru_utime) + duration_of(usage.ru_stime),
        peak_rss_kib: usage.ru_maxrss,
    }
}

fn main() {
    let (sizes, write) = arguments();
    if let Some(folder) = write {
        let folder = Path::new(&folder);
        std::fs::create_dir_all(folder).expect("create the folder");
        fleet::write_fleet(folder, sizes[0]).expect("write the fleet");
        return;
    }
    println!("| routes | services | wall | CPU | peak RSS | ×routes → ×CPU |");
    println!("|---:|---:|---:|---:|---:|---|");
    let mut previous: Option<Run> = None;
    for routes in sizes {
        let folder = tempfile::tempdir().expect("a temporary folder");
        fleet::write_fleet(folder.path(), routes).expect("write the fleet");
        let services: usize = (0..routes).map(fleet::rules_of).sum();
        let run = plan(folder.path(), routes);
        let growth = previous.as_ref().map_or(String::from("—"), |before| {
            format!(
                "×{:.0} → ×{:.1}",
                run.routes as f64 / before.routes as f64,
                run.cpu.as_secs_f64() / before.cpu.as_secs_f64()
            )
        });
        println!(
            "| {} | {services} | {:.2} s | {:.2} s | {:.0} MiB | {growth} |",
            run.routes,
            run.wall.as_secs_f64(),
            run.cpu.as_secs_f64(),
            run.peak_rss_kib as f64 / 1024.0
        );
        previous = Some(run);
    }
}
