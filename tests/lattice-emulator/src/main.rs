//! `lattice-emulator`: serves the emulated VPC Lattice API on 127.0.0.1
//! until interrupted, e.g.
//! `lattice-emulator --fault-rate 0.2 --faults throttling,server-error,dropped-connection,slow --latency-ms 5 --seed 7 --page-size 2`.

use anyhow::Context;
use clap::Parser;
use lattice_emulator::{DEFAULT_SLOW_MS, Emulator, EmulatorConfig, FaultKind, Faults, Quotas};

/// The VPC Lattice REST-JSON API on 127.0.0.1, in memory, for tests.
#[derive(Debug, Parser)]
#[command(name = "lattice-emulator", version, about)]
struct Args {
    /// The port to listen on (0 picks a free one and prints it).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// The account the emulated resources belong to.
    #[arg(long, default_value = "123456789012")]
    account_id: String,
    /// The region in ARNs and DNS names.
    #[arg(long, default_value = "us-west-2")]
    region: String,
    /// Items per page of every list operation (small, to exercise pagination).
    #[arg(long, default_value_t = 2)]
    page_size: usize,
    /// Share of requests that fault, 0.0 to 1.0.
    #[arg(long, default_value_t = 0.0, value_parser = parse_rate)]
    fault_rate: f64,
    /// The fault kinds to draw from.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "throttling,server-error,dropped-connection,slow"
    )]
    faults: Vec<FaultKind>,
    /// Milliseconds added before every request is served.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Seed of the fault sequence.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Inject faults only into these operations (e.g.
    /// `CreateService,ListRules`); default: every operation.
    #[arg(long, value_delimiter = ',')]
    fault_operations: Vec<String>,
    /// Milliseconds a `slow` fault delays its request.
    #[arg(long, default_value_t = DEFAULT_SLOW_MS)]
    slow_ms: u64,
    #[command(flatten)]
    quotas: QuotaArgs,
}

/// Quotas (defaults: the AWS defaults).
#[derive(Debug, clap::Args)]
struct QuotaArgs {
    /// Service networks per Region.
    #[arg(long, default_value_t = Quotas::default().service_networks)]
    max_service_networks: usize,
    /// Services per Region.
    #[arg(long, default_value_t = Quotas::default().services)]
    max_services: usize,
    /// Target groups per Region.
    #[arg(long, default_value_t = Quotas::default().target_groups)]
    max_target_groups: usize,
    /// Listeners per service.
    #[arg(long, default_value_t = Quotas::default().listeners_per_service)]
    max_listeners_per_service: usize,
    /// Rules per listener.
    #[arg(long, default_value_t = Quotas::default().rules_per_listener)]
    max_rules_per_listener: usize,
    /// Target groups per service.
    #[arg(long, default_value_t = Quotas::default().target_groups_per_service)]
    max_target_groups_per_service: usize,
    /// Targets per target group.
    #[arg(long, default_value_t = Quotas::default().targets_per_target_group)]
    max_targets_per_target_group: usize,
    /// VPC associations per service network.
    #[arg(long, default_value_t = Quotas::default().vpc_associations_per_service_network)]
    max_vpc_associations_per_service_network: usize,
    /// Service associations per service network.
    #[arg(long, default_value_t = Quotas::default().service_associations_per_service_network)]
    max_service_associations_per_service_network: usize,
    /// Security groups per VPC association.
    #[arg(long, default_value_t = Quotas::default().security_groups_per_association)]
    max_security_groups_per_association: usize,
    /// Bytes of an auth policy.
    #[arg(long, default_value_t = Quotas::default().auth_policy_bytes)]
    max_auth_policy_bytes: usize,
}

impl From<QuotaArgs> for Quotas {
    fn from(args: QuotaArgs) -> Self {
        Self {
            service_networks: args.max_service_networks,
            services: args.max_services,
            target_groups: args.max_target_groups,
            listeners_per_service: args.max_listeners_per_service,
            rules_per_listener: args.max_rules_per_listener,
            target_groups_per_service: args.max_target_groups_per_service,
            targets_per_target_group: args.max_targets_per_target_group,
            vpc_associations_per_service_network: args.max_vpc_associations_per_service_network,
            service_associations_per_service_network: args
                .max_service_associations_per_service_network,
            security_groups_per_association: args.max_security_groups_per_association,
            auth_policy_bytes: args.max_auth_policy_bytes,
        }
    }
}

/// A fault rate: a number from 0.0 to 1.0.
fn parse_rate(text: &str) -> Result<f64, String> {
    let rate: f64 = text.parse().map_err(|error| format!("{error}"))?;
    if (0.0..=1.0).contains(&rate) {
        Ok(rate)
    } else {
        Err(format!("{rate} is not between 0.0 and 1.0"))
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let config = EmulatorConfig {
        account_id: args.account_id,
        region: args.region,
        page_size: args.page_size.max(1),
        quotas: args.quotas.into(),
        faults: Faults {
            rate: args.fault_rate,
            kinds: args.faults,
            latency_ms: args.latency_ms,
            seed: args.seed,
            operations: args.fault_operations,
            slow_ms: args.slow_ms,
        },
    };
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", args.port))
        .await
        .context("binding 127.0.0.1")?;
    println!(
        "lattice-emulator listening on http://{}",
        listener.local_addr()?
    );
    Emulator::with_config(config)
        .serve(listener)
        .await
        .context("serving")
}
