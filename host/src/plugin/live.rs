//! The plugin set in force, swapped whole on reload.

use std::sync::Arc;

use arc_swap::ArcSwap;
use tokio::sync::watch;

use super::set::PluginSet;

/// The current [`PluginSet`] of a running controller, and a signal for each
/// new one.
///
/// Guarantees: [`LivePlugins::current`] returns a complete set: the swap is
/// one atomic pointer store, so a reader sees the old set or the new one,
/// never a mix; a reader keeps the set it loaded for as long as it holds it
/// (a reconcile in flight finishes with the plugins it started with).
pub struct LivePlugins {
    current: ArcSwap<PluginSet>,
    generation: watch::Sender<u64>,
}

impl LivePlugins {
    /// Serving `set` (generation 0).
    pub fn new(set: PluginSet) -> Self {
        Self {
            current: ArcSwap::from_pointee(set),
            generation: watch::Sender::new(0),
        }
    }

    /// The set in force now.
    pub fn current(&self) -> Arc<PluginSet> {
        self.current.load_full()
    }

    /// Puts `set` in force and tells every subscriber.
    pub fn replace(&self, set: PluginSet) {
        self.current.store(Arc::new(set));
        self.generation.send_modify(|generation| *generation += 1);
    }

    /// A receiver that sees a change whenever a new set is put in force.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.generation.subscribe()
    }
}
