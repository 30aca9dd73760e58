//! Finding manifest files under a path, and reading one within bounds.
//!
//! Only regular files are read (a FIFO, a device such as `/dev/zero` or a
//! socket is refused before it is opened), each at most [`MAX_FILE_BYTES`];
//! a folder reached again through a symlink to one of its own ancestors is
//! a [`ManifestError::FolderCycle`].

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use super::ManifestError;

/// The file holding a cluster's context; never a manifest.
pub(super) const CLUSTER_CONFIG: &str = "cluster.yaml";

/// The largest manifest file read: 64 MiB.
pub const MAX_FILE_BYTES: u64 = 64 << 20;

/// The manifest files under `path`: `path` itself when it is a file;
/// otherwise every manifest file below the folder, recursively, sorted.
pub(super) fn manifest_files(path: &Path) -> Result<Vec<PathBuf>, ManifestError> {
    let metadata = fs::metadata(path).map_err(|source| read_error(path, source))?;
    if !metadata.is_dir() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut files = Vec::new();
    let mut ancestors = Vec::new();
    collect(path, &mut ancestors, &mut files)?;
    files.sort();
    Ok(files)
}

/// The text of the manifest file at `path`: a regular file (after
/// symlinks) of at most [`MAX_FILE_BYTES`], in UTF-8.
pub(super) fn read_text(path: &Path) -> Result<String, ManifestError> {
    let metadata = fs::metadata(path).map_err(|source| read_error(path, source))?;
    if !metadata.is_file() {
        return Err(ManifestError::NotAFile {
            path: path.to_path_buf(),
        });
    }
    if metadata.len() > MAX_FILE_BYTES {
        return Err(too_large(path));
    }
    let file = fs::File::open(path).map_err(|source| read_error(path, source))?;
    let mut text = String::new();
    // Bounded again while reading: the file may have grown since.
    file.take(MAX_FILE_BYTES + 1)
        .read_to_string(&mut text)
        .map_err(|source| read_error(path, source))?;
    if text.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large(path));
    }
    Ok(text)
}

fn too_large(path: &Path) -> ManifestError {
    ManifestError::TooLarge {
        path: path.to_path_buf(),
        limit: MAX_FILE_BYTES,
    }
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

/// Collects the manifest files below `folder`; `ancestors` are the
/// canonical paths of the folders being walked, to refuse a cycle.
fn collect(
    folder: &Path,
    ancestors: &mut Vec<PathBuf>,
    files: &mut Vec<PathBuf>,
) -> Result<(), ManifestError> {
    let canonical = fs::canonicalize(folder).map_err(|source| read_error(folder, source))?;
    if let Some(target) = ancestors.iter().find(|ancestor| **ancestor == canonical) {
        return Err(ManifestError::FolderCycle {
            path: folder.to_path_buf(),
            target: target.clone(),
        });
    }
    ancestors.push(canonical);
    for path in entries(folder)? {
        if path.is_dir() {
            collect(&path, ancestors, files)?;
        } else if is_manifest(&path) {
            files.push(path);
        }
    }
    ancestors.pop();
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

    #[test]
    fn a_symlink_loop_is_a_folder_cycle() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("a/b")).unwrap();
        fs::write(root.join("a/b/x.yaml"), "").unwrap();
        std::os::unix::fs::symlink(root.join("a"), root.join("a/b/loop")).unwrap();
        let error = manifest_files(root).unwrap_err();
        assert!(
            matches!(&error, ManifestError::FolderCycle { path, .. } if path.ends_with("a/b/loop")),
            "{error}"
        );
        assert!(error.to_string().contains("a/b/loop"), "{error}");
    }

    #[test]
    fn only_regular_files_of_bounded_size_are_read() {
        let error = read_text(Path::new("/dev/zero")).unwrap_err();
        assert!(matches!(error, ManifestError::NotAFile { .. }), "{error}");
        assert_eq!(
            error.to_string(),
            "/dev/zero: not a regular file (a FIFO, device or socket is never read)"
        );

        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe.yaml");
        let status = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(status.success());
        // Refused before it is opened: opening a FIFO would block.
        let error = read_text(&fifo).unwrap_err();
        assert!(matches!(error, ManifestError::NotAFile { .. }), "{error}");

        let big = dir.path().join("big.yaml");
        let file = fs::File::create(&big).unwrap();
        file.set_len(MAX_FILE_BYTES + 1).unwrap();
        let error = read_text(&big).unwrap_err();
        assert!(
            matches!(error, ManifestError::TooLarge { limit, .. } if limit == MAX_FILE_BYTES),
            "{error}"
        );

        let small = dir.path().join("small.yaml");
        fs::write(&small, "a: b\n").unwrap();
        assert_eq!(read_text(&small).unwrap(), "a: b\n");
    }
}
