//! `trellis run`: the Kubernetes controller.
//!
//! Flow: serve `/metrics`, `/healthz` and `/readyz`, and the pod
//! readiness-gate webhook when enabled (`webhook`, on every replica); check that every kind
//! Trellis watches is served (fail fast, naming the CRD and how to install
//! it); wait for the leader Lease when leader election is on; start one
//! watch per kind (`watch`) and wait for every store's first list; then
//! run one kube-runtime `Controller` per root kind (Gateway, HTTPRoute,
//! GRPCRoute, TLSRoute, ServiceExport; `reconciler`) fed by the triggers
//! the watches compute (`triggers`), and one task for the cluster-level
//! work (`cluster`: service networks, GatewayClass status, target-group
//! collection), one that removes upstream's legacy finalizer from
//! Services (`legacy_finalizer`), and one that sets the readiness gate's
//! condition on pods from their Lattice targets' health (`readiness`).
//!
//! Guarantees: nothing is reconciled before every store holds its first
//! list (so a partial view never prunes); the target-group collection runs
//! only on the leader; losing the Lease stops the controller with an error
//! (the process exits and Kubernetes restarts it as a standby); on
//! shutdown the leader stops reconciling, then releases the Lease so that a
//! standby takes over at once.

mod access_log_annotations;
mod backoff;
mod blocked_deletion;
mod cluster;
mod context;
mod dns_endpoints;
mod error;
mod finalizer;
mod http;
mod leader;
mod legacy_finalizer;
mod listener_status;
mod metrics;
mod policies;
mod policy_statuses;
mod readiness;
mod reconciler;
mod reloads;
mod service_networks;
mod status;
mod status_only;
mod stores;
mod triggers;
mod watch;
mod webhook;

pub use error::Error;
pub use http::Readiness;
pub use metrics::Metrics;
pub use status::FIELD_MANAGER;
pub use triggers::{Change, affected};
pub use webhook::{MUTATE_POD_PATH, WebhookError};

use std::future::Future;
use std::sync::Arc;

use futures::{Stream, StreamExt};
use gateway_api::apis::standard::{
    gatewayclasses::GatewayClass, gateways::Gateway, grpcroutes::GrpcRoute, httproutes::HttpRoute,
    tlsroutes::TlsRoute,
};
use kube::api::{Api, ListParams};
use kube::core::DynamicObject;
use kube::runtime::events::{Recorder, Reporter};
use kube::runtime::reflector::{self, Store};
use kube::runtime::{Controller, controller};
use kube::{Client, Resource};
use tokio::sync::mpsc::UnboundedReceiver;
use tokio::sync::watch as signal;

use self::context::Context;
use self::reconciler::Root;
use self::watch::Triggers;
use crate::acm::{AcmOptions, CertificateDiscovery, Certificates, SdkAcm};
use crate::config::Settings;
use crate::kube::crds::{ServiceExport, ServiceImport, policy_resources};
use crate::lattice::{CallCounter, Lattice};
use crate::object::Kind;
use crate::plugin::reload::{self, Reload};
use crate::plugin::{LivePlugins, PluginLoader};

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
    /// The pod readiness-gate webhook cannot start.
    #[error(transparent)]
    Webhook(#[from] WebhookError),
}

const GATEWAY_API_INSTALL: &str = "install the Gateway API CRDs (standard channel, v1.5 or later: \
     kubectl apply -f https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.5.0/standard-install.yaml)";
const TRELLIS_INSTALL: &str = "install Trellis's CRDs (`trellis crds | kubectl apply -f -`, \
     or the Helm chart's crds/ folder)";

