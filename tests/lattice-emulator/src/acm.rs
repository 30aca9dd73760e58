//! ACM's `ListCertificates` and `DescribeCertificate` (the JSON 1.1
//! protocol: `POST /` with `X-Amz-Target: CertificateManager.<Operation>`),
//! over certificates a test seeds with [`Acm::seed`], so that Trellis's
//! certificate discovery runs through the real `aws-sdk-acm` client.
//!
//! Contract:
//! - `ListCertificates` answers the seeded certificates whose status is in
//!   `CertificateStatuses` (all when absent), in seeding order, at most the
//!   emulator's page size (or `MaxItems`, if smaller) per page with an
//!   opaque `NextToken`; a summary carries the dates its certificate was
//!   seeded with unless [`SeededCertificate::dates_in_list`] is false (as
//!   an older ACM answers), in which case only `DescribeCertificate` has
//!   them.
//! - `DescribeCertificate` answers the certificate of `CertificateArn`, or
//!   `ResourceNotFoundException`.
//! - [`Acm::deny`] makes every ACM request answer `AccessDeniedException`;
//!   [`Acm::fail_with`] makes every one answer an error of the given type
//!   (HTTP 400); both until undone.
//! - Any other target answers `UnknownOperationException`.

use std::sync::Mutex;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::Emulator;

/// The target prefix of ACM's operations.
const TARGET_PREFIX: &str = "CertificateManager.";

/// A certificate a test puts in the emulated account.
#[derive(Debug, Clone, PartialEq)]
pub struct SeededCertificate {
    /// Its ARN.
    pub arn: String,
    /// `DomainName`.
    pub domain_name: String,
    /// `SubjectAlternativeNames` (the summaries list them too).
    pub subject_alternative_names: Vec<String>,
    /// `ISSUED`, `PENDING_VALIDATION`, `EXPIRED`, ...
    pub status: String,
    /// `IssuedAt`, in seconds since the epoch.
    pub issued_at: Option<f64>,
    /// `ImportedAt`, in seconds since the epoch.
    pub imported_at: Option<f64>,
    /// `CreatedAt`, in seconds since the epoch.
    pub created_at: Option<f64>,
    /// Whether `ListCertificates` shows the dates (else only
    /// `DescribeCertificate` does).
    pub dates_in_list: bool,
}

impl SeededCertificate {
    /// An `ISSUED` certificate for `domain_name` (and nothing else), issued
    /// at `issued_at` seconds, listed with its dates.
    pub fn issued(arn: &str, domain_name: &str, issued_at: f64) -> Self {
        Self {
            arn: arn.into(),
            domain_name: domain_name.into(),
            subject_alternative_names: vec![domain_name.into()],
            status: "ISSUED".into(),
            issued_at: Some(issued_at),
            imported_at: None,
            created_at: None,
            dates_in_list: true,
        }
    }

    fn dates(&self, into: &mut Value) {
        for (member, value) in [
            ("IssuedAt", self.issued_at),
            ("ImportedAt", self.imported_at),
            ("CreatedAt", self.created_at),
        ] {
            if let Some(value) = value {
                into[member] = json!(value);
            }
        }
    }

    fn summary(&self) -> Value {
        let mut summary = json!({
            "CertificateArn": self.arn,
            "DomainName": self.domain_name,
            "SubjectAlternativeNameSummaries": self.subject_alternative_names,
            "Status": self.status,
        });
        if self.dates_in_list {
            self.dates(&mut summary);
        }
        summary
    }

    fn detail(&self) -> Value {
        let mut detail = json!({
            "CertificateArn": self.arn,
            "DomainName": self.domain_name,
            "SubjectAlternativeNames": self.subject_alternative_names,
            "Status": self.status,
        });
        self.dates(&mut detail);
        detail
    }
}

/// The emulated ACM account.
#[derive(Debug, Default)]
pub struct Acm {
    state: Mutex<AcmState>,
}

#[derive(Debug, Default)]
struct AcmState {
    certificates: Vec<SeededCertificate>,
    denied: bool,
    failure: Option<String>,
}

impl Acm {
    fn state(&self) -> std::sync::MutexGuard<'_, AcmState> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Adds `certificate` (after those seeded before).
    pub fn seed(&self, certificate: SeededCertificate) {
        self.state().certificates.push(certificate);
    }

    /// Removes every certificate.
    pub fn clear(&self) {
        self.state().certificates.clear();
    }

