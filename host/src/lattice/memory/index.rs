//! The in-memory account's lookup indexes: resources by id, ARN, name,
//! parent, tag and the target groups they forward to, so that no operation
//! scans a whole list of the account.
//!
//! Contract: [`Index`] follows [`KeyIndex`]'s rule. [`super::Inner`] clears
//! it on every write except appends (creates, new target entries) and
//! writes to fields no key reads (targets of an existing entry, auth
//! policies), so a plan that only creates never rebuilds it.

use std::sync::Arc;

use crate::lattice::index::{KeyIndex, Keyed, id_key, identifier_key, name_key, tag_query};
use crate::lattice::model::{Listener, Rule, RuleAction, Service, TargetGroup};
use crate::lattice::state::TargetGroupTargets;

/// The key of the children of the parent `parent_id`.
pub(super) fn parent_key(parent_id: &str) -> String {
    format!("parent:{parent_id}")
}

/// The key of what forwards to the target group `identifier` (id or ARN).
pub(super) fn forward_key(identifier: &str) -> String {
    format!("to:{identifier}")
}

fn forward_keys(action: &RuleAction) -> Vec<String> {
    match action {
        RuleAction::Forward(forward) => forward
            .target_groups
            .iter()
            .map(|weighted| forward_key(&weighted.target_group_identifier))
            .collect(),
        RuleAction::FixedResponse(_) => Vec::new(),
    }
}

impl Keyed for Listener {
    fn keys(&self) -> Vec<String> {
        let mut keys = vec![
            id_key(&self.id),
            self.arn.clone(),
            parent_key(&self.service_id),
        ];
        keys.extend(forward_keys(&self.default_action));
        keys
    }
}

impl Keyed for Rule {
    fn keys(&self) -> Vec<String> {
        let mut keys = vec![
            id_key(&self.id),
            self.arn.clone(),
            parent_key(&self.listener_id),
        ];
        keys.extend(forward_keys(&self.action));
        keys
    }
}

impl Keyed for TargetGroupTargets {
    fn keys(&self) -> Vec<String> {
        vec![parent_key(&self.target_group_id)]
    }
}

/// The indexes of the lists that grow with the mesh.
#[derive(Debug, Default)]
pub(super) struct Index {
    pub services: KeyIndex<Service>,
    pub listeners: KeyIndex<Listener>,
    pub rules: KeyIndex<Rule>,
    pub target_groups: KeyIndex<TargetGroup>,
    pub targets: KeyIndex<TargetGroupTargets>,
}

impl Index {
    /// Forgets every index (after a write that may have changed a key).
    pub fn clear(&mut self) {
        self.services.clear();
        self.listeners.clear();
        self.rules.clear();
        self.target_groups.clear();
        self.targets.clear();
    }
}

impl super::Inner {
    /// The service `identifier` (id or ARN) names.
    pub(super) fn service(&mut self, identifier: &str) -> Option<&Service> {
        let key = identifier_key(identifier);
        self.index.services.first(&self.state.services, &key)
    }

    /// The listener `identifier` (id or ARN) names.
    pub(super) fn listener(&mut self, identifier: &str) -> Option<&Listener> {
        let key = identifier_key(identifier);
        self.index.listeners.first(&self.state.listeners, &key)
    }

    /// The target group `identifier` (id or ARN) names.
    pub(super) fn target_group(&mut self, identifier: &str) -> Option<&TargetGroup> {
        let key = identifier_key(identifier);
        self.index
            .target_groups
            .first(&self.state.target_groups, &key)
    }

    /// The listeners of the service `service_id`, in creation order.
    pub(super) fn listeners_of(&mut self, service_id: &str) -> Vec<&Listener> {
        let key = parent_key(service_id);
        self.index
            .listeners
            .find(&self.state.listeners, &key)
            .collect()
    }

    /// The rules of the listener `listener_id`, in creation order.
    pub(super) fn rules_of(&mut self, listener_id: &str) -> Vec<&Rule> {
        let key = parent_key(listener_id);
        self.index.rules.find(&self.state.rules, &key).collect()
    }

    /// The position in `state.targets` of the entry of group `group_id`.
    pub(super) fn targets_position(&mut self, group_id: &str) -> Option<usize> {
        let key = parent_key(group_id);
        self.index
            .targets
            .positions(&self.state.targets, &key)
            .first()
            .copied()
    }

    /// The ARNs of the services whose listeners or rules forward to
    /// `group`, sorted.
    pub(super) fn users(&mut self, group: &TargetGroup) -> Vec<String> {
        let mut service_ids: Vec<String> = Vec::new();
        for identifier in [&group.id, &group.arn] {
            let key = forward_key(identifier);
            let listeners = self.index.listeners.find(&self.state.listeners, &key);
            service_ids.extend(listeners.map(|listener| listener.service_id.clone()));
            let rules = self.index.rules.find(&self.state.rules, &key);
            service_ids.extend(rules.map(|rule| rule.service_id.clone()));
        }
        let mut arns: Vec<String> = service_ids
            .iter()
            .filter_map(|id| self.service(id).map(|service| service.arn.clone()))
            .collect();
        arns.sort();
        arns.dedup();
        arns
    }

    /// `group` with the ARNs of the services that use it.
    pub(super) fn with_users(&mut self, group: &TargetGroup) -> TargetGroup {
        TargetGroup {
            service_arns: self.users(group),
            ..group.clone()
        }
    }

    /// The services that hold every tag of `tags`.
    pub(super) fn services_tagged(&mut self, tags: &[(&str, &str)]) -> Vec<Service> {
        let keys = tag_query(tags);
        self.index
            .services
            .with_all(&self.state.services, &keys)
            .into_iter()
            .cloned()
            .collect()
    }

    /// The target groups that hold every tag of `tags`, with their users.
    pub(super) fn target_groups_tagged(&mut self, tags: &[(&str, &str)]) -> Vec<TargetGroup> {
        let keys = tag_query(tags);
        let state = Arc::clone(&self.state);
        let found = self
            .index
            .target_groups
            .with_all(&state.target_groups, &keys);
        found
            .into_iter()
            .map(|group| self.with_users(group))
            .collect()
    }

    /// Whether a service named `name` exists.
    pub(super) fn has_service_named(&mut self, name: &str) -> bool {
        let key = name_key(name);
        !self
            .index
            .services
            .positions(&self.state.services, &key)
            .is_empty()
    }

    /// Whether a target group named `name` exists.
    pub(super) fn has_target_group_named(&mut self, name: &str) -> bool {
        let key = name_key(name);
        !self
            .index
            .target_groups
            .positions(&self.state.target_groups, &key)
            .is_empty()
    }
}
