//! The readiness-gate pass against `tests/kube-test-server` (pods and their
//! status subresource) and the Lattice emulator's `ListTargets` through the
//! AWS SDK, with the target's health set by the emulator's test knob.

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use aws_sdk_vpclattice::config::Credentials;
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::api::discovery::v1::EndpointSlice;
use kube::api::{Api, Patch, PatchParams};
use kube_test_server::TestApiServer;
use lattice_emulator::Emulator;
use serde_json::json;

use super::sync::Pass;
use super::*;
use crate::config::ClusterConfig;
use crate::lattice::model::{
    CreateTargetGroupInput, RegisterTargetsInput, Tags, Target, TargetGroupConfig,
};
use crate::lattice::{Lattice, SdkLattice, SdkOptions};

const POD: &str = r#"
apiVersion: v1
kind: Pod
metadata: {name: rates-1, namespace: shop, labels: {app: rates}}
spec:
  containers: [{name: app, image: rates:1}]
  readinessGates: [{conditionType: application-networking.k8s.aws/pod-readiness-gate}]
"#;

/// The Service `rates`'s slice: the pod at 10.0.0.7, port 8080, not ready.
fn slice(ready: bool) -> Arc<EndpointSlice> {
    Arc::new(
        serde_json::from_value(json!({
            "apiVersion": "discovery.k8s.io/v1",
            "kind": "EndpointSlice",
            "metadata": {
                "name": "rates-abc",
                "namespace": "shop",
                "labels": {"kubernetes.io/service-name": "rates"},
            },
            "addressType": "IPv4",
            "ports": [{"port": 8080, "protocol": "TCP"}],
            "endpoints": [{
                "addresses": ["10.0.0.7"],
                "conditions": {"ready": ready},
                "targetRef": {"kind": "Pod", "namespace": "shop", "name": "rates-1"},
            }],
        }))
        .unwrap(),
    )
}

struct World {
    server: TestApiServer,
    client: kube::Client,
    emulator: Emulator,
    lattice: SdkLattice,
    cluster: ClusterConfig,
    group: String,
}

/// The pod, and a target group of this cluster for Service `shop/rates`
/// with the pod's target registered.
async fn setup() -> World {
    let server = TestApiServer::start().await;
    server.apply_manifests(POD).unwrap();
    let client = kube::Client::try_from(kube::Config::new(server.url().parse().unwrap())).unwrap();
    // The kubelet's own condition, which the pass must keep.
    let pods: Api<Pod> = Api::namespaced(client.clone(), "shop");
    pods.patch_status(
        "rates-1",
        &PatchParams::default(),
        &Patch::Merge(json!({"status": {"conditions": [{"type": "Ready", "status": "False"}]}})),
    )
    .await
    .unwrap();

    let emulator = Emulator::new("000000000000", "us-west-2", 50);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(emulator.clone().serve(listener));
    let options = SdkOptions {
        endpoint_url: Some(url),
        calls_per_second: NonZeroU32::new(1000).unwrap(),
        burst: NonZeroU32::new(1000).unwrap(),
        max_attempts: 2,
        initial_backoff: Duration::from_millis(1),
        ..SdkOptions::default()
    };
    let lattice = SdkLattice::with_credentials(
        "us-west-2",
        Credentials::new("AKIDEXAMPLE", "secret", None, None, "t"),
        &options,
    );
    let cluster = ClusterConfig::local();
    let prefix = "application-networking.k8s.aws/";
    let tags: Tags = [
        ("ManagedBy", cluster.managed_by()),
        ("ClusterName", cluster.cluster_name.clone()),
        ("ServiceName", "rates".into()),
        ("ServiceNamespace", "shop".into()),
    ]
    .into_iter()
    .map(|(key, value)| (format!("{prefix}{key}"), value))
    .collect();
    let group = lattice
        .create_target_group(CreateTargetGroupInput {
            name: "k8s-shop-rates".into(),
            type_: "IP".into(),
            config: TargetGroupConfig {
                port: 8080,
                protocol: "HTTP".into(),
                protocol_version: Some("HTTP1".into()),
                ip_address_type: "IPV4".into(),
                vpc_identifier: cluster.vpc_id.clone(),
                health_check: None,
            },
            tags,
        })
        .await
        .unwrap()
        .id;
    lattice
        .register_targets(RegisterTargetsInput {
            target_group_identifier: group.clone(),
            targets: vec![Target {
                id: "10.0.0.7".into(),
                port: 8080,
            }],
        })
        .await
        .unwrap();
    World {
        server,
        client,
        emulator,
        lattice,
        cluster,
        group,
    }
}

