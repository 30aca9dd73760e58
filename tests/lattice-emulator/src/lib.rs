//! `lattice-emulator`: the VPC Lattice REST-JSON API served on 127.0.0.1,
//! backed by Trellis's [`InMemoryLattice`], so that tests exercise real AWS
//! clients (the Rust SDK, boto3: signing, serialization, pagination,
//! retries, error parsing) with no AWS account.
//!
//! # Contract
//!
//! - HTTP methods, paths, query parameters, request and response members,
//!   success status codes and error types (`x-amzn-ErrorType`, with the
//!   status the API reference gives each) follow the VPC Lattice API model
//!   for every operation served. Signatures are accepted unverified.
//! - Identifiers may be ids or ARNs, as in the API.
//! - List operations answer at most `page_size` items per page (or
//!   `maxResults`, if smaller) with an opaque `nextToken`.
//! - Creates honour `clientToken` ([`idempotency`]): a repeat with the same
//!   request answers with the first response and creates nothing; a repeat
//!   with another request fails with `ConflictException`.
//! - Creates of resources that have a status answer `CREATE_IN_PROGRESS`;
//!   later reads answer `ACTIVE`. Deletes that answer a status answer
//!   `DELETE_IN_PROGRESS` (the resource is gone at once).
//! - Member constraints of the API model (names, ports, rule priorities,
//!   1–100 targets per call, enums, client tokens) fail with
//!   `ValidationException` naming the member in `fieldList`; the quotas of
//!   [`Quotas`] (AWS defaults, configurable) fail with
//!   `ServiceQuotaExceededException` (HTTP 402).
//! - Faults ([`Faults`]), deterministic from a seed: throttling (429
//!   `ThrottlingException`, `Retry-After`), server errors (500
//!   `InternalServerException`), dropped connections (the request is
//!   served, then the connection is closed with no response), slow answers
//!   and added latency, optionally limited to some operations.
//!   [`Emulator::hold_from`] stops requests at an exact number (for kill
//!   tests).
//! - Service networks of other accounts ([`Emulator::share_service_network`],
//!   as RAM shares them): listed (unless [`Emulator::unlist_service_network`]),
//!   usable as parents of this account's associations, their tags refused
//!   with `AccessDeniedException` (as are tags of any ARN of another account). [`Emulator::stats`] counts requests per operation and faults
//!   per kind.
//!
//! # Operations
//!
//! Service networks: `CreateServiceNetwork`, `ListServiceNetworks`,
//! `GetServiceNetwork`, `UpdateServiceNetwork`, `DeleteServiceNetwork`.
//! VPC associations: `CreateServiceNetworkVpcAssociation`,
//! `ListServiceNetworkVpcAssociations`, `GetServiceNetworkVpcAssociation`,
//! `UpdateServiceNetworkVpcAssociation`,
//! `DeleteServiceNetworkVpcAssociation`. Services: `CreateService`,
//! `ListServices`, `GetService`, `UpdateService`, `DeleteService`. Service
//! associations: `CreateServiceNetworkServiceAssociation`,
//! `ListServiceNetworkServiceAssociations`,
//! `DeleteServiceNetworkServiceAssociation`. Listeners and rules: `Create`,
//! `List`, `Get`, `Update`, `Delete` of each. Target groups: `Create`,
//! `List`, `Get`, `Update`, `Delete`; targets: `RegisterTargets`,
//! `DeregisterTargets`, `ListTargets`. Auth policies: `GetAuthPolicy`,
//! `PutAuthPolicy`, `DeleteAuthPolicy`. Access logs:
//! `CreateAccessLogSubscription`, `ListAccessLogSubscriptions`,
//! `DeleteAccessLogSubscription`. Tags: `ListTagsForResource`,
//! `TagResource`. ACM (JSON 1.1, `POST /`): `ListCertificates`,
//! `DescribeCertificate` over seeded certificates ([`acm`]). The Resource
//! Groups Tagging API (JSON 1.1, `POST /`): `GetResources` over the
//! account's Lattice resources ([`tagging`]), so that one URL serves every
//! API Trellis calls.

mod access_logs;
pub mod acm;
mod actions;
mod config;
mod connection;
mod error;
mod extract;
mod faults;
pub mod idempotency;
mod listeners;
mod lookup;
pub mod mesh;
mod networks;
mod pages;
mod policies;
mod quotas;
mod reply;
mod rules;
mod service_associations;
mod services;
mod stats;
pub mod tagging;
mod tags;
mod target_groups;
mod targets;
mod validate;
mod vpc_associations;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::Router;
use axum::routing::{get, post};
use tokio::net::TcpListener;
use trellis::lattice::model::ServiceNetwork;
use trellis::lattice::{InMemoryLattice, LatticeState};

