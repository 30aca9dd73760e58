//! The plugins in force: the policies' plugins with what each applies to,
//! and the built-in default plugin, always last.

use std::fmt;
use std::sync::Arc;

use super::instance::Plugin;
use super::subject::Subject;

/// Decides whether a policy's plugin applies to a subject.
pub type Applies = Arc<dyn Fn(&Subject<'_>) -> bool + Send + Sync>;

/// An immutable set of plugins: what one reconcile translates with.
///
/// Guarantees: [`PluginSet::chain`] always ends with the default plugin, so
/// an object no policy selects gets the stock behavior. A set is never
/// changed after it is built; hot reload builds a new one and swaps it in
/// whole, so a reconcile that holds a set sees one consistent generation of
/// plugins and policies from start to end.
#[derive(Clone)]
pub struct PluginSet {
    policies: Vec<PolicyPlugin>,
    default: Plugin,
}

/// One policy entry: its plugin (named and configured by the policy) and
/// what it applies to.
#[derive(Clone)]
struct PolicyPlugin {
    plugin: Plugin,
    applies: Applies,
}

impl PluginSet {
    /// The default plugin alone: the stock behavior.
    pub fn stock(default: Plugin) -> Self {
        Self {
            policies: Vec::new(),
            default,
        }
    }

    /// `plugin` for every object, ahead of the default plugin (`plan
    /// --plugin`, `trellis test PLUGIN`). A plugin named `default` is taken
    /// to be the default plugin itself and gives [`PluginSet::stock`].
    pub fn with_plugin(default: Plugin, plugin: Plugin) -> Self {
        if plugin.name() == default.name() {
            return Self::stock(plugin);
        }
        Self::stock(default).and(plugin, Arc::new(|_: &Subject<'_>| true))
    }

    /// This set with `plugin` appended to the policies (before the default
    /// plugin, after every plugin added earlier), applying where `applies`
    /// says.
    pub fn and(mut self, plugin: Plugin, applies: Applies) -> Self {
        self.policies.push(PolicyPlugin { plugin, applies });
        self
    }

    /// The plugins that translate `subject`, in chain order: the selected
    /// policies' plugins in policy order, then the default plugin.
    pub fn chain(&self, subject: &Subject<'_>) -> Vec<&Plugin> {
        self.policies
            .iter()
            .filter(|policy| (policy.applies)(subject))
            .map(|policy| &policy.plugin)
            .chain(std::iter::once(&self.default))
            .collect()
    }

    /// What decides an object's result, comparable between two sets: name,
    /// version and configuration of each plugin of `subject`'s chain. Two
    /// sets with the same identity for a subject translate it the same way.
    pub fn chain_identity(&self, subject: &Subject<'_>) -> Vec<(String, String, String)> {
        self.chain(subject)
            .into_iter()
            .map(|plugin| {
                (
                    plugin.name().to_owned(),
                    plugin.version().to_owned(),
                    plugin.config().to_owned(),
                )
            })
            .collect()
    }

    /// Every plugin of the set, the default last.
    pub fn plugins(&self) -> impl Iterator<Item = &Plugin> {
        self.policies
            .iter()
            .map(|policy| &policy.plugin)
            .chain(std::iter::once(&self.default))
    }
}

/// `name version` of each plugin of a chain, comma-separated: what status
/// messages and events say produced an object's result.
pub struct ChainLabel<'a>(pub &'a [&'a Plugin]);

impl fmt::Display for ChainLabel<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, plugin) in self.0.iter().enumerate() {
            if index > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{} {}", plugin.name(), plugin.version())?;
        }
        Ok(())
    }
}
