//! The observed-state cache: a [`Lattice`] that remembers what it read and
//! keeps it current with the writes made through it.
//!
//! Contract:
//! - Each list is read from the wrapped Lattice at most once until
//!   [`CachedLattice::refresh`] forgets everything, or until the drift
//!   check's period ([`CachedLattice::with_max_age`]) has passed since the
//!   oldest observation held: then the next access starts afresh, so drift
//!   made by others is seen within one period.
//! - A successful write through the cache updates the cached lists as
//!   Lattice would (a created service appears in `ListServices` with no
//!   listeners; a deleted listener takes its rules with it), so a reconcile
//!   that follows its own writes needs no new listing.
//! - A failed write forgets the lists it could have changed: the write may
//!   have happened (a lost answer), so the next read asks Lattice.
//! - A listing that a write through the cache overtook is returned but not
//!   kept: reads and writes of concurrent reconciles interleave, and a list
//!   read from Lattice before a delete (or a create) would otherwise be
//!   cached after it, bringing the deleted resource back (or hiding the new
//!   one, whose next create then fails with `ConflictException`) until the
//!   next refresh.
//! - Changes made by others are seen after the next refresh only, or, for
//!   service networks and target groups (what other clusters' controllers
//!   make), after [`Lattice::observe_shared_again`]. The
//!   `service_arns` of cached target groups are those of the last listing;
//!   [`Lattice::target_group_users`] always asks Lattice.

mod held;
mod store;

use std::collections::HashMap;
use std::future::Future;
use std::hash::Hash;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use async_trait::async_trait;

use super::api::Lattice;
use super::error::LatticeError;
use super::index::{KeyIndex, Keyed, identifier_key, name_key, tag_query};
use super::model::{
    AccessLogSubscription, AuthPolicy, CreateAccessLogSubscriptionInput, CreateListenerInput,
    CreateRuleInput, CreateServiceInput, CreateServiceNetworkInput,
    CreateServiceNetworkServiceAssociationInput, CreateServiceNetworkVpcAssociationInput,
    CreateTargetGroupInput, DeregisterTargetsInput, Listener, PutAuthPolicyInput,
    RegisterTargetsInput, Resource, Rule, Service, ServiceNetwork,
    ServiceNetworkServiceAssociation, ServiceNetworkVpcAssociation, TagResourceInput, Target,
    TargetGroup, TargetStatus, UpdateListenerInput, UpdateRuleInput, UpdateServiceInput,
    UpdateServiceNetworkInput, UpdateServiceNetworkVpcAssociationInput, UpdateTargetGroupInput,
};
use store::Store;

/// How fresh shared observations may be and still be kept by
/// [`Lattice::observe_shared_again`].
pub const SHARED_MIN_AGE: Duration = Duration::from_secs(2);

/// Picks a cached list and its index out of the store.
type IndexedSlot<T> = fn(&mut Store) -> (&mut Option<Vec<T>>, &mut KeyIndex<T>);

/// A [`Lattice`] with an observed-state cache in front of `inner`.
pub struct CachedLattice<L> {
    inner: L,
    store: Mutex<Store>,
    max_age: Option<Duration>,
}

impl<L: Lattice> CachedLattice<L> {
    /// A cache over `inner`, empty, kept until [`Self::refresh`].
    pub fn new(inner: L) -> Self {
        Self {
            inner,
            store: Mutex::default(),
            max_age: None,
        }
    }

    /// A cache over `inner` that forgets its observations once they are
    /// `max_age` old: the periodic drift check.
    pub fn with_max_age(inner: L, max_age: Duration) -> Self {
        Self {
            max_age: Some(max_age),
            ..Self::new(inner)
        }
    }

    /// The wrapped Lattice.
    pub fn inner(&self) -> &L {
        &self.inner
    }

    /// The wrapped Lattice, the cache dropped.
    pub fn into_inner(self) -> L {
        self.inner
    }

    /// Forgets everything: the next reads observe Lattice afresh.
    pub fn refresh(&self) {
        self.store().reset();
        self.inner.observe_all_again();
    }

