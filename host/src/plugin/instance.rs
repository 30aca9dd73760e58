//! A loaded plugin: a component compiled once, pre-linked, and instantiated
//! fresh for every call.

use std::path::Path;

use wasmtime::component::Component;
use wasmtime::{Store, Trap};

use super::bindings::auth::AuthPolicy;
use super::bindings::naming::NamingSubject;
use super::bindings::tagging::TaggingSubject;
use super::bindings::types::{
    self, CallContext, ExportInput, GatewayInput, KeyValue, ObjectMeta, RouteInput, RouteTranslation,
    TargetGroupSpec,
};
use super::bindings::{self, PluginPre};
use super::embedded::{DEFAULT_PLUGIN, DEFAULT_PLUGIN_NAME};
use super::engine::PluginEngine;
use super::error::PluginError;
use super::sandbox::Sandbox;

/// A plugin ready to be called.
///
/// Guarantees: every call runs in a new instance (no state survives between
/// calls, so one object's translation cannot influence another's), within the
/// engine's [`PluginLimits`](super::PluginLimits); a trap, timeout or memory
/// overrun becomes a [`PluginError`] naming the plugin and the function, and
/// leaves the plugin usable for the next call. Output is *not* validated
/// here: see [`crate::reconcile::validate`].
#[derive(Clone)]
pub struct Plugin {
    name: String,
    engine: PluginEngine,
    pre: PluginPre<Sandbox>,
}

impl Plugin {
    /// Compiles and links component `bytes` under `name`.
    pub fn load(engine: &PluginEngine, name: &str, bytes: &[u8]) -> Result<Self, PluginError> {
        let load_error = |error: wasmtime::Error| PluginError::Load { plugin: name.to_owned(), message: format!("{error:#}") };
        let component = Component::new(engine.engine(), bytes).map_err(load_error)?;
        let instance_pre = engine.linker().instantiate_pre(&component).map_err(load_error)?;
        let pre = PluginPre::new(instance_pre).map_err(load_error)?;
        Ok(Self { name: name.to_owned(), engine: engine.clone(), pre })
    }

    /// Loads the component at `path`, named after the file's stem.
    pub fn from_file(engine: &PluginEngine, path: &Path) -> Result<Self, PluginError> {
        let name = path.file_stem().map_or_else(|| path.display().to_string(), |stem| stem.to_string_lossy().into_owned());
        let bytes = std::fs::read(path)
            .map_err(|error| PluginError::Load { plugin: name.clone(), message: format!("reading {}: {error}", path.display()) })?;
        Self::load(engine, &name, &bytes)
    }

    /// The stock plugin embedded in the binary, named `default`.
    pub fn default_plugin(engine: &PluginEngine) -> Result<Self, PluginError> {
        Self::load(engine, DEFAULT_PLUGIN_NAME, DEFAULT_PLUGIN)
    }

    /// The plugin's name, as reported in problems and logs.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// `translate.translate-route`.
    pub fn translate_route(
        &self,
        ctx: &CallContext,
        route: &RouteInput,
        previous: Option<&RouteTranslation>,
    ) -> Result<RouteTranslation, PluginError> {
        self.call("translate-route", |plugin, store| {
            plugin.trellis_plugin_translate().call_translate_route(store, ctx, route, previous)
        })
    }

    /// `translate.translate-export`.
    pub fn translate_export(&self, ctx: &CallContext, export: &ExportInput) -> Result<Vec<TargetGroupSpec>, PluginError> {
        self.call("translate-export", |plugin, store| {
            plugin.trellis_plugin_translate().call_translate_export(store, ctx, export)
        })
    }

    /// `translate.gateway-service-network`.
    pub fn gateway_service_network(&self, ctx: &CallContext, gateway: &GatewayInput) -> Result<String, PluginError> {
        self.call("gateway-service-network", |plugin, store| {
            plugin.trellis_plugin_translate().call_gateway_service_network(store, ctx, gateway)
        })
    }

    /// `naming.name`: one answer per subject, `None` deferring.
    pub fn name_resources(
        &self,
        ctx: &CallContext,
        owner: &ObjectMeta,
        subjects: &[NamingSubject],
    ) -> Result<Vec<Option<String>>, PluginError> {
        self.call("name", |plugin, store| plugin.trellis_plugin_naming().call_name(store, ctx, owner, subjects))
    }

    /// `tagging.tags`: one tag list per subject.
    pub fn tag_resources(
        &self,
        ctx: &CallContext,
        owner: &ObjectMeta,
        subjects: &[TaggingSubject],
    ) -> Result<Vec<Vec<KeyValue>>, PluginError> {
        self.call("tags", |plugin, store| plugin.trellis_plugin_tagging().call_tags(store, ctx, owner, subjects))
    }

    /// `auth.route-auth-policy`: `None` defers.
    pub fn route_auth_policy(&self, ctx: &CallContext, route: &RouteInput) -> Result<Option<AuthPolicy>, PluginError> {
        self.call("route-auth-policy", |plugin, store| {
            plugin.trellis_plugin_auth().call_route_auth_policy(store, ctx, route)
        })
    }

    /// Runs `invoke` on a fresh instance within the engine's limits.
    fn call<R>(
        &self,
        function: &'static str,
        invoke: impl FnOnce(&bindings::Plugin, &mut Store<Sandbox>) -> wasmtime::Result<Result<R, types::PluginError>>,
    ) -> Result<R, PluginError> {
        let limits = self.engine.limits();
        let mut store = Store::new(self.engine.engine(), Sandbox::new(&self.name, limits.memory_bytes, limits.log_lines));
        store.limiter(|sandbox| sandbox);
        store.set_epoch_deadline(self.engine.timeout_ticks());
        store.epoch_deadline_trap();
        let outcome = self.pre.instantiate(&mut store).and_then(|instance| invoke(&instance, &mut store));
        match outcome {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(refusal)) => Err(PluginError::Refused {
                plugin: self.name.clone(),
                function,
                reason: refusal.reason,
                field: refusal.field,
                message: refusal.message,
            }),
            Err(error) => Err(self.failure(function, &error, store.data())),
        }
    }

    /// Classifies a failed call: timeout, memory overrun, or another trap.
    fn failure(&self, function: &'static str, error: &wasmtime::Error, sandbox: &Sandbox) -> PluginError {
        let plugin = self.name.clone();
        let limits = self.engine.limits();
        if error.downcast_ref::<Trap>() == Some(&Trap::Interrupt) {
            PluginError::Timeout { plugin, function, limit: limits.timeout }
        } else if sandbox.memory_exceeded() {
            PluginError::MemoryExceeded { plugin, function, limit_bytes: limits.memory_bytes }
        } else {
            PluginError::Trap { plugin, function, message: format!("{error:#}") }
        }
    }
}
