use super::*;
use crate::kube::testing::snapshot;

/// Two Gateways, a route on each and an export.
const OBJECTS: &str = include_str!("../testdata/triggers.yaml");

/// The roots `change` reaches among [`OBJECTS`], by name.
fn reached(change: &Change) -> Vec<String> {
    affected(change, &snapshot(OBJECTS))
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn a_gateway_change_reaches_only_its_own_routes() {
    let gateway = ObjectRef::new(Kind::Gateway, "infra", "mesh");
    assert_eq!(
        reached(&Change::Root(gateway)),
        ["Gateway infra/mesh", "HTTPRoute apps/rates"]
    );
}

#[test]
fn a_service_reaches_routes_forwarding_to_it_and_exports_exporting_it() {
    let change = Change::Service("apps".into(), "rates-v1".into());
    assert_eq!(
        reached(&change),
        ["HTTPRoute apps/rates", "ServiceExport apps/exported-rates"]
    );
    let slice = Change::EndpointSlice("apps".into(), Some("inventory".into()));
    assert_eq!(reached(&slice), ["HTTPRoute apps/inventory"]);
    let unlabelled = Change::EndpointSlice("apps".into(), None);
    assert!(reached(&unlabelled).is_empty());
    let elsewhere = Change::Service("other".into(), "rates-v1".into());
    assert!(reached(&elsewhere).is_empty());
}

#[test]
fn imports_and_exports_reach_routes_through_the_import() {
    let import = Change::ServiceImport("apps".into(), "rates-v2".into());
    assert_eq!(reached(&import), ["HTTPRoute apps/rates"]);
    let export = Change::Root(ObjectRef::new(Kind::ServiceExport, "apps", "rates-v2"));
    assert_eq!(
        reached(&export),
        ["HTTPRoute apps/rates", "ServiceExport apps/rates-v2"]
    );
}

#[test]
fn policies_reach_their_target_and_classes_their_gateways() {
    let policy = Change::Policy {
        kind: Kind::TargetGroupPolicy,
        target: Some(ObjectRef::new(Kind::Service, "apps", "inventory")),
    };
    assert_eq!(reached(&policy), ["HTTPRoute apps/inventory"]);
    let policy = Change::Policy {
        kind: Kind::IamAuthPolicy,
        target: Some(ObjectRef::new(Kind::Gateway, "infra", "other")),
    };
    assert_eq!(reached(&policy), ["Gateway infra/other"]);
    let class = Change::GatewayClass("amazon-vpc-lattice".into());
    assert_eq!(
        reached(&class),
        [
            "Gateway infra/mesh",
            "Gateway infra/other",
            "ServiceNetwork "
        ]
    );
    let network = Change::ServiceNetwork("mesh".into());
    assert_eq!(
        reached(&network),
        ["Gateway infra/mesh", "ServiceNetwork mesh"]
    );
}
