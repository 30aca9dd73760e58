//! An in-memory Lattice account: what `plan` applies to.
//!
//! It keeps Lattice's uniqueness rules (names per account, listener ports per
//! service, rule priorities per listener), rejects unknown parent identifiers,
//! and assigns identifiers deterministically (`svc-00000000000000001`, ...) so
//! that the same plan always prints the same ids.

mod changes;

use std::sync::{Arc, Mutex};

use async_trait::async_trait;

use super::api::Lattice;
use super::error::LatticeError;
use super::model::{
    AccessLogSubscription, AuthPolicy, CreateAccessLogSubscriptionInput, CreateListenerInput,
    CreateRuleInput, CreateServiceInput, CreateServiceNetworkInput,
    CreateServiceNetworkServiceAssociationInput, CreateServiceNetworkVpcAssociationInput,
    CreateTargetGroupInput, DnsEntry, Listener, PutAuthPolicyInput, RegisterTargetsInput, Rule,
    Service, ServiceNetwork, ServiceNetworkServiceAssociation, ServiceNetworkVpcAssociation,
    TagResourceInput, Tags, Target, TargetGroup, UpdateServiceNetworkInput, destination_type,
};
use super::model::{
    DeregisterTargetsInput, UpdateListenerInput, UpdateRuleInput, UpdateServiceInput,
    UpdateServiceNetworkVpcAssociationInput, UpdateTargetGroupInput,
};
use super::state::{LatticeState, TargetGroupTargets};

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
}

impl Inner {
    /// The state, for a write: copied first if a snapshot still shares it.
    fn state_mut(&mut self) -> &mut LatticeState {
        Arc::make_mut(&mut self.state)
    }

    fn id(&mut self, prefix: &str) -> String {
        self.next_id += 1;
        format!("{prefix}-{:017x}", self.next_id)
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

/// `NotFound` unless `id` is a service or a service network of `state`.
fn require_service_or_network(state: &LatticeState, id: &str) -> Result<(), LatticeError> {
    let exists = state.services.iter().any(|service| service.id == id)
        || state
            .service_networks
            .iter()
            .any(|network| network.id == id);
    if exists {
        Ok(())
    } else {
        Err(not_found("SERVICE", id))
    }
}

/// A resource that carries an ARN and tags.
trait Tagged {
    fn arn(&self) -> &str;
    fn tags_mut(&mut self) -> &mut Tags;
}

macro_rules! tagged {
    ($($resource:ty),* $(,)?) => {$(
        impl Tagged for $resource {
            fn arn(&self) -> &str {
                &self.arn
            }

            fn tags_mut(&mut self) -> &mut Tags {
                &mut self.tags
            }
        }
    )*};
}

tagged!(
    Service,
    ServiceNetwork,
    ServiceNetworkServiceAssociation,
    ServiceNetworkVpcAssociation,
    Listener,
    Rule,
    TargetGroup,
    AccessLogSubscription,
);

/// The tags of the resource among `resources` whose ARN is `arn`.
fn tags_of<'a, T: Tagged>(resources: &'a mut [T], arn: &str) -> Option<&'a mut Tags> {
    resources
        .iter_mut()
        .find(|resource| resource.arn() == arn)
        .map(Tagged::tags_mut)
}

fn conflict(message: String) -> LatticeError {
    LatticeError::Conflict { message }
}

fn not_found(resource_type: &'static str, identifier: &str) -> LatticeError {
    LatticeError::NotFound {
        resource_type,
        identifier: identifier.to_string(),
    }
}

/// The highest hexadecimal suffix of any id of `state` (0 when none has one).
fn highest_id(state: &LatticeState) -> u64 {
    let ids = state
        .service_networks
        .iter()
        .map(|r| &r.id)
        .chain(state.service_network_vpc_associations.iter().map(|r| &r.id))
        .chain(state.services.iter().map(|r| &r.id))
        .chain(
            state
                .service_network_service_associations
                .iter()
                .map(|r| &r.id),
        )
        .chain(state.listeners.iter().map(|r| &r.id))
        .chain(state.rules.iter().map(|r| &r.id))
        .chain(state.target_groups.iter().map(|r| &r.id))
        .chain(state.access_log_subscriptions.iter().map(|r| &r.id));
    ids.filter_map(|id| id.rsplit('-').next())
        .filter_map(|suffix| u64::from_str_radix(suffix, 16).ok())
        .max()
        .unwrap_or(0)
}

