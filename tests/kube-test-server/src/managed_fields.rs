//! `metadata.managedFields`: who owns which fields of an object.
//!
//! One entry per manager, told apart by (`manager`, `operation`,
//! `subresource`): `Apply` entries hold what a server-side apply applied,
//! `Update` entries what other writes (create, replace, patches) changed.
//! Entries carry `apiVersion`, `fieldsType: FieldsV1` and `fieldsV1`; no
//! `time` (so that a write that changes nothing stays a no-op).

use serde_json::{Value, json};

use crate::fields::{self, FieldSet};

/// Who writes, as a request says it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Manager {
    /// `fieldManager`, or the client's `User-Agent` up to its first `/`.
    pub name: String,
    /// Whether the write is a server-side apply (else an update).
    pub apply: bool,
    /// `status` for writes through `/status`.
    pub subresource: Option<String>,
}

impl Manager {
    /// The manager of test setup writes (`apply_manifests`).
    pub fn setup() -> Self {
        Self {
            name: "kube-test-server".into(),
            apply: false,
            subresource: None,
        }
    }

    fn operation(&self) -> &'static str {
        if self.apply { "Apply" } else { "Update" }
    }
}

/// One manager's fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entry {
    pub manager: String,
    pub operation: String,
    pub subresource: Option<String>,
    pub api_version: String,
    pub fields: FieldSet,
}

impl Entry {
    /// Whether this is the entry of `manager`.
    pub fn is(&self, manager: &Manager) -> bool {
        self.manager == manager.name
            && self.operation == manager.operation()
            && self.subresource == manager.subresource
    }

    /// An empty entry for `manager`.
    pub fn new(manager: &Manager, api_version: &str) -> Self {
        Self {
            manager: manager.name.clone(),
            operation: manager.operation().into(),
            subresource: manager.subresource.clone(),
            api_version: api_version.into(),
            fields: FieldSet::new(),
        }
    }
}

/// The entries of `object` (stored form); unreadable ones are skipped.
pub(crate) fn read(object: &Value) -> Vec<Entry> {
    object["metadata"]["managedFields"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|entry| {
            Some(Entry {
                manager: entry["manager"].as_str()?.into(),
                operation: entry["operation"].as_str()?.into(),
                subresource: entry["subresource"].as_str().map(str::to_owned),
                api_version: entry["apiVersion"].as_str().unwrap_or_default().into(),
                fields: fields::from_fields_v1(&entry["fieldsV1"]),
            })
        })
        .collect()
}

/// Stores `entries` (those that own something) in `object`'s metadata.
pub(crate) fn write(object: &mut Value, entries: &[Entry]) {
    let list: Vec<Value> = entries
        .iter()
        .filter(|entry| !entry.fields.is_empty())
        .map(|entry| {
            let mut value = json!({
                "manager": entry.manager,
                "operation": entry.operation,
                "apiVersion": entry.api_version,
                "fieldsType": "FieldsV1",
                "fieldsV1": fields::to_fields_v1(&entry.fields),
            });
            if let Some(subresource) = &entry.subresource {
                value["subresource"] = subresource.clone().into();
            }
            value
        })
        .collect();
    if let Some(metadata) = object["metadata"].as_object_mut() {
        if list.is_empty() {
            metadata.remove("managedFields");
        } else {
            metadata.insert("managedFields".into(), Value::Array(list));
        }
    }
}
