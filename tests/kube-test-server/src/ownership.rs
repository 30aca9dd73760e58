//! Field ownership: server-side apply merges by the CRD schema's list and
//! map types and by who owns what; every other write moves the fields it
//! changes to its manager.
//!
//! Server-side apply by manager M of configuration C:
//! - C is merged into the live object: objects field by field (a `null`
//!   removes the field), atomic lists and maps replaced whole, set lists as
//!   sets, map lists item by item by their keys (`schema`).
//! - A field C sets to a value other than the live one, owned by another
//!   manager, is a conflict: 409 `Conflict` naming the manager and field,
//!   unless `force` is set — then M takes the field from its owner.
//! - Fields M applied before and no longer applies are removed, unless
//!   another manager owns them (or something inside them).
//! - M's `Apply` entry becomes exactly the fields of C; a field set to the
//!   same value as another manager's is shared.
//!
//! Other writes (create, replace, JSON and merge patches) by manager U:
//! the fields whose value the write changes (and the list items it adds)
//! move to U's `Update` entry; fields the write removes leave every entry.

use serde_json::{Map, Value, json};

use crate::fields::{self, FieldSet, Path};
use crate::managed_fields::{self, Entry, Manager};
use crate::resources::ResourceType;
use crate::schema::{ListType, Schema};
use crate::status_error::ApiError;

/// `live` (stored form, with its `managedFields`) after manager applied
/// `config` (stored form) to the top-level fields `covers` selects; the
/// result carries the new `managedFields`.
pub(crate) fn apply(
    live: &Value,
    config: &Value,
    manager: &Manager,
    force: bool,
    resource: &ResourceType,
    covers: impl Fn(&str) -> bool + Copy,
) -> Result<Value, ApiError> {
    let schema = Schema::new(resource.schema.as_ref());
    let applied_part: Map<String, Value> = config
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(name, _)| covers(name))
        .map(|(name, value)| (name.clone(), value.clone()))
        .collect();
    let applied_part = Value::Object(applied_part);
    let mut merged = live.clone();
    for (name, value) in applied_part.as_object().into_iter().flatten() {
        let field_schema = if name == "metadata" {
            Schema::new(Some(&METADATA))
        } else {
            schema.field(name)
        };
        let merged_field = merge(&live[name.as_str()], value, field_schema);
        merged[name.as_str()] = merged_field;
    }
    let applied = fields::of_object(&applied_part, schema, covers);
    let mut entries = managed_fields::read(live);
    let mut conflicts = Vec::new();
    for entry in entries.iter_mut().filter(|entry| !entry.is(manager)) {
        let taken: Vec<Path> = entry
            .fields
            .iter()
            .filter(|path| {
                applied.contains(*path)
                    && !is_item(path)
                    && fields::value_at(live, path) != fields::value_at(&merged, path)
            })
            .cloned()
            .collect();
        if force {
            entry.fields.retain(|path| !taken.contains(path));
        } else {
            conflicts.extend(taken.iter().map(|path| {
                format!(
                    "conflict with {:?}: {}",
                    entry.manager,
                    fields::display(path)
                )
            }));
        }
    }
    if !conflicts.is_empty() {
        return Err(ApiError::apply_conflict(&conflicts));
    }
    let previous = entries
        .iter()
        .find(|entry| entry.is(manager))
        .map(|entry| entry.fields.clone())
        .unwrap_or_default();
    // Items before what is inside them; the key fields of an item stay
    // with it.
    for path in previous.difference(&applied) {
        let kept = is_key_field(path)
            || entries
                .iter()
                .filter(|entry| !entry.is(manager))
                .any(|entry| entry.fields.iter().any(|owned| owned.starts_with(path)));
        if !kept {
            fields::remove_at(&mut merged, path);
        }
    }
    entries.retain(|entry| !entry.is(manager));
    entries.push(Entry {
        fields: applied,
        ..Entry::new(manager, &resource.api_version())
    });
    managed_fields::write(&mut merged, &entries);
    Ok(merged)
}

/// Gives `next` (stored form, about to replace `live`, `None` for a create)
/// the `managedFields` of `live` after `manager` wrote it.
pub(crate) fn record_update(
    live: Option<&Value>,
    next: &mut Value,
    manager: &Manager,
    resource: &ResourceType,
) {
    let schema = Schema::new(resource.schema.as_ref());
    let after = fields::of_object(next, schema, |_| true);
    let (before, mut entries) = match live {
        Some(live) => (
            fields::of_object(live, schema, |_| true),
            managed_fields::read(live),
        ),
        None => (FieldSet::new(), Vec::new()),
    };
    let changed: FieldSet = after
        .iter()
        .filter(|path| match live {
            None => true,
            Some(live) if is_item(path) => fields::value_at(live, path).is_none(),
            Some(live) => fields::value_at(live, path) != fields::value_at(next, path),
        })
        .cloned()
        .collect();
    for entry in &mut entries {
        entry
            .fields
            .retain(|path| !before.contains(path) || after.contains(path));
        if !entry.is(manager) {
            entry.fields.retain(|path| !changed.contains(path));
        }
    }
    match entries.iter_mut().find(|entry| entry.is(manager)) {
        Some(entry) => entry.fields.extend(changed),
        None => entries.push(Entry {
            fields: changed,
            ..Entry::new(manager, &resource.api_version())
        }),
    }
    managed_fields::write(next, &entries);
}

