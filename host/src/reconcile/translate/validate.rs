//! Validation of plugin output before anything else sees it.
//!
//! Every check is one of VPC Lattice's own rules (name syntax and length,
//! rule priorities 1-100 unique per listener, weights, ports, counts, tag
//! limits) or a rule of the plugin contract (one answer per subject). A
//! violation is an error for the one object being translated (the caller
//! turns it into that object's problem), naming the plugin and the offending
//! output field; nothing reaches Lattice.

mod auth;
mod dns;
mod names;
mod tags;
mod target_groups;
mod translation;

pub use auth::validate_auth_policy;
pub use dns::validate_dns_decision;
pub use names::{validate_name_answers, validate_names, validate_service_network_name};
pub use tags::{validate_no_controller_tags, validate_tags};
pub use target_groups::validate_target_groups;
pub use translation::validate_route_translation;

use crate::object::ProblemSource;
use crate::object::{ObjectRef, Problem};

/// Plugin output that breaks a Lattice rule or the plugin contract.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("plugin {plugin} returned invalid output at {field}: {message}")]
pub struct ValidationError {
    /// The plugin that produced the output.
    pub plugin: String,
    /// The output field, e.g. `service.listeners[0].rules[1].priority`.
    pub field: String,
    /// What rule it breaks.
    pub message: String,
}

impl ProblemSource for ValidationError {
    fn into_problem(self, cluster: &str, object: &ObjectRef) -> Problem {
        Problem {
            cluster: cluster.to_owned(),
            object: object.clone(),
            field: Some(format!("(plugin output) {}", self.field)),
            reason: "InvalidPluginOutput".into(),
            message: format!(
                "plugin {} returned invalid output: {}",
                self.plugin, self.message
            ),
            plugin: Some(self.plugin),
            lattice_error: None,
        }
    }
}

/// Builds [`ValidationError`]s for one plugin.
struct Checker<'a> {
    plugin: &'a str,
}

impl Checker<'_> {
    fn error(&self, field: impl Into<String>, message: impl Into<String>) -> ValidationError {
        ValidationError {
            plugin: self.plugin.to_owned(),
            field: field.into(),
            message: message.into(),
        }
    }

    /// `Err` at `field` unless `ok`.
    fn ensure(
        &self,
        ok: bool,
        field: impl Into<String>,
        message: impl FnOnce() -> String,
    ) -> Result<(), ValidationError> {
        if ok {
            Ok(())
        } else {
            Err(self.error(field, message()))
        }
    }
}
