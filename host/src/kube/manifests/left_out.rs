//! What was left out of the input, and why: one entry per document or
//! object that could not be read, identified, validated or typed, or that
//! is defined twice. Each becomes a [`Problem`] of its cluster.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::object::{Kind, ObjectRef, Problem};

/// Where a document is: its file and 1-based index in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file.
    pub path: PathBuf,
    /// The document's 1-based index in the file.
    pub document: usize,
}

impl Location {
    pub(super) fn new(path: &Path, document: usize) -> Self {
        Self {
            path: path.to_path_buf(),
            document,
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: document {}", self.path.display(), self.document)
    }
}

/// Why something was left out: the problem's `reason`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeftOutReason {
    /// Not valid YAML, or expanding beyond the bounds.
    InvalidYaml,
    /// Not a Kubernetes object (no `apiVersion`, `kind` or `metadata.name`).
    NotAnObject,
    /// A kind of Trellis's API groups that does not exist (a typo).
    UnknownKind,
    /// The object is one the Kubernetes API server would refuse.
    SchemaViolation,
    /// The object does not read as its kind's type.
    InvalidObject,
    /// The same kind, namespace and name is defined more than once.
    DuplicateObject,
}

impl LeftOutReason {
    /// The reason as problems spell it.
    pub const fn as_str(self) -> &'static str {
        match self {
            LeftOutReason::InvalidYaml => "InvalidYaml",
            LeftOutReason::NotAnObject => "NotAnObject",
            LeftOutReason::UnknownKind => "UnknownKind",
            LeftOutReason::SchemaViolation => "SchemaViolation",
            LeftOutReason::InvalidObject => "InvalidObject",
            LeftOutReason::DuplicateObject => "DuplicateObject",
        }
    }
}

/// A document or object left out of the snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeftOut {
    /// The object, when the document names one of a kind Trellis reads.
    pub object: Option<ObjectRef>,
    /// Where in the object, e.g. `spec.hostnames`, if known.
    pub field: Option<String>,
    /// Why.
    pub reason: LeftOutReason,
    /// What is wrong, for a person; names the file and document (first,
    /// but for a duplicate, which names the object first, then every place).
    pub message: String,
}

impl LeftOut {
    /// The problem for `cluster`; an entry naming no object is the
    /// cluster's own ([`Kind::Cluster`]).
    pub fn problem(&self, cluster: &str) -> Problem {
        Problem {
            cluster: cluster.to_owned(),
            object: self
                .object
                .clone()
                .unwrap_or_else(|| ObjectRef::new(Kind::Cluster, "", cluster)),
            field: self.field.clone(),
            reason: self.reason.as_str().to_owned(),
            message: self.message.clone(),
            plugin: None,
            lattice_error: None,
        }
    }
}
