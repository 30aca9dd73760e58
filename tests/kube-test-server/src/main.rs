//! `kube-test-server`: serves the in-memory Kubernetes API on 127.0.0.1
//! until killed, printing its URL on the first line of stdout, e.g.
//! `kube-test-server --port 0 --kubeconfig /tmp/kubeconfig`.

use anyhow::Context;
use clap::Parser;
use kube_test_server::TestApiServer;

/// A small in-memory Kubernetes API server on 127.0.0.1, for tests.
#[derive(Debug, Parser)]
#[command(name = "kube-test-server", version, about)]
struct Args {
    /// The port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Also write a kubeconfig for the server to this file.
    #[arg(long)]
    kubeconfig: Option<std::path::PathBuf>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let server = TestApiServer::builder()
        .port(args.port)
        .try_start()
        .await
        .with_context(|| format!("binding 127.0.0.1:{}", args.port))?;
    println!("{}", server.url());
    if let Some(path) = &args.kubeconfig {
        server
            .write_kubeconfig(path)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    std::future::pending::<()>().await;
    Ok(())
}
