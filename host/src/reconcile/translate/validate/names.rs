//! The contract of `naming.name`, and the names plugins give checked
//! against Lattice's name rules (`trellis_lattice_names`).

use std::collections::HashSet;

use trellis_lattice_names::{NameKind, name_violation};

use super::{Checker, ValidationError};
use crate::plugin::bindings::naming::NamingSubject;

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
    fn names_contract() {
        let subjects = [NamingSubject::Service];
        let missing = validate_names("p", &subjects, &[None]).unwrap_err();
        assert_eq!(missing.field, "name[0] (service)");
        assert!(missing.message.contains("no plugin named"), "{missing}");
        assert!(validate_names("p", &subjects, &[]).is_err());
        assert!(validate_names("p", &subjects, &[Some("rates-default".into())]).is_ok());
    }
}
