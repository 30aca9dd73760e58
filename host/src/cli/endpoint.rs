//! The VPC Lattice and ACM connection options shared by `plan
//! --endpoint-url` and `apply`.

use std::num::NonZeroU32;
use std::time::Duration;

use clap::Args;

use trellis::acm::{AcmOptions, CertificateDiscovery, SdkAcm};
use trellis::lattice::{
    ConnectError, DEFAULT_ATTEMPT_TIMEOUT, DEFAULT_CONNECT_TIMEOUT, OperationCount, SdkLattice,
    SdkOptions,
};

/// Where and how fast to call VPC Lattice.
#[derive(Debug, Clone, Args)]
pub struct EndpointArgs {
    /// Call VPC Lattice at this URL instead of the region's endpoint (an
    /// emulator, a VPC endpoint).
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// Discover certificates from ACM at this URL instead of the region's
    /// endpoint (or `AWS_ENDPOINT_URL_ACM`): an emulator, a VPC endpoint.
    #[arg(long, value_name = "URL")]
    pub acm_endpoint_url: Option<String>,
    /// Read tags in bulk (the Resource Groups Tagging API's `GetResources`)
    /// at this URL; default: `AWS_ENDPOINT_URL_RESOURCE_GROUPS_TAGGING_API`,
    /// else `--endpoint-url` (the emulator serves both APIs), else the
    /// region's endpoint.
    #[arg(long, value_name = "URL")]
    pub tagging_endpoint_url: Option<String>,
    /// The AWS region; default: `AWS_REGION` (or `AWS_DEFAULT_REGION`), else
    /// the first cluster's `region`.
    #[arg(long)]
    pub region: Option<String>,
    /// Sustained VPC Lattice requests per second (token bucket).
    #[arg(long, default_value_t = NonZeroU32::new(20).expect("non-zero"))]
    pub calls_per_second: NonZeroU32,
    /// Requests that may go at once after a quiet period.
    #[arg(long, default_value_t = NonZeroU32::new(40).expect("non-zero"))]
    pub burst: NonZeroU32,
    /// Attempts per request (throttling, 5xx and connection failures are
    /// retried with exponential backoff).
    #[arg(long, default_value_t = 5)]
    pub max_attempts: u32,
    /// The first retry's backoff, in milliseconds.
    #[arg(long, default_value_t = 200)]
    pub initial_backoff_ms: u64,
    /// The longest wait for a connection to VPC Lattice, in milliseconds.
    #[arg(long, default_value_t = DEFAULT_CONNECT_TIMEOUT.as_millis() as u64,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub connect_timeout_ms: u64,
    /// The longest one attempt may take (send and read the whole answer), in
    /// milliseconds; a timed-out attempt is retried like a dropped
    /// connection.
    #[arg(long, default_value_t = DEFAULT_ATTEMPT_TIMEOUT.as_millis() as u64,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub attempt_timeout_ms: u64,
}

impl EndpointArgs {
    /// The SDK client these options describe, for `account_id` (the first
    /// cluster's); `fallback_region` applies when neither `--region` nor the
    /// environment names one. Credentials come from the SDK's standard chain.
    pub async fn connect(
        &self,
        fallback_region: &str,
        account_id: &str,
    ) -> Result<SdkLattice, ConnectError> {
        let region = self.region(fallback_region);
        let options = SdkOptions {
            endpoint_url: self.endpoint_url.clone(),
            region: Some(region),
            calls_per_second: self.calls_per_second,
            burst: self.burst,
            max_attempts: self.max_attempts,
            initial_backoff: Duration::from_millis(self.initial_backoff_ms),
            connect_timeout: Duration::from_millis(self.connect_timeout_ms),
            attempt_timeout: Duration::from_millis(self.attempt_timeout_ms),
            account_id: Some(account_id.to_owned()),
            tagging_endpoint_url: self.tagging_endpoint_url.clone(),
        };
        SdkLattice::connect(&options).await
    }

    /// Certificate discovery through ACM at `--acm-endpoint-url` (else as
    /// the SDK configures it), in the region of [`Self::connect`], with
    /// these timeouts.
    pub async fn certificates(&self, fallback_region: &str) -> CertificateDiscovery {
        let options = AcmOptions {
            endpoint_url: self.acm_endpoint_url.clone(),
            region: Some(self.region(fallback_region)),
            connect_timeout: Duration::from_millis(self.connect_timeout_ms),
            attempt_timeout: Duration::from_millis(self.attempt_timeout_ms),
            ..AcmOptions::default()
        };
        CertificateDiscovery::new(SdkAcm::connect(&options).await)
    }

    /// `--region`, else the environment's, else `fallback_region`.
    fn region(&self, fallback_region: &str) -> String {
        self.region
            .clone()
            .or_else(|| std::env::var("AWS_REGION").ok())
            .or_else(|| std::env::var("AWS_DEFAULT_REGION").ok())
            .unwrap_or_else(|| fallback_region.to_owned())
    }
}

/// One line per operation: requests and attempts, for stderr.
pub fn call_summary(counts: &std::collections::BTreeMap<String, OperationCount>) -> String {
    let requests: u64 = counts.values().map(|count| count.requests).sum();
    let attempts: u64 = counts.values().map(|count| count.attempts).sum();
    let mut summary = format!("VPC Lattice: {requests} requests, {attempts} attempts\n");
    for (operation, count) in counts {
        summary.push_str(&format!(
            "  {operation}: {} requests, {} attempts\n",
            count.requests, count.attempts
        ));
    }
    summary
}
