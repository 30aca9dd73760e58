//! The cached observations and how Trellis's own writes change them.

use std::collections::HashMap;

use crate::lattice::index::KeyIndex;
use crate::lattice::model::{
    AccessLogSubscription, AuthPolicy, Listener, Resource, Rule, Service, ServiceNetwork,
    ServiceNetworkServiceAssociation, ServiceNetworkVpcAssociation, Tags, Target, TargetGroup,
    as_dyn,
};

/// What has been read, by list: `None` (or no key) means not read yet.
#[derive(Debug, Default)]
pub struct Store {
    /// When the oldest observation still held was made.
    pub since: Option<std::time::Instant>,
    /// When the shared lists (networks, target groups) were last forgotten
    /// on request.
    pub shared_since: Option<std::time::Instant>,
    /// How many writes (and forgettings) the store has seen: a listing read
    /// from Lattice while this changed may predate a write, and is not kept.
    pub writes: u64,
    pub service_networks: Option<Vec<ServiceNetwork>>,
    pub services: Option<Vec<Service>>,
    /// Lookups over `services`; cleared whenever a service leaves the list
    /// or its tags change, and whenever the list is replaced.
    pub service_index: KeyIndex<Service>,
    pub target_groups: Option<Vec<TargetGroup>>,
    /// Lookups over `target_groups`, kept as `service_index` is.
    pub target_group_index: KeyIndex<TargetGroup>,
    /// By service network id.
    pub vpc_associations: HashMap<String, Vec<ServiceNetworkVpcAssociation>>,
    /// By service id.
    pub service_associations: HashMap<String, Vec<ServiceNetworkServiceAssociation>>,
    /// By service id.
    pub listeners: HashMap<String, Vec<Listener>>,
    /// By (service id, listener id).
    pub rules: HashMap<(String, String), Vec<Rule>>,
    /// By target group id.
    pub targets: HashMap<String, Vec<Target>>,
    /// By service or service network id.
    pub auth_policies: HashMap<String, Option<AuthPolicy>>,
    /// By service or service network id.
    pub access_logs: HashMap<String, Vec<AccessLogSubscription>>,
}

/// Adds `resource` to a cached list, when it is cached.
fn push<T: Clone>(list: &mut Option<Vec<T>>, resource: &T) {
    if let Some(list) = list {
        list.push(resource.clone());
    }
}

/// Removes the resource `id` from a cached list, when it is cached.
fn remove<T: Resource>(list: &mut Option<Vec<T>>, id: &str) {
    if let Some(list) = list {
        list.retain(|resource| resource.id() != id);
    }
}

impl Store {
    /// Forgets every observation (the count of writes goes on: a listing
    /// read before is not kept either).
    pub fn reset(&mut self) {
        let writes = self.writes + 1;
        *self = Store {
            writes,
            ..Store::default()
        };
    }

    /// A service network (or service) that was just created has no
    /// associations, policies or subscriptions yet.
    pub fn created_parent(&mut self, id: &str) {
        self.auth_policies.insert(id.to_owned(), None);
        self.access_logs.insert(id.to_owned(), Vec::new());
    }

    /// A deleted service network (or service) takes its policy and
    /// subscriptions with it.
    fn deleted_parent(&mut self, id: &str) {
        self.auth_policies.remove(id);
        self.access_logs.remove(id);
    }

    pub fn created_service_network(&mut self, network: &ServiceNetwork) {
        push(&mut self.service_networks, network);
        self.vpc_associations.insert(network.id.clone(), Vec::new());
        self.created_parent(&network.id);
    }

    pub fn created_service(&mut self, service: &Service) {
        push(&mut self.services, service);
        self.service_associations
            .insert(service.id.clone(), Vec::new());
        self.listeners.insert(service.id.clone(), Vec::new());
        self.created_parent(&service.id);
    }

    pub fn created_listener(&mut self, listener: &Listener) {
        if let Some(listeners) = self.listeners.get_mut(&listener.service_id) {
            listeners.push(listener.clone());
        }
        self.rules.insert(
            (listener.service_id.clone(), listener.id.clone()),
            Vec::new(),
        );
    }

