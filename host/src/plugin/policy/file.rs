//! Reading one policy file.

use std::path::Path;

use figment::Figment;
use figment::error::Kind;
use figment::providers::{Format, Toml};
use toml_edit::ImDocument;

use super::location::{Problem, line_at, locate};
use super::raw::RawFile;
use super::{PolicyEntry, PolicyError};

/// The entries of the policy file at `path`, in the order written.
///
/// Every entry is checked: known keys only, `path` present, a valid and
/// unreserved plugin name, no name twice in the file, known kinds, valid
/// globs and label selectors. The first problem found is the error, naming
/// the file, the line and the field. A file with no `[[plugin]]` entry
/// (empty, or comments only) has no entries. Plugin files are not opened.
pub fn read_policy_file(path: &Path) -> Result<Vec<PolicyEntry>, PolicyError> {
    let text = std::fs::read_to_string(path).map_err(|source| PolicyError::Read {
        file: path.to_owned(),
        source,
    })?;
    parse_policy_file(path, &text)
}

/// The entries of `text`, a policy file read from `path`, checked as
/// [`read_policy_file`] checks them; `path` names the file in errors and
/// relative plugin paths are taken against its folder (nothing is read).
pub fn parse_policy_file(path: &Path, text: &str) -> Result<Vec<PolicyEntry>, PolicyError> {
    let document = ImDocument::parse(text).map_err(|error| PolicyError::Syntax {
        file: path.to_owned(),
        line: error.span().map_or(1, |span| line_at(text, span.start)),
        message: error.message().trim_end().to_owned(),
    })?;
    let raw: RawFile = Figment::from(Toml::string(text))
        .extract()
        .map_err(|error| figment_problem(error).at(path, &document))?;
    let mut entries: Vec<PolicyEntry> = Vec::with_capacity(raw.plugin.len());
    for (index, raw) in raw.plugin.into_iter().enumerate() {
        let within = ["plugin".to_owned(), index.to_string()];
        let at = |problem: Problem| problem.under(within.clone()).at(path, &document);
        let (_, line) = locate(&document, &within);
        let entry = PolicyEntry::from_raw(raw, path, line).map_err(at)?;
        if let Some((first, earlier)) = entries
            .iter()
            .enumerate()
            .find(|(_, earlier)| earlier.name == entry.name)
        {
            let message = format!(
                "duplicate plugin name {:?} (also plugin[{first}], line {})",
                entry.name, earlier.line
            );
            return Err(at(Problem::new(["name"], message)));
        }
        entries.push(entry);
    }
    Ok(entries)
}

/// figment's (first) error as a problem with its field's key path.
fn figment_problem(error: figment::Error) -> Problem {
    let mut keys = error.path;
    let message = match error.kind {
        Kind::MissingField(field) => {
            keys.push(field.to_string());
            "missing".to_owned()
        }
        Kind::UnknownField(_, expected) => {
            format!("unknown key (expected one of: {})", expected.join(", "))
        }
        kind => kind.to_string(),
    };
    Problem::new(keys, message)
}
