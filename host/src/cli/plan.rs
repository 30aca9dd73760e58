//! `trellis plan PATH…`: the main job, offline; and what `apply` shares
//! with it: the inputs both start from, how the report is printed and the
//! exit code it gives.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, ValueEnum};
use tokio::runtime::Runtime;

use trellis::acm::{Certificates, PendingCertificates};
use trellis::config::ClusterConfig;
use trellis::kube::manifests::{self, ClusterInput};
use trellis::lattice::{CachedLattice, InMemoryLattice, LatticeState, read_state};
use trellis::plugin::PluginSet;
use trellis::reconcile::{PlanReport, plan_with_certificates};

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

impl OutputFormat {
    /// Prints `report` to stdout in this format.
    pub fn print(self, report: &PlanReport) -> anyhow::Result<()> {
        let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
        match self {
            OutputFormat::Text => stdout.write_all(render::render(report).as_bytes())?,
            OutputFormat::Json => {
                // Written as it is serialized: the JSON of a large plan is
                // never held whole in memory.
                serde_json::to_writer_pretty(&mut stdout, report)?;
                stdout.write_all(b"\n")?;
            }
        }
        stdout.flush()?;
        Ok(())
    }

    /// Prints `report` but for its state, which could not be read: the text
    /// form leaves the resource tree out, the JSON form has `"state": null`.
    pub fn print_without_state(self, report: &PlanReport) -> serde_json::Result<()> {
        match self {
            OutputFormat::Text => print!("{}", render::render_without_state(report)),
            OutputFormat::Json => {
                let mut document = serde_json::to_value(report)?;
                document["state"] = serde_json::Value::Null;
                println!("{}", serde_json::to_string_pretty(&document)?);
            }
        }
        Ok(())
    }
}

/// The exit code of a plan or apply: 0 when no object has a problem, 1
/// otherwise.
pub fn exit_code(report: &PlanReport) -> ExitCode {
    if report.problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// What `plan` and `apply` start from.
pub struct Inputs {
    /// The clusters of the manifests.
    pub clusters: Vec<ClusterInput>,
    /// The first cluster's configuration; the local one when there is no
    /// cluster.
    pub first: ClusterConfig,
    /// Every plugin the plugin arguments name.
    pub plugins: PluginSet,
    /// The multi-threaded runtime the plugins were loaded on.
    pub runtime: Runtime,
}

impl Inputs {
    /// Reads the manifests at `paths`, then starts the runtime and loads the
    /// plugins `plugins` names on it.
    pub fn load(paths: &[PathBuf], plugins: &PluginArgs) -> anyhow::Result<Self> {
        let clusters = manifests::load_plan_inputs(paths).context("reading manifests")?;
        let mut loader = plugins.loader()?;
        let first = clusters
            .first()
            .map(|cluster| cluster.config.clone())
            .unwrap_or_else(ClusterConfig::local);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .context("starting the async runtime")?;
        let plugins = runtime.block_on(plugin_arg::load_set(&mut loader))?;
        Ok(Self {
            clusters,
            first,
            plugins,
            runtime,
        })
    }
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
    /// With `--endpoint-url` or `--acm-endpoint-url`, routes' certificates
    /// are discovered from ACM as `apply` does; without either, nothing is
    /// asked of AWS and a certificate to discover shows as
    /// `(ACM certificate for HOST, discovered at apply)`.
    #[command(flatten)]
    endpoint: EndpointArgs,
}

/// Runs the plan. Exit code: [`exit_code`].
pub fn run(args: PlanArgs) -> anyhow::Result<ExitCode> {
    let inputs = Inputs::load(&args.paths, &args.plugins)?;
    let observed = match &args.endpoint.endpoint_url {
        None => LatticeState::default(),
        Some(url) => inputs.runtime.block_on(async {
            let sdk = CachedLattice::new(
                args.endpoint
                    .connect(&inputs.first.region, &inputs.first.account_id)
                    .await?,
            );
            let state = read_state(&sdk)
                .await
                .with_context(|| format!("reading the state at {url}"))?;
            eprint!("{}", call_summary(&sdk.inner().call_counts()));
            anyhow::Ok(state)
        })?,
    };
    let Inputs {
        clusters,
        first,
        plugins,
        runtime,
    } = inputs;
    let lattice = InMemoryLattice::with_state(first.account_id, first.region.clone(), observed);
    let discover = args.endpoint.endpoint_url.is_some() || args.endpoint.acm_endpoint_url.is_some();
    let report = runtime.block_on(async {
        let certificates: Box<dyn Certificates> = if discover {
            Box::new(args.endpoint.certificates(&first.region).await)
        } else {
            Box::new(PendingCertificates)
        };
        plan_with_certificates(clusters, &plugins, lattice, &*certificates).await
    });
    args.output.print(&report)?;
    Ok(exit_code(&report))
}
