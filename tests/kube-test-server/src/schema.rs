//! The parts of a CRD's structural schema (`openAPIV3Schema`) that server-side
//! apply reads: how lists and maps merge.
//!
//! - `x-kubernetes-list-type`: `atomic` (the default: the list is one value,
//!   replaced whole), `set` (items of scalars, merged as a set) or `map`
//!   (items merged by the fields named in `x-kubernetes-list-map-keys`).
//! - `x-kubernetes-map-type: atomic`: an object replaced whole.
//!
//! Without a schema (types not served by a CRD) every list is atomic and
//! every object granular, as in a CRD whose schema says nothing.

use serde_json::Value;

/// How a list merges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ListType {
    /// One value, replaced whole.
    Atomic,
    /// Scalars, merged as a set.
    Set,
    /// Objects merged by these key fields.
    Map(Vec<String>),
}

/// A node of a schema, or none (everything default).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Schema<'a>(Option<&'a Value>);

impl<'a> Schema<'a> {
    /// The schema rooted at `node` (`None`: no schema).
    pub fn new(node: Option<&'a Value>) -> Self {
        Self(node)
    }

    /// A schema that says "a set list" (for `metadata.finalizers`).
    pub fn set() -> Self {
        static SET: std::sync::LazyLock<Value> =
            std::sync::LazyLock::new(|| serde_json::json!({"x-kubernetes-list-type": "set"}));
        Self(Some(std::sync::LazyLock::force(&SET)))
    }

    /// The schema of field `name` of this object.
    pub fn field(self, name: &str) -> Self {
        Self(self.0.and_then(|node| {
            node["properties"]
                .get(name)
                .or_else(|| node.get("additionalProperties").filter(|v| v.is_object()))
        }))
    }

    /// The schema of this list's items.
    pub fn items(self) -> Self {
        Self(self.0.and_then(|node| node.get("items")))
    }

    /// How this list merges.
    pub fn list_type(self) -> ListType {
        let Some(node) = self.0 else {
            return ListType::Atomic;
        };
        match node["x-kubernetes-list-type"].as_str() {
            Some("set") => ListType::Set,
            Some("map") => ListType::Map(
                node["x-kubernetes-list-map-keys"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect(),
            ),
            _ => ListType::Atomic,
        }
    }

    /// Whether this object is replaced whole.
    pub fn atomic_map(self) -> bool {
        self.0
            .is_some_and(|node| node["x-kubernetes-map-type"].as_str() == Some("atomic"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn list_and_map_types_are_read_with_atomic_defaults() {
        let root = json!({"properties": {
            "parents": {"type": "array", "x-kubernetes-list-type": "atomic", "items": {
                "properties": {"conditions": {"type": "array", "x-kubernetes-list-type": "map",
                    "x-kubernetes-list-map-keys": ["type"]}}}},
            "tags": {"type": "array", "x-kubernetes-list-type": "set"},
            "selector": {"type": "object", "x-kubernetes-map-type": "atomic"},
            "plain": {"type": "array"},
        }});
        let schema = Schema::new(Some(&root));
        assert_eq!(schema.field("parents").list_type(), ListType::Atomic);
        assert_eq!(
            schema
                .field("parents")
                .items()
                .field("conditions")
                .list_type(),
            ListType::Map(vec!["type".into()])
        );
        assert_eq!(schema.field("tags").list_type(), ListType::Set);
        assert_eq!(schema.field("plain").list_type(), ListType::Atomic);
        assert!(schema.field("selector").atomic_map());
        assert_eq!(Schema::new(None).field("x").list_type(), ListType::Atomic);
    }
}
