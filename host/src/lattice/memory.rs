//! An in-memory Lattice account: what `plan` applies to.
//!
//! It keeps Lattice's uniqueness rules (names per account, listener ports per
//! service, rule priorities per listener), rejects unknown parent identifiers,
//! and assigns identifiers deterministically (`svc-00000000000000001`, ...) so
//! that the same plan always prints the same ids.

mod changes;
mod index;
mod lookup;

use std::sync::{Arc, Mutex};

use async_trait::async_trait;

use super::api::Lattice;
use super::error::LatticeError;
use super::index::name_key;
use super::model::{
    AccessLogSubscription, AuthPolicy, CreateAccessLogSubscriptionInput, CreateListenerInput,
    CreateRuleInput, CreateServiceInput, CreateServiceNetworkInput,
    CreateServiceNetworkServiceAssociationInput, CreateServiceNetworkVpcAssociationInput,
    CreateTargetGroupInput, DnsEntry, Listener, PutAuthPolicyInput, RegisterTargetsInput, Rule,
    Service, ServiceNetwork, ServiceNetworkServiceAssociation, ServiceNetworkVpcAssociation,
    TagResourceInput, Target, TargetGroup, TargetStatus, UpdateServiceNetworkInput,
    destination_type,
};
use super::model::{
    DeregisterTargetsInput, UpdateListenerInput, UpdateRuleInput, UpdateServiceInput,
    UpdateServiceNetworkVpcAssociationInput, UpdateTargetGroupInput,
};
use super::state::{LatticeState, TargetGroupTargets};
use index::Index;
use lookup::{named, not_found, require_service_or_network, resources_mut};

/// Most targets one `RegisterTargets` call may carry.
pub const MAX_TARGETS_PER_CALL: usize = 100;

/// An in-memory Lattice account in one region.
#[derive(Debug)]
pub struct InMemoryLattice {
    account_id: String,
    region: String,
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    /// Shared with the snapshots handed out; a write copies it only while
    /// one is still held (copy on write).
    state: Arc<LatticeState>,
    next_id: u64,
    /// Lookups over `state`'s growing lists.
    index: Index,
}

impl Inner {
    /// The state, for a write that may change what the index keys on: the
    /// index is forgotten. Copied first if a snapshot still shares it.
    fn state_mut(&mut self) -> &mut LatticeState {
        self.index.clear();
        Arc::make_mut(&mut self.state)
    }

    /// The state, for a write that only appends to lists or changes fields
    /// no index key reads (targets of an existing entry, auth policies): the
    /// index stays valid. Copied first if a snapshot still shares it.
    fn state_to_append(&mut self) -> &mut LatticeState {
        Arc::make_mut(&mut self.state)
    }

    fn id(&mut self, prefix: &str) -> String {
        self.next_id += 1;
        format!("{prefix}-{:017x}", self.next_id)
    }

    /// Stores the resource `build` makes of a new id with `prefix` in the
    /// list `list` picks, and returns it.
    fn create<T: Clone>(
        &mut self,
        prefix: &str,
        list: fn(&mut LatticeState) -> &mut Vec<T>,
        build: impl FnOnce(String) -> T,
    ) -> T {
        let created = build(self.id(prefix));
        list(self.state_to_append()).push(created.clone());
        created
    }
}

/// `Validation` unless a Register/DeregisterTargets call carries 1 to
/// [`MAX_TARGETS_PER_CALL`] targets.
fn check_batch(count: usize) -> Result<(), LatticeError> {
    if count == 0 || count > MAX_TARGETS_PER_CALL {
        return Err(LatticeError::Validation {
            field: "targets".into(),
            message: format!("must hold 1 to {MAX_TARGETS_PER_CALL} targets, got {count}"),
        });
    }
    Ok(())
}

fn conflict(message: String) -> LatticeError {
    LatticeError::Conflict { message }
}

/// `Conflict` when one of `names` is `name`: Lattice keeps the names of
/// service networks, services and target groups unique per account.
fn require_new_name<'a>(
    mut names: impl Iterator<Item = &'a str>,
    kind: &str,
    name: &str,
) -> Result<(), LatticeError> {
    if names.any(|taken| taken == name) {
        return Err(conflict(format!("{kind} {name} already exists")));
    }
    Ok(())
}

