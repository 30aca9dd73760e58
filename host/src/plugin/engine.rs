//! The shared Wasm engine: compilation settings, the compiled-component
//! cache, the pooling allocator, the epoch ticker that enforces call
//! timeouts, and the linker with the host's imports.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use wasmtime::component::{HasSelf, Linker};
use wasmtime::{
    Cache, Config, Enabled, Engine, InstanceAllocationStrategy, PoolingAllocationConfig,
};

use super::bindings;
use super::cache::{self, CacheStats};
use super::compilation;
use super::error::PluginError;
use super::log_budget::LogLimits;
use super::sandbox::Sandbox;

/// How often the epoch advances; the granularity of call timeouts.
const EPOCH_TICK: Duration = Duration::from_millis(10);

/// Instances that can be alive at once across all plugins of one engine;
/// calls beyond it fail to instantiate rather than allocate without bound.
/// A [`PluginSession`](super::PluginSession) holds one while it has an
/// instance, that is while one object is being translated.
const MAX_CONCURRENT_INSTANCES: u32 = 64;

/// Bytes of each linear memory slot of the pool kept resident (reset in
/// place rather than given back to the kernel) when an instance ends.
///
/// Without it, every instance's first touch of each page of its memory is a
/// page fault, and every instance's end an `madvise`: for the default plugin
/// (≈ 1.1 MiB of stack and data at start, a few hundred KiB of heap for a
/// route) that was about a third of a call. 2 MiB covers what a plugin
/// touches for an ordinary object, far under the 64 MiB default memory
/// limit: what an instance touches beyond it is given back as before, so a
/// plugin that once used its whole limit does not keep it resident. With the
/// kernel's `PAGEMAP_SCAN` (Linux 6.7+, used when available) only the pages
/// the instance dirtied are reset; without it the first 2 MiB are
/// `memset`. At most [`MAX_CONCURRENT_INSTANCES`] × 2 memory slots, so at
/// most 256 MiB of address space, stay resident, and only slots that were
/// used.
const LINEAR_MEMORY_KEEP_RESIDENT: usize = 2 << 20;

/// Bytes of each table slot kept resident when an instance ends, as
/// [`LINEAR_MEMORY_KEEP_RESIDENT`] for linear memories: a plugin's tables
/// (function pointers, 8 bytes an element) hold a few thousand elements at
/// most.
const TABLE_KEEP_RESIDENT: usize = 64 << 10;

/// The budget of every plugin call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PluginLimits {
    /// Wall-clock time a call may run before it is interrupted.
    pub timeout: Duration,
    /// Linear memory a call's instance may grow to, in bytes.
    pub memory_bytes: usize,
    /// What a call may log: lines, bytes per line, bytes per call; the rest
    /// is dropped (with one warning).
    pub log: LogLimits,
}

impl Default for PluginLimits {
    /// One second, 64 MiB and [`LogLimits::default`] per call.
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(1),
            memory_bytes: 64 << 20,
            log: LogLimits::default(),
        }
    }
}

/// How a [`PluginEngine`] is set up.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EngineOptions {
    /// The budget of every call.
    pub limits: PluginLimits,
    /// Where compiled plugins are kept across restarts, so that loading an
    /// unchanged plugin again does not recompile it; `None` compiles on
    /// every load. A relative path is taken against the working directory.
    /// The directory must be writable by Trellis alone (it holds native
    /// code); one that cannot be used costs a warning, never a failed load.
    pub cache_dir: Option<PathBuf>,
}

/// The engine every plugin is compiled for and instantiated in.
///
/// Cheap to clone (shared). A background thread advances the epoch every
/// 10 ms while any clone is alive; it stops when the last clone is dropped.
#[derive(Clone)]
pub struct PluginEngine {
    shared: Arc<Shared>,
}

struct Shared {
    engine: Engine,
    linker: Linker<Sandbox>,
    limits: PluginLimits,
    /// The compiled-component cache the engine uses, if any.
    cache: Option<Cache>,
    /// Held for its `Drop`: stops the epoch thread with the last clone.
    _ticker: Ticker,
}

