//! The `Lattice` trait: the VPC Lattice operations Trellis uses.

use async_trait::async_trait;

use super::error::LatticeError;
use super::model::Tags;
use super::model::{
    AccessLogSubscription, AuthPolicy, CreateAccessLogSubscriptionInput, CreateListenerInput,
    CreateRuleInput, CreateServiceInput, CreateServiceNetworkInput,
    CreateServiceNetworkServiceAssociationInput, CreateServiceNetworkVpcAssociationInput,
    CreateTargetGroupInput, Listener, PutAuthPolicyInput, RegisterTargetsInput, Rule, Service,
    ServiceNetwork, ServiceNetworkServiceAssociation, ServiceNetworkVpcAssociation,
    TagResourceInput, Target, TargetGroup, TargetStatus, UpdateServiceNetworkInput,
};
use super::model::{
    DeregisterTargetsInput, UpdateListenerInput, UpdateRuleInput, UpdateServiceInput,
    UpdateServiceNetworkVpcAssociationInput, UpdateTargetGroupInput,
};

/// The VPC Lattice operations Trellis uses, one method per API operation.
///
/// Contract for implementations:
/// - List operations return every item (all pages), with each resource's tags.
/// - Create operations return the created resource, and fail with
///   [`LatticeError::Conflict`] rather than create a duplicate name (or a
///   duplicate listener port per service, or rule priority per listener).
/// - A parent identifier that names nothing fails with [`LatticeError::NotFound`].
/// - Deleting a resource that is gone fails with [`LatticeError::NotFound`];
///   deleting one that is in use (a target group a rule forwards to, a
///   service still associated with a service network, a service network
///   still associated with a service or a VPC) fails with
///   [`LatticeError::Conflict`].
/// - `DeleteService` also removes the service's listeners, rules, auth
///   policy and access log subscriptions, as Lattice does;
///   `DeleteServiceNetwork` the network's auth policy and access log
///   subscriptions.
#[async_trait]
pub trait Lattice: Send + Sync {
    /// `ListServiceNetworks`.
    async fn list_service_networks(&self) -> Result<Vec<ServiceNetwork>, LatticeError>;
    /// `CreateServiceNetwork`.
    async fn create_service_network(
        &self,
        input: CreateServiceNetworkInput,
    ) -> Result<ServiceNetwork, LatticeError>;
    /// `ListServiceNetworkVpcAssociations` of one service network.
    async fn list_service_network_vpc_associations(
        &self,
        service_network_id: &str,
    ) -> Result<Vec<ServiceNetworkVpcAssociation>, LatticeError>;
    /// `ListServiceNetworkVpcAssociations` of one VPC, with every network
    /// it joins, its own account's or shared with it (RAM). The listing's
    /// summaries only: no security groups and no tags.
    async fn list_vpc_service_network_associations(
        &self,
        vpc_id: &str,
    ) -> Result<Vec<ServiceNetworkVpcAssociation>, LatticeError>;
    /// `CreateServiceNetworkVpcAssociation`.
    async fn create_service_network_vpc_association(
        &self,
        input: CreateServiceNetworkVpcAssociationInput,
    ) -> Result<ServiceNetworkVpcAssociation, LatticeError>;
    /// `ListServices`.
    async fn list_services(&self) -> Result<Vec<Service>, LatticeError>;
    /// The service named `name`, if any, as `ListServices` gives it.
    /// Implementations that index their lists answer without copying the
    /// whole list; the default lists.
    async fn find_service(&self, name: &str) -> Result<Option<Service>, LatticeError> {
        Ok(self
            .list_services()
            .await?
            .into_iter()
            .find(|service| service.name == name))
    }
    /// The services that hold every tag of `tags` (every service when it is
    /// empty), in listing order. Indexed as [`Lattice::find_service`].
    async fn services_tagged(&self, tags: &[(&str, &str)]) -> Result<Vec<Service>, LatticeError> {
        Ok(self
            .list_services()
            .await?
            .into_iter()
            .filter(|service| has_tags(&service.tags, tags))
            .collect())
    }
    /// `CreateService`.
    async fn create_service(&self, input: CreateServiceInput) -> Result<Service, LatticeError>;
    /// `ListServiceNetworkServiceAssociations` of one service.
    async fn list_service_network_service_associations(
        &self,
        service_id: &str,
    ) -> Result<Vec<ServiceNetworkServiceAssociation>, LatticeError>;
    /// `CreateServiceNetworkServiceAssociation`.
    async fn create_service_network_service_association(
        &self,
        input: CreateServiceNetworkServiceAssociationInput,
    ) -> Result<ServiceNetworkServiceAssociation, LatticeError>;
    /// `ListListeners` of one service.
    async fn list_listeners(&self, service_id: &str) -> Result<Vec<Listener>, LatticeError>;
    /// `CreateListener`.
    async fn create_listener(&self, input: CreateListenerInput) -> Result<Listener, LatticeError>;
    /// `ListRules` of one listener (non-default rules).
    async fn list_rules(
        &self,
        service_id: &str,
        listener_id: &str,
    ) -> Result<Vec<Rule>, LatticeError>;
    /// `CreateRule`.
    async fn create_rule(&self, input: CreateRuleInput) -> Result<Rule, LatticeError>;
    /// `ListTargetGroups` (account-wide).
    async fn list_target_groups(&self) -> Result<Vec<TargetGroup>, LatticeError>;
    /// The target group `identifier` (its id or ARN) names, if any, as
    /// `ListTargetGroups` gives it. Implementations that index their lists
    /// answer without copying the whole list; the default lists.
    async fn find_target_group(
        &self,
        identifier: &str,
    ) -> Result<Option<TargetGroup>, LatticeError> {
        Ok(self
            .list_target_groups()
            .await?
            .into_iter()
            .find(|group| group.id == identifier || group.arn == identifier))
    }
    /// The target groups that hold every tag of `tags` (every target group
    /// when it is empty), in listing order, as `ListTargetGroups` gives
    /// them. Implementations that index their lists answer in the time of
    /// the matches, not of the account; the default lists.
    async fn target_groups_tagged(
        &self,
        tags: &[(&str, &str)],
    ) -> Result<Vec<TargetGroup>, LatticeError> {
        Ok(self
            .list_target_groups()
            .await?
            .into_iter()
            .filter(|group| has_tags(&group.tags, tags))
            .collect())
    }
    /// `CreateTargetGroup`.
    async fn create_target_group(
        &self,
        input: CreateTargetGroupInput,
    ) -> Result<TargetGroup, LatticeError>;
    /// `ListTargets` of one target group.
    async fn list_targets(&self, target_group_id: &str) -> Result<Vec<Target>, LatticeError>;
    /// `ListTargets` of one target group with each target's health status,
    /// draining targets included; read afresh on every call (never cached:
    /// health changes without any write).
    async fn list_target_statuses(
        &self,
        target_group_id: &str,
    ) -> Result<Vec<TargetStatus>, LatticeError>;
    /// `RegisterTargets` (at most 100 per call).
    async fn register_targets(&self, input: RegisterTargetsInput) -> Result<(), LatticeError>;
    /// `GetAuthPolicy` of a service or service network; `None` when it has none.
    async fn get_auth_policy(
        &self,
        resource_identifier: &str,
    ) -> Result<Option<AuthPolicy>, LatticeError>;
    /// `PutAuthPolicy`: sets (replaces) a service's or service network's policy.
    async fn put_auth_policy(&self, input: PutAuthPolicyInput) -> Result<AuthPolicy, LatticeError>;
    /// `UpdateServiceNetwork`: sets a service network's auth type.
    async fn update_service_network(
        &self,
        input: UpdateServiceNetworkInput,
    ) -> Result<(), LatticeError>;
    /// `DeleteServiceNetwork` (and its auth policy and access log
    /// subscriptions); fails with `Conflict` while a service or a VPC is
    /// associated with it.
    async fn delete_service_network(&self, service_network_id: &str) -> Result<(), LatticeError>;
    /// `TagResource`: adds or overwrites tags (others are kept).
    async fn tag_resource(&self, input: TagResourceInput) -> Result<(), LatticeError>;
    /// `ListAccessLogSubscriptions` of a service or service network.
    async fn list_access_log_subscriptions(
        &self,
        resource_identifier: &str,
    ) -> Result<Vec<AccessLogSubscription>, LatticeError>;
    /// `CreateAccessLogSubscription`; at most one per destination type
    /// (S3, CloudWatch Logs, Firehose) per resource.
    async fn create_access_log_subscription(
        &self,
        input: CreateAccessLogSubscriptionInput,
    ) -> Result<AccessLogSubscription, LatticeError>;
    /// `UpdateServiceNetworkVpcAssociation`: replaces the security groups.
    async fn update_service_network_vpc_association(
        &self,
        input: UpdateServiceNetworkVpcAssociationInput,
    ) -> Result<(), LatticeError>;
    /// `DeleteServiceNetworkVpcAssociation`.
    async fn delete_service_network_vpc_association(
        &self,
        association_id: &str,
    ) -> Result<(), LatticeError>;
    /// `UpdateService`: sets the auth type and/or the certificate.
    ///
    /// Updates answer with nothing: the caller knows what it changed.
    async fn update_service(&self, input: UpdateServiceInput) -> Result<(), LatticeError>;
    /// `DeleteService`.
    async fn delete_service(&self, service_id: &str) -> Result<(), LatticeError>;
    /// `DeleteServiceNetworkServiceAssociation`.
    async fn delete_service_network_service_association(
        &self,
        association_id: &str,
    ) -> Result<(), LatticeError>;
    /// `UpdateListener`: replaces the default action.
    async fn update_listener(&self, input: UpdateListenerInput) -> Result<(), LatticeError>;
    /// `DeleteListener` (and its rules).
    async fn delete_listener(
        &self,
        service_id: &str,
        listener_id: &str,
    ) -> Result<(), LatticeError>;
    /// `UpdateRule`: replaces the priority, match and action.
    async fn update_rule(&self, input: UpdateRuleInput) -> Result<(), LatticeError>;
    /// `DeleteRule`.
    async fn delete_rule(
        &self,
        service_id: &str,
        listener_id: &str,
        rule_id: &str,
    ) -> Result<(), LatticeError>;
    /// `UpdateTargetGroup`: replaces the health check.
    async fn update_target_group(&self, input: UpdateTargetGroupInput) -> Result<(), LatticeError>;
    /// `GetTargetGroup`'s `serviceArns`: the services whose listeners or
    /// rules forward to the target group now. Never cached: deciding that a
    /// group is unused needs the current answer.
    async fn target_group_users(&self, target_group_id: &str) -> Result<Vec<String>, LatticeError>;

