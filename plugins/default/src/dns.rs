//! The DNS record of a route's custom domain (upstream
//! `pkg/deploy/externaldns/dnsendpoint_manager.go`): a CNAME from the custom
//! domain to the service's DNS name with a TTL of 300 seconds, unless the
//! route opts out with the annotation
//! `application-networking.k8s.aws/dns-endpoint: "false"` (upstream issue
//! #997 asks for an opt-out; upstream has no annotation for it yet, so this
//! name is Trellis's).

use crate::annotations;
use crate::{CallContext, DnsDecision, DnsRecord, PluginError, RouteInput, refuse};

/// Upstream's TTL of the records it publishes, in seconds.
pub const TTL: u32 = 300;

/// The annotation (after [`annotations::PREFIX`]) that turns the record off.
const OPT_OUT: &str = "dns-endpoint";

/// Upstream's record for `custom_domain`, or [`DnsDecision::Skip`] when the
/// route's `dns-endpoint` annotation is `"false"`. Any value other than
/// `"true"` or `"false"` is refused, naming the annotation.
pub fn route_dns_record(
    _ctx: &CallContext,
    route: &RouteInput,
    custom_domain: &str,
) -> Result<Option<DnsDecision>, PluginError> {
    match annotations::get(&route.meta.annotations, OPT_OUT).map(str::trim) {
        None | Some("true") => Ok(Some(DnsDecision::Publish(DnsRecord {
            dns_name: custom_domain.to_owned(),
            ttl: TTL,
        }))),
        Some("false") => Ok(Some(DnsDecision::Skip)),
        Some(other) => Err(refuse(
            "UnsupportedValue",
            annotations::field(OPT_OUT),
            format!(
                "{}/{}: annotation {}{OPT_OUT} must be \"true\" or \"false\", not {other:?}",
                route.meta.namespace,
                route.meta.name,
                annotations::PREFIX
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RouteKind;
    use crate::test_support::{context, meta};

    fn route(annotations: &[(&str, &str)]) -> RouteInput {
        RouteInput {
            kind: RouteKind::Http,
            meta: meta("HTTPRoute", "default", "rates", annotations),
            hostnames: vec!["rates.example.com".into()],
            listeners: Vec::new(),
            rules: Vec::new(),
            policies: Vec::new(),
            raw: "{}".into(),
        }
    }

    #[test]
    fn a_custom_domain_gets_upstreams_cname() {
        let decision = route_dns_record(&context(), &route(&[]), "rates.example.com").unwrap();
        assert_eq!(
            decision,
            Some(DnsDecision::Publish(DnsRecord {
                dns_name: "rates.example.com".into(),
                ttl: 300,
            }))
        );
        let explicit = [("application-networking.k8s.aws/dns-endpoint", "true")];
        assert_eq!(
            route_dns_record(&context(), &route(&explicit), "rates.example.com").unwrap(),
            decision
        );
    }

    #[test]
    fn the_annotation_false_opts_out() {
        let opted_out = [("application-networking.k8s.aws/dns-endpoint", " false ")];
        assert_eq!(
            route_dns_record(&context(), &route(&opted_out), "rates.example.com").unwrap(),
            Some(DnsDecision::Skip)
        );
    }

    #[test]
    fn another_value_is_refused_naming_the_annotation() {
        let typo = [("application-networking.k8s.aws/dns-endpoint", "no")];
        let error = route_dns_record(&context(), &route(&typo), "rates.example.com").unwrap_err();
        assert_eq!(error.reason, "UnsupportedValue");
        assert_eq!(
            error.field.as_deref(),
            Some("metadata.annotations[application-networking.k8s.aws/dns-endpoint]")
        );
        assert!(error.message.contains("\"no\""), "{}", error.message);
    }
}