    /// Forgets the lists other controllers change: service networks, their
    /// VPC associations, target groups and their targets — unless they were
    /// read less than [`SHARED_MIN_AGE`] ago, so that many objects waiting
    /// on others cause one re-read, not one each.
    fn forget_shared(&self) {
        let mut store = self.store();
        let now = Instant::now();
        if store
            .shared_since
            .is_some_and(|since| now.duration_since(since) < SHARED_MIN_AGE)
        {
            return;
        }
        store.shared_since = Some(now);
        store.service_networks = None;
        store.vpc_associations.clear();
        store.target_groups = None;
        store.targets.clear();
        store.writes += 1;
    }

    /// The store, emptied first when its observations are too old.
    fn store(&self) -> MutexGuard<'_, Store> {
        let mut store = self
            .store
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let now = Instant::now();
        let stale = match (store.since, self.max_age) {
            (Some(since), Some(max_age)) => now.duration_since(since) >= max_age,
            _ => false,
        };
        if stale {
            store.reset();
            self.inner.observe_all_again();
        }
        store.since.get_or_insert(now);
        store
    }

    /// The cached entry of `key` in the map `map` picks, loaded with `load`
    /// when missing.
    async fn keyed<K, T>(
        &self,
        map: fn(&mut Store) -> &mut HashMap<K, T>,
        key: K,
        load: impl Future<Output = Result<T, LatticeError>>,
    ) -> Result<T, LatticeError>
    where
        K: Eq + Hash,
        T: Clone,
    {
        let writes = {
            let mut store = self.store();
            if let Some(found) = map(&mut store).get(&key) {
                return Ok(found.clone());
            }
            store.writes
        };
        let loaded = load.await?;
        let mut store = self.store();
        if store.writes == writes {
            map(&mut store).insert(key, loaded.clone());
        }
        Ok(loaded)
    }

    /// The cached list `slot` picks, loaded with `load` when missing.
    async fn whole<T: Clone>(
        &self,
        slot: fn(&mut Store) -> &mut Option<Vec<T>>,
        load: impl Future<Output = Result<Vec<T>, LatticeError>>,
    ) -> Result<Vec<T>, LatticeError> {
        let writes = {
            let mut store = self.store();
            if let Some(found) = slot(&mut store) {
                return Ok(found.clone());
            }
            store.writes
        };
        let loaded = load.await?;
        let mut store = self.store();
        if store.writes == writes {
            *slot(&mut store) = Some(loaded.clone());
        }
        Ok(loaded)
    }

    /// Answers `query` over the list `slot` picks (with its index), loading
    /// the list with `load` when it is not cached. A loaded list replaces
    /// the cached one, and its index is started afresh; a listing that a
    /// write overtook is answered from but not kept.
    async fn look_up<T: Keyed, R>(
        &self,
        slot: IndexedSlot<T>,
        load: impl Future<Output = Result<Vec<T>, LatticeError>>,
        query: impl Fn(&mut KeyIndex<T>, &[T]) -> R,
    ) -> Result<R, LatticeError> {
        let writes = {
            let mut store = self.store();
            let (list, index) = slot(&mut store);
            if let Some(list) = list {
                return Ok(query(index, list));
            }
            store.writes
        };
        let loaded = load.await?;
        let mut store = self.store();
        if store.writes == writes {
            let (list, index) = slot(&mut store);
            index.clear();
            return Ok(query(index, list.insert(loaded)));
        }
        Ok(query(&mut KeyIndex::default(), &loaded))
    }

    /// Answers `query` over the services, as [`Self::look_up`].
    async fn look_up_services<R>(
        &self,
        query: impl Fn(&mut KeyIndex<Service>, &[Service]) -> R,
    ) -> Result<R, LatticeError> {
        self.look_up(
            |store| (&mut store.services, &mut store.service_index),
            self.inner.list_services(),
            query,
        )
        .await
    }

    /// Answers `query` over the target groups, as [`Self::look_up`].
    async fn look_up_target_groups<R>(
        &self,
        query: impl Fn(&mut KeyIndex<TargetGroup>, &[TargetGroup]) -> R,
    ) -> Result<R, LatticeError> {
        self.look_up(
            |store| (&mut store.target_groups, &mut store.target_group_index),
            self.inner.list_target_groups(),
            query,
        )
        .await
    }

    /// Runs a create whose resource belongs to the list `map` holds under
    /// `key`: on success the resource joins that list (when it is cached),
    /// on failure the list is forgotten.
    async fn create_in<K, T>(
        &self,
        map: fn(&mut Store) -> &mut HashMap<K, Vec<T>>,
        key: K,
        call: impl Future<Output = Result<T, LatticeError>>,
    ) -> Result<T, LatticeError>
    where
        K: Eq + Hash,
        T: Clone,
    {
        self.write(
            call,
            |store, created| {
                if let Some(list) = map(store).get_mut(&key) {
                    list.push(created.clone());
                }
            },
            |store| {
                map(store).remove(&key);
            },
        )
        .await
    }

    /// Runs a delete of the resource `id` from whichever list of `map`
    /// holds it: on success it leaves that list, on failure all of `map`'s
    /// lists are forgotten.
    async fn delete_in<K, T: Resource>(
        &self,
        map: fn(&mut Store) -> &mut HashMap<K, Vec<T>>,
        id: &str,
        call: impl Future<Output = Result<(), LatticeError>>,
    ) -> Result<(), LatticeError> {
        self.write(
            call,
            |store, ()| {
                for list in map(store).values_mut() {
                    list.retain(|resource| resource.id() != id);
                }
            },
            |store| map(store).clear(),
        )
        .await
    }

    /// Runs a write; on success `remember` updates the store with its
    /// result, on failure `forget` drops what it could have changed. Either
    /// way, listings read meanwhile are not kept.
    async fn write<T>(
        &self,
        call: impl Future<Output = Result<T, LatticeError>>,
        remember: impl FnOnce(&mut Store, &T),
        forget: impl FnOnce(&mut Store),
    ) -> Result<T, LatticeError> {
        let result = call.await;
        let mut store = self.store();
        store.writes += 1;
        match result {
            Ok(result) => {
                remember(&mut store, &result);
                Ok(result)
            }
            Err(error) => {
                forget(&mut store);
                Err(error)
            }
        }
    }
}

