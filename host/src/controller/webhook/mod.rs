//! The pod readiness-gate webhook (upstream's `mpod.gwc.k8s.aws`): a
//! mutating admission webhook served over HTTPS at `/mutate-pod` that adds
//! the readiness gate `application-networking.k8s.aws/pod-readiness-gate`
//! to pods created as targets of Lattice routes and ServiceExports, so
//! that they become ready only once VPC Lattice finds them healthy
//! (`super::readiness` sets the condition).
//!
//! Contract: [`start`] reads the certificate and key and binds the address
//! before anything else starts, failing with a [`WebhookError`] naming the
//! file or address; the returned future serves until dropped. Every replica
//! serves (the API server may call any of them); the decision reads the
//! leader's synced stores, or lists the objects on a standby
//! ([`Objects`]). What gets the gate: `inject`; the answer: `admission`.

mod admission;
mod inject;
mod objects;
mod server;
mod tls;

pub use objects::Objects;
pub use server::MUTATE_POD_PATH;

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;

use tokio::net::TcpListener;

use crate::config::WebhookSettings;

/// Why the webhook cannot start.
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    /// A certificate or key file cannot be read.
    #[error("webhook certificate: cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A certificate or key file holds nothing usable.
    #[error("webhook certificate: {} {message}", path.display())]
    Certificate { path: PathBuf, message: String },
    /// The address cannot be bound.
    #[error("cannot serve the webhook on {address}: {source}")]
    Bind {
        address: SocketAddr,
        source: std::io::Error,
    },
}

/// Loads the certificate, binds the address and returns the server's
/// future and the address it listens on.
pub async fn start(
    settings: &WebhookSettings,
    objects: Objects,
) -> Result<(impl Future<Output = ()> + Send + 'static, SocketAddr), WebhookError> {
    let tls = tls::server_config(&settings.cert_file, &settings.key_file)?;
    let bind = |source| WebhookError::Bind {
        address: settings.bind_address,
        source,
    };
    let listener = TcpListener::bind(settings.bind_address)
        .await
        .map_err(bind)?;
    let address = listener.local_addr().map_err(bind)?;
    tracing::info!(%address, path = MUTATE_POD_PATH, "serving the pod readiness-gate webhook");
    Ok((server::run(listener, tls, objects), address))
}
