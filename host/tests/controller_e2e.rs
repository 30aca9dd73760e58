//! `trellis run` end to end: three controller processes (the config cluster
//! and two workload clusters of `examples/multi-cluster`), each watching its
//! own Kubernetes API server on 127.0.0.1 (`kube-test-server`), all applying
//! to one VPC Lattice emulator on 127.0.0.1 through the AWS SDK.
//!
//! The test follows the mesh to the planned state, the conditions on the
//! Gateway and the route, an update of the route, and the deletion of the
//! route and an export until their finalizers are gone with their Lattice
//! resources.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use gateway_api::apis::standard::httproutes::HttpRoute;
use kube::api::{Api, DeleteParams, PostParams};
use kube::core::{ApiResource, DynamicObject};
use kube_test_server::TestApiServer;
use lattice_emulator::Emulator;
use serde_json::Value;
use trellis::kube::crds::ServiceExport;
use trellis::kube::manifests;
use trellis::lattice::model::{CreateServiceInput, CreateTargetGroupInput, TargetGroupConfig};
use trellis::lattice::{InMemoryLattice, Lattice, LatticeState};
use trellis::plugin::{Plugin, PluginEngine, PluginSet};
use trellis::reconcile::plan;

const DEADLINE: Duration = Duration::from_secs(180);
const DOMAIN_NAME: &str = "application-networking.k8s.aws/lattice-assigned-domain-name";

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/multi-cluster")
}

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

/// A Kubernetes client of `server`, over HTTP.
fn client(server: &TestApiServer) -> kube::Client {
    let config = kube::Config::new(server.url().parse().unwrap());
    kube::Client::try_from(config).unwrap()
}

/// The manifests of a cluster folder that the API server holds (every
/// object but Deployments, which Trellis does not read).
fn cluster_manifests(folder: &Path) -> String {
    let mut documents = Vec::new();
    let mut paths: Vec<PathBuf> = std::fs::read_dir(folder)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.file_name().unwrap() != "cluster.yaml")
        .collect();
    paths.sort();
    for path in paths {
        let text = std::fs::read_to_string(&path).unwrap();
        for document in text.split("\n---") {
            if !document.contains("kind: Deployment") && document.contains("kind:") {
                documents.push(document.trim().to_owned());
            }
        }
    }
    documents.join("\n---\n")
}

fn start_controller(
    cluster: &trellis::config::ClusterConfig,
    server: &TestApiServer,
    lattice_url: &str,
    folder: &Path,
    more_args: &[String],
) -> Controller {
    start_controller_with_env(cluster, server, lattice_url, folder, more_args, &[])
}

