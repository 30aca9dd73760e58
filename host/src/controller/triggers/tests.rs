use super::*;

fn snapshot(yaml: &str) -> Snapshot {
    crate::kube::manifests::parse_manifests(std::path::Path::new("objects.yaml"), yaml)
        .expect("manifests")
        .snapshot
}

const OBJECTS: &str = r#"
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: mesh, namespace: infra}
spec:
  gatewayClassName: amazon-vpc-lattice
  listeners: [{name: http, protocol: HTTP, port: 80}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: other, namespace: infra}
spec:
  gatewayClassName: amazon-vpc-lattice
  listeners: [{name: http, protocol: HTTP, port: 80}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: rates, namespace: apps}
spec:
  parentRefs: [{name: mesh, namespace: infra}]
  rules:
  - backendRefs: [{name: rates-v1, port: 80}, {name: rates-v2, kind: ServiceImport, port: 80}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: inventory, namespace: apps}
spec:
  parentRefs: [{name: other, namespace: infra}]
  rules:
  - backendRefs: [{name: inventory, port: 80}]
---
apiVersion: application-networking.k8s.aws/v1alpha1
kind: ServiceExport
metadata:
  name: exported-rates
  namespace: apps
  annotations: {application-networking.k8s.aws/service-name: rates-v1}
"#;

fn names(roots: &[ObjectRef]) -> Vec<String> {
    roots.iter().map(ToString::to_string).collect()
}

#[test]
fn a_gateway_change_reaches_only_its_own_routes() {
    let snapshot = snapshot(OBJECTS);
    let gateway = ObjectRef::new(Kind::Gateway, "infra", "mesh");
    assert_eq!(
        names(&affected(&Change::Root(gateway), &snapshot)),
        ["Gateway infra/mesh", "HTTPRoute apps/rates"]
    );
}

#[test]
fn a_service_reaches_routes_forwarding_to_it_and_exports_exporting_it() {
    let snapshot = snapshot(OBJECTS);
    let change = Change::Service("apps".into(), "rates-v1".into());
    assert_eq!(
        names(&affected(&change, &snapshot)),
        ["HTTPRoute apps/rates", "ServiceExport apps/exported-rates"]
    );
    let slice = Change::EndpointSlice("apps".into(), Some("inventory".into()));
    assert_eq!(
        names(&affected(&slice, &snapshot)),
        ["HTTPRoute apps/inventory"]
    );
    let unlabelled = Change::EndpointSlice("apps".into(), None);
    assert!(affected(&unlabelled, &snapshot).is_empty());
    let elsewhere = Change::Service("other".into(), "rates-v1".into());
    assert!(affected(&elsewhere, &snapshot).is_empty());
}

#[test]
fn imports_and_exports_reach_routes_through_the_import() {
    let snapshot = snapshot(OBJECTS);
    let import = Change::ServiceImport("apps".into(), "rates-v2".into());
    assert_eq!(
        names(&affected(&import, &snapshot)),
        ["HTTPRoute apps/rates"]
    );
    let export = Change::Root(ObjectRef::new(Kind::ServiceExport, "apps", "rates-v2"));
    assert_eq!(
        names(&affected(&export, &snapshot)),
        ["HTTPRoute apps/rates", "ServiceExport apps/rates-v2"]
    );
}

#[test]
fn policies_reach_their_target_and_classes_their_gateways() {
    let snapshot = snapshot(OBJECTS);
    let policy = Change::Policy {
        kind: Kind::TargetGroupPolicy,
        target: Some(ObjectRef::new(Kind::Service, "apps", "inventory")),
    };
    assert_eq!(
        names(&affected(&policy, &snapshot)),
        ["HTTPRoute apps/inventory"]
    );
    let policy = Change::Policy {
        kind: Kind::IamAuthPolicy,
        target: Some(ObjectRef::new(Kind::Gateway, "infra", "other")),
    };
    assert_eq!(
        names(&affected(&policy, &snapshot)),
        ["Gateway infra/other"]
    );
    let class = Change::GatewayClass("amazon-vpc-lattice".into());
    assert_eq!(
        names(&affected(&class, &snapshot)),
        [
            "Gateway infra/mesh",
            "Gateway infra/other",
            "ServiceNetwork "
        ]
    );
    let network = Change::ServiceNetwork("mesh".into());
    assert_eq!(
        names(&affected(&network, &snapshot)),
        ["Gateway infra/mesh", "ServiceNetwork mesh"]
    );
}
