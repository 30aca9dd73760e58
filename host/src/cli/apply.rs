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
    /// Output format: the same document as `plan`, its calls the calls made
    /// and its state the account's state afterwards, read afresh (the
    /// request counts on stderr are the apply's, before that read).
    #[arg(long, short, value_enum, default_value_t = OutputFormat::Text)]
    output: OutputFormat,
}

/// Runs the apply. Exit code: [`exit_code`]; 2 when the state cannot be
/// read back afterwards, after printing what the apply did (its calls,
/// statuses and problems, with no state).
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
        let counts = lattice.inner().call_counts();
        // The printed state is read afresh: what Lattice answered to the
        // creates (statuses in progress, names left out) is not the state.
        lattice.refresh();
        let state = read_state(&lattice).await;
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
