//! Finding the policy files of a folder.

use std::path::{Path, PathBuf};

use super::PolicyError;

/// The policy files of `folder`, in the order they apply: its `*.toml`
/// files (as the shell's `*.toml` finds them: not hidden ones, and not
/// sub-folders), sorted by file name. A missing or unreadable folder is an
/// error naming it; a folder without policy files has none.
pub fn policy_files(folder: &Path) -> Result<Vec<PathBuf>, PolicyError> {
    let error = |source| PolicyError::Folder {
        folder: folder.to_owned(),
        source,
    };
    let mut files = Vec::new();
    for entry in std::fs::read_dir(folder).map_err(error)? {
        let path = entry.map_err(error)?.path();
        let visible = path
            .file_name()
            .is_some_and(|name| !name.as_encoded_bytes().starts_with(b"."));
        let toml = path
            .extension()
            .is_some_and(|extension| extension == "toml");
        if visible && toml && path.is_file() {
            files.push(path);
        }
    }
    files.sort_by(|a, b| a.file_name().cmp(&b.file_name()));
    Ok(files)
}
