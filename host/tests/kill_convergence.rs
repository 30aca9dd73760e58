//! kill -9 at random requests, then a restart: `trellis apply --prune` and
//! the controller (`trellis run`) over 100 routes, killed 20 times in all
//! while the emulator holds the request they are waiting for (chosen by a
//! seeded draw of request numbers, so each kill lands at an exact request),
//! converge to exactly the account a clean apply makes: nothing missing,
//! leaked or duplicated.

mod support;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use kube_test_server::TestApiServer;
use lattice_emulator::Emulator;
use lattice_emulator::mesh::Mesh;
use support::{
    ACCOUNT, CLUSTER, GATEWAY, REGION, Step, VPC, assert_same_mesh, generate, serve, trellis,
};

const ROUTES: usize = 100;
/// Kills during `apply --prune`, per step of the life cycle.
const APPLY_KILLS: [(Step, usize); 3] = [(Step::Create, 4), (Step::Update, 3), (Step::Delete, 3)];
/// Kills of the controller, per step.
const CONTROLLER_KILLS: [(Step, usize); 2] = [(Step::Create, 5), (Step::Update, 5)];
/// The longest a killed run may take to reach its request.
const REACH: Duration = Duration::from_secs(20);
/// The longest the controller may take to converge after its last restart.
const CONVERGE: Duration = Duration::from_secs(40);

/// SplitMix64: the kill points, deterministic from the seed.
struct Draw(u64);

impl Draw {
    fn below(&mut self, bound: u64) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (z ^ (z >> 31)) % bound
    }
}

