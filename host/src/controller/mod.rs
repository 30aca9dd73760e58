//! `trellis run`: the Kubernetes controller.
//!
//! Flow: serve `/metrics`, `/healthz` and `/readyz`; check that every kind
//! Trellis watches is served (fail fast, naming the CRD and how to install
//! it); wait for the leader Lease when leader election is on; start one
//! watch per kind ([`watch`]) and wait for every store's first list; then
//! run one kube-runtime `Controller` per root kind (Gateway, HTTPRoute,
//! GRPCRoute, TLSRoute, ServiceExport; [`reconciler`]) fed by the triggers
//! the watches compute ([`triggers`]), and one task for the cluster-level
//! work ([`cluster`]: service networks, GatewayClass status, target-group
//! collection).
//!
//! Guarantees: nothing is reconciled before every store holds its first
//! list (so a partial view never prunes); the target-group collection runs
//! only on the leader; losing the Lease stops the controller with an error
//! (the process exits and Kubernetes restarts it as a standby).

mod backoff;
mod cluster;
mod context;
mod error;
mod finalizer;
mod http;
mod leader;
mod metrics;
mod policies;
mod reconciler;
mod reloads;
mod service_networks;
mod status;
mod stores;
mod triggers;
mod watch;

pub use error::Error;
pub use http::Readiness;
pub use metrics::Metrics;
pub use status::FIELD_MANAGER;
pub use triggers::{Change, affected};

use std::future::Future;
use std::sync::Arc;

use futures::StreamExt;
use futures::channel::mpsc;
use gateway_api::apis::standard::{
    gatewayclasses::GatewayClass, gateways::Gateway, grpcroutes::GrpcRoute, httproutes::HttpRoute,
    tlsroutes::TlsRoute,
};
use k8s_openapi::api::core::v1::{Namespace, Service};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use kube::api::{Api, ListParams};
use kube::core::DynamicObject;
use kube::runtime::events::{Recorder, Reporter};
use kube::runtime::reflector;
use kube::runtime::{Controller, controller};
use kube::{Client, Resource, ResourceExt};
use tokio::sync::watch as signal;

use self::context::Context;
use self::watch::Triggers;
use crate::config::Settings;
use crate::kube::crds::{ServiceExport, ServiceImport, policy_resources};
use crate::lattice::{CallCounter, Lattice};
use crate::plugin::reload::{self, Reload};
use crate::plugin::{LivePlugins, PluginLoader};
use crate::reconcile::problem::ObjectRef;
use tokio::sync::mpsc::UnboundedReceiver;