/// How `metadata` merges: `finalizers` is a set; labels and annotations
/// are granular maps.
static METADATA: std::sync::LazyLock<Value> = std::sync::LazyLock::new(
    || json!({"properties": {"finalizers": {"x-kubernetes-list-type": "set"}}}),
);

/// Whether `path` names a list item (`k:` or `v:`) rather than a field.
fn is_item(path: &Path) -> bool {
    path.last()
        .is_some_and(|element| !element.starts_with("f:"))
}

/// Whether `path` is a key field of a map-list item (`…k:{"type":…}, f:type`).
fn is_key_field(path: &Path) -> bool {
    match path.as_slice() {
        [.., item, field] => match (item.strip_prefix("k:"), field.strip_prefix("f:")) {
            (Some(keys), Some(name)) => serde_json::from_str::<Map<String, Value>>(keys)
                .is_ok_and(|keys| keys.contains_key(name)),
            _ => false,
        },
        _ => false,
    }
}

/// `applied` merged into `live` as server-side apply merges.
fn merge(live: &Value, applied: &Value, schema: Schema) -> Value {
    match (live, applied) {
        (Value::Object(live), Value::Object(applied)) if !schema.atomic_map() => {
            let mut merged = live.clone();
            for (name, value) in applied {
                if value.is_null() {
                    merged.remove(name);
                } else {
                    let field = merge(
                        live.get(name).unwrap_or(&Value::Null),
                        value,
                        schema.field(name),
                    );
                    merged.insert(name.clone(), field);
                }
            }
            Value::Object(merged)
        }
        (Value::Array(live), Value::Array(applied)) => match schema.list_type() {
            ListType::Atomic => Value::Array(applied.clone()),
            ListType::Set => {
                let mut merged = live.clone();
                merged.extend(applied.iter().filter(|item| !live.contains(item)).cloned());
                Value::Array(merged)
            }
            ListType::Map(keys) => {
                let same = |a: &Value, b: &Value| keys.iter().all(|key| a.get(key) == b.get(key));
                let mut merged = live.clone();
                for item in applied {
                    match merged.iter_mut().find(|old| same(old, item)) {
                        Some(old) => *old = merge(old, item, schema.items()),
                        None => merged.push(item.clone()),
                    }
                }
                Value::Array(merged)
            }
        },
        _ => applied.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn routes() -> ResourceType {
        ResourceType::namespaced("gateway.networking.k8s.io", "v1", "HTTPRoute", "httproutes")
            .with_schema(json!({"properties": {"status": {"properties": {
                "parents": {"type": "array", "x-kubernetes-list-type": "atomic"},
                "conditions": {"type": "array", "x-kubernetes-list-type": "map",
                    "x-kubernetes-list-map-keys": ["type"]},
            }}}}))
    }

    fn manager(name: &str, apply: bool) -> Manager {
        Manager {
            name: name.into(),
            apply,
            subresource: Some("status".into()),
        }
    }

    #[test]
    fn apply_merges_map_lists_and_conflicts_on_atomic_lists() {
        let routes = routes();
        let only_status = |top: &str| top == "status";
        let live = json!({"metadata": {"name": "r"}});
        let a = json!({"status": {"parents": [{"name": "a"}], "conditions": [{"type": "A", "status": "True"}]}});
        let after_a = apply(&live, &a, &manager("a", true), false, &routes, only_status).unwrap();
        let b = json!({"status": {"parents": [{"name": "b"}], "conditions": [{"type": "B", "status": "True"}]}});
        let refused = apply(
            &after_a,
            &b,
            &manager("b", true),
            false,
            &routes,
            only_status,
        )
        .unwrap_err();
        assert_eq!(refused.code, 409);
        assert!(
            refused.message.contains(".status.parents"),
            "{}",
            refused.message
        );
        let forced = apply(
            &after_a,
            &b,
            &manager("b", true),
            true,
            &routes,
            only_status,
        )
        .unwrap();
        assert_eq!(
            forced["status"]["parents"],
            json!([{"name": "b"}]),
            "atomic: replaced"
        );
        assert_eq!(
            forced["status"]["conditions"],
            json!([{"type": "A", "status": "True"}, {"type": "B", "status": "True"}]),
            "map list: merged by key"
        );
        // `a` stops applying its condition: it goes; `b`'s stays.
        let a_again = json!({"status": {}});
        let dropped = apply(
            &forced,
            &a_again,
            &manager("a", true),
            false,
            &routes,
            only_status,
        )
        .unwrap();
        assert_eq!(
            dropped["status"]["conditions"],
            json!([{"type": "B", "status": "True"}])
        );
    }

    #[test]
    fn updates_take_the_fields_they_change() {
        let routes = routes();
        let mut created = json!({"metadata": {"name": "r"}, "spec": {"x": 1, "y": 1}});
        record_update(None, &mut created, &manager("u", false), &routes);
        let mut next = created.clone();
        next["spec"]["x"] = 2.into();
        record_update(Some(&created), &mut next, &manager("v", false), &routes);
        let entries = managed_fields::read(&next);
        let owners: Vec<(String, usize)> = entries
            .iter()
            .map(|entry| (entry.manager.clone(), entry.fields.len()))
            .collect();
        assert_eq!(owners, [("u".to_string(), 1), ("v".to_string(), 1)]);
    }
}
