//! A route's discovered certificate (upstream-spec §4.2.1): when one of the
//! route's Gateway listeners terminates TLS, none of them names a
//! certificate (`tls.options["application-networking.k8s.aws/certificate-arn"]`),
//! the route has hostnames and its plugins left the service without a
//! certificate, the certificate ACM holds for the first hostname.
//!
//! The host does this I/O, after translation: plugins stay pure, and see the
//! listeners as written. What discovery answers:
//! - a certificate: its ARN is the service's certificate;
//! - none, or access denied: the problem `CertificateNotFound` on
//!   `spec.hostnames` ("no matching ACM certificate found for hostname X"),
//!   so the route is not accepted and nothing is made or deleted;
//! - another error: the problem `CertificateDiscoveryFailed`, likewise;
//! - pending (an offline plan): [`pending_certificate`] stands for the ARN,
//!   so the plan shows the service as `apply` would make it.

use crate::acm::{AcmError, Certificates, Discovered};
use crate::config::ClusterConfig;
use crate::object::Problem;
use crate::plugin::bindings::types::RouteInput;
use crate::reconcile::translate::desired::DesiredRoute;

/// The listener TLS option naming an ACM certificate.
pub const CERTIFICATE_OPTION: &str = "application-networking.k8s.aws/certificate-arn";

/// The reason of the problem of a route whose certificate was not found;
/// the controller looks again after [`CERTIFICATE_RETRY`].
pub const CERTIFICATE_NOT_FOUND: &str = "CertificateNotFound";

/// When a route whose certificate was not found is reconciled again
/// (upstream: 60 s).
pub const CERTIFICATE_RETRY: std::time::Duration = std::time::Duration::from_secs(60);

/// What an offline plan shows as the certificate of `hostname`.
pub fn pending_certificate(hostname: &str) -> String {
    format!("(ACM certificate for {hostname}, discovered at apply)")
}

/// The hostname whose certificate `input` needs discovered, if any: the
/// first hostname, when a listener terminates TLS and none names a
/// certificate.
fn discovery_hostname(input: &RouteInput) -> Option<&str> {
    let terminating: Vec<_> = input
        .listeners
        .iter()
        .filter(|listener| listener.tls_mode.as_deref() == Some("Terminate"))
        .collect();
    let named = terminating.iter().any(|listener| {
        listener
            .tls_options
            .iter()
            .any(|option| option.key == CERTIFICATE_OPTION)
    });
    if terminating.is_empty() || named {
        return None;
    }
    input.hostnames.first().map(String::as_str)
}

/// `desired` with its discovered certificate, when it needs one (see the
/// module doc); the problem that keeps the route from being applied
/// otherwise.
pub async fn with_certificate(
    certificates: &dyn Certificates,
    cluster: &ClusterConfig,
    input: &RouteInput,
    mut desired: DesiredRoute,
) -> Result<DesiredRoute, Box<Problem>> {
    if desired.service.certificate_arn.is_some() {
        return Ok(desired);
    }
    let Some(hostname) = discovery_hostname(input) else {
        return Ok(desired);
    };
    let problem = |reason: &str, message: String| {
        Box::new(Problem {
            cluster: cluster.cluster_name.clone(),
            object: desired.object.clone(),
            field: Some("spec.hostnames".into()),
            reason: reason.into(),
            message,
            plugin: None,
            lattice_error: None,
        })
    };
    let not_found = format!("no matching ACM certificate found for hostname {hostname}");
    let arn = match certificates.discover(hostname).await {
        Ok(Discovered::Found(arn)) => arn,
        Ok(Discovered::Pending) => pending_certificate(hostname),
        Ok(Discovered::NotFound) => return Err(problem(CERTIFICATE_NOT_FOUND, not_found)),
        Err(error @ AcmError::AccessDenied { .. }) => {
            return Err(problem(
                CERTIFICATE_NOT_FOUND,
                format!("{not_found}: {error}"),
            ));
        }
        Err(error) => {
            return Err(problem(
                "CertificateDiscoveryFailed",
                format!("discovering the ACM certificate for hostname {hostname}: {error}"),
            ));
        }
    };
    desired.service.certificate_arn = Some(arn);
    Ok(desired)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kube::testing::snapshot;
    use crate::object::{Kind, ObjectRef};
    use crate::plugin::bindings::types::KeyValue;
    use crate::reconcile::normalize;

    /// A route for `rates.example.com` on a listener terminating TLS with no
    /// certificate option.
    const OBJECTS: &str = r#"
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: amazon-vpc-lattice}
spec: {controllerName: application-networking.k8s.aws/gateway-api-controller}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: mesh, namespace: default}
spec:
  gatewayClassName: amazon-vpc-lattice
  listeners: [{name: https, protocol: HTTPS, port: 443, tls: {mode: Terminate}}]
---
apiVersion: v1
kind: Service
metadata: {name: rates, namespace: default}
spec: {ports: [{port: 80}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: rates, namespace: default}
spec:
  parentRefs: [{name: mesh}]
  hostnames: [rates.example.com, other.example.com]
  rules: [{backendRefs: [{name: rates, port: 80}]}]
"#;

    fn input() -> RouteInput {
        let route = ObjectRef::new(Kind::HttpRoute, "default", "rates");
        normalize::route(&snapshot(OBJECTS), &ClusterConfig::local(), &route)
            .and_then(|normalized| normalized.input)
            .expect("the route is accepted")
    }

    #[test]
    fn the_first_hostname_of_a_route_on_a_terminating_listener_without_certificate() {
        assert_eq!(discovery_hostname(&input()), Some("rates.example.com"));
    }

    #[test]
    fn a_named_certificate_no_hostname_or_no_termination_discovers_nothing() {
        let mut named = input();
        named.listeners[0].tls_options.push(KeyValue {
            key: CERTIFICATE_OPTION.into(),
            value: "arn:aws:acm:us-west-2:123456789012:certificate/named".into(),
        });
        assert_eq!(discovery_hostname(&named), None);

        let mut unnamed = input();
        unnamed.hostnames.clear();
        assert_eq!(discovery_hostname(&unnamed), None);

        let mut passthrough = input();
        passthrough.listeners[0].tls_mode = Some("Passthrough".into());
        assert_eq!(discovery_hostname(&passthrough), None);

        let mut plain = input();
        plain.listeners[0].tls_mode = None;
        assert_eq!(discovery_hostname(&plain), None);
    }

    #[test]
    fn the_pending_certificate_names_its_hostname() {
        assert_eq!(
            pending_certificate("rates.example.com"),
            "(ACM certificate for rates.example.com, discovered at apply)"
        );
    }
}
