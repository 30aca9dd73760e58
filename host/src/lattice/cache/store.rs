//! The cached observations and how Trellis's own writes change them.

use std::collections::HashMap;

use crate::lattice::model::{
    AccessLogSubscription, AuthPolicy, Listener, Rule, Service, ServiceNetwork,
    ServiceNetworkServiceAssociation, ServiceNetworkVpcAssociation, Tags, Target, TargetGroup,
};

/// What has been read, by list: `None` (or no key) means not read yet.
#[derive(Debug, Default)]
pub struct Store {
    /// When the oldest observation still held was made.
    pub since: Option<std::time::Instant>,
    /// When the shared lists (networks, target groups) were last forgotten
    /// on request.
    pub shared_since: Option<std::time::Instant>,
    pub service_networks: Option<Vec<ServiceNetwork>>,
    pub services: Option<Vec<Service>>,
    pub target_groups: Option<Vec<TargetGroup>>,
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

/// Applies `change` to every item of a cached list matching `pick`.
fn each<T>(list: Option<&mut Vec<T>>, pick: impl Fn(&T) -> bool, change: impl Fn(&mut T)) {
    for item in list.into_iter().flatten().filter(|item| pick(item)) {
        change(item);
    }
}

impl Store {
    /// A service network (or service) that was just created has no
    /// associations, policies or subscriptions yet.
    pub fn created_parent(&mut self, id: &str) {
        self.auth_policies.insert(id.to_owned(), None);
        self.access_logs.insert(id.to_owned(), Vec::new());
    }

    pub fn created_service_network(&mut self, network: &ServiceNetwork) {
        if let Some(networks) = &mut self.service_networks {
            networks.push(network.clone());
        }
        self.vpc_associations.insert(network.id.clone(), Vec::new());
        self.created_parent(&network.id);
    }

    pub fn created_service(&mut self, service: &Service) {
        if let Some(services) = &mut self.services {
            services.push(service.clone());
        }
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

    pub fn created_target_group(&mut self, group: &TargetGroup) {
        if let Some(groups) = &mut self.target_groups {
            groups.push(group.clone());
        }
        self.targets.insert(group.id.clone(), Vec::new());
    }

    /// Forgets a deleted service and everything Lattice deletes with it.
    pub fn deleted_service(&mut self, service_id: &str) {
        if let Some(services) = &mut self.services {
            services.retain(|service| service.id != service_id);
        }
        self.service_associations.remove(service_id);
        self.listeners.remove(service_id);
        self.rules.retain(|(service, _), _| service != service_id);
        self.auth_policies.remove(service_id);
        self.access_logs.remove(service_id);
    }

    /// Forgets a deleted service network and everything Lattice deletes
    /// with it.
    pub fn deleted_service_network(&mut self, network_id: &str) {
        if let Some(networks) = &mut self.service_networks {
            networks.retain(|network| network.id != network_id);
        }
        self.vpc_associations.remove(network_id);
        self.auth_policies.remove(network_id);
        self.access_logs.remove(network_id);
    }

    pub fn deleted_target_group(&mut self, group_id: &str) {
        if let Some(groups) = &mut self.target_groups {
            groups.retain(|group| group.id != group_id);
        }
        self.targets.remove(group_id);
    }

    /// Adds or overwrites `tags` on whichever cached resource has `arn`.
    pub fn tagged(&mut self, arn: &str, tags: &Tags) {
        let add = |existing: &mut Tags| existing.extend(tags.clone());
        each(
            self.services.as_mut(),
            |r| r.arn == arn,
            |r| add(&mut r.tags),
        );
        each(
            self.service_networks.as_mut(),
            |r| r.arn == arn,
            |r| add(&mut r.tags),
        );
        each(
            self.target_groups.as_mut(),
            |r| r.arn == arn,
            |r| add(&mut r.tags),
        );
        for list in self.vpc_associations.values_mut() {
            each(Some(list), |r| r.arn == arn, |r| add(&mut r.tags));
        }
        for list in self.service_associations.values_mut() {
            each(Some(list), |r| r.arn == arn, |r| add(&mut r.tags));
        }
        for list in self.listeners.values_mut() {
            each(Some(list), |r| r.arn == arn, |r| add(&mut r.tags));
        }
        for list in self.rules.values_mut() {
            each(Some(list), |r| r.arn == arn, |r| add(&mut r.tags));
        }
        for list in self.access_logs.values_mut() {
            each(Some(list), |r| r.arn == arn, |r| add(&mut r.tags));
        }
    }
}