const EXTERNAL_DNS_INSTALL: &str = "install ExternalDNS's DNSEndpoint CRD \
     (externaldns.k8s.io_dnsendpoints.yaml) for routes' DNS records";

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
/// policy folder, `--plugin`), they are watched and hot-reloaded. Routes'
/// certificates are discovered through ACM in the cluster's region (the
/// endpoint as the AWS SDK configures it: `AWS_ENDPOINT_URL_ACM`).
pub async fn run(
    settings: &Settings,
    client: Client,
    lattice: Arc<dyn Lattice>,
    lattice_calls: Option<CallCounter>,
    loader: PluginLoader,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), RunError> {
    let metrics = Arc::new(Metrics::new(lattice_calls));
    let acm = SdkAcm::connect(&AcmOptions {
        region: Some(settings.cluster.region.clone()),
        connect_timeout: settings.connect_timeout,
        attempt_timeout: settings.attempt_timeout,
        ..AcmOptions::default()
    })
    .await;
    let certificates: Arc<dyn Certificates> = Arc::new(CertificateDiscovery::new(acm));
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
    let webhook_objects = settings
        .webhook
        .as_ref()
        .map(|_| webhook::Objects::new(client.clone()));
    let servers = match (&settings.webhook, &webhook_objects) {
        (Some(webhook), Some(objects)) => {
            let (webhook, _) = webhook::start(webhook, objects.clone()).await?;
            tokio::spawn(async move { tokio::join!(servers, webhook).0 })
        }
        _ => tokio::spawn(servers),
    };

    let policies_served = served_kinds(&client).await?;
    let dns_endpoints = served(
        &client,
        &dns_endpoints::resource(),
        true,
        EXTERNAL_DNS_INSTALL,
    )
    .await?;
    if !dns_endpoints {
        tracing::info!(
            "the DNSEndpoint CRD (externaldns.k8s.io/v1alpha1) is not served; routes get no DNSEndpoints"
        );
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
    let leading = Leading {
        settings,
        client,
        lattice,
        certificates,
        plugins,
        reloads,
        metrics,
        readiness,
        policies_served,
        dns_endpoints,
        webhook_objects,
        stopped,
    };
    let result = tokio::select! {
        result = leading.reconcile() => result,
        () = async {
            match leadership.as_mut() {
                Some(leadership) => leadership.lost().await,
                None => std::future::pending().await,
            }
        } => Err(RunError::LeadershipLost),
        () = &mut shutdown => Ok(()),
    };
    let _ = stop.send(true);
    if result.is_ok()
        && let Some(leadership) = leadership
        && let Err(error) = leadership.release().await
    {
        tracing::warn!(%error, "could not release the leader Lease; a standby takes it once it expires");
    }
    servers.abort();
    result
}

/// Fails unless every kind Trellis needs is served; says, per kind of
/// [`policy_resources`], whether it is served.
async fn served_kinds(client: &Client) -> Result<Vec<bool>, RunError> {
    for resource in [
        erase::<GatewayClass>(),
        erase::<Gateway>(),
        erase::<HttpRoute>(),
        erase::<GrpcRoute>(),
        erase::<TlsRoute>(),
    ] {
        served(client, &resource, false, GATEWAY_API_INSTALL).await?;
    }
    for resource in [erase::<ServiceExport>(), erase::<ServiceImport>()] {
        served(client, &resource, false, TRELLIS_INSTALL).await?;
    }
    let mut policies_served = Vec::new();
    for resource in policy_resources() {
        // Upstream registers its ServiceNetwork controller only when the
        // CRD is served; the other kinds are required.
        let optional = resource.kind == Kind::ServiceNetwork.as_str();
        policies_served.push(served(client, &resource, optional, TRELLIS_INSTALL).await?);
    }
    Ok(policies_served)
}

/// What the leader runs with.
struct Leading<'a> {
    settings: &'a Settings,
    client: Client,
    lattice: Arc<dyn Lattice>,
    certificates: Arc<dyn Certificates>,
    plugins: Arc<LivePlugins>,
    reloads: Option<UnboundedReceiver<Reload>>,
    metrics: Arc<Metrics>,
    readiness: Readiness,
    /// Per kind of [`policy_resources`], whether the API server serves it.
    policies_served: Vec<bool>,
    /// Whether the API server serves the DNSEndpoint CRD.
    dns_endpoints: bool,
    /// The webhook's objects, when it is served: handed the synced stores.
    webhook_objects: Option<webhook::Objects>,
    /// Turns true when the controllers should stop.
    stopped: signal::Receiver<bool>,
}

