//! What an emulator enforces and injects: page size, quotas, faults.

use std::fmt;
use std::str::FromStr;

/// A fault the emulator can inject instead of (or after) serving a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FaultKind {
    /// HTTP 429 `ThrottlingException` with a `Retry-After` header; the
    /// request is not processed.
    Throttling,
    /// HTTP 500 `InternalServerException`; the request is not processed.
    ServerError,
    /// The request is processed, then the connection is closed without a
    /// response: the client never sees the answer.
    DroppedConnection,
    /// The request is served after [`Faults::slow_ms`] more: past a client's
    /// attempt timeout, the client gives up on an answer that comes (and
    /// whose effects stay).
    Slow,
}

impl FaultKind {
    /// Every kind, in CLI order.
    pub const ALL: [FaultKind; 4] = [
        FaultKind::Throttling,
        FaultKind::ServerError,
        FaultKind::DroppedConnection,
        FaultKind::Slow,
    ];

    /// The CLI spelling: `throttling`, `server-error`, `dropped-connection`,
    /// `slow`.
    pub fn name(self) -> &'static str {
        match self {
            FaultKind::Throttling => "throttling",
            FaultKind::ServerError => "server-error",
            FaultKind::DroppedConnection => "dropped-connection",
            FaultKind::Slow => "slow",
        }
    }
}

impl fmt::Display for FaultKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for FaultKind {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        FaultKind::ALL
            .into_iter()
            .find(|kind| kind.name() == text)
            .ok_or_else(|| {
                format!("unknown fault {text:?}: expected throttling, server-error, dropped-connection or slow")
            })
    }
}

/// Fault injection, deterministic from `seed`: the n-th request the
/// emulator receives gets the same fault (or none) on every run with the
/// same seed, rate and kinds.
#[derive(Debug, Clone, PartialEq)]
pub struct Faults {
    /// Share of requests that fault, 0.0 (none) to 1.0 (all).
    pub rate: f64,
    /// The kinds to draw from, uniformly; none means no faults.
    pub kinds: Vec<FaultKind>,
    /// Milliseconds added before every request is served.
    pub latency_ms: u64,
    /// The seed of the fault sequence.
    pub seed: u64,
    /// The operations (`CreateService`, `ListRules`, ...) whose requests may
    /// fault; empty means every operation.
    pub operations: Vec<String>,
    /// Milliseconds a [`FaultKind::Slow`] request waits before it is served.
    pub slow_ms: u64,
}

/// The default [`Faults::slow_ms`].
pub const DEFAULT_SLOW_MS: u64 = 100;

impl Faults {
    /// Whether requests of `operation` may fault.
    pub fn applies_to(&self, operation: &str) -> bool {
        self.operations.is_empty() || self.operations.iter().any(|name| name == operation)
    }
}

impl Default for Faults {
    /// No faults, no latency.
    fn default() -> Self {
        Self {
            rate: 0.0,
            kinds: Vec::new(),
            latency_ms: 0,
            seed: 0,
            operations: Vec::new(),
            slow_ms: DEFAULT_SLOW_MS,
        }
    }
}

/// The service quotas the emulator enforces, as
/// `ServiceQuotaExceededException` (HTTP 402). Defaults are the published
/// AWS defaults (VPC Lattice User Guide, "Quotas for Amazon VPC Lattice").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quotas {
    /// Service networks per Region (default 50).
    pub service_networks: usize,
    /// Services per Region (default 2,000).
    pub services: usize,
    /// Target groups per Region (default 500).
    pub target_groups: usize,
    /// Listeners per service (default 2).
    pub listeners_per_service: usize,
    /// Rules per listener, besides the default rule (default 10).
    pub rules_per_listener: usize,
    /// Target groups the listeners and rules of one service forward to (default 10).
    pub target_groups_per_service: usize,
    /// Targets per target group (default 1,000).
    pub targets_per_target_group: usize,
    /// VPC associations per service network (default 500).
    pub vpc_associations_per_service_network: usize,
    /// Service associations per service network (default 500).
    pub service_associations_per_service_network: usize,
    /// Security groups per VPC association (default 5; not adjustable in AWS).
    pub security_groups_per_association: usize,
    /// Bytes of an auth policy document (default 10 KB; not adjustable in AWS).
    pub auth_policy_bytes: usize,
}

impl Default for Quotas {
    fn default() -> Self {
        Self {
            service_networks: 50,
            services: 2_000,
            target_groups: 500,
            listeners_per_service: 2,
            rules_per_listener: 10,
            target_groups_per_service: 10,
            targets_per_target_group: 1_000,
            vpc_associations_per_service_network: 500,
            service_associations_per_service_network: 500,
            security_groups_per_association: 5,
            auth_policy_bytes: 10 * 1024,
        }
    }
}

/// Everything an emulator is configured with.
#[derive(Debug, Clone, PartialEq)]
pub struct EmulatorConfig {
    /// The account the emulated resources belong to.
    pub account_id: String,
    /// The region in ARNs and DNS names.
    pub region: String,
    /// Items per page of every list operation (at least 1).
    pub page_size: usize,
    /// The quotas enforced.
    pub quotas: Quotas,
    /// The faults injected.
    pub faults: Faults,
}

impl Default for EmulatorConfig {
    /// Account `123456789012` in `us-west-2`, pages of 2, AWS default
    /// quotas, no faults.
    fn default() -> Self {
        Self {
            account_id: "123456789012".into(),
            region: "us-west-2".into(),
            page_size: 2,
            quotas: Quotas::default(),
            faults: Faults::default(),
        }
    }
}

impl EmulatorConfig {
    /// Sets the page size.
    pub fn page_size(mut self, page_size: usize) -> Self {
        self.page_size = page_size.max(1);
        self
    }

    /// Sets the quotas.
    pub fn quotas(mut self, quotas: Quotas) -> Self {
        self.quotas = quotas;
        self
    }

    /// Makes `rate` (clamped to 0.0–1.0) of requests fault with one of
    /// `kinds`, drawn from `seed`.
    pub fn faults(mut self, rate: f64, kinds: &[FaultKind], seed: u64) -> Self {
        self.faults.rate = rate.clamp(0.0, 1.0);
        self.faults.kinds = kinds.to_vec();
        self.faults.seed = seed;
        self
    }

    /// Limits faults to requests of `operations` (API operation names).
    pub fn fault_operations(mut self, operations: &[&str]) -> Self {
        self.faults.operations = operations.iter().map(|name| (*name).to_owned()).collect();
        self
    }

    /// Sets how long a [`FaultKind::Slow`] request waits.
    pub fn slow_ms(mut self, slow_ms: u64) -> Self {
        self.faults.slow_ms = slow_ms;
        self
    }

    /// Adds `latency_ms` before every request is served.
    pub fn latency_ms(mut self, latency_ms: u64) -> Self {
        self.faults.latency_ms = latency_ms;
        self
    }
}
