//! Field paths and field sets, as `managedFields` records them (the
//! `FieldsV1` format): a path is a list of elements — `f:NAME` a field of an
//! object, `k:{KEYS}` the item of a map list with these key values,
//! `v:VALUE` the item of a set list — and a field set holds the paths a
//! manager owns: leaves (scalars, atomic lists and maps, empty objects) and
//! the items of map and set lists.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use crate::schema::{ListType, Schema};

/// One path from the object's root.
pub(crate) type Path = Vec<String>;

/// The paths a manager owns.
pub(crate) type FieldSet = BTreeSet<Path>;

/// `metadata` fields that have owners (the rest are the server's or the
/// object's identity).
const OWNED_METADATA: [&str; 3] = ["labels", "annotations", "finalizers"];

/// The fields of `object` (stored or applied form) that managers can own,
/// below its top-level fields `top` selects.
pub(crate) fn of_object(object: &Value, schema: Schema, top: impl Fn(&str) -> bool) -> FieldSet {
    let mut fields = FieldSet::new();
    let Some(map) = object.as_object() else {
        return fields;
    };
    for (name, value) in map {
        if !top(name) || matches!(name.as_str(), "apiVersion" | "kind") {
            continue;
        }
        let mut path = vec![format!("f:{name}")];
        if name == "metadata" {
            for field in OWNED_METADATA {
                if let Some(value) = value.get(field) {
                    path.push(format!("f:{field}"));
                    let schema = if field == "finalizers" {
                        Schema::set()
                    } else {
                        Schema::new(None)
                    };
                    collect(value, schema, &mut path, &mut fields);
                    path.pop();
                }
            }
        } else {
            collect(value, schema.field(name), &mut path, &mut fields);
        }
    }
    fields
}

fn collect(value: &Value, schema: Schema, path: &mut Path, fields: &mut FieldSet) {
    match value {
        Value::Object(map) if !map.is_empty() && !schema.atomic_map() => {
            for (name, child) in map {
                path.push(format!("f:{name}"));
                collect(child, schema.field(name), path, fields);
                path.pop();
            }
        }
        Value::Array(items) => match schema.list_type() {
            ListType::Atomic => {
                fields.insert(path.clone());
            }
            ListType::Set => {
                for item in items {
                    path.push(format!("v:{item}"));
                    fields.insert(path.clone());
                    path.pop();
                }
            }
            ListType::Map(keys) => {
                for item in items {
                    path.push(map_key(item, &keys));
                    fields.insert(path.clone());
                    collect(item, schema.items(), path, fields);
                    path.pop();
                }
            }
        },
        _ => {
            fields.insert(path.clone());
        }
    }
}

/// The `k:` element of `item` in a map list keyed by `keys`: its key
/// values as a JSON object with sorted keys.
fn map_key(item: &Value, keys: &[String]) -> String {
    let mut sorted: Vec<&String> = keys.iter().collect();
    sorted.sort();
    let parts: Vec<String> = sorted
        .into_iter()
        .filter_map(|key| {
            item.get(key)
                .map(|value| format!("{}:{value}", Value::from(key.as_str())))
        })
        .collect();
    format!("k:{{{}}}", parts.join(","))
}

/// Whether `item` is the one `element` (`k:` or `v:`) names.
fn is_item(item: &Value, element: &str) -> bool {
    if let Some(keys) = element.strip_prefix("k:") {
        let Ok(Value::Object(keys)) = serde_json::from_str::<Value>(keys) else {
            return false;
        };
        keys.iter().all(|(key, value)| item.get(key) == Some(value))
    } else if let Some(value) = element.strip_prefix("v:") {
        serde_json::from_str::<Value>(value).is_ok_and(|value| *item == value)
    } else {
        false
    }
}

/// The value at `path` in `object`, if there is one.
pub(crate) fn value_at<'a>(object: &'a Value, path: &[String]) -> Option<&'a Value> {
    path.iter()
        .try_fold(object, |node, element| match element.strip_prefix("f:") {
            Some(name) => node.get(name),
            None => node.as_array()?.iter().find(|item| is_item(item, element)),
        })
}

/// Removes what `path` names from `object` (nothing if it is not there).
pub(crate) fn remove_at(object: &mut Value, path: &[String]) {
    let Some((last, parent)) = path.split_last() else {
        return;
    };
    let mut node = object;
    for element in parent {
        let next = match element.strip_prefix("f:") {
            Some(name) => node.get_mut(name),
            None => node
                .as_array_mut()
                .and_then(|items| items.iter_mut().find(|item| is_item(item, element))),
        };
        match next {
            Some(next) => node = next,
            None => return,
        }
    }
    match (last.strip_prefix("f:"), node) {
        (Some(name), Value::Object(map)) => {
            map.remove(name);
        }
        (None, Value::Array(items)) => items.retain(|item| !is_item(item, last)),
        _ => {}
    }
}