/// The highest hexadecimal suffix of any id of `state` (0 when none has one).
fn highest_id(state: &mut LatticeState) -> u64 {
    resources_mut(state)
        .filter_map(|resource| resource.id().rsplit('-').next())
        .filter_map(|suffix| u64::from_str_radix(suffix, 16).ok())
        .max()
        .unwrap_or(0)
}

impl InMemoryLattice {
    /// An empty account.
    pub fn new(account_id: impl Into<String>, region: impl Into<String>) -> Self {
        Self {
            account_id: account_id.into(),
            region: region.into(),
            inner: Mutex::default(),
        }
    }

    /// An account that starts with `state` (for example one read from a real
    /// endpoint); the identifiers it assigns come after the highest one of
    /// `state` in its own `prefix-hex` format.
    pub fn with_state(
        account_id: impl Into<String>,
        region: impl Into<String>,
        mut state: LatticeState,
    ) -> Self {
        let next_id = highest_id(&mut state);
        Self {
            account_id: account_id.into(),
            region: region.into(),
            inner: Mutex::new(Inner {
                state: Arc::new(state),
                next_id,
                index: Index::default(),
            }),
        }
    }

    /// A copy of the whole state.
    pub fn state(&self) -> LatticeState {
        LatticeState::clone(&self.lock().state)
    }

    /// The whole state, taken without a copy when no
    /// [`snapshot`](Self::snapshot) of it is still held.
    pub fn into_state(self) -> LatticeState {
        let inner = self
            .inner
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        Arc::unwrap_or_clone(inner.state)
    }

    /// The whole state, shared: no copy is made, and a later write copies
    /// the state only while this snapshot is still held.
    pub fn snapshot(&self) -> Arc<LatticeState> {
        self.lock().state.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves the state as consistent as the
        // last completed operation; keep serving it.
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Copies of the resources of the list `list` picks that `keep` keeps.
    fn listed<T: Clone>(
        &self,
        list: fn(&LatticeState) -> &Vec<T>,
        keep: impl Fn(&T) -> bool,
    ) -> Vec<T> {
        let inner = self.lock();
        list(&inner.state)
            .iter()
            .filter(|resource| keep(resource))
            .cloned()
            .collect()
    }

    /// The VPC associations `keep` keeps, each with its network's ARN.
    fn vpc_associations(
        &self,
        keep: impl Fn(&ServiceNetworkVpcAssociation) -> bool,
    ) -> Vec<ServiceNetworkVpcAssociation> {
        let inner = self.lock();
        let state = &inner.state;
        state
            .service_network_vpc_associations
            .iter()
            .filter(|association| keep(association))
            .map(|association| {
                let network = state
                    .service_networks
                    .iter()
                    .find(|network| network.id == association.service_network_id);
                ServiceNetworkVpcAssociation {
                    service_network_arn: network.map(|n| n.arn.clone()).unwrap_or_default(),
                    ..association.clone()
                }
            })
            .collect()
    }

    /// Adds a service network that account `owner_account_id` owns and
    /// shares with this one (through RAM): its ARN names that account, and
    /// it has no tags this account could read. For tests and the emulator.
    pub fn share_service_network(&self, owner_account_id: &str, name: &str) -> ServiceNetwork {
        let mut inner = self.lock();
        inner.create(
            "sn",
            |state| &mut state.service_networks,
            |id| ServiceNetwork {
                arn: format!(
                    "arn:aws:vpc-lattice:{}:{owner_account_id}:servicenetwork/{id}",
                    self.region
                ),
                id,
                name: name.to_owned(),
                auth_type: "NONE".into(),
                tags: Default::default(),
            },
        )
    }

    /// Sets the status of VPC association `id` (`CREATE_IN_PROGRESS`,
    /// `CREATE_FAILED`, …), as Lattice does while it works on one. For tests
    /// and the emulator; `NotFound` when there is no such association.
    pub fn set_vpc_association_status(&self, id: &str, status: &str) -> Result<(), LatticeError> {
        let mut inner = self.lock();
        let association = inner
            .state_mut()
            .service_network_vpc_associations
            .iter_mut()
            .find(|association| association.id == id)
            .ok_or_else(|| not_found("SERVICE_NETWORK_VPC_ASSOCIATION", id))?;
        association.status = status.to_owned();
        Ok(())
    }

    fn arn(&self, path: &str) -> String {
        format!(
            "arn:aws:vpc-lattice:{}:{}:{path}",
            self.region, self.account_id
        )
    }
}

#[async_trait]
impl Lattice for InMemoryLattice {
    async fn list_service_networks(&self) -> Result<Vec<ServiceNetwork>, LatticeError> {
        Ok(self.lock().state.service_networks.clone())
    }