/// Why the controller stopped or could not start.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// A kind Trellis watches is not served by the API server.
    #[error("{kind} ({api_version}) is not served by the Kubernetes API: {install}")]
    MissingKind {
        kind: String,
        api_version: String,
        install: &'static str,
    },
    /// The API server could not be asked.
    #[error("Kubernetes API: {0}")]
    Kube(#[from] kube::Error),
    /// An endpoint address could not be bound.
    #[error("cannot serve metrics or health probes: {0}")]
    Bind(#[from] std::io::Error),
    /// Another replica took the leader Lease.
    #[error("lost the leader Lease; exiting so that a standby takes over")]
    LeadershipLost,
    /// The plugin and policy files cannot be watched.
    #[error(transparent)]
    Watch(#[from] crate::plugin::reload::WatchError),
}

const GATEWAY_API_INSTALL: &str = "install the Gateway API CRDs (standard channel, v1.5 or later: \
     kubectl apply -f https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.5.0/standard-install.yaml)";
const TRELLIS_INSTALL: &str = "install Trellis's CRDs (`trellis crds | kubectl apply -f -`, \
     or the Helm chart's crds/ folder)";

/// Fails unless the API server serves `resource`; `Ok(false)` when it does not and
/// `optional` is set.
async fn served(
    client: &Client,
    resource: &kube::core::ApiResource,
    optional: bool,
    install: &'static str,
) -> Result<bool, RunError> {
    let api: Api<DynamicObject> = Api::all_with(client.clone(), resource);
    match api.list_metadata(&ListParams::default().limit(1)).await {
        Ok(_) => Ok(true),
        Err(kube::Error::Api(status)) if status.code == 404 => {
            if optional {
                return Ok(false);
            }
            Err(RunError::MissingKind {
                kind: resource.kind.clone(),
                api_version: resource.api_version.clone(),
                install,
            })
        }
        Err(error) => Err(error.into()),
    }
}

fn erase<K: Resource<DynamicType = ()>>() -> kube::core::ApiResource {
    kube::core::ApiResource::erase::<K>(&())
}

/// Runs the controller until `shutdown` resolves (Ok) or it fails.
///
/// `lattice_calls` are the SDK client's request counts, exported as
/// metrics when given. `loader` gives the plugins; the caller has checked
/// that they load ([`PluginLoader::load`]). When it names any files (a
/// policy folder, `--plugin`), they are watched and hot-reloaded.
pub async fn run(
    settings: &Settings,
    client: Client,
    lattice: Arc<dyn Lattice>,
    lattice_calls: Option<CallCounter>,
    loader: PluginLoader,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), RunError> {
    let metrics = Arc::new(Metrics::new(lattice_calls));
    let mut loader = loader.with_observer(Arc::new(metrics::PluginCallMetrics(metrics.clone())));
    let (set, failures) = loader.reload().await;
    for failure in failures {
        tracing::error!(%failure, "plugin or policy file failed to load");
    }
    let plugins = Arc::new(LivePlugins::new(set));
    let reloads = if loader.watched_files().is_empty() {
        None
    } else {
        Some(reload::spawn(loader, plugins.clone())?)
    };
    let readiness = Readiness::default();
    let servers = http::serve(
        settings.metrics_bind_address,
        settings.health_probe_bind_address,
        metrics.clone(),
        readiness.clone(),
    )
    .await?;
    let servers = tokio::spawn(servers);

    for resource in [
        erase::<GatewayClass>(),
        erase::<Gateway>(),
        erase::<HttpRoute>(),
        erase::<GrpcRoute>(),
        erase::<TlsRoute>(),
    ] {
        served(&client, &resource, false, GATEWAY_API_INSTALL).await?;
    }
    for resource in [erase::<ServiceExport>(), erase::<ServiceImport>()] {
        served(&client, &resource, false, TRELLIS_INSTALL).await?;
    }
    let mut policies_served = Vec::new();
    for resource in policy_resources() {
        // Upstream registers its ServiceNetwork controller only when the
        // CRD is served; the other kinds are required.
        let optional = resource.kind == "ServiceNetwork";
        policies_served.push(served(&client, &resource, optional, TRELLIS_INSTALL).await?);
    }

    let mut shutdown = std::pin::pin!(shutdown);
    let mut leadership = match settings.leader_election.clone() {
        Some(election) => {
            // A standby is ready: it serves probes and waits for the Lease,
            // or for the signal to stop.
            readiness.set_ready();
            tokio::select! {
                leadership = leader::acquire(client.clone(), election) => Some(leadership),
                () = &mut shutdown => {
                    servers.abort();
                    return Ok(());
                }
            }
        }
        None => None,
    };

    let (stop, stopped) = signal::channel(false);
    let result = tokio::select! {
        result = reconcile_while_leading(settings, client, lattice, (plugins, reloads), metrics, readiness, policies_served, stopped) => result,
        () = async {
            match leadership.as_mut() {
                Some(leadership) => leadership.lost().await,
                None => std::future::pending().await,
            }
        } => Err(RunError::LeadershipLost),
        () = &mut shutdown => Ok(()),
    };
    let _ = stop.send(true);
    servers.abort();
    result
}

#[allow(clippy::too_many_arguments)]
async fn reconcile_while_leading(
    settings: &Settings,
    client: Client,
    lattice: Arc<dyn Lattice>,
    (plugins, reloads): (Arc<LivePlugins>, Option<UnboundedReceiver<Reload>>),
    metrics: Arc<Metrics>,
    readiness: Readiness,
    policies_served: Vec<bool>,
    stopped: signal::Receiver<bool>,
) -> Result<(), RunError> {
    let (gateway_tx, gateway_rx) = mpsc::unbounded();
    let (http_tx, http_rx) = mpsc::unbounded();
    let (grpc_tx, grpc_rx) = mpsc::unbounded();
    let (tls_tx, tls_rx) = mpsc::unbounded();
    let (export_tx, export_rx) = mpsc::unbounded();
    let (network_tx, network_rx) = mpsc::unbounded();
    let triggers = Triggers {
        gateways: gateway_tx,
        http_routes: http_tx,
        grpc_routes: grpc_tx,
        tls_routes: tls_tx,
        service_exports: export_tx,
        networks: network_tx,
    };

    let (gateway_classes, gateway_classes_writer) = reflector::store();
    let (gateways, gateways_writer) = reflector::store();
    let (http_routes, http_routes_writer) = reflector::store();
    let (grpc_routes, grpc_routes_writer) = reflector::store();
    let (tls_routes, tls_routes_writer) = reflector::store();
    let (services, services_writer) = reflector::store();
    let (endpoint_slices, endpoint_slices_writer) = reflector::store();
    let (namespaces, namespaces_writer) = reflector::store();
    let (service_exports, service_exports_writer) = reflector::store();
    let (service_imports, service_imports_writer) = reflector::store();
    let mut policy_stores = Vec::new();
    let mut policy_writers = Vec::new();
    for (resource, served) in policy_resources().into_iter().zip(&policies_served) {
        let writer = reflector::store::Writer::new(resource.clone());
        if *served {
            policy_stores.push(writer.as_reader());
            policy_writers.push((resource, writer));
        } else {
            policy_stores.push(watch::empty_store(writer));
        }
    }
    let stores = stores::Stores {
        gateway_classes,
        gateways,
        http_routes,
        grpc_routes,
        tls_routes,
        services,
        endpoint_slices,
        namespaces,
        service_exports,
        service_imports,
        policies: policy_stores,
    };

    let mut tasks = tokio::task::JoinSet::new();
    macro_rules! watch_kind {
        ($kind:ty, $writer:expr, $change:expr) => {
            tasks.spawn(watch::run::<$kind>(
                client.clone(),
                $writer,
                stores.clone(),
                triggers.clone(),
                $change,
            ));
        };
    }
    watch_kind!(GatewayClass, gateway_classes_writer, |class| {
        Change::GatewayClass(class.name_any())
    });
    watch_kind!(Gateway, gateways_writer, |object| Change::Root(root_ref(
        object
    )));
    watch_kind!(HttpRoute, http_routes_writer, |object| Change::Root(
        root_ref(object)
    ));
    watch_kind!(GrpcRoute, grpc_routes_writer, |object| Change::Root(
        root_ref(object)
    ));
    watch_kind!(TlsRoute, tls_routes_writer, |object| Change::Root(
        root_ref(object)
    ));
    watch_kind!(
        ServiceExport,
        service_exports_writer,
        |object| Change::Root(root_ref(object))
    );
    watch_kind!(Service, services_writer, |service| Change::Service(
        service.namespace().unwrap_or_default(),
        service.name_any()
    ));
    watch_kind!(EndpointSlice, endpoint_slices_writer, |slice| {
        Change::EndpointSlice(
            slice.namespace().unwrap_or_default(),
            slice.labels().get("kubernetes.io/service-name").cloned(),
        )
    });
    watch_kind!(Namespace, namespaces_writer, |namespace| Change::Namespace(
        namespace.name_any()
    ));
    watch_kind!(ServiceImport, service_imports_writer, |import| {
        Change::ServiceImport(import.namespace().unwrap_or_default(), import.name_any())
    });
    for (resource, writer) in policy_writers {
        tasks.spawn(watch::run_dynamic(
            Api::all_with(client.clone(), &resource),
            writer,
            stores.clone(),
            triggers.clone(),
            policy_change,
        ));
    }

    stores.ready().await;
    readiness.set_ready();
    tracing::info!(cluster = %settings.cluster.cluster_name, "watches synced; reconciling");

    let recorder = Recorder::new(
        client.clone(),
        Reporter {
            controller: "trellis".into(),
            instance: settings
                .leader_election
                .as_ref()
                .map(|election| election.identity.clone()),
        },
    );
    let ctx = Arc::new(Context {
        client: client.clone(),
        cluster: settings.cluster.clone(),
        stores: stores.clone(),
        plugins,
        lattice,
        recorder,
        metrics,
        resync: settings.resync,
        backoff: backoff::Backoff::default(),
    });
    let config = controller::Config::default().concurrency(settings.max_concurrent_reconciles);
    macro_rules! control {
        ($kind:ty, $store:expr, $triggers:expr) => {{
            let mut stopped = stopped.clone();
            tasks.spawn(
                Controller::for_shared_stream(futures::stream::pending(), $store.clone())
                    .with_config(config.clone())
                    .reconcile_on($triggers)
                    .graceful_shutdown_on(async move {
                        let _ = stopped.wait_for(|stop| *stop).await;
                    })
                    .run(
                        reconciler::reconcile::<$kind>,
                        reconciler::error_policy::<$kind>,
                        ctx.clone(),
                    )
                    .for_each(|_| futures::future::ready(())),
            );
        }};
    }
    control!(Gateway, stores.gateways, gateway_rx);
    control!(HttpRoute, stores.http_routes, http_rx);
    control!(GrpcRoute, stores.grpc_routes, grpc_rx);
    control!(TlsRoute, stores.tls_routes, tls_rx);
    control!(ServiceExport, stores.service_exports, export_rx);
    if let Some(reloads) = reloads {
        tasks.spawn(reloads::run(ctx.clone(), reloads, triggers.clone()));
    }
    tasks.spawn(cluster::run(ctx, network_rx, settings.gc_interval));

    // The tasks run until shutdown; one ending early is a watch or
    // controller that stopped, which only happens when stopping.
    while tasks.join_next().await.is_some() {}
    Ok(())
}

fn root_ref<K: Resource<DynamicType = ()>>(object: &K) -> ObjectRef {
    ObjectRef::new(
        K::kind(&()),
        object.meta().namespace.clone().unwrap_or_default(),
        object.meta().name.clone().unwrap_or_default(),
    )
}

/// The change a policy object makes: its `spec.targetRef`, or a
/// ServiceNetwork object.
fn policy_change(object: &DynamicObject) -> Change {
    let kind = object
        .types
        .as_ref()
        .map(|types| types.kind.clone())
        .unwrap_or_default();
    if kind == "ServiceNetwork" {
        return Change::ServiceNetwork(object.name_any());
    }
    let target = policies::target(object);
    Change::Policy { kind, target }
}
