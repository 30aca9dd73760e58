//! Applying desired resources to a [`Lattice`]: create what is missing, in
//! dependency order, and record every mutating call.
//!
//! Contract:
//! - Existing resources are found by their identity (service networks and
//!   services by name, associations by their two ends, listeners by port,
//!   rules by match, target groups by controller tags and immutable config)
//!   and reused without a call.
//! - Only creations and target registrations are made here; updating or
//!   deleting what differs is not part of this step.
//! - Targets are registered in batches of at most [`MAX_TARGETS_PER_CALL`].

use crate::lattice::model::Tags;
use crate::lattice::model::{TagResourceInput, UpdateServiceNetworkInput};
use serde::Serialize;

use crate::lattice::model::{
    CreateAccessLogSubscriptionInput, CreateListenerInput, CreateRuleInput,
    CreateServiceNetworkInput, CreateServiceNetworkServiceAssociationInput,
    CreateServiceNetworkVpcAssociationInput, PutAuthPolicyInput, RegisterTargetsInput, Service,
    ServiceNetwork, TargetGroup,
};
use crate::lattice::{Lattice, LatticeError, MAX_TARGETS_PER_CALL};
use crate::reconcile::convert::{self, TargetGroupIds};
use crate::reconcile::desired::{DesiredDefaultNetwork, DesiredRoute, DesiredTargetGroup};

/// Tags whose key starts with this prefix are the controller's own; they
/// identify target groups.
pub const CONTROLLER_TAG_PREFIX: &str = "application-networking.k8s.aws/";

/// One mutating Lattice API call: an entry of `calls` in `plan --output json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Call {
    /// The cluster whose reconcile made the call.
    pub cluster: String,
    /// The API operation, e.g. `CreateService`.
    pub operation: &'static str,
    /// The request, in the API's member names.
    pub input: serde_json::Value,
}

/// Applies desired resources for one cluster, recording the calls it makes.
pub struct Applier<'a> {
    lattice: &'a dyn Lattice,
    cluster: String,
    calls: Vec<Call>,
}

impl<'a> Applier<'a> {
    /// An applier for `cluster`'s objects.
    pub fn new(lattice: &'a dyn Lattice, cluster: impl Into<String>) -> Self {
        Self {
            lattice,
            cluster: cluster.into(),
            calls: Vec::new(),
        }
    }

    /// The calls made so far, in order.
    pub fn into_calls(self) -> Vec<Call> {
        self.calls
    }

    fn record(&mut self, operation: &'static str, input: &impl Serialize) {
        let input = serde_json::to_value(input).expect("API inputs serialize");
        self.calls.push(Call {
            cluster: self.cluster.clone(),
            operation,
            input,
        });
    }

    /// Ensures the default service network and the cluster VPC's association with it.
    pub async fn default_network(
        &mut self,
        desired: &DesiredDefaultNetwork,
    ) -> Result<(), LatticeError> {
        let network = self
            .service_network(&desired.name, &desired.network_tags)
            .await?;
        self.vpc_association(&network, &desired.vpc_id, &[], &desired.association_tags)
            .await
    }

    /// Ensures a service network named `name` exists (created with `tags`
    /// when missing; an existing one is used as it is).
    pub async fn service_network(
        &mut self,
        name: &str,
        tags: &Tags,
    ) -> Result<ServiceNetwork, LatticeError> {
        if let Some(network) = find_service_network(self.lattice, name).await? {
            return Ok(network);
        }
        let input = CreateServiceNetworkInput {
            name: name.to_owned(),
            auth_type: "NONE".into(),
            tags: tags.clone(),
        };
        self.record("CreateServiceNetwork", &input);
        self.lattice.create_service_network(input).await
    }

    /// Ensures `vpc_id` is associated with `network` (created with the
    /// security groups and tags when missing; an existing association is
    /// left as it is).
    pub async fn vpc_association(
        &mut self,
        network: &ServiceNetwork,
        vpc_id: &str,
        security_group_ids: &[String],
        tags: &Tags,
    ) -> Result<(), LatticeError> {
        let associations = self
            .lattice
            .list_service_network_vpc_associations(&network.id)
            .await?;
        if associations
            .iter()
            .any(|association| association.vpc_id == vpc_id)
        {
            return Ok(());
        }
        let input = CreateServiceNetworkVpcAssociationInput {
            service_network_identifier: network.id.clone(),
            vpc_identifier: vpc_id.to_owned(),
            security_group_ids: security_group_ids.to_vec(),
            tags: tags.clone(),
        };
        self.record("CreateServiceNetworkVpcAssociation", &input);
        self.lattice
            .create_service_network_vpc_association(input)
            .await?;
        Ok(())
    }

