//! The real VPC Lattice API through `aws-sdk-vpclattice`.
//!
//! Contract:
//! - Region and credentials come from the AWS SDK's standard chain
//!   (environment, profile, web identity, container and instance metadata);
//!   the endpoint URL can be overridden (an emulator, a VPC endpoint).
//! - Every request waits for a token of a client-side token bucket
//!   ([`SdkOptions::calls_per_second`], [`SdkOptions::burst`]), so a large
//!   reconcile stays under Lattice's API rate limits.
//! - The SDK's standard retry (exponential backoff with jitter) retries
//!   throttling, 5xx answers and connection failures up to
//!   [`SdkOptions::max_attempts`] times. The retry quota (the SDK's retry
//!   token bucket) is unlimited and private to each client, so every request
//!   gets all the attempts asked for however many others failed before it.
//!   Creates carry a client token that
//!   the SDK generates once per call and resends on every retry, so a
//!   retried create whose first answer was lost never creates a duplicate.
//! - Every attempt has a deadline: connecting may take at most
//!   [`SdkOptions::connect_timeout`], one attempt (connect, send, read the
//!   whole answer) at most [`SdkOptions::attempt_timeout`]. A timed-out
//!   attempt is retried like a dropped connection; when the attempts run out
//!   the error is [`LatticeError::Transport`] naming the operation.
//! - Lists return full resources: the list operations' summaries lack
//!   members Trellis compares (auth types, actions, matches, health checks,
//!   tags), so each listed item is read with its `Get*` operation and
//!   `ListTagsForResource`, a few at a time. An item deleted between the
//!   list and these reads (`ResourceNotFoundException`) is left out of the
//!   answer: it is gone, and a concurrent delete must not fail the listing.
//! - Tags are read in bulk ([`tagging`]): a listing's resources get their
//!   tags from the Resource Groups Tagging API's `GetResources` (up to 100
//!   resources per request) rather than one `ListTagsForResource` each.
//!   Its client shares the credentials, region, retry, timeouts, rate limit
//!   and call counter of the Lattice client; its endpoint is
//!   [`SdkOptions::tagging_endpoint_url`], else
//!   `AWS_ENDPOINT_URL_RESOURCE_GROUPS_TAGGING_API`, else
//!   [`SdkOptions::endpoint_url`] (an emulator serves both APIs on one
//!   URL), else the region's.
//! - Every request and attempt is counted per operation
//!   ([`SdkLattice::call_counts`]).

mod convert;
mod counter;
mod errors;
mod operations;
mod tagging;

use std::future::Future;
use std::num::NonZeroU32;
use std::time::Duration;

use aws_sdk_vpclattice::Client;
use aws_sdk_vpclattice::config::retry::{RetryConfig, RetryPartition, TokenBucket};
use aws_sdk_vpclattice::config::timeout::TimeoutConfig;
use aws_sdk_vpclattice::config::{BehaviorVersion, ProvideCredentials, Region};
use aws_sdk_vpclattice::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use futures::StreamExt;
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};

use super::error::LatticeError;

pub use counter::{CallCounter, OperationCount};

/// Why a client could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// The standard chain (environment, profile, web identity, container
    /// and instance metadata) yields no credentials.
    #[error(
        "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, \
         AWS_PROFILE, or run with a web identity or instance role ({0})"
    )]
    NoCredentials(String),
}

/// How many listed items are read in detail at once.
const DETAIL_CONCURRENCY: usize = 8;

/// The default [`SdkOptions::connect_timeout`].
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

/// The default [`SdkOptions::attempt_timeout`].
pub const DEFAULT_ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);

/// Settings of the SDK client.
#[derive(Debug, Clone)]
pub struct SdkOptions {
    /// Send requests here instead of the region's Lattice endpoint.
    pub endpoint_url: Option<String>,
    /// The region; `None` takes it from the standard chain.
    pub region: Option<String>,
    /// Sustained requests per second (the token bucket's refill rate).
    pub calls_per_second: NonZeroU32,
    /// Requests that may be sent at once after a quiet period.
    pub burst: NonZeroU32,
    /// Attempts per request, the first included.
    pub max_attempts: u32,
    /// The first retry's backoff; later ones grow exponentially, with jitter.
    pub initial_backoff: Duration,
    /// The longest wait for a connection to be established.
    pub connect_timeout: Duration,
    /// The longest one attempt may take, from sending to the whole answer.
    pub attempt_timeout: Duration,
    /// The caller's account, when known: the tags of a resource whose ARN
    /// names another account (a service network shared through RAM) are
    /// not read, as Lattice shows them only to their owner. Unknown (`None`),
    /// a tag read Lattice refuses (`AccessDeniedException`) leaves the
    /// resource untagged, as upstream does.
    pub account_id: Option<String>,
    /// Send Resource Groups Tagging API requests (`GetResources`) here;
    /// `None`: `AWS_ENDPOINT_URL_RESOURCE_GROUPS_TAGGING_API` if set, else
    /// [`Self::endpoint_url`] if set, else the region's endpoint.
    pub tagging_endpoint_url: Option<String>,
}

