//! Hot reload: a plugin component or policy file replaced under a running
//! watcher changes the next reconcile's result; a broken replacement keeps
//! the last good version serving and says why; reconciles running during a
//! swap never fail and never see a mix of old and new plugins; a policy
//! ConfigMap volume's update (the kubelet's symlink swap) is seen.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use k8s_openapi::api::core::v1::Namespace;
use tokio::sync::mpsc::UnboundedReceiver;

use trellis::kube::{ClusterInput, manifests};
use trellis::lattice::InMemoryLattice;
use trellis::plugin::reload::{self, Reload};
use trellis::plugin::{LivePlugins, Plugin, PluginEngine, PluginLoader, PluginSet};
use trellis::reconcile::{PlanReport, plan};

const TEAM_PREFIX: &str = env!("TRELLIS_EXAMPLE_PLUGIN_TEAM_PREFIX");
const COST_TAGS: &str = env!("TRELLIS_EXAMPLE_PLUGIN_COST_TAGS");

/// One policy whose plugin is `plugins/chosen.wasm`, with its default
/// configuration (both example plugins read the namespace label `team`).
const POLICY: &str = r#"
[[plugin]]
name = "chosen"
path = "../plugins/chosen.wasm"
"#;

/// What team-prefix makes of the example's route: a prefixed name, no tags
/// of its own.
fn prefixed() -> (String, Option<String>) {
    ("payments-my-httproute-default".into(), None)
}

/// What cost-tags makes of it: the stock name, tagged with the team.
fn tagged() -> (String, Option<String>) {
    ("my-httproute-default".into(), Some("payments".into()))
}

struct Workspace {
    _dir: tempfile::TempDir,
    plugin: PathBuf,
    policy: PathBuf,
}

fn workspace(plugin: &str) -> Workspace {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("policies")).unwrap();
    std::fs::create_dir(dir.path().join("plugins")).unwrap();
    let policy = dir.path().join("policies/10-chosen.toml");
    std::fs::write(&policy, POLICY).unwrap();
    let plugin_path = dir.path().join("plugins/chosen.wasm");
    std::fs::copy(plugin, &plugin_path).unwrap();
    Workspace {
        plugin: plugin_path,
        policy,
        _dir: dir,
    }
}

/// Replaces `path` the way a deployment should: write aside, then rename.
fn replace(path: &Path, bytes: &[u8]) {
    let aside = path.with_extension("partial");
    std::fs::write(&aside, bytes).unwrap();
    std::fs::rename(&aside, path).unwrap();
}

/// The multi-cluster example, its route's namespace labelled `team: payments`.
fn example() -> Vec<ClusterInput> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/multi-cluster");
    let mut clusters = manifests::load_plan_inputs(&[root]).unwrap();
    let namespace: Namespace = serde_json::from_value(serde_json::json!({
        "metadata": {"name": "default", "labels": {"team": "payments"}}
    }))
    .unwrap();
    for cluster in &mut clusters {
        let snapshot = Arc::make_mut(&mut cluster.snapshot);
        snapshot
            .namespaces
            .retain(|existing| existing.metadata.name != namespace.metadata.name);
        snapshot.namespaces.push(namespace.clone());
    }
    clusters
}

async fn start(workspace: &Workspace) -> (Arc<LivePlugins>, UnboundedReceiver<Reload>) {
    let engine = PluginEngine::new().unwrap();
    let default = Plugin::default_plugin(&engine).unwrap();
    let policies = workspace.policy.parent().unwrap().to_path_buf();
    let mut loader = PluginLoader::new(engine, default).with_policy_dir(policies);
    let set = loader.load().await.unwrap();
    let live = Arc::new(LivePlugins::new(set));
    let reloads = reload::spawn(loader, live.clone()).unwrap();
    (live, reloads)
}

/// The first reload that `wanted` accepts, within 30 s. One replacement can
/// come as more than one debounced batch of events, so reloads that found
/// nothing new may come first.
async fn reload_where(
    reloads: &mut UnboundedReceiver<Reload>,
    wanted: impl Fn(&Reload) -> bool,
) -> Reload {
    tokio::time::timeout(Duration::from_secs(30), async {
        loop {
            let reload = reloads.recv().await.expect("the watcher runs");
            if wanted(&reload) {
                return reload;
            }
        }
    })
    .await
    .expect("the reload within 30 s")
}

