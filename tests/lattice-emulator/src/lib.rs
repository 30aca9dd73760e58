//! `lattice-emulator`: the VPC Lattice REST-JSON API served on 127.0.0.1,
//! backed by Trellis's [`InMemoryLattice`], so that tests exercise the real
//! AWS SDK client (signing, serialization, pagination) with no AWS account.
//!
//! Contract: request and response shapes, status codes and error types
//! (`x-amzn-ErrorType`) follow the VPC Lattice API reference for the
//! operations served; list operations return at most `page_size` items per
//! page with a `nextToken`, to exercise pagination. Signatures are accepted
//! without verification.
//!
//! Served so far: service networks (`CreateServiceNetwork`,
//! `ListServiceNetworks`) and VPC associations
//! (`CreateServiceNetworkVpcAssociation`,
//! `ListServiceNetworkVpcAssociations`).

mod error;
mod networks;
mod pages;

use std::sync::Arc;

use axum::Router;
use axum::routing::get;
use tokio::net::TcpListener;
use trellis::lattice::InMemoryLattice;

pub use error::ApiError;

/// The emulator's shared state.
#[derive(Clone)]
pub struct Emulator {
    lattice: Arc<InMemoryLattice>,
    page_size: usize,
}

impl Emulator {
    /// An emulator of account `account_id` in `region`, listing at most
    /// `page_size` items per page (at least one).
    pub fn new(account_id: &str, region: &str, page_size: usize) -> Self {
        Self {
            lattice: Arc::new(InMemoryLattice::new(account_id, region)),
            page_size: page_size.max(1),
        }
    }

    /// The in-memory account behind the API, for assertions.
    pub fn lattice(&self) -> &InMemoryLattice {
        &self.lattice
    }

    /// The HTTP routes.
    pub fn router(&self) -> Router {
        Router::new()
            .route(
                "/servicenetworks",
                get(networks::list_service_networks).post(networks::create_service_network),
            )
            .route(
                "/servicenetworkvpcassociations",
                get(networks::list_vpc_associations).post(networks::create_vpc_association),
            )
            .with_state(self.clone())
    }

    /// Serves the API on `listener` until the future is dropped.
    pub async fn serve(self, listener: TcpListener) -> std::io::Result<()> {
        axum::serve(listener, self.router()).await
    }
}