    /// Whether every request answers `AccessDeniedException`.
    pub fn deny(&self, denied: bool) {
        self.state().denied = denied;
    }

    /// Every request answers an error of type `error_type` (HTTP 400), or
    /// is served again with `None`.
    pub fn fail_with(&self, error_type: Option<&str>) {
        self.state().failure = error_type.map(str::to_owned);
    }
}

/// The ACM operation `headers` name (`ListCertificates`, ...), if any.
pub fn operation(headers: &HeaderMap) -> Option<&'static str> {
    let target = headers.get("x-amz-target")?.to_str().ok()?;
    match target.strip_prefix(TARGET_PREFIX)? {
        "ListCertificates" => Some("ListCertificates"),
        "DescribeCertificate" => Some("DescribeCertificate"),
        _ => Some("UnknownAcmOperation"),
    }
}

/// A JSON 1.1 error answer.
fn error(status: StatusCode, error_type: &str, message: impl Into<String>) -> Response {
    let body = json!({ "__type": error_type, "message": message.into() });
    (status, json_1_1(), body.to_string()).into_response()
}

fn json_1_1() -> [(&'static str, &'static str); 1] {
    [("content-type", "application/x-amz-json-1.1")]
}

fn ok(body: Value) -> Response {
    (StatusCode::OK, json_1_1(), body.to_string()).into_response()
}

/// `POST /`: the ACM operation of `X-Amz-Target`.
pub async fn serve(State(emulator): State<Emulator>, headers: HeaderMap, body: Bytes) -> Response {
    let body: Value = match serde_json::from_slice(&body) {
        Ok(body) => body,
        Err(parse) => {
            return error(
                StatusCode::BAD_REQUEST,
                "SerializationException",
                format!("the body is not JSON: {parse}"),
            );
        }
    };
    let acm = emulator.acm();
    let state = acm.state();
    if state.denied {
        return error(
            StatusCode::BAD_REQUEST,
            "AccessDeniedException",
            "User is not authorized to perform: acm:ListCertificates",
        );
    }
    if let Some(error_type) = &state.failure {
        return error(StatusCode::BAD_REQUEST, error_type, "injected ACM failure");
    }
    match operation(&headers) {
        Some("ListCertificates") => list(&state, &body, emulator.config().page_size),
        Some("DescribeCertificate") => describe(&state, &body),
        _ => error(
            StatusCode::BAD_REQUEST,
            "UnknownOperationException",
            "the emulator serves ACM's ListCertificates and DescribeCertificate only",
        ),
    }
}

fn list(state: &AcmState, body: &Value, page_size: usize) -> Response {
    let statuses: Option<Vec<&str>> = body["CertificateStatuses"]
        .as_array()
        .map(|statuses| statuses.iter().filter_map(Value::as_str).collect());
    let listed: Vec<Value> = state
        .certificates
        .iter()
        .filter(|certificate| {
            statuses
                .as_ref()
                .is_none_or(|statuses| statuses.contains(&certificate.status.as_str()))
        })
        .map(SeededCertificate::summary)
        .collect();
    let start = match body["NextToken"].as_str() {
        None => 0,
        Some(token) => match token.parse::<usize>() {
            Ok(start) => start,
            Err(_) => {
                return error(
                    StatusCode::BAD_REQUEST,
                    "InvalidArgsException",
                    format!("invalid NextToken {token:?}"),
                );
            }
        },
    };
    let size = body["MaxItems"]
        .as_u64()
        .map_or(page_size, |most| most as usize)
        .clamp(1, page_size.max(1));
    let end = (start + size).min(listed.len());
    let page = listed
        .get(start..end)
        .map(<[Value]>::to_vec)
        .unwrap_or_default();
    let mut answer = json!({ "CertificateSummaryList": page });
    if end < listed.len() {
        answer["NextToken"] = json!(end.to_string());
    }
    ok(answer)
}

fn describe(state: &AcmState, body: &Value) -> Response {
    let arn = body["CertificateArn"].as_str().unwrap_or_default();
    match state
        .certificates
        .iter()
        .find(|certificate| certificate.arn == arn)
    {
        Some(certificate) => ok(json!({ "Certificate": certificate.detail() })),
        None => error(
            StatusCode::BAD_REQUEST,
            "ResourceNotFoundException",
            format!("Could not find certificate {arn}."),
        ),
    }
}
