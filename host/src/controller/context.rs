//! What every reconcile shares: the Kubernetes client, the stores, the
//! plugins, the Lattice client, the event recorder and the metrics.

use std::sync::Arc;
use std::time::Duration;

use kube::Client;
use kube::runtime::events::Recorder;

use super::backoff::Backoff;
use super::listener_status::ListenerStatusMemo;
use super::metrics::Metrics;
use super::stores::Stores;
use crate::acm::Certificates;
use crate::config::ClusterConfig;
use crate::kube::{ClusterInput, Snapshot};
use crate::lattice::Lattice;
use crate::plugin::LivePlugins;

/// The controller's shared state, one per process (`Arc<Context>`).
pub struct Context {
    /// The Kubernetes client (status, finalizers, events).
    pub client: Client,
    /// The cluster this controller runs for.
    pub cluster: ClusterConfig,
    /// The reflector stores the snapshot is built from.
    pub stores: Stores,
    /// The plugins in force (hot-reloaded); each reconcile uses the set
    /// current when it starts.
    pub plugins: Arc<LivePlugins>,
    /// VPC Lattice (cached; write-through).
    pub lattice: Arc<dyn Lattice>,
    /// Where routes' certificates are discovered (ACM).
    pub certificates: Arc<dyn Certificates>,
    /// Publishes Kubernetes Events.
    pub recorder: Recorder,
    /// Prometheus metrics.
    pub metrics: Arc<Metrics>,
    /// Re-reconcile period of every object, if any.
    pub resync: Option<Duration>,
    /// Retry delays of failing objects.
    pub backoff: Backoff,
    /// Whether the API server served ExternalDNS's `DNSEndpoint` CRD at
    /// start-up: routes' DNSEndpoints are written only then.
    pub dns_endpoints: bool,
    /// The Gateways' listener statuses over the current shared snapshot.
    pub listener_statuses: ListenerStatusMemo,
}

impl Context {
    /// The pipeline's input for this cluster over `snapshot`.
    pub fn input(&self, snapshot: Arc<Snapshot>) -> ClusterInput {
        ClusterInput {
            config: self.cluster.clone(),
            snapshot,
            source: std::path::PathBuf::from("kubernetes"),
            skipped: Default::default(),
            left_out: Vec::new(),
        }
    }
}
