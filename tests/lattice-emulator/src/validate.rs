//! The member constraints of the VPC Lattice API model that the emulator
//! enforces, each failing with `ValidationException` naming the member.

use crate::error::{ApiError, invalid};

/// A resource name rule: 3 to `max` characters, lowercase letters, digits
/// and hyphens, no leading or trailing hyphen, no `--`, and not starting
/// with the resource's id prefix (`svc-`, `tg-`, ...), which the API reserves.
#[derive(Debug, Clone, Copy)]
pub struct NameRule {
    pub max: usize,
    pub reserved_prefix: Option<&'static str>,
}

/// `ServiceNetworkName`: 3–63 characters.
pub const SERVICE_NETWORK_NAME: NameRule = NameRule {
    max: 63,
    reserved_prefix: None,
};
/// `ServiceName`: 3–40 characters, not `svc-…`.
pub const SERVICE_NAME: NameRule = NameRule {
    max: 40,
    reserved_prefix: Some("svc-"),
};
/// `TargetGroupName`: 3–128 characters, not `tg-…`.
pub const TARGET_GROUP_NAME: NameRule = NameRule {
    max: 128,
    reserved_prefix: Some("tg-"),
};
/// `ListenerName`: 3–63 characters, not `listener-…`.
pub const LISTENER_NAME: NameRule = NameRule {
    max: 63,
    reserved_prefix: Some("listener-"),
};
/// `RuleName`: 3–63 characters, not `rule-…`.
pub const RULE_NAME: NameRule = NameRule {
    max: 63,
    reserved_prefix: Some("rule-"),
};

/// `name` against `rule`.
pub fn name(name: &str, rule: NameRule) -> Result<(), ApiError> {
    let fail = |why: String| Err(invalid("name", format!("{name:?} {why}")));
    let length = name.chars().count();
    if !(3..=rule.max).contains(&length) {
        return fail(format!("must have 3 to {} characters", rule.max));
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return fail("may hold only lowercase letters, digits and hyphens".into());
    }
    if name.starts_with('-') || name.ends_with('-') || name.contains("--") {
        return fail("may not start or end with a hyphen or hold two in a row".into());
    }
    if let Some(prefix) = rule
        .reserved_prefix
        .filter(|prefix| name.starts_with(prefix))
    {
        return fail(format!("may not start with {prefix:?}"));
    }
    Ok(())
}

/// A port member: 1–65535.
pub fn port(field: &str, port: i64) -> Result<u16, ApiError> {
    u16::try_from(port)
        .ok()
        .filter(|port| *port >= 1)
        .ok_or_else(|| invalid(field, format!("{port} is not a port (1 to 65535)")))
}

/// Highest rule priority the API model (`RulePriority`) accepts.
pub const MAX_RULE_PRIORITY: i64 = 2000;

/// `priority` of a rule: 1–[`MAX_RULE_PRIORITY`].
pub fn priority(priority: i64) -> Result<u32, ApiError> {
    u32::try_from(priority)
        .ok()
        .filter(|priority| (1..=MAX_RULE_PRIORITY).contains(&i64::from(*priority)))
        .ok_or_else(|| {
            invalid(
                "priority",
                format!("{priority} is not a rule priority (1 to {MAX_RULE_PRIORITY})"),
            )
        })
}

/// `value` of `field` is one of `allowed`.
pub fn one_of(field: &str, value: &str, allowed: &[&str]) -> Result<(), ApiError> {
    if allowed.contains(&value) {
        Ok(())
    } else {
        Err(invalid(
            field,
            format!("{value:?} is not one of {}", allowed.join(", ")),
        ))
    }
}

/// `authType`: `NONE` or `AWS_IAM`.
pub fn auth_type(value: &str) -> Result<(), ApiError> {
    one_of("authType", value, &["NONE", "AWS_IAM"])
}

/// The `targets` of a Register/DeregisterTargets call: 1 to 100.
pub fn target_batch(count: usize) -> Result<(), ApiError> {
    if (1..=100).contains(&count) {
        Ok(())
    } else {
        Err(invalid(
            "targets",
            format!("must hold 1 to 100 targets, got {count}"),
        ))
    }
}

/// A `clientToken`: 1 to 64 printable ASCII characters.
pub fn client_token(token: &str) -> Result<(), ApiError> {
    let printable = token.chars().all(|c| c.is_ascii_graphic());
    if (1..=64).contains(&token.len()) && printable {
        Ok(())
    } else {
        Err(invalid(
            "clientToken",
            "must be 1 to 64 printable ASCII characters",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_api_pattern() {
        for good in ["abc", "rates-default", "a1-b2"] {
            assert!(name(good, SERVICE_NAME).is_ok(), "{good}");
        }
        let too_long = "a".repeat(41);
        for bad in [
            "ab",
            "-abc",
            "abc-",
            "a--b",
            "Abc",
            "a_b",
            "svc-x",
            too_long.as_str(),
        ] {
            assert!(name(bad, SERVICE_NAME).is_err(), "{bad}");
        }
        assert!(name(&"a".repeat(63), SERVICE_NETWORK_NAME).is_ok());
    }

    #[test]
    fn ports_and_priorities_have_ranges() {
        assert!(port("port", 0).is_err());
        assert!(port("port", 65_536).is_err());
        assert_eq!(port("port", 443).unwrap(), 443);
        assert!(priority(0).is_err());
        assert!(priority(MAX_RULE_PRIORITY + 1).is_err());
        assert_eq!(priority(100).unwrap(), 100);
    }
}
