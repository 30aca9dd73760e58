//! The per-call store data: a locked-down WASI context, the memory limiter
//! and the `log` import.
//!
//! A plugin gets no filesystem, network, environment or arguments; its
//! clocks are frozen at the epoch and its insecure random seed is fixed, so
//! that a plugin's output depends only on its inputs.

use std::time::{Duration, Instant};

use wasmtime::ResourceLimiter;
use wasmtime::component::ResourceTable;
use wasmtime_wasi::{HostMonotonicClock, HostWallClock, WasiCtx, WasiCtxView, WasiView};

use super::bindings::log::{Host as LogHost, Level};

/// Store data of one plugin call.
pub(super) struct Sandbox {
    plugin: String,
    wasi: WasiCtx,
    table: ResourceTable,
    memory_limit: usize,
    memory_exceeded: bool,
    log_lines_left: usize,
    started: Instant,
}

impl Sandbox {
    /// Store data for a call to `plugin` with the given budgets.
    pub(super) fn new(plugin: &str, memory_limit: usize, log_lines: usize) -> Self {
        let wasi = WasiCtx::builder()
            .wall_clock(FrozenClock)
            .monotonic_clock(FrozenClock)
            .insecure_random_seed(0)
            .build();
        Self {
            plugin: plugin.to_owned(),
            wasi,
            table: ResourceTable::new(),
            memory_limit,
            memory_exceeded: false,
            log_lines_left: log_lines,
            started: Instant::now(),
        }
    }

    /// Whether the call tried to grow a memory beyond its limit.
    pub(super) fn memory_exceeded(&self) -> bool {
        self.memory_exceeded
    }

    /// How long ago the call's store was made (instantiation included).
    pub(super) fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }
}

impl WasiView for Sandbox {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl ResourceLimiter for Sandbox {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > self.memory_limit {
            self.memory_exceeded = true;
            return Ok(false);
        }
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(desired <= 100_000)
    }
}

impl LogHost for Sandbox {
    fn log(&mut self, level: Level, message: String, fields: Vec<(String, String)>) {
        if self.log_lines_left == 0 {
            return;
        }
        self.log_lines_left -= 1;
        let plugin = self.plugin.as_str();
        let fields = fields
            .iter()
            .map(|(key, value)| format!("{key}={value}"))
            .collect::<Vec<_>>()
            .join(" ");
        match level {
            Level::Trace => tracing::trace!(plugin, fields, "{message}"),
            Level::Debug => tracing::debug!(plugin, fields, "{message}"),
            Level::Info => tracing::info!(plugin, fields, "{message}"),
            Level::Warn => tracing::warn!(plugin, fields, "{message}"),
            Level::Error => tracing::error!(plugin, fields, "{message}"),
        }
        if self.log_lines_left == 0 {
            tracing::warn!(
                plugin,
                "plugin reached its log line budget; further lines of this call are dropped"
            );
        }
    }
}

/// A clock stopped at the Unix epoch.
struct FrozenClock;

impl HostWallClock for FrozenClock {
    fn resolution(&self) -> Duration {
        Duration::from_secs(1)
    }

    fn now(&self) -> Duration {
        Duration::ZERO
    }
}

impl HostMonotonicClock for FrozenClock {
    fn resolution(&self) -> u64 {
        1_000_000_000
    }

    fn now(&self) -> u64 {
        0
    }
}