#[async_trait]
impl<L: Lattice> Lattice for CachedLattice<L> {
    fn observe_all_again(&self) {
        self.refresh();
    }

    fn observe_shared_again(&self) {
        self.forget_shared();
        self.inner.observe_shared_again();
    }

    async fn list_service_networks(&self) -> Result<Vec<ServiceNetwork>, LatticeError> {
        self.whole(
            |store| &mut store.service_networks,
            self.inner.list_service_networks(),
        )
        .await
    }

    async fn create_service_network(
        &self,
        input: CreateServiceNetworkInput,
    ) -> Result<ServiceNetwork, LatticeError> {
        self.write(
            self.inner.create_service_network(input),
            Store::created_service_network,
            |store| store.service_networks = None,
        )
        .await
    }

    async fn list_service_network_vpc_associations(
        &self,
        service_network_id: &str,
    ) -> Result<Vec<ServiceNetworkVpcAssociation>, LatticeError> {
        self.keyed(
            |store| &mut store.vpc_associations,
            service_network_id.to_owned(),
            self.inner
                .list_service_network_vpc_associations(service_network_id),
        )
        .await
    }

    async fn list_vpc_service_network_associations(
        &self,
        vpc_id: &str,
    ) -> Result<Vec<ServiceNetworkVpcAssociation>, LatticeError> {
        // Read only when a network is not listed (shared through RAM): not
        // kept.
        self.inner
            .list_vpc_service_network_associations(vpc_id)
            .await
    }

    async fn create_service_network_vpc_association(
        &self,
        input: CreateServiceNetworkVpcAssociationInput,
    ) -> Result<ServiceNetworkVpcAssociation, LatticeError> {
        let network = input.service_network_identifier.clone();
        self.write(
            self.inner.create_service_network_vpc_association(input),
            |store, created| store.created_vpc_association(&network, created),
            |store| {
                store.vpc_associations.remove(&network);
            },
        )
        .await
    }

    async fn list_services(&self) -> Result<Vec<Service>, LatticeError> {
        self.look_up_services(|_, services| services.to_vec()).await
    }

    async fn find_service(&self, name: &str) -> Result<Option<Service>, LatticeError> {
        let key = name_key(name);
        self.look_up_services(|index, services| index.first(services, &key).cloned())
            .await
    }