pub use acm::{Acm, SeededCertificate};
pub use config::{DEFAULT_SLOW_MS, EmulatorConfig, FaultKind, Faults, Quotas};
pub use error::ApiError;
pub use stats::Stats;

use connection::{Connection, DroppableListener};

/// Any other method and path: HTTP 404 `UnknownOperationException`.
async fn unknown_operation(request: axum::extract::Request) -> ApiError {
    ApiError::Lattice(trellis::lattice::LatticeError::Api {
        code: "UnknownOperationException".into(),
        message: format!(
            "the emulator serves no operation at {} {}",
            request.method(),
            request.uri().path()
        ),
    })
}

/// `POST /`: a JSON 1.1 operation, the Resource Groups Tagging API's or
/// ACM's by its `X-Amz-Target`.
async fn json_1_1(
    axum::extract::State(emulator): axum::extract::State<Emulator>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> axum::response::Response {
    if tagging::operation(&headers).is_some() {
        return tagging::serve(&emulator, &headers, &body);
    }
    acm::serve(axum::extract::State(emulator), headers, body).await
}

/// The emulator: the in-memory account, its configuration and counters.
/// Clones share everything.
#[derive(Clone)]
pub struct Emulator {
    shared: Arc<Shared>,
}

struct Shared {
    lattice: InMemoryLattice,
    acm: acm::Acm,
    config: EmulatorConfig,
    tokens: idempotency::Tokens,
    counters: stats::Counters,
    sequence: AtomicU64,
    /// Requests numbered from this one on wait (`u64::MAX`: none wait).
    hold: tokio::sync::watch::Sender<u64>,
    /// Target health set by tests ([`Emulator::set_target_status`]).
    target_statuses: targets::StatusOverrides,
    /// Ids of the service networks `ListServiceNetworks` leaves out.
    unlisted: std::sync::Mutex<std::collections::BTreeSet<String>>,
}

impl Emulator {
    /// An emulator of account `account_id` in `region`, listing at most
    /// `page_size` items per page (at least one), with AWS default quotas
    /// and no faults.
    pub fn new(account_id: &str, region: &str, page_size: usize) -> Self {
        Self::with_config(
            EmulatorConfig {
                account_id: account_id.into(),
                region: region.into(),
                ..EmulatorConfig::default()
            }
            .page_size(page_size),
        )
    }

    /// An emulator configured by `config`.
    pub fn with_config(mut config: EmulatorConfig) -> Self {
        config.page_size = config.page_size.max(1);
        Self {
            shared: Arc::new(Shared {
                lattice: InMemoryLattice::new(config.account_id.clone(), config.region.clone()),
                acm: acm::Acm::default(),
                config,
                tokens: idempotency::Tokens::default(),
                counters: stats::Counters::default(),
                sequence: AtomicU64::new(0),
                hold: tokio::sync::watch::Sender::new(u64::MAX),
                target_statuses: targets::StatusOverrides::default(),
                unlisted: Default::default(),
            }),
        }
    }

    /// The in-memory account behind the API, for assertions.
    pub fn lattice(&self) -> &InMemoryLattice {
        &self.shared.lattice
    }

    /// The emulated ACM account: seed certificates, deny access.
    pub fn acm(&self) -> &Acm {
        &self.shared.acm
    }

    /// Adds a service network that account `owner_account_id` owns and
    /// shares with this one through RAM: its ARN names that account, it is
    /// listed by `ListServiceNetworks` (as Lattice lists the networks shared
    /// with the caller), and its tags are refused (`AccessDeniedException`).
    /// This account may associate its VPCs and services with it.
    pub fn share_service_network(&self, owner_account_id: &str, name: &str) -> ServiceNetwork {
        self.lattice().share_service_network(owner_account_id, name)
    }

    /// Leaves service network `id` out of `ListServiceNetworks` (it still
    /// answers `Get` and is named by the VPC associations with it): a shared
    /// network found only through the caller's VPC associations, as
    /// upstream's RAM fallback expects some to be.
    pub fn unlist_service_network(&self, id: &str) {
        self.unlisted().insert(id.to_owned());
    }

    /// Whether `ListServiceNetworks` leaves network `id` out.
    fn is_unlisted(&self, id: &str) -> bool {
        self.unlisted().contains(id)
    }

    fn unlisted(&self) -> std::sync::MutexGuard<'_, std::collections::BTreeSet<String>> {
        self.shared
            .unlisted
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The configuration.
    pub fn config(&self) -> &EmulatorConfig {
        &self.shared.config
    }

    /// Requests per operation and faults per kind so far.
    pub fn stats(&self) -> Stats {
        self.shared.counters.snapshot()
    }

    /// The account's state, shared until the next write.
    fn state(&self) -> Arc<LatticeState> {
        self.shared.lattice.snapshot()
    }

    fn target_statuses(&self) -> &targets::StatusOverrides {
        &self.shared.target_statuses
    }

    fn quotas(&self) -> &Quotas {
        &self.shared.config.quotas
    }

    fn tokens(&self) -> &idempotency::Tokens {
        &self.shared.tokens
    }

    fn next_sequence(&self) -> u64 {
        self.shared.sequence.fetch_add(1, Ordering::SeqCst)
    }

    /// Requests received so far (each numbered from 0 in arrival order,
    /// faulted or not).
    pub fn received(&self) -> u64 {
        self.shared.sequence.load(Ordering::SeqCst)
    }

    /// Makes the request numbered `sequence` and every later one wait, before
    /// it is served, until [`Self::release`]: a test can stop a client at an
    /// exact request (and kill it there).
    pub fn hold_from(&self, sequence: u64) {
        self.shared.hold.send_replace(sequence);
    }

    /// Makes `ListTargets` report `status` (e.g. `INITIAL`, `UNHEALTHY`) for
    /// the target `ip`:`port` of target group `group_id` from now on;
    /// `None` goes back to the default (`HEALTHY` while a service forwards
    /// to the group, `UNUSED` otherwise). A test's knob: VPC Lattice's
    /// health checks cannot run here.
    pub fn set_target_status(&self, group_id: &str, ip: &str, port: u16, status: Option<&str>) {
        self.shared.target_statuses.set(group_id, ip, port, status);
    }

    /// Lets every held request go on, and holds none from now on.
    pub fn release(&self) {
        self.shared.hold.send_replace(u64::MAX);
    }

    /// Waits while the request numbered `sequence` is held.
    async fn hold(&self, sequence: u64) {
        let mut limit = self.shared.hold.subscribe();
        // The sender lives as long as `self`: the wait cannot fail.
        let _ = limit.wait_for(|limit| sequence < *limit).await;
    }

    /// The HTTP routes, with fault injection.
    pub fn router(&self) -> Router {
        let service = "/services/{service}";
        let listener = "/services/{service}/listeners/{listener}";
        Router::new()
            .route(
                "/servicenetworks",
                get(networks::list).post(networks::create),
            )
            .route(
                "/servicenetworks/{id}",
                get(networks::get)
                    .patch(networks::update)
                    .delete(networks::delete),
            )
            .route(
                "/servicenetworkvpcassociations",
                get(vpc_associations::list).post(vpc_associations::create),
            )
            .route(
                "/servicenetworkvpcassociations/{id}",
                get(vpc_associations::get)
                    .patch(vpc_associations::update)
                    .delete(vpc_associations::delete),
            )
            .route("/services", get(services::list).post(services::create))
            .route(
                service,
                get(services::get)
                    .patch(services::update)
                    .delete(services::delete),
            )
            .route(
                "/servicenetworkserviceassociations",
                get(service_associations::list).post(service_associations::create),
            )
            .route(
                "/servicenetworkserviceassociations/{id}",
                axum::routing::delete(service_associations::delete),
            )
            .route(
                &format!("{service}/listeners"),
                get(listeners::list).post(listeners::create),
            )
            .route(
                listener,
                get(listeners::get)
                    .patch(listeners::update)
                    .delete(listeners::delete),
            )
            .route(
                &format!("{listener}/rules"),
                get(rules::list).post(rules::create),
            )
            .route(
                &format!("{listener}/rules/{{rule}}"),
                get(rules::get).patch(rules::update).delete(rules::delete),
            )
            .route(
                "/targetgroups",
                get(target_groups::list).post(target_groups::create),
            )
            .route(
                "/targetgroups/{id}",
                get(target_groups::get)
                    .patch(target_groups::update)
                    .delete(target_groups::delete),
            )
            .route(
                "/targetgroups/{id}/registertargets",
                post(targets::register),
            )
            .route(
                "/targetgroups/{id}/deregistertargets",
                post(targets::deregister),
            )
            .route("/targetgroups/{id}/listtargets", post(targets::list))
            .route(
                "/authpolicy/{resource}",
                get(policies::get)
                    .put(policies::put)
                    .delete(policies::delete),
            )
            .route(
                "/accesslogsubscriptions",
                get(access_logs::list).post(access_logs::create),
            )
            .route(
                "/accesslogsubscriptions/{id}",
                axum::routing::delete(access_logs::delete),
            )
            .route("/tags/{arn}", get(tags::list).post(tags::tag))
            .route("/", post(json_1_1))
            .fallback(unknown_operation)
            .route_layer(axum::middleware::from_fn_with_state(
                self.clone(),
                faults::inject,
            ))
            .with_state(self.clone())
    }

    /// Serves the API on `listener` until the future is dropped.
    pub async fn serve(self, listener: TcpListener) -> std::io::Result<()> {
        let router = self.router();
        axum::serve(
            DroppableListener(listener),
            router.into_make_service_with_connect_info::<Connection>(),
        )
        .await
    }
}
