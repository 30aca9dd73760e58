//! ExternalDNS `DNSEndpoint`s of routes with a custom domain, end to end:
//! `trellis run` against a Kubernetes API server (`kube-test-server`) and
//! the VPC Lattice emulator, both on 127.0.0.1.
//!
//! With the CRD `dnsendpoints.externaldns.k8s.io` served, a route with a
//! custom domain gets `<route>-dns`, a CNAME to its service's DNS name owned
//! by the route; a changed route is merge-patched in, an endpoint changed
//! or deleted by hand is restored (the controller watches them); a route with the `dns-endpoint: "false"` annotation
//! gets none. Without the CRD, the routes are programmed and nothing is
//! written.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use kube::api::{Api, Patch, PatchParams};
use kube::core::{ApiResource, DynamicObject, GroupVersionKind};
use kube_test_server::TestApiServer;
use lattice_emulator::Emulator;
use serde_json::{Value, json};

const DEADLINE: Duration = Duration::from_secs(90);
const DOMAIN_NAME: &str = "application-networking.k8s.aws/lattice-assigned-domain-name";
const DNS_API_VERSION: &str = "externaldns.k8s.io/v1alpha1";

/// ExternalDNS's CRD, as far as the API server needs it to serve the type.
const DNS_ENDPOINT_CRD: &str = "
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: dnsendpoints.externaldns.k8s.io}
spec:
  group: externaldns.k8s.io
  names: {kind: DNSEndpoint, listKind: DNSEndpointList, plural: dnsendpoints, singular: dnsendpoint}
  scope: Namespaced
  versions:
  - name: v1alpha1
    served: true
    storage: true
    subresources: {status: {}}
    schema:
      openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
";

/// A Lattice Gateway, a Service with endpoints, and two routes with custom
/// domains: `rates` (published) and `quiet` (opted out).
const OBJECTS: &str = "
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: amazon-vpc-lattice}
spec: {controllerName: application-networking.k8s.aws/gateway-api-controller}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: my-gateway, namespace: default}
spec:
  gatewayClassName: amazon-vpc-lattice
  listeners: [{name: http, protocol: HTTP, port: 80}]
---
apiVersion: v1
kind: Service
metadata: {name: rates, namespace: default}
spec:
  selector: {app: rates}
  ports: [{name: http, port: 80, targetPort: 8090}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: rates-abc12
  namespace: default
  labels: {kubernetes.io/service-name: rates}
addressType: IPv4
ports: [{name: http, port: 8090, protocol: TCP}]
endpoints:
- addresses: [10.0.0.1]
  conditions: {ready: true}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: rates, namespace: default}