    /// Ensures `resource_id` (a service or service network) has an access log
    /// subscription to `destination_arn`, created with `tags` when missing.
    pub async fn access_log_subscription(
        &mut self,
        resource_id: &str,
        destination_arn: &str,
        tags: &Tags,
    ) -> Result<(), LatticeError> {
        let existing = self
            .lattice
            .list_access_log_subscriptions(resource_id)
            .await?;
        if existing
            .iter()
            .any(|subscription| subscription.destination_arn == destination_arn)
        {
            return Ok(());
        }
        let input = CreateAccessLogSubscriptionInput {
            resource_identifier: resource_id.to_owned(),
            destination_arn: destination_arn.to_owned(),
            tags: tags.clone(),
        };
        self.record("CreateAccessLogSubscription", &input);
        self.lattice.create_access_log_subscription(input).await?;
        Ok(())
    }

    /// Ensures `network` has auth type `AWS_IAM` and `policy` as its auth policy.
    pub async fn network_auth_policy(
        &mut self,
        network: &ServiceNetwork,
        policy: &str,
    ) -> Result<(), LatticeError> {
        if network.auth_type != "AWS_IAM" {
            let input = UpdateServiceNetworkInput {
                service_network_identifier: network.id.clone(),
                auth_type: "AWS_IAM".into(),
            };
            self.record("UpdateServiceNetwork", &input);
            self.lattice.update_service_network(input).await?;
        }
        self.auth_policy(&network.id, policy).await
    }

    /// Puts `policy` on `resource_id` unless it already has it.
    async fn auth_policy(&mut self, resource_id: &str, policy: &str) -> Result<(), LatticeError> {
        let current = self.lattice.get_auth_policy(resource_id).await?;
        if current.is_some_and(|current| current.policy == policy) {
            return Ok(());
        }
        let input = PutAuthPolicyInput {
            resource_identifier: resource_id.to_owned(),
            policy: policy.to_owned(),
        };
        self.record("PutAuthPolicy", &input);
        self.lattice.put_auth_policy(input).await?;
        Ok(())
    }

    /// Ensures a target group exists and holds its targets; returns its id.
    pub async fn target_group(
        &mut self,
        desired: &DesiredTargetGroup,
    ) -> Result<String, LatticeError> {
        let existing = self.lattice.list_target_groups().await?;
        let group = match existing
            .into_iter()
            .find(|group| is_same_target_group(group, desired))
        {
            Some(group) => group,
            None => {
                self.record("CreateTargetGroup", &desired.input);
                self.lattice
                    .create_target_group(desired.input.clone())
                    .await?
            }
        };
        let registered = self.lattice.list_targets(&group.id).await?;
        let missing: Vec<_> = desired
            .targets
            .iter()
            .filter(|target| !registered.contains(target))
            .cloned()
            .collect();
        for batch in missing.chunks(MAX_TARGETS_PER_CALL) {
            let input = RegisterTargetsInput {
                target_group_identifier: group.id.clone(),
                targets: batch.to_vec(),
            };
            self.record("RegisterTargets", &input);
            self.lattice.register_targets(input).await?;
        }
        Ok(group.id)
    }

