//! Command-line interface: argument parsing and the subcommands.

mod apply;
mod crds;
mod endpoint;
mod plan;
mod plugin_arg;
mod render;
mod run;
mod test;

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use tracing_subscriber::EnvFilter;

/// Trellis: a Kubernetes controller for Amazon VPC Lattice whose policy runs
/// in WebAssembly plugins.
#[derive(Debug, Parser)]
#[command(name = "trellis", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Translate manifests offline and show the Lattice resources and calls.
    Plan(plan::PlanArgs),
    /// Apply manifests to VPC Lattice through the AWS SDK (one shot).
    Apply(apply::ApplyArgs),
    /// Run a plugin against fixtures: manifests and the Lattice state and
    /// problems they must produce.
    Test(test::TestArgs),
    /// Run the controller: watch Kubernetes and keep VPC Lattice in step.
    Run(Box<run::RunArgs>),
    /// Print the CustomResourceDefinitions of the
    /// `application-networking.k8s.aws` kinds as multi-document YAML.
    Crds,
}

/// Parses the command line and runs the subcommand.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    // `run` sets up its own logging (JSON, LOG_LEVEL) once its settings
    // are known.
    if !matches!(cli.command, Command::Run(_)) {
        tracing_subscriber::fmt()
            .with_env_filter(
                EnvFilter::try_from_env("TRELLIS_LOG").unwrap_or_else(|_| EnvFilter::new("warn")),
            )
            .with_writer(std::io::stderr)
            .init();
    }
    let result = match cli.command {
        Command::Plan(args) => plan::run(args),
        Command::Apply(args) => apply::run(args),
        Command::Test(args) => test::run(args),
        Command::Run(args) => run::run(*args),
        Command::Crds => crds::run(),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}
