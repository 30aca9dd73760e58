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
    /// What `applies` selects, described; equal descriptions select the
    /// same objects.
    selection: String,
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
        Self::stock(default).and(plugin, everything(), "every object")
    }

    /// This set with `plugin` appended to the policies (before the default
    /// plugin, after every plugin added earlier), applying where `applies`
    /// says; `selection` describes what it selects (compared by
    /// [`PluginSet::same_as`]).
    pub fn and(mut self, plugin: Plugin, applies: Applies, selection: impl Into<String>) -> Self {
        self.policies.push(PolicyPlugin {
            plugin,
            applies,
            selection: selection.into(),
        });
        self
    }

    /// Whether `other` has the same plugins (name, version, configuration),
    /// selecting the same objects, in the same order: if so, it translates
    /// every object the same way and need not replace this set.
    pub fn same_as(&self, other: &PluginSet) -> bool {
        let identity = |set: &PluginSet| {
            set.policies
                .iter()
                .map(|policy| (identity(&policy.plugin), policy.selection.clone()))
                .chain(std::iter::once((identity(&set.default), String::new())))
                .collect::<Vec<_>>()
        };
        identity(self) == identity(other)
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
        self.chain(subject).into_iter().map(identity).collect()
    }

    /// Every plugin of the set, the default last.
    pub fn plugins(&self) -> impl Iterator<Item = &Plugin> {
        self.policies
            .iter()
            .map(|policy| &policy.plugin)
            .chain(std::iter::once(&self.default))
    }
}

/// A selection of every object.
pub fn everything() -> Applies {
    Arc::new(|_: &Subject<'_>| true)
}

/// What makes a plugin translate the way it does: name, version and
/// configuration.
fn identity(plugin: &Plugin) -> (String, String, String) {
    (
        plugin.name().to_owned(),
        plugin.version().to_owned(),
        plugin.config().to_owned(),
    )
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
