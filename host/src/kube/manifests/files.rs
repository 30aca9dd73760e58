//! Finding manifest files under a path.

use std::fs;
use std::path::{Path, PathBuf};

use super::ManifestError;

/// The file holding a cluster's context; never a manifest.
pub(super) const CLUSTER_CONFIG: &str = "cluster.yaml";

/// The manifest files under `path`: `path` itself when it is a file;
/// otherwise every manifest file below the folder, recursively, sorted.
pub(super) fn manifest_files(path: &Path) -> Result<Vec<PathBuf>, ManifestError> {
    let metadata = fs::metadata(path).map_err(|source| read_error(path, source))?;
    if !metadata.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut files = Vec::new();
    collect(path, &mut files)?;
    files.sort();
    Ok(files)
}

/// Whether `path` names a manifest file: `*.yaml` or `*.yml`, not
/// `cluster.yaml`, not hidden.
pub(super) fn is_manifest(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|name| name.to_str()) else {
        return false;
    };
    !name.starts_with('.')
        && name != CLUSTER_CONFIG
        && (name.ends_with(".yaml") || name.ends_with(".yml"))
}

/// The entries of a folder, sorted, without hidden ones.
pub(super) fn entries(folder: &Path) -> Result<Vec<PathBuf>, ManifestError> {
    let reader = fs::read_dir(folder).map_err(|source| read_error(folder, source))?;
    let mut entries = Vec::new();
    for entry in reader {
        let path = entry.map_err(|source| read_error(folder, source))?.path();
        if !path
            .file_name()
            .is_some_and(|name| name.to_string_lossy().starts_with('.'))
        {
            entries.push(path);
        }
    }
    entries.sort();
    Ok(entries)
}

fn collect(folder: &Path, files: &mut Vec<PathBuf>) -> Result<(), ManifestError> {
    for path in entries(folder)? {
        if path.is_dir() {
            collect(&path, files)?;
        } else if is_manifest(&path) {
            files.push(path);
        }
    }
    Ok(())
}

fn read_error(path: &Path, source: std::io::Error) -> ManifestError {
    ManifestError::Read {
        path: path.to_path_buf(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_are_walked_recursively_in_sorted_order() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("b/nested")).unwrap();
        fs::create_dir_all(root.join(".git")).unwrap();
        for file in [
            "z.yaml",
            "a.yml",
            "cluster.yaml",
            "README.md",
            ".hidden.yaml",
            "b/nested/c.yaml",
            ".git/x.yaml",
        ] {
            fs::write(root.join(file), "").unwrap();
        }
        let found = manifest_files(root).unwrap();
        let relative: Vec<_> = found
            .iter()
            .map(|path| path.strip_prefix(root).unwrap().to_path_buf())
            .collect();
        assert_eq!(
            relative,
            [
                PathBuf::from("a.yml"),
                "b/nested/c.yaml".into(),
                "z.yaml".into()
            ]
        );
    }

    #[test]
    fn a_missing_path_is_a_read_error_naming_it() {
        let error = manifest_files(Path::new("/no/such/manifests")).unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("cannot read /no/such/manifests: "),
            "{error}"
        );
    }
}