    async fn services_tagged(&self, tags: &[(&str, &str)]) -> Result<Vec<Service>, LatticeError> {
        let keys = tag_query(tags);
        self.look_up_services(|index, services| {
            index
                .with_all(services, &keys)
                .into_iter()
                .cloned()
                .collect()
        })
        .await
    }

    async fn create_service(&self, input: CreateServiceInput) -> Result<Service, LatticeError> {
        self.write(
            self.inner.create_service(input),
            Store::created_service,
            |store| store.services = None,
        )
        .await
    }

    async fn list_service_network_service_associations(
        &self,
        service_id: &str,
    ) -> Result<Vec<ServiceNetworkServiceAssociation>, LatticeError> {
        self.keyed(
            |store| &mut store.service_associations,
            service_id.to_owned(),
            self.inner
                .list_service_network_service_associations(service_id),
        )
        .await
    }

    async fn create_service_network_service_association(
        &self,
        input: CreateServiceNetworkServiceAssociationInput,
    ) -> Result<ServiceNetworkServiceAssociation, LatticeError> {
        let service = input.service_identifier.clone();
        self.write(
            self.inner.create_service_network_service_association(input),
            |store, created| store.created_service_association(&service, created),
            |store| {
                store.service_associations.remove(&service);
            },
        )
        .await
    }

    async fn list_listeners(&self, service_id: &str) -> Result<Vec<Listener>, LatticeError> {
        self.keyed(
            |store| &mut store.listeners,
            service_id.to_owned(),
            self.inner.list_listeners(service_id),
        )
        .await
    }

    async fn create_listener(&self, input: CreateListenerInput) -> Result<Listener, LatticeError> {
        let service = input.service_identifier.clone();
        self.write(
            self.inner.create_listener(input),
            Store::created_listener,
            |store| {
                store.listeners.remove(&service);
            },
        )
        .await
    }

    async fn list_rules(
        &self,
        service_id: &str,
        listener_id: &str,
    ) -> Result<Vec<Rule>, LatticeError> {
        self.keyed(
            |store| &mut store.rules,
            (service_id.to_owned(), listener_id.to_owned()),
            self.inner.list_rules(service_id, listener_id),
        )
        .await
    }

    async fn create_rule(&self, input: CreateRuleInput) -> Result<Rule, LatticeError> {
        let key = (
            input.service_identifier.clone(),
            input.listener_identifier.clone(),
        );
        self.create_in(|store| &mut store.rules, key, self.inner.create_rule(input))
            .await
    }

    async fn list_target_groups(&self) -> Result<Vec<TargetGroup>, LatticeError> {
        self.look_up_target_groups(|_, groups| groups.to_vec())
            .await
    }

    async fn find_target_group(
        &self,
        identifier: &str,
    ) -> Result<Option<TargetGroup>, LatticeError> {
        let key = identifier_key(identifier);
        self.look_up_target_groups(|index, groups| index.first(groups, &key).cloned())
            .await
    }

    async fn target_groups_tagged(
        &self,
        tags: &[(&str, &str)],
    ) -> Result<Vec<TargetGroup>, LatticeError> {
        let keys = tag_query(tags);
        self.look_up_target_groups(|index, groups| {
            index.with_all(groups, &keys).into_iter().cloned().collect()
        })
        .await
    }

    async fn create_target_group(
        &self,
        input: CreateTargetGroupInput,
    ) -> Result<TargetGroup, LatticeError> {
        self.write(
            self.inner.create_target_group(input),
            Store::created_target_group,
            |store| store.target_groups = None,
        )
        .await
    }

    async fn list_targets(&self, target_group_id: &str) -> Result<Vec<Target>, LatticeError> {
        self.keyed(
            |store| &mut store.targets,
            target_group_id.to_owned(),
            self.inner.list_targets(target_group_id),
        )
        .await
    }

    async fn list_target_statuses(
        &self,
        target_group_id: &str,
    ) -> Result<Vec<TargetStatus>, LatticeError> {
        self.inner.list_target_statuses(target_group_id).await
    }

