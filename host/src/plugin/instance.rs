//! A loaded plugin: a component compiled once, pre-linked, and instantiated
//! once per object (a [`PluginSession`]) or fresh for a single call.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use wasmtime::component::{Component, Instance, InstancePre};
use wasmtime::{Store, Trap};

use super::bindings::auth::AuthPolicy;
use super::bindings::dns::DnsDecision;
use super::bindings::naming::NamingSubject;
use super::bindings::tagging::TaggingSubject;
use super::bindings::types::{
    CallContext, ExportInput, GatewayInput, KeyValue, ObjectMeta, RouteInput, RouteTranslation,
    TargetGroupSpec,
};
use super::embedded::{self, DEFAULT_PLUGIN, DEFAULT_PLUGIN_NAME};
use super::engine::PluginEngine;
use super::error::PluginError;
use super::exports::Exports;
use super::interface::Interface;
use super::observer::{CallObserver, CallOutcome, CallReport};
use super::sandbox::Sandbox;
use super::session::PluginSession;
use super::version;

/// A plugin ready to be called.
///
/// A plugin exports any subset (at least one) of the `trellis:plugin`
/// interfaces; [`Plugin::exports`] says which, and calling a function of
/// another one fails with [`PluginError::NotExported`] without running
/// anything.
///
/// Guarantees: the calls made through a [`Plugin`]'s own functions each run
/// in a new instance; the calls of one [`PluginSession`] (one object) share
/// one instance, never another object's, so one object's translation cannot
/// influence another's. Every call runs within the engine's
/// [`PluginLimits`](super::PluginLimits); a trap, timeout or memory overrun
/// becomes a [`PluginError`] naming the plugin and the function, and leaves
/// the plugin usable for the next call. Output is *not* validated
/// here: the reconcile core validates every answer before it combines or
/// applies it.
#[derive(Clone)]
pub struct Plugin {
    name: String,
    version: String,
    config: String,
    engine: PluginEngine,
    pre: InstancePre<Sandbox>,
    exports: Arc<Exports>,
    observer: Option<Arc<dyn CallObserver>>,
}

impl Plugin {
    /// Compiles (or takes from the engine's cache) and links component
    /// `bytes` under `name`.
    ///
    /// In order, refuses: bytes that are not a component
    /// ([`PluginError::Load`]); a component built for a `trellis:plugin`
    /// version incompatible with this host's
    /// ([`PluginError::IncompatibleVersion`], before linking); one that does
    /// not link ([`PluginError::Load`]); one that exports no `trellis:plugin`
    /// interface ([`PluginError::NothingExported`]).
    pub fn load(engine: &PluginEngine, name: &str, bytes: &[u8]) -> Result<Self, PluginError> {
        let load_error = |error: wasmtime::Error| PluginError::Load {
            plugin: name.to_owned(),
            message: format!("{error:#}"),
        };
        let component = Component::new(engine.engine(), bytes).map_err(load_error)?;
        Self::link(engine, name, &component, bytes)
    }

    /// Checks the version of, links and finds the exports of `component`,
    /// compiled from `bytes`, under `name`: the part of [`Plugin::load`]
    /// after compiling.
    fn link(
        engine: &PluginEngine,
        name: &str,
        component: &Component,
        bytes: &[u8],
    ) -> Result<Self, PluginError> {
        let load_error = |error: wasmtime::Error| PluginError::Load {
            plugin: name.to_owned(),
            message: format!("{error:#}"),
        };
        version::check(component, engine.engine())
            .map_err(|error| PluginError::from_version_check(name, error))?;
        let pre = engine
            .linker()
            .instantiate_pre(component)
            .map_err(load_error)?;
        let exports = Exports::find(name, &pre)?;
        let digest = Sha256::digest(bytes);
        let version = digest
            .iter()
            .take(6)
            .map(|byte| format!("{byte:02x}"))
            .collect::<String>();
        Ok(Self {
            name: name.to_owned(),
            version: format!("sha256:{version}"),
            config: "{}".to_owned(),
            engine: engine.clone(),
            pre,
            exports: Arc::new(exports),
            observer: None,
        })
    }

    /// Loads the component at `path`, named after the file's stem.
    pub fn from_file(engine: &PluginEngine, path: &Path) -> Result<Self, PluginError> {
        let name = Self::name_of_file(path);
        let bytes = std::fs::read(path).map_err(|error| PluginError::Load {
            plugin: name.clone(),
            message: format!("reading {}: {error}", path.display()),
        })?;
        Self::load(engine, &name, &bytes)
    }

