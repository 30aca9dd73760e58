//! `labelSelector` and `fieldSelector` of lists and watches.
//!
//! Label selectors take comma-separated requirements: `k=v`, `k==v`,
//! `k!=v` (also true when `k` is absent), `k` (exists), `!k` (absent),
//! `k in (a,b)` and `k notin (a,b)`. Field selectors take `f=v`, `f==v`
//! and `f!=v` for the fields every type supports, `metadata.name` and
//! `metadata.namespace`; others fail with 400, as the real server answers
//! for fields a type does not index.

use serde_json::Value;

use crate::status_error::ApiError;

/// Label and field requirements; an object matches when it meets all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Selector {
    labels: Vec<LabelRequirement>,
    fields: Vec<FieldRequirement>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum LabelRequirement {
    Equals(String, String),
    NotEquals(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    NotExists(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct FieldRequirement {
    field: Field,
    value: String,
    equal: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Name,
    Namespace,
}

impl Selector {
    /// The selector of a request's `labelSelector` and `fieldSelector`.
    pub fn parse(labels: Option<&str>, fields: Option<&str>) -> Result<Self, ApiError> {
        Ok(Self {
            labels: split_top_level(labels.unwrap_or(""))
                .into_iter()
                .map(parse_label_requirement)
                .collect::<Result<_, _>>()?,
            fields: split_top_level(fields.unwrap_or(""))
                .into_iter()
                .map(parse_field_requirement)
                .collect::<Result<_, _>>()?,
        })
    }

    /// The same selector, also requiring `metadata.name` to be `name`.
    pub fn with_name(mut self, name: &str) -> Self {
        self.fields.push(FieldRequirement {
            field: Field::Name,
            value: name.into(),
            equal: true,
        });
        self
    }

    /// Whether `object` meets every requirement.
    pub fn matches(&self, object: &Value) -> bool {
        let metadata = &object["metadata"];
        let label = |key: &str| metadata["labels"][key].as_str();
        let labels_match = self.labels.iter().all(|requirement| match requirement {
            LabelRequirement::Equals(key, value) => label(key) == Some(value.as_str()),
            LabelRequirement::NotEquals(key, value) => label(key) != Some(value.as_str()),
            LabelRequirement::In(key, values) => {
                label(key).is_some_and(|actual| values.iter().any(|v| v == actual))
            }
            LabelRequirement::NotIn(key, values) => {
                label(key).is_none_or(|actual| values.iter().all(|v| v != actual))
            }
            LabelRequirement::Exists(key) => label(key).is_some(),
            LabelRequirement::NotExists(key) => label(key).is_none(),
        });
        let fields_match = self.fields.iter().all(|requirement| {
            let actual = match requirement.field {
                Field::Name => metadata["name"].as_str(),
                Field::Namespace => metadata["namespace"].as_str(),
            };
            (actual.unwrap_or("") == requirement.value) == requirement.equal
        });
        labels_match && fields_match
    }
}

/// The comma-separated terms of `selector` (commas inside parentheses do
/// not separate), trimmed, empty ones dropped.
fn split_top_level(selector: &str) -> Vec<&str> {
    let mut terms = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (at, c) in selector.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                terms.push(&selector[start..at]);
                start = at + 1;
            }
            _ => {}
        }
    }
    terms.push(&selector[start..]);
    terms
        .into_iter()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .collect()
}

fn parse_label_requirement(term: &str) -> Result<LabelRequirement, ApiError> {
    let invalid = || ApiError::bad_request(format!("unable to parse requirement: {term:?}"));
    let key = |key: &str| {
        let key = key.trim();
        if key.is_empty() || key.contains(char::is_whitespace) {
            Err(invalid())
        } else {
            Ok(key.to_string())
        }
    };
    if let Some(negated) = term.strip_prefix('!') {
        return Ok(LabelRequirement::NotExists(key(negated)?));
    }
    if let Some((left, right)) = term.split_once("!=") {
        return Ok(LabelRequirement::NotEquals(key(left)?, right.trim().into()));
    }
    if let Some((left, right)) = term.split_once("==").or_else(|| term.split_once('=')) {
        return Ok(LabelRequirement::Equals(key(left)?, right.trim().into()));
    }
    if let Some(open) = term.find('(') {
        let (head, values) = term.split_at(open);
        let values = values
            .strip_prefix('(')
            .and_then(|v| v.strip_suffix(')'))
            .ok_or_else(invalid)?;
        let values: Vec<String> = values.split(',').map(|v| v.trim().to_string()).collect();
        let mut words = head.split_whitespace();
        let (Some(name), Some(operator), None) = (words.next(), words.next(), words.next()) else {
            return Err(invalid());
        };
        return match operator {
            "in" => Ok(LabelRequirement::In(key(name)?, values)),
            "notin" => Ok(LabelRequirement::NotIn(key(name)?, values)),
            _ => Err(invalid()),
        };
    }
    if term.contains(['<', '>']) {
        return Err(invalid());
    }
    Ok(LabelRequirement::Exists(key(term)?))
}

fn parse_field_requirement(term: &str) -> Result<FieldRequirement, ApiError> {
    let (field, value, equal) = if let Some((field, value)) = term.split_once("!=") {
        (field, value, false)
    } else if let Some((field, value)) = term.split_once("==").or_else(|| term.split_once('=')) {
        (field, value, true)
    } else {
        return Err(ApiError::bad_request(format!(
            "invalid selector: {term:?}; can't understand it"
        )));
    };
    let field = match field.trim() {
        "metadata.name" => Field::Name,
        "metadata.namespace" => Field::Namespace,
        other => {
            return Err(ApiError::bad_request(format!(
                "field label not supported: {other}"
            )));
        }
    };
    Ok(FieldRequirement {
        field,
        value: value.trim().into(),
        equal,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object() -> Value {
        json!({"metadata": {"name": "a", "namespace": "ns", "labels": {"app": "web", "tier": "front"}}})
    }

    fn matches(labels: &str, fields: &str) -> bool {
        Selector::parse(Some(labels), Some(fields))
            .unwrap()
            .matches(&object())
    }

    #[test]
    fn label_requirements() {
        assert!(matches("", ""));
        assert!(matches("app=web,tier==front", ""));
        assert!(!matches("app=db", ""));
        assert!(matches("app!=db,missing!=x", ""));
        assert!(matches("app, !missing", ""));
        assert!(!matches("missing", ""));
        assert!(matches("app in (db, web),tier notin (back)", ""));
        assert!(!matches("app notin (web)", ""));
        assert!(matches("missing notin (x)", ""));
    }

    #[test]
    fn field_requirements() {
        assert!(matches("", "metadata.name=a,metadata.namespace==ns"));
        assert!(!matches("", "metadata.name!=a"));
        let selector = Selector::parse(None, None).unwrap().with_name("b");
        assert!(!selector.matches(&object()));
    }

    #[test]
    fn malformed_selectors_are_bad_requests() {
        for (labels, fields) in [
            ("a in (x", ""),
            ("a > 1", ""),
            ("=x", ""),
            ("", "spec.nodeName=n"),
            ("", "metadata.name"),
        ] {
            let error = Selector::parse(Some(labels), Some(fields)).unwrap_err();
            assert_eq!(error.code, 400, "{labels:?} {fields:?}");
        }
    }
}