    async fn create_service_network(
        &self,
        input: CreateServiceNetworkInput,
    ) -> Result<ServiceNetwork, LatticeError> {
        let mut inner = self.lock();
        let names = inner.state.service_networks.iter().map(|n| n.name.as_str());
        require_new_name(names, "service network", &input.name)?;
        Ok(inner.create(
            "sn",
            |state| &mut state.service_networks,
            |id| {
                let arn = self.arn(&format!("servicenetwork/{id}"));
                input.created(id, arn)
            },
        ))
    }

    async fn list_service_network_vpc_associations(
        &self,
        service_network_id: &str,
    ) -> Result<Vec<ServiceNetworkVpcAssociation>, LatticeError> {
        Ok(self
            .vpc_associations(|association| association.service_network_id == service_network_id))
    }

    async fn list_vpc_service_network_associations(
        &self,
        vpc_id: &str,
    ) -> Result<Vec<ServiceNetworkVpcAssociation>, LatticeError> {
        Ok(self.vpc_associations(|association| association.vpc_id == vpc_id))
    }

    async fn create_service_network_vpc_association(
        &self,
        input: CreateServiceNetworkVpcAssociationInput,
    ) -> Result<ServiceNetworkVpcAssociation, LatticeError> {
        let mut inner = self.lock();
        let state = &inner.state;
        let network_identifier = &input.service_network_identifier;
        let networks = &state.service_networks;
        let network = named(networks, "SERVICE_NETWORK", network_identifier)?.clone();
        if state
            .service_network_vpc_associations
            .iter()
            .any(|a| a.service_network_id == network.id && a.vpc_id == input.vpc_identifier)
        {
            return Err(conflict(format!(
                "{} is already associated with {}",
                input.vpc_identifier, network.name
            )));
        }
        Ok(inner.create(
            "snva",
            |state| &mut state.service_network_vpc_associations,
            |id| ServiceNetworkVpcAssociation {
                arn: self.arn(&format!("servicenetworkvpcassociation/{id}")),
                id,
                service_network_id: network.id,
                service_network_name: network.name,
                service_network_arn: network.arn,
                vpc_id: input.vpc_identifier,
                security_group_ids: input.security_group_ids,
                status: "ACTIVE".into(),
                tags: input.tags,
            },
        ))
    }

    async fn list_services(&self) -> Result<Vec<Service>, LatticeError> {
        Ok(self.lock().state.services.clone())
    }

    async fn find_service(&self, name: &str) -> Result<Option<Service>, LatticeError> {
        let mut inner = self.lock();
        let key = name_key(name);
        let state = Arc::clone(&inner.state);
        Ok(inner.index.services.first(&state.services, &key).cloned())
    }

    async fn services_tagged(&self, tags: &[(&str, &str)]) -> Result<Vec<Service>, LatticeError> {
        Ok(self.lock().services_tagged(tags))
    }

    async fn create_service(&self, input: CreateServiceInput) -> Result<Service, LatticeError> {
        let mut inner = self.lock();
        if inner.has_service_named(&input.name) {
            return Err(conflict(format!("service {} already exists", input.name)));
        }
        Ok(inner.create(
            "svc",
            |state| &mut state.services,
            |id| {
                let arn = self.arn(&format!("service/{id}"));
                let dns_entry = DnsEntry {
                    domain_name: format!(
                        "{}-{}.7d67968.vpc-lattice-svcs.{}.on.aws",
                        input.name,
                        &id[4..],
                        self.region
                    ),
                    hosted_zone_id: "Z03479293VHX3ZS7ROR6P".into(),
                };
                input.created(id, arn, dns_entry, "ACTIVE".into())
            },
        ))
    }

    async fn list_service_network_service_associations(
        &self,
        service_id: &str,
    ) -> Result<Vec<ServiceNetworkServiceAssociation>, LatticeError> {
        Ok(self.listed(
            |state| &state.service_network_service_associations,
            |association| association.service_id == service_id,
        ))
    }