impl Leading<'_> {
    /// Watches every kind, then, once every store holds its first list,
    /// reconciles: one controller per root kind, the plugin reloads and the
    /// cluster-level task, until they stop.
    async fn reconcile(self) -> Result<(), RunError> {
        let (triggers, streams) = Triggers::channels();
        let mut tasks = tokio::task::JoinSet::new();
        let stores = watch::start(&self.client, &self.policies_served, &triggers, &mut tasks);
        stores.ready().await;
        if let Some(objects) = &self.webhook_objects {
            objects.use_stores(stores.clone());
        }
        self.readiness.set_ready();
        let cluster = &self.settings.cluster;
        tracing::info!(cluster = %cluster.cluster_name, "watches synced; reconciling");

        let recorder = self.recorder();
        let ctx = Arc::new(Context {
            client: self.client.clone(),
            cluster: cluster.clone(),
            stores: stores.clone(),
            plugins: self.plugins,
            lattice: self.lattice,
            certificates: self.certificates,
            recorder,
            metrics: self.metrics,
            resync: self.settings.resync,
            backoff: backoff::Backoff::default(),
            dns_endpoints: self.dns_endpoints,
            listener_statuses: Default::default(),
        });
        tasks.spawn(legacy_finalizer::run(
            ctx.clone(),
            stores.services.clone(),
            streams.legacy_finalizers,
            self.stopped.clone(),
        ));
        tasks.spawn(readiness::run(ctx.clone(), self.stopped.clone()));
        let controllers = Controllers {
            ctx: ctx.clone(),
            config: controller::Config::default()
                .concurrency(self.settings.max_concurrent_reconciles),
            stopped: self.stopped,
        };
        controllers.spawn(stores.gateways, streams.gateways, &mut tasks);
        controllers.spawn(stores.http_routes, streams.http_routes, &mut tasks);
        controllers.spawn(stores.grpc_routes, streams.grpc_routes, &mut tasks);
        controllers.spawn(stores.tls_routes, streams.tls_routes, &mut tasks);
        controllers.spawn(stores.service_exports, streams.service_exports, &mut tasks);
        if self.dns_endpoints {
            tasks.spawn(dns_endpoints::watch(self.client.clone(), triggers.clone()));
        }
        tasks.spawn(policy_statuses::run(ctx.clone(), streams.policies));
        if let Some(reloads) = self.reloads {
            tasks.spawn(reloads::run(ctx.clone(), reloads, triggers));
        }
        tasks.spawn(cluster::run(
            ctx,
            streams.networks,
            self.settings.gc_interval,
        ));

        // The tasks run until shutdown; one ending early is a watch or
        // controller that stopped, which only happens when stopping.
        while tasks.join_next().await.is_some() {}
        Ok(())
    }

    /// The event recorder, reporting as this replica.
    fn recorder(&self) -> Recorder {
        Recorder::new(
            self.client.clone(),
            Reporter {
                controller: "trellis".into(),
                instance: self
                    .settings
                    .leader_election
                    .as_ref()
                    .map(|election| election.identity.clone()),
            },
        )
    }
}

/// What every root kind's controller shares.
struct Controllers {
    ctx: Arc<Context>,
    config: controller::Config,
    stopped: signal::Receiver<bool>,
}

impl Controllers {
    /// Runs the controller of root kind `K` on `tasks`: it reconciles the
    /// objects of `store` that `triggers` name, until stopped.
    fn spawn<K: Root>(
        &self,
        store: Store<K>,
        triggers: impl Stream<Item = reflector::ObjectRef<K>> + Send + 'static,
        tasks: &mut tokio::task::JoinSet<()>,
    ) {
        let mut stopped = self.stopped.clone();
        tasks.spawn(
            Controller::for_shared_stream(futures::stream::pending(), store)
                .with_config(self.config.clone())
                .reconcile_on(triggers)
                .graceful_shutdown_on(async move {
                    let _ = stopped.wait_for(|stop| *stop).await;
                })
                .run(
                    reconciler::reconcile::<K>,
                    reconciler::error_policy::<K>,
                    self.ctx.clone(),
                )
                .for_each(|_| futures::future::ready(())),
        );
    }
}
