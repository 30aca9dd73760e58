//! Constructors of [`PluginError`], a plugin's refusal to handle one object.

use crate::PluginError;

impl PluginError {
    /// A refusal: `reason` is machine-readable (it becomes the status
    /// condition's reason, e.g. `UnsupportedValue`), `field` the path of what
    /// is wrong in the object (e.g. `spec.rules[1].matches`) and `message`
    /// says what is wrong, for a person.
    pub fn refusal(
        reason: impl Into<String>,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            reason: reason.into(),
            field: Some(field.into()),
            message: message.into(),
        }
    }

    /// A refusal of this plugin's configuration (reason
    /// `InvalidPluginConfig`): `option` is the path of the bad option inside
    /// the policy's `config` table (`organizationId`, `labels.team`), empty
    /// for the table as a whole; the field becomes `config.<option>`.
    pub fn invalid_config(option: &str, message: impl Into<String>) -> Self {
        let field = if option.is_empty() {
            "config".to_owned()
        } else {
            format!("config.{option}")
        };
        Self::refusal("InvalidPluginConfig", field, message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_names_its_field() {
        let error = PluginError::refusal("UnsupportedValue", "spec.hostnames", "too many");
        assert_eq!(error.reason, "UnsupportedValue");
        assert_eq!(error.field.as_deref(), Some("spec.hostnames"));
        assert_eq!(error.message, "too many");
    }

    #[test]
    fn a_config_refusal_names_the_option_under_config() {
        let error = PluginError::invalid_config("organizationId", "required");
        assert_eq!(error.reason, "InvalidPluginConfig");
        assert_eq!(error.field.as_deref(), Some("config.organizationId"));
        assert_eq!(
            PluginError::invalid_config("", "not JSON").field.as_deref(),
            Some("config")
        );
    }
}
