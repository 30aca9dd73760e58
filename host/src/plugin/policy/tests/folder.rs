//! Finding a folder's policy files.

use super::write;
use crate::plugin::policy::{PolicyError, policy_files};

#[test]
fn policy_files_are_the_toml_files_sorted_by_name() {
    let dir = tempfile::tempdir().expect("temp dir");
    for name in [
        "20-payments.toml",
        "10-teams.toml",
        "README.md",
        ".hidden.toml",
        "99-z.toml.bak",
    ] {
        write(dir.path(), name, "");
    }
    std::fs::create_dir(dir.path().join("15-folder.toml")).expect("folder");
    let files = policy_files(dir.path()).expect("folder is readable");
    let names: Vec<_> = files
        .iter()
        .map(|file| {
            file.file_name()
                .expect("file name")
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    assert_eq!(names, ["10-teams.toml", "20-payments.toml"]);
    assert_eq!(files[0], dir.path().join("10-teams.toml"));
}

#[test]
fn an_empty_folder_has_no_policy_files() {
    let dir = tempfile::tempdir().expect("temp dir");
    assert!(policy_files(dir.path()).expect("readable").is_empty());
}

#[test]
fn a_missing_folder_is_an_error_naming_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let missing = dir.path().join("policies");
    let error = policy_files(&missing).expect_err("missing folder");
    assert!(matches!(error, PolicyError::Folder { .. }));
    assert!(
        error.to_string().starts_with(&format!(
            "{}: cannot list the policy folder: ",
            missing.display()
        )),
        "{error}"
    );
}

#[test]
fn a_missing_file_is_an_error_naming_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let missing = dir.path().join("10-teams.toml");
    let error = crate::plugin::policy::read_policy_file(&missing).expect_err("missing file");
    assert!(
        error.to_string().starts_with(&format!(
            "{}: cannot read the policy file: ",
            missing.display()
        )),
        "{error}"
    );
}
