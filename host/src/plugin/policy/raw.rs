//! A policy file's shape as written, for figment to extract into: every
//! table refuses keys it does not know.

use std::collections::BTreeMap;

use serde::Deserialize;

/// A whole policy file: `[[plugin]]` entries, in the order written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFile {
    #[serde(default)]
    pub plugin: Vec<RawEntry>,
}

/// One `[[plugin]]` entry.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawEntry {
    pub name: Option<String>,
    pub path: String,
    #[serde(rename = "match", default)]
    pub matching: RawMatch,
    pub config: Option<serde_json::Map<String, serde_json::Value>>,
}

/// `[plugin.match]`: each condition optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawMatch {
    pub kinds: Option<Vec<String>>,
    pub namespaces: Option<Vec<String>>,
    pub names: Option<Vec<String>>,
    pub namespace_selector: Option<RawLabelSelector>,
    pub selector: Option<RawLabelSelector>,
}

/// A Kubernetes `LabelSelector`, keys in camelCase as in Kubernetes.
/// (k8s-openapi's own type ignores unknown keys, so a misspelt
/// `matchLabel` would select everything; this one refuses it.)
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct RawLabelSelector {
    #[serde(default)]
    pub match_labels: BTreeMap<String, String>,
    #[serde(default)]
    pub match_expressions: Vec<RawRequirement>,
}

/// One `matchExpressions` item.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRequirement {
    pub key: String,
    pub operator: String,
    pub values: Option<Vec<String>>,
}