impl World {
    async fn pass(&self, ready: bool) -> Pass {
        sync(&self.client, &self.lattice, &self.cluster, &[slice(ready)])
            .await
            .unwrap()
    }

    fn set_health(&self, status: &str) {
        self.emulator
            .set_target_status(&self.group, "10.0.0.7", 8080, Some(status));
    }

    /// The pod's conditions as (type, status, reason, message).
    async fn conditions(&self) -> Vec<(String, String, String, String)> {
        let pods: Api<Pod> = Api::namespaced(self.client.clone(), "shop");
        let pod = pods.get_status("rates-1").await.unwrap();
        pod.status
            .and_then(|status| status.conditions)
            .unwrap_or_default()
            .into_iter()
            .map(|condition| {
                (
                    condition.type_,
                    condition.status,
                    condition.reason.unwrap_or_default(),
                    condition.message.unwrap_or_default(),
                )
            })
            .collect()
    }

    async fn gate(&self) -> (String, String, String) {
        let (_, status, reason, message) = self
            .conditions()
            .await
            .into_iter()
            .find(|(type_, ..)| type_ == READINESS_GATE)
            .expect("the gate's condition");
        (status, reason, message)
    }
}

fn owned(status: &str, reason: &str, message: &str) -> (String, String, String) {
    (status.into(), reason.into(), message.into())
}

#[tokio::test]
async fn a_gated_pod_is_initial_then_healthy_as_its_target() {
    let world = setup().await;
    world.set_health("INITIAL");
    let pass = world.pass(false).await;
    assert_eq!(
        pass,
        Pass {
            pending: 1,
            written: 1
        }
    );
    assert_eq!(world.gate().await, owned("False", "Initial", ""));
    // The kubelet's condition is kept.
    assert!(
        world
            .conditions()
            .await
            .iter()
            .any(|(type_, ..)| type_ == "Ready")
    );

    // Nothing changed: nothing is written, and the pod stays pending.
    assert_eq!(
        world.pass(false).await,
        Pass {
            pending: 1,
            written: 0
        }
    );

    world.set_health("UNHEALTHY");
    world.pass(false).await;
    assert_eq!(
        world.gate().await,
        owned(
            "False",
            "Unhealthy",
            "Target health check status: UNHEALTHY"
        )
    );

    world.set_health("HEALTHY");
    assert_eq!(
        world.pass(false).await,
        Pass {
            pending: 0,
            written: 1
        }
    );
    assert_eq!(world.gate().await, owned("True", "Healthy", ""));
    // True is final: the pod is not looked at again.
    world.set_health("UNHEALTHY");
    assert_eq!(world.pass(false).await, Pass::default());
    assert_eq!(world.gate().await, owned("True", "Healthy", ""));
}

#[tokio::test]
async fn unused_unavailable_and_missing_targets() {
    let world = setup().await;
    // The emulator's default: no service forwards to the group.
    assert_eq!(
        world.pass(false).await,
        Pass {
            pending: 0,
            written: 1
        }
    );
    assert_eq!(world.gate().await, owned("False", "Unused", ""));

    world.set_health("UNAVAILABLE");
    world.pass(false).await;
    assert_eq!(
        world.gate().await,
        owned("True", "HealthCheckUnavailable", "")
    );

    let other = setup().await;
    other
        .lattice
        .deregister_targets(crate::lattice::model::DeregisterTargetsInput {
            target_group_identifier: other.group.clone(),
            targets: vec![Target {
                id: "10.0.0.7".into(),
                port: 8080,
            }],
        })
        .await
        .unwrap();
    assert_eq!(
        other.pass(false).await,
        Pass {
            pending: 1,
            written: 1
        }
    );
    assert_eq!(other.gate().await, owned("False", "TargetNotFound", ""));
}

#[tokio::test]
async fn ready_endpoints_and_pods_without_the_gate_are_left_alone() {
    let world = setup().await;
    world.set_health("HEALTHY");
    // A ready endpoint: nothing to do.
    assert_eq!(world.pass(true).await, Pass::default());
    // A pod without the gate.
    world
        .server
        .apply_manifests(&POD.replace(
            "  readinessGates: [{conditionType: application-networking.k8s.aws/pod-readiness-gate}]\n",
            "",
        ))
        .unwrap();
    assert_eq!(world.pass(false).await, Pass::default());
    assert!(
        world
            .conditions()
            .await
            .iter()
            .all(|(type_, ..)| type_ != READINESS_GATE)
    );
}
