//! AccessLogPolicy: access log subscriptions of a Gateway's service network
//! or a route's service (upstream `accesslogpolicy_controller.go`).

use serde::Deserialize;

use crate::object::Kind;
use crate::plugin::bindings::types::AttachedPolicy;

/// The fields of an AccessLogPolicy `spec` Trellis reads.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct AccessLogPolicySpec {
    destination_arn: String,
}

/// An AccessLogPolicy's verdict for its target.
#[derive(Debug, Clone, PartialEq)]
pub enum AccessLog<'a> {
    /// The policy's subscription: to `destination_arn`.
    Subscribe {
        /// The policy.
        policy: &'a AttachedPolicy,
        /// The S3 bucket, CloudWatch Logs log group or Firehose stream.
        destination_arn: String,
    },
    /// The policy cannot apply: `reason` (`Invalid` or `Conflicted`), the
    /// policy field, and a message.
    Rejected {
        /// The policy.
        policy: &'a AttachedPolicy,
        /// `Invalid` or `Conflicted`.
        reason: &'static str,
        /// The policy field at fault.
        field: String,
        /// For a person.
        message: String,
    },
}

/// The verdict of every AccessLogPolicy among `policies` (oldest first):
/// the destination must be an S3 bucket, CloudWatch Logs log group or Kinesis
/// Data Firehose delivery stream ARN; Lattice takes one subscription per
/// destination type, so a younger policy of a type already taken is
/// `Conflicted`.
pub fn access_logs(policies: &[AttachedPolicy]) -> Vec<AccessLog<'_>> {
    let mut taken: Vec<&str> = Vec::new();
    policies
        .iter()
        .filter(|policy| policy.meta.kind == Kind::AccessLogPolicy.as_str())
        .map(|policy| {
            let rejected = |reason, field: &str, message: String| AccessLog::Rejected {
                policy,
                reason,
                field: field.to_owned(),
                message,
            };
            let spec: AccessLogPolicySpec = match serde_json::from_str(&policy.spec) {
                Ok(spec) => spec,
                Err(error) => return rejected("Invalid", "spec.destinationArn", error.to_string()),
            };
            let Some(kind) = destination_kind(&spec.destination_arn) else {
                return rejected(
                    "Invalid",
                    "spec.destinationArn",
                    format!(
                        "{:?} is not an S3 bucket, CloudWatch Logs log group or Firehose delivery stream ARN",
                        spec.destination_arn
                    ),
                );
            };
            if taken.contains(&kind) {
                return rejected(
                    "Conflicted",
                    "spec.targetRef",
                    format!("an older AccessLogPolicy already sends this target's logs to {kind}; Lattice takes one subscription per destination type"),
                );
            }
            taken.push(kind);
            AccessLog::Subscribe { policy, destination_arn: spec.destination_arn }
        })
        .collect()
}

/// `s3`, `logs` or `firehose` for a destination ARN of that service.
fn destination_kind(arn: &str) -> Option<&'static str> {
    let mut parts = arn.split(':');
    let (Some("arn"), Some(_partition), Some(service)) = (parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    let resource = arn.splitn(6, ':').nth(5).unwrap_or_default();
    match service {
        "s3" if !resource.is_empty() => Some("s3"),
        "logs" if resource.starts_with("log-group:") => Some("logs"),
        "firehose" if resource.starts_with("deliverystream/") => Some("firehose"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn destinations_lattice_accepts() {
        assert_eq!(destination_kind("arn:aws:s3:::my-logs"), Some("s3"));
        assert_eq!(
            destination_kind("arn:aws:logs:us-west-2:123456789012:log-group:/lattice"),
            Some("logs")
        );
        assert_eq!(
            destination_kind("arn:aws:firehose:us-west-2:123456789012:deliverystream/logs"),
            Some("firehose")
        );
        assert_eq!(
            destination_kind("arn:aws:sqs:us-west-2:123456789012:queue"),
            None
        );
        assert_eq!(destination_kind("my-logs"), None);
    }
}
