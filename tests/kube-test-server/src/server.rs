//! The running server: start-up, shutdown, and direct (non-HTTP) access to
//! its state for test setup and assertions.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::http;
use crate::kubeconfig::kubeconfig;
use crate::manifests::{self, ManifestError};
use crate::resources::{Registry, ResourceType};
use crate::store::{ObjectKey, Store};

/// One request the server answered, as received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    /// `GET`, `POST`, ...
    pub method: String,
    /// The path, e.g. `/api/v1/namespaces/default/configmaps`.
    pub path: String,
    /// The raw query string (without `?`), if any.
    pub query: Option<String>,
    /// The `Content-Type` header, if any.
    pub content_type: Option<String>,
}

impl RecordedRequest {
    /// The percent-decoded value of query parameter `name` (the last one if
    /// repeated).
    pub fn query_param(&self, name: &str) -> Option<String> {
        form_urlencoded::parse(self.query.as_deref().unwrap_or("").as_bytes())
            .filter(|(key, _)| key == name)
            .map(|(_, value)| value.into_owned())
            .last()
    }

    /// Whether the request was a watch (`watch=true` or `watch=1`).
    pub fn is_watch(&self) -> bool {
        matches!(self.query_param("watch").as_deref(), Some("true" | "1"))
    }
}

/// The served types and the objects, locked together so that a CRD write
/// and the registration it implies are one step.
pub(crate) struct State {
    pub registry: Registry,
    pub store: Store,
}

/// State shared by the HTTP handlers and the [`TestApiServer`] handle.
pub(crate) struct Shared {
    state: Mutex<State>,
    requests: Mutex<Vec<RecordedRequest>>,
    pub bookmark_interval: Duration,
    /// Becomes `true` (or closes) when the server shuts down.
    pub shutdown: watch::Receiver<bool>,
    pub address: SocketAddr,
}

impl Shared {
    /// The registry and store, locked. Never held across an `.await`.
    pub fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub fn record(&self, request: RecordedRequest) {
        self.requests
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(request);
    }
}

/// How to start a [`TestApiServer`]. By default: the types of
/// [`ResourceType::defaults`], 10,000 events of watch history, a bookmark
/// every second, a free port.
#[derive(Debug, Clone)]
pub struct Builder {
    resources: Vec<ResourceType>,
    history_limit: usize,
    bookmark_interval: Duration,
    port: u16,
}

impl Builder {
    /// Also serves `resource` (replacing a registered type with the same
    /// group, version and plural).
    pub fn resource(mut self, resource: ResourceType) -> Self {
        match self.resources.iter_mut().find(|t| {
            t.group == resource.group
                && t.version == resource.version
                && t.plural == resource.plural
        }) {
            Some(registered) => *registered = resource,
            None => self.resources.push(resource),
        }
        self
    }

    /// Stops serving every version of `plural` in `group` (`""` for core),
    /// e.g. to play a cluster where a CRD is not installed.
    pub fn without(mut self, group: &str, plural: &str) -> Self {
        self.resources
            .retain(|t| !(t.group == group && t.plural == plural));
        self
    }

    /// Keeps the last `events` writes for watches resuming from a
    /// `resourceVersion`; older ones get 410 `Expired`.
    pub fn history_limit(mut self, events: usize) -> Self {
        self.history_limit = events;
        self
    }

    /// How often watches that allow bookmarks get one.
    pub fn bookmark_interval(mut self, interval: Duration) -> Self {
        self.bookmark_interval = interval;
        self
    }

    /// Listens on this port of 127.0.0.1 (0, the default, picks a free one).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Starts serving on 127.0.0.1.
    ///
    /// # Panics
    ///
    /// If the port cannot be bound; see [`Builder::try_start`].
    pub async fn start(self) -> TestApiServer {
        let port = self.port;
        self.try_start()
            .await
            .unwrap_or_else(|error| panic!("kube-test-server: binding 127.0.0.1:{port}: {error}"))
    }