fn replaced(reload: &Reload) -> bool {
    reload.replaced
}

fn failed(reload: &Reload) -> bool {
    !reload.failures.is_empty()
}

async fn plan_with(set: &PluginSet, clusters: &[ClusterInput]) -> PlanReport {
    let first = &clusters[0].config;
    let lattice = InMemoryLattice::new(first.account_id.clone(), first.region.clone());
    plan(clusters, set, &lattice).await
}

/// The route's service: its name and its `Team` tag.
fn service(report: &PlanReport) -> (String, Option<String>) {
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    let services = &report.state.services;
    assert_eq!(services.len(), 1, "{services:?}");
    (
        services[0].name.clone(),
        services[0].tags.get("Team").cloned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replaced_plugin_serves_the_next_reconcile_and_a_broken_one_keeps_the_last_good() {
    let workspace = workspace(TEAM_PREFIX);
    let clusters = example();
    let (live, mut reloads) = start(&workspace).await;
    let before = plan_with(&live.current(), &clusters).await;
    assert_eq!(service(&before), prefixed());

    replace(&workspace.plugin, &std::fs::read(COST_TAGS).unwrap());
    let reload = reload_where(&mut reloads, replaced).await;
    assert!(reload.failures.is_empty(), "{reload:?}");
    let after = plan_with(&live.current(), &clusters).await;
    assert_eq!(service(&after), tagged());

    // Garbage in the component: nothing changes, and the reload says why.
    replace(&workspace.plugin, b"not a component");
    let reload = reload_where(&mut reloads, failed).await;
    assert!(!reload.replaced, "{reload:?}");
    let failure = &reload.failures[0];
    assert_eq!(failure.file, workspace.policy);
    assert!(
        failure.message.contains("chosen.wasm") && failure.message.contains("plugin chosen"),
        "{failure}"
    );
    let still = plan_with(&live.current(), &clusters).await;
    assert_eq!(service(&still), tagged());
    assert_eq!(still.calls.len(), after.calls.len());

    // A broken policy file: the same, with the file's line and field.
    replace(&workspace.policy, b"[[plugin]]\nname = \"chosen\"\n");
    // (The broken component may be reported again first.)
    let reload = reload_where(&mut reloads, |reload| {
        reload
            .failures
            .iter()
            .any(|failure| failure.message.contains("path: missing"))
    })
    .await;
    assert!(!reload.replaced, "{reload:?}");
    let message = reload.failures[0].to_string();
    assert!(
        message.contains("10-chosen.toml:1: plugin[0].path: missing"),
        "{message}"
    );
    let still = plan_with(&live.current(), &clusters).await;
    assert_eq!(service(&still), tagged());

    // Fixed again: the component written back is served.
    replace(&workspace.policy, POLICY.as_bytes());
    replace(&workspace.plugin, &std::fs::read(TEAM_PREFIX).unwrap());
    reload_where(&mut reloads, replaced).await;
    let fixed = plan_with(&live.current(), &clusters).await;
    assert_eq!(service(&fixed), prefixed());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconciles_during_swaps_never_fail_and_never_mix_plugins() {
    let workspace = workspace(TEAM_PREFIX);
    let clusters = Arc::new(example());
    let (live, mut reloads) = start(&workspace).await;
    let stop = Arc::new(AtomicBool::new(false));
    let reconciler = {
        let (live, clusters, stop) = (live.clone(), clusters.clone(), stop.clone());
        tokio::spawn(async move {
            let mut seen = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                let report = plan_with(&live.current(), &clusters).await;
                let found = service(&report);
                // team-prefix names and adds no tags; cost-tags tags and
                // leaves names alone: any other pair is a mix.
                assert!(
                    found == prefixed() || found == tagged(),
                    "a reconcile saw {found:?}"
                );
                seen.push(found);
            }
            seen
        })
    };
    let team_prefix = std::fs::read(TEAM_PREFIX).unwrap();
    let cost_tags = std::fs::read(COST_TAGS).unwrap();
    for round in 0..4 {
        let bytes = if round % 2 == 0 {
            &cost_tags
        } else {
            &team_prefix
        };
        replace(&workspace.plugin, bytes);
        reload_where(&mut reloads, replaced).await;
        // Let a few reconciles run on this set.
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    stop.store(true, Ordering::Relaxed);
    let seen = reconciler.await.unwrap();
    assert!(seen.contains(&prefixed()));
    assert!(seen.contains(&tagged()));
}

/// A ConfigMap volume as the kubelet writes it: the files in a hidden,
/// timestamped folder, `..data` a symlink to it, and a symlink per file
/// through `..data`. An update writes a new folder and swaps `..data` by a
/// rename, which is all a watcher of the mounted folder sees.
#[cfg(unix)]
struct ConfigMapVolume {
    dir: PathBuf,
    generation: u32,
}

#[cfg(unix)]
impl ConfigMapVolume {
    fn project(&mut self, files: &[(&str, &str)]) {
        use std::os::unix::fs::symlink;
        self.generation += 1;
        let version = format!("..2025_01_01_00_00_00.{:09}", self.generation);
        std::fs::create_dir(self.dir.join(&version)).unwrap();
        for (name, text) in files {
            std::fs::write(self.dir.join(&version).join(name), text).unwrap();
        }
        let previous = std::fs::read_link(self.dir.join("..data")).ok();
        symlink(&version, self.dir.join("..data_tmp")).unwrap();
        std::fs::rename(self.dir.join("..data_tmp"), self.dir.join("..data")).unwrap();
        for (name, _) in files {
            let link = self.dir.join(name);
            if std::fs::symlink_metadata(&link).is_err() {
                symlink(Path::new("..data").join(name), link).unwrap();
            }
        }
        if let Some(previous) = previous {
            std::fs::remove_dir_all(self.dir.join(previous)).unwrap();
        }
    }
}

fn plugin_names(set: &PluginSet) -> Vec<String> {
    set.plugins()
        .map(|plugin| plugin.name().to_owned())
        .collect()
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_policies_configmap_update_is_hot_reloaded() {
    let root = tempfile::tempdir().unwrap();
    // A component on a volume of its own, as the chart expects.
    let plugins = root.path().join("plugins");
    std::fs::create_dir(&plugins).unwrap();
    let component = plugins.join("chosen.wasm");
    std::fs::copy(env!("TRELLIS_DEFAULT_PLUGIN_WASM"), &component).unwrap();
    let policy = |name: &str| {
        format!(
            "[[plugin]]\nname = \"{name}\"\npath = \"{}\"\n",
            component.display()
        )
    };
    let policies = root.path().join("policies");
    std::fs::create_dir(&policies).unwrap();
    let mut volume = ConfigMapVolume {
        dir: policies.clone(),
        generation: 0,
    };
    volume.project(&[("10-chosen.toml", &policy("first"))]);

    let engine = PluginEngine::new().unwrap();
    let default = Plugin::default_plugin(&engine).unwrap();
    let mut loader = PluginLoader::new(engine, default).with_policy_dir(&policies);
    let set = loader
        .load()
        .await
        .expect("the ConfigMap's layout reads as a policy folder");
    assert_eq!(plugin_names(&set), ["first", "default"]);
    let live = Arc::new(LivePlugins::new(set));
    let mut reloads = reload::spawn(loader, live.clone()).unwrap();

    volume.project(&[("10-chosen.toml", &policy("second"))]);
    reload_where(&mut reloads, replaced).await;
    assert_eq!(plugin_names(&live.current()), ["second", "default"]);

    // A broken update keeps the last good version and names the file.
    volume.project(&[("10-chosen.toml", "[[plugin]]\nname = \"third\"\n")]);
    let reload = reload_where(&mut reloads, failed).await;
    assert!(!reload.replaced);
    assert_eq!(reload.failures[0].file, policies.join("10-chosen.toml"));
    assert_eq!(plugin_names(&live.current()), ["second", "default"]);
}