    async fn create_service_network_service_association(
        &self,
        input: CreateServiceNetworkServiceAssociationInput,
    ) -> Result<ServiceNetworkServiceAssociation, LatticeError> {
        let mut inner = self.lock();
        let service = inner
            .service(&input.service_identifier)
            .ok_or_else(|| not_found("SERVICE", &input.service_identifier))?
            .clone();
        let state = &inner.state;
        let network_identifier = &input.service_network_identifier;
        let networks = &state.service_networks;
        let network = named(networks, "SERVICE_NETWORK", network_identifier)?.clone();
        if state
            .service_network_service_associations
            .iter()
            .any(|a| a.service_id == service.id && a.service_network_id == network.id)
        {
            return Err(conflict(format!(
                "{} is already associated with {}",
                service.name, network.name
            )));
        }
        Ok(inner.create(
            "snsa",
            |state| &mut state.service_network_service_associations,
            |id| ServiceNetworkServiceAssociation {
                arn: self.arn(&format!("servicenetworkserviceassociation/{id}")),
                id,
                service_id: service.id,
                service_name: service.name,
                service_network_id: network.id,
                service_network_name: network.name,
                status: "ACTIVE".into(),
                tags: input.tags,
            },
        ))
    }

    async fn list_listeners(&self, service_id: &str) -> Result<Vec<Listener>, LatticeError> {
        let mut inner = self.lock();
        Ok(inner
            .listeners_of(service_id)
            .into_iter()
            .cloned()
            .collect())
    }

    async fn create_listener(&self, input: CreateListenerInput) -> Result<Listener, LatticeError> {
        let mut inner = self.lock();
        let service = inner
            .service(&input.service_identifier)
            .ok_or_else(|| not_found("SERVICE", &input.service_identifier))?
            .clone();
        if let Some(sibling) = inner
            .listeners_of(&service.id)
            .into_iter()
            .find(|listener| listener.port == input.port || listener.name == input.name)
        {
            return Err(conflict(format!(
                "service {} already has listener {} on port {}",
                service.name, sibling.name, sibling.port
            )));
        }
        Ok(inner.create(
            "listener",
            |state| &mut state.listeners,
            |id| {
                let arn = format!("{}/listener/{id}", service.arn);
                input.created(id, arn, service.id)
            },
        ))
    }

    async fn list_rules(
        &self,
        service_id: &str,
        listener_id: &str,
    ) -> Result<Vec<Rule>, LatticeError> {
        let mut inner = self.lock();
        Ok(inner
            .rules_of(listener_id)
            .into_iter()
            .filter(|rule| rule.service_id == service_id)
            .cloned()
            .collect())
    }

    async fn create_rule(&self, input: CreateRuleInput) -> Result<Rule, LatticeError> {
        let mut inner = self.lock();
        let listener = inner
            .listener(&input.listener_identifier)
            .ok_or_else(|| not_found("LISTENER", &input.listener_identifier))?
            .clone();
        if let Some(sibling) = inner
            .rules_of(&listener.id)
            .into_iter()
            .find(|rule| rule.priority == input.priority || rule.name == input.name)
        {
            return Err(conflict(format!(
                "listener {} already has rule {} with priority {}",
                listener.name, sibling.name, sibling.priority
            )));
        }
        Ok(inner.create(
            "rule",
            |state| &mut state.rules,
            |id| {
                let arn = format!("{}/rule/{id}", listener.arn);
                input.created(id, arn, listener.service_id, listener.id)
            },
        ))
    }

    async fn list_target_groups(&self) -> Result<Vec<TargetGroup>, LatticeError> {
        let mut inner = self.lock();
        let state = Arc::clone(&inner.state);
        Ok(state
            .target_groups
            .iter()
            .map(|group| inner.with_users(group))
            .collect())
    }

    async fn find_target_group(
        &self,
        identifier: &str,
    ) -> Result<Option<TargetGroup>, LatticeError> {
        let mut inner = self.lock();
        let found = inner.target_group(identifier).cloned();
        Ok(found.map(|group| inner.with_users(&group)))
    }