    async fn register_targets(&self, input: RegisterTargetsInput) -> Result<(), LatticeError> {
        let group = input.target_group_identifier.clone();
        let added = input.targets.clone();
        self.write(
            self.inner.register_targets(input),
            |store, ()| {
                if let Some(targets) = store.targets.get_mut(&group) {
                    targets.extend(added);
                    targets.sort();
                    targets.dedup();
                }
            },
            |store| {
                store.targets.remove(&group);
            },
        )
        .await
    }

    async fn get_auth_policy(
        &self,
        resource_identifier: &str,
    ) -> Result<Option<AuthPolicy>, LatticeError> {
        self.keyed(
            |store| &mut store.auth_policies,
            resource_identifier.to_owned(),
            self.inner.get_auth_policy(resource_identifier),
        )
        .await
    }

    async fn put_auth_policy(&self, input: PutAuthPolicyInput) -> Result<AuthPolicy, LatticeError> {
        let resource = input.resource_identifier.clone();
        self.write(
            self.inner.put_auth_policy(input),
            |store, policy| {
                store
                    .auth_policies
                    .insert(policy.resource_identifier.clone(), Some(policy.clone()));
            },
            |store| {
                store.auth_policies.remove(&resource);
            },
        )
        .await
    }

    async fn update_service_network(
        &self,
        input: UpdateServiceNetworkInput,
    ) -> Result<(), LatticeError> {
        let id = input.service_network_identifier.clone();
        let auth_type = input.auth_type.clone();
        self.write(
            self.inner.update_service_network(input),
            |store, ()| {
                for network in store.service_networks.iter_mut().flatten() {
                    if network.id == id || network.arn == id {
                        network.auth_type = auth_type.clone();
                    }
                }
            },
            |store| store.service_networks = None,
        )
        .await
    }

    async fn delete_service_network(&self, service_network_id: &str) -> Result<(), LatticeError> {
        self.write(
            self.inner.delete_service_network(service_network_id),
            |store, ()| store.deleted_service_network(service_network_id),
            |store| {
                store.deleted_service_network(service_network_id);
                store.service_networks = None;
            },
        )
        .await
    }

    async fn tag_resource(&self, input: TagResourceInput) -> Result<(), LatticeError> {
        let arn = input.resource_arn.clone();
        let tags = input.tags.clone();
        self.write(
            self.inner.tag_resource(input),
            |store, ()| store.tagged(&arn, &tags),
            Store::reset,
        )
        .await
    }

    async fn list_access_log_subscriptions(
        &self,
        resource_identifier: &str,
    ) -> Result<Vec<AccessLogSubscription>, LatticeError> {
        self.keyed(
            |store| &mut store.access_logs,
            resource_identifier.to_owned(),
            self.inner
                .list_access_log_subscriptions(resource_identifier),
        )
        .await
    }

    async fn create_access_log_subscription(
        &self,
        input: CreateAccessLogSubscriptionInput,
    ) -> Result<AccessLogSubscription, LatticeError> {
        let resource = input.resource_identifier.clone();
        self.create_in(
            |store| &mut store.access_logs,
            resource,
            self.inner.create_access_log_subscription(input),
        )
        .await
    }

    async fn update_service_network_vpc_association(
        &self,
        input: UpdateServiceNetworkVpcAssociationInput,
    ) -> Result<(), LatticeError> {
        let id = input.service_network_vpc_association_identifier.clone();
        let groups = input.security_group_ids.clone();
        self.write(
            self.inner.update_service_network_vpc_association(input),
            |store, ()| {
                for association in store.vpc_associations.values_mut().flatten() {
                    if association.id == id {
                        association.security_group_ids = groups.clone();
                    }
                }
            },
            |store| store.vpc_associations.clear(),
        )
        .await
    }

    async fn delete_service_network_vpc_association(
        &self,
        association_id: &str,
    ) -> Result<(), LatticeError> {
        self.delete_in(
            |store| &mut store.vpc_associations,
            association_id,
            self.inner
                .delete_service_network_vpc_association(association_id),
        )
        .await
    }

    async fn update_service(&self, input: UpdateServiceInput) -> Result<(), LatticeError> {
        let changed = input.clone();
        self.write(
            self.inner.update_service(input),
            |store, ()| {
                for service in store.services.iter_mut().flatten() {
                    if service.id != changed.service_identifier {
                        continue;
                    }
                    if let Some(auth_type) = &changed.auth_type {
                        service.auth_type = auth_type.clone();
                    }
                    if let Some(certificate) = &changed.certificate_arn {
                        service.certificate_arn = Some(certificate.clone());
                    }
                }
            },
            |store| store.services = None,
        )
        .await
    }