/// True when `identifier` is the resource's id or ARN (the API accepts both).
fn names(identifier: &str, id: &str, arn: &str) -> bool {
    identifier == id || identifier == arn
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
        state: LatticeState,
    ) -> Self {
        let next_id = highest_id(&state);
        Self {
            account_id: account_id.into(),
            region: region.into(),
            inner: Mutex::new(Inner {
                state: Arc::new(state),
                next_id,
            }),
        }
    }

    /// A copy of the whole state.
    pub fn state(&self) -> LatticeState {
        LatticeState::clone(&self.lock().state)
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
        if inner
            .state
            .service_networks
            .iter()
            .any(|sn| sn.name == input.name)
        {
            return Err(conflict(format!(
                "service network {} already exists",
                input.name
            )));
        }
        let id = inner.id("sn");
        let created = ServiceNetwork {
            arn: self.arn(&format!("servicenetwork/{id}")),
            id,
            name: input.name,
            auth_type: input.auth_type,
            tags: input.tags,
        };
        inner.state_mut().service_networks.push(created.clone());
        Ok(created)
    }

    async fn list_service_network_vpc_associations(
        &self,
        service_network_id: &str,
    ) -> Result<Vec<ServiceNetworkVpcAssociation>, LatticeError> {
        let inner = self.lock();
        Ok(inner
            .state
            .service_network_vpc_associations
            .iter()
            .filter(|a| a.service_network_id == service_network_id)
            .cloned()
            .collect())
    }

    async fn create_service_network_vpc_association(
        &self,
        input: CreateServiceNetworkVpcAssociationInput,
    ) -> Result<ServiceNetworkVpcAssociation, LatticeError> {
        let mut inner = self.lock();
        let network = inner
            .state
            .service_networks
            .iter()
            .find(|sn| names(&input.service_network_identifier, &sn.id, &sn.arn))
            .cloned()
            .ok_or_else(|| not_found("SERVICE_NETWORK", &input.service_network_identifier))?;
        let associations = &inner.state.service_network_vpc_associations;
        if associations
            .iter()
            .any(|a| a.service_network_id == network.id && a.vpc_id == input.vpc_identifier)
        {
            return Err(conflict(format!(
                "{} is already associated with {}",
                input.vpc_identifier, network.name
            )));
        }
        let id = inner.id("snva");
        let created = ServiceNetworkVpcAssociation {
            arn: self.arn(&format!("servicenetworkvpcassociation/{id}")),
            id,
            service_network_id: network.id,
            service_network_name: network.name,
            vpc_id: input.vpc_identifier,
            security_group_ids: input.security_group_ids,
            status: "ACTIVE".into(),
            tags: input.tags,
        };
        inner
            .state_mut()
            .service_network_vpc_associations
            .push(created.clone());
        Ok(created)
    }

    async fn list_services(&self) -> Result<Vec<Service>, LatticeError> {
        Ok(self.lock().state.services.clone())
    }

    async fn create_service(&self, input: CreateServiceInput) -> Result<Service, LatticeError> {
        let mut inner = self.lock();
        if inner.state.services.iter().any(|s| s.name == input.name) {
            return Err(conflict(format!("service {} already exists", input.name)));
        }
        let id = inner.id("svc");
        let created = Service {
            arn: self.arn(&format!("service/{id}")),
            dns_entry: DnsEntry {
                domain_name: format!(
                    "{}-{}.7d67968.vpc-lattice-svcs.{}.on.aws",
                    input.name,
                    &id[4..],
                    self.region
                ),
                hosted_zone_id: "Z03479293VHX3ZS7ROR6P".into(),
            },
            id,
            name: input.name,
            custom_domain_name: input.custom_domain_name,
            certificate_arn: input.certificate_arn,
            auth_type: input.auth_type,
            status: "ACTIVE".into(),
            tags: input.tags,
        };
        inner.state_mut().services.push(created.clone());
        Ok(created)
    }

    async fn list_service_network_service_associations(
        &self,
        service_id: &str,
    ) -> Result<Vec<ServiceNetworkServiceAssociation>, LatticeError> {
        let inner = self.lock();
        Ok(inner
            .state
            .service_network_service_associations
            .iter()
            .filter(|a| a.service_id == service_id)
            .cloned()
            .collect())
    }

    async fn create_service_network_service_association(
        &self,
        input: CreateServiceNetworkServiceAssociationInput,
    ) -> Result<ServiceNetworkServiceAssociation, LatticeError> {
        let mut inner = self.lock();
        let service = inner
            .state
            .services
            .iter()
            .find(|s| names(&input.service_identifier, &s.id, &s.arn))
            .cloned()
            .ok_or_else(|| not_found("SERVICE", &input.service_identifier))?;
        let network = inner
            .state
            .service_networks
            .iter()
            .find(|sn| names(&input.service_network_identifier, &sn.id, &sn.arn))
            .cloned()
            .ok_or_else(|| not_found("SERVICE_NETWORK", &input.service_network_identifier))?;
        let associations = &inner.state.service_network_service_associations;
        if associations
            .iter()
            .any(|a| a.service_id == service.id && a.service_network_id == network.id)
        {
            return Err(conflict(format!(
                "{} is already associated with {}",
                service.name, network.name
            )));
        }
        let id = inner.id("snsa");
        let created = ServiceNetworkServiceAssociation {
            arn: self.arn(&format!("servicenetworkserviceassociation/{id}")),
            id,
            service_id: service.id,
            service_name: service.name,
            service_network_id: network.id,
            service_network_name: network.name,
            status: "ACTIVE".into(),
            tags: input.tags,
        };
        inner
            .state_mut()
            .service_network_service_associations
            .push(created.clone());
        Ok(created)
    }

    async fn list_listeners(&self, service_id: &str) -> Result<Vec<Listener>, LatticeError> {
        let inner = self.lock();
        Ok(inner
            .state
            .listeners
            .iter()
            .filter(|l| l.service_id == service_id)
            .cloned()
            .collect())
    }

    async fn create_listener(&self, input: CreateListenerInput) -> Result<Listener, LatticeError> {
        let mut inner = self.lock();
        let service = inner
            .state
            .services
            .iter()
            .find(|s| names(&input.service_identifier, &s.id, &s.arn))
            .cloned()
            .ok_or_else(|| not_found("SERVICE", &input.service_identifier))?;
        let siblings = inner
            .state
            .listeners
            .iter()
            .filter(|l| l.service_id == service.id);
        for sibling in siblings {
            if sibling.port == input.port || sibling.name == input.name {
                return Err(conflict(format!(
                    "service {} already has listener {} on port {}",
                    service.name, sibling.name, sibling.port
                )));
            }
        }
        let id = inner.id("listener");
        let created = Listener {
            arn: format!("{}/listener/{id}", service.arn),
            id,
            name: input.name,
            service_id: service.id,
            port: input.port,
            protocol: input.protocol,
            default_action: input.default_action,
            tags: input.tags,
        };
        inner.state_mut().listeners.push(created.clone());
        Ok(created)
    }

    async fn list_rules(
        &self,
        service_id: &str,
        listener_id: &str,
    ) -> Result<Vec<Rule>, LatticeError> {
        let inner = self.lock();
        Ok(inner
            .state
            .rules
            .iter()
            .filter(|r| r.service_id == service_id && r.listener_id == listener_id)
            .cloned()
            .collect())
    }

    async fn create_rule(&self, input: CreateRuleInput) -> Result<Rule, LatticeError> {
        let mut inner = self.lock();
        let listener = inner
            .state
            .listeners
            .iter()
            .find(|l| names(&input.listener_identifier, &l.id, &l.arn))
            .cloned()
            .ok_or_else(|| not_found("LISTENER", &input.listener_identifier))?;
        let siblings = inner
            .state
            .rules
            .iter()
            .filter(|r| r.listener_id == listener.id);
        for sibling in siblings {
            if sibling.priority == input.priority || sibling.name == input.name {
                return Err(conflict(format!(
                    "listener {} already has rule {} with priority {}",
                    listener.name, sibling.name, sibling.priority
                )));
            }
        }
        let id = inner.id("rule");
        let created = Rule {
            arn: format!("{}/rule/{id}", listener.arn),
            id,
            name: input.name,
            service_id: listener.service_id,
            listener_id: listener.id,
            priority: input.priority,
            match_: input.match_,
            action: input.action,
            tags: input.tags,
        };
        inner.state_mut().rules.push(created.clone());
        Ok(created)
    }

    async fn list_target_groups(&self) -> Result<Vec<TargetGroup>, LatticeError> {
        let inner = self.lock();
        Ok(inner
            .state
            .target_groups
            .iter()
            .map(|group| TargetGroup {
                service_arns: changes::services_using(&inner.state, group),
                ..group.clone()
            })
            .collect())
    }

    async fn create_target_group(
        &self,
        input: CreateTargetGroupInput,
    ) -> Result<TargetGroup, LatticeError> {
        let mut inner = self.lock();
        if inner
            .state
            .target_groups
            .iter()
            .any(|tg| tg.name == input.name)
        {
            return Err(conflict(format!(
                "target group {} already exists",
                input.name
            )));
        }
        let id = inner.id("tg");
        let created = TargetGroup {
            arn: self.arn(&format!("targetgroup/{id}")),
            id,
            name: input.name,
            type_: input.type_,
            config: input.config,
            status: "ACTIVE".into(),
            tags: input.tags,
            service_arns: Vec::new(),
        };
        inner.state_mut().target_groups.push(created.clone());
        Ok(created)
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
        let policies = &mut inner.state_mut().auth_policies;
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
        let network = inner
            .state_mut()
            .service_networks
            .iter_mut()
            .find(|sn| names(&input.service_network_identifier, &sn.id, &sn.arn))
            .ok_or_else(|| not_found("SERVICE_NETWORK", &input.service_network_identifier))?;
        network.auth_type = input.auth_type;
        Ok(())
    }

    async fn delete_service_network(&self, service_network_id: &str) -> Result<(), LatticeError> {
        self.lock().delete_service_network(service_network_id)
    }

    async fn tag_resource(&self, input: TagResourceInput) -> Result<(), LatticeError> {
        let mut inner = self.lock();
        let state = inner.state_mut();
        let arn = input.resource_arn.as_str();
        let tags = tags_of(&mut state.services, arn)
            .or_else(|| tags_of(&mut state.service_networks, arn))
            .or_else(|| tags_of(&mut state.service_network_service_associations, arn))
            .or_else(|| tags_of(&mut state.service_network_vpc_associations, arn))
            .or_else(|| tags_of(&mut state.listeners, arn))
            .or_else(|| tags_of(&mut state.rules, arn))
            .or_else(|| tags_of(&mut state.target_groups, arn))
            .or_else(|| tags_of(&mut state.access_log_subscriptions, arn))
            .ok_or_else(|| not_found("RESOURCE", arn))?;
        tags.extend(input.tags);
        Ok(())
    }

    async fn list_access_log_subscriptions(
        &self,
        resource_identifier: &str,
    ) -> Result<Vec<AccessLogSubscription>, LatticeError> {
        let inner = self.lock();
        Ok(inner
            .state
            .access_log_subscriptions
            .iter()
            .filter(|subscription| subscription.resource_id == resource_identifier)
            .cloned()
            .collect())
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
        let id = inner.id("als");
        let created = AccessLogSubscription {
            arn: self.arn(&format!("accesslogsubscription/{id}")),
            id,
            resource_id: input.resource_identifier,
            destination_arn: input.destination_arn,
            tags: input.tags,
        };
        inner
            .state_mut()
            .access_log_subscriptions
            .push(created.clone());
        Ok(created)
    }

    async fn list_targets(&self, target_group_id: &str) -> Result<Vec<Target>, LatticeError> {
        let inner = self.lock();
        if !inner
            .state
            .target_groups
            .iter()
            .any(|tg| tg.id == target_group_id)
        {
            return Err(not_found("TARGET_GROUP", target_group_id));
        }
        let registered = inner
            .state
            .targets
            .iter()
            .find(|t| t.target_group_id == target_group_id);
        Ok(registered.map(|t| t.targets.clone()).unwrap_or_default())
    }

    async fn register_targets(&self, input: RegisterTargetsInput) -> Result<(), LatticeError> {
        check_batch(input.targets.len())?;
        let mut inner = self.lock();
        let group = inner
            .state
            .target_groups
            .iter()
            .find(|tg| names(&input.target_group_identifier, &tg.id, &tg.arn))
            .map(|tg| tg.id.clone())
            .ok_or_else(|| not_found("TARGET_GROUP", &input.target_group_identifier))?;
        let position = inner
            .state
            .targets
            .iter()
            .position(|t| t.target_group_id == group);
        let entry = match position {
            Some(index) => &mut inner.state_mut().targets[index],
            None => {
                inner.state_mut().targets.push(TargetGroupTargets {
                    target_group_id: group,
                    targets: Vec::new(),
                });
                inner.state_mut().targets.last_mut().expect("just pushed")
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
        let inner = self.lock();
        let group = inner
            .state
            .target_groups
            .iter()
            .find(|group| names(target_group_id, &group.id, &group.arn))
            .ok_or_else(|| not_found("TARGET_GROUP", target_group_id))?;
        Ok(changes::services_using(&inner.state, group))
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

    fn lattice() -> InMemoryLattice {
        InMemoryLattice::new("123456789012", "us-west-2")
    }

    fn block_on<F: std::future::Future>(future: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(future)
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

    fn network(name: &str) -> CreateServiceNetworkInput {
        CreateServiceNetworkInput {
            name: name.into(),
            auth_type: "NONE".into(),
            tags: Tags::new(),
        }
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