/// [`start_controller`] with more environment variables.
fn start_controller_with_env(
    cluster: &trellis::config::ClusterConfig,
    server: &TestApiServer,
    lattice_url: &str,
    folder: &Path,
    more_args: &[String],
    more_env: &[(&str, &str)],
) -> Controller {
    let kubeconfig = folder.join(format!("{}.kubeconfig", cluster.cluster_name));
    server.write_kubeconfig(&kubeconfig).unwrap();
    let log = folder.join(format!("{}.log", cluster.cluster_name));
    let child = Command::new(env!("CARGO_BIN_EXE_trellis"))
        .args([
            "run",
            "--metrics-bind-address",
            "127.0.0.1:0",
            "--health-probe-bind-address",
            "127.0.0.1:0",
            "--gc-interval-seconds",
            "1",
        ])
        .args(more_args)
        .env_clear()
        .env("KUBECONFIG", &kubeconfig)
        .env("CLUSTER_NAME", &cluster.cluster_name)
        .env("CLUSTER_VPC_ID", &cluster.vpc_id)
        .env("AWS_ACCOUNT_ID", &cluster.account_id)
        .env("REGION", &cluster.region)
        .env(
            "DEFAULT_SERVICE_NETWORK",
            cluster.default_service_network.clone().unwrap_or_default(),
        )
        .env("LATTICE_ENDPOINT", lattice_url)
        .env("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
        .env("AWS_SECRET_ACCESS_KEY", "secret")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("DEV_MODE", "1")
        .env("LOG_LEVEL", "info")
        .envs(more_env.iter().copied())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    Controller { child, log }
}

/// The state with identifiers taken out (`svc-0…`, in ids, ARNs and DNS
/// names) and every list sorted, so states reached in different orders
/// compare equal when they hold the same resources.
fn shape(state: &LatticeState) -> Value {
    fn scrub(value: &mut Value) {
        match value {
            Value::String(text) => *text = without_ids(text),
            Value::Array(items) => {
                items.iter_mut().for_each(scrub);
                items.sort_by_key(|item| item.to_string());
            }
            Value::Object(fields) => {
                fields.remove("status");
                fields.values_mut().for_each(scrub);
            }
            _ => {}
        }
    }
    let mut value = serde_json::to_value(state).unwrap();
    // Every cluster names the same default network: whichever controller
    // gets there first makes it (and tags it as its own); the plan's order
    // is one of the possible outcomes.
    for network in value["serviceNetworks"].as_array_mut().unwrap() {
        network.as_object_mut().unwrap().remove("tags");
    }
    scrub(&mut value);
    value
}

/// `text` with every `prefix-0…` identifier (17 hex digits) replaced by `<id>`.
fn without_ids(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(dash) = rest.find("-0") {
        let digits = rest[dash + 1..]
            .chars()
            .take_while(char::is_ascii_hexdigit)
            .count();
        if digits == 17 {
            let start = rest[..dash]
                .rfind(|c: char| !c.is_ascii_lowercase())
                .map_or(0, |i| i + 1);
            out.push_str(&rest[..start]);
            out.push_str("<id>");
            rest = &rest[dash + 1 + digits..];
        } else {
            out.push_str(&rest[..dash + 2]);
            rest = &rest[dash + 2..];
        }
    }
    out.push_str(rest);
    out
}

async fn planned_state(folder: &Path) -> LatticeState {
    let clusters = manifests::load_plan_inputs(&[folder.to_path_buf()]).unwrap();
    let engine = PluginEngine::new().unwrap();
    let plugin = PluginSet::stock(Plugin::default_plugin(&engine).unwrap());
    let lattice = InMemoryLattice::new("123456789012", "us-west-2");
    let report = plan(&clusters, &plugin, &lattice).await;
    assert!(report.problems.is_empty(), "{:#?}", report.problems);
    report.state
}

/// Waits until `check` passes, failing with its last complaint and the
/// controllers' logs.
async fn eventually(
    what: &str,
    controllers: &[Controller],
    mut check: impl FnMut() -> Result<(), String>,
) {
    let started = Instant::now();
    let _report = Reported(what.to_owned(), started);
    while let Err(complaint) = check() {
        if started.elapsed() > DEADLINE {
            for controller in controllers {
                eprintln!("---- {}\n{}", controller.log.display(), controller.log());
            }
            panic!("timed out waiting for: {what}\n{complaint}");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Prints how long a wait took, in the test's output.
struct Reported(String, Instant);

impl Drop for Reported {
    fn drop(&mut self) {
        eprintln!("{}: {:.1} s", self.0, self.1.elapsed().as_secs_f64());
    }
}

/// `Ok` when `holds`, else the complaint `Err("not yet")`.
fn holds(holds: bool) -> Result<(), String> {
    if holds { Ok(()) } else { Err("not yet".into()) }
}

fn conditions(status: &Value) -> Vec<String> {
    status["conditions"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|condition| {
            format!(
                "{}={}",
                condition["type"].as_str().unwrap_or_default(),
                condition["status"].as_str().unwrap_or_default()
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_brings_the_multi_cluster_example_up_follows_an_update_and_cleans_up() {
    let emulator = Emulator::new("123456789012", "us-west-2", 2);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let lattice_url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(emulator.clone().serve(listener));
    let scratch = tempfile::tempdir().unwrap();
    eprintln!("scratch folder: {}", scratch.path().display());

    let mut servers = Vec::new();
    let mut controllers = Vec::new();
    for name in ["config-cluster", "workload-cluster-1", "workload-cluster-2"] {
        let folder = example().join(name);
        let cluster = trellis::config::ClusterConfig::load(&folder.join("cluster.yaml")).unwrap();
        let server = TestApiServer::start().await;
        // Trellis's own CRDs, as the Helm chart installs them.
        server
            .apply_manifests(&trellis::kube::crds::to_yaml().unwrap())
            .unwrap();
        server.apply_manifests(&cluster_manifests(&folder)).unwrap();
        controllers.push(start_controller(
            &cluster,
            &server,
            &lattice_url,
            scratch.path(),
            &[],
        ));
        servers.push(server);
    }
    let (config, workload) = (&servers[0], &servers[1]);

    // The mesh converges to what `trellis plan examples/multi-cluster` shows.
    let expected = shape(&planned_state(&example()).await);
    eventually("the planned Lattice state", &controllers, || {
        let actual = shape(&emulator.lattice().state());
        if actual == expected {
            return Ok(());
        }
        Err(format!(
            "expected {}\nactual {}",
            serde_json::to_string_pretty(&expected).unwrap(),
            serde_json::to_string_pretty(&actual).unwrap()
        ))
    })
    .await;

    // Conditions and finalizers on the config cluster's objects.
    let route = || {
        config.object(
            "gateway.networking.k8s.io/v1",
            "httproutes",
            Some("default"),
            "my-httproute",
        )
    };
    eventually("route conditions", &controllers, || {
        holds(route().is_some_and(|route| {
            conditions(&route["status"]["parents"][0])
                == ["Accepted=True", "ResolvedRefs=True", "Programmed=True"]
                && route["metadata"]["annotations"][DOMAIN_NAME].is_string()
        }))
    })
    .await;
    let route_now = route().unwrap();
    assert_eq!(
        route_now["status"]["parents"][0]["controllerName"],
        "application-networking.k8s.aws/gateway-api-controller"
    );
    assert!(
        route_now["status"]["parents"][0]["conditions"][2]["message"]
            .as_str()
            .unwrap()
            .contains("default"),
        "the plugin that produced the result is named: {route_now}"
    );
    assert_eq!(
        route_now["metadata"]["finalizers"],
        serde_json::json!(["httproute.k8s.aws/resources"])
    );
    let service = &emulator.lattice().state().services[0];
    assert_eq!(
        route_now["metadata"]["annotations"][DOMAIN_NAME],
        service.dns_entry.domain_name.as_str(),
        "the route names its service's DNS name"
    );
    let class = config
        .object(
            "gateway.networking.k8s.io/v1",
            "gatewayclasses",
            None,
            "amazon-vpc-lattice",
        )
        .unwrap();
    assert_eq!(conditions(&class["status"]), ["Accepted=True"]);
    eventually("gateway conditions", &controllers, || {
        config
            .object(
                "gateway.networking.k8s.io/v1",
                "gateways",
                Some("default"),
                "my-gateway",
            )
            .is_some_and(|gateway| {
                conditions(&gateway["status"]) == ["Accepted=True", "Programmed=True"]
            })
            .then_some(())
            .ok_or_else(|| "not yet".to_owned())
    })
    .await;
    // The Gateway's listener status and address, as upstream's
    // `UpdateGWListenerStatus` writes them.
    let gateway = || {
        config.object(
            "gateway.networking.k8s.io/v1",
            "gateways",
            Some("default"),
            "my-gateway",
        )
    };
    let domain = service.dns_entry.domain_name.clone();
    eventually("gateway listener status and address", &controllers, || {
        let status = gateway().map(|gateway| gateway["status"].clone());
        holds(status.is_some_and(|status| {
            status["listeners"][0]["attachedRoutes"] == 1
                && status["addresses"] == serde_json::json!([{"type": "Hostname", "value": domain}])
        }))
    })
    .await;
    let listener = gateway().unwrap()["status"]["listeners"][0].clone();
    assert_eq!(listener["name"], "http");
    assert_eq!(
        listener["supportedKinds"],
        serde_json::json!([{"group": "gateway.networking.k8s.io", "kind": "HTTPRoute"}])
    );
    assert_eq!(
        conditions(&listener),
        ["Accepted=True", "ResolvedRefs=True", "Programmed=True"]
    );

    // Policies: verdicts on those no reconcile reads, annotations on an
    // AccessLogPolicy whose subscription exists.
    config.apply_manifests(POLICIES).unwrap();
    let policy = |plural: &str, name: &str| {
        config.object(
            "application-networking.k8s.aws/v1alpha1",
            plural,
            Some("default"),
            name,
        )
    };
    let accepted = |object: Option<Value>| {
        object.map(|object| {
            let condition = &object["status"]["conditions"][0];
            format!(
                "{}={}/{}: {}",
                condition["type"].as_str().unwrap_or_default(),
                condition["status"].as_str().unwrap_or_default(),
                condition["reason"].as_str().unwrap_or_default(),
                condition["message"].as_str().unwrap_or_default()
            )
        })
    };
    eventually("policy verdicts", &controllers, || {
        let missing = accepted(policy("iamauthpolicies", "missing-target"));
        let wrong = accepted(policy("vpcassociationpolicies", "wrong-kind"));
        let expected = (
            "Accepted=False/TargetNotFound: targetRef not found, target=default/no-such-route",
            "Accepted=False/Invalid: group/kind error: not supported GroupKind=/Service",
        );
        if (missing.as_deref(), wrong.as_deref()) == (Some(expected.0), Some(expected.1)) {
            return Ok(());
        }
        Err(format!("{missing:?}, {wrong:?}"))
    })
    .await;
    eventually("the AccessLogPolicy annotated", &controllers, || {
        let subscriptions = emulator.lattice().state().access_log_subscriptions;
        let Some(subscription) = subscriptions.first() else {
            return Err("no subscription yet".into());
        };
        let annotations = policy("accesslogpolicies", "gateway-logs")
            .map(|object| object["metadata"]["annotations"].clone())
            .unwrap_or_default();
        holds(
            annotations["application-networking.k8s.aws/accessLogSubscription"]
                == subscription.arn.as_str()
                && annotations["application-networking.k8s.aws/accessLogSubscriptionResourceName"]
                    == "my-gateway",
        )
    })
    .await;

    let services = config.objects("services");
    assert!(
        services
            .iter()
            .all(|service| service["metadata"]["finalizers"].is_null()),
        "Services get no finalizer"
    );

    // A ServiceNetwork object: its network is made and its status written;
    // deleted, the network (this controller's) goes, then the finalizer.
    let network_object = || {
        config.object(
            "application-networking.k8s.aws/v1alpha1",
            "servicenetworks",
            None,
            "extra-network",
        )
    };
    config
        .apply_manifests(
            "apiVersion: application-networking.k8s.aws/v1alpha1\nkind: ServiceNetwork\nmetadata: {name: extra-network}\n",
        )
        .unwrap();
    eventually("the ServiceNetwork object programmed", &controllers, || {
        holds(network_object().is_some_and(|object| {
            conditions(&object["status"]) == ["Accepted=True", "Programmed=True"]
                && object["status"]["serviceNetworkARN"].is_string()
                && object["metadata"]["finalizers"]
                    == serde_json::json!(["servicenetwork.k8s.aws/resources"])
        }))
    })
    .await;
    let networks: Api<DynamicObject> = Api::all_with(
        client(config),
        &ApiResource::erase::<trellis::kube::crds::ServiceNetwork>(&()),
    );
    networks
        .delete("extra-network", &DeleteParams::default())
        .await
        .unwrap();
    eventually("the ServiceNetwork object gone", &controllers, || {
        holds(network_object().is_none())
    })
    .await;
    assert!(
        !emulator
            .lattice()
            .state()
            .service_networks
            .iter()
            .any(|network| network.name == "extra-network"),
        "its network is deleted"
    );

    // An update: the route loses its second rule.
    let routes: Api<HttpRoute> = Api::namespaced(client(config), "default");
    let mut updated = routes.get("my-httproute").await.unwrap();
    updated.spec.rules.as_mut().unwrap().truncate(1);
    routes
        .replace("my-httproute", &PostParams::default(), &updated)
        .await
        .unwrap();
    eventually("one rule left", &controllers, || {
        holds(emulator.lattice().state().rules.len() == 1)
    })
    .await;

    // Deleting the route: its service goes, then its finalizer.
    routes
        .delete("my-httproute", &DeleteParams::default())
        .await
        .unwrap();
    eventually("the route gone from the API", &controllers, || {
        holds(route().is_none())
    })
    .await;
    let state = emulator.lattice().state();
    assert!(state.services.is_empty(), "{:#?}", state.services);
    assert!(state.listeners.is_empty() && state.rules.is_empty());
    eventually("the Gateway counts no route", &controllers, || {
        let status = gateway().map(|gateway| gateway["status"].clone());
        holds(status.is_some_and(|status| {
            status["listeners"][0]["attachedRoutes"] == 0
                && status["addresses"] == serde_json::json!([])
        }))
    })
    .await;

    // Deleting an export: its target group goes, then its finalizer.
    let groups_before = emulator.lattice().state().target_groups.len();
    // Untyped: the example's export has no `spec`, which upstream's CRD
    // allows (Trellis's defaults it; this test server does no defaulting).
    let exports: Api<DynamicObject> = Api::namespaced_with(
        client(workload),
        "default",
        &ApiResource::erase::<ServiceExport>(&()),
    );
    exports
        .delete("service-1", &DeleteParams::default())
        .await
        .unwrap();
    eventually("the export gone from the API", &controllers, || {
        workload
            .object(
                "application-networking.k8s.aws/v1alpha1",
                "serviceexports",
                Some("default"),
                "service-1",
            )
            .is_none()
            .then_some(())
            .ok_or_else(|| "not yet".to_owned())
    })
    .await;
    assert_eq!(
        emulator.lattice().state().target_groups.len(),
        groups_before - 1
    );
}

/// Policies for the config cluster of `examples/multi-cluster`: one whose
/// target is missing, one on a kind it may not target, and an
/// AccessLogPolicy of the Gateway.
const POLICIES: &str = r#"
apiVersion: application-networking.k8s.aws/v1alpha1
kind: IAMAuthPolicy
metadata: {name: missing-target, namespace: default}
spec:
  targetRef: {group: gateway.networking.k8s.io, kind: HTTPRoute, name: no-such-route}
  policy: '{"Version": "2012-10-17", "Statement": []}'
---
apiVersion: application-networking.k8s.aws/v1alpha1
kind: VpcAssociationPolicy
metadata: {name: wrong-kind, namespace: default}
spec:
  targetRef: {group: "", kind: Service, name: service-1}
  associateWithVpc: true
---
apiVersion: application-networking.k8s.aws/v1alpha1
kind: AccessLogPolicy
metadata: {name: gateway-logs, namespace: default}
spec:
  targetRef: {group: gateway.networking.k8s.io, kind: Gateway, name: my-gateway}
  destinationArn: arn:aws:s3:::my-gateway-logs
"#;

/// One cluster whose route forwards to a local Service, in a namespace
/// labelled with its team.
const TEAM_CLUSTER: &str = r#"
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: amazon-vpc-lattice}
spec: {controllerName: application-networking.k8s.aws/gateway-api-controller}
---
apiVersion: v1
kind: Namespace
metadata: {name: default, labels: {team: payments}}
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
metadata: {name: cart, namespace: default}
spec: {ports: [{port: 80, targetPort: 8080}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: cart, namespace: default}
spec:
  parentRefs: [{name: my-gateway}]
  rules: [{backendRefs: [{name: cart, port: 80}]}]
"#;

/// Replaces `path` the way a deployment should: write aside, then rename.
fn replace(path: &Path, bytes: &[u8]) {
    let aside = path.with_extension("partial");
    std::fs::write(&aside, bytes).unwrap();
    std::fs::rename(&aside, path).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_serves_a_replaced_plugin_without_restarting_and_keeps_it_on_garbage() {
    let emulator = Emulator::new("123456789012", "us-west-2", 2);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let lattice_url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(emulator.clone().serve(listener));
    let scratch = tempfile::tempdir().unwrap();
    let policies = scratch.path().join("policies");
    std::fs::create_dir(&policies).unwrap();
    std::fs::write(
        policies.join("10-team.toml"),
        "[[plugin]]\nname = \"team\"\npath = \"../team.wasm\"\n",
    )
    .unwrap();
    let component = scratch.path().join("team.wasm");
    std::fs::copy(env!("TRELLIS_EXAMPLE_PLUGIN_TEAM_PREFIX"), &component).unwrap();

    let cluster =
        trellis::config::ClusterConfig::load(&example().join("config-cluster/cluster.yaml"))
            .unwrap();
    let server = TestApiServer::start().await;
    server
        .apply_manifests(&trellis::kube::crds::to_yaml().unwrap())
        .unwrap();
    server.apply_manifests(TEAM_CLUSTER).unwrap();
    let controllers = [start_controller(
        &cluster,
        &server,
        &lattice_url,
        scratch.path(),
        &["--policies".into(), policies.display().to_string()],
    )];
    let services = || -> Vec<(String, Option<String>)> {
        emulator
            .lattice()
            .state()
            .services
            .iter()
            .map(|service| (service.name.clone(), service.tags.get("Team").cloned()))
            .collect()
    };

    // team-prefix names the route's service after the namespace's team.
    eventually("the team-prefixed service", &controllers, || {
        holds(services().contains(&("payments-cart-default".into(), None)))
    })
    .await;
    let route = || {
        server
            .object(
                "gateway.networking.k8s.io/v1",
                "httproutes",
                Some("default"),
                "cart",
            )
            .unwrap()
    };
    eventually("the route names the chain", &controllers, || {
        let message = route()["status"]["parents"][0]["conditions"][0]["message"].clone();
        holds(message.as_str().is_some_and(|message| {
            message.contains("team sha256:") && message.contains(", default ")
        }))
    })
    .await;

    // The component replaced under the running controller: cost-tags now,
    // which leaves names stock and tags the service with the team.
    replace(
        &component,
        &std::fs::read(env!("TRELLIS_EXAMPLE_PLUGIN_COST_TAGS")).unwrap(),
    );
    eventually("the replaced plugin's result", &controllers, || {
        holds(services().contains(&("cart-default".into(), Some("payments".into()))))
    })
    .await;
    // The service comes first in a reconcile; its listener and rule follow.
    eventually(
        "the replaced plugin's result applied whole",
        &controllers,
        || {
            let state = emulator.lattice().state();
            let tagged = |tags: &std::collections::BTreeMap<String, String>| {
                tags.get("Team").is_some_and(|team| team == "payments")
            };
            holds(
                state
                    .listeners
                    .iter()
                    .any(|listener| tagged(&listener.tags))
                    && state.rules.iter().any(|rule| tagged(&rule.tags)),
            )
        },
    )
    .await;

    // Garbage: nothing changes, and the controller says why.
    let before = shape(&emulator.lattice().state());
    replace(&component, b"not a component");
    eventually("the failure reported as an event", &controllers, || {
        holds(server.objects("events").iter().any(|event| {
            event["reason"] == "PluginLoadFailed"
                && event["regarding"]["kind"] == "GatewayClass"
                && event["note"]
                    .as_str()
                    .is_some_and(|note| note.contains("team.wasm"))
        }))
    })
    .await;
    assert!(
        controllers[0]
            .log()
            .contains("the last good version keeps serving"),
        "{}",
        controllers[0].log()
    );
    // A reconcile after the failure (the route touched) keeps the result.
    let routes: Api<HttpRoute> = Api::namespaced(client(&server), "default");
    let mut touched = routes.get("cart").await.unwrap();
    touched
        .metadata
        .labels
        .get_or_insert_default()
        .insert("touched".into(), "yes".into());
    routes
        .replace("cart", &PostParams::default(), &touched)
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(shape(&emulator.lattice().state()), before);
}

/// How many routes and exports the concurrent-delete test makes, and how
/// many of each it keeps.
const MANY: usize = 16;
const KEPT: usize = 2;

/// One cluster with `MANY` Services, each with a route and a federated
/// export.
fn many_objects() -> String {
    let mut yaml = String::from(
        "apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\nmetadata: {name: amazon-vpc-lattice}\nspec: {controllerName: application-networking.k8s.aws/gateway-api-controller}\n---\napiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\nmetadata: {name: my-gateway, namespace: default}\nspec:\n  gatewayClassName: amazon-vpc-lattice\n  listeners: [{name: http, protocol: HTTP, port: 80}]\n",
    );
    for index in 0..MANY {
        yaml.push_str(&format!(
            "---\napiVersion: v1\nkind: Service\nmetadata: {{name: svc-{index}, namespace: default}}\nspec: {{ports: [{{port: 80, targetPort: 8080}}]}}\n---\napiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {{name: route-{index}, namespace: default}}\nspec:\n  parentRefs: [{{name: my-gateway}}]\n  rules: [{{backendRefs: [{{name: svc-{index}, port: 80}}]}}]\n---\napiVersion: application-networking.k8s.aws/v1alpha1\nkind: ServiceExport\nmetadata:\n  name: svc-{index}\n  namespace: default\n  annotations: {{application-networking.k8s.aws/federation: amazon-vpc-lattice}}\nspec: {{}}\n"
        ));
    }
    yaml
}

/// The ids of every service, listener, rule, association and target group,
/// sorted.
fn resource_ids(state: &LatticeState) -> Vec<String> {
    let mut ids: Vec<String> = state
        .services
        .iter()
        .map(|s| s.id.clone())
        .chain(state.listeners.iter().map(|l| l.id.clone()))
        .chain(state.rules.iter().map(|r| r.id.clone()))
        .chain(
            state
                .service_network_service_associations
                .iter()
                .map(|a| a.id.clone()),
        )
        .chain(state.target_groups.iter().map(|g| g.id.clone()))
        .collect();
    ids.sort();
    ids
}

/// The route or export a resource's tags name (`RouteName`, else
/// `ServiceName` of an export's group), if any.
fn tagged_object(tags: &std::collections::BTreeMap<String, String>) -> Option<String> {
    let tag = |key: &str| tags.get(&format!("application-networking.k8s.aws/{key}"));
    tag("RouteName")
        .cloned()
        .or_else(|| tag("ServiceName").map(|name| format!("export {name}")))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_routes_and_exports_deleted_at_once_take_only_their_own_resources() {
    let emulator = Emulator::new("123456789012", "us-west-2", 5);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let lattice_url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(emulator.clone().serve(listener));
    let scratch = tempfile::tempdir().unwrap();
    let cluster =
        trellis::config::ClusterConfig::load(&example().join("config-cluster/cluster.yaml"))
            .unwrap();

    // Someone else's service and target group, with the same route tags.
    let theirs = std::collections::BTreeMap::from([
        (
            "application-networking.k8s.aws/ManagedBy".to_owned(),
            "123456789012/someone-else/vpc-0a1b2c3d4e5f69999".to_owned(),
        ),
        (
            "application-networking.k8s.aws/RouteName".to_owned(),
            "route-5".to_owned(),
        ),
        (
            "application-networking.k8s.aws/RouteNamespace".to_owned(),
            "default".to_owned(),
        ),
    ]);
    let foreign_service = emulator
        .lattice()
        .create_service(CreateServiceInput {
            name: "theirs".into(),
            custom_domain_name: None,
            certificate_arn: None,
            auth_type: "NONE".into(),
            tags: theirs.clone(),
        })
        .await
        .unwrap();
    let foreign_group = emulator
        .lattice()
        .create_target_group(CreateTargetGroupInput {
            name: "theirs".into(),
            type_: "IP".into(),
            config: TargetGroupConfig {
                port: 80,
                protocol: "HTTP".into(),
                protocol_version: Some("HTTP1".into()),
                ip_address_type: "IPV4".into(),
                vpc_identifier: cluster.vpc_id.clone(),
                health_check: None,
            },
            tags: theirs,
        })
        .await
        .unwrap();

    let server = TestApiServer::start().await;
    server
        .apply_manifests(&trellis::kube::crds::to_yaml().unwrap())
        .unwrap();
    server.apply_manifests(&many_objects()).unwrap();
    let controllers = [start_controller_with_env(
        &cluster,
        &server,
        &lattice_url,
        scratch.path(),
        &[],
        &[("ROUTE_MAX_CONCURRENT_RECONCILES", "8")],
    )];

    let finalized = |plural: &str| {
        server.objects(plural).iter().all(|object| {
            object["metadata"]["finalizers"]
                .as_array()
                .is_some_and(|list| !list.is_empty())
        })
    };
    eventually("every route and export applied", &controllers, || {
        let state = emulator.lattice().state();
        holds(
            state.services.len() == MANY + 1
                && state.listeners.len() == MANY
                && state.rules.len() == MANY
                && server
                    .objects("httproutes")
                    .iter()
                    .all(|route| route["metadata"]["annotations"][DOMAIN_NAME].is_string())
                && state.target_groups.len() == 2 * MANY + 1
                && finalized("httproutes")
                && finalized("serviceexports"),
        )
    })
    .await;
    let before = emulator.lattice().state();
    let kept_ids = |state: &LatticeState| {
        let mut kept = state.clone();
        let keep = |tags: &std::collections::BTreeMap<String, String>| {
            tagged_object(tags).is_none_or(|object| {
                (0..KEPT).any(|index| {
                    object == format!("route-{index}") || object == format!("export svc-{index}")
                }) || object == "route-5" && tags.values().any(|v| v.contains("someone-else"))
            })
        };
        let kept_services: Vec<String> = state
            .services
            .iter()
            .filter(|s| keep(&s.tags))
            .map(|s| s.id.clone())
            .collect();
        kept.services.retain(|s| kept_services.contains(&s.id));
        kept.listeners
            .retain(|l| kept_services.contains(&l.service_id));
        kept.rules.retain(|r| kept_services.contains(&r.service_id));
        kept.service_network_service_associations
            .retain(|a| kept_services.contains(&a.service_id));
        kept.target_groups.retain(|g| keep(&g.tags));
        resource_ids(&kept)
    };
    let expected_left = kept_ids(&before);
    // Startup may warn (a route reconciled before its service network was
    // made); the deletes must not.
    let warnings_before: Vec<String> = server
        .objects("events")
        .into_iter()
        .filter(|event| event["type"] == "Warning")
        .map(|event| event["metadata"]["name"].to_string())
        .collect();
    let log_before = controllers[0].log().len();

    // Every other route and export deleted at once.
    let client = client(&server);
    let routes: Api<HttpRoute> = Api::namespaced(client.clone(), "default");
    let exports: Api<DynamicObject> =
        Api::namespaced_with(client, "default", &ApiResource::erase::<ServiceExport>(&()));
    let deletes = (KEPT..MANY).flat_map(|index| {
        let (routes, exports) = (routes.clone(), exports.clone());
        [
            tokio::spawn(async move {
                routes
                    .delete(&format!("route-{index}"), &DeleteParams::default())
                    .await
                    .map(|_| ())
            }),
            tokio::spawn(async move {
                exports
                    .delete(&format!("svc-{index}"), &DeleteParams::default())
                    .await
                    .map(|_| ())
            }),
        ]
    });
    for delete in futures::future::join_all(deletes).await {
        delete.unwrap().unwrap();
    }
    eventually(
        "the deleted objects gone from the API",
        &controllers,
        || {
            holds(
                server.objects("httproutes").len() == KEPT
                    && server.objects("serviceexports").len() == KEPT,
            )
        },
    )
    .await;

    let after = emulator.lattice().state();
    assert_eq!(
        resource_ids(&after),
        expected_left,
        "exactly the kept objects' and someone else's resources are left"
    );
    assert!(after.services.contains(&foreign_service));
    assert!(after.target_groups.contains(&foreign_group));
    // What is left is as it was.
    let left = |state: &LatticeState| -> Vec<String> {
        let value = serde_json::to_value(state).unwrap();
        let mut left: Vec<String> = ["services", "listeners", "rules", "targetGroups"]
            .iter()
            .flat_map(|list| value[*list].as_array().cloned().unwrap_or_default())
            .filter(|item| expected_left.iter().any(|id| item["id"] == id.as_str()))
            .map(|item| item.to_string())
            .collect();
        left.sort();
        left
    };
    assert_eq!(
        left(&after),
        left(&before),
        "the kept resources are unchanged"
    );
    let warnings: Vec<Value> = server
        .objects("events")
        .into_iter()
        .filter(|event| {
            event["type"] == "Warning"
                && !warnings_before.contains(&event["metadata"]["name"].to_string())
        })
        .collect();
    assert!(warnings.is_empty(), "{warnings:#?}");
    let log = controllers[0].log();
    let during = &log[log_before.min(log.len())..];
    assert!(
        !during.contains("reconcile failed") && !during.contains("ResourceNotFoundException"),
        "{during}"
    );
}
