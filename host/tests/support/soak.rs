//! The fault soak: one cluster's whole life (create, update, delete) applied
//! through the real SDK client to an emulator injecting faults, each step
//! repeated (a fresh client and cache each time, as a restart) until an
//! apply reports no problem, then compared with the same step applied to a
//! fault-free emulator.

use std::num::NonZeroU32;
use std::path::Path;
use std::time::{Duration, Instant};

use aws_sdk_vpclattice::config::Credentials;
use lattice_emulator::mesh::{Difference, Mesh, compare};
use lattice_emulator::{Emulator, FaultKind, Stats};
use trellis::acm::PendingCertificates;
use trellis::kube::manifests;
use trellis::lattice::{CachedLattice, SdkLattice, SdkOptions};
use trellis::plugin::PluginSet;
use trellis::reconcile::{Prune, reconcile};

use super::{REGION, Step, generate, serve};

/// The steps of the life cycle, in order.
pub const STEPS: [Step; 3] = [Step::Create, Step::Update, Step::Delete];

/// How one soak is run.
#[derive(Debug, Clone, Copy)]
pub struct Soak {
    pub routes: usize,
    /// Share of requests that fault (every kind, slow answers included).
    pub rate: f64,
    pub seed: u64,
    /// Attempts per request.
    pub max_attempts: u32,
    /// Applies of one step before the soak gives up.
    pub max_rounds: usize,
}

/// What one step took under faults.
#[derive(Debug, Clone)]
pub struct StepOutcome {
    pub step: Step,
    /// Applies until one reported no problem.
    pub rounds: usize,
    pub wall: Duration,
    /// How the account differs from the fault-free one's after the step.
    pub difference: Difference,
}

/// What a whole soak took.
#[derive(Debug, Clone)]
pub struct SoakOutcome {
    pub steps: Vec<StepOutcome>,
    /// The faulty emulator's requests and faults.
    pub stats: Stats,
    /// Attempts the client made (retries included), over every step.
    pub attempts: u64,
}

/// A client of `url` with the rate limit off, short backoffs and timeouts
/// below the slow faults' delay, behind a fresh cache.
fn client(url: &str, max_attempts: u32) -> CachedLattice<SdkLattice> {
    let options = SdkOptions {
        endpoint_url: Some(url.to_owned()),
        calls_per_second: NonZeroU32::new(100_000).expect("non-zero"),
        burst: NonZeroU32::new(100_000).expect("non-zero"),
        max_attempts,
        initial_backoff: Duration::from_millis(1),
        connect_timeout: Duration::from_millis(500),
        attempt_timeout: SLOW_ATTEMPT_TIMEOUT,
        ..SdkOptions::default()
    };
    CachedLattice::new(SdkLattice::with_credentials(
        REGION,
        Credentials::new("AKIDEXAMPLE", "secret", None, None, "soak"),
        &options,
    ))
}

/// The client's attempt timeout; slow faults answer after twice as long.
const SLOW_ATTEMPT_TIMEOUT: Duration = Duration::from_millis(60);

/// Applies `folder` (with prune) once; the attempts made and whether no
/// object had a problem.
async fn apply_once(
    url: &str,
    folder: &Path,
    plugins: &PluginSet,
    max_attempts: u32,
) -> (u64, bool) {
    let clusters = manifests::load_plan_inputs(&[folder.to_path_buf()]).expect("manifests");
    let lattice = client(url, max_attempts);
    let reconciled = reconcile(
        &clusters,
        plugins,
        &lattice,
        &PendingCertificates,
        Prune::Yes,
    )
    .await;
    let attempts = lattice
        .inner()
        .call_counts()
        .values()
        .map(|count| count.attempts)
        .sum();
    (attempts, reconciled.problems.is_empty())
}

/// The mesh of `emulator`'s account.
pub fn mesh(emulator: &Emulator) -> Mesh {
    Mesh::of(&emulator.lattice().snapshot())
}

/// Runs `soak`: every step against a fault-free emulator and a faulty one,
/// comparing the two accounts after each.
pub async fn run(soak: Soak, plugins: &PluginSet) -> SoakOutcome {
    let folder = tempfile::tempdir().expect("temporary folder");
    let (clean_url, clean) = serve(|config| config);
    let (url, faulty) = serve(|config| {
        config
            .faults(soak.rate, &FaultKind::ALL, soak.seed)
            .slow_ms(2 * SLOW_ATTEMPT_TIMEOUT.as_millis() as u64)
    });
    let mut steps = Vec::new();
    let mut attempts = 0;
    for step in STEPS {
        generate(folder.path(), soak.routes, step);
        let (_, clean_ok) = apply_once(&clean_url, folder.path(), plugins, 1).await;
        assert!(clean_ok, "{step:?}: the fault-free apply has problems");
        let started = Instant::now();
        let mut rounds = 0;
        loop {
            rounds += 1;
            let (made, ok) = apply_once(&url, folder.path(), plugins, soak.max_attempts).await;
            attempts += made;
            if ok || rounds == soak.max_rounds {
                break;
            }
        }
        steps.push(StepOutcome {
            step,
            rounds,
            wall: started.elapsed(),
            difference: compare(&mesh(&clean), &mesh(&faulty)),
        });
    }
    SoakOutcome {
        steps,
        stats: faulty.stats(),
        attempts,
    }
}
