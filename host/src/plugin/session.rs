//! A plugin's session with one object: one instance serving all of that
//! object's calls.

use std::time::Instant;

use tokio::sync::Mutex;
use wasmtime::Store;
use wasmtime::component::Instance;

use super::bindings::auth::AuthPolicy;
use super::bindings::dns::DnsDecision;
use super::bindings::naming::NamingSubject;
use super::bindings::tagging::TaggingSubject;
use super::bindings::types::{
    self, CallContext, ExportInput, GatewayInput, KeyValue, ObjectMeta, RouteInput,
    RouteTranslation, TargetGroupSpec,
};
use super::error::PluginError;
use super::instance::Plugin;
use super::interface::Interface;
use super::sandbox::Sandbox;

/// What an exported function returns: the plugin's answer or its refusal,
/// or the failure of the call itself (a trap, a timeout, a memory overrun).
type ExportResult<R> = wasmtime::Result<Result<R, types::PluginError>>;

/// One plugin serving one object: the instance is made on the session's
/// first call and serves every later call of the session (a route's
/// `translate-route`, `route-auth-policy`, `route-dns-record`, `name` and
/// `tags`), then is dropped with the session.
///
/// Instantiating once per object instead of once per call is most of the
/// cost of a Wasm call saved (BENCHMARKS.md, "Issue 15: Wasm vs native").
///
/// Contract:
///
/// - **One object.** A session is made for one object and dropped when
///   that object's translation is done; it is never shared between objects,
///   so no state of a plugin survives from one object to another. Within a
///   session the plugin may keep state between calls (its heap, statics);
///   the calls of an object are made in an order fixed by its inputs, so
///   its answers still depend only on the object's inputs.
/// - **Limits per call.** Every call gets the whole time budget (the epoch
///   deadline is re-armed), the whole log budget and `wasi:random` back at
///   its seeds. The memory limit bounds the instance's linear memory at
///   every moment; a call that hits it on an instance reused from earlier
///   calls is run once more on a fresh instance, so a call fails for memory
///   only if it would in a fresh instance.
/// - **Poisoned by a failure.** A trap, a timeout or a memory overrun ends
///   the instance: the call fails with the classified [`PluginError`] and the
///   session's next call runs on a fresh instance. A refusal (the plugin's
///   `plugin-error`) is an ordinary answer and keeps the instance.
/// - Calls of one session are serialized (a session is `Sync`; concurrent
///   calls wait for each other).
pub struct PluginSession<'p> {
    plugin: &'p Plugin,
    /// The instance, once made and until a failure poisons it.
    live: Mutex<Option<Live>>,
}

/// A session's instance in its store.
struct Live {
    store: Store<Sandbox>,
    instance: Instance,
}

impl<'p> PluginSession<'p> {
    /// A session of `plugin` with no instance yet.
    pub fn new(plugin: &'p Plugin) -> Self {
        Self {
            plugin,
            live: Mutex::new(None),
        }
    }

    /// The plugin this session runs.
    pub fn plugin(&self) -> &'p Plugin {
        self.plugin
    }

    /// `translate.translate-route`.
    pub async fn translate_route(
        &self,
        ctx: &CallContext,
        route: &RouteInput,
        previous: Option<&RouteTranslation>,
    ) -> Result<RouteTranslation, PluginError> {
        let translate = self.plugin.export(
            Interface::Translate,
            &self.plugin.export_indices().translate,
        )?;
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
        let translate = self.plugin.export(
            Interface::Translate,
            &self.plugin.export_indices().translate,
        )?;
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
        let translate = self.plugin.export(
            Interface::Translate,
            &self.plugin.export_indices().translate,
        )?;
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
        let naming = self
            .plugin
            .export(Interface::Naming, &self.plugin.export_indices().naming)?;
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
        let tagging = self
            .plugin
            .export(Interface::Tagging, &self.plugin.export_indices().tagging)?;
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
        let auth = self
            .plugin
            .export(Interface::Auth, &self.plugin.export_indices().auth)?;
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
        let auth = self
            .plugin
            .export(Interface::Auth, &self.plugin.export_indices().auth)?;
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
        let dns = self
            .plugin
            .export(Interface::Dns, &self.plugin.export_indices().dns)?;
        self.call("route-dns-record", async |store, instance| {
            let guest = dns.load(&mut *store, instance)?;
            guest
                .call_route_dns_record(store, ctx, route, custom_domain)
                .await
        })
        .await
    }

    /// The one path of every exported function's call: on the session's
    /// instance (made now if there is none), with the time and log budget
    /// re-armed, `run` loads and calls the export `function`; then the
    /// answer, the plugin's refusal ([`PluginError::Refused`]) or the
    /// classified failure (which drops the instance), reported to the
    /// observer. A memory overrun on a reused instance is retried once on a
    /// fresh one.
    ///
    /// Assumes `run` calls one export of the instance it is given and
    /// nothing else: the budget re-armed is the call's.
    async fn call<R>(
        &self,
        function: &'static str,
        run: impl AsyncFnOnce(&mut Store<Sandbox>, &Instance) -> ExportResult<R> + Clone,
    ) -> Result<R, PluginError> {
        let started = Instant::now();
        let mut live = self.live.lock().await;
        let reused = live.is_some();
        let mut result = self.attempt(&mut live, function, run.clone()).await;
        if reused && matches!(result, Err(PluginError::MemoryExceeded { .. })) {
            result = self.attempt(&mut live, function, run).await;
        }
        self.plugin.observe(function, started.elapsed(), &result);
        result
    }

    /// One run of `run` on the session's instance, made first if there is
    /// none; a failure leaves `live` empty.
    async fn attempt<R>(
        &self,
        live: &mut Option<Live>,
        function: &'static str,
        run: impl AsyncFnOnce(&mut Store<Sandbox>, &Instance) -> ExportResult<R>,
    ) -> Result<R, PluginError> {
        let Live { store, instance } = match live {
            Some(live) => live,
            None => {
                let (store, instance) = self.plugin.instantiate(function).await?;
                live.insert(Live { store, instance })
            }
        };
        store.data_mut().begin_call();
        store.set_epoch_deadline(self.plugin.timeout_ticks());
        match run(store, instance).await {
            Ok(Ok(answer)) => Ok(answer),
            Ok(Err(refusal)) => Err(PluginError::Refused {
                plugin: self.plugin.name().to_owned(),
                function,
                reason: refusal.reason,
                field: refusal.field,
                message: refusal.message,
            }),
            Err(error) => {
                let failure = self.plugin.failure(function, &error, store.data());
                *live = None;
                Err(failure)
            }
        }
    }
}
