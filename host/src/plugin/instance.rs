//! A loaded plugin: a component compiled once, pre-linked, and instantiated
//! fresh for every call.

use std::path::Path;
use std::sync::Arc;

use sha2::{Digest, Sha256};

use wasmtime::component::{Component, Instance, InstancePre};
use wasmtime::{Store, Trap};

use super::bindings::auth::AuthPolicy;
use super::bindings::dns::DnsDecision;
use super::bindings::naming::NamingSubject;
use super::bindings::tagging::TaggingSubject;
use super::bindings::types::{
    self, CallContext, ExportInput, GatewayInput, KeyValue, ObjectMeta, RouteInput,
    RouteTranslation, TargetGroupSpec,
};
use super::embedded::{DEFAULT_PLUGIN, DEFAULT_PLUGIN_NAME};
use super::engine::PluginEngine;
use super::error::PluginError;
use super::exports::Exports;
use super::interface::Interface;
use super::observer::{CallObserver, CallOutcome, CallReport};
use super::sandbox::Sandbox;
use super::version;

/// A plugin ready to be called.
///
/// A plugin exports any subset (at least one) of the `trellis:plugin`
/// interfaces; [`Plugin::exports`] says which, and calling a function of
/// another one fails with [`PluginError::NotExported`] without running
/// anything.
///
/// Guarantees: every call runs in a new instance (no state survives between
/// calls, so one object's translation cannot influence another's), within the
/// engine's [`PluginLimits`](super::PluginLimits); a trap, timeout or memory
/// overrun becomes a [`PluginError`] naming the plugin and the function, and
/// leaves the plugin usable for the next call. Output is *not* validated
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

