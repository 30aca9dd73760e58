//! `trellis plan PATH…`: the main job, offline.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, ValueEnum};

use trellis::kube::manifests;
use trellis::lattice::{CachedLattice, InMemoryLattice, LatticeState, read_state};
use trellis::reconcile::plan;

use super::endpoint::{EndpointArgs, call_summary};
use super::plugin_arg::{self, PluginArgs};
use super::render;

/// How `plan` prints its result.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum OutputFormat {
    /// A tree of resources, the calls and the problems.
    Text,
    /// `{"calls": [...], "state": {...}, "problems": [...]}`.
    Json,
}

/// Arguments of `trellis plan`.
#[derive(Debug, Args)]
pub struct PlanArgs {
    /// Manifest files or folders; a folder whose subfolders each hold a
    /// `cluster.yaml` is a multi-cluster plan.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    #[command(flatten)]
    plugins: PluginArgs,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = OutputFormat::Text)]
    output: OutputFormat,
    /// With `--endpoint-url`: plan against the observed state of that
    /// endpoint (read-only; the calls are the ones `apply` would make).
    #[command(flatten)]
    endpoint: EndpointArgs,
}

/// Runs the plan. Exit code 0 when no object has a problem, 1 otherwise.
pub fn run(args: PlanArgs) -> anyhow::Result<ExitCode> {
    let clusters = manifests::load_plan_inputs(&args.paths).context("reading manifests")?;
    let mut loader = args.plugins.loader()?;
    let first = clusters
        .first()
        .map(|cluster| cluster.config.clone())
        .unwrap_or_else(trellis::config::ClusterConfig::local);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let plugins = runtime.block_on(plugin_arg::load_set(&mut loader))?;
    let observed = match &args.endpoint.endpoint_url {
        None => LatticeState::default(),
        Some(url) => runtime.block_on(async {
            let sdk = CachedLattice::new(args.endpoint.connect(&first.region).await?);
            let state = read_state(&sdk)
                .await
                .with_context(|| format!("reading the state at {url}"))?;
            eprint!("{}", call_summary(&sdk.inner().call_counts()));
            anyhow::Ok(state)
        })?,
    };
    let lattice = InMemoryLattice::with_state(first.account_id, first.region, observed);
    let report = runtime.block_on(plan(&clusters, &plugins, &lattice));
    match args.output {
        OutputFormat::Text => print!("{}", render::render(&report)),
        OutputFormat::Json => println!("{}", serde_json::to_string_pretty(&report)?),
    }
    Ok(if report.problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
