//! Lattice resources and request shapes, serialized with the VPC Lattice API's
//! own member names (`customDomainName`, `defaultAction`, `vpcIdentifier`, ...),
//! so that `plan --output json` reads like the API calls it stands for.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

mod created;
mod resource;
mod updates;

pub(in crate::lattice) use resource::{Resource, as_dyn};
pub use updates::{
    DeregisterTargetsInput, UpdateListenerInput, UpdateRuleInput, UpdateServiceInput,
    UpdateServiceNetworkVpcAssociationInput, UpdateTargetGroupInput,
};

/// Tags of a resource, sorted by key.
pub type Tags = BTreeMap<String, String>;

/// A target registered in a target group: a pod IP and port.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Target {
    /// The IP address (for `IP` target groups).
    pub id: String,
    /// The port traffic is sent to.
    pub port: u16,
}

/// A registered target and its health as `ListTargets` reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetStatus {
    /// The target (IP address and port).
    pub target: Target,
    /// `DRAINING`, `UNAVAILABLE`, `HEALTHY`, `UNHEALTHY`, `INITIAL` or
    /// `UNUSED` (VPC Lattice's `TargetStatus`).
    pub status: String,
}

/// A Lattice service network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceNetwork {
    pub id: String,
    pub arn: String,
    pub name: String,
    /// `NONE` or `AWS_IAM`.
    pub auth_type: String,
    pub tags: Tags,
}

/// The IAM auth policy of a service or service network (`GetAuthPolicy`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthPolicy {
    /// The service or service network id.
    pub resource_identifier: String,
    /// The IAM policy document, as JSON text.
    pub policy: String,
    /// `Active` while the resource's auth type is `AWS_IAM`.
    pub state: String,
}

/// The account an ARN names (`arn:aws:vpc-lattice:REGION:ACCOUNT:…`); empty
/// when it names none.
pub fn arn_account(arn: &str) -> &str {
    arn.split(':').nth(4).unwrap_or_default()
}

/// The AWS service of an access log destination ARN (`s3`, `logs`,
/// `firehose`): Lattice allows one subscription per destination type.
pub fn destination_type(arn: &str) -> &str {
    arn.split(':').nth(2).unwrap_or_default()
}

/// An access log subscription of a service or service network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccessLogSubscription {
    pub id: String,
    pub arn: String,
    /// The service or service network id.
    pub resource_id: String,
    /// The S3 bucket, CloudWatch Logs log group or Firehose delivery stream.
    pub destination_arn: String,
    pub tags: Tags,
}

/// `CreateAccessLogSubscription` request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateAccessLogSubscriptionInput {
    /// The service or service network id.
    pub resource_identifier: String,
    pub destination_arn: String,
    pub tags: Tags,
}

/// `UpdateServiceNetwork` request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateServiceNetworkInput {
    pub service_network_identifier: String,
    /// `NONE` or `AWS_IAM`.
    pub auth_type: String,
}

/// `TagResource` request: adds or overwrites tags of a resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TagResourceInput {
    pub resource_arn: String,
    pub tags: Tags,
}

/// `PutAuthPolicy` request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PutAuthPolicyInput {
    /// The service or service network id.
    pub resource_identifier: String,
    /// The IAM policy document, as JSON text.
    pub policy: String,
}

/// The association of a VPC with a service network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceNetworkVpcAssociation {
    pub id: String,
    pub arn: String,
    pub service_network_id: String,
    pub service_network_name: String,
    /// The network's ARN, whose account may be another's (a network shared
    /// through RAM); filled where the listing answers it, and not part of
    /// the printed state (it follows from the network).
    #[serde(skip)]
    pub service_network_arn: String,
    pub vpc_id: String,
    /// Security groups of the association; omitted when none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub security_group_ids: Vec<String>,
    /// `ACTIVE` once created.
    pub status: String,
    pub tags: Tags,
}

/// The DNS name Lattice assigns to a service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DnsEntry {
    pub domain_name: String,
    pub hosted_zone_id: String,
}

/// A Lattice service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Service {
    pub id: String,
    pub arn: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_domain_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate_arn: Option<String>,
    /// `NONE` or `AWS_IAM`.
    pub auth_type: String,
    pub dns_entry: DnsEntry,
    /// `ACTIVE` once created.
    pub status: String,
    pub tags: Tags,
}

/// The association of a service with a service network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceNetworkServiceAssociation {
    pub id: String,
    pub arn: String,
    pub service_id: String,
    pub service_name: String,
    pub service_network_id: String,
    pub service_network_name: String,
    /// `ACTIVE` once created.
    pub status: String,
    pub tags: Tags,
}

/// A weighted target group of a forward action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WeightedTargetGroup {
    pub target_group_identifier: String,
    pub weight: u32,
}

