//! One checked `[[plugin]]` entry.

use std::path::{Path, PathBuf};

use super::Selector;
use super::location::Problem;
use super::raw::RawEntry;

/// The name of the built-in plugin, which no policy entry may take.
pub const RESERVED_NAME: &str = "default";

/// The longest plugin name.
const MAX_NAME_LEN: usize = 63;

/// One plugin that applies to the objects its selector matches.
#[derive(Debug, Clone)]
pub struct PolicyEntry {
    /// The plugin's name: `name`, or the file stem of `path`. Non-empty,
    /// `[a-z0-9][a-z0-9._-]*`, at most 63 characters, never `default`.
    pub name: String,
    /// The plugin's component file: `path` joined to the policy file's
    /// folder (an absolute `path` as it is). Not checked to exist.
    pub plugin_path: PathBuf,
    /// The `[plugin.config]` table as JSON text (keys sorted; TOML dates
    /// and times as strings); `{}` when there is none.
    pub config_json: String,
    /// Which objects the plugin applies to.
    pub selector: Selector,
    /// The policy file the entry was read from, as given to the reader.
    pub source: PathBuf,
    /// The 1-based line where the entry starts (its `[[plugin]]` header).
    pub line: usize,
}

impl PolicyEntry {
    /// The entry `raw`, read from `source` at `line`; a problem's keys are
    /// relative to the entry.
    pub(super) fn from_raw(raw: RawEntry, source: &Path, line: usize) -> Result<Self, Problem> {
        if raw.path.is_empty() {
            return Err(Problem::new(["path"], "empty"));
        }
        let plugin_path = source.parent().unwrap_or(Path::new("")).join(&raw.path);
        let name = match raw.name {
            Some(name) => {
                check_name(&name)
                    .map_err(|why| Problem::new(["name"], format!("{name:?} {why}")))?;
                name
            }
            None => {
                let stem = Path::new(&raw.path)
                    .file_stem()
                    .map(|stem| stem.to_string_lossy().into_owned())
                    .unwrap_or_default();
                check_name(&stem).map_err(|why| {
                    Problem::new(
                        ["name"],
                        format!("missing, and the file stem {stem:?} of path {why}: set name"),
                    )
                })?;
                stem
            }
        };
        let selector =
            Selector::from_raw(raw.matching).map_err(|problem| problem.under(["match"]))?;
        let mut config = serde_json::Value::Object(raw.config.unwrap_or_default());
        dates_as_strings(&mut config);
        Ok(Self {
            name,
            plugin_path,
            config_json: config.to_string(),
            selector,
            source: source.to_owned(),
            line,
        })
    }
}

/// Why `name` cannot name a plugin, if it cannot.
fn check_name(name: &str) -> Result<(), String> {
    let valid = name.len() <= MAX_NAME_LEN
        && name
            .bytes()
            .next()
            .is_some_and(|first| first.is_ascii_lowercase() || first.is_ascii_digit())
        && name.bytes().all(|byte| {
            byte.is_ascii_lowercase() || byte.is_ascii_digit() || matches!(byte, b'.' | b'_' | b'-')
        });
    if !valid {
        return Err(format!(
            "is not a valid plugin name ([a-z0-9][a-z0-9._-]*, at most {MAX_NAME_LEN} characters)"
        ));
    }
    if name == RESERVED_NAME {
        return Err("is reserved for the built-in plugin".to_owned());
    }
    Ok(())
}

/// The key under which the `toml` crate hands a date or time to serde, as a
/// one-key table (figment passes it on as such).
const TOML_DATETIME_KEY: &str = "$__toml_private_datetime";

/// Replaces each TOML date or time in `value` by its text.
fn dates_as_strings(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            if let (1, Some(serde_json::Value::String(text))) =
                (map.len(), map.get(TOML_DATETIME_KEY))
            {
                *value = serde_json::Value::String(text.clone());
            } else {
                map.values_mut().for_each(dates_as_strings);
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(dates_as_strings),
        _ => {}
    }
}
