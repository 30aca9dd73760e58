//! Targets: the pod addresses behind a Service, read from its EndpointSlices
//! (upstream `pkg/gateway/model_build_targets.go`).

use std::collections::BTreeSet;

use k8s_openapi::api::core::v1::Service;
use k8s_openapi::api::discovery::v1::EndpointSlice;

use crate::lattice::model::Target;
use crate::plugin::bindings::types::TargetSource;

use super::Snapshot;

/// The label an EndpointSlice names its Service with.
pub const SERVICE_NAME_LABEL: &str = "kubernetes.io/service-name";

/// The targets of `source`: every address of every endpoint of the Service's
/// EndpointSlices, on the slice ports that `source.ports` selects.
///
/// As upstream: the Service `source.namespace/source.name` is looked up (none
/// ⇒ no targets); a Service port whose `port` is in `source.ports` selects
/// the slice ports of the same name, or every slice port when it is unnamed;
/// empty `source.ports` selects every slice port. EndpointSlices are those
/// of the namespace labelled `kubernetes.io/service-name=<name>`. Endpoints
/// with `conditions.terminating == true` are left out (so they deregister);
/// not-ready ones are kept. A target's port is the slice port (the container
/// port).
///
/// Unlike upstream, the result is sorted and free of duplicates (the same
/// address listed by two slices, or a port listed twice, yields one target).
pub fn targets(snapshot: &Snapshot, source: &TargetSource) -> Vec<Target> {
    let Some(service) = snapshot
        .service(&source.namespace, &source.name)
        .filter(|service| service.metadata.namespace.is_some())
    else {
        return Vec::new();
    };
    let selection = PortSelection::new(service, &source.ports);
    let mut targets = BTreeSet::new();
    for slice in snapshot.endpoint_slices_of(&source.namespace, &source.name) {
        add_slice_targets(slice, &selection, &mut targets);
    }
    targets.into_iter().collect()
}

/// Which EndpointSlice ports a target group registers.
enum PortSelection {
    /// Every port (no defined ports, or an unnamed Service port selected).
    All,
    /// The ports with these names.
    Named(BTreeSet<String>),
}

impl PortSelection {
    fn new(service: &Service, defined: &[u16]) -> Self {
        if defined.is_empty() {
            return Self::All;
        }
        let ports = service
            .spec
            .iter()
            .flat_map(|spec| spec.ports.iter().flatten());
        let mut names = BTreeSet::new();
        for port in ports
            .filter(|port| u16::try_from(port.port).is_ok_and(|number| defined.contains(&number)))
        {
            match port.name.as_deref() {
                Some(name) if !name.is_empty() => {
                    names.insert(name.to_owned());
                }
                _ => return Self::All,
            }
        }
        Self::Named(names)
    }

    fn selects(&self, name: Option<&str>) -> bool {
        match self {
            Self::All => true,
            Self::Named(names) => names.contains(name.unwrap_or_default()),
        }
    }
}

fn add_slice_targets(
    slice: &EndpointSlice,
    selection: &PortSelection,
    targets: &mut BTreeSet<Target>,
) {
    let ports = slice
        .ports
        .iter()
        .flatten()
        .filter(|port| selection.selects(port.name.as_deref()))
        .filter_map(|port| port.port.and_then(|number| u16::try_from(number).ok()));
    for port in ports {
        let endpoints = slice.endpoints.iter().flatten().filter(|endpoint| {
            endpoint
                .conditions
                .as_ref()
                .and_then(|conditions| conditions.terminating)
                != Some(true)
        });
        for address in endpoints.flat_map(|endpoint| &endpoint.addresses) {
            targets.insert(Target {
                id: address.clone(),
                port,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kube::testing::snapshot;

    const OBJECTS: &str = r#"
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  ports:
  - {name: http, port: 80, targetPort: 8080}
  - {name: admin, port: 9000, targetPort: 9090}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: web-a, namespace: shop, labels: {kubernetes.io/service-name: web}}
addressType: IPv4
ports: [{name: http, port: 8080}, {name: admin, port: 9090}]
endpoints:
- addresses: [10.0.0.2]
  conditions: {ready: true}
- addresses: [10.0.0.1]
  conditions: {ready: false}
- addresses: [10.0.0.9]
  conditions: {terminating: true}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: web-b, namespace: shop, labels: {kubernetes.io/service-name: web}}
addressType: IPv4
ports: [{name: http, port: 8080}]
endpoints:
- addresses: [10.0.0.2]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: other, namespace: elsewhere, labels: {kubernetes.io/service-name: web}}
addressType: IPv4
ports: [{name: http, port: 8080}]
endpoints:
- addresses: [10.9.9.9]
"#;

    fn source(ports: &[u16]) -> TargetSource {
        TargetSource {
            namespace: "shop".into(),
            name: "web".into(),
            ports: ports.to_vec(),
        }
    }

    fn ids(targets: &[Target]) -> Vec<(String, u16)> {
        targets
            .iter()
            .map(|target| (target.id.clone(), target.port))
            .collect()
    }

    #[test]
    fn a_defined_port_selects_its_named_slice_port() {
        let targets = targets(&snapshot(OBJECTS), &source(&[80]));
        assert_eq!(
            ids(&targets),
            [("10.0.0.1".into(), 8080), ("10.0.0.2".into(), 8080)]
        );
    }

    #[test]
    fn no_defined_port_selects_every_port_without_terminating_endpoints() {
        let targets = targets(&snapshot(OBJECTS), &source(&[]));
        let expected = [
            ("10.0.0.1", 8080),
            ("10.0.0.1", 9090),
            ("10.0.0.2", 8080),
            ("10.0.0.2", 9090),
        ];
        assert_eq!(
            ids(&targets),
            expected.map(|(id, port)| (id.to_owned(), port))
        );
    }

    #[test]
    fn an_unnamed_service_port_selects_every_slice_port() {
        let yaml = OBJECTS.replace(
            "{name: http, port: 80, targetPort: 8080}",
            "{port: 80, targetPort: 8080}",
        );
        assert_eq!(targets(&snapshot(&yaml), &source(&[80])).len(), 4);
    }

    #[test]
    fn a_port_the_service_lacks_selects_nothing_and_a_missing_service_has_no_targets() {
        assert!(targets(&snapshot(OBJECTS), &source(&[443])).is_empty());
        let missing = TargetSource {
            namespace: "shop".into(),
            name: "gone".into(),
            ports: vec![],
        };
        assert!(targets(&snapshot(OBJECTS), &missing).is_empty());
    }
}
