//! Tests of policy files: reading, errors, selection, folders.

mod errors;
mod folder;
mod reading;
mod selection;

use std::path::{Path, PathBuf};

use tempfile::TempDir;

use super::{PolicyEntry, PolicyError, read_policy_file};

/// Writes `text` to `name` in `dir`.
fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write policy file");
    path
}

/// The entries of a policy file holding `text`, and its folder (kept
/// alive with the entries).
fn read(text: &str) -> (Result<Vec<PolicyEntry>, PolicyError>, TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = write(dir.path(), "10-teams.toml", text);
    (read_policy_file(&path), dir)
}

/// The entries of a valid policy file holding `text`.
fn entries(text: &str) -> Vec<PolicyEntry> {
    read(text).0.expect("valid policy file")
}

/// The error for a policy file holding `text`, without its leading
/// `FILE:` (checked to name the file).
fn problem(text: &str) -> String {
    let (result, dir) = read(text);
    let message = result.expect_err("invalid policy file").to_string();
    let file = format!("{}:", dir.path().join("10-teams.toml").display());
    message
        .strip_prefix(&file)
        .unwrap_or_else(|| panic!("`{message}` does not start with `{file}`"))
        .to_owned()
}
