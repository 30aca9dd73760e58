//! ACM certificate discovery (upstream-spec §4.2.1, "Cert discovery"): the
//! certificate of an HTTPS route whose Gateway listener terminates TLS
//! without naming one.
//!
//! - [`matching`]'s rules pick the certificate for a hostname from a list:
//!   an exact domain (case-insensitive) beats a single-level wildcard, and
//!   the newest wins within each;
//! - [`SdkAcm`] lists the account's `ISSUED` certificates through
//!   `aws-sdk-acm` (`ListCertificates`, every page; `DescribeCertificate`
//!   for one whose summary carries no date);
//! - [`CertificateDiscovery`] caches that list (1 min plus jitter, one
//!   fetch at a time) and turns discovery off for 5 min after
//!   `AccessDeniedException`, as upstream does;
//! - [`Certificates`] is what the reconcile asks; [`PendingCertificates`]
//!   answers offline (`trellis plan` without an endpoint).
//!
//! Nothing here knows about Kubernetes, Lattice or WebAssembly.

mod discovery;
mod error;
pub mod matching;
mod sdk;

pub use discovery::{
    CertificateDiscovery, Certificates, DISABLED_FOR, Discovered, DiscoveryTimes, LIST_JITTER,
    LIST_TTL, PendingCertificates,
};
pub use error::AcmError;
pub use matching::Certificate;
pub use sdk::{AcmOptions, DEFAULT_MAX_ATTEMPTS, SdkAcm};
