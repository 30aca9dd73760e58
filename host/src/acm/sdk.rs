//! The ACM API through `aws-sdk-acm`: the account's issued certificates.
//!
//! Contract:
//! - Region and credentials come from the AWS SDK's standard chain, as for
//!   the Lattice client; the endpoint URL can be overridden (an emulator, a
//!   VPC endpoint), and `AWS_ENDPOINT_URL_ACM` works as the SDK defines it.
//! - The SDK's standard retry retries throttling, 5xx answers and
//!   connection failures up to [`AcmOptions::max_attempts`] times (upstream
//!   uses 20); every attempt has the connect and attempt deadlines of
//!   [`AcmOptions`].
//! - [`SdkAcm::issued_certificates`] reads every page of
//!   `ListCertificates{CertificateStatuses: [ISSUED]}`; a certificate whose
//!   summary has no date (issued, imported, created) is read with
//!   `DescribeCertificate` for it, and left out if it is gone by then.

use std::time::{Duration, SystemTime};

use aws_sdk_acm::Client;
use aws_sdk_acm::config::retry::RetryConfig;
use aws_sdk_acm::config::timeout::TimeoutConfig;
use aws_sdk_acm::config::{BehaviorVersion, Region};
use aws_sdk_acm::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_acm::primitives::DateTime;
use aws_sdk_acm::types::{CertificateStatus, CertificateSummary};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;

use super::error::AcmError;
use super::matching::Certificate;

/// Upstream's attempts per ACM request.
pub const DEFAULT_MAX_ATTEMPTS: u32 = 20;

/// Settings of the ACM client.
#[derive(Debug, Clone)]
pub struct AcmOptions {
    /// Send requests here instead of the region's ACM endpoint.
    pub endpoint_url: Option<String>,
    /// The region; `None` takes it from the standard chain.
    pub region: Option<String>,
    /// Attempts per request, the first included.
    pub max_attempts: u32,
    /// The first retry's backoff; later ones grow exponentially, with jitter.
    pub initial_backoff: Duration,
    /// The longest wait for a connection to be established.
    pub connect_timeout: Duration,
    /// The longest one attempt may take, from sending to the whole answer.
    pub attempt_timeout: Duration,
}

impl Default for AcmOptions {
    fn default() -> Self {
        Self {
            endpoint_url: None,
            region: None,
            max_attempts: DEFAULT_MAX_ATTEMPTS,
            initial_backoff: Duration::from_millis(200),
            connect_timeout: Duration::from_secs(3),
            attempt_timeout: Duration::from_secs(10),
        }
    }
}

/// The ACM operations discovery uses, over the AWS SDK client.
#[derive(Debug, Clone)]
pub struct SdkAcm {
    client: Client,
}

impl SdkAcm {
    /// A client configured from the standard chain and `options`. Nothing
    /// is sent until a certificate is looked for.
    pub async fn connect(options: &AcmOptions) -> Self {
        let mut loader = aws_config::defaults(BehaviorVersion::latest());
        if let Some(region) = &options.region {
            loader = loader.region(Region::new(region.clone()));
        }
        let shared = loader.load().await;
        Self::with_config(aws_sdk_acm::config::Builder::from(&shared), options)
    }

    /// A client from an SDK configuration builder (credentials and region
    /// set by the caller), with `options`' endpoint, retry and timeouts.
    pub fn with_config(mut builder: aws_sdk_acm::config::Builder, options: &AcmOptions) -> Self {
        if let Some(url) = &options.endpoint_url {
            builder = builder.endpoint_url(url);
        }
        if let Some(region) = &options.region {
            builder = builder.region(Region::new(region.clone()));
        }
        let config = builder
            .retry_config(
                RetryConfig::standard()
                    .with_max_attempts(options.max_attempts)
                    .with_initial_backoff(options.initial_backoff),
            )
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(options.connect_timeout)
                    .operation_attempt_timeout(options.attempt_timeout)
                    .build(),
            )
            .build();
        Self {
            client: Client::from_conf(config),
        }
    }

    /// Every `ISSUED` certificate of the account, in ACM's order.
    pub async fn issued_certificates(&self) -> Result<Vec<Certificate>, AcmError> {
        let mut summaries = Vec::new();
        let mut token = None;
        loop {
            let page = self
                .client
                .list_certificates()
                .certificate_statuses(CertificateStatus::Issued)
                .set_next_token(token.take())
                .send()
                .await
                .map_err(|error| acm_error(error, "ListCertificates"))?;
            summaries.extend(page.certificate_summary_list().iter().cloned());
            match page.next_token() {
                Some(next) if !next.is_empty() => token = Some(next.to_owned()),
                _ => break,
            }
        }
        let mut certificates = Vec::with_capacity(summaries.len());
        for summary in summaries {
            if let Some(certificate) = self.certificate(summary).await? {
                certificates.push(certificate);
            }
        }
        Ok(certificates)
    }

    /// One listed certificate, dated by `DescribeCertificate` when its
    /// summary is not; `None` without an ARN, or when it is gone.
    async fn certificate(
        &self,
        summary: CertificateSummary,
    ) -> Result<Option<Certificate>, AcmError> {
        let Some(arn) = summary.certificate_arn().map(str::to_owned) else {
            return Ok(None);
        };
        let domains = if summary.subject_alternative_name_summaries().is_empty() {
            summary
                .domain_name()
                .map(str::to_owned)
                .into_iter()
                .collect()
        } else {
            summary.subject_alternative_name_summaries().to_vec()
        };
        let mut dated = first_date(&[
            summary.issued_at(),
            summary.imported_at(),
            summary.created_at(),
        ]);
        if dated.is_none() {
            let described = self
                .client
                .describe_certificate()
                .certificate_arn(&arn)
                .send()
                .await;
            let described = match described {
                Ok(described) => described,
                Err(error) if error.code() == Some("ResourceNotFoundException") => {
                    return Ok(None);
                }
                Err(error) => return Err(acm_error(error, "DescribeCertificate")),
            };
            if let Some(detail) = described.certificate() {
                dated = first_date(&[
                    detail.issued_at(),
                    detail.imported_at(),
                    detail.created_at(),
                ]);
            }
        }
        Ok(Some(Certificate {
            arn,
            domains,
            dated,
        }))
    }
}

/// The first of `dates` that is set and representable.
fn first_date(dates: &[Option<&DateTime>]) -> Option<SystemTime> {
    dates
        .iter()
        .flatten()
        .find_map(|date| SystemTime::try_from(**date).ok())
}

/// The [`AcmError`] of a failed `operation`: `AccessDeniedException` is
/// [`AcmError::AccessDenied`]; no answer is [`AcmError::Transport`].
fn acm_error<E>(error: SdkError<E, HttpResponse>, operation: &str) -> AcmError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let SdkError::ServiceError(service) = &error else {
        return AcmError::Transport {
            operation: operation.to_owned(),
            message: DisplayErrorContext(&error).to_string(),
        };
    };
    let inner = service.err();
    let message = inner.message().map_or_else(
        || format!("HTTP {} with no error message", service.raw().status()),
        str::to_owned,
    );
    match inner.code().unwrap_or("UnknownError") {
        "AccessDeniedException" => AcmError::AccessDenied { message },
        code => AcmError::Api {
            operation: operation.to_owned(),
            code: code.to_owned(),
            message,
        },
    }
}
