//! The ExternalDNS `DNSEndpoint` a route's custom domain gets once its
//! service exists (upstream `pkg/deploy/externaldns/dnsendpoint_manager.go`):
//! planned here, written by the controller when the API server serves the
//! CRD `dnsendpoints.externaldns.k8s.io` (`v1alpha1`).

use serde::Serialize;
use serde_json::{Value, json};

use crate::object::ObjectRef;
use crate::plugin::bindings::dns::DnsRecord;

/// The record type of every endpoint: a CNAME to the service's DNS name.
pub const RECORD_TYPE: &str = "CNAME";

/// One planned `DNSEndpoint`: `<route>-dns` in the route's namespace, owned
/// by the route, with one CNAME endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DnsEndpoint {
    /// The route's cluster.
    pub cluster: String,
    /// The route: the object's namespace and its controller owner.
    pub route: ObjectRef,
    /// `<route name>-dns`.
    pub name: String,
    /// The record's name (the custom domain, unless a plugin chose another).
    pub dns_name: String,
    /// The DNS name VPC Lattice assigned to the route's service.
    pub target: String,
    /// The record's TTL in seconds (`recordTTL`, as the CRD spells it).
    #[serde(rename = "recordTTL")]
    pub record_ttl: u32,
}

impl DnsEndpoint {
    /// The endpoint of `route`'s `record`, pointing at `target`; `None`
    /// while the service has no DNS name (upstream skips it then too).
    pub fn new(cluster: &str, route: &ObjectRef, record: &DnsRecord, target: &str) -> Option<Self> {
        if target.is_empty() {
            return None;
        }
        Some(Self {
            cluster: cluster.to_owned(),
            route: route.clone(),
            name: format!("{}-dns", route.name),
            dns_name: record.dns_name.clone(),
            target: target.to_owned(),
            record_ttl: record.ttl,
        })
    }

    /// `spec.endpoints` as upstream writes it: one CNAME endpoint.
    pub fn endpoints(&self) -> Value {
        json!([{
            "dnsName": self.dns_name,
            "targets": [self.target],
            "recordType": RECORD_TYPE,
            "recordTTL": self.record_ttl,
        }])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::object::Kind;

    #[test]
    fn the_endpoint_is_upstreams_cname_named_after_the_route() {
        let route = ObjectRef::new(Kind::HttpRoute, "default", "rates");
        let record = DnsRecord {
            dns_name: "rates.example.com".into(),
            ttl: 300,
        };
        let endpoint = DnsEndpoint::new("c", &route, &record, "rates-1.on.aws").unwrap();
        assert_eq!(endpoint.name, "rates-dns");
        assert_eq!(
            endpoint.endpoints(),
            json!([{"dnsName": "rates.example.com", "targets": ["rates-1.on.aws"],
                    "recordType": "CNAME", "recordTTL": 300}])
        );
        assert_eq!(DnsEndpoint::new("c", &route, &record, ""), None);
    }
}
