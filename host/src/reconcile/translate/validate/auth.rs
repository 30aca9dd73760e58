//! Lattice's auth type and auth policy rules.

use super::{Checker, ValidationError};
use crate::plugin::bindings::auth::AuthPolicy;

/// Lattice: auth policies are at most 10,000 characters.
const MAX_POLICY_LENGTH: usize = 10_000;

/// Validates an auth answer: auth type `NONE` (no policy) or `AWS_IAM` with
/// a policy that is a JSON object of at most 10,000 characters.
pub fn validate_auth_policy(
    plugin: &str,
    auth: Option<&AuthPolicy>,
) -> Result<(), ValidationError> {
    let check = Checker { plugin };
    let Some(auth) = auth else { return Ok(()) };
    match (auth.auth_type.as_str(), &auth.policy) {
        ("NONE", None) => Ok(()),
        ("NONE", Some(_)) => {
            Err(check.error("auth-policy.policy", "auth type NONE takes no policy"))
        }
        ("AWS_IAM", None) => {
            Err(check.error("auth-policy.policy", "auth type AWS_IAM needs a policy"))
        }
        ("AWS_IAM", Some(policy)) => {
            check.ensure(
                policy.chars().count() <= MAX_POLICY_LENGTH,
                "auth-policy.policy",
                || {
                    format!(
                        "the policy has {} characters; Lattice allows {MAX_POLICY_LENGTH}",
                        policy.chars().count()
                    )
                },
            )?;
            check.ensure(
                matches!(
                    serde_json::from_str::<serde_json::Value>(policy),
                    Ok(serde_json::Value::Object(_))
                ),
                "auth-policy.policy",
                || "the policy is not a JSON object".into(),
            )
        }
        (other, _) => Err(check.error(
            "auth-policy.auth-type",
            format!("auth type {other:?}; Lattice allows NONE or AWS_IAM"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn auth(auth_type: &str, policy: Option<&str>) -> AuthPolicy {
        AuthPolicy {
            auth_type: auth_type.into(),
            policy: policy.map(Into::into),
        }
    }

    #[test]
    fn auth_rules() {
        assert!(validate_auth_policy("p", None).is_ok());
        assert!(validate_auth_policy("p", Some(&auth("NONE", None))).is_ok());
        assert!(
            validate_auth_policy(
                "p",
                Some(&auth("AWS_IAM", Some(r#"{"Version":"2012-10-17"}"#)))
            )
            .is_ok()
        );
        assert!(validate_auth_policy("p", Some(&auth("AWS_IAM", None))).is_err());
        assert!(validate_auth_policy("p", Some(&auth("AWS_IAM", Some("[]")))).is_err());
        assert!(validate_auth_policy("p", Some(&auth("NONE", Some("{}")))).is_err());
        let error = validate_auth_policy("p", Some(&auth("OPEN", None))).unwrap_err();
        assert_eq!(error.field, "auth-policy.auth-type");
    }
}
