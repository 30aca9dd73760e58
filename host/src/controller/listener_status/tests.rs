//! Gateway listener statuses against the Kubernetes test API server,
//! through the real kube client: what the merge patch writes, that a
//! steady Gateway is not written again, and that the conditions written by
//! server-side apply survive (and the other way round).

use gateway_api::apis::standard::gateways::Gateway;
use kube::api::Api;
use kube_test_server::TestApiServer;

use super::*;
use crate::object::{Kind, ObjectRef};
use crate::reconcile::normalize::gateway_listener_status;
use crate::reconcile::{Condition, ObjectStatus};

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
  listeners:
  - {name: http, protocol: HTTP, port: 80}
  - {name: tls, protocol: TLS, port: 443, tls: {mode: Passthrough}, allowedRoutes: {kinds: [{kind: GRPCRoute}]}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: rates
  namespace: default
  annotations: {application-networking.k8s.aws/lattice-assigned-domain-name: rates.example}
spec:
  parentRefs: [{name: mesh}]
"#;

fn client(server: &TestApiServer) -> kube::Client {
    let config = kube::Config::new(server.url().parse().unwrap());
    kube::Client::try_from(config).unwrap()
}

/// The number of writes to the Gateway's status so far.
fn status_writes(server: &TestApiServer) -> usize {
    server
        .requests()
        .iter()
        .filter(|request| request.method == "PATCH" && request.path.ends_with("/mesh/status"))
        .count()
}

#[tokio::test]
async fn listener_statuses_and_the_address_are_written_once_and_keep_the_conditions() {
    let server = TestApiServer::start().await;
    server.apply_manifests(OBJECTS).unwrap();
    let snapshot = crate::kube::testing::snapshot(OBJECTS);
    let client = client(&server);
    let api: Api<Gateway> = Api::namespaced(client.clone(), "default");

    // The Gateway's conditions, by server-side apply, first.
    let cached = api.get("mesh").await.unwrap();
    let conditions = ObjectStatus {
        cluster: "test".into(),
        object: ObjectRef::new(Kind::Gateway, "default", "mesh"),
        conditions: vec![Condition {
            type_: "Accepted",
            status: "True",
            reason: "Accepted".into(),
            message: String::new(),
        }],
        gateway: None,
    };
    super::super::status::write_gateway(client.clone(), &cached, &conditions, "default 1")
        .await
        .unwrap();

    let wanted = gateway_listener_status(&snapshot, &snapshot.gateways[0], &[]);
    let cached = api.get("mesh").await.unwrap();
    write(client.clone(), &cached, &wanted).await.unwrap();
    let live = serde_json::to_value(api.get_status("mesh").await.unwrap()).unwrap();
    let status = &live["status"];
    assert_eq!(status["conditions"][0]["type"], "Accepted", "{status}");
    assert_eq!(
        status["addresses"],
        json!([{"type": "Hostname", "value": "rates.example"}])
    );
    let http = &status["listeners"][0];
    assert_eq!(http["name"], "http");
    assert_eq!(http["attachedRoutes"], 1);
    assert_eq!(http["conditions"].as_array().unwrap().len(), 3);
    let tls = &status["listeners"][1];
    assert_eq!(tls["name"], "tls");
    assert_eq!(tls["attachedRoutes"], 0);
    assert_eq!(tls["supportedKinds"], json!([]));
    assert_eq!(tls["conditions"][0]["type"], "ResolvedRefs");
    assert_eq!(tls["conditions"][0]["status"], "False");
    assert_eq!(tls["conditions"][0]["reason"], "InvalidRouteKinds");
    let written = status_writes(&server);

    // Steady: the Gateway as read back is not written again.
    let cached = api.get("mesh").await.unwrap();
    write(client.clone(), &cached, &wanted).await.unwrap();
    assert_eq!(status_writes(&server), written, "no write when unchanged");

    // The conditions, applied again with a change, leave the listeners.
    let mut programmed = conditions.clone();
    programmed.conditions[0].status = "False";
    programmed.conditions[0].reason = "Pending".into();
    super::super::status::write_gateway(client.clone(), &cached, &programmed, "default 1")
        .await
        .unwrap();
    let live = serde_json::to_value(api.get_status("mesh").await.unwrap()).unwrap();
    assert_eq!(live["status"]["conditions"][0]["reason"], "Pending");
    assert_eq!(live["status"]["listeners"], status["listeners"]);
}

/// The route `rates` of [`OBJECTS`].
fn rates() -> ObjectRef {
    ObjectRef::new(Kind::HttpRoute, "default", "rates")
}

#[test]
fn the_memo_answers_as_the_computation_for_its_own_snapshot_only() {
    let memo = ListenerStatusMemo::default();
    let first = Arc::new(crate::kube::testing::snapshot(OBJECTS));
    let gateway = &first.gateways[0];
    let computed = gateway_listener_status(&first, gateway, &[]);
    assert_eq!(memo.status(&first, gateway), computed);

    // Another snapshot, where the route names no Gateway any more: the memo
    // of the first is not reused.
    let detached = OBJECTS.replace("parentRefs: [{name: mesh}]", "parentRefs: []");
    let second = Arc::new(crate::kube::testing::snapshot(&detached));
    let status = memo.status(&second, &second.gateways[0]);
    assert_eq!(
        status,
        gateway_listener_status(&second, &second.gateways[0], &[])
    );
    assert_ne!(status, computed);
}

#[test]
fn only_a_domain_the_snapshot_lacks_needs_a_fresh_computation() {
    let snapshot = crate::kube::testing::snapshot(OBJECTS);
    assert!(normalize::carries_domain(
        &snapshot,
        &rates(),
        "rates.example"
    ));
    assert!(!normalize::carries_domain(
        &snapshot,
        &rates(),
        "other.example"
    ));
    let grpc = ObjectRef::new(Kind::GrpcRoute, "default", "rates");
    assert!(!normalize::carries_domain(
        &snapshot,
        &grpc,
        "rates.example"
    ));
}
