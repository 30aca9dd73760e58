//! Which certificate serves a hostname (upstream `findBestMatch`).
//!
//! Rules:
//! - a certificate's domains are its subject alternative names, else its
//!   domain name;
//! - a domain matches *exactly* when it equals the hostname ignoring ASCII
//!   case;
//! - a domain `*.rest` matches as a *wildcard* when `rest` is non-empty and
//!   holds no `*`, and the hostname (lowercased) ends with `.rest` (also
//!   lowercased) after a non-empty prefix without `.` (one level only:
//!   `*.example.com` matches `a.example.com`, not `a.b.example.com` nor
//!   `example.com`);
//! - the newest exact match wins, else the newest wildcard match; a
//!   certificate's date is when it was issued, else imported, else created;
//!   an undated certificate is older than any dated one, and of equally dated
//!   ones the first listed wins.

use std::time::SystemTime;

/// One ACM certificate, as discovery reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certificate {
    /// Its ARN.
    pub arn: String,
    /// The domains it covers (subject alternative names, else its domain
    /// name).
    pub domains: Vec<String>,
    /// When it was issued, else imported, else created; `None` when ACM
    /// gave none of these.
    pub dated: Option<SystemTime>,
}

/// Whether `domain` is `hostname`, ignoring ASCII case.
pub fn matches_exactly(domain: &str, hostname: &str) -> bool {
    domain.eq_ignore_ascii_case(hostname)
}

/// Whether `domain` is a valid single-level wildcard covering `hostname`.
pub fn matches_wildcard(domain: &str, hostname: &str) -> bool {
    let Some(rest) = domain.strip_prefix("*.") else {
        return false;
    };
    if rest.is_empty() || rest.contains('*') {
        return false;
    }
    let hostname = hostname.to_ascii_lowercase();
    let suffix = format!(".{}", rest.to_ascii_lowercase());
    hostname
        .strip_suffix(&suffix)
        .is_some_and(|prefix| !prefix.is_empty() && !prefix.contains('.'))
}

/// The certificate for `hostname` among `certificates`, by the rules of
/// the module doc; `None` when none matches.
pub fn best_match<'a>(certificates: &'a [Certificate], hostname: &str) -> Option<&'a Certificate> {
    let newest = |matches: &dyn Fn(&str) -> bool| {
        certificates
            .iter()
            .filter(|certificate| certificate.domains.iter().any(|domain| matches(domain)))
            .fold(None::<&Certificate>, |best, certificate| match best {
                Some(best) if certificate.dated <= best.dated => Some(best),
                _ => Some(certificate),
            })
    };
    newest(&|domain| matches_exactly(domain, hostname))
        .or_else(|| newest(&|domain| matches_wildcard(domain, hostname)))
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use super::*;

    fn certificate(arn: &str, domains: &[&str], day: Option<u64>) -> Certificate {
        Certificate {
            arn: arn.into(),
            domains: domains.iter().map(|domain| (*domain).to_owned()).collect(),
            dated: day.map(|day| UNIX_EPOCH + Duration::from_secs(day * 86_400)),
        }
    }

    #[test]
    fn exact_matches_ignore_case() {
        assert!(matches_exactly("API.Example.com", "api.example.COM"));
        assert!(!matches_exactly("api.example.com", "api.example.co"));
    }

    #[test]
    fn wildcards_match_one_level_only() {
        assert!(matches_wildcard("*.example.com", "a.example.com"));
        assert!(matches_wildcard("*.Example.COM", "A.example.com"));
        assert!(!matches_wildcard("*.example.com", "a.b.example.com"));
        assert!(!matches_wildcard("*.example.com", "example.com"));
        assert!(!matches_wildcard("*.example.com", ".example.com"));
        assert!(!matches_wildcard("*.example.com", "aexample.com"));
        assert!(!matches_wildcard("*.", "a."));
        assert!(!matches_wildcard("*.*.example.com", "a.b.example.com"));
        assert!(!matches_wildcard("a.*.example.com", "a.b.example.com"));
        assert!(!matches_wildcard("example.com", "a.example.com"));
    }

    #[test]
    fn an_exact_match_beats_a_newer_wildcard() {
        let certificates = [
            certificate("wild", &["*.example.com"], Some(20)),
            certificate("exact", &["other.test", "API.example.com"], Some(10)),
        ];
        let best = best_match(&certificates, "api.example.com").unwrap();
        assert_eq!(best.arn, "exact");
        let best = best_match(&certificates, "web.example.com").unwrap();
        assert_eq!(best.arn, "wild");
        assert_eq!(best_match(&certificates, "a.b.example.com"), None);
    }

    #[test]
    fn the_newest_wins_and_undated_ones_lose() {
        let certificates = [
            certificate("undated", &["api.example.com"], None),
            certificate("old", &["api.example.com"], Some(1)),
            certificate("new", &["api.example.com"], Some(5)),
            certificate("same-day", &["api.example.com"], Some(5)),
        ];
        assert_eq!(
            best_match(&certificates, "api.example.com").unwrap().arn,
            "new"
        );
        assert_eq!(
            best_match(&certificates[..1], "api.example.com")
                .unwrap()
                .arn,
            "undated"
        );
    }

    #[test]
    fn no_certificate_no_match() {
        assert_eq!(best_match(&[], "api.example.com"), None);
        let certificates = [certificate("empty", &[], Some(1))];
        assert_eq!(best_match(&certificates, "api.example.com"), None);
    }
}