/// Starts `command`, holds the emulator at the `at`-th request from now,
/// and kills the process with SIGKILL once that request has arrived; then
/// lets the held request go on (it is served, its answer lost). Whether a
/// kill happened (the process may finish before it makes `at` requests).
fn kill_at(emulator: &Emulator, command: &mut Command, at: u64) -> bool {
    let target = emulator.received() + at;
    emulator.hold_from(target);
    let mut child = command
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let killed = loop {
        if emulator.received() > target {
            child.kill().unwrap();
            break true;
        }
        if child.try_wait().unwrap().is_some() || started.elapsed() > REACH {
            let _ = child.kill();
            break false;
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    child.wait().unwrap();
    emulator.release();
    killed
}

fn apply(folder: &Path, url: &str, cache: &Path) -> Command {
    let mut command = trellis(&["apply", "--prune"]);
    command
        .arg(folder)
        .args(["--endpoint-url", url])
        .arg("--plugin-cache-dir")
        .arg(cache)
        .args(["--calls-per-second", "10000", "--burst", "10000"]);
    command
}

/// Applies `folder` to `url` to the end; fails the test on any problem.
fn apply_fully(folder: &Path, url: &str, cache: &Path) {
    let output = apply(folder, url, cache).output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn mesh(emulator: &Emulator) -> Mesh {
    Mesh::of(&emulator.lattice().snapshot())
}

/// The meshes a clean `apply --prune` makes at each step, in order.
fn clean_meshes(steps: &[Step], cache: &Path) -> Vec<Mesh> {
    let folder = tempfile::tempdir().unwrap();
    let (url, emulator) = serve(|config| config);
    steps
        .iter()
        .map(|step| {
            generate(folder.path(), ROUTES, *step);
            apply_fully(folder.path(), &url, cache);
            mesh(&emulator)
        })
        .collect()
}

#[test]
fn apply_prune_killed_ten_times_converges_to_a_clean_apply() {
    let cache = tempfile::tempdir().unwrap();
    let steps: Vec<Step> = APPLY_KILLS.iter().map(|(step, _)| *step).collect();
    let expected = clean_meshes(&steps, cache.path());
    let folder = tempfile::tempdir().unwrap();
    let (url, emulator) = serve(|config| config);
    let mut draw = Draw(0x6b11);
    let mut kills = 0;
    for ((step, count), expected) in APPLY_KILLS.iter().zip(&expected) {
        generate(folder.path(), ROUTES, *step);
        let mut done = 0;
        while done < *count {
            let at = 1 + draw.below(250);
            if kill_at(&emulator, &mut apply(folder.path(), &url, cache.path()), at) {
                done += 1;
            }
        }
        kills += done;
        apply_fully(folder.path(), &url, cache.path());
        assert_same_mesh(expected, &mesh(&emulator), &format!("{step:?} after kills"));
    }
    assert_eq!(kills, 10);
}

/// The cluster's objects (all but cluster.yaml) as one YAML stream.
fn objects(folder: &Path) -> String {
    ["gateway.yaml", "objects.yaml"]
        .iter()
        .map(|name| std::fs::read_to_string(folder.join(name)).unwrap())
        .collect::<Vec<_>>()
        .join("\n---\n")
}

fn controller(kubeconfig: &Path, url: &str, cache: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_trellis"));
    command
        .args(["run", "--metrics-bind-address", "127.0.0.1:0"])
        .args(["--health-probe-bind-address", "127.0.0.1:0"])
        .args(["--calls-per-second", "10000", "--burst", "10000"])
        .arg("--plugin-cache-dir")
        .arg(cache)
        .env_clear()
        .env("KUBECONFIG", kubeconfig)
        .env("CLUSTER_NAME", CLUSTER)
        .env("CLUSTER_VPC_ID", VPC)
        .env("AWS_ACCOUNT_ID", ACCOUNT)
        .env("REGION", REGION)
        .env("DEFAULT_SERVICE_NETWORK", GATEWAY)
        .env("ROUTE_MAX_CONCURRENT_RECONCILES", "8")
        .env("LATTICE_ENDPOINT", url)
        .env("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
        .env("AWS_SECRET_ACCESS_KEY", "secret")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("DEV_MODE", "1");
    command
}

/// A process killed when the test ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_controller_killed_ten_times_converges_to_a_clean_apply() {
    let cache = tempfile::tempdir().unwrap();
    let steps: Vec<Step> = CONTROLLER_KILLS.iter().map(|(step, _)| *step).collect();
    // Blocking waits run in place: the API server's tasks keep the other
    // worker thread.
    let expected = tokio::task::block_in_place(|| clean_meshes(&steps, cache.path()));
    let server = TestApiServer::start().await;
    server
        .apply_manifests(&trellis::kube::crds::to_yaml().unwrap())
        .unwrap();
    let folder = tempfile::tempdir().unwrap();
    let kubeconfig = folder.path().join("kubeconfig");
    server.write_kubeconfig(&kubeconfig).unwrap();
    let manifests = tempfile::tempdir().unwrap();
    let (url, emulator) = serve(|config| config);
    let mut draw = Draw(0xc011);
    let mut kills = 0;
    for ((step, count), expected) in CONTROLLER_KILLS.iter().zip(&expected) {
        generate(manifests.path(), ROUTES, *step);
        server.apply_manifests(&objects(manifests.path())).unwrap();
        let done = tokio::task::block_in_place(|| {
            let mut done = 0;
            while done < *count {
                let at = 1 + draw.below(200);
                if kill_at(
                    &emulator,
                    &mut controller(&kubeconfig, &url, cache.path()),
                    at,
                ) {
                    done += 1;
                }
            }
            done
        });
        kills += done;
        let log = folder.path().join(format!("{step:?}.log"));
        let restarted = Running(
            controller(&kubeconfig, &url, cache.path())
                .stdout(Stdio::null())
                .stderr(std::fs::File::create(&log).unwrap())
                .spawn()
                .unwrap(),
        );
        let started = Instant::now();
        while mesh(&emulator) != *expected && started.elapsed() < CONVERGE {
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        let actual = mesh(&emulator);
        if actual != *expected {
            let log = std::fs::read_to_string(&log).unwrap_or_default();
            let tail: Vec<&str> = log.lines().rev().take(20).collect();
            assert_same_mesh(
                expected,
                &actual,
                &format!(
                    "{step:?} after kills (the controller's last log lines, newest first: {tail:#?})"
                ),
            );
        }
        drop(restarted);
    }
    assert_eq!(kills, 10);
}
