//! Where a field is written in a policy file.
//!
//! figment's errors name a key path but no line, so the path is looked up
//! in the same text parsed with toml_edit, which keeps every key's and
//! value's span.

use std::ops::Range;
use std::path::Path;

use toml_edit::{Array, ArrayOfTables, ImDocument, Item, TableLike, Value};

use super::PolicyError;

/// A problem with one field, before its line is known.
#[derive(Debug)]
pub(super) struct Problem {
    /// The field's key path as figment gives it: table keys, and array
    /// indexes as decimal text, e.g. `["plugin", "0", "match", "kinds", "1"]`.
    pub keys: Vec<String>,
    pub message: String,
}

impl Problem {
    pub fn new<K: ToString>(keys: impl IntoIterator<Item = K>, message: impl Into<String>) -> Self {
        Self {
            keys: keys.into_iter().map(|key| key.to_string()).collect(),
            message: message.into(),
        }
    }

    /// The same problem with `prefix` put before its key path.
    pub fn under<K: ToString>(mut self, prefix: impl IntoIterator<Item = K>) -> Self {
        let mut keys: Vec<String> = prefix.into_iter().map(|key| key.to_string()).collect();
        keys.append(&mut self.keys);
        self.keys = keys;
        self
    }

    /// The error for this problem in `file`, whose parsed text is `document`.
    pub fn at(self, file: &Path, document: &ImDocument<&str>) -> PolicyError {
        let (field, line) = locate(document, &self.keys);
        PolicyError::Invalid {
            file: file.to_owned(),
            line,
            field,
            message: self.message,
        }
    }
}

/// The field named by `keys`, written as in the file (`plugin[0].match`),
/// and the line (1-based) where it is written. A field not written in the
/// file (a missing one) gets the line of its nearest written ancestor: for
/// a missing `path`, its `[[plugin]]` header. Keys that are not bare TOML
/// keys are quoted.
pub(super) fn locate(document: &ImDocument<&str>, keys: &[String]) -> (String, usize) {
    let mut field = String::new();
    let mut start = None;
    let mut node = Some(Node::of_item(document.as_item()));
    for key in keys {
        let child = node.and_then(|parent| parent.child(key));
        match &child {
            Some(child) if child.indexed => field.push_str(&format!("[{key}]")),
            _ => {
                if !field.is_empty() {
                    field.push('.');
                }
                field.push_str(&display_key(key));
            }
        }
        if let Some(span) = child.as_ref().and_then(|child| child.span.clone()) {
            start = Some(span.start);
        }
        node = child.map(|child| child.node);
    }
    (
        field,
        start.map_or(1, |start| line_at(document.raw(), start)),
    )
}

/// The 1-based line of byte `offset` in `text`.
pub(super) fn line_at(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&byte| byte == b'\n')
        .count()
        + 1
}

fn display_key(key: &str) -> String {
    let bare = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if bare {
        key.to_owned()
    } else {
        format!("{key:?}")
    }
}

/// A place in the document that may have children.
#[derive(Clone, Copy)]
enum Node<'a> {
    Table(&'a dyn TableLike),
    Tables(&'a ArrayOfTables),
    Array(&'a Array),
    Leaf,
}

/// A child of a node: the node, where it is written (a table's key, an
/// array's element), and whether it was reached by an array index.
struct Child<'a> {
    node: Node<'a>,
    span: Option<Range<usize>>,
    indexed: bool,
}

impl<'a> Node<'a> {
    fn of_item(item: &'a Item) -> Self {
        match item {
            Item::Table(table) => Self::Table(table),
            Item::ArrayOfTables(tables) => Self::Tables(tables),
            Item::Value(value) => Self::of_value(value),
            Item::None => Self::Leaf,
        }
    }

    fn of_value(value: &'a Value) -> Self {
        match value {
            Value::InlineTable(table) => Self::Table(table),
            Value::Array(array) => Self::Array(array),
            _ => Self::Leaf,
        }
    }

    /// The child named by `key`: a table's key, or an array's index as
    /// decimal text.
    fn child(self, key: &str) -> Option<Child<'a>> {
        let (node, span, indexed) = match self {
            Self::Table(table) => {
                let (key, item) = table.get_key_value(key)?;
                (Self::of_item(item), key.span(), false)
            }
            Self::Tables(tables) => {
                let table = tables.get(key.parse().ok()?)?;
                (Self::Table(table), table.span(), true)
            }
            Self::Array(array) => {
                let value = array.get(key.parse().ok()?)?;
                (Self::of_value(value), value.span(), true)
            }
            Self::Leaf => return None,
        };
        Some(Child {
            node,
            span,
            indexed,
        })
    }
}