    async fn target_groups_tagged(
        &self,
        tags: &[(&str, &str)],
    ) -> Result<Vec<TargetGroup>, LatticeError> {
        Ok(self.lock().target_groups_tagged(tags))
    }

    async fn create_target_group(
        &self,
        input: CreateTargetGroupInput,
    ) -> Result<TargetGroup, LatticeError> {
        let mut inner = self.lock();
        if inner.has_target_group_named(&input.name) {
            return Err(conflict(format!(
                "target group {} already exists",
                input.name
            )));
        }
        Ok(inner.create(
            "tg",
            |state| &mut state.target_groups,
            |id| {
                let arn = self.arn(&format!("targetgroup/{id}"));
                input.created(id, arn, "ACTIVE".into())
            },
        ))
    }

    async fn get_auth_policy(
        &self,
        resource_identifier: &str,
    ) -> Result<Option<AuthPolicy>, LatticeError> {
        let inner = self.lock();
        Ok(inner
            .state
            .auth_policies
            .iter()
            .find(|policy| policy.resource_identifier == resource_identifier)
            .cloned())
    }

    async fn put_auth_policy(&self, input: PutAuthPolicyInput) -> Result<AuthPolicy, LatticeError> {
        let mut inner = self.lock();
        require_service_or_network(&inner.state, &input.resource_identifier)?;
        let policy = AuthPolicy {
            resource_identifier: input.resource_identifier,
            policy: input.policy,
            state: "Active".into(),
        };
        let policies = &mut inner.state_to_append().auth_policies;
        match policies
            .iter_mut()
            .find(|existing| existing.resource_identifier == policy.resource_identifier)
        {
            Some(existing) => *existing = policy.clone(),
            None => policies.push(policy.clone()),
        }
        Ok(policy)
    }

    async fn update_service_network(
        &self,
        input: UpdateServiceNetworkInput,
    ) -> Result<(), LatticeError> {
        let mut inner = self.lock();
        let networks = &mut inner.state_mut().service_networks;
        let network = named(
            networks,
            "SERVICE_NETWORK",
            &input.service_network_identifier,
        )?;
        network.auth_type = input.auth_type;
        Ok(())
    }

    async fn delete_service_network(&self, service_network_id: &str) -> Result<(), LatticeError> {
        self.lock().delete_service_network(service_network_id)
    }

    async fn tag_resource(&self, input: TagResourceInput) -> Result<(), LatticeError> {
        let mut inner = self.lock();
        let arn = input.resource_arn.as_str();
        let resource = resources_mut(inner.state_mut())
            .find(|resource| resource.arn() == arn)
            .ok_or_else(|| not_found("RESOURCE", arn))?;
        resource.tags_mut().extend(input.tags);
        Ok(())
    }

    async fn list_access_log_subscriptions(
        &self,
        resource_identifier: &str,
    ) -> Result<Vec<AccessLogSubscription>, LatticeError> {
        Ok(self.listed(
            |state| &state.access_log_subscriptions,
            |subscription| subscription.resource_id == resource_identifier,
        ))
    }

    async fn create_access_log_subscription(
        &self,
        input: CreateAccessLogSubscriptionInput,
    ) -> Result<AccessLogSubscription, LatticeError> {
        let mut inner = self.lock();
        require_service_or_network(&inner.state, &input.resource_identifier)?;
        let kind = destination_type(&input.destination_arn);
        if inner.state.access_log_subscriptions.iter().any(|existing| {
            existing.resource_id == input.resource_identifier
                && destination_type(&existing.destination_arn) == kind
        }) {
            return Err(conflict(format!(
                "{} already has an access log subscription to a {kind} destination",
                input.resource_identifier
            )));
        }
        Ok(inner.create(
            "als",
            |state| &mut state.access_log_subscriptions,
            |id| {
                let arn = self.arn(&format!("accesslogsubscription/{id}"));
                let resource_id = input.resource_identifier.clone();
                input.created(id, arn, resource_id)
            },
        ))
    }

    async fn list_targets(&self, target_group_id: &str) -> Result<Vec<Target>, LatticeError> {
        let mut inner = self.lock();
        if inner.target_group(target_group_id).is_none() {
            return Err(not_found("TARGET_GROUP", target_group_id));
        }
        let position = inner.targets_position(target_group_id);
        Ok(position
            .map(|position| inner.state.targets[position].targets.clone())
            .unwrap_or_default())
    }

