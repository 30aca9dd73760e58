//! The policy statuses no root writes, against the Kubernetes test API
//! server through the real kube client: the conditions written on a
//! policy whose target is missing, one of a kind its policy may not
//! target, one on a Service nothing uses; none on the policy of a route
//! Trellis reconciles (its reconcile writes it).

use std::sync::Arc;

use kube::api::Api;
use kube_test_server::TestApiServer;

use super::*;
use crate::controller::reconciler::tests::context_over;
use crate::kube::testing::snapshot;
use crate::lattice::InMemoryLattice;
use crate::plugin::{LivePlugins, Plugin, PluginEngine, PluginSet};

const OBJECTS: &str = include_str!("../testdata/route.yaml");

const POLICIES: &str = r#"
apiVersion: application-networking.k8s.aws/v1alpha1
kind: IAMAuthPolicy
metadata: {name: missing-route, namespace: default}
spec:
  targetRef: {group: gateway.networking.k8s.io, kind: HTTPRoute, name: missing}
  policy: '{}'
---
apiVersion: application-networking.k8s.aws/v1alpha1
kind: IAMAuthPolicy
metadata: {name: of-the-route, namespace: default}
spec:
  targetRef: {group: gateway.networking.k8s.io, kind: HTTPRoute, name: rates}
  policy: '{}'
---
apiVersion: application-networking.k8s.aws/v1alpha1
kind: VpcAssociationPolicy
metadata: {name: on-a-service, namespace: default}
spec:
  targetRef: {group: "", kind: Service, name: unused}
---
apiVersion: v1
kind: Service
metadata: {name: unused, namespace: default}
spec: {ports: [{port: 80}]}
---
apiVersion: application-networking.k8s.aws/v1alpha1
kind: TargetGroupPolicy
metadata: {name: of-unused, namespace: default}
spec:
  targetRef: {group: "", kind: Service, name: unused}
  protocol: HTTP
"#;

fn client(server: &TestApiServer) -> kube::Client {
    let config = kube::Config::new(server.url().parse().unwrap());
    kube::Client::try_from(config).unwrap()
}

/// The `Accepted` condition of the policy `plural/name`, as
/// `status/reason: message`, if written.
async fn accepted(client: &kube::Client, plural: &str, name: &str) -> Option<String> {
    let resource = policy_resources()
        .into_iter()
        .find(|resource| resource.plural == plural)
        .unwrap();
    let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), "default", &resource);
    let policy = api.get_status(name).await.unwrap();
    let condition = policy.data["status"]["conditions"].get(0)?.clone();
    assert_eq!(condition["type"], "Accepted");
    Some(format!(
        "{}/{}: {}",
        condition["status"].as_str().unwrap(),
        condition["reason"].as_str().unwrap(),
        condition["message"].as_str().unwrap()
    ))
}

#[tokio::test]
async fn policies_no_root_reads_get_their_verdict_or_accepted() {
    let server = TestApiServer::start().await;
    server
        .apply_manifests(&crate::kube::crds::to_yaml().unwrap())
        .unwrap();
    let objects = format!("{OBJECTS}\n---\n{POLICIES}");
    server.apply_manifests(&objects).unwrap();
    let client = client(&server);
    let engine = PluginEngine::new().unwrap();
    let plugins = PluginSet::stock(Plugin::default_plugin(&engine).unwrap());
    let ctx = context_over(
        client.clone(),
        Arc::new(InMemoryLattice::new("000000000000", "us-west-2")),
        Arc::new(LivePlugins::new(plugins)),
        &live_snapshot(&client, &objects).await,
    );
    write_all(&ctx).await;

    assert_eq!(
        accepted(&client, "iamauthpolicies", "missing-route")
            .await
            .as_deref(),
        Some("False/TargetNotFound: targetRef not found, target=default/missing")
    );
    assert_eq!(
        accepted(&client, "vpcassociationpolicies", "on-a-service")
            .await
            .as_deref(),
        Some("False/Invalid: group/kind error: not supported GroupKind=/Service")
    );
    assert_eq!(
        accepted(&client, "targetgrouppolicies", "of-unused")
            .await
            .as_deref(),
        Some("True/Accepted: ")
    );
    assert_eq!(
        accepted(&client, "iamauthpolicies", "of-the-route").await,
        None,
        "the route's reconcile writes it"
    );

    // Steady: a second pass over the same objects writes nothing.
    let writes = || {
        server
            .requests()
            .iter()
            .filter(|request| request.method == "PATCH")
            .count()
    };
    let before = writes();
    let live = context_over(
        client.clone(),
        Arc::new(InMemoryLattice::new("000000000000", "us-west-2")),
        ctx.plugins.clone(),
        &live_snapshot(&client, &objects).await,
    );
    write_all(&live).await;
    assert_eq!(writes(), before, "no write when unchanged");
}

/// The snapshot of `objects` with the policies as the server holds them
/// now (their statuses written).
async fn live_snapshot(client: &kube::Client, objects: &str) -> crate::kube::Snapshot {
    let mut snapshot = snapshot(objects);
    for policy in &mut snapshot.policies {
        let kind = policy.types.as_ref().unwrap().kind.clone();
        let resource = policy_resources()
            .into_iter()
            .find(|resource| resource.kind == kind)
            .unwrap();
        let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), "default", &resource);
        *policy = api.get(&policy.name_any()).await.unwrap();
    }
    snapshot
}
