//! Request shapes of the update and delete operations.

use serde::{Deserialize, Serialize};

use super::{HealthCheckConfig, RuleAction, RuleMatch, Target};

/// `UpdateService` request: only the members that are set change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateServiceInput {
    pub service_identifier: String,
    /// `NONE` or `AWS_IAM`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate_arn: Option<String>,
}

/// `UpdateServiceNetworkVpcAssociation` request: replaces the security groups.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateServiceNetworkVpcAssociationInput {
    pub service_network_vpc_association_identifier: String,
    pub security_group_ids: Vec<String>,
}

/// `UpdateListener` request: replaces the default action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateListenerInput {
    pub service_identifier: String,
    pub listener_identifier: String,
    pub default_action: RuleAction,
}

/// `UpdateRule` request: replaces the priority, match and action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateRuleInput {
    pub service_identifier: String,
    pub listener_identifier: String,
    pub rule_identifier: String,
    pub priority: u32,
    #[serde(rename = "match")]
    pub match_: RuleMatch,
    pub action: RuleAction,
}

/// `UpdateTargetGroup` request: replaces the health check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateTargetGroupInput {
    pub target_group_identifier: String,
    pub health_check: HealthCheckConfig,
}

/// `DeregisterTargets` request (at most 100 targets).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeregisterTargetsInput {
    pub target_group_identifier: String,
    pub targets: Vec<Target>,
}