    /// Says that observations of what other controllers make — service
    /// networks (and their VPC associations) and target groups, e.g. another
    /// cluster's exports — may be stale, so the next reads of them ask
    /// Lattice. Nothing to do for an implementation that keeps no
    /// observations (the default).
    fn observe_shared_again(&self) {}
    /// Says that every observation may be stale (a refresh, the drift
    /// check): an implementation that keeps reads beyond one listing (the
    /// SDK client's tags read in bulk) forgets them. Nothing to do by
    /// default.
    fn observe_all_again(&self) {}
    /// `DeleteTargetGroup`; fails with `Conflict` while a listener or rule
    /// forwards to it.
    async fn delete_target_group(&self, target_group_id: &str) -> Result<(), LatticeError>;
    /// `DeregisterTargets` (at most 100 per call).
    async fn deregister_targets(&self, input: DeregisterTargetsInput) -> Result<(), LatticeError>;
    /// `DeleteAuthPolicy` of a service or service network.
    async fn delete_auth_policy(&self, resource_identifier: &str) -> Result<(), LatticeError>;
    /// `DeleteAccessLogSubscription`.
    async fn delete_access_log_subscription(
        &self,
        subscription_id: &str,
    ) -> Result<(), LatticeError>;
}

/// Whether `tags` holds every key and value of `wanted`.
pub(super) fn has_tags(tags: &Tags, wanted: &[(&str, &str)]) -> bool {
    wanted
        .iter()
        .all(|(key, value)| tags.get(*key).is_some_and(|found| found == value))
}
