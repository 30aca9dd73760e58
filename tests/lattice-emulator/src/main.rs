//! `lattice-emulator --port N`: serves the emulated VPC Lattice API on
//! 127.0.0.1 until interrupted.

use anyhow::Context;
use clap::Parser;
use lattice_emulator::Emulator;

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
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", args.port))
        .await
        .context("binding 127.0.0.1")?;
    println!(
        "lattice-emulator listening on http://{}",
        listener.local_addr()?
    );
    Emulator::new(&args.account_id, &args.region, args.page_size)
        .serve(listener)
        .await
        .context("serving")
}