    async fn delete_service(&self, service_id: &str) -> Result<(), LatticeError> {
        self.write(
            self.inner.delete_service(service_id),
            |store, ()| store.deleted_service(service_id),
            |store| store.deleted_service(service_id),
        )
        .await
    }

    async fn delete_service_network_service_association(
        &self,
        association_id: &str,
    ) -> Result<(), LatticeError> {
        self.delete_in(
            |store| &mut store.service_associations,
            association_id,
            self.inner
                .delete_service_network_service_association(association_id),
        )
        .await
    }

    async fn update_listener(&self, input: UpdateListenerInput) -> Result<(), LatticeError> {
        let changed = input.clone();
        self.write(
            self.inner.update_listener(input),
            |store, ()| {
                if let Some(list) = store.listeners.get_mut(&changed.service_identifier) {
                    for listener in list
                        .iter_mut()
                        .filter(|listener| listener.id == changed.listener_identifier)
                    {
                        listener.default_action = changed.default_action.clone();
                    }
                }
            },
            |store| {
                store.listeners.remove(&changed.service_identifier);
            },
        )
        .await
    }

    async fn delete_listener(
        &self,
        service_id: &str,
        listener_id: &str,
    ) -> Result<(), LatticeError> {
        let key = (service_id.to_owned(), listener_id.to_owned());
        self.write(
            self.inner.delete_listener(service_id, listener_id),
            |store, ()| {
                if let Some(list) = store.listeners.get_mut(service_id) {
                    list.retain(|listener| listener.id != listener_id);
                }
                store.rules.remove(&key);
            },
            |store| {
                store.listeners.remove(service_id);
                store.rules.remove(&key);
            },
        )
        .await
    }

    async fn update_rule(&self, input: UpdateRuleInput) -> Result<(), LatticeError> {
        let changed = input.clone();
        let key = (
            input.service_identifier.clone(),
            input.listener_identifier.clone(),
        );
        self.write(
            self.inner.update_rule(input),
            |store, ()| {
                for rule in store.rules.get_mut(&key).into_iter().flatten() {
                    if rule.id == changed.rule_identifier {
                        rule.priority = changed.priority;
                        rule.match_ = changed.match_.clone();
                        rule.action = changed.action.clone();
                    }
                }
            },
            |store| {
                store.rules.remove(&key);
            },
        )
        .await
    }

    async fn delete_rule(
        &self,
        service_id: &str,
        listener_id: &str,
        rule_id: &str,
    ) -> Result<(), LatticeError> {
        let key = (service_id.to_owned(), listener_id.to_owned());
        self.write(
            self.inner.delete_rule(service_id, listener_id, rule_id),
            |store, ()| {
                if let Some(list) = store.rules.get_mut(&key) {
                    list.retain(|rule| rule.id != rule_id);
                }
            },
            |store| {
                store.rules.remove(&key);
            },
        )
        .await
    }

    async fn update_target_group(&self, input: UpdateTargetGroupInput) -> Result<(), LatticeError> {
        let changed = input.clone();
        self.write(
            self.inner.update_target_group(input),
            |store, ()| {
                for group in store.target_groups.iter_mut().flatten() {
                    if group.id == changed.target_group_identifier {
                        group.config.health_check = Some(changed.health_check.clone());
                    }
                }
            },
            |store| store.target_groups = None,
        )
        .await
    }

    async fn target_group_users(&self, target_group_id: &str) -> Result<Vec<String>, LatticeError> {
        self.inner.target_group_users(target_group_id).await
    }

    async fn delete_target_group(&self, target_group_id: &str) -> Result<(), LatticeError> {
        self.write(
            self.inner.delete_target_group(target_group_id),
            |store, ()| store.deleted_target_group(target_group_id),
            |store| store.target_groups = None,
        )
        .await
    }

