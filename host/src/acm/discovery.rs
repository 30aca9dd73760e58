//! Discovery over a cached certificate list (upstream `certDiscovery`).
//!
//! Contract of [`CertificateDiscovery`]:
//! - the issued certificates are listed at most once per
//!   [`DiscoveryTimes::list_ttl`] plus a random share of
//!   [`DiscoveryTimes::jitter`]; while one discovery lists, the others wait
//!   for its answer instead of listing too (single flight);
//! - `AccessDeniedException` turns discovery off for
//!   [`DiscoveryTimes::disabled_for`]: every discovery meanwhile answers
//!   [`AcmError::AccessDenied`] without calling ACM;
//! - any other error is answered as it is and cached nowhere: the next
//!   discovery lists again.

use std::hash::BuildHasher;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use tokio::sync::Mutex;
use tokio::time::Instant;

use super::error::AcmError;
use super::matching::{self, Certificate};
use super::sdk::SdkAcm;

/// How long a certificate list is used (upstream: 1 min).
pub const LIST_TTL: Duration = Duration::from_secs(60);
/// The most added at random to [`LIST_TTL`] (upstream: 10 s).
pub const LIST_JITTER: Duration = Duration::from_secs(10);
/// How long discovery stays off after `AccessDeniedException` (upstream:
/// 5 min).
pub const DISABLED_FOR: Duration = Duration::from_secs(300);

/// What discovery found for a hostname.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Discovered {
    /// The ARN of the best matching certificate.
    Found(String),
    /// No issued certificate matches.
    NotFound,
    /// Not looked up: the answer comes when the plan is applied (offline
    /// plans).
    Pending,
}

/// Where the reconcile finds the certificate of a hostname.
#[async_trait]
pub trait Certificates: Send + Sync {
    /// The certificate for `hostname`.
    async fn discover(&self, hostname: &str) -> Result<Discovered, AcmError>;
}

/// The offline answer: every hostname is [`Discovered::Pending`]. For
/// plans made without AWS; never for an apply.
#[derive(Debug, Clone, Copy, Default)]
pub struct PendingCertificates;

#[async_trait]
impl Certificates for PendingCertificates {
    async fn discover(&self, _hostname: &str) -> Result<Discovered, AcmError> {
        Ok(Discovered::Pending)
    }
}

/// The cache's durations (defaults: upstream's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DiscoveryTimes {
    /// How long a list is used.
    pub list_ttl: Duration,
    /// The most added at random to `list_ttl`.
    pub jitter: Duration,
    /// How long discovery stays off after `AccessDeniedException`.
    pub disabled_for: Duration,
}

impl Default for DiscoveryTimes {
    fn default() -> Self {
        Self {
            list_ttl: LIST_TTL,
            jitter: LIST_JITTER,
            disabled_for: DISABLED_FOR,
        }
    }
}

/// Discovery through ACM, with the cache of the module doc.
#[derive(Debug)]
pub struct CertificateDiscovery {
    acm: SdkAcm,
    times: DiscoveryTimes,
    cache: Mutex<Cache>,
}

#[derive(Debug, Default)]
struct Cache {
    /// The last list and when it expires.
    listed: Option<(Instant, Arc<Vec<Certificate>>)>,
    /// Discovery is off until then.
    disabled_until: Option<Instant>,
}

impl CertificateDiscovery {
    /// Discovery through `acm`, with upstream's cache durations.
    pub fn new(acm: SdkAcm) -> Self {
        Self::with_times(acm, DiscoveryTimes::default())
    }

    /// Discovery through `acm`, with the cache durations `times`.
    pub fn with_times(acm: SdkAcm, times: DiscoveryTimes) -> Self {
        Self {
            acm,
            times,
            cache: Mutex::new(Cache::default()),
        }
    }

    /// The issued certificates: the cached list, else a new one. Holding
    /// the lock while listing makes concurrent callers wait for this list.
    async fn certificates(&self) -> Result<Arc<Vec<Certificate>>, AcmError> {
        let mut cache = self.cache.lock().await;
        let now = Instant::now();
        if let Some(until) = cache.disabled_until {
            if now < until {
                return Err(AcmError::AccessDenied {
                    message: "discovery is off after an earlier AccessDeniedException".into(),
                });
            }
            cache.disabled_until = None;
        }
        if let Some((expires, listed)) = &cache.listed
            && now < *expires
        {
            return Ok(listed.clone());
        }
        match self.acm.issued_certificates().await {
            Ok(listed) => {
                let listed = Arc::new(listed);
                let expires = Instant::now() + self.times.list_ttl + jitter(self.times.jitter);
                cache.listed = Some((expires, listed.clone()));
                Ok(listed)
            }
            Err(error) => {
                if matches!(error, AcmError::AccessDenied { .. }) {
                    cache.disabled_until = Some(Instant::now() + self.times.disabled_for);
                }
                Err(error)
            }
        }
    }
}

#[async_trait]
impl Certificates for CertificateDiscovery {
    async fn discover(&self, hostname: &str) -> Result<Discovered, AcmError> {
        let certificates = self.certificates().await?;
        Ok(matching::best_match(&certificates, hostname)
            .map_or(Discovered::NotFound, |certificate| {
                Discovered::Found(certificate.arn.clone())
            }))
    }
}

/// A random duration in `[0, most)`.
fn jitter(most: Duration) -> Duration {
    let nanos = u64::try_from(most.as_nanos()).unwrap_or(u64::MAX);
    if nanos == 0 {
        return Duration::ZERO;
    }
    let random = std::collections::hash_map::RandomState::new().hash_one(Instant::now());
    Duration::from_nanos(random % nanos)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jitter_stays_below_its_bound() {
        assert_eq!(jitter(Duration::ZERO), Duration::ZERO);
        for _ in 0..100 {
            assert!(jitter(LIST_JITTER) < LIST_JITTER);
        }
    }

    #[tokio::test]
    async fn pending_answers_pending() {
        assert_eq!(
            PendingCertificates.discover("api.example.com").await,
            Ok(Discovered::Pending)
        );
    }
}