    /// The name a component file's plugin goes by: the file's stem.
    pub fn name_of_file(path: &Path) -> String {
        path.file_stem().map_or_else(
            || path.display().to_string(),
            |stem| stem.to_string_lossy().into_owned(),
        )
    }

    /// The stock plugin embedded in the binary, named `default`: loaded from
    /// the code precompiled at build time when `engine` can run it (no
    /// compilation at start), else compiled as [`Plugin::load`] does.
    pub fn default_plugin(engine: &PluginEngine) -> Result<Self, PluginError> {
        let (component, origin) =
            embedded::default_component(engine.engine()).map_err(|error| PluginError::Load {
                plugin: DEFAULT_PLUGIN_NAME.to_owned(),
                message: format!("{error:#}"),
            })?;
        tracing::debug!(?origin, "loaded the default plugin");
        let mut plugin = Self::link(engine, DEFAULT_PLUGIN_NAME, &component, DEFAULT_PLUGIN)?;
        plugin.version = env!("CARGO_PKG_VERSION").to_owned();
        Ok(plugin)
    }

    /// Instantiates the plugin once, within its limits, and drops the
    /// instance: a component that traps while starting (its start function
    /// or initializers) fails here rather than on its first object.
    pub async fn check_instantiation(&self) -> Result<(), PluginError> {
        const FUNCTION: &str = "(instantiation)";
        let started = Instant::now();
        let result = self.instantiate(FUNCTION).await.map(drop);
        if result.is_err() {
            self.observe(FUNCTION, started.elapsed(), &result);
        }
        result
    }

    /// Tells the observer, if any, that the host rejected the answer of
    /// `function` as invalid.
    pub fn report_rejected(&self, function: &'static str) {
        if let Some(observer) = &self.observer {
            observer.rejected(&self.name, function);
        }
    }

    /// The same plugin, reporting every call to `observer`.
    pub fn with_observer(mut self, observer: Arc<dyn CallObserver>) -> Self {
        self.observer = Some(observer);
        self
    }

    /// The plugin's version: Trellis's version for the embedded default
    /// plugin, else `sha256:` and the first 12 hex digits of the component's
    /// digest, so two builds of a plugin are told apart.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The same plugin with `config` (JSON text) as the configuration every
    /// call's context carries; `{}` by default.
    pub fn with_config(mut self, config: impl Into<String>) -> Self {
        self.config = config.into();
        self
    }

    /// The configuration every call's context carries (JSON text).
    pub fn config(&self) -> &str {
        &self.config
    }

    /// The plugin's name, as reported in problems and logs.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The same plugin under another name (a policy's name for it).
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// Whether the plugin exports `interface`; the chain skips a plugin for
    /// the interfaces it does not export.
    pub fn exports(&self, interface: Interface) -> bool {
        self.exports.has(interface)
    }

