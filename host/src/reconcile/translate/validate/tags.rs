//! AWS tag rules, and the contract of `tagging.tags`.

use std::collections::HashSet;

use super::{Checker, ValidationError};
use crate::plugin::bindings::tagging::TaggingSubject;
use crate::plugin::bindings::types::KeyValue;

/// AWS: at most 50 user tags per resource.
const MAX_TAGS: usize = 50;
/// AWS: tag keys are 1 to 128 characters.
const MAX_KEY_LENGTH: usize = 128;
/// AWS: tag values are 0 to 256 characters.
const MAX_VALUE_LENGTH: usize = 256;

/// Validates the answers of `tagging.tags`: one list per subject; per list at
/// most 50 tags with unique keys of 1-128 characters not starting with the
/// reserved `aws:`, and values of at most 256 characters.
pub fn validate_tags(
    plugin: &str,
    subjects: &[TaggingSubject],
    answers: &[Vec<KeyValue>],
) -> Result<(), ValidationError> {
    let check = Checker { plugin };
    check.ensure(answers.len() == subjects.len(), "tags", || {
        format!(
            "{} tag lists for {} subjects; the contract is one per subject",
            answers.len(),
            subjects.len()
        )
    })?;
    for (index, tags) in answers.iter().enumerate() {
        check_tag_list(&check, &format!("tags[{index}]"), tags)?;
    }
    Ok(())
}

/// The tag key prefix of the controller's ownership tags (upstream's
/// `ManagedBy`, `RouteName`, …): only the built-in default plugin sets them.
const CONTROLLER_TAG_PREFIX: &str = "application-networking.k8s.aws/";

/// Validates that a plugin other than the default sets none of the
/// controller's ownership tags: tags decide what Trellis owns and deletes,
/// so a plugin that set them could hand resources to another owner.
pub fn validate_no_controller_tags(
    plugin: &str,
    answers: &[Vec<KeyValue>],
) -> Result<(), ValidationError> {
    let check = Checker { plugin };
    for (index, tags) in answers.iter().enumerate() {
        for tag in tags {
            check.ensure(
                !tag.key.starts_with(CONTROLLER_TAG_PREFIX),
                format!("tags[{index}].{}", tag.key),
                || {
                    format!(
                        "tag keys starting with {CONTROLLER_TAG_PREFIX:?} are the controller's \
                         ownership tags; only the default plugin sets them"
                    )
                },
            )?;
        }
    }
    Ok(())
}

fn check_tag_list(
    check: &Checker<'_>,
    field: &str,
    tags: &[KeyValue],
) -> Result<(), ValidationError> {
    check.ensure(tags.len() <= MAX_TAGS, field, || {
        format!("{} tags; AWS allows {MAX_TAGS}", tags.len())
    })?;
    let mut keys = HashSet::new();
    for tag in tags {
        let field = format!("{field}.{}", tag.key);
        let key_length = tag.key.chars().count();
        check.ensure((1..=MAX_KEY_LENGTH).contains(&key_length), &field, || {
            format!("tag key has {key_length} characters; AWS allows 1 to {MAX_KEY_LENGTH}")
        })?;
        check.ensure(
            !tag.key.to_ascii_lowercase().starts_with("aws:"),
            &field,
            || "tag keys starting with 'aws:' are reserved by AWS".into(),
        )?;
        let value_length = tag.value.chars().count();
        check.ensure(value_length <= MAX_VALUE_LENGTH, &field, || {
            format!("tag value has {value_length} characters; AWS allows {MAX_VALUE_LENGTH}")
        })?;
        check.ensure(keys.insert(tag.key.as_str()), &field, || {
            "tag key given twice".into()
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(key: &str, value: &str) -> KeyValue {
        KeyValue {
            key: key.into(),
            value: value.into(),
        }
    }

    #[test]
    fn tag_rules() {
        let subjects = [TaggingSubject::Service];
        let validate = |tags: Vec<KeyValue>| validate_tags("p", &subjects, &[tags]);
        assert!(validate(vec![tag("team", "payments")]).is_ok());
        assert!(validate(vec![tag("", "x")]).is_err());
        assert!(validate(vec![tag("aws:cloudformation", "x")]).is_err());
        assert!(validate(vec![tag("k", &"v".repeat(257))]).is_err());
        assert!(validate(vec![tag("k", "a"), tag("k", "b")]).is_err());
        assert!(validate((0..51).map(|n| tag(&format!("k{n}"), "v")).collect()).is_err());
        let short = validate_tags("p", &subjects, &[]).unwrap_err();
        assert_eq!(short.field, "tags");
    }
}
