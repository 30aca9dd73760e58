//! The HTTP endpoints: `/metrics` (Prometheus text) on the metrics address,
//! `/healthz` and `/readyz` on the health-probe address.
//!
//! Contract: `/healthz` answers 200 while the process serves; `/readyz`
//! answers 200 once the replica is ready (its stores are synced, or it is
//! a standby waiting for the leader Lease) and 503 before.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use tokio::net::TcpListener;

use super::metrics::Metrics;

/// Whether the replica is ready, shared with `/readyz`.
#[derive(Debug, Clone, Default)]
pub struct Readiness(Arc<AtomicBool>);

impl Readiness {
    /// Marks the replica ready.
    pub fn set_ready(&self) {
        self.0.store(true, Ordering::Release);
    }

    fn is_ready(&self) -> bool {
        self.0.load(Ordering::Acquire)
    }
}

async fn metrics(State(metrics): State<Arc<Metrics>>) -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        metrics.render(),
    )
}

async fn ready(State(readiness): State<Readiness>) -> impl IntoResponse {
    if readiness.is_ready() {
        (StatusCode::OK, "ok")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "not ready")
    }
}

/// Binds both addresses (failing at once if one is taken) and returns the
/// servers' future, which runs until the process ends.
pub async fn serve(
    metrics_address: SocketAddr,
    probe_address: SocketAddr,
    metrics_registry: Arc<Metrics>,
    readiness: Readiness,
) -> std::io::Result<impl std::future::Future<Output = std::io::Result<()>>> {
    let metrics_listener = TcpListener::bind(metrics_address).await?;
    let probe_listener = TcpListener::bind(probe_address).await?;
    let metrics_app = Router::new()
        .route("/metrics", get(metrics))
        .with_state(metrics_registry);
    let probe_app = Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(ready))
        .with_state(readiness);
    Ok(async move {
        tokio::try_join!(
            axum::serve(metrics_listener, metrics_app).into_future(),
            axum::serve(probe_listener, probe_app).into_future(),
        )
        .map(|_| ())
    })
}
