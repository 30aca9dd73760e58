//! Applying desired resources to a [`Lattice`]: the diff of desired against
//! observed, applied in dependency order, every mutating call recorded.
//!
//! Contract:
//! - Existing resources are found by their identity (service networks and
//!   services by name, associations by their two ends, listeners by port,
//!   rules by match, target groups by controller tags and immutable config)
//!   and left alone when they already match: an unchanged object makes no
//!   mutating call.
//! - Creates and updates go in dependency order (service network
//!   association, target groups, targets, service, listeners, rules);
//!   deletes in reverse ([`prune`]).
//! - Tags are only ever added or overwritten, never removed: tags others
//!   added stay.
//! - Listeners and rules of others (tagged with another `ManagedBy`) are
//!   never modified or deleted; untagged ones never deleted, adopted only
//!   where they are exactly what the route asks for ([`ownership`]).
//! - Targets are (de)registered in batches of at most
//!   [`crate::lattice::MAX_TARGETS_PER_CALL`].

mod call;
mod cleanup;
mod deletion;
mod networks;
mod ownership;
mod prune;
mod renamed;
pub mod resolve;
mod route;
mod tags;
mod target_groups;

pub use call::{Call, CallInput};
pub use cleanup::{CleanedUp, clean_up_object};
pub use networks::{find_network, find_service_network, is_shared};
pub use ownership::route_conflict;
pub use prune::route_service;
pub use tags::{controller_tag, managed_by};

use serde::Serialize;

use crate::lattice::model::{
    CreateAccessLogSubscriptionInput, CreateServiceNetworkInput,
    CreateServiceNetworkVpcAssociationInput, PutAuthPolicyInput, ServiceNetwork, Tags,
    UpdateServiceNetworkInput, UpdateServiceNetworkVpcAssociationInput, destination_type,
};
use crate::lattice::{Lattice, LatticeError};
use crate::object::Kind;
use crate::reconcile::translate::desired::DesiredDefaultNetwork;

use self::deletion::Deletion;

/// Tags whose key starts with this prefix are the controller's own; they
/// identify target groups.
pub const CONTROLLER_TAG_PREFIX: &str = "application-networking.k8s.aws/";

/// The controller tag (after [`CONTROLLER_TAG_PREFIX`]) naming the
/// VpcAssociationPolicy (`namespace/name`) a VPC association was made or
/// kept for; the host writes it, so an association outlives no policy.
pub const VPC_ASSOCIATION_POLICY_TAG: &str = "VpcAssociationPolicy";

/// Applies desired resources for one cluster, recording the calls it makes.
pub struct Applier<'a> {
    lattice: &'a dyn Lattice,
    cluster: String,
    calls: Vec<Call>,
    /// Ids of the target groups found or created so far.
    ensured: Vec<String>,
}

impl<'a> Applier<'a> {
    /// An applier for `cluster`'s objects.
    pub fn new(lattice: &'a dyn Lattice, cluster: impl Into<String>) -> Self {
        Self {
            lattice,
            cluster: cluster.into(),
            calls: Vec::new(),
            ensured: Vec::new(),
        }
    }

    /// The calls made so far, in order.
    pub fn into_calls(self) -> Vec<Call> {
        self.calls
    }

    /// The ids of the target groups found or created so far.
    pub fn ensured_target_groups(&self) -> &[String] {
        &self.ensured
    }

    /// Records the delete call of `deletion`, then makes it; a resource
    /// already gone counts as deleted.
    async fn delete(&mut self, deletion: Deletion<'_>) -> Result<(), LatticeError> {
        self.record(deletion.operation(), &deletion.input());
        gone_is_done(deletion.make(self.lattice).await)
    }

    fn record(&mut self, operation: &'static str, input: &impl Serialize) {
        self.calls.push(Call {
            cluster: self.cluster.clone(),
            operation,
            input: CallInput::of(input),
        });
    }

