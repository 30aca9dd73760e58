//! The first pass over a file: its YAML documents as JSON values, each
//! expanded within bounds.
//!
//! YAML aliases repeat a node without repeating its text, so a small file can
//! stand for a huge value (one anchor of 2,000 scalars referenced 50,000
//! times is 100 million scalars). Before a document is built, its expansion
//! is measured by walking it as the parser replays it, without building
//! anything; a document over [`MAX_DOCUMENT_NODES`] nodes or
//! [`MAX_DOCUMENT_BYTES`] bytes of scalars is refused, and the walk stops at
//! the bound.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, EnumAccess, MapAccess, SeqAccess, VariantAccess, Visitor};
use serde_yaml_ng::{Deserializer, Value};

/// The most nodes (scalars, sequences, mappings) one document expands to.
pub const MAX_DOCUMENT_NODES: usize = 1 << 20;
/// The most bytes of scalar text one document expands to: 8 MiB.
pub const MAX_DOCUMENT_BYTES: usize = 8 << 20;

/// Why a document cannot be read.
#[derive(Debug)]
pub(super) enum DocumentError {
    /// Not valid YAML; the file is not read past it.
    Syntax(serde_yaml_ng::Error),
    /// Expands beyond the bounds.
    TooLarge,
    /// Valid YAML that is no JSON value (a mapping key that is not a
    /// string, say).
    NotJson(serde_json::Error),
}

impl fmt::Display for DocumentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DocumentError::Syntax(error) => write!(f, "not valid YAML: {error}"),
            DocumentError::TooLarge => write!(
                f,
                "expands to more than {MAX_DOCUMENT_NODES} nodes or {MAX_DOCUMENT_BYTES} bytes \
                 (YAML aliases repeat what they name); refused"
            ),
            DocumentError::NotJson(error) => write!(f, "not a JSON-compatible value: {error}"),
        }
    }
}

/// The documents of `text` in order, each a JSON value (`null` for an empty
/// document) or why it cannot be read. A syntax error is the last entry:
/// what follows it is not read.
pub(super) fn split(text: &str) -> Vec<Result<serde_json::Value, DocumentError>> {
    let mut documents = Vec::new();
    for (measured, document) in Deserializer::from_str(text).zip(Deserializer::from_str(text)) {
        let mut budget = Budget::default();
        if let Err(error) = Measure(&mut budget).deserialize(measured) {
            if budget.exceeded {
                documents.push(Err(DocumentError::TooLarge));
                continue;
            }
            documents.push(Err(DocumentError::Syntax(error)));
            break;
        }
        match Value::deserialize(document) {
            Ok(value) => {
                documents.push(serde_json::to_value(value).map_err(DocumentError::NotJson));
            }
            Err(error) => {
                documents.push(Err(DocumentError::Syntax(error)));
                break;
            }
        }
    }
    documents
}

/// What one document has expanded to so far.
#[derive(Default)]
struct Budget {
    nodes: usize,
    bytes: usize,
    exceeded: bool,
}

impl Budget {
    /// Counts one node of `bytes` bytes; an error once over the bounds.
    fn count<E: de::Error>(&mut self, bytes: usize) -> Result<(), E> {
        self.nodes += 1;
        self.bytes = self.bytes.saturating_add(bytes);
        if self.nodes > MAX_DOCUMENT_NODES || self.bytes > MAX_DOCUMENT_BYTES {
            self.exceeded = true;
            return Err(E::custom("the document expands beyond the bounds"));
        }
        Ok(())
    }
}

/// Walks one node and what is below it, counting, building nothing.
struct Measure<'a>(&'a mut Budget);

impl<'de> DeserializeSeed<'de> for Measure<'_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Measure<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        self.0.count(0)
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        self.0.count(0)
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        self.0.count(0)
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        self.0.count(0)
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<(), E> {
        self.0.count(text.len())
    }

    fn visit_bytes<E: de::Error>(self, bytes: &[u8]) -> Result<(), E> {
        self.0.count(bytes.len())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.0.count(0)
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        self.0.count(0)
    }

    fn visit_some<D: de::Deserializer<'de>>(self, inner: D) -> Result<(), D::Error> {
        self.0.count(0)?;
        inner.deserialize_any(Measure(&mut *self.0))
    }

    fn visit_newtype_struct<D: de::Deserializer<'de>>(self, inner: D) -> Result<(), D::Error> {
        self.0.count(0)?;
        inner.deserialize_any(Measure(&mut *self.0))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.0.count(0)?;
        while seq.next_element_seed(Measure(&mut *self.0))?.is_some() {}
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        self.0.count(0)?;
        while map.next_key_seed(Measure(&mut *self.0))?.is_some() {
            map.next_value_seed(Measure(&mut *self.0))?;
        }
        Ok(())
    }

    /// A tagged node (`!tag value`).
    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<(), A::Error> {
        self.0.count(0)?;
        let ((), variant) = data.variant_seed(Measure(&mut *self.0))?;
        variant.newtype_variant_seed(Measure(&mut *self.0))
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::*;

    #[test]
    fn documents_read_in_order_and_empty_ones_are_null() {
        let documents = split("a: 1\n---\n---\nb: [x, y]\n");
        let values: Vec<_> = documents.into_iter().map(Result::unwrap).collect();
        assert_eq!(
            values,
            [
                serde_json::json!({"a": 1}),
                serde_json::Value::Null,
                serde_json::json!({"b": ["x", "y"]})
            ]
        );
    }

    #[test]
    fn aliases_expand_within_bounds() {
        let text = "base: &base {a: 1, b: two}\ncopy: *base\nlist: [*base, *base]\n";
        let value = split(text).remove(0).unwrap();
        assert_eq!(value["list"][1]["b"], "two");
    }

    /// One anchor of 2,000 scalars referenced 50,000 times: 100 million
    /// scalars once expanded, refused at the bound without building them.
    #[test]
    fn a_wide_alias_bomb_is_refused_quickly_and_the_next_document_is_read() {
        let mut text = String::from("anchor: &a [");
        text.push_str(&vec!["x"; 2_000].join(", "));
        text.push_str("]\nrefs:\n");
        for _ in 0..50_000 {
            text.push_str("- *a\n");
        }
        text.push_str("---\nafter: 1\n");
        let started = Instant::now();
        let documents = split(&text);
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "{:?}",
            started.elapsed()
        );
        assert!(matches!(documents[0], Err(DocumentError::TooLarge)));
        assert!(
            documents[0]
                .as_ref()
                .unwrap_err()
                .to_string()
                .contains("expands to more than 1048576 nodes"),
        );
        assert_eq!(documents[1].as_ref().unwrap()["after"], 1);
    }

    #[test]
    fn long_scalars_count_by_bytes() {
        let text = format!(
            "a: &a \"{}\"\nb: [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n",
            "x".repeat(1 << 20)
        );
        assert!(matches!(split(&text)[0], Err(DocumentError::TooLarge)));
    }

    #[test]
    fn a_syntax_error_is_the_last_document() {
        let documents = split("a: 1\n---\nb: [\n---\nc: 3\n");
        assert_eq!(documents.len(), 2);
        assert!(documents[0].is_ok());
        assert!(matches!(documents[1], Err(DocumentError::Syntax(_))));
    }

    #[test]
    fn non_string_keys_are_no_json() {
        let documents = split("{1: a}: b\n");
        assert!(
            matches!(documents[0], Err(DocumentError::NotJson(_))),
            "{documents:?}"
        );
    }
}