    /// Starts serving on 127.0.0.1, or fails if the port cannot be bound.
    pub async fn try_start(self) -> std::io::Result<TestApiServer> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, self.port)).await?;
        let address = listener.local_addr()?;
        let (stop, shutdown) = watch::channel(false);
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                registry: Registry::new(self.resources),
                store: Store::new(self.history_limit),
            }),
            requests: Mutex::new(Vec::new()),
            bookmark_interval: self.bookmark_interval,
            shutdown: shutdown.clone(),
            address,
        });
        let router = http::router(shared.clone());
        let mut signal = shutdown;
        let task = tokio::spawn(async move {
            let stopped = async move {
                // Ends when the flag is set or the handle is gone.
                let _ = signal.wait_for(|stopping| *stopping).await;
            };
            if let Err(error) = axum::serve(listener, router)
                .with_graceful_shutdown(stopped)
                .await
            {
                tracing::warn!(%error, "kube-test-server stopped serving");
            }
        });
        Ok(TestApiServer {
            shared,
            stop,
            task: Some(task),
        })
    }
}

/// A Kubernetes API server on 127.0.0.1, in memory, for tests. Dropping it
/// (or [`shutdown`](Self::shutdown)) stops it: the port is released and
/// open watches end.
pub struct TestApiServer {
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl TestApiServer {
    /// A server with the default configuration (see [`Builder`]).
    ///
    /// # Panics
    ///
    /// If 127.0.0.1 cannot be bound.
    pub async fn start() -> Self {
        Self::builder().start().await
    }

    /// A server to configure before starting.
    pub fn builder() -> Builder {
        Builder {
            resources: ResourceType::defaults(),
            history_limit: 10_000,
            bookmark_interval: Duration::from_secs(1),
            port: 0,
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.shared.address)
    }

    /// Writes a kubeconfig to `path` whose current context `test` points at
    /// this server over plain HTTP, with a user without credentials.
    pub fn write_kubeconfig(&self, path: impl AsRef<Path>) -> std::io::Result<()> {
        let text = kubeconfig(&self.url()).map_err(std::io::Error::other)?;
        std::fs::write(path, text)
    }

    /// The object `name` (in `namespace`, for namespaced types) of `plural`
    /// as `api_version` (`v1` or `group/version`) serves it; `None` if that
    /// type is not served or the object does not exist.
    pub fn object(
        &self,
        api_version: &str,
        plural: &str,
        namespace: Option<&str>,
        name: &str,
    ) -> Option<Value> {
        let state = self.shared.state();
        let resource = state.registry.by_api_version(api_version, plural)?;
        let key = ObjectKey {
            group: resource.group.clone(),
            plural: resource.plural.clone(),
            namespace: namespace.unwrap_or_default().into(),
            name: name.into(),
        };
        state.store.get(&key).map(|o| resource.render(o))
    }

    /// Every object of every group's `plural` (e.g. `events` covers core
    /// and `events.k8s.io`), each as the preferred (first registered)
    /// version of its type serves it, ordered by group, namespace and name.
    pub fn objects(&self, plural: &str) -> Vec<Value> {
        let state = self.shared.state();
        state
            .registry
            .preferred_with_plural(plural)
            .into_iter()
            .flat_map(|resource| {
                state
                    .store
                    .list(&resource.group, &resource.plural, None)
                    .map(|o| resource.render(o))
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    /// Every request served so far, in arrival order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared
            .requests
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Drops the whole watch history, as an etcd compaction would: a watch
    /// resuming from an older `resourceVersion` gets a 410 `Expired` event.
    /// Open watches are not affected.
    pub fn compact(&self) {
        self.shared.state().store.compact();
    }

    /// Creates (or replaces, if it exists) every document of a
    /// multi-document YAML string, in order, as a whole — `.status`
    /// included — with the usual watch events. Empty documents are skipped;
    /// a namespaced object without a namespace goes to `default`. Returns
    /// the stored objects.
    pub fn apply_manifests(&self, yaml: &str) -> Result<Vec<Value>, ManifestError> {
        manifests::apply(&self.shared, yaml)
    }

    /// Stops the server and waits until it has: open watches are ended and
    /// the port is released.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            // The serving task only ends by finishing; a panic in it is
            // already reported by tokio.
            let _ = task.await;
        }
    }
}

impl Drop for TestApiServer {
    fn drop(&mut self) {
        // Ends the serving task (and every watch) in the background.
        let _ = self.stop.send(true);
    }
}
