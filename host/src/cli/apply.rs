//! `trellis apply PATH…`: one-shot apply of manifests to VPC Lattice
//! through the AWS SDK client.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use trellis::lattice::{CachedLattice, LatticeState, read_state};
use trellis::reconcile::{Prune, reconcile};

use super::endpoint::{EndpointArgs, call_summary};
use super::plan::{Inputs, OutputFormat, exit_code};
use super::plugin_arg::PluginArgs;

/// Arguments of `trellis apply`.
#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// Manifest files or folders, as for `plan`.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Also delete what this controller made for objects no longer in the
    /// manifests: services of deleted routes, then unused target groups of
    /// each cluster (only resources whose ManagedBy tag is the cluster's).
    /// Use it when the manifests are each cluster's whole set of objects.
    #[arg(long)]
    prune: bool,
    #[command(flatten)]
    plugins: PluginArgs,
    #[command(flatten)]
    endpoint: EndpointArgs,
    /// Read the whole account again after applying and print that, instead
    /// of the state the apply observed and left (which needs no further
    /// requests). A fresh read shows what Lattice did since it answered the
    /// apply (statuses that went from `CREATE_IN_PROGRESS` to `ACTIVE`) and
    /// changes made by others meanwhile; it costs a full read pass.
    #[arg(long)]
    read_back: bool,
    /// Output format: the same document as `plan`, its calls the calls made
    /// and its state the account's state afterwards: as the apply observed
    /// and left it, or read afresh with `--read-back`. The request counts on
    /// stderr are every request made, the read-back's included.
    #[arg(long, short, value_enum, default_value_t = OutputFormat::Text)]
    output: OutputFormat,
}

/// Runs the apply. Exit code: [`exit_code`]; 2 when the state cannot be
/// read afterwards, after printing what the apply did (its calls, statuses
/// and problems, with no state).
pub fn run(args: ApplyArgs) -> anyhow::Result<ExitCode> {
    let inputs = Inputs::load(&args.paths, &args.plugins)?;
    let prune = if args.prune { Prune::Yes } else { Prune::No };
    let (reconciled, state, counts) = inputs.runtime.block_on(async {
        let lattice = CachedLattice::new(
            args.endpoint
                .connect(&inputs.first.region, &inputs.first.account_id)
                .await?,
        );
        let certificates = args.endpoint.certificates(&inputs.first.region).await;
        let reconciled = reconcile(
            &inputs.clusters,
            &inputs.plugins,
            &lattice,
            &certificates,
            prune,
        )
        .await;
        let state = if args.read_back {
            // Read afresh: what Lattice answered to the creates (statuses
            // in progress) may have changed since.
            lattice.refresh();
            read_state(&lattice).await
        } else {
            // What the cache holds, as the apply's writes left it; only
            // lists it does not hold are read.
            lattice.held_state().await
        };
        let counts = lattice.inner().call_counts();
        anyhow::Ok((reconciled, state, counts))
    })?;
    match state {
        Ok(state) => {
            let report = reconciled.with_state(state);
            args.output.print(&report)?;
            eprint!("{}", call_summary(&counts));
            Ok(exit_code(&report))
        }
        Err(error) => {
            let report = reconciled.with_state(LatticeState::default());
            args.output.print_without_state(&report)?;
            eprint!("{}", call_summary(&counts));
            Err(anyhow::Error::new(error).context(
                "reading the state after the apply (the calls made and the problems are printed above)",
            ))
        }
    }
}