    /// Ensures the default service network and the cluster VPC's association
    /// with it; a network another account shares (not `account_id`'s, found
    /// as [`find_network`] finds it) is used as it is, its associations
    /// untouched.
    pub async fn default_network(
        &mut self,
        desired: &DesiredDefaultNetwork,
        account_id: &str,
    ) -> Result<(), LatticeError> {
        let network = match find_network(self.lattice, &desired.name, &desired.vpc_id).await? {
            Some(network) => network,
            None => {
                self.service_network(&desired.name, &desired.network_tags)
                    .await?
            }
        };
        if is_shared(&network, account_id) {
            return Ok(());
        }
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

    /// Ensures `vpc_id` is associated with `network`: created with the
    /// security groups and tags when missing; an existing association of this
    /// controller (or an untagged one, adopted) gets the tags it lacks and,
    /// when `security_group_ids` names any, those security groups; another
    /// controller's association is left as it is.
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
        if let Some(existing) = associations
            .iter()
            .find(|association| association.vpc_id == vpc_id)
        {
            let owner = managed_by(&existing.tags);
            if owner.is_some() && owner != managed_by(tags) {
                return Ok(());
            }
            self.add_tags(&existing.arn, &existing.tags, tags).await?;
            let mut current = existing.security_group_ids.clone();
            let mut wanted = security_group_ids.to_vec();
            current.sort();
            wanted.sort();
            if !wanted.is_empty() && current != wanted {
                let input = UpdateServiceNetworkVpcAssociationInput {
                    service_network_vpc_association_identifier: existing.id.clone(),
                    security_group_ids: wanted,
                };
                self.record("UpdateServiceNetworkVpcAssociation", &input);
                self.lattice
                    .update_service_network_vpc_association(input)
                    .await?;
            }
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

    /// Deletes the association of `vpc_id` with `network` when this
    /// controller (`managed_by_value`) made it; another's is left alone.
    pub async fn remove_vpc_association(
        &mut self,
        network: &ServiceNetwork,
        vpc_id: &str,
        managed_by_value: &str,
    ) -> Result<(), LatticeError> {
        self.remove_vpc_associations(network, vpc_id, managed_by_value, |_| true)
            .await
    }

    /// Deletes the association of `vpc_id` with `network` when this
    /// controller (`managed_by_value`) made it for a VpcAssociationPolicy
    /// (it carries the [`VPC_ASSOCIATION_POLICY_TAG`]): the policy is gone.
    /// Another's, an untagged one, or one made for the default service
    /// network setting is left alone.
    pub async fn remove_policy_vpc_association(
        &mut self,
        network: &ServiceNetwork,
        vpc_id: &str,
        managed_by_value: &str,
    ) -> Result<(), LatticeError> {
        self.remove_vpc_associations(network, vpc_id, managed_by_value, |tags| {
            controller_tag(tags, VPC_ASSOCIATION_POLICY_TAG).is_some()
        })
        .await
    }

    /// Deletes the associations of `vpc_id` with `network` this controller
    /// made whose tags `also` accepts.
    async fn remove_vpc_associations(
        &mut self,
        network: &ServiceNetwork,
        vpc_id: &str,
        managed_by_value: &str,
        also: impl Fn(&Tags) -> bool,
    ) -> Result<(), LatticeError> {
        let associations = self
            .lattice
            .list_service_network_vpc_associations(&network.id)
            .await?;
        for owned in associations.iter().filter(|association| {
            association.vpc_id == vpc_id
                && managed_by(&association.tags) == Some(managed_by_value)
                && also(&association.tags)
        }) {
            self.delete(Deletion::ServiceNetworkVpcAssociation(&owned.id))
                .await?;
        }
        Ok(())
    }

    /// Ensures `resource_id` (a service or service network) has an access log
    /// subscription to `destination_arn`, created with `tags` when missing;
    /// this controller's subscription of the same policy to another
    /// destination of the same type is deleted first. The subscription's
    /// ARN.
    pub async fn access_log_subscription(
        &mut self,
        resource_id: &str,
        destination_arn: &str,
        tags: &Tags,
    ) -> Result<String, LatticeError> {
        let existing = self
            .lattice
            .list_access_log_subscriptions(resource_id)
            .await?;
        if let Some(subscription) = existing
            .iter()
            .find(|subscription| subscription.destination_arn == destination_arn)
        {
            return Ok(subscription.arn.clone());
        }
        // The same policy's subscription to another destination of the same
        // type: replaced (Lattice allows one per destination type).
        let replaced = existing.iter().find(|subscription| {
            destination_type(&subscription.destination_arn) == destination_type(destination_arn)
                && managed_by(&subscription.tags).is_some()
                && managed_by(&subscription.tags) == managed_by(tags)
                && controller_tag(&subscription.tags, Kind::AccessLogPolicy.as_str())
                    == controller_tag(tags, Kind::AccessLogPolicy.as_str())
        });
        if let Some(replaced) = replaced {
            self.delete(Deletion::AccessLogSubscription(&replaced.id))
                .await?;
        }
        let input = CreateAccessLogSubscriptionInput {
            resource_identifier: resource_id.to_owned(),
            destination_arn: destination_arn.to_owned(),
            tags: tags.clone(),
        };
        self.record("CreateAccessLogSubscription", &input);
        let created = self.lattice.create_access_log_subscription(input).await?;
        Ok(created.arn)
    }

    /// Deletes the access log subscriptions of `resource_id` that this
    /// controller (`managed_by_value`) made for an AccessLogPolicy
    /// (`namespace/name` in its `AccessLogPolicy` tag) not in `attached`.
    /// Subscriptions without that tag, or of others, are left alone.
    pub async fn unsubscribe_detached(
        &mut self,
        resource_id: &str,
        managed_by_value: &str,
        attached: &[String],
    ) -> Result<(), LatticeError> {
        let subscriptions = self
            .lattice
            .list_access_log_subscriptions(resource_id)
            .await?;
        for stale in subscriptions.iter().filter(|subscription| {
            managed_by(&subscription.tags) == Some(managed_by_value)
                && controller_tag(&subscription.tags, Kind::AccessLogPolicy.as_str())
                    .is_some_and(|policy| !attached.iter().any(|a| a == policy))
        }) {
            self.delete(Deletion::AccessLogSubscription(&stale.id))
                .await?;
        }
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

    /// Turns `network`'s IAM auth off (auth type `NONE`, policy deleted) when
    /// this controller (`managed_by`) owns it; a network of others, or one
    /// already without auth, is left as it is.
    pub async fn network_auth_off(
        &mut self,
        network: &ServiceNetwork,
        managed_by_value: &str,
    ) -> Result<(), LatticeError> {
        if network.auth_type != "AWS_IAM" || managed_by(&network.tags) != Some(managed_by_value) {
            return Ok(());
        }
        let input = UpdateServiceNetworkInput {
            service_network_identifier: network.id.clone(),
            auth_type: "NONE".into(),
        };
        self.record("UpdateServiceNetwork", &input);
        self.lattice.update_service_network(input).await?;
        if self.lattice.get_auth_policy(&network.id).await?.is_some() {
            self.delete(Deletion::AuthPolicy(&network.id)).await?;
        }
        Ok(())
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
}

/// A delete whose resource is already gone has done its job (a retried
/// delete whose first answer was lost finds nothing).
fn gone_is_done(result: Result<(), LatticeError>) -> Result<(), LatticeError> {
    match result {
        Err(LatticeError::NotFound { .. }) => Ok(()),
        other => other,
    }
}