/// The environment variable the AWS SDKs read for the Resource Groups
/// Tagging API's endpoint.
pub const TAGGING_ENDPOINT_ENV: &str = "AWS_ENDPOINT_URL_RESOURCE_GROUPS_TAGGING_API";

impl SdkOptions {
    /// Standard retries, with these attempts and initial backoff.
    pub(crate) fn retry_config(&self) -> RetryConfig {
        RetryConfig::standard()
            .with_max_attempts(self.max_attempts)
            .with_initial_backoff(self.initial_backoff)
    }

    /// A client's own retry partition, without a retry token bucket: the
    /// default shared bucket (500 tokens, 5 per retry, 10 per timeout)
    /// runs dry under sustained faults long before `max_attempts`; the
    /// attempts asked for are the only bound.
    pub(crate) fn retry_partition(name: &'static str) -> RetryPartition {
        RetryPartition::custom(name)
            .token_bucket(TokenBucket::unlimited())
            .build()
    }

    /// The connect and per-attempt timeouts.
    pub(crate) fn timeout_config(&self) -> TimeoutConfig {
        TimeoutConfig::builder()
            .connect_timeout(self.connect_timeout)
            .operation_attempt_timeout(self.attempt_timeout)
            .build()
    }

    /// Where `GetResources` goes: [`Self::tagging_endpoint_url`], else
    /// [`TAGGING_ENDPOINT_ENV`], else [`Self::endpoint_url`]; `None` leaves
    /// it to the SDK (the region's endpoint, or `AWS_ENDPOINT_URL`).
    pub fn tagging_endpoint(&self) -> Option<String> {
        self.tagging_endpoint_url
            .clone()
            .or_else(|| {
                std::env::var(TAGGING_ENDPOINT_ENV)
                    .ok()
                    .filter(|url| !url.is_empty())
            })
            .or_else(|| self.endpoint_url.clone())
    }
}

impl Default for SdkOptions {
    fn default() -> Self {
        Self {
            endpoint_url: None,
            region: None,
            calls_per_second: NonZeroU32::new(20).expect("non-zero"),
            burst: NonZeroU32::new(40).expect("non-zero"),
            max_attempts: 5,
            initial_backoff: Duration::from_millis(200),
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            attempt_timeout: DEFAULT_ATTEMPT_TIMEOUT,
            account_id: None,
            tagging_endpoint_url: None,
        }
    }
}

/// The [`super::Lattice`] operations over the AWS SDK client.
#[derive(Debug)]
pub struct SdkLattice {
    client: Client,
    /// The Resource Groups Tagging API, for tags in bulk.
    tagging: aws_sdk_resourcegroupstagging::Client,
    /// Tags read in bulk and whether bulk reads work ([`tagging`]).
    bulk: tagging::BulkTags,
    limiter: DefaultDirectRateLimiter,
    counter: CallCounter,
    /// [`SdkOptions::account_id`].
    account_id: Option<String>,
}

impl SdkLattice {
    /// A client configured from the standard chain and `options`.
    ///
    /// Fails when the chain yields no credentials, so that a missing
    /// setting is one clear error rather than a failure of every call.
    pub async fn connect(options: &SdkOptions) -> Result<Self, ConnectError> {
        let mut loader = aws_config::defaults(BehaviorVersion::latest());
        if let Some(region) = &options.region {
            loader = loader.region(Region::new(region.clone()));
        }
        let shared = loader.load().await;
        let provider = shared
            .credentials_provider()
            .ok_or_else(|| ConnectError::NoCredentials("no credentials provider".into()))?;
        provider.provide_credentials().await.map_err(|error| {
            ConnectError::NoCredentials(DisplayErrorContext(&error).to_string())
        })?;
        Ok(Self::with_configs(
            aws_sdk_vpclattice::config::Builder::from(&shared),
            Some(aws_sdk_resourcegroupstagging::config::Builder::from(
                &shared,
            )),
            options,
        ))
    }

    /// A client from an SDK configuration builder (credentials and region
    /// set by the caller), with `options`' endpoint, retry, timeouts and
    /// rate limit.
    ///
    /// A Lattice configuration does not give its credentials away, so this
    /// client reads tags one resource at a time (`ListTagsForResource`);
    /// [`Self::with_credentials`] and [`Self::with_configs`] read them in
    /// bulk.
    pub fn with_config(builder: aws_sdk_vpclattice::config::Builder, options: &SdkOptions) -> Self {
        Self::with_configs(builder, None, options)
    }

