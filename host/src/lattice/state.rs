//! The whole state of a Lattice account, as `plan` prints it.

use serde::{Deserialize, Serialize};

use super::model::{
    AccessLogSubscription, AuthPolicy, Listener, Rule, Service, ServiceNetwork,
    ServiceNetworkServiceAssociation, ServiceNetworkVpcAssociation, Target, TargetGroup,
};

/// The targets registered in one target group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TargetGroupTargets {
    pub target_group_id: String,
    /// Sorted by IP and port.
    pub targets: Vec<Target>,
}

/// Every resource of a Lattice account, each list in creation order.
///
/// This is the `state` member of `plan --output json`: a stable contract.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LatticeState {
    pub service_networks: Vec<ServiceNetwork>,
    pub service_network_vpc_associations: Vec<ServiceNetworkVpcAssociation>,
    pub services: Vec<Service>,
    pub service_network_service_associations: Vec<ServiceNetworkServiceAssociation>,
    pub listeners: Vec<Listener>,
    pub rules: Vec<Rule>,
    pub target_groups: Vec<TargetGroup>,
    pub targets: Vec<TargetGroupTargets>,
    /// Auth policies of services and service networks; omitted when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub auth_policies: Vec<AuthPolicy>,
    /// Access log subscriptions; omitted when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub access_log_subscriptions: Vec<AccessLogSubscription>,
}
