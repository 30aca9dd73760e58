//! Which pods get the readiness gate: a pure decision over the objects of
//! the pod's namespace and the cluster's routes.
//!
//! Contract: [`wants_gate`] is true when a Service of the pod's namespace
//! selects the pod (a non-empty selector whose every pair is among the
//! pod's labels) and either an HTTPRoute, GRPCRoute or TLSRoute with a
//! parent Gateway of Trellis's GatewayClass has that Service as a
//! backendRef (core group, kind `Service`, the pod's namespace), or a
//! ServiceExport of the namespace exports it (by its own name or its
//! `service-name` annotation).

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::core::v1::{Pod, Service};
use serde_json::{Value, json};

use super::super::readiness::READINESS_GATE;
pub use super::super::readiness::has_gate;
use crate::kube::{Snapshot, TypedKind};
use crate::object::{Kind, ObjectRef};
use crate::reconcile::normalize::{lattice_gateways, route_references};

/// Whether a pod of `namespace` with `labels` is a Lattice target (see the
/// module's contract). `objects` holds the namespace's Services and
/// ServiceExports, every route, Gateway and GatewayClass.
pub fn wants_gate(namespace: &str, labels: &BTreeMap<String, String>, objects: &Snapshot) -> bool {
    let selecting: BTreeSet<&str> = objects
        .services
        .iter()
        .filter(|service| service.metadata.namespace.as_deref() == Some(namespace))
        .filter(|service| selects(service, labels))
        .filter_map(|service| service.metadata.name.as_deref())
        .collect();
    if selecting.is_empty() {
        return false;
    }
    let lattice: Vec<ObjectRef> = lattice_gateways(objects)
        .into_iter()
        .map(TypedKind::reference)
        .collect();
    let routed = route_references(objects).iter().any(|route| {
        route.gateways.iter().any(|parent| lattice.contains(parent))
            && route.backends.iter().any(|backend| {
                backend.kind == Kind::Service
                    && backend.namespace == namespace
                    && selecting.contains(backend.name.as_str())
            })
    });
    routed
        || objects.service_exports.iter().any(|export| {
            export.metadata.namespace.as_deref() == Some(namespace)
                && selecting.contains(export.service_name())
        })
}

/// Whether `service` selects pods with `labels`. A Service without a
/// selector selects no pod (its endpoints are managed by hand).
fn selects(service: &Service, labels: &BTreeMap<String, String>) -> bool {
    let selector = service
        .spec
        .as_ref()
        .and_then(|spec| spec.selector.as_ref());
    selector.is_some_and(|selector| {
        !selector.is_empty()
            && selector
                .iter()
                .all(|(key, value)| labels.get(key) == Some(value))
    })
}

/// The JSON patch (as JSON) appending the gate to `pod`'s readiness gates.
pub fn gate_patch(pod: &Pod) -> Value {
    let gate = json!({"conditionType": READINESS_GATE});
    let has_gates = pod
        .spec
        .as_ref()
        .and_then(|spec| spec.readiness_gates.as_ref())
        .is_some();
    if has_gates {
        json!([{"op": "add", "path": "/spec/readinessGates/-", "value": gate}])
    } else {
        json!([{"op": "add", "path": "/spec/readinessGates", "value": [gate]}])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kube::testing::snapshot;

    const OBJECTS: &str = r#"
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: amazon-vpc-lattice}
spec: {controllerName: application-networking.k8s.aws/gateway-api-controller}
---
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: other}
spec: {controllerName: example.com/other}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: mesh, namespace: default}
spec:
  gatewayClassName: amazon-vpc-lattice
  listeners: [{name: http, protocol: HTTP, port: 80}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: elsewhere, namespace: default}
spec:
  gatewayClassName: other
  listeners: [{name: http, protocol: HTTP, port: 80}]
---
apiVersion: v1
kind: Service
metadata: {name: rates, namespace: shop}
spec: {selector: {app: rates}, ports: [{port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: other, namespace: shop}
spec: {selector: {app: other}, ports: [{port: 80}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: rates, namespace: shop}
spec:
  parentRefs: [{name: mesh, namespace: default}]
  rules: [{backendRefs: [{name: rates, port: 80}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: other, namespace: shop}
spec:
  parentRefs: [{name: elsewhere, namespace: default}]
  rules: [{backendRefs: [{name: other, port: 80}]}]
"#;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
            .collect()
    }

    #[test]
    fn a_backend_of_a_lattice_route_gets_the_gate() {
        let objects = snapshot(OBJECTS);
        assert!(wants_gate(
            "shop",
            &labels(&[("app", "rates"), ("v", "2")]),
            &objects
        ));
    }

    #[test]
    fn a_backend_of_another_controllers_route_or_no_backend_does_not() {
        let objects = snapshot(OBJECTS);
        assert!(!wants_gate("shop", &labels(&[("app", "other")]), &objects));
        assert!(!wants_gate(
            "shop",
            &labels(&[("app", "nothing")]),
            &objects
        ));
        assert!(!wants_gate(
            "default",
            &labels(&[("app", "rates")]),
            &objects
        ));
    }

    #[test]
    fn a_service_without_selector_selects_no_pod() {
        let objects = snapshot(
            "apiVersion: v1\nkind: Service\nmetadata: {name: rates, namespace: shop}\nspec: {ports: [{port: 80}]}\n---\n\
             apiVersion: application-networking.k8s.aws/v1alpha1\nkind: ServiceExport\nmetadata: {name: rates, namespace: shop}\n",
        );
        assert!(!wants_gate("shop", &labels(&[("app", "rates")]), &objects));
    }

    #[test]
    fn the_patch_adds_the_list_or_appends_to_it() {
        let bare: Pod = serde_json::from_value(json!({"spec": {"containers": []}})).unwrap();
        assert_eq!(gate_patch(&bare)[0]["path"], "/spec/readinessGates");
        let gated: Pod = serde_json::from_value(
            json!({"spec": {"containers": [], "readinessGates": [{"conditionType": "x"}]}}),
        )
        .unwrap();
        assert_eq!(gate_patch(&gated)[0]["path"], "/spec/readinessGates/-");
        assert!(!has_gate(&gated));
    }
}
