//! The update and delete operations of the in-memory account, with Lattice's
//! rules: deletes cascade as `DeleteService`, `DeleteServiceNetwork` and
//! `DeleteListener` do, a target group in use cannot be deleted, a service
//! still associated with a service network cannot be deleted, nor a service
//! network still associated with a service or a VPC.

use super::lookup::{named, remove_named, require_service_or_network};
use super::{Inner, check_batch, conflict};
use crate::lattice::error::LatticeError;
use crate::lattice::model::{
    DeregisterTargetsInput, Listener, UpdateListenerInput, UpdateRuleInput, UpdateServiceInput,
    UpdateServiceNetworkVpcAssociationInput, UpdateTargetGroupInput,
};
use crate::lattice::state::LatticeState;

/// Removes the auth policy and access log subscriptions of a deleted
/// service or service network.
fn remove_attachments(state: &mut LatticeState, parent_id: &str) {
    state
        .auth_policies
        .retain(|policy| policy.resource_identifier != parent_id);
    state
        .access_log_subscriptions
        .retain(|subscription| subscription.resource_id != parent_id);
}

impl Inner {
    /// The listener `listener_identifier` names among the listeners of the
    /// service `service_identifier` names.
    fn listener_mut(
        &mut self,
        service_identifier: &str,
        listener_identifier: &str,
    ) -> Result<&mut Listener, LatticeError> {
        let service = named(&self.state.services, "SERVICE", service_identifier)?;
        let service_id = service.id.clone();
        let listeners = self
            .state_mut()
            .listeners
            .iter_mut()
            .filter(|listener| listener.service_id == service_id);
        named(listeners, "LISTENER", listener_identifier)
    }

    /// The id of the rule `rule_identifier` names among the rules of the
    /// listener `listener_id`.
    fn rule_id(&self, listener_id: &str, rule_identifier: &str) -> Result<String, LatticeError> {
        let rules = self
            .state
            .rules
            .iter()
            .filter(|rule| rule.listener_id == listener_id);
        Ok(named(rules, "RULE", rule_identifier)?.id.clone())
    }

    pub(super) fn delete_service_network(&mut self, identifier: &str) -> Result<(), LatticeError> {
        let state = &self.state;
        let network = named(&state.service_networks, "SERVICE_NETWORK", identifier)?.clone();
        let has_services = state
            .service_network_service_associations
            .iter()
            .any(|association| association.service_network_id == network.id);
        let has_vpcs = state
            .service_network_vpc_associations
            .iter()
            .any(|association| association.service_network_id == network.id);
        if has_services || has_vpcs {
            return Err(conflict(format!(
                "service network {} is still associated with a service or a VPC",
                network.name
            )));
        }
        let state = self.state_mut();
        state.service_networks.retain(|n| n.id != network.id);
        remove_attachments(state, &network.id);
        Ok(())
    }

    pub(super) fn update_vpc_association(
        &mut self,
        input: UpdateServiceNetworkVpcAssociationInput,
    ) -> Result<(), LatticeError> {
        let associations = &mut self.state_mut().service_network_vpc_associations;
        let identifier = &input.service_network_vpc_association_identifier;
        let association = named(associations, "SERVICE_NETWORK_VPC_ASSOCIATION", identifier)?;
        association.security_group_ids = input.security_group_ids;
        Ok(())
    }

    pub(super) fn delete_vpc_association(&mut self, identifier: &str) -> Result<(), LatticeError> {
        let associations = &mut self.state_mut().service_network_vpc_associations;
        remove_named(associations, "SERVICE_NETWORK_VPC_ASSOCIATION", identifier)
    }

    pub(super) fn update_service(&mut self, input: UpdateServiceInput) -> Result<(), LatticeError> {
        let services = &mut self.state_mut().services;
        let service = named(services, "SERVICE", &input.service_identifier)?;
        if let Some(auth_type) = input.auth_type {
            service.auth_type = auth_type;
        }
        if let Some(certificate_arn) = input.certificate_arn {
            service.certificate_arn = Some(certificate_arn);
        }
        Ok(())
    }

    pub(super) fn delete_service(&mut self, identifier: &str) -> Result<(), LatticeError> {
        let state = &self.state;
        let service = named(&state.services, "SERVICE", identifier)?.clone();
        if state
            .service_network_service_associations
            .iter()
            .any(|association| association.service_id == service.id)
        {
            return Err(conflict(format!(
                "service {} is still associated with a service network",
                service.name
            )));
        }
        let state = self.state_mut();
        state.services.retain(|s| s.id != service.id);
        state.listeners.retain(|l| l.service_id != service.id);
        state.rules.retain(|r| r.service_id != service.id);
        remove_attachments(state, &service.id);
        Ok(())
    }

