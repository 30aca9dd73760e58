//! What the fuzz targets of `fuzz/` reach that is not otherwise public: the
//! validation of plugin output. Not part of Trellis's API (hidden from the
//! docs); it may change with the validators.

use serde::Deserialize;

pub use super::translate::validate::ValidationError;
use super::translate::validate::{
    validate_auth_policy, validate_name_answers, validate_names, validate_no_controller_tags,
    validate_route_translation, validate_service_network_name, validate_tags,
    validate_target_groups,
};
use crate::plugin::bindings::auth::AuthPolicy;
use crate::plugin::bindings::naming::NamingSubject;
use crate::plugin::bindings::tagging::TaggingSubject;
use crate::plugin::bindings::types::{KeyValue, RouteTranslation, TargetGroupSpec};

/// The plugin name validation errors carry.
const PLUGIN: &str = "fuzz";

/// One answer of a plugin, as JSON (the WIT types' serde form), with what it
/// answers where the validation needs it.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum PluginOutput {
    /// `translate-route`.
    Route(RouteTranslation),
    /// `translate-export`.
    TargetGroups(Vec<TargetGroupSpec>),
    /// `gateway-service-network`.
    ServiceNetwork(String),
    /// `naming.name` for `subjects`.
    Names {
        subjects: Vec<NamingSubject>,
        answers: Vec<Option<String>>,
    },
    /// `tagging.tags` for `subjects`.
    Tags {
        subjects: Vec<TaggingSubject>,
        answers: Vec<Vec<KeyValue>>,
    },
    /// `auth.route-auth-policy` or `auth.gateway-auth-policy`.
    Auth(Option<AuthPolicy>),
}

/// Runs every validator that applies to `output`, as the translation chain
/// does: for names, both the chain's answers (deferring allowed) and the
/// final names; for tags, the subjects' count and Trellis's reserved keys.
/// The first violation is the error.
pub fn validate_plugin_output(output: &PluginOutput) -> Result<(), ValidationError> {
    match output {
        PluginOutput::Route(translation) => validate_route_translation(PLUGIN, translation),
        PluginOutput::TargetGroups(specs) => validate_target_groups(PLUGIN, specs),
        PluginOutput::ServiceNetwork(name) => validate_service_network_name(PLUGIN, name),
        PluginOutput::Names { subjects, answers } => {
            validate_name_answers(PLUGIN, subjects, answers)?;
            validate_names(PLUGIN, subjects, answers)
        }
        PluginOutput::Tags { subjects, answers } => {
            validate_tags(PLUGIN, subjects, answers)?;
            validate_no_controller_tags(PLUGIN, answers)
        }
        PluginOutput::Auth(policy) => validate_auth_policy(PLUGIN, policy.as_ref()),
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    /// The seeds of the `plugin_output` fuzz target read as plugin output,
    /// valid and invalid ones alike, so the fuzzer starts from real shapes.
    #[test]
    fn the_fuzz_seeds_are_plugin_outputs() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/seeds/plugin_output");
        let mut valid = 0;
        let mut read = 0;
        for entry in std::fs::read_dir(&dir).expect("fuzz/seeds/plugin_output exists") {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            let output: PluginOutput = serde_json::from_str(&text)
                .unwrap_or_else(|error| panic!("{}: {error}", path.display()));
            read += 1;
            valid += usize::from(validate_plugin_output(&output).is_ok());
        }
        assert!(read >= 6, "only {read} seeds");
        assert!(valid >= 1 && valid < read, "{valid} of {read} seeds valid");
    }
}