/// What an exported function returns: the plugin's answer or its refusal,
/// or the failure of the call itself (a trap, a timeout, a memory overrun).
type ExportResult<R> = wasmtime::Result<Result<R, types::PluginError>>;

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
        version::check(&component, engine.engine())
            .map_err(|error| PluginError::from_version_check(name, error))?;
        let pre = engine
            .linker()
            .instantiate_pre(&component)
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

    /// The stock plugin embedded in the binary, named `default`.
    pub fn default_plugin(engine: &PluginEngine) -> Result<Self, PluginError> {
        let mut plugin = Self::load(engine, DEFAULT_PLUGIN_NAME, DEFAULT_PLUGIN)?;
        plugin.version = env!("CARGO_PKG_VERSION").to_owned();
        Ok(plugin)
    }

    /// Instantiates the plugin once, within its limits, and drops the
    /// instance: a component that traps while starting (its start function
    /// or initializers) fails here rather than on its first object.
    pub async fn check_instantiation(&self) -> Result<(), PluginError> {
        self.instantiate("(instantiation)").await.map(drop)
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

    /// `translate.translate-route`.
    pub async fn translate_route(
        &self,
        ctx: &CallContext,
        route: &RouteInput,
        previous: Option<&RouteTranslation>,
    ) -> Result<RouteTranslation, PluginError> {
        let translate = self.export(Interface::Translate, &self.exports.translate)?;
        self.call("translate-route", async |store, instance| {
            let guest = translate.load(&mut *store, instance)?;
            guest
                .call_translate_route(store, ctx, route, previous)
                .await
        })
        .await
    }

    /// `translate.translate-export`.
    pub async fn translate_export(
        &self,
        ctx: &CallContext,
        export: &ExportInput,
        previous: Option<&[TargetGroupSpec]>,
    ) -> Result<Vec<TargetGroupSpec>, PluginError> {
        let translate = self.export(Interface::Translate, &self.exports.translate)?;
        self.call("translate-export", async |store, instance| {
            let guest = translate.load(&mut *store, instance)?;
            guest
                .call_translate_export(store, ctx, export, previous)
                .await
        })
        .await
    }

    /// `translate.gateway-service-network`.
    pub async fn gateway_service_network(
        &self,
        ctx: &CallContext,
        gateway: &GatewayInput,
        previous: Option<&str>,
    ) -> Result<String, PluginError> {
        let translate = self.export(Interface::Translate, &self.exports.translate)?;
        self.call("gateway-service-network", async |store, instance| {
            let guest = translate.load(&mut *store, instance)?;
            guest
                .call_gateway_service_network(store, ctx, gateway, previous)
                .await
        })
        .await
    }

    /// `naming.name`: one answer per subject, `None` deferring.
    pub async fn name_resources(
        &self,
        ctx: &CallContext,
        owner: &ObjectMeta,
        subjects: &[NamingSubject],
    ) -> Result<Vec<Option<String>>, PluginError> {
        let naming = self.export(Interface::Naming, &self.exports.naming)?;
        self.call("name", async |store, instance| {
            let guest = naming.load(&mut *store, instance)?;
            guest.call_name(store, ctx, owner, subjects).await
        })
        .await
    }

    /// `tagging.tags`: one tag list per subject.
    pub async fn tag_resources(
        &self,
        ctx: &CallContext,
        owner: &ObjectMeta,
        subjects: &[TaggingSubject],
    ) -> Result<Vec<Vec<KeyValue>>, PluginError> {
        let tagging = self.export(Interface::Tagging, &self.exports.tagging)?;
        self.call("tags", async |store, instance| {
            let guest = tagging.load(&mut *store, instance)?;
            guest.call_tags(store, ctx, owner, subjects).await
        })
        .await
    }

    /// `auth.route-auth-policy`: `None` defers.
    pub async fn route_auth_policy(
        &self,
        ctx: &CallContext,
        route: &RouteInput,
    ) -> Result<Option<AuthPolicy>, PluginError> {
        let auth = self.export(Interface::Auth, &self.exports.auth)?;
        self.call("route-auth-policy", async |store, instance| {
            let guest = auth.load(&mut *store, instance)?;
            guest.call_route_auth_policy(store, ctx, route).await
        })
        .await
    }

    /// `auth.gateway-auth-policy`: `None` defers.
    pub async fn gateway_auth_policy(
        &self,
        ctx: &CallContext,
        gateway: &GatewayInput,
    ) -> Result<Option<AuthPolicy>, PluginError> {
        let auth = self.export(Interface::Auth, &self.exports.auth)?;
        self.call("gateway-auth-policy", async |store, instance| {
            let guest = auth.load(&mut *store, instance)?;
            guest.call_gateway_auth_policy(store, ctx, gateway).await
        })
        .await
    }

    /// `dns.route-dns-record`: `None` defers.
    pub async fn route_dns_record(
        &self,
        ctx: &CallContext,
        route: &RouteInput,
        custom_domain: &str,
    ) -> Result<Option<DnsDecision>, PluginError> {
        let dns = self.export(Interface::Dns, &self.exports.dns)?;
        self.call("route-dns-record", async |store, instance| {
            let guest = dns.load(&mut *store, instance)?;
            guest
                .call_route_dns_record(store, ctx, route, custom_domain)
                .await
        })
        .await
    }

    /// `indices`, the export indices of `interface`, or the error for
    /// calling a function of an interface the plugin does not export.
    fn export<'a, I>(
        &self,
        interface: Interface,
        indices: &'a Option<I>,
    ) -> Result<&'a I, PluginError> {
        indices.as_ref().ok_or_else(|| PluginError::NotExported {
            plugin: self.name.clone(),
            interface,
        })
    }

    /// The one path of every exported function's call: a fresh instance in
    /// a new store with the engine's limits, on which `run` loads and calls
    /// the export `function`; then the answer, the plugin's refusal
    /// ([`PluginError::Refused`]) or the classified failure, reported to the
    /// observer.
    ///
    /// Assumes `run` calls one export of the instance it is given and
    /// nothing else: the store's time and memory budget is the call's.
    async fn call<R>(
        &self,
        function: &'static str,
        run: impl AsyncFnOnce(&mut Store<Sandbox>, &Instance) -> ExportResult<R>,
    ) -> Result<R, PluginError> {
        let (mut store, instance) = self.instantiate(function).await?;
        let result = match run(&mut store, &instance).await {
            Ok(Ok(answer)) => Ok(answer),
            Ok(Err(refusal)) => Err(PluginError::Refused {
                plugin: self.name.clone(),
                function,
                reason: refusal.reason,
                field: refusal.field,
                message: refusal.message,
            }),
            Err(error) => Err(self.failure(function, &error, store.data())),
        };
        self.observe(function, store.data(), &result);
        result
    }

    /// A fresh instance in a new store with the engine's limits; a failure
    /// to instantiate is reported to the observer as a call of `function`.
    async fn instantiate(
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
            Err(error) => {
                let failure = Err(self.failure(function, &error, store.data()));
                self.observe(function, store.data(), &failure);
                failure
            }
        }
    }

    /// Tells the observer, if any, how the call of `function` whose store
    /// data is `sandbox` ended.
    fn observe<R>(
        &self,
        function: &'static str,
        sandbox: &Sandbox,
        result: &Result<R, PluginError>,
    ) {
        if let Some(observer) = &self.observer {
            observer.observe(&CallReport {
                plugin: &self.name,
                function,
                elapsed: sandbox.elapsed(),
                outcome: CallOutcome::of(result),
            });
        }
    }

    /// Classifies a failed call: timeout, memory overrun, or another trap.
    fn failure(
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
