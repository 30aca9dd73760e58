//! The compiled-component cache, so that a restart does not recompile the
//! plugins: wasmtime's own cache (`Config::cache`), pointed at a directory.
//!
//! How it works: wasmtime keys every compilation by a SHA-256 of the
//! component's bytes, the engine's compilation settings and wasmtime's
//! version, and keeps the compiled code zstd-compressed in
//! `<dir>/modules/wasmtime-<version>/<key>`. A load whose key is present
//! reuses that code; one whose entry is missing, unreadable or does not load
//! compiles and (re)writes it. A worker thread of wasmtime's evicts the
//! oldest entries once the directory passes [`SIZE_SOFT_LIMIT`] (a default
//! plugin compiles to a few MiB, so dozens of plugin versions fit; the Helm
//! chart's cache volume is larger).
//!
//! Guarantees: the cache never fails a load. A directory that cannot be
//! created is reported once as a warning and the engine runs without a
//! cache; an entry that cannot be written is logged by wasmtime (through the
//! `log` facade) and the load goes on with the code it compiled.
//!
//! Caveat: cached code is native code that wasmtime loads without
//! verifying where it came from; the directory must be writable by Trellis
//! alone.

use std::path::Path;

use wasmtime::{Cache, CacheConfig};

/// The cache size past which the oldest entries are evicted: 128 MiB.
pub const SIZE_SOFT_LIMIT: u64 = 128 << 20;

/// What the compiled-component cache did since its engine started.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CacheStats {
    /// Loads whose compiled code came from the cache.
    pub hits: usize,
    /// Compilations written to the cache. A compilation whose entry could
    /// not be written is not counted.
    pub stored: usize,
}

/// A cache in `dir` (made absolute against the working directory and
/// created if missing), or `None` with a warning if it cannot be used.
pub(super) fn open(dir: &Path) -> Option<Cache> {
    let opened = std::path::absolute(dir)
        .map_err(wasmtime::Error::from)
        .and_then(|dir| {
            let mut config = CacheConfig::new();
            config
                .with_directory(dir)
                .with_files_total_size_soft_limit(SIZE_SOFT_LIMIT);
            Cache::new(config)
        });
    match opened {
        Ok(cache) => Some(cache),
        Err(error) => {
            tracing::warn!(
                directory = %dir.display(),
                error = format!("{error:#}"),
                "the compiled-plugin cache cannot be used; plugins are compiled on every load"
            );
            None
        }
    }
}

/// What `cache` did so far.
pub(super) fn stats(cache: &Cache) -> CacheStats {
    CacheStats {
        hits: cache.cache_hits(),
        stored: cache.cache_misses(),
    }
}
