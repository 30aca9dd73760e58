//! Example Trellis plugin (tagging): every Lattice resource an object
//! produces gets cost allocation tags copied from labels of the object's
//! namespace.
//!
//! Config (`[plugin.config]` of the policy): `labels`, a table from
//! namespace label to tag key. Default: `team` → `Team`, `cost-center` →
//! `CostCenter`. A given table replaces the default as a whole. A resource
//! gets the tags whose label the namespace has, with the label's value;
//! nothing when it has none of them.
//!
//! The chain merges tags with earlier plugins winning on a key, so placed
//! before the default plugin these tags also win over a route's or export's
//! own `application-networking.k8s.aws/tags` annotation: cost allocation is
//! the platform's call, not the team's.

use std::collections::BTreeMap;

use serde::Deserialize;
use trellis_plugin_sdk::{CallContext, KeyValue, ObjectMeta, Plugin, PluginError, TaggingSubject};

/// AWS: tag keys are 1 to 128 characters.
const MAX_TAG_KEY_LENGTH: usize = 128;
/// Tag keys only the controller (the default plugin) sets: its ownership tags.
const CONTROLLER_TAG_PREFIX: &str = "application-networking.k8s.aws/";

/// The plugin.
pub struct CostTags;

/// The plugin's configuration.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Config {
    /// Namespace label → tag key, in label order.
    #[serde(default = "default_labels")]
    labels: BTreeMap<String, String>,
}

fn default_labels() -> BTreeMap<String, String> {
    BTreeMap::from([
        ("cost-center".into(), "CostCenter".into()),
        ("team".into(), "Team".into()),
    ])
}

impl Plugin for CostTags {
    fn tags(
        ctx: &CallContext,
        _owner: &ObjectMeta,
        subjects: &[TaggingSubject],
    ) -> Result<Vec<Vec<KeyValue>>, PluginError> {
        let config: Config = ctx.parse_config()?;
        check_tag_keys(&config.labels)?;
        let tags: Vec<KeyValue> = config
            .labels
            .iter()
            .filter_map(|(label, key)| {
                ctx.namespace_label(label).map(|value| KeyValue {
                    key: key.clone(),
                    value: value.into(),
                })
            })
            .collect();
        Ok(vec![tags; subjects.len()])
    }
}

trellis_plugin_sdk::export_plugin!(CostTags);

/// Refuses tag keys AWS or the host would reject, naming the label whose
/// key is wrong: empty or too long keys, AWS's reserved `aws:` prefix, the
/// controller's ownership tags, and a key given for two labels.
fn check_tag_keys(labels: &BTreeMap<String, String>) -> Result<(), PluginError> {
    let mut seen = BTreeMap::new();
    for (label, key) in labels {
        let problem = if !(1..=MAX_TAG_KEY_LENGTH).contains(&key.chars().count()) {
            Some(format!(
                "tag key {key:?} must have 1 to {MAX_TAG_KEY_LENGTH} characters"
            ))
        } else if key.to_ascii_lowercase().starts_with("aws:") {
            Some(format!(
                "tag key {key:?}: the prefix 'aws:' is reserved by AWS"
            ))
        } else if key.starts_with(CONTROLLER_TAG_PREFIX) {
            Some(format!(
                "tag key {key:?}: keys starting with {CONTROLLER_TAG_PREFIX:?} are the \
                 controller's ownership tags"
            ))
        } else {
            seen.insert(key, label)
                .map(|other| format!("tag key {key:?} is also the key of label {other:?}"))
        };
        if let Some(message) = problem {
            return Err(PluginError::invalid_config(
                &format!("labels.{label}"),
                message,
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use trellis_plugin_sdk::testing;

    use super::*;

    fn subjects() -> Vec<TaggingSubject> {
        vec![
            TaggingSubject::Service,
            TaggingSubject::Listener(80),
            TaggingSubject::ServiceNetwork("my-gateway".into()),
        ]
    }

    fn tags(
        config: &str,
        namespace_labels: &[(&str, &str)],
    ) -> Result<Vec<Vec<KeyValue>>, PluginError> {
        let ctx = testing::context(config, namespace_labels);
        let owner = testing::object_meta("HTTPRoute", "payments-api", "rates");
        CostTags::tags(&ctx, &owner, &subjects())
    }

    #[test]
    fn every_subject_gets_the_default_labels_as_tags() {
        let namespace = [
            ("team", "payments"),
            ("cost-center", "cc-1234"),
            ("tier", "web"),
        ];
        let expected = testing::key_values(&[("CostCenter", "cc-1234"), ("Team", "payments")]);
        assert_eq!(tags("{}", &namespace), Ok(vec![expected; 3]));
    }

    #[test]
    fn only_labels_the_namespace_has_become_tags() {
        let expected = testing::key_values(&[("Team", "payments")]);
        assert_eq!(tags("{}", &[("team", "payments")]), Ok(vec![expected; 3]));
        assert_eq!(tags("{}", &[]), Ok(vec![Vec::new(); 3]));
    }

    #[test]
    fn a_configured_table_replaces_the_default() {
        let config = r#"{"labels": {"billing.example.com/owner": "Owner"}}"#;
        let namespace = [
            ("team", "payments"),
            ("billing.example.com/owner", "finance"),
        ];
        let expected = testing::key_values(&[("Owner", "finance")]);
        assert_eq!(tags(config, &namespace), Ok(vec![expected; 3]));
    }

    #[test]
    fn keys_aws_or_the_host_would_reject_are_refused_naming_the_label() {
        for (config, field) in [
            (r#"{"labels": {"team": "aws:team"}}"#, "config.labels.team"),
            (r#"{"labels": {"team": ""}}"#, "config.labels.team"),
            (
                r#"{"labels": {"team": "application-networking.k8s.aws/Team"}}"#,
                "config.labels.team",
            ),
            (
                r#"{"labels": {"owner": "Team", "team": "Team"}}"#,
                "config.labels.team",
            ),
        ] {
            let error = tags(config, &[("team", "payments")]).unwrap_err();
            assert_eq!(error.reason, "InvalidPluginConfig", "{config}");
            assert_eq!(error.field.as_deref(), Some(field), "{config}");
        }
    }
}
