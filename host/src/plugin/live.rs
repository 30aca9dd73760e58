//! The plugin set in force, swapped whole on reload.

use std::sync::Arc;

use arc_swap::ArcSwap;

use super::set::PluginSet;

/// The current [`PluginSet`] of a running controller.
///
/// Guarantees: [`LivePlugins::current`] returns a complete set: the swap is
/// one atomic pointer store, so a reader sees the old set or the new one,
/// never a mix; a reader keeps the set it loaded for as long as it holds it
/// (a reconcile in flight finishes with the plugins it started with).
pub struct LivePlugins {
    current: ArcSwap<PluginSet>,
}

impl LivePlugins {
    /// Serving `set`.
    pub fn new(set: PluginSet) -> Self {
        Self {
            current: ArcSwap::from_pointee(set),
        }
    }

    /// The set in force now.
    pub fn current(&self) -> Arc<PluginSet> {
        self.current.load_full()
    }

    /// Puts `set` in force.
    pub fn replace(&self, set: PluginSet) {
        self.current.store(Arc::new(set));
    }
}
