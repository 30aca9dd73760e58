//! Lattice's resource name rules, and the contract of `naming.name`.

use std::collections::HashSet;

use super::{Checker, ValidationError};
use crate::plugin::bindings::naming::NamingSubject;

/// A kind of Lattice resource name, with its length bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum NameKind {
    Service,
    ServiceNetwork,
    Listener,
    Rule,
    TargetGroup,
}

impl NameKind {
    fn max_length(self) -> usize {
        match self {
            Self::Service => 40,
            Self::ServiceNetwork | Self::Listener | Self::Rule => 63,
            Self::TargetGroup => 128,
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Self::Service => "service",
            Self::ServiceNetwork => "service network",
            Self::Listener => "listener",
            Self::Rule => "rule",
            Self::TargetGroup => "target group",
        }
    }
}

/// Why `name` is not a valid Lattice name of `kind`, if it is not.
///
/// Lattice: 3 to the kind's maximum characters of `a-z`, `0-9` and `-`, no
/// hyphen first, last or after another hyphen; service names must not start
/// with `svc-` (the prefix of service ids).
pub(super) fn name_violation(kind: NameKind, name: &str) -> Option<String> {
    let what = kind.describe();
    let length = name.chars().count();
    if !(3..=kind.max_length()).contains(&length) {
        return Some(format!(
            "{what} name {name:?} has {length} characters; Lattice allows 3 to {}",
            kind.max_length()
        ));
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
    {
        return Some(format!(
            "{what} name {name:?} contains {bad:?}; Lattice allows only a-z, 0-9 and '-'"
        ));
    }
    if name.starts_with('-') || name.ends_with('-') || name.contains("--") {
        return Some(format!(
            "{what} name {name:?} has a hyphen first, last or after another hyphen"
        ));
    }
    if kind == NameKind::Service && name.starts_with("svc-") {
        return Some(format!(
            "service name {name:?} starts with 'svc-', which Lattice reserves for ids"
        ));
    }
    None
}

/// Validates the service network a Gateway names (a name or an `sn-` id).
pub fn validate_service_network_name(plugin: &str, name: &str) -> Result<(), ValidationError> {
    let check = Checker { plugin };
    match name_violation(NameKind::ServiceNetwork, name) {
        Some(message) => Err(check.error("gateway-service-network", message)),
        None => Ok(()),
    }
}

/// Validates the answers of `naming.name` of one plugin of a chain: one per
/// subject, each given name a valid Lattice name, listener names unique per
/// service and rule names unique per listener. `None` answers defer and are
/// not checked.
pub fn validate_name_answers(
    plugin: &str,
    subjects: &[NamingSubject],
    answers: &[Option<String>],
) -> Result<(), ValidationError> {
    check_names(plugin, subjects, answers, false)
}

/// Validates the names a chain settled on: as [`validate_name_answers`], and
/// every subject named.
pub fn validate_names(
    plugin: &str,
    subjects: &[NamingSubject],
    answers: &[Option<String>],
) -> Result<(), ValidationError> {
    check_names(plugin, subjects, answers, true)
}

fn check_names(
    plugin: &str,
    subjects: &[NamingSubject],
    answers: &[Option<String>],
    every_subject_named: bool,
) -> Result<(), ValidationError> {
    let check = Checker { plugin };
    check.ensure(answers.len() == subjects.len(), "name", || {
        format!(
            "{} names for {} subjects; the contract is one per subject",
            answers.len(),
            subjects.len()
        )
    })?;
    let mut seen = HashSet::new();
    for (index, (subject, answer)) in subjects.iter().zip(answers).enumerate() {
        let (kind, scope, label) = describe(subject);
        let field = format!("name[{index}] ({label})");
        let Some(name) = answer else {
            if every_subject_named {
                return Err(check.error(field, format!("no plugin named the {label}")));
            }
            continue;
        };
        if let Some(message) = name_violation(kind, name) {
            return Err(check.error(field, message));
        }
        check.ensure(seen.insert((scope, name.as_str())), field, || {
            format!("name {name:?} is used twice")
        })?;
    }
    Ok(())
}

/// The name kind, the scope names must be unique in, and a label for errors.
fn describe(subject: &NamingSubject) -> (NameKind, Option<u16>, String) {
    match subject {
        NamingSubject::Service => (NameKind::Service, None, "service".into()),
        NamingSubject::Listener(listener) => (
            NameKind::Listener,
            None,
            format!("listener {}", listener.port),
        ),
        NamingSubject::Rule(rule) => (
            NameKind::Rule,
            Some(rule.listener_port),
            format!("rule {} of listener {}", rule.priority, rule.listener_port),
        ),
        NamingSubject::TargetGroup(key) => (
            NameKind::TargetGroup,
            None,
            format!("target group {}/{}", key.namespace, key.name),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_lattice_names() {
        assert_eq!(name_violation(NameKind::Service, "rates-default"), None);
        assert_eq!(name_violation(NameKind::Service, &"a".repeat(40)), None);
        assert_eq!(
            name_violation(NameKind::TargetGroup, &"a".repeat(128)),
            None
        );
    }

    #[test]
    fn rejects_each_rule() {
        for (kind, name) in [
            (NameKind::Service, "ab"),
            (NameKind::Service, &"a".repeat(41)),
            (NameKind::Listener, &"a".repeat(64)),
            (NameKind::Service, "Rates"),
            (NameKind::Service, "rates.v1"),
            (NameKind::Service, "-rates"),
            (NameKind::Service, "rates-"),
            (NameKind::Service, "ra--tes"),
            (NameKind::Service, "svc-rates"),
        ] {
            assert!(
                name_violation(kind, name).is_some(),
                "{name:?} should be rejected as {kind:?}"
            );
        }
        assert_eq!(
            name_violation(NameKind::Listener, "svc-rates-80-http"),
            None,
            "only services reserve svc-"
        );
    }

    #[test]
    fn names_contract() {
        let subjects = [NamingSubject::Service];
        let missing = validate_names("p", &subjects, &[None]).unwrap_err();
        assert_eq!(missing.field, "name[0] (service)");
        assert!(missing.message.contains("no plugin named"), "{missing}");
        assert!(validate_names("p", &subjects, &[]).is_err());
        assert!(validate_names("p", &subjects, &[Some("rates-default".into())]).is_ok());
    }
}
