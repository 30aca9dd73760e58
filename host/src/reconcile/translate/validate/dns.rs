//! The DNS record a plugin decides for a route's custom domain.

use crate::plugin::bindings::dns::DnsDecision;

use super::{Checker, ValidationError};

/// The longest DNS name, without its trailing dot (RFC 1035).
const MAX_NAME: usize = 253;
/// The longest label of a DNS name (RFC 1035).
const MAX_LABEL: usize = 63;
/// The largest TTL (RFC 2181: a 31-bit value).
const MAX_TTL: u32 = i32::MAX as u32;

/// Checks `plugin`'s answer to `route-dns-record`: a published record's
/// `dns-name` is a DNS name (labels of 1 to 63 letters, digits, `-` or `_`,
/// a leading `*` label allowed, 253 characters at most, one optional
/// trailing dot) and its TTL is 1 to 2147483647 seconds.
pub fn validate_dns_decision(
    plugin: &str,
    decision: Option<&DnsDecision>,
) -> Result<(), ValidationError> {
    let Some(DnsDecision::Publish(record)) = decision else {
        return Ok(());
    };
    let check = Checker { plugin };
    let name = &record.dns_name;
    check.ensure(is_dns_name(name), "dns-record.dns-name", || {
        format!("{name:?} is not a DNS name")
    })?;
    check.ensure(
        (1..=MAX_TTL).contains(&record.ttl),
        "dns-record.ttl",
        || format!("TTL {} must be 1 to {MAX_TTL} seconds", record.ttl),
    )
}

fn is_dns_name(name: &str) -> bool {
    let name = name.strip_suffix('.').unwrap_or(name);
    if name.is_empty() || name.len() > MAX_NAME {
        return false;
    }
    name.split('.').enumerate().all(|(index, label)| {
        (index == 0 && label == "*")
            || (!label.is_empty()
                && label.len() <= MAX_LABEL
                && label
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plugin::bindings::dns::DnsRecord;

    fn publish(dns_name: &str, ttl: u32) -> DnsDecision {
        DnsDecision::Publish(DnsRecord {
            dns_name: dns_name.into(),
            ttl,
        })
    }

    #[test]
    fn names_and_ttls_within_the_rules_pass() {
        for name in [
            "rates.example.com",
            "rates.example.com.",
            "*.example.com",
            "a_b.c-d",
        ] {
            assert_eq!(
                validate_dns_decision("p", Some(&publish(name, 300))),
                Ok(())
            );
        }
        assert_eq!(validate_dns_decision("p", Some(&DnsDecision::Skip)), Ok(()));
        assert_eq!(validate_dns_decision("p", None), Ok(()));
    }

    #[test]
    fn a_bad_name_or_ttl_names_the_field() {
        let long_label = format!("{}.com", "a".repeat(64));
        for name in ["", ".", "a..b", "a b.com", "a.*.com", long_label.as_str()] {
            let error = validate_dns_decision("p", Some(&publish(name, 300))).unwrap_err();
            assert_eq!(error.field, "dns-record.dns-name", "{name:?}");
        }
        let error = validate_dns_decision("p", Some(&publish("a.com", 0))).unwrap_err();
        assert_eq!(error.field, "dns-record.ttl");
        assert!(validate_dns_decision("p", Some(&publish("a.com", u32::MAX))).is_err());
    }
}