impl PluginEngine {
    /// An engine with the default [`PluginLimits`].
    pub fn new() -> Result<Self, PluginError> {
        Self::with_limits(PluginLimits::default())
    }

    /// An engine whose calls run within `limits`, without a compiled-component
    /// cache.
    pub fn with_limits(limits: PluginLimits) -> Result<Self, PluginError> {
        Self::with_options(EngineOptions {
            limits,
            cache_dir: None,
        })
    }

    /// An engine set up as `options` say.
    ///
    /// Fails only if wasmtime cannot build the engine or its linker; a cache
    /// directory that cannot be used leaves the engine without a cache (and
    /// logs a warning).
    pub fn with_options(options: EngineOptions) -> Result<Self, PluginError> {
        let EngineOptions { limits, cache_dir } = options;
        let cache = cache_dir.as_deref().and_then(cache::open);
        let mut config = engine_config(&limits);
        config.cache(cache.clone());
        let engine = Engine::new(&config).map_err(|error| engine_error(&error))?;
        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_async(&mut linker)
            .map_err(|error| engine_error(&error))?;
        bindings::log::add_to_linker::<Sandbox, HasSelf<Sandbox>>(&mut linker, |sandbox| sandbox)
            .map_err(|error| engine_error(&error))?;
        let ticker = Ticker::start(engine.clone());
        Ok(Self {
            shared: Arc::new(Shared {
                engine,
                linker,
                limits,
                cache,
                _ticker: ticker,
            }),
        })
    }

    pub(super) fn engine(&self) -> &Engine {
        &self.shared.engine
    }

    pub(super) fn linker(&self) -> &Linker<Sandbox> {
        &self.shared.linker
    }

    /// The budget of every call.
    pub fn limits(&self) -> PluginLimits {
        self.shared.limits
    }

    /// What the compiled-component cache did so far, shared by every clone;
    /// `None` when the engine has no cache (none asked for, or the
    /// directory could not be used).
    pub fn cache_stats(&self) -> Option<CacheStats> {
        self.shared.cache.as_ref().map(cache::stats)
    }

    /// The call timeout in epoch ticks: the timeout rounded up, plus one
    /// tick because a call starts part-way through the current tick. A call
    /// is therefore interrupted after at least the timeout and at most about
    /// one tick (10 ms) more, scheduling permitting.
    pub(super) fn timeout_ticks(&self) -> u64 {
        let ticks = self
            .shared
            .limits
            .timeout
            .as_millis()
            .div_ceil(EPOCH_TICK.as_millis())
            + 1;
        u64::try_from(ticks).unwrap_or(u64::MAX)
    }
}

fn engine_config(limits: &PluginLimits) -> Config {
    let mut pooling = PoolingAllocationConfig::default();
    pooling
        .total_component_instances(MAX_CONCURRENT_INSTANCES)
        .total_core_instances(MAX_CONCURRENT_INSTANCES * 4)
        .total_memories(MAX_CONCURRENT_INSTANCES * 2)
        .total_tables(MAX_CONCURRENT_INSTANCES * 4)
        .total_stacks(MAX_CONCURRENT_INSTANCES)
        .max_memory_size(limits.memory_bytes)
        .linear_memory_keep_resident(LINEAR_MEMORY_KEEP_RESIDENT)
        .table_keep_resident(TABLE_KEEP_RESIDENT)
        .pagemap_scan(Enabled::Auto);
    let mut config = Config::new();
    compilation::configure(&mut config)
        .allocation_strategy(InstanceAllocationStrategy::Pooling(pooling));
    config
}

fn engine_error(error: &wasmtime::Error) -> PluginError {
    PluginError::Load {
        plugin: "(engine)".into(),
        message: format!("{error:#}"),
    }
}

/// Advances the engine's epoch every [`EPOCH_TICK`] until dropped.
struct Ticker {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Ticker {
    fn start(engine: Engine) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let thread = std::thread::Builder::new()
            .name("trellis-plugin-epoch".into())
            .spawn(move || {
                while !flag.load(Ordering::Relaxed) {
                    std::thread::sleep(EPOCH_TICK);
                    engine.increment_epoch();
                }
            })
            .expect("spawning the epoch thread");
        Self {
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for Ticker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
