//! A structural diff of two JSON documents that a person reads in seconds:
//! one line per differing leaf, addressed by its path.

use std::fmt;

use serde_json::Value;

/// One difference between the expected and the actual document.
#[derive(Debug, Clone, PartialEq)]
pub struct Difference {
    /// Where, e.g. `state.rules[1].priority`.
    pub path: String,
    /// The expected value; `None` when the actual document has an extra value.
    pub expected: Option<Value>,
    /// The actual value; `None` when the actual document lacks the value.
    pub actual: Option<Value>,
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.expected, &self.actual) {
            (Some(expected), Some(actual)) => {
                write!(f, "{}: expected {expected}, got {actual}", self.path)
            }
            (Some(expected), None) => write!(f, "{}: missing (expected {expected})", self.path),
            (None, Some(actual)) => write!(f, "{}: unexpected {actual}", self.path),
            (None, None) => write!(f, "{}: (no difference)", self.path),
        }
    }
}

/// Every difference between `expected` and `actual`, depth first, objects by
/// key and arrays by index.
pub fn differences(expected: &Value, actual: &Value) -> Vec<Difference> {
    let mut found = Vec::new();
    compare(String::new(), Some(expected), Some(actual), &mut found);
    found
}

/// Adds to `found` the differences at and below `path`, where either
/// document may lack a value: two objects or two arrays are compared member
/// by member, any other two values that differ are one difference.
fn compare(
    path: String,
    expected: Option<&Value>,
    actual: Option<&Value>,
    found: &mut Vec<Difference>,
) {
    match (expected, actual) {
        (Some(Value::Object(expected)), Some(Value::Object(actual))) => {
            let mut keys: Vec<&String> = expected.keys().chain(actual.keys()).collect();
            keys.sort();
            keys.dedup();
            for key in keys {
                let member = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                compare(member, expected.get(key), actual.get(key), found);
            }
        }
        (Some(Value::Array(expected)), Some(Value::Array(actual))) => {
            for index in 0..expected.len().max(actual.len()) {
                let member = format!("{path}[{index}]");
                compare(member, expected.get(index), actual.get(index), found);
            }
        }
        _ if expected != actual => found.push(Difference {
            path,
            expected: expected.cloned(),
            actual: actual.cloned(),
        }),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn equal_documents_have_no_difference() {
        let document = json!({"state": {"rules": [{"priority": 1}]}, "problems": []});
        assert!(differences(&document, &document).is_empty());
    }

    #[test]
    fn each_leaf_difference_is_one_line_with_its_path() {
        let expected = json!({"state": {"rules": [{"priority": 1, "name": "a"}, {"priority": 2}]}, "problems": []});
        let actual = json!({"state": {"rules": [{"priority": 3, "name": "a"}]}, "problems": [{"reason": "X"}]});
        let lines: Vec<String> = differences(&expected, &actual)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            lines,
            [
                r#"problems[0]: unexpected {"reason":"X"}"#,
                "state.rules[0].priority: expected 1, got 3",
                r#"state.rules[1]: missing (expected {"priority":2})"#,
            ]
        );
    }
}
