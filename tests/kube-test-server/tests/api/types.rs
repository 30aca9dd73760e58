//! Which resource types are served: unregistered ones answer 404 (as for
//! a missing CRD), CustomResourceDefinitions register them, discovery
//! lists them.

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{
    Api, ApiResource, DeleteParams, DynamicObject, GroupVersionKind, ListParams, Patch,
    PatchParams, PostParams,
};
use kube_test_server::TestApiServer;
use serde_json::json;

use crate::support::{api_code, client};

fn dynamic_api(
    server: &TestApiServer,
    group: &str,
    version: &str,
    kind: &str,
    plural: &str,
) -> Api<DynamicObject> {
    let gvk = GroupVersionKind::gvk(group, version, kind);
    let resource = ApiResource::from_gvk_with_plural(&gvk, plural);
    Api::namespaced_with(client(server), "team", &resource)
}

#[tokio::test]
async fn unregistered_types_are_not_found() {
    let server = TestApiServer::builder()
        .without("gateway.networking.k8s.io", "tlsroutes")
        .start()
        .await;
    let widgets = dynamic_api(&server, "example.com", "v1", "Widget", "widgets");
    assert_eq!(api_code(widgets.get("w").await), 404);
    assert_eq!(api_code(widgets.list(&ListParams::default()).await), 404);
    match widgets.list(&ListParams::default()).await {
        Err(kube::Error::Api(status)) => assert_eq!(status.reason, "NotFound"),
        other => panic!("expected NotFound, got {other:?}"),
    }

    let tls_routes = dynamic_api(
        &server,
        "gateway.networking.k8s.io",
        "v1alpha2",
        "TLSRoute",
        "tlsroutes",
    );
    assert_eq!(api_code(tls_routes.list(&ListParams::default()).await), 404);
    let http_routes = dynamic_api(
        &server,
        "gateway.networking.k8s.io",
        "v1",
        "HTTPRoute",
        "httproutes",
    );
    assert!(
        http_routes
            .list(&ListParams::default())
            .await
            .unwrap()
            .items
            .is_empty()
    );
    let unserved_version = dynamic_api(
        &server,
        "gateway.networking.k8s.io",
        "v9",
        "HTTPRoute",
        "httproutes",
    );
    assert_eq!(
        api_code(unserved_version.list(&ListParams::default()).await),
        404
    );

    let version = client(&server).apiserver_version().await.unwrap();
    assert_eq!(version.major, "1");
}

#[tokio::test]
async fn discovery_lists_registered_types() {
    let server = TestApiServer::builder()
        .without("application-networking.k8s.aws", "serviceimports")
        .start()
        .await;
    let discovery = kube::discovery::Discovery::new(client(&server))
        .run()
        .await
        .unwrap();
    assert!(discovery.has_group("gateway.networking.k8s.io"));
    let route = GroupVersionKind::gvk("gateway.networking.k8s.io", "v1alpha3", "TLSRoute");
    let (resource, capabilities) = discovery.resolve_gvk(&route).unwrap();
    assert_eq!(resource.plural, "tlsroutes");
    assert!(
        capabilities
            .subresources
            .iter()
            .any(|(subresource, _)| subresource.plural == "status")
    );
    let lease = GroupVersionKind::gvk("coordination.k8s.io", "v1", "Lease");
    assert!(discovery.resolve_gvk(&lease).is_some());
    let import = GroupVersionKind::gvk(
        "application-networking.k8s.aws",
        "v1alpha1",
        "ServiceImport",
    );
    assert!(discovery.resolve_gvk(&import).is_none());
    let export = GroupVersionKind::gvk(
        "application-networking.k8s.aws",
        "v1alpha1",
        "ServiceExport",
    );
    let pinned = kube::discovery::pinned_kind(&client(&server), &export)
        .await
        .unwrap();
    assert_eq!(pinned.0.plural, "serviceexports");
}

const WIDGETS: &str = "
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names: {kind: Widget, plural: widgets, singular: widget, listKind: WidgetList}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
    subresources: {status: {}}
";

/// A CRD like the controller's ServiceExport one: no status subresource.
const SERVICE_EXPORTS: &str = "
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: serviceexports.application-networking.k8s.aws
spec:
  group: application-networking.k8s.aws
  names: {kind: ServiceExport, plural: serviceexports}
  scope: Namespaced
  versions:
  - name: v1alpha1
    served: true
    storage: true
---
apiVersion: application-networking.k8s.aws/v1alpha1
kind: ServiceExport
metadata:
  name: web
  namespace: team
";

#[tokio::test]
async fn crds_register_and_unregister_types() {
    let server = TestApiServer::builder()
        .without("application-networking.k8s.aws", "serviceexports")
        .start()
        .await;
    let widgets = dynamic_api(&server, "example.com", "v1", "Widget", "widgets");
    assert_eq!(api_code(widgets.list(&ListParams::default()).await), 404);

    let crds: Api<CustomResourceDefinition> = Api::all(client(&server));
    let crd: CustomResourceDefinition = serde_yaml_ng::from_str(WIDGETS).unwrap();
    crds.create(&PostParams::default(), &crd).await.unwrap();
    let gvk = GroupVersionKind::gvk("example.com", "v1", "Widget");
    let widget = DynamicObject::new("w", &ApiResource::from_gvk_with_plural(&gvk, "widgets"))
        .data(json!({"spec": {"size": 1}}));
    widgets
        .create(&PostParams::default(), &widget)
        .await
        .unwrap();
    let ready = Patch::Merge(json!({"status": {"ready": true}}));
    let patched = widgets
        .patch_status("w", &PatchParams::default(), &ready)
        .await
        .unwrap();
    assert_eq!(patched.data["status"]["ready"], true);

    crds.delete("widgets.example.com", &DeleteParams::default())
        .await
        .unwrap();
    assert_eq!(api_code(widgets.list(&ListParams::default()).await), 404);
    crds.create(&PostParams::default(), &crd).await.unwrap();
    let relisted = widgets.list(&ListParams::default()).await.unwrap();
    assert!(
        relisted.items.is_empty(),
        "deleting the CRD deleted its objects"
    );

    let exports = dynamic_api(
        &server,
        "application-networking.k8s.aws",
        "v1alpha1",
        "ServiceExport",
        "serviceexports",
    );
    assert_eq!(api_code(exports.get("web").await), 404);
    server.apply_manifests(SERVICE_EXPORTS).unwrap();
    assert!(
        exports.get("web").await.is_ok(),
        "the CRD took effect at once"
    );
    let status = Patch::Merge(json!({"status": {"conditions": []}}));
    assert_eq!(
        api_code(
            exports
                .patch_status("web", &PatchParams::default(), &status)
                .await
        ),
        404,
        "no status subresource in this CRD"
    );
}