    pub(super) fn delete_service_association(
        &mut self,
        identifier: &str,
    ) -> Result<(), LatticeError> {
        let associations = &mut self.state_mut().service_network_service_associations;
        remove_named(
            associations,
            "SERVICE_NETWORK_SERVICE_ASSOCIATION",
            identifier,
        )
    }

    pub(super) fn update_listener(
        &mut self,
        input: UpdateListenerInput,
    ) -> Result<(), LatticeError> {
        let listener = self.listener_mut(&input.service_identifier, &input.listener_identifier)?;
        listener.default_action = input.default_action;
        Ok(())
    }

    pub(super) fn delete_listener(
        &mut self,
        service_identifier: &str,
        listener_identifier: &str,
    ) -> Result<(), LatticeError> {
        let id = self
            .listener_mut(service_identifier, listener_identifier)?
            .id
            .clone();
        let state = self.state_mut();
        state.listeners.retain(|listener| listener.id != id);
        state.rules.retain(|rule| rule.listener_id != id);
        Ok(())
    }

    pub(super) fn update_rule(&mut self, input: UpdateRuleInput) -> Result<(), LatticeError> {
        let listener = self.listener_mut(&input.service_identifier, &input.listener_identifier)?;
        let listener_id = listener.id.clone();
        let rule_id = self.rule_id(&listener_id, &input.rule_identifier)?;
        let rules = &self.state.rules;
        if let Some(holder) = rules.iter().find(|rule| {
            rule.listener_id == listener_id && rule.id != rule_id && rule.priority == input.priority
        }) {
            return Err(conflict(format!(
                "priority {} is taken by rule {}",
                input.priority, holder.name
            )));
        }
        let rule = self
            .state_mut()
            .rules
            .iter_mut()
            .find(|rule| rule.id == rule_id)
            .expect("found above");
        rule.priority = input.priority;
        rule.match_ = input.match_;
        rule.action = input.action;
        Ok(())
    }

    pub(super) fn delete_rule(
        &mut self,
        service_identifier: &str,
        listener_identifier: &str,
        rule_identifier: &str,
    ) -> Result<(), LatticeError> {
        let listener = self.listener_mut(service_identifier, listener_identifier)?;
        let listener_id = listener.id.clone();
        let id = self.rule_id(&listener_id, rule_identifier)?;
        self.state_mut().rules.retain(|rule| rule.id != id);
        Ok(())
    }

    pub(super) fn update_target_group(
        &mut self,
        input: UpdateTargetGroupInput,
    ) -> Result<(), LatticeError> {
        let groups = &mut self.state_mut().target_groups;
        let group = named(groups, "TARGET_GROUP", &input.target_group_identifier)?;
        group.config.health_check = Some(input.health_check);
        Ok(())
    }

    pub(super) fn delete_target_group(&mut self, identifier: &str) -> Result<(), LatticeError> {
        let group = named(&self.state.target_groups, "TARGET_GROUP", identifier)?.clone();
        if !self.users(&group).is_empty() {
            return Err(conflict(format!(
                "target group {} is in use by a listener or rule",
                group.name
            )));
        }
        let state = self.state_mut();
        state.target_groups.retain(|g| g.id != group.id);
        state.targets.retain(|t| t.target_group_id != group.id);
        Ok(())
    }

    pub(super) fn deregister_targets(
        &mut self,
        input: DeregisterTargetsInput,
    ) -> Result<(), LatticeError> {
        check_batch(input.targets.len())?;
        let groups = &self.state.target_groups;
        let id = named(groups, "TARGET_GROUP", &input.target_group_identifier)?
            .id
            .clone();
        let entries = &mut self.state_mut().targets;
        if let Some(entry) = entries.iter_mut().find(|entry| entry.target_group_id == id) {
            entry
                .targets
                .retain(|target| !input.targets.contains(target));
        }
        entries.retain(|entry| !entry.targets.is_empty());
        Ok(())
    }

    pub(super) fn delete_auth_policy(&mut self, resource: &str) -> Result<(), LatticeError> {
        require_service_or_network(&self.state, resource)?;
        self.state_mut()
            .auth_policies
            .retain(|policy| policy.resource_identifier != resource);
        Ok(())
    }

    pub(super) fn delete_access_log_subscription(
        &mut self,
        identifier: &str,
    ) -> Result<(), LatticeError> {
        let subscriptions = &mut self.state_mut().access_log_subscriptions;
        remove_named(subscriptions, "ACCESS_LOG_SUBSCRIPTION", identifier)
    }
}