    /// A session of this plugin for one object: one instance, made on the
    /// first call, serving every call of that object (see
    /// [`PluginSession`]). The functions below are each a session of one
    /// call.
    pub fn session(&self) -> PluginSession<'_> {
        PluginSession::new(self)
    }

    /// `translate.translate-route`, in a fresh instance.
    pub async fn translate_route(
        &self,
        ctx: &CallContext,
        route: &RouteInput,
        previous: Option<&RouteTranslation>,
    ) -> Result<RouteTranslation, PluginError> {
        self.session().translate_route(ctx, route, previous).await
    }

    /// `translate.translate-export`, in a fresh instance.
    pub async fn translate_export(
        &self,
        ctx: &CallContext,
        export: &ExportInput,
        previous: Option<&[TargetGroupSpec]>,
    ) -> Result<Vec<TargetGroupSpec>, PluginError> {
        self.session().translate_export(ctx, export, previous).await
    }

    /// `translate.gateway-service-network`, in a fresh instance.
    pub async fn gateway_service_network(
        &self,
        ctx: &CallContext,
        gateway: &GatewayInput,
        previous: Option<&str>,
    ) -> Result<String, PluginError> {
        self.session()
            .gateway_service_network(ctx, gateway, previous)
            .await
    }

    /// `naming.name`, in a fresh instance: one answer per subject, `None`
    /// deferring.
    pub async fn name_resources(
        &self,
        ctx: &CallContext,
        owner: &ObjectMeta,
        subjects: &[NamingSubject],
    ) -> Result<Vec<Option<String>>, PluginError> {
        self.session().name_resources(ctx, owner, subjects).await
    }

    /// `tagging.tags`, in a fresh instance: one tag list per subject.
    pub async fn tag_resources(
        &self,
        ctx: &CallContext,
        owner: &ObjectMeta,
        subjects: &[TaggingSubject],
    ) -> Result<Vec<Vec<KeyValue>>, PluginError> {
        self.session().tag_resources(ctx, owner, subjects).await
    }

    /// `auth.route-auth-policy`, in a fresh instance: `None` defers.
    pub async fn route_auth_policy(
        &self,
        ctx: &CallContext,
        route: &RouteInput,
    ) -> Result<Option<AuthPolicy>, PluginError> {
        self.session().route_auth_policy(ctx, route).await
    }

    /// `auth.gateway-auth-policy`, in a fresh instance: `None` defers.
    pub async fn gateway_auth_policy(
        &self,
        ctx: &CallContext,
        gateway: &GatewayInput,
    ) -> Result<Option<AuthPolicy>, PluginError> {
        self.session().gateway_auth_policy(ctx, gateway).await
    }

    /// `dns.route-dns-record`, in a fresh instance: `None` defers.
    pub async fn route_dns_record(
        &self,
        ctx: &CallContext,
        route: &RouteInput,
        custom_domain: &str,
    ) -> Result<Option<DnsDecision>, PluginError> {
        self.session()
            .route_dns_record(ctx, route, custom_domain)
            .await
    }

    /// `indices`, the export indices of `interface`, or the error for
    /// calling a function of an interface the plugin does not export.
    pub(super) fn export<'a, I>(
        &self,
        interface: Interface,
        indices: &'a Option<I>,
    ) -> Result<&'a I, PluginError> {
        indices.as_ref().ok_or_else(|| PluginError::NotExported {
            plugin: self.name.clone(),
            interface,
        })
    }

    /// A fresh instance in a new store with the engine's limits (the
    /// epoch deadline armed for instantiation); a failure to instantiate is
    /// classified as a call of `function`.
    pub(super) async fn instantiate(
        &self,
        function: &'static str,
    ) -> Result<(Store<Sandbox>, Instance), PluginError> {
        let limits = self.engine.limits();
        let mut store = Store::new(
            self.engine.engine(),
            Sandbox::new(&self.name, limits.memory_bytes, limits.log),
        );
        store.limiter(|sandbox| sandbox);
        store.set_epoch_deadline(self.engine.timeout_ticks());
        store.epoch_deadline_trap();
        match self.pre.instantiate_async(&mut store).await {
            Ok(instance) => Ok((store, instance)),
            Err(error) => Err(self.failure(function, &error, store.data())),
        }
    }

    /// The call timeout in epoch ticks (see [`PluginEngine`]).
    pub(super) fn timeout_ticks(&self) -> u64 {
        self.engine.timeout_ticks()
    }

    /// The compiled export indices of the plugin.
    pub(super) fn export_indices(&self) -> &Exports {
        &self.exports
    }

    /// Tells the observer, if any, how the call of `function` that took
    /// `elapsed` (instantiation included, if it made one) ended.
    pub(super) fn observe<R>(
        &self,
        function: &'static str,
        elapsed: Duration,
        result: &Result<R, PluginError>,
    ) {
        if let Some(observer) = &self.observer {
            observer.observe(&CallReport {
                plugin: &self.name,
                function,
                elapsed,
                outcome: CallOutcome::of(result),
            });
        }
    }

    /// Classifies a failed call: timeout, memory overrun, or another trap.
    pub(super) fn failure(
        &self,
        function: &'static str,
        error: &wasmtime::Error,
        sandbox: &Sandbox,
    ) -> PluginError {
        let plugin = self.name.clone();
        let limits = self.engine.limits();
        if error.downcast_ref::<Trap>() == Some(&Trap::Interrupt) {
            PluginError::Timeout {
                plugin,
                function,
                limit: limits.timeout,
            }
        } else if sandbox.memory_exceeded() {
            PluginError::MemoryExceeded {
                plugin,
                function,
                limit_bytes: limits.memory_bytes,
            }
        } else {
            PluginError::Trap {
                plugin,
                function,
                message: format!("{error:#}"),
            }
        }
    }
}