    /// Ensures a route's resources, in dependency order: its target groups,
    /// the service, its service network associations, listeners and rules.
    ///
    /// `existing` is the service found (and checked for ownership) before;
    /// with `take_over`, its `ManagedBy` tag is rewritten to this controller's;
    /// `networks` holds every associated network; `ids` resolves every key
    /// the route forwards to that it does not own. Returns the service id.
    pub async fn route(
        &mut self,
        desired: &DesiredRoute,
        existing: Option<Service>,
        take_over: bool,
        networks: &[ServiceNetwork],
        mut ids: TargetGroupIds,
    ) -> Result<String, LatticeError> {
        for group in &desired.target_groups {
            let id = self.target_group(group).await?;
            ids.insert(convert::key_string(&group.key), id);
        }
        let service = match existing {
            Some(service) if take_over => {
                let managed_by = desired
                    .service
                    .tags
                    .iter()
                    .find(|(key, _)| key.ends_with("/ManagedBy"));
                let input = TagResourceInput {
                    resource_arn: service.arn.clone(),
                    tags: managed_by
                        .map(|(key, value)| (key.clone(), value.clone()))
                        .into_iter()
                        .collect(),
                };
                self.record("TagResource", &input);
                self.lattice.tag_resource(input).await?;
                service
            }
            Some(service) => service,
            None => {
                self.record("CreateService", &desired.service);
                self.lattice.create_service(desired.service.clone()).await?
            }
        };
        if let Some(policy) = &desired.auth_policy {
            self.auth_policy(&service.id, policy).await?;
        }
        let associated = self
            .lattice
            .list_service_network_service_associations(&service.id)
            .await?;
        for association in &desired.associations {
            let network = networks
                .iter()
                .find(|network| {
                    network.name == association.service_network
                        || network.id == association.service_network
                })
                .expect("networks were resolved before apply");
            if associated
                .iter()
                .any(|existing| existing.service_network_id == network.id)
            {
                continue;
            }
            let input = CreateServiceNetworkServiceAssociationInput {
                service_identifier: service.id.clone(),
                service_network_identifier: network.id.clone(),
                tags: association.tags.clone(),
            };
            self.record("CreateServiceNetworkServiceAssociation", &input);
            self.lattice
                .create_service_network_service_association(input)
                .await?;
        }
        let listeners = self.lattice.list_listeners(&service.id).await?;
        for listener in &desired.listeners {
            let listener_id = match listeners
                .iter()
                .find(|existing| existing.port == listener.port)
            {
                Some(existing) => existing.id.clone(),
                None => {
                    let input = CreateListenerInput {
                        service_identifier: service.id.clone(),
                        name: listener.name.clone(),
                        port: listener.port,
                        protocol: listener.protocol.to_string(),
                        default_action: convert::rule_action(&listener.default_action, &ids),
                        tags: listener.tags.clone(),
                    };
                    self.record("CreateListener", &input);
                    self.lattice.create_listener(input).await?.id
                }
            };
            let rules = self.lattice.list_rules(&service.id, &listener_id).await?;
            for rule in &listener.rules {
                if rules.iter().any(|existing| existing.match_ == rule.match_) {
                    continue;
                }
                let input = CreateRuleInput {
                    service_identifier: service.id.clone(),
                    listener_identifier: listener_id.clone(),
                    name: rule.name.clone(),
                    priority: rule.priority,
                    match_: rule.match_.clone(),
                    action: convert::rule_action(&rule.action, &ids),
                    tags: rule.tags.clone(),
                };
                self.record("CreateRule", &input);
                self.lattice.create_rule(input).await?;
            }
        }
        Ok(service.id)
    }
}

/// The service network whose name or id is `name_or_id`, as upstream's
/// `FindServiceNetwork` looks it up.
pub async fn find_service_network(
    lattice: &dyn Lattice,
    name_or_id: &str,
) -> Result<Option<ServiceNetwork>, LatticeError> {
    let networks = lattice.list_service_networks().await?;
    Ok(networks
        .into_iter()
        .find(|network| network.name == name_or_id || network.id == name_or_id))
}

/// Whether `existing` is the target group `desired` describes: the same
/// immutable configuration and every controller tag of `desired` present with
/// the same value (upstream finds target groups by these tags, not by name).
fn is_same_target_group(existing: &TargetGroup, desired: &DesiredTargetGroup) -> bool {
    let wanted = &desired.input.config;
    let config = &existing.config;
    config.port == wanted.port
        && config.protocol == wanted.protocol
        && config.protocol_version == wanted.protocol_version
        && config.ip_address_type == wanted.ip_address_type
        && config.vpc_identifier == wanted.vpc_identifier
        && desired
            .input
            .tags
            .iter()
            .filter(|(key, _)| key.starts_with(CONTROLLER_TAG_PREFIX))
            .all(|(key, value)| existing.tags.get(key) == Some(value))
}
