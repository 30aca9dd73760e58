//! The status subresource: server-side apply and patches of `/status`
//! change only `.status`; main-resource writes leave it alone.

use k8s_openapi::api::core::v1::{Service, ServicePort, ServiceSpec};
use kube::api::{
    Api, ApiResource, DynamicObject, GroupVersionKind, ObjectMeta, Patch, PatchParams, PostParams,
};
use kube_test_server::TestApiServer;
use serde_json::json;

use crate::support::{api_code, client};

#[tokio::test]
async fn server_side_apply_of_status_changes_only_status() {
    let server = TestApiServer::start().await;
    let api: Api<Service> = Api::namespaced(client(&server), "team");
    let service = Service {
        metadata: ObjectMeta {
            name: Some("web".into()),
            ..ObjectMeta::default()
        },
        spec: Some(ServiceSpec {
            ports: Some(vec![ServicePort {
                port: 80,
                ..ServicePort::default()
            }]),
            ..ServiceSpec::default()
        }),
        ..Service::default()
    };
    let created = api.create(&PostParams::default(), &service).await.unwrap();
    let status = Patch::Apply(json!({
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "web"},
        "spec": {"ports": [{"port": 8080}]},
        "status": {"loadBalancer": {"ingress": [{"hostname": "web.example"}]}},
    }));
    let applied = api
        .patch_status("web", &PatchParams::apply("trellis"), &status)
        .await
        .unwrap();
    let ingress = applied
        .status
        .unwrap()
        .load_balancer
        .unwrap()
        .ingress
        .unwrap();
    assert_eq!(ingress[0].hostname.as_deref(), Some("web.example"));
    assert_eq!(
        applied.spec.unwrap().ports.unwrap()[0].port,
        80,
        "spec untouched"
    );
    assert_eq!(applied.metadata.generation, Some(1));
    assert_ne!(
        applied.metadata.resource_version,
        created.metadata.resource_version
    );

    let ignored = Patch::Merge(json!({"status": {"loadBalancer": null}}));
    let unchanged = api
        .patch("web", &PatchParams::default(), &ignored)
        .await
        .unwrap();
    assert_eq!(
        unchanged.metadata.resource_version,
        applied.metadata.resource_version
    );
    assert!(unchanged.status.unwrap().load_balancer.is_some());

    let spec = Patch::Merge(json!({"spec": {"ports": [{"port": 81}]}}));
    let respecced = api
        .patch("web", &PatchParams::default(), &spec)
        .await
        .unwrap();
    assert_eq!(respecced.metadata.generation, Some(2));
    assert!(respecced.status.unwrap().load_balancer.is_some());

    let read = api.get_status("web").await.unwrap();
    assert_eq!(read.metadata.generation, Some(2));
}

#[tokio::test]
async fn gateway_api_objects_through_dynamic_api() {
    let server = TestApiServer::start().await;
    let gvk = GroupVersionKind::gvk("gateway.networking.k8s.io", "v1", "Gateway");
    let resource = ApiResource::from_gvk_with_plural(&gvk, "gateways");
    let api: Api<DynamicObject> = Api::namespaced_with(client(&server), "team", &resource);
    let manager = PatchParams::apply("trellis");
    let gateway = Patch::Apply(json!({
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "Gateway",
        "metadata": {"name": "gw"},
        "spec": {"gatewayClassName": "amazon-vpc-lattice", "listeners": [{"name": "http", "port": 80, "protocol": "HTTP"}]},
        "status": {"conditions": []},
    }));
    let created = api.patch("gw", &manager, &gateway).await.unwrap();
    assert_eq!(
        created.data["spec"]["gatewayClassName"],
        "amazon-vpc-lattice"
    );
    assert!(created.data.get("status").is_none(), "creates drop status");

    let accepted = Patch::Apply(json!({
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "Gateway",
        "status": {"conditions": [{"type": "Accepted", "status": "True"}]},
    }));
    api.patch_status("gw", &manager, &accepted).await.unwrap();

    let old_version = GroupVersionKind::gvk("gateway.networking.k8s.io", "v1alpha2", "Gateway");
    let v1alpha2 = ApiResource::from_gvk_with_plural(&old_version, "gateways");
    let old_api: Api<DynamicObject> = Api::namespaced_with(client(&server), "team", &v1alpha2);
    let read = old_api.get("gw").await.unwrap();
    assert_eq!(
        read.types.unwrap().api_version,
        "gateway.networking.k8s.io/v1alpha2",
        "served as the version asked for"
    );
    assert_eq!(read.data["status"]["conditions"][0]["type"], "Accepted");
    let stored = server
        .object(
            "gateway.networking.k8s.io/v1",
            "gateways",
            Some("team"),
            "gw",
        )
        .unwrap();
    assert_eq!(stored["kind"], "Gateway");

    let missing = api.patch_status("nope", &manager, &accepted).await;
    assert_eq!(api_code(missing), 404, "apply to /status does not create");
}