    /// A created VPC association joins its network's cached list (`key`: the
    /// identifier the request named it by), with the
    /// network's id and name as a listing answers them (the create answers
    /// neither; the request may name the network by ARN).
    pub fn created_vpc_association(&mut self, key: &str, created: &ServiceNetworkVpcAssociation) {
        let mut association = created.clone();
        let mut key = key.to_owned();
        if let Some(network) = self.service_network(&association.service_network_id) {
            association.service_network_id = network.id.clone();
            association.service_network_name = network.name.clone();
            association.service_network_arn = network.arn.clone();
            // Listed by the network's id, whatever the request named it by.
            key = network.id.clone();
        }
        if let Some(list) = self.vpc_associations.get_mut(&key) {
            list.push(association);
        }
    }

    /// A created service association joins its service's cached list (`key`:
    /// the identifier the request named it by), with
    /// the ids and names of the service and the network as a listing
    /// answers them (the create answers neither name).
    pub fn created_service_association(
        &mut self,
        key: &str,
        created: &ServiceNetworkServiceAssociation,
    ) {
        let mut association = created.clone();
        if let Some(network) = self.service_network(&association.service_network_id) {
            association.service_network_id = network.id.clone();
            association.service_network_name = network.name.clone();
        }
        if let Some(service) = self.services.iter().flatten().find(|service| {
            service.id == association.service_id || service.arn == association.service_id
        }) {
            association.service_id = service.id.clone();
            association.service_name = service.name.clone();
        }
        // Listed by the service's id, whatever the request named it by.
        let key = if association.service_id.starts_with("arn:") {
            key.to_owned()
        } else {
            association.service_id.clone()
        };
        if let Some(list) = self.service_associations.get_mut(&key) {
            list.push(association);
        }
    }

    /// The cached service network whose id or ARN is `identifier`.
    fn service_network(&self, identifier: &str) -> Option<&ServiceNetwork> {
        self.service_networks
            .iter()
            .flatten()
            .find(|network| network.id == identifier || network.arn == identifier)
    }

    pub fn created_target_group(&mut self, group: &TargetGroup) {
        push(&mut self.target_groups, group);
        self.targets.insert(group.id.clone(), Vec::new());
    }

    /// Forgets a deleted service and everything Lattice deletes with it.
    pub fn deleted_service(&mut self, service_id: &str) {
        remove(&mut self.services, service_id);
        self.service_index.clear();
        self.service_associations.remove(service_id);
        self.listeners.remove(service_id);
        self.rules.retain(|(service, _), _| service != service_id);
        self.deleted_parent(service_id);
    }

    /// Forgets a deleted service network and everything Lattice deletes
    /// with it.
    pub fn deleted_service_network(&mut self, network_id: &str) {
        remove(&mut self.service_networks, network_id);
        self.vpc_associations.remove(network_id);
        self.deleted_parent(network_id);
    }

    pub fn deleted_target_group(&mut self, group_id: &str) {
        remove(&mut self.target_groups, group_id);
        self.target_group_index.clear();
        self.targets.remove(group_id);
    }

    /// Adds or overwrites `tags` on whichever cached resource has `arn`.
    pub fn tagged(&mut self, arn: &str, tags: &Tags) {
        self.service_index.clear();
        self.target_group_index.clear();
        for resource in self
            .resources_mut()
            .filter(|resource| resource.arn() == arn)
        {
            resource.tags_mut().extend(tags.clone());
        }
    }

    /// Every cached resource that has an id, an ARN and tags.
    fn resources_mut(&mut self) -> impl Iterator<Item = &mut dyn Resource> {
        as_dyn(self.services.iter_mut().flatten())
            .chain(as_dyn(self.service_networks.iter_mut().flatten()))
            .chain(as_dyn(self.target_groups.iter_mut().flatten()))
            .chain(as_dyn(self.vpc_associations.values_mut().flatten()))
            .chain(as_dyn(self.service_associations.values_mut().flatten()))
            .chain(as_dyn(self.listeners.values_mut().flatten()))
            .chain(as_dyn(self.rules.values_mut().flatten()))
            .chain(as_dyn(self.access_logs.values_mut().flatten()))
    }
}