    /// A client signing with `credentials` in `region` (unless
    /// [`SdkOptions::region`] says otherwise), both APIs: for tests and
    /// benchmarks against an emulator.
    pub fn with_credentials(
        region: &str,
        credentials: aws_sdk_vpclattice::config::Credentials,
        options: &SdkOptions,
    ) -> Self {
        let lattice = aws_sdk_vpclattice::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(region.to_owned()))
            .credentials_provider(credentials.clone());
        let tagging = aws_sdk_resourcegroupstagging::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(region.to_owned()))
            .credentials_provider(credentials);
        Self::with_configs(lattice, Some(tagging), options)
    }

    /// [`Self::with_config`] with the tagging client configured from
    /// `tagging` (its credentials, region, HTTP client; as [`Self::connect`]
    /// loads it, it also reads [`TAGGING_ENDPOINT_ENV`]); `None`: tags are
    /// read one resource at a time.
    pub fn with_configs(
        mut builder: aws_sdk_vpclattice::config::Builder,
        tagging: Option<aws_sdk_resourcegroupstagging::config::Builder>,
        options: &SdkOptions,
    ) -> Self {
        if let Some(url) = &options.endpoint_url {
            builder = builder.endpoint_url(url);
        }
        if let Some(region) = &options.region {
            builder = builder.region(Region::new(region.clone()));
        }
        let counter = CallCounter::default();
        let config = builder
            .retry_config(options.retry_config())
            .retry_partition(SdkOptions::retry_partition("trellis"))
            .timeout_config(options.timeout_config())
            .interceptor(counter.clone())
            .build();
        let bulk = tagging::BulkTags::new(tagging.is_some());
        let tagging = tagging.unwrap_or_else(|| tagging::builder_like(&config));
        let tagging = tagging::client(tagging, options, &counter);
        let quota = Quota::per_second(options.calls_per_second).allow_burst(options.burst);
        Self {
            client: Client::from_conf(config),
            tagging,
            bulk,
            limiter: RateLimiter::direct(quota),
            counter,
            account_id: options.account_id.clone(),
        }
    }

    /// Requests and attempts made so far, by operation.
    pub fn call_counts(&self) -> std::collections::BTreeMap<String, OperationCount> {
        self.counter.snapshot()
    }

    /// The live counter behind [`Self::call_counts`] (shared; for metrics).
    pub fn call_counter(&self) -> CallCounter {
        self.counter.clone()
    }

    /// One request: once the rate limit allows it, `send` builds and sends
    /// it; a failure names `resource_type` `identifier` (see
    /// [`errors::lattice_error`]).
    async fn call<T, E, Fut>(
        &self,
        resource_type: &'static str,
        identifier: &str,
        send: impl FnOnce() -> Fut,
    ) -> Result<T, LatticeError>
    where
        Fut: Future<Output = Result<T, SdkError<E, HttpResponse>>>,
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        self.limiter.until_ready().await;
        send()
            .await
            .map_err(|error| errors::lattice_error(error, resource_type, identifier))
    }

    /// Every item of a paginated list: `fetch(next_token)` returns one page
    /// and the token of the next.
    async fn all_pages<T, F, Fut>(&self, mut fetch: F) -> Result<Vec<T>, LatticeError>
    where
        F: FnMut(Option<String>) -> Fut,
        Fut: Future<Output = Result<(Vec<T>, Option<String>), LatticeError>>,
    {
        let mut items = Vec::new();
        let mut token = None;
        loop {
            let (page, next) = fetch(token.take()).await?;
            items.extend(page);
            match next {
                Some(next) if !next.is_empty() => token = Some(next),
                _ => return Ok(items),
            }
        }
    }

    /// `detail` of every listed item, a few at a time, in the items'
    /// order; an item whose detail answers `NotFound` was deleted since it
    /// was listed and is left out.
    async fn details<I, T, F, Fut>(&self, items: Vec<I>, detail: F) -> Result<Vec<T>, LatticeError>
    where
        F: Fn(I) -> Fut,
        Fut: Future<Output = Result<T, LatticeError>>,
    {
        let answers: Vec<Result<T, LatticeError>> =
            futures::stream::iter(items.into_iter().map(detail))
                .buffered(DETAIL_CONCURRENCY)
                .collect()
                .await;
        let mut read = Vec::with_capacity(answers.len());
        for answer in answers {
            match answer {
                Ok(item) => read.push(item),
                Err(LatticeError::NotFound { .. }) => {}
                Err(error) => return Err(error),
            }
        }
        Ok(read)
    }
}
