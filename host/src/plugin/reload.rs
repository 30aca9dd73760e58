//! Hot reload: watch the policy folder and the plugin components, rebuild
//! the plugin set when they change, and put it in force.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use notify::RecursiveMode;
use notify_debouncer_full::{DebounceEventResult, new_debouncer};
use tokio::sync::mpsc;

use super::live::LivePlugins;
use super::loader::{LoadFailure, PluginLoader};

/// How long the files must be quiet before a reload: one save or copy
/// often comes as several events.
pub const DEBOUNCE: Duration = Duration::from_millis(200);

/// What one reload did.
#[derive(Debug, Clone)]
pub struct Reload {
    /// Whether a new set was put in force (something that decides an
    /// object's result changed: a plugin's bytes, a policy).
    pub replaced: bool,
    /// Files that failed and kept their last good version.
    pub failures: Vec<LoadFailure>,
    /// From the change noticed to the set in force.
    pub took: Duration,
}

/// The watcher could not start.
#[derive(Debug, thiserror::Error)]
#[error("watching the plugin and policy files: {0}")]
pub struct WatchError(#[from] notify::Error);

/// Watches the loader's files until the returned receiver is dropped;
/// after each debounced change, reloads and, if the set changed, puts it
/// in force in `live`. Every reload is reported on the receiver.
///
/// Guarantees: reloads run one at a time on their own task; compiling
/// happens off the async threads; `live` only ever holds complete sets
/// (see [`LivePlugins`]); a reload that fails keeps what is serving.
pub fn spawn(
    mut loader: PluginLoader,
    live: Arc<LivePlugins>,
) -> Result<mpsc::UnboundedReceiver<Reload>, WatchError> {
    let (changed_tx, mut changed) = mpsc::unbounded_channel::<()>();
    let mut debouncer = new_debouncer(DEBOUNCE, None, move |result: DebounceEventResult| {
        let relevant = match result {
            Ok(events) => !events.is_empty(),
            Err(errors) => {
                for error in errors {
                    tracing::warn!(%error, "watching plugin files");
                }
                false
            }
        };
        if relevant {
            let _ = changed_tx.send(());
        }
    })?;
    let mut watched = Vec::new();
    rewatch(&mut debouncer, &mut watched, &loader.watched_files());
    let (reloads_tx, reloads) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while changed.recv().await.is_some() {
            let noticed = Instant::now();
            while changed.try_recv().is_ok() {}
            let before = live.current();
            let (set, failures) = loader.reload().await;
            let replaced = !set.same_as(&before);
            if replaced {
                live.replace(set);
            }
            rewatch(&mut debouncer, &mut watched, &loader.watched_files());
            let reload = Reload {
                replaced,
                failures,
                took: noticed.elapsed(),
            };
            if reloads_tx.send(reload).is_err() {
                break;
            }
        }
    });
    Ok(reloads)
}

/// Watches the folders holding `files` (a folder in `files` itself): folders
/// rather than files, so a file replaced by a rename, or created later, is
/// seen. Folders that do not exist are skipped until a later rewatch.
fn rewatch<W: notify::Watcher, C: notify_debouncer_full::FileIdCache>(
    debouncer: &mut notify_debouncer_full::Debouncer<W, C>,
    watched: &mut Vec<PathBuf>,
    files: &[PathBuf],
) {
    let mut folders: Vec<PathBuf> = files
        .iter()
        .map(|file| {
            if file.is_dir() {
                return file.clone();
            }
            file.parent()
                .filter(|parent| !parent.as_os_str().is_empty())
                .unwrap_or(Path::new("."))
                .to_path_buf()
        })
        .collect();
    folders.sort();
    folders.dedup();
    for gone in watched.iter().filter(|folder| !folders.contains(folder)) {
        let _ = debouncer.unwatch(gone);
    }
    watched.retain(|folder| folders.contains(folder));
    for folder in folders {
        if watched.contains(&folder) {
            continue;
        }
        match debouncer.watch(&folder, RecursiveMode::NonRecursive) {
            Ok(()) => watched.push(folder),
            Err(error) => {
                tracing::warn!(folder = %folder.display(), %error, "cannot watch for plugin changes")
            }
        }
    }
}
