//! The store data of one plugin instance: a locked-down WASI context, the
//! memory limiter and the `log` import, with what is per call reset before
//! every call ([`Sandbox::begin_call`]).
//!
//! A plugin gets no filesystem, network, environment or arguments; its
//! clocks are frozen at the epoch, and `wasi:random` (`random`, `insecure`
//! and `insecure-seed`) answers from generators seeded with fixed values and
//! reseeded before every call, so the same in every call, on a fresh
//! instance or on a session's reused one: the WIT promises plugins no
//! entropy, so that a plugin's output depends only on its inputs.

use std::time::Duration;

use rand::SeedableRng;
use rand::rngs::StdRng;
use wasmtime::ResourceLimiter;
use wasmtime::component::ResourceTable;
use wasmtime_wasi::{HostMonotonicClock, HostWallClock, WasiCtx, WasiCtxView, WasiView};

use super::bindings::log::{Host as LogHost, Level};
use super::log_budget::{LogBudget, LogLimits, Verdict};

/// The seed of `wasi:random/random`: fixed, so that every call sees the
/// same bytes.
const RANDOM_SEED: u64 = 0x7472_656c_6c69_7301;

/// The seed of `wasi:random/insecure`.
const INSECURE_RANDOM_SEED: u64 = 0x7472_656c_6c69_7302;

/// The most bytes one `get-random-bytes` call may ask for; a larger request
/// traps.
const MAX_RANDOM_BYTES: u64 = 1 << 20;

/// Store data of one plugin instance (one store, one instance).
///
/// The memory limit bounds the instance's linear memory at every moment,
/// instantiation included; the log budget, the `wasi:random` generators and
/// the memory-exceeded mark are the current call's, reset by
/// [`Sandbox::begin_call`].
pub(super) struct Sandbox {
    plugin: String,
    wasi: WasiCtx,
    table: ResourceTable,
    memory_limit: usize,
    memory_exceeded: bool,
    log_limits: LogLimits,
    log: LogBudget,
}

impl Sandbox {
    /// Store data for an instance of `plugin` with the given budgets.
    pub(super) fn new(plugin: &str, memory_limit: usize, log: LogLimits) -> Self {
        Self {
            plugin: plugin.to_owned(),
            wasi: locked_down_wasi(),
            table: ResourceTable::new(),
            memory_limit,
            memory_exceeded: false,
            log_limits: log,
            log: LogBudget::new(log),
        }
    }

    /// Starts a call on this instance: a whole log budget, `wasi:random`
    /// generators back at their seeds, no memory overrun noted.
    pub(super) fn begin_call(&mut self) {
        self.wasi = locked_down_wasi();
        self.log = LogBudget::new(self.log_limits);
        self.memory_exceeded = false;
    }

    /// Whether the current call (or the instantiation) tried to grow a
    /// memory beyond its limit.
    pub(super) fn memory_exceeded(&self) -> bool {
        self.memory_exceeded
    }
}

/// The WASI context of every call: frozen clocks, fixed-seed generators,
/// nothing else.
fn locked_down_wasi() -> WasiCtx {
    WasiCtx::builder()
        .wall_clock(FrozenClock)
        .monotonic_clock(FrozenClock)
        .secure_random(StdRng::seed_from_u64(RANDOM_SEED))
        .insecure_random(StdRng::seed_from_u64(INSECURE_RANDOM_SEED))
        .insecure_random_seed(0)
        .max_random_size(MAX_RANDOM_BYTES)
        .build()
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
        let plugin = self.plugin.as_str();
        let (message, fields) = match self.log.admit(&message, &fields) {
            Verdict::Log { message, fields } => (message, fields),
            Verdict::DropWithNotice => {
                tracing::warn!(
                    plugin,
                    "plugin reached its log budget; further lines of this call are dropped"
                );
                return;
            }
            Verdict::Drop => return,
        };
        match level {
            Level::Trace => tracing::trace!(plugin, fields, "{message}"),
            Level::Debug => tracing::debug!(plugin, fields, "{message}"),
            Level::Info => tracing::info!(plugin, fields, "{message}"),
            Level::Warn => tracing::warn!(plugin, fields, "{message}"),
            Level::Error => tracing::error!(plugin, fields, "{message}"),
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
