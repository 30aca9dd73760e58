//! What the text form of a plan looks up in a [`LatticeState`], grouped once
//! by the id it is looked up by, so that rendering a state is linear in its
//! size rather than a scan of the whole account per resource.
//!
//! Contract: each lookup answers what the scan it replaces answered — the
//! first match for the single lookups, every match in the state's order for
//! the grouped ones.

use std::collections::HashMap;

use trellis::lattice::LatticeState;
use trellis::lattice::TargetGroupTargets;
use trellis::lattice::model::{
    AuthPolicy, Listener, Rule, ServiceNetworkServiceAssociation, ServiceNetworkVpcAssociation,
    TargetGroup,
};

/// A state's resources by the ids the text form looks them up by.
pub struct StateIndex<'a> {
    vpc_associations: HashMap<&'a str, Vec<&'a ServiceNetworkVpcAssociation>>,
    service_associations: HashMap<&'a str, Vec<&'a ServiceNetworkServiceAssociation>>,
    auth_policies: HashMap<&'a str, &'a AuthPolicy>,
    listeners: HashMap<&'a str, Vec<&'a Listener>>,
    rules: HashMap<&'a str, Vec<&'a Rule>>,
    target_groups: HashMap<&'a str, &'a TargetGroup>,
    targets: HashMap<&'a str, &'a TargetGroupTargets>,
}

impl<'a> StateIndex<'a> {
    /// Groups `state`'s resources; one pass over each list.
    pub fn new(state: &'a LatticeState) -> Self {
        Self {
            vpc_associations: grouped(&state.service_network_vpc_associations, |association| {
                &association.service_network_id
            }),
            service_associations: grouped(
                &state.service_network_service_associations,
                |association| &association.service_network_id,
            ),
            auth_policies: first_of(&state.auth_policies, |policy| &policy.resource_identifier),
            listeners: grouped(&state.listeners, |listener| &listener.service_id),
            rules: grouped(&state.rules, |rule| &rule.listener_id),
            target_groups: first_of(&state.target_groups, |group| &group.id),
            targets: first_of(&state.targets, |targets| &targets.target_group_id),
        }
    }

    /// The VPC associations of the network `network_id`.
    pub fn vpc_associations(&self, network_id: &str) -> &[&'a ServiceNetworkVpcAssociation] {
        self.vpc_associations
            .get(network_id)
            .map_or(&[], Vec::as_slice)
    }

    /// The service associations of the network `network_id`.
    pub fn service_associations(
        &self,
        network_id: &str,
    ) -> &[&'a ServiceNetworkServiceAssociation] {
        self.service_associations
            .get(network_id)
            .map_or(&[], Vec::as_slice)
    }

    /// The auth policy of the resource `id`, if any.
    pub fn auth_policy(&self, id: &str) -> Option<&'a AuthPolicy> {
        self.auth_policies.get(id).copied()
    }

    /// The listeners of the service `service_id`.
    pub fn listeners(&self, service_id: &str) -> &[&'a Listener] {
        self.listeners.get(service_id).map_or(&[], Vec::as_slice)
    }

    /// The rules of the listener `listener_id`.
    pub fn rules(&self, listener_id: &str) -> &[&'a Rule] {
        self.rules.get(listener_id).map_or(&[], Vec::as_slice)
    }

    /// The target group `id`, if any.
    pub fn target_group(&self, id: &str) -> Option<&'a TargetGroup> {
        self.target_groups.get(id).copied()
    }

    /// The targets of the target group `id`, if listed.
    pub fn targets(&self, id: &str) -> Option<&'a TargetGroupTargets> {
        self.targets.get(id).copied()
    }
}

/// `items` grouped by `key`, each group in the order of `items`.
fn grouped<'a, T>(
    items: &'a [T],
    key: impl Fn(&'a T) -> &'a String,
) -> HashMap<&'a str, Vec<&'a T>> {
    let mut groups: HashMap<&str, Vec<&T>> = HashMap::new();
    for item in items {
        groups.entry(key(item)).or_default().push(item);
    }
    groups
}

/// The first of `items` for each `key`.
fn first_of<'a, T>(items: &'a [T], key: impl Fn(&'a T) -> &'a String) -> HashMap<&'a str, &'a T> {
    let mut firsts = HashMap::new();
    for item in items {
        firsts.entry(key(item).as_str()).or_insert(item);
    }
    firsts
}