    /// Every target is `HEALTHY` while a service forwards to its group and
    /// `UNUSED` otherwise (no health checks run in memory).
    async fn list_target_statuses(
        &self,
        target_group_id: &str,
    ) -> Result<Vec<TargetStatus>, LatticeError> {
        let used = self
            .find_target_group(target_group_id)
            .await?
            .is_some_and(|group| !group.service_arns.is_empty());
        let status = if used { "HEALTHY" } else { "UNUSED" };
        Ok(self
            .list_targets(target_group_id)
            .await?
            .into_iter()
            .map(|target| TargetStatus {
                target,
                status: status.to_owned(),
            })
            .collect())
    }

    async fn register_targets(&self, input: RegisterTargetsInput) -> Result<(), LatticeError> {
        check_batch(input.targets.len())?;
        let mut inner = self.lock();
        let group = inner
            .target_group(&input.target_group_identifier)
            .ok_or_else(|| not_found("TARGET_GROUP", &input.target_group_identifier))?
            .id
            .clone();
        let position = inner.targets_position(&group);
        // Targets of an entry are no index key, and a new entry is appended:
        // the index stays valid.
        let targets = &mut inner.state_to_append().targets;
        let entry = match position {
            Some(index) => &mut targets[index],
            None => {
                targets.push(TargetGroupTargets {
                    target_group_id: group,
                    targets: Vec::new(),
                });
                targets.last_mut().expect("just pushed")
            }
        };
        entry.targets.extend(input.targets);
        entry.targets.sort();
        entry.targets.dedup();
        Ok(())
    }

    async fn update_service_network_vpc_association(
        &self,
        input: UpdateServiceNetworkVpcAssociationInput,
    ) -> Result<(), LatticeError> {
        self.lock().update_vpc_association(input)
    }

    async fn delete_service_network_vpc_association(
        &self,
        association_id: &str,
    ) -> Result<(), LatticeError> {
        self.lock().delete_vpc_association(association_id)
    }

    async fn update_service(&self, input: UpdateServiceInput) -> Result<(), LatticeError> {
        self.lock().update_service(input)
    }

    async fn delete_service(&self, service_id: &str) -> Result<(), LatticeError> {
        self.lock().delete_service(service_id)
    }

    async fn delete_service_network_service_association(
        &self,
        association_id: &str,
    ) -> Result<(), LatticeError> {
        self.lock().delete_service_association(association_id)
    }

    async fn update_listener(&self, input: UpdateListenerInput) -> Result<(), LatticeError> {
        self.lock().update_listener(input)
    }

    async fn delete_listener(
        &self,
        service_id: &str,
        listener_id: &str,
    ) -> Result<(), LatticeError> {
        self.lock().delete_listener(service_id, listener_id)
    }

    async fn update_rule(&self, input: UpdateRuleInput) -> Result<(), LatticeError> {
        self.lock().update_rule(input)
    }

    async fn delete_rule(
        &self,
        service_id: &str,
        listener_id: &str,
        rule_id: &str,
    ) -> Result<(), LatticeError> {
        self.lock().delete_rule(service_id, listener_id, rule_id)
    }

    async fn update_target_group(&self, input: UpdateTargetGroupInput) -> Result<(), LatticeError> {
        self.lock().update_target_group(input)
    }

    async fn target_group_users(&self, target_group_id: &str) -> Result<Vec<String>, LatticeError> {
        let mut inner = self.lock();
        let group = inner
            .target_group(target_group_id)
            .ok_or_else(|| not_found("TARGET_GROUP", target_group_id))?
            .clone();
        Ok(inner.users(&group))
    }

    async fn delete_target_group(&self, target_group_id: &str) -> Result<(), LatticeError> {
        self.lock().delete_target_group(target_group_id)
    }

    async fn deregister_targets(&self, input: DeregisterTargetsInput) -> Result<(), LatticeError> {
        self.lock().deregister_targets(input)
    }

    async fn delete_auth_policy(&self, resource_identifier: &str) -> Result<(), LatticeError> {
        self.lock().delete_auth_policy(resource_identifier)
    }

