//! What can be wrong with a policy folder or file.

use std::io;
use std::path::PathBuf;

/// A policy folder or file that cannot be used. Every message starts with
/// the folder or file it is about, and, for a problem inside a file, the
/// line (1-based) and the field, e.g.
/// `policies/10-teams.toml:7: plugin[0].match.kinds[1]: unknown kind "HTTPRoot" (…)`.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    /// The policy folder cannot be listed: missing, not a folder, or not
    /// readable.
    #[error("{}: cannot list the policy folder: {source}", folder.display())]
    Folder { folder: PathBuf, source: io::Error },
    /// A policy file cannot be read, or is not UTF-8.
    #[error("{}: cannot read the policy file: {source}", file.display())]
    Read { file: PathBuf, source: io::Error },
    /// A policy file is not valid TOML.
    #[error("{}:{line}: TOML syntax error: {message}", file.display())]
    Syntax {
        file: PathBuf,
        line: usize,
        message: String,
    },
    /// A field is missing, unknown, of the wrong type, or has a value that
    /// cannot be used. `field` is written as in the file's structure, e.g.
    /// `plugin[1].match.namespaces[0]`.
    #[error("{}:{line}: {field}: {message}", file.display())]
    Invalid {
        file: PathBuf,
        line: usize,
        field: String,
        message: String,
    },
}
