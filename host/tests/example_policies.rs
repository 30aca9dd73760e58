//! The README's promise: with `examples/policies` (the three example
//! plugins), the multi-cluster example plans to prefixed names, cost tags and
//! the organization's auth policy; with an empty policy folder, to the stock
//! result.

use std::path::{Path, PathBuf};

use trellis::kube::manifests;
use trellis::lattice::InMemoryLattice;
use trellis::lattice::model::Service;
use trellis::plugin::{Plugin, PluginEngine, PluginLoader};
use trellis::reconcile::{PlanReport, plan};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// `examples/policies` as written, except each `path` pointing at the
/// component this build made (the files point at `cargo build --target
/// wasm32-wasip2` output, which the test build does not produce).
fn example_policies(into: &Path) {
    let built = [
        (
            "team_prefix.wasm",
            env!("TRELLIS_EXAMPLE_PLUGIN_TEAM_PREFIX"),
        ),
        ("cost_tags.wasm", env!("TRELLIS_EXAMPLE_PLUGIN_COST_TAGS")),
        ("org_auth.wasm", env!("TRELLIS_EXAMPLE_PLUGIN_ORG_AUTH")),
    ];
    let folder = workspace().join("examples/policies");
    for file in std::fs::read_dir(&folder).unwrap() {
        let file = file.unwrap().path();
        if file.extension().is_none_or(|extension| extension != "toml") {
            continue;
        }
        let mut text = std::fs::read_to_string(&file).unwrap();
        for (component, path) in built {
            let written = format!("../../target/wasm32-wasip2/release/{component}");
            text = text.replace(&written, path);
        }
        assert!(
            !text.contains("../../target"),
            "{}: unknown path",
            file.display()
        );
        std::fs::write(into.join(file.file_name().unwrap()), text).unwrap();
    }
}

async fn plan_with_policies(policies: &Path) -> PlanReport {
    let clusters = manifests::load_plan_inputs(&[workspace().join("examples/multi-cluster")])
        .expect("the example loads");
    let engine = PluginEngine::new().unwrap();
    let default = Plugin::default_plugin(&engine).unwrap();
    let set = PluginLoader::new(engine, default)
        .with_policy_dir(policies)
        .load()
        .await
        .expect("the example policies load");
    let lattice = InMemoryLattice::new("123456789012", "us-west-2");
    let report = plan(&clusters, &set, &lattice).await;
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    report
}

fn route_service(report: &PlanReport) -> &Service {
    assert_eq!(
        report.state.services.len(),
        1,
        "{:?}",
        report.state.services
    );
    &report.state.services[0]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_example_policies_prefix_tag_and_protect_the_example() {
    let dir = tempfile::tempdir().unwrap();
    example_policies(dir.path());
    let report = plan_with_policies(dir.path()).await;
    let service = route_service(&report);
    assert_eq!(service.name, "payments-my-httproute-default");
    assert_eq!(
        service.tags.get("Team").map(String::as_str),
        Some("payments")
    );
    assert_eq!(
        service.tags.get("CostCenter").map(String::as_str),
        Some("cc-1234")
    );
    assert_eq!(service.auth_type, "AWS_IAM");
    let policy = report
        .state
        .auth_policies
        .iter()
        .find(|policy| policy.resource_identifier == service.id)
        .expect("the service has an auth policy");
    let policy: serde_json::Value = serde_json::from_str(&policy.policy).unwrap();
    assert_eq!(
        policy["Statement"][0]["Condition"]["StringEquals"]["aws:PrincipalOrgID"],
        "o-a1b2c3d4e5"
    );
    // team-prefix names only routes' services: the workload clusters'
    // target groups keep the default plugin's names.
    for group in &report.state.target_groups {
        assert!(
            group.name.starts_with("k8s-default-service-"),
            "{}",
            group.name
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_policy_folder_plans_the_stock_result() {
    let dir = tempfile::tempdir().unwrap();
    let report = plan_with_policies(dir.path()).await;
    let service = route_service(&report);
    assert_eq!(service.name, "my-httproute-default");
    assert_eq!(service.auth_type, "NONE");
    assert!(!service.tags.contains_key("Team"));
}
