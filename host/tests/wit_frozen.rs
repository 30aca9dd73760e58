//! Released versions of the WIT package are frozen (see `wit/README.md`):
//! every `wit/since_v<version>` folder matches the digest recorded for it in
//! `wit/frozen.toml`, every file in it declares that version, and the host's
//! bindings are for the newest one.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Format, Toml};
use semver::Version;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use trellis::plugin::WIT_VERSION;

const PACKAGE: &str = "trellis:plugin";

/// `wit/frozen.toml`.
#[derive(Debug, Deserialize)]
struct Frozen {
    released: Vec<Released>,
}

#[derive(Debug, Deserialize)]
struct Released {
    version: String,
    digest: String,
}

fn wit_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("host/ sits in the workspace")
        .join("wit")
}

/// Every `since_v<version>` folder by version.
fn version_folders() -> BTreeMap<Version, PathBuf> {
    std::fs::read_dir(wit_dir())
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_dir())
        .filter_map(|path| {
            let name = path.file_name()?.to_str()?;
            let version = name.strip_prefix("since_v")?;
            let version = Version::parse(version)
                .unwrap_or_else(|error| panic!("wit/{name}: not a version: {error}"));
            Some((version, path))
        })
        .collect()
}

/// The folder's files, recursively, by path relative to it (`/`-separated).
fn files(folder: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut found = BTreeMap::new();
    let mut pending = vec![folder.to_owned()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
                continue;
            }
            let relative = path.strip_prefix(folder).unwrap();
            let relative = relative
                .components()
                .map(|part| part.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            found.insert(relative, std::fs::read(&path).unwrap());
        }
    }
    found
}

/// SHA-256 over every file's relative path and contents (line endings
/// normalized to `\n`, so a Windows checkout digests the same), in path
/// order, each field length-prefixed.
fn digest(folder: &Path) -> String {
    let mut hasher = Sha256::new();
    for (path, contents) in files(folder) {
        let contents = String::from_utf8(contents)
            .unwrap_or_else(|_| panic!("{}/{path} is not UTF-8", folder.display()))
            .replace("\r\n", "\n");
        for field in [path.as_bytes(), contents.as_bytes()] {
            hasher.update((field.len() as u64).to_le_bytes());
            hasher.update(field);
        }
    }
    let hex: String = hasher
        .finalize()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect();
    format!("sha256:{hex}")
}

fn frozen() -> BTreeMap<Version, String> {
    let path = wit_dir().join("frozen.toml");
    let frozen: Frozen = Figment::from(Toml::file_exact(&path))
        .extract()
        .unwrap_or_else(|error| panic!("reading {}: {error}", path.display()));
    frozen
        .released
        .into_iter()
        .map(|released| {
            let version = Version::parse(&released.version).unwrap_or_else(|error| {
                panic!(
                    "wit/frozen.toml: {:?} is not a version: {error}",
                    released.version
                )
            });
            (version, released.digest)
        })
        .collect()
}

#[test]
fn released_versions_are_not_edited() {
    let recorded = frozen();
    let folders = version_folders();
    for (version, folder) in &folders {
        let actual = digest(folder);
        match recorded.get(version) {
            Some(digest) => assert_eq!(
                digest, &actual,
                "wit/since_v{version} is the released {PACKAGE}@{version} and is frozen, but \
                 its files changed. Do not edit a released version: copy it to a new folder \
                 wit/since_v<next version>, make the change there, and record that folder in \
                 wit/frozen.toml (see wit/README.md)."
            ),
            None => panic!(
                "wit/since_v{version} is not recorded in wit/frozen.toml; when it is released, \
                 freeze it by adding\n\n[[released]]\nversion = \"{version}\"\ndigest = \
                 \"{actual}\"\n"
            ),
        }
    }
    for version in recorded.keys() {
        assert!(
            folders.contains_key(version),
            "{PACKAGE}@{version} is recorded as released in wit/frozen.toml but \
             wit/since_v{version} is gone; released versions stay in the repository"
        );
    }
}

#[test]
fn every_file_declares_its_folders_version() {
    for (version, folder) in version_folders() {
        let expected = format!("package {PACKAGE}@{version};");
        for (path, contents) in files(&folder) {
            let contents = String::from_utf8(contents).unwrap();
            let package = contents
                .lines()
                .map(str::trim)
                .find(|line| line.starts_with("package "));
            assert_eq!(
                package,
                Some(expected.as_str()),
                "wit/since_v{version}/{path} must declare `{expected}`"
            );
        }
    }
}

#[test]
fn the_host_supports_the_newest_version() {
    let newest = version_folders()
        .into_keys()
        .next_back()
        .expect("wit/ has a since_v folder");
    assert_eq!(
        WIT_VERSION,
        newest.to_string(),
        "the host's bindings (trellis::plugin::WIT_VERSION and bindgen's path in \
         host/src/plugin/bindings.rs) must be for the newest folder, wit/since_v{newest}"
    );
}