spec:
  parentRefs: [{name: my-gateway, sectionName: http}]
  hostnames: [rates.example.com]
  rules:
  - backendRefs: [{name: rates, port: 80}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: quiet
  namespace: default
  annotations: {application-networking.k8s.aws/dns-endpoint: 'false'}
spec:
  parentRefs: [{name: my-gateway, sectionName: http}]
  hostnames: [quiet.example.com]
  rules:
  - backendRefs: [{name: rates, port: 80}]
";

/// A `trellis run` process, killed when dropped; its log is kept in a file.
struct Controller {
    child: Child,
    log: PathBuf,
}

impl Controller {
    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Controller {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `trellis run` for cluster `dns-test` with default service network
/// `my-gateway`, against `server` and the emulator at `lattice_url`.
fn start_controller(server: &TestApiServer, lattice_url: &str, folder: &Path) -> Controller {
    let kubeconfig = folder.join("kubeconfig");
    server.write_kubeconfig(&kubeconfig).unwrap();
    let log = folder.join("trellis.log");
    let child = Command::new(env!("CARGO_BIN_EXE_trellis"))
        .args([
            "run",
            "--metrics-bind-address",
            "127.0.0.1:0",
            "--health-probe-bind-address",
            "127.0.0.1:0",
        ])
        .env_clear()
        .env("KUBECONFIG", &kubeconfig)
        .env("CLUSTER_NAME", "dns-test")
        .env("CLUSTER_VPC_ID", "vpc-0a1b2c3d4e5f60000")
        .env("AWS_ACCOUNT_ID", "123456789012")
        .env("REGION", "us-west-2")
        .env("DEFAULT_SERVICE_NETWORK", "my-gateway")
        .env("LATTICE_ENDPOINT", lattice_url)
        .env("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
        .env("AWS_SECRET_ACCESS_KEY", "secret")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("DEV_MODE", "1")
        .env("LOG_LEVEL", "info")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    Controller { child, log }
}

async fn emulator() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(Emulator::new("123456789012", "us-west-2", 2).serve(listener));
    url
}

/// An API server with Trellis's CRDs, `DNSEndpoint`'s when `dns_crd`, and
/// [`OBJECTS`].
async fn server(dns_crd: bool) -> TestApiServer {
    let server = TestApiServer::start().await;
    server
        .apply_manifests(&trellis::kube::crds::to_yaml().unwrap())
        .unwrap();
    if dns_crd {
        server.apply_manifests(DNS_ENDPOINT_CRD).unwrap();
    }
    server.apply_manifests(OBJECTS).unwrap();
    server
}

fn client(server: &TestApiServer) -> kube::Client {
    let config = kube::Config::new(server.url().parse().unwrap());
    kube::Client::try_from(config).unwrap()
}

/// Waits until `check` gives a value, failing with the controller's log.
async fn eventually<T>(
    what: &str,
    controller: &Controller,
    mut check: impl FnMut() -> Option<T>,
) -> T {
    let started = Instant::now();
    loop {
        if let Some(value) = check() {
            return value;
        }
        if started.elapsed() > DEADLINE {
            panic!("timed out waiting for: {what}\n{}", controller.log());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn route(server: &TestApiServer, name: &str) -> Value {
    server
        .object(
            "gateway.networking.k8s.io/v1",
            "httproutes",
            Some("default"),
            name,
        )
        .unwrap()
}

/// The DNS name Lattice assigned to the route's service, once the
/// controller has annotated the route with it.
fn assigned_domain_name(server: &TestApiServer, name: &str) -> Option<String> {
    route(server, name)["metadata"]["annotations"][DOMAIN_NAME]
        .as_str()
        .map(str::to_owned)
}

fn dns_endpoint(server: &TestApiServer, name: &str) -> Option<Value> {
    server.object(DNS_API_VERSION, "dnsendpoints", Some("default"), name)
}

/// The methods of the writes so far, in order, of DNSEndpoint `name` and of
/// creates (POSTs to the collection) in `default`.
fn writes(server: &TestApiServer, name: &str) -> Vec<String> {
    let collection = "/apis/externaldns.k8s.io/v1alpha1/namespaces/default/dnsendpoints";
    server
        .requests()
        .into_iter()
        .filter(|request| request.method != "GET")
        .filter(|request| {
            request.path == collection || request.path == format!("{collection}/{name}")
        })
        .map(|request| request.method)
        .collect()
}

fn cname(dns_name: &str, target: &str) -> Value {
    json!([{"dnsName": dns_name, "targets": [target], "recordType": "CNAME", "recordTTL": 300}])
}

fn dns_endpoints_api(server: &TestApiServer) -> Api<DynamicObject> {
    let resource = ApiResource::from_gvk_with_plural(
        &GroupVersionKind::gvk("externaldns.k8s.io", "v1alpha1", "DNSEndpoint"),
        "dnsendpoints",
    );
    Api::namespaced_with(client(server), "default", &resource)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_custom_domain_gets_a_dns_endpoint_kept_in_line_with_its_route() {
    let folder = tempfile::tempdir().unwrap();
    let server = server(true).await;
    let controller = start_controller(&server, &emulator().await, folder.path());

    let target = eventually("the service's DNS name on route rates", &controller, || {
        assigned_domain_name(&server, "rates")
    })
    .await;
    let endpoint = eventually("DNSEndpoint rates-dns", &controller, || {
        dns_endpoint(&server, "rates-dns")
    })
    .await;
    assert_eq!(
        endpoint["spec"]["endpoints"],
        cname("rates.example.com", &target)
    );
    let rates = route(&server, "rates");
    let owners = &endpoint["metadata"]["ownerReferences"];
    assert_eq!(owners.as_array().map(Vec::len), Some(1), "{endpoint}");
    assert_eq!(owners[0]["kind"], "HTTPRoute");
    assert_eq!(owners[0]["apiVersion"], "gateway.networking.k8s.io/v1");
    assert_eq!(owners[0]["name"], "rates");
    assert_eq!(owners[0]["uid"], rates["metadata"]["uid"]);
    assert_eq!(owners[0]["controller"], true);

    // The opted-out route is reconciled, and gets no endpoint.
    eventually("the service's DNS name on route quiet", &controller, || {
        assigned_domain_name(&server, "quiet")
    })
    .await;
    assert_eq!(dns_endpoint(&server, "quiet-dns"), None);

    // Reconciles of the route that change nothing write nothing: one
    // create, no patch.
    assert_eq!(writes(&server, "rates-dns"), ["POST"]);

    // An endpoint changed by hand (pointing at a service's old DNS name),
    // then one deleted by hand: the watch reconciles the route, which
    // restores it.
    dns_endpoints_api(&server)
        .patch(
            "rates-dns",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"endpoints": cname("rates.example.com", "old.on.aws")}})),
        )
        .await
        .unwrap();
    let published = cname("rates.example.com", &target);
    eventually("DNSEndpoint rates-dns restored", &controller, || {
        dns_endpoint(&server, "rates-dns")
            .filter(|endpoint| endpoint["spec"]["endpoints"] == published)
    })
    .await;
    dns_endpoints_api(&server)
        .delete("rates-dns", &Default::default())
        .await
        .unwrap();
    let recreated = eventually("DNSEndpoint rates-dns recreated", &controller, || {
        dns_endpoint(&server, "rates-dns")
            .filter(|again| again["metadata"]["uid"] != endpoint["metadata"]["uid"])
    })
    .await;
    assert_eq!(recreated["spec"]["endpoints"], published);

    // A new custom domain: the route's reconcile patches the endpoint.
    let routes: Api<DynamicObject> = Api::namespaced_with(
        client(&server),
        "default",
        &ApiResource::erase::<gateway_api::apis::standard::httproutes::HttpRoute>(&()),
    );
    routes
        .patch(
            "rates",
            &PatchParams::default(),
            &Patch::Merge(json!({"spec": {"hostnames": ["rates.example.org"]}})),
        )
        .await
        .unwrap();
    let wanted = cname("rates.example.org", &target);
    eventually("DNSEndpoint rates-dns patched", &controller, || {
        dns_endpoint(&server, "rates-dns")
            .filter(|endpoint| endpoint["spec"]["endpoints"] == wanted)
    })
    .await;
    let after = writes(&server, "rates-dns");
    assert_eq!(
        after,
        ["POST", "PATCH", "PATCH", "DELETE", "POST", "PATCH"],
        "created, patched by the test then restored, deleted by the test then \
         created again, then patched for the new domain"
    );
    let patched = dns_endpoint(&server, "rates-dns").unwrap();
    assert_eq!(
        patched["metadata"]["uid"], recreated["metadata"]["uid"],
        "patched in place, not recreated"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_crd_routes_are_programmed_and_no_dns_endpoint_is_written() {
    let folder = tempfile::tempdir().unwrap();
    let server = server(false).await;
    let controller = start_controller(&server, &emulator().await, folder.path());

    eventually("the service's DNS name on route rates", &controller, || {
        assigned_domain_name(&server, "rates")
    })
    .await;
    let status = &route(&server, "rates")["status"]["parents"][0]["conditions"];
    let programmed = status
        .as_array()
        .into_iter()
        .flatten()
        .find(|condition| condition["type"] == "Programmed");
    assert_eq!(
        programmed.map(|condition| condition["status"].clone()),
        Some(json!("True")),
        "{status}"
    );
    let writes: Vec<_> = server
        .requests()
        .into_iter()
        .filter(|request| request.path.contains("dnsendpoints") && request.method != "GET")
        .collect();
    assert!(
        writes.is_empty(),
        "{:?}",
        writes
            .iter()
            .map(|request| format!("{} {}", request.method, request.path))
            .collect::<Vec<_>>()
    );
    assert!(
        controller.log().contains("DNSEndpoint CRD"),
        "the start-up says the CRD is not served:\n{}",
        controller.log()
    );
}
