//! A plugin's configuration: the JSON text of its policy entry's `config`
//! table, in `CallContext::config`.

use serde::de::DeserializeOwned;

use crate::{CallContext, PluginError};

impl CallContext {
    /// This plugin's configuration as `T`.
    ///
    /// The host passes `{}` when the policy gives no `config`, so give every
    /// field of `T` a default (`#[serde(default)]`) unless the plugin cannot
    /// work without it; `#[serde(deny_unknown_fields)]` turns a misspelt
    /// option into a refusal instead of a silently ignored setting.
    ///
    /// # Errors
    ///
    /// When the text does not fit `T`: a refusal (reason
    /// `InvalidPluginConfig`) whose field is the option at fault
    /// (`config.labels.team`, or an unknown option's own path), or `config`
    /// for what is wrong with the table as a whole: not JSON, or a required
    /// option missing (the message names it).
    pub fn parse_config<T: DeserializeOwned>(&self) -> Result<T, PluginError> {
        let mut json = serde_json::Deserializer::from_str(&self.config);
        serde_path_to_error::deserialize(&mut json).map_err(|error| {
            let path = error.path();
            let option = if path.iter().len() == 0 {
                String::new()
            } else {
                path.to_string()
            };
            PluginError::invalid_config(&option, error.inner().to_string())
        })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde::Deserialize;

    use crate::testing::context;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    struct Config {
        #[serde(default)]
        labels: BTreeMap<String, String>,
        #[serde(default)]
        organization_id: Option<String>,
    }

    #[test]
    fn the_empty_object_gives_the_defaults() {
        let config: Config = context("{}", &[]).parse_config().unwrap();
        assert_eq!(config.labels, BTreeMap::new());
        assert_eq!(config.organization_id, None);
    }

    #[test]
    fn options_are_read() {
        let ctx = context(
            r#"{"labels": {"team": "Team"}, "organizationId": "o-1"}"#,
            &[],
        );
        let config: Config = ctx.parse_config().unwrap();
        assert_eq!(config.labels["team"], "Team");
        assert_eq!(config.organization_id.as_deref(), Some("o-1"));
    }

    #[test]
    fn a_wrong_value_is_refused_naming_its_option() {
        let ctx = context(r#"{"labels": {"team": 7}}"#, &[]);
        let error = ctx.parse_config::<Config>().unwrap_err();
        assert_eq!(error.reason, "InvalidPluginConfig");
        assert_eq!(error.field.as_deref(), Some("config.labels.team"));
        assert!(
            error.message.contains("expected a string"),
            "{}",
            error.message
        );
    }

    #[test]
    fn an_unknown_option_is_refused_naming_it() {
        let error = context(r#"{"organisationId": "o-1"}"#, &[])
            .parse_config::<Config>()
            .unwrap_err();
        assert_eq!(error.field.as_deref(), Some("config.organisationId"));
        assert!(
            error.message.contains("organizationId"),
            "{}",
            error.message
        );
    }

    #[test]
    fn a_missing_option_is_refused_naming_the_config() {
        #[derive(Debug, Deserialize)]
        struct Required {
            #[expect(dead_code, reason = "only the error is read")]
            label: String,
        }
        let error = context("{}", &[]).parse_config::<Required>().unwrap_err();
        assert_eq!(error.field.as_deref(), Some("config"));
        assert!(
            error.message.contains("missing field `label`"),
            "{}",
            error.message
        );
    }

    #[test]
    fn text_that_is_not_json_is_refused() {
        let error = context("label = team", &[])
            .parse_config::<Config>()
            .unwrap_err();
        assert_eq!(error.field.as_deref(), Some("config"));
    }
}
