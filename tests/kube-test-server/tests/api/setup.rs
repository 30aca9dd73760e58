//! Test setup and inspection without HTTP, kubeconfigs, and shutdown.

use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::core::v1::{ConfigMap, Namespace};
use kube::Client;
use kube::api::{Api, PostParams, WatchParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube_test_server::{ManifestError, TestApiServer};

use crate::support::{client, eventually, within};
use crate::watches::config_map;

const MANIFESTS: &str = "
---
apiVersion: v1
kind: Namespace
metadata:
  name: team
---
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: gw
spec:
  gatewayClassName: lattice
status:
  conditions:
  - type: Accepted
    status: 'True'
";

#[tokio::test]
async fn kubeconfig_points_kube_at_the_server() {
    let server = TestApiServer::start().await;
    server.apply_manifests(MANIFESTS).unwrap();
    let directory = tempfile::tempdir().unwrap();
    let path = directory.path().join("kubeconfig");
    server.write_kubeconfig(&path).unwrap();
    let kubeconfig = Kubeconfig::read_from(&path).unwrap();
    assert_eq!(kubeconfig.current_context.as_deref(), Some("test"));
    let config = kube::Config::from_custom_kubeconfig(kubeconfig, &KubeConfigOptions::default())
        .await
        .unwrap();
    let client = Client::try_from(config).unwrap();
    let namespace = Api::<Namespace>::all(client).get("team").await.unwrap();
    assert_eq!(namespace.metadata.name.as_deref(), Some("team"));
}

#[tokio::test]
async fn manifests_create_then_replace() {
    let server = TestApiServer::start().await;
    let applied = server.apply_manifests(MANIFESTS).unwrap();
    assert_eq!(applied.len(), 2, "empty documents are skipped");
    let gateway = server
        .object(
            "gateway.networking.k8s.io/v1",
            "gateways",
            Some("default"),
            "gw",
        )
        .unwrap();
    assert_eq!(gateway["status"]["conditions"][0]["type"], "Accepted");
    assert_eq!(gateway["metadata"]["generation"], 1);

    let changed = MANIFESTS.replace("gatewayClassName: lattice", "gatewayClassName: other");
    server.apply_manifests(&changed).unwrap();
    let replaced = server
        .object(
            "gateway.networking.k8s.io/v1alpha3",
            "gateways",
            Some("default"),
            "gw",
        )
        .unwrap();
    assert_eq!(replaced["apiVersion"], "gateway.networking.k8s.io/v1alpha3");
    assert_eq!(replaced["spec"]["gatewayClassName"], "other");
    assert_eq!(replaced["metadata"]["generation"], 2);
    assert_eq!(replaced["metadata"]["uid"], gateway["metadata"]["uid"]);
    assert_eq!(server.objects("namespaces").len(), 1);
    assert!(server.object("v1", "widgets", None, "gw").is_none());

    let unknown =
        server.apply_manifests("apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n");
    assert!(matches!(
        unknown,
        Err(ManifestError::UnknownType { document: 1, .. })
    ));
    let list = server.apply_manifests("- a\n- b\n");
    assert!(matches!(
        list,
        Err(ManifestError::NotAnObject { document: 1 })
    ));
    let broken = server.apply_manifests("a: [\n");
    assert!(matches!(
        broken,
        Err(ManifestError::Yaml { document: 1, .. })
    ));
    let nameless = server.apply_manifests("apiVersion: v1\nkind: ConfigMap\n");
    assert!(matches!(
        nameless,
        Err(ManifestError::Rejected { code: 422, .. })
    ));
}

#[tokio::test]
async fn requests_are_recorded() {
    let server = TestApiServer::start().await;
    let api: Api<ConfigMap> = Api::namespaced(client(&server), "team");
    api.create(&PostParams::default(), &config_map("cm"))
        .await
        .unwrap();
    let requests = server.requests();
    let create = requests.last().unwrap();
    assert_eq!(create.method, "POST");
    assert_eq!(create.path, "/api/v1/namespaces/team/configmaps");
    assert_eq!(create.content_type.as_deref(), Some("application/json"));
    assert_eq!(create.query_param("fieldManager"), None);
}

#[tokio::test]
async fn shutdown_ends_watches_and_releases_the_port() {
    let server = TestApiServer::start().await;
    let address = server.url().trim_start_matches("http://").to_string();
    let api: Api<ConfigMap> = Api::namespaced(client(&server), "team");
    let mut events = api
        .watch(&WatchParams::default().timeout(290), "0")
        .await
        .unwrap()
        .boxed();
    within("shutdown", server.shutdown()).await;
    let end = within("the watch to end", events.try_next()).await;
    assert!(matches!(end, Ok(None) | Err(_)), "{end:?}");
    std::net::TcpListener::bind(&address).expect("the port is free again");

    let dropped = TestApiServer::start().await;
    let address = dropped.url().trim_start_matches("http://").to_string();
    drop(dropped);
    eventually("the dropped server to stop listening", || {
        std::net::TcpStream::connect(&address).is_err()
    })
    .await;
}
