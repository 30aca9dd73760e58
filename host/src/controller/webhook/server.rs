//! The HTTPS server: TLS over each accepted connection, then HTTP/1.1 with
//! one route, `POST /mutate-pod`.
//!
//! Contract: a connection whose handshake fails or takes over 10 s is
//! dropped without affecting others; the server runs until its future is
//! dropped.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use k8s_openapi::api::core::v1::Pod;
use kube::core::DynamicObject;
use kube::core::admission::AdmissionReview;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;

use super::admission;
use super::objects::Objects;

/// Upstream's path of the pod mutating webhook.
pub const MUTATE_POD_PATH: &str = "/mutate-pod";

const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

async fn mutate_pod(
    State(objects): State<Objects>,
    Json(review): Json<AdmissionReview<Pod>>,
) -> Json<AdmissionReview<DynamicObject>> {
    Json(admission::review(review, &objects).await)
}

/// Serves the webhook on `listener` until dropped.
pub async fn run(listener: TcpListener, tls: Arc<ServerConfig>, objects: Objects) {
    let app = Router::new()
        .route(MUTATE_POD_PATH, post(mutate_pod))
        .with_state(objects);
    let acceptor = TlsAcceptor::from(tls);
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(error) => {
                // Out of file descriptors and the like: wait, then go on.
                tracing::warn!(%error, "webhook: cannot accept a connection");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let acceptor = acceptor.clone();
        let service = TowerToHyperService::new(app.clone());
        tokio::spawn(async move {
            let tls = match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                Ok(Ok(tls)) => tls,
                Ok(Err(error)) => {
                    tracing::debug!(%peer, %error, "webhook: TLS handshake failed");
                    return;
                }
                Err(_) => {
                    tracing::debug!(%peer, "webhook: TLS handshake timed out");
                    return;
                }
            };
            if let Err(error) = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(tls), service)
                .await
            {
                tracing::debug!(%peer, %error, "webhook: connection ended with an error");
            }
        });
    }
}