/// `fields` in the `FieldsV1` form: nested objects keyed by path elements,
/// `{}` for a member without members below it, `".": {}` for one with.
pub(crate) fn to_fields_v1(fields: &FieldSet) -> Value {
    let mut root = Map::new();
    for path in fields {
        let mut node = &mut root;
        for element in path {
            node = node
                .entry(element.clone())
                .or_insert_with(|| Value::Object(Map::new()))
                .as_object_mut()
                .expect("field set nodes are objects");
        }
        node.insert(".".into(), Value::Object(Map::new()));
    }
    fn tidy(node: &mut Map<String, Value>) {
        if node.len() == 1 && node.contains_key(".") {
            node.clear();
        }
        for child in node.values_mut() {
            if let Value::Object(child) = child {
                tidy(child);
            }
        }
    }
    tidy(&mut root);
    Value::Object(root)
}

/// The field set a `FieldsV1` value describes.
pub(crate) fn from_fields_v1(value: &Value) -> FieldSet {
    fn walk(node: &Map<String, Value>, path: &mut Path, fields: &mut FieldSet) {
        for (element, child) in node {
            if element == "." {
                continue;
            }
            path.push(element.clone());
            match child.as_object() {
                Some(child) if !child.is_empty() => {
                    if child.contains_key(".") {
                        fields.insert(path.clone());
                    }
                    walk(child, path, fields);
                }
                _ => {
                    fields.insert(path.clone());
                }
            }
            path.pop();
        }
    }
    let mut fields = FieldSet::new();
    if let Some(root) = value.as_object() {
        walk(root, &mut Vec::new(), &mut fields);
    }
    fields
}

/// `path` as messages show it: `.status.conditions[type="Ready"].status`.
pub(crate) fn display(path: &[String]) -> String {
    path.iter()
        .map(|element| {
            if let Some(name) = element.strip_prefix("f:") {
                format!(".{name}")
            } else if let Some(keys) = element.strip_prefix("k:") {
                let keys = serde_json::from_str::<Map<String, Value>>(keys).unwrap_or_default();
                let parts: Vec<String> = keys.iter().map(|(k, v)| format!("{k}={v}")).collect();
                format!("[{}]", parts.join(","))
            } else {
                format!("[={}]", element.trim_start_matches("v:"))
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema() -> Value {
        json!({"properties": {"status": {"properties": {
            "conditions": {"type": "array", "x-kubernetes-list-type": "map",
                "x-kubernetes-list-map-keys": ["type"]},
            "tags": {"type": "array", "x-kubernetes-list-type": "set"},
        }}}})
    }

    #[test]
    fn field_sets_follow_the_schema_and_round_trip() {
        let root = schema();
        let object = json!({
            "apiVersion": "v1", "kind": "X",
            "metadata": {"name": "a", "labels": {"l": "v"}, "finalizers": ["f"]},
            "spec": {"list": [1, 2], "empty": {}},
            "status": {"conditions": [{"type": "Ready", "status": "True"}], "tags": ["a"]},
        });
        let fields = of_object(&object, Schema::new(Some(&root)), |_| true);
        let shown: Vec<String> = fields.iter().map(|path| display(path)).collect();
        assert_eq!(
            shown,
            [
                ".metadata.finalizers[=\"f\"]",
                ".metadata.labels.l",
                ".spec.empty",
                ".spec.list",
                ".status.conditions[type=\"Ready\"]",
                ".status.conditions[type=\"Ready\"].status",
                ".status.conditions[type=\"Ready\"].type",
                ".status.tags[=\"a\"]",
            ]
        );
        let encoded = to_fields_v1(&fields);
        assert_eq!(
            encoded["f:status"]["f:conditions"]["k:{\"type\":\"Ready\"}"]["."],
            json!({})
        );
        assert_eq!(from_fields_v1(&encoded), fields);
        let condition = vec![
            "f:status".to_string(),
            "f:conditions".into(),
            "k:{\"type\":\"Ready\"}".into(),
        ];
        assert_eq!(value_at(&object, &condition).unwrap()["status"], "True");
        let mut removed = object.clone();
        remove_at(&mut removed, &condition);
        assert_eq!(removed["status"]["conditions"], json!([]));
        let status_only = of_object(&object, Schema::new(Some(&root)), |top| top == "status");
        assert!(status_only.iter().all(|path| path[0] == "f:status"));
    }
}
