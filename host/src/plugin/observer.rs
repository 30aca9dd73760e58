//! What a plugin call reports when it ends, for metrics.

use std::time::Duration;

use super::error::PluginError;

/// How a plugin call ended, for [`CallObserver`]s.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallOutcome {
    /// The plugin answered.
    Answered,
    /// The plugin refused the input with an error of its own.
    Refused,
    /// The call trapped (or failed to instantiate).
    Trapped,
    /// The call ran out of time.
    TimedOut,
    /// The call tried to grow memory past its limit.
    MemoryExceeded,
}

impl CallOutcome {
    /// The outcome of a call that ended with `result`.
    pub(super) fn of<R>(result: &Result<R, PluginError>) -> Self {
        match result {
            Ok(_) => Self::Answered,
            Err(PluginError::Refused { .. }) => Self::Refused,
            Err(PluginError::Timeout { .. }) => Self::TimedOut,
            Err(PluginError::MemoryExceeded { .. }) => Self::MemoryExceeded,
            Err(_) => Self::Trapped,
        }
    }

    /// The outcome as a metric label value.
    pub fn label(self) -> &'static str {
        match self {
            Self::Answered => "answered",
            Self::Refused => "refused",
            Self::Trapped => "trapped",
            Self::TimedOut => "timed_out",
            Self::MemoryExceeded => "memory_exceeded",
        }
    }
}

/// One ended plugin call, as a [`CallObserver`] is told of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallReport<'a> {
    /// The plugin called (its name in the policy).
    pub plugin: &'a str,
    /// The exported function called, e.g. `translate-route`.
    pub function: &'static str,
    /// How long the call took, instantiation included.
    pub elapsed: Duration,
    /// How the call ended.
    pub outcome: CallOutcome,
}

/// Told about every call a plugin makes (for metrics). Called on the
/// calling task after the call; must not block.
pub trait CallObserver: Send + Sync {
    /// A call ended as `call` says.
    fn observe(&self, call: &CallReport<'_>);

    /// The host rejected the answer of `plugin`'s `function` as invalid
    /// (the reconcile core's validation).
    fn rejected(&self, plugin: &str, function: &'static str);
}