/// A forward action's target groups.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ForwardAction {
    pub target_groups: Vec<WeightedTargetGroup>,
}

/// A fixed response action's status code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FixedResponseAction {
    pub status_code: u16,
}

/// A listener default action or rule action (a union in the API: exactly one member).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum RuleAction {
    Forward(ForwardAction),
    FixedResponse(FixedResponseAction),
}

/// A path match value (a union in the API).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum PathMatchType {
    Exact(String),
    Prefix(String),
}

/// A rule's path match.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PathMatch {
    #[serde(rename = "match")]
    pub match_: PathMatchType,
    pub case_sensitive: bool,
}

/// A header match value (a union in the API; Trellis emits `exact` only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum HeaderMatchType {
    Exact(String),
}

/// A rule's header match.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HeaderMatch {
    pub name: String,
    #[serde(rename = "match")]
    pub match_: HeaderMatchType,
    pub case_sensitive: bool,
}

/// A rule's HTTP match.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HttpMatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path_match: Option<PathMatch>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub header_matches: Vec<HeaderMatch>,
}

/// A rule match (a union in the API with one member, `httpMatch`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleMatch {
    pub http_match: HttpMatch,
}

/// A listener of a service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Listener {
    pub id: String,
    pub arn: String,
    pub name: String,
    pub service_id: String,
    pub port: u16,
    /// `HTTP`, `HTTPS` or `TLS_PASSTHROUGH`.
    pub protocol: String,
    pub default_action: RuleAction,
    pub tags: Tags,
}

/// A listener rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Rule {
    pub id: String,
    pub arn: String,
    pub name: String,
    pub service_id: String,
    pub listener_id: String,
    pub priority: u32,
    #[serde(rename = "match")]
    pub match_: RuleMatch,
    pub action: RuleAction,
    pub tags: Tags,
}

/// A health check's matcher.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Matcher {
    pub http_code: String,
}

/// A target group's health check configuration; absent members take Lattice's defaults.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HealthCheckConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health_check_interval_seconds: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health_check_timeout_seconds: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub healthy_threshold_count: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unhealthy_threshold_count: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matcher: Option<Matcher>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol_version: Option<String>,
}

/// A target group's configuration; all members but the health check are immutable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TargetGroupConfig {
    pub port: u16,
    /// `HTTP`, `HTTPS` or `TCP`.
    pub protocol: String,
    /// `HTTP1`, `HTTP2` or `GRPC`; absent for `TCP`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol_version: Option<String>,
    /// `IPV4` or `IPV6`.
    pub ip_address_type: String,
    pub vpc_identifier: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health_check: Option<HealthCheckConfig>,
}

/// A target group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TargetGroup {
    pub id: String,
    pub arn: String,
    pub name: String,
    /// Always `IP` for Trellis's target groups.
    #[serde(rename = "type")]
    pub type_: String,
    pub config: TargetGroupConfig,
    /// `ACTIVE` once created.
    pub status: String,
    pub tags: Tags,
    /// The services whose listeners or rules forward to it (not part of the
    /// printed state: it follows from the listeners and rules).
    #[serde(skip)]
    pub service_arns: Vec<String>,
}

/// `CreateServiceNetwork` input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateServiceNetworkInput {
    pub name: String,
    pub auth_type: String,
    pub tags: Tags,
}

/// `CreateServiceNetworkVpcAssociation` input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateServiceNetworkVpcAssociationInput {
    pub service_network_identifier: String,
    pub vpc_identifier: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub security_group_ids: Vec<String>,
    pub tags: Tags,
}

/// `CreateService` input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateServiceInput {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_domain_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate_arn: Option<String>,
    pub auth_type: String,
    pub tags: Tags,
}

/// `CreateServiceNetworkServiceAssociation` input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateServiceNetworkServiceAssociationInput {
    pub service_identifier: String,
    pub service_network_identifier: String,
    pub tags: Tags,
}

/// `CreateListener` input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateListenerInput {
    pub service_identifier: String,
    pub name: String,
    pub port: u16,
    pub protocol: String,
    pub default_action: RuleAction,
    pub tags: Tags,
}

/// `CreateRule` input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateRuleInput {
    pub service_identifier: String,
    pub listener_identifier: String,
    pub name: String,
    pub priority: u32,
    #[serde(rename = "match")]
    pub match_: RuleMatch,
    pub action: RuleAction,
    pub tags: Tags,
}

/// `CreateTargetGroup` input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateTargetGroupInput {
    pub name: String,
    #[serde(rename = "type")]
    pub type_: String,
    pub config: TargetGroupConfig,
    pub tags: Tags,
}

/// `RegisterTargets` input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RegisterTargetsInput {
    pub target_group_identifier: String,
    pub targets: Vec<Target>,
}