    async fn deregister_targets(&self, input: DeregisterTargetsInput) -> Result<(), LatticeError> {
        let group = input.target_group_identifier.clone();
        let removed = input.targets.clone();
        self.write(
            self.inner.deregister_targets(input),
            |store, ()| {
                if let Some(targets) = store.targets.get_mut(&group) {
                    targets.retain(|target| !removed.contains(target));
                }
            },
            |store| {
                store.targets.remove(&group);
            },
        )
        .await
    }

    async fn delete_auth_policy(&self, resource_identifier: &str) -> Result<(), LatticeError> {
        self.write(
            self.inner.delete_auth_policy(resource_identifier),
            |store, ()| {
                store
                    .auth_policies
                    .insert(resource_identifier.to_owned(), None);
            },
            |store| {
                store.auth_policies.remove(resource_identifier);
            },
        )
        .await
    }

    async fn delete_access_log_subscription(
        &self,
        subscription_id: &str,
    ) -> Result<(), LatticeError> {
        self.delete_in(
            |store| &mut store.access_logs,
            subscription_id,
            self.inner.delete_access_log_subscription(subscription_id),
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lattice::InMemoryLattice;
    use crate::lattice::testing::{block_on, network};

    fn names(networks: Vec<ServiceNetwork>) -> Vec<String> {
        networks.into_iter().map(|network| network.name).collect()
    }

    #[test]
    fn a_deleted_service_network_leaves_the_cached_list() {
        let cache = CachedLattice::new(InMemoryLattice::new("123456789012", "us-west-2"));
        let mesh = block_on(cache.create_service_network(network("mesh"))).unwrap();
        block_on(cache.create_service_network(network("kept"))).unwrap();
        block_on(cache.list_service_networks()).unwrap();
        // Unseen by the cache until a refresh: the list below is the cached one.
        block_on(cache.inner().create_service_network(network("other"))).unwrap();
        block_on(cache.delete_service_network(&mesh.id)).unwrap();
        assert_eq!(
            names(block_on(cache.list_service_networks()).unwrap()),
            ["kept"]
        );
    }

    #[test]
    fn a_failed_service_network_delete_forgets_the_list() {
        let cache = CachedLattice::new(InMemoryLattice::new("123456789012", "us-west-2"));
        block_on(cache.list_service_networks()).unwrap();
        block_on(cache.inner().create_service_network(network("other"))).unwrap();
        let missing = block_on(cache.delete_service_network("sn-missing"));
        assert!(matches!(missing, Err(LatticeError::NotFound { .. })));
        assert_eq!(
            names(block_on(cache.list_service_networks()).unwrap()),
            ["other"]
        );
    }

    #[test]
    fn shared_lists_are_read_again_on_request_but_not_twice_in_a_row() {
        let cache = CachedLattice::new(InMemoryLattice::new("123456789012", "us-west-2"));
        block_on(cache.list_service_networks()).unwrap();
        // Another controller makes a network.
        block_on(cache.inner().create_service_network(network("theirs"))).unwrap();
        assert!(block_on(cache.list_service_networks()).unwrap().is_empty());
        cache.observe_shared_again();
        assert_eq!(
            names(block_on(cache.list_service_networks()).unwrap()),
            ["theirs"]
        );
        block_on(cache.inner().create_service_network(network("later"))).unwrap();
        cache.observe_shared_again();
        assert_eq!(
            names(block_on(cache.list_service_networks()).unwrap()),
            ["theirs"],
            "a second request within SHARED_MIN_AGE keeps the fresh list"
        );
    }

    #[test]
    fn a_listing_a_write_overtook_is_not_kept() {
        let cache = CachedLattice::new(InMemoryLattice::new("123456789012", "us-west-2"));
        let doomed = block_on(cache.inner().create_service_network(network("doomed"))).unwrap();
        // The listing is read from Lattice, then (before it is stored) a
        // concurrent reconcile deletes a network through the cache.
        let listed = block_on(cache.whole(|store| &mut store.service_networks, async {
            let listed = cache.inner().list_service_networks().await;
            cache.delete_service_network(&doomed.id).await.unwrap();
            listed
        }))
        .unwrap();
        assert_eq!(names(listed), ["doomed"], "the listing is answered");
        assert!(
            block_on(cache.list_service_networks()).unwrap().is_empty(),
            "but not kept: the next read asks Lattice"
        );
    }
}
