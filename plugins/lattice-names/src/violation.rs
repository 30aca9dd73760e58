//! Which of Lattice's name rules a name breaks, and the message saying so.

use crate::kind::{MIN_LENGTH, NameKind};

/// One rule a name breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Violation {
    /// Fewer than [`MIN_LENGTH`] or more than [`NameKind::max_length`]
    /// characters; `length` counts characters, not bytes.
    Length {
        /// The name's length in characters.
        length: usize,
    },
    /// A character other than `a-z`, `0-9` and `-`: the first such.
    Character(char),
    /// A hyphen first or last.
    HyphenAtEnd,
    /// Two hyphens in a row.
    DoubleHyphen,
    /// The kind's [`NameKind::reserved_prefix`], which it starts with.
    ReservedPrefix(&'static str),
}

/// Whether `c` is `a-z` or `0-9`: the characters a Lattice name is made
/// of, besides single hyphens between them.
pub fn is_lowercase_alphanumeric(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit()
}

/// Every rule `name` breaks as a name of `kind`, each once, in the order
/// [`name_violation`] reports them: length, character, hyphen at an end,
/// double hyphen, reserved prefix. Empty for a valid name.
pub fn violations(kind: NameKind, name: &str) -> impl Iterator<Item = Violation> + use<> {
    let length = name.chars().count();
    [
        (!(MIN_LENGTH..=kind.max_length()).contains(&length))
            .then_some(Violation::Length { length }),
        name.chars()
            .find(|&c| !(is_lowercase_alphanumeric(c) || c == '-'))
            .map(Violation::Character),
        (name.starts_with('-') || name.ends_with('-')).then_some(Violation::HyphenAtEnd),
        name.contains("--").then_some(Violation::DoubleHyphen),
        kind.reserved_prefix()
            .filter(|&prefix| name.starts_with(prefix))
            .map(Violation::ReservedPrefix),
    ]
    .into_iter()
    .flatten()
}

/// Why `name` is not a valid Lattice name of `kind`, if it is not: the
/// first of its [`violations`], said in a sentence that names the kind and
/// quotes the name (the host reports it on the object).
pub fn name_violation(kind: NameKind, name: &str) -> Option<String> {
    violations(kind, name)
        .next()
        .map(|violation| message(kind, name, violation))
}

fn message(kind: NameKind, name: &str, violation: Violation) -> String {
    let what = kind.describe();
    match violation {
        Violation::Length { length } => format!(
            "{what} name {name:?} has {length} characters; Lattice allows {MIN_LENGTH} to {}",
            kind.max_length()
        ),
        Violation::Character(bad) => {
            format!("{what} name {name:?} contains {bad:?}; Lattice allows only a-z, 0-9 and '-'")
        }
        Violation::HyphenAtEnd | Violation::DoubleHyphen => {
            format!("{what} name {name:?} has a hyphen first, last or after another hyphen")
        }
        Violation::ReservedPrefix(prefix) => {
            format!("{what} name {name:?} starts with '{prefix}', which Lattice reserves for ids")
        }
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
    fn every_broken_rule_is_listed_once_in_order() {
        assert_eq!(
            violations(NameKind::Service, "svc--é-").collect::<Vec<_>>(),
            [
                Violation::Character('é'),
                Violation::HyphenAtEnd,
                Violation::DoubleHyphen,
                Violation::ReservedPrefix("svc-"),
            ]
        );
        assert_eq!(
            violations(NameKind::ServiceNetwork, "a").collect::<Vec<_>>(),
            [Violation::Length { length: 1 }]
        );
        assert_eq!(
            violations(NameKind::Rule, "k8s-0123456789-rule-1").count(),
            0
        );
    }

    #[test]
    fn messages_name_the_kind_quote_the_name_and_say_the_rule() {
        for (kind, name, message) in [
            (
                NameKind::Service,
                "ab",
                r#"service name "ab" has 2 characters; Lattice allows 3 to 40"#,
            ),
            (
                NameKind::ServiceNetwork,
                "payments.net",
                r#"service network name "payments.net" contains '.'; Lattice allows only a-z, 0-9 and '-'"#,
            ),
            (
                NameKind::Listener,
                "a--b",
                r#"listener name "a--b" has a hyphen first, last or after another hyphen"#,
            ),
            (
                NameKind::Service,
                "svc-rates",
                r#"service name "svc-rates" starts with 'svc-', which Lattice reserves for ids"#,
            ),
        ] {
            assert_eq!(name_violation(kind, name).as_deref(), Some(message));
        }
    }
}
