//! `trellis test PLUGIN FIXTURES… [--bless] [--filter PATTERN]`: the plugin
//! test harness.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;

use trellis::harness::{FixtureOutcome, check_fixture, discover};

use super::plugin_arg;

/// Differences shown per failing fixture before the rest are counted.
const SHOWN_DIFFERENCES: usize = 20;

/// Arguments of `trellis test`.
#[derive(Debug, Args)]
pub struct TestArgs {
    /// The plugin: a component `.wasm` file, or `default` for the built-in one.
    plugin: String,
    /// Fixture folders, or folders searched for fixtures.
    #[arg(required = true)]
    fixtures: Vec<PathBuf>,
    /// Write each fixture's actual result as its `expected.yaml`.
    #[arg(long)]
    bless: bool,
    /// Run only fixtures whose name contains PATTERN.
    #[arg(long, value_name = "PATTERN")]
    filter: Option<String>,
}

/// Runs the fixtures. Exit code 0 when every fixture passed (or was
/// blessed), 1 otherwise.
pub fn run(args: TestArgs) -> anyhow::Result<ExitCode> {
    let engine = plugin_arg::engine(None)?;
    let plugin = plugin_arg::load(&engine, &args.plugin)?;
    let default = plugin_arg::default(&engine)?;
    let fixtures = discover(&args.fixtures).context("finding fixtures")?;
    let selected: Vec<_> = fixtures
        .into_iter()
        .filter(|fixture| {
            args.filter
                .as_deref()
                .is_none_or(|pattern| fixture.name.contains(pattern))
        })
        .collect();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .context("starting the async runtime")?;
    let (mut passed, mut failed) = (0, 0);
    for fixture in &selected {
        match runtime.block_on(check_fixture(fixture, &plugin, &default, args.bless)) {
            Ok(FixtureOutcome::Passed) => {
                passed += 1;
                println!("PASS  {}", fixture.name);
            }
            Ok(FixtureOutcome::Blessed) => {
                passed += 1;
                println!("BLESS {}", fixture.name);
            }
            Ok(FixtureOutcome::NoExpectation) => {
                failed += 1;
                println!(
                    "FAIL  {}: no expected.yaml (run with --bless to write it)",
                    fixture.name
                );
            }
            Ok(FixtureOutcome::Failed(differences)) => {
                failed += 1;
                println!("FAIL  {} ({})", fixture.name, fixture.dir.display());
                for difference in differences.iter().take(SHOWN_DIFFERENCES) {
                    println!("        {difference}");
                }
                if differences.len() > SHOWN_DIFFERENCES {
                    println!(
                        "        … and {} more differences",
                        differences.len() - SHOWN_DIFFERENCES
                    );
                }
            }
            Err(error) => {
                failed += 1;
                println!("ERROR {}: {error}", fixture.name);
            }
        }
    }
    println!(
        "\n{} fixtures with plugin {}: {passed} passed, {failed} failed",
        selected.len(),
        plugin.name()
    );
    Ok(if failed == 0 && !selected.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