    async fn delete_access_log_subscription(
        &self,
        subscription_id: &str,
    ) -> Result<(), LatticeError> {
        self.lock().delete_access_log_subscription(subscription_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lattice::model::{FixedResponseAction, RuleAction, Tags, TargetGroupConfig};
    use crate::lattice::testing::{block_on, network};

    fn lattice() -> InMemoryLattice {
        InMemoryLattice::new("123456789012", "us-west-2")
    }

    fn service(name: &str) -> CreateServiceInput {
        CreateServiceInput {
            name: name.into(),
            custom_domain_name: None,
            certificate_arn: None,
            auth_type: "NONE".into(),
            tags: Tags::new(),
        }
    }

    fn listener(service_id: &str, port: u16, name: &str) -> CreateListenerInput {
        CreateListenerInput {
            service_identifier: service_id.into(),
            name: name.into(),
            port,
            protocol: "HTTP".into(),
            default_action: RuleAction::FixedResponse(FixedResponseAction { status_code: 404 }),
            tags: Tags::new(),
        }
    }

    #[test]
    fn ids_and_arns_are_deterministic() {
        let lattice = lattice();
        let created = block_on(lattice.create_service(service("rates-default"))).unwrap();
        assert_eq!(created.id, "svc-00000000000000001");
        assert_eq!(
            created.arn,
            "arn:aws:vpc-lattice:us-west-2:123456789012:service/svc-00000000000000001"
        );
    }

    #[test]
    fn duplicate_names_and_ports_conflict() {
        let lattice = lattice();
        let created = block_on(lattice.create_service(service("rates-default"))).unwrap();
        let duplicate = block_on(lattice.create_service(service("rates-default")));
        assert!(matches!(duplicate, Err(LatticeError::Conflict { .. })));
        block_on(lattice.create_listener(listener(&created.id, 80, "a"))).unwrap();
        let same_port = block_on(lattice.create_listener(listener(&created.id, 80, "b")));
        assert!(matches!(same_port, Err(LatticeError::Conflict { .. })));
    }

    #[test]
    fn tag_resource_adds_and_overwrites_and_keeps_the_rest() {
        let lattice = lattice();
        let mut input = service("rates-default");
        input.tags = Tags::from([("team".into(), "a".into()), ("keep".into(), "me".into())]);
        let created = block_on(lattice.create_service(input)).unwrap();
        let tags = Tags::from([("team".into(), "b".into()), ("new".into(), "x".into())]);
        block_on(lattice.tag_resource(TagResourceInput {
            resource_arn: created.arn.clone(),
            tags,
        }))
        .unwrap();
        let expected = Tags::from([
            ("keep".into(), "me".into()),
            ("new".into(), "x".into()),
            ("team".into(), "b".into()),
        ]);
        assert_eq!(lattice.state().services[0].tags, expected);
        let unknown = TagResourceInput {
            resource_arn: "arn:aws:vpc-lattice:us-west-2:123456789012:service/svc-x".into(),
            tags: Tags::new(),
        };
        assert!(matches!(
            block_on(lattice.tag_resource(unknown)),
            Err(LatticeError::NotFound { .. })
        ));
    }

    #[test]
    fn one_access_log_subscription_per_destination_type() {
        let lattice = lattice();
        let created = block_on(lattice.create_service(service("rates-default"))).unwrap();
        let subscribe = |destination: &str| CreateAccessLogSubscriptionInput {
            resource_identifier: created.id.clone(),
            destination_arn: destination.into(),
            tags: Tags::new(),
        };
        block_on(lattice.create_access_log_subscription(subscribe("arn:aws:s3:::a"))).unwrap();
        let second_bucket =
            block_on(lattice.create_access_log_subscription(subscribe("arn:aws:s3:::b")));
        assert!(matches!(second_bucket, Err(LatticeError::Conflict { .. })));
        block_on(lattice.create_access_log_subscription(subscribe(
            "arn:aws:firehose:us-west-2:123456789012:deliverystream/x",
        )))
        .unwrap();
        assert_eq!(
            block_on(lattice.list_access_log_subscriptions(&created.id))
                .unwrap()
                .len(),
            2
        );
    }

    #[test]
    fn unknown_parents_are_not_found() {
        let lattice = lattice();
        let orphan = block_on(lattice.create_listener(listener("svc-missing", 80, "a")));
        assert_eq!(
            orphan,
            Err(LatticeError::NotFound {
                resource_type: "SERVICE",
                identifier: "svc-missing".into()
            })
        );
    }

    #[test]
    fn delete_service_network_removes_its_policy_and_subscriptions() {
        let lattice = lattice();
        let kept = block_on(lattice.create_service_network(network("kept"))).unwrap();
        let created = block_on(lattice.create_service_network(network("mesh"))).unwrap();
        block_on(lattice.put_auth_policy(PutAuthPolicyInput {
            resource_identifier: created.id.clone(),
            policy: "{}".into(),
        }))
        .unwrap();
        block_on(
            lattice.create_access_log_subscription(CreateAccessLogSubscriptionInput {
                resource_identifier: created.id.clone(),
                destination_arn: "arn:aws:s3:::logs".into(),
                tags: Tags::new(),
            }),
        )
        .unwrap();
        block_on(lattice.delete_service_network(&created.arn)).unwrap();
        let state = lattice.state();
        assert_eq!(state.service_networks, [kept]);
        assert!(state.auth_policies.is_empty());
        assert!(state.access_log_subscriptions.is_empty());
    }

    #[test]
    fn associated_service_network_cannot_be_deleted() {
        let lattice = lattice();
        let created = block_on(lattice.create_service_network(network("mesh"))).unwrap();
        let conflicts = || {
            matches!(
                block_on(lattice.delete_service_network(&created.id)),
                Err(LatticeError::Conflict { .. })
            )
        };
        let service = block_on(lattice.create_service(service("rates-default"))).unwrap();
        let association = block_on(lattice.create_service_network_service_association(
            CreateServiceNetworkServiceAssociationInput {
                service_identifier: service.id,
                service_network_identifier: created.id.clone(),
                tags: Tags::new(),
            },
        ))
        .unwrap();
        assert!(conflicts(), "associated with a service");
        block_on(lattice.delete_service_network_service_association(&association.id)).unwrap();
        let vpc = block_on(lattice.create_service_network_vpc_association(
            CreateServiceNetworkVpcAssociationInput {
                service_network_identifier: created.arn.clone(),
                vpc_identifier: "vpc-1".into(),
                security_group_ids: Vec::new(),
                tags: Tags::new(),
            },
        ))
        .unwrap();
        assert!(conflicts(), "associated with a VPC");
        block_on(lattice.delete_service_network_vpc_association(&vpc.id)).unwrap();
        block_on(lattice.delete_service_network(&created.id)).unwrap();
        assert!(lattice.state().service_networks.is_empty());
    }

    #[test]
    fn deleting_a_missing_service_network_is_not_found() {
        let lattice = lattice();
        let created = block_on(lattice.create_service_network(network("mesh"))).unwrap();
        block_on(lattice.delete_service_network(&created.id)).unwrap();
        assert_eq!(
            block_on(lattice.delete_service_network(&created.id)),
            Err(LatticeError::NotFound {
                resource_type: "SERVICE_NETWORK",
                identifier: created.id,
            })
        );
    }

    #[test]
    fn register_targets_takes_at_most_one_hundred() {
        let lattice = lattice();
        let group = block_on(lattice.create_target_group(CreateTargetGroupInput {
            name: "k8s-default-rates-abcdefghij".into(),
            type_: "IP".into(),
            config: TargetGroupConfig {
                port: 80,
                protocol: "HTTP".into(),
                protocol_version: Some("HTTP1".into()),
                ip_address_type: "IPV4".into(),
                vpc_identifier: "vpc-1".into(),
                health_check: None,
            },
            tags: Tags::new(),
        }))
        .unwrap();
        let targets = |count: usize| {
            (0..count)
                .map(|i| Target {
                    id: format!("10.0.0.{i}"),
                    port: 8080,
                })
                .collect()
        };
        let too_many = RegisterTargetsInput {
            target_group_identifier: group.id.clone(),
            targets: targets(101),
        };
        assert!(matches!(
            block_on(lattice.register_targets(too_many)),
            Err(LatticeError::Validation { .. })
        ));
        let fine = RegisterTargetsInput {
            target_group_identifier: group.arn.clone(),
            targets: targets(100),
        };
        block_on(lattice.register_targets(fine)).unwrap();
        assert_eq!(
            block_on(lattice.list_targets(&group.id)).unwrap().len(),
            100
        );
    }
}
