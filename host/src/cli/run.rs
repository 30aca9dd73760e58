//! `trellis run`: the Kubernetes controller (see [`trellis::controller`]).

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::Args;
use tracing_subscriber::EnvFilter;

use trellis::config::{
    Discovered, IGNORED_ENVIRONMENT, ImdsOptions, RawSettings, Settings, discover,
};
use trellis::controller;
use trellis::lattice::{CachedLattice, Lattice, SdkLattice, SdkOptions};

use super::plugin_arg;

/// Arguments of `trellis run`: a settings file, then every setting as a
/// flag (flags win over upstream's environment variables, which win over
/// the file).
#[derive(Debug, Args)]
pub struct RunArgs {
    /// The settings file (TOML; keys as the flags, with underscores).
    /// Default: /etc/trellis/trellis.toml when it exists.
    #[arg(long, env = "TRELLIS_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(flatten)]
    settings: RawSettings,
}

/// Checks the settings (asking the EC2 instance metadata service for the
/// VPC, account and region left empty, unless `AWS_EC2_METADATA_DISABLED`
/// is `true`), then runs the controller until SIGTERM or Ctrl-C.
pub fn run(args: RunArgs) -> anyhow::Result<ExitCode> {
    let environment: Vec<(String, String)> = std::env::vars().collect();
    let raw = RawSettings::merge(args.config.as_deref(), &environment, &args.settings)
        .context("invalid settings")?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let wanted = raw.undiscovered();
    let discovered = if wanted.any() && !metadata_disabled(&environment) {
        runtime
            .block_on(discover(wanted, &ImdsOptions::default()))
            .context("invalid settings")?
    } else {
        Discovered::default()
    };
    let settings = raw
        .with_discovered(discovered.clone())
        .resolve()
        .context("invalid settings")?;
    init_logging(&settings);
    if discovered != Discovered::default() {
        tracing::info!(
            vpc_id = discovered.vpc_id.as_deref(),
            account_id = discovered.account_id.as_deref(),
            region = discovered.region.as_deref(),
            "settings from the EC2 instance metadata service"
        );
    }
    for (variable, why) in IGNORED_ENVIRONMENT {
        if environment.iter().any(|(name, _)| name == variable) {
            tracing::info!(variable, "ignored: {why}");
        }
    }
    runtime.block_on(serve(settings))?;
    Ok(ExitCode::SUCCESS)
}

/// Whether `AWS_EC2_METADATA_DISABLED` is `true`, as the AWS SDKs read it.
fn metadata_disabled(environment: &[(String, String)]) -> bool {
    environment.iter().any(|(name, value)| {
        name == "AWS_EC2_METADATA_DISABLED" && value.trim().eq_ignore_ascii_case("true")
    })
}

fn init_logging(settings: &Settings) {
    // Upstream's zap levels `panic`, `dpanic` and `fatal` are errors here.
    let level = match settings.log_level.to_ascii_lowercase().as_str() {
        "panic" | "dpanic" | "fatal" => "error".to_owned(),
        _ => settings.log_level.clone(),
    };
    let filter = EnvFilter::try_new(&level).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if settings.dev_mode {
        builder.init();
    } else {
        builder.json().flatten_event(true).init();
    }
}

async fn serve(settings: Settings) -> anyhow::Result<()> {
    let client = kube::Client::try_default()
        .await
        .context("connecting to Kubernetes (in-cluster service account, or KUBECONFIG)")?;
    let options = SdkOptions {
        endpoint_url: settings.lattice_endpoint.clone(),
        region: Some(settings.cluster.region.clone()),
        calls_per_second: settings.calls_per_second.try_into()?,
        burst: settings.burst.try_into()?,
        max_attempts: settings.max_attempts,
        initial_backoff: Duration::from_millis(200),
        connect_timeout: settings.connect_timeout,
        attempt_timeout: settings.attempt_timeout,
        account_id: Some(settings.cluster.account_id.clone()),
        // `AWS_ENDPOINT_URL_RESOURCE_GROUPS_TAGGING_API`, else the Lattice
        // endpoint, else the region's (see `SdkOptions::tagging_endpoint`).
        tagging_endpoint_url: None,
    };
    let sdk = SdkLattice::connect(&options).await?;
    let calls = sdk.call_counter();
    let lattice: Arc<dyn Lattice> = match settings.resync {
        Some(period) => Arc::new(CachedLattice::with_max_age(sdk, period)),
        None => Arc::new(CachedLattice::new(sdk)),
    };
    let engine = plugin_arg::engine(settings.plugin_cache_dir.clone())?;
    let plugin_name = settings
        .plugin
        .as_ref()
        .map_or_else(|| "default".to_owned(), |path| path.display().to_string());
    let mut loader = plugin_arg::loader(
        &engine,
        &plugin_name,
        &settings.plugin_config,
        settings.policy_dir.clone(),
    )?;
    let plugins = plugin_arg::load_set(&mut loader).await?;
    tracing::info!(
        cluster = %settings.cluster.cluster_name,
        plugins = %plugins.plugins().map(|plugin| format!("{} {}", plugin.name(), plugin.version())).collect::<Vec<_>>().join(", "),
        "starting"
    );
    controller::run(
        &settings,
        client,
        lattice,
        Some(calls),
        loader,
        stop_signal(),
    )
    .await?;
    tracing::info!("stopped");
    Ok(())
}

/// Resolves on SIGTERM (how Kubernetes stops a pod) or Ctrl-C.
async fn stop_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut terminate =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                .expect("installing the SIGTERM handler");
        tokio::select! {
            _ = interrupt => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = interrupt.await;
}
