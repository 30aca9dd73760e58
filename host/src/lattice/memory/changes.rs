//! The update and delete operations of the in-memory account, with Lattice's
//! rules: deletes cascade as `DeleteService`, `DeleteServiceNetwork` and
//! `DeleteListener` do, a target group in use cannot be deleted, a service
//! still associated with a service network cannot be deleted, nor a service
//! network still associated with a service or a VPC.

use super::{Inner, conflict, names, not_found};
use crate::lattice::error::LatticeError;
use crate::lattice::model::{
    DeregisterTargetsInput, Listener, RuleAction, Service, TargetGroup, UpdateListenerInput,
    UpdateRuleInput, UpdateServiceInput, UpdateServiceNetworkVpcAssociationInput,
    UpdateTargetGroupInput,
};
use crate::lattice::state::LatticeState;

/// Whether `action` forwards to the target group `group`.
fn forwards_to(action: &RuleAction, group: &TargetGroup) -> bool {
    match action {
        RuleAction::Forward(forward) => forward
            .target_groups
            .iter()
            .any(|weighted| names(&weighted.target_group_identifier, &group.id, &group.arn)),
        RuleAction::FixedResponse(_) => false,
    }
}

/// The ARNs of the services whose listeners or rules forward to `group`.
pub(super) fn services_using(state: &LatticeState, group: &TargetGroup) -> Vec<String> {
    let listener_services = state
        .listeners
        .iter()
        .filter(|listener| forwards_to(&listener.default_action, group))
        .map(|listener| listener.service_id.as_str());
    let rule_services = state
        .rules
        .iter()
        .filter(|rule| forwards_to(&rule.action, group))
        .map(|rule| rule.service_id.as_str());
    let mut arns: Vec<String> = listener_services
        .chain(rule_services)
        .filter_map(|id| state.services.iter().find(|service| service.id == id))
        .map(|service| service.arn.clone())
        .collect();
    arns.sort();
    arns.dedup();
    arns
}

fn service_mut<'a>(
    inner: &'a mut Inner,
    identifier: &str,
) -> Result<&'a mut Service, LatticeError> {
    inner
        .state_mut()
        .services
        .iter_mut()
        .find(|service| names(identifier, &service.id, &service.arn))
        .ok_or_else(|| not_found("SERVICE", identifier))
}

fn listener_mut<'a>(
    inner: &'a mut Inner,
    service_identifier: &str,
    listener_identifier: &str,
) -> Result<&'a mut Listener, LatticeError> {
    let service_id = service_mut(inner, service_identifier)?.id.clone();
    inner
        .state_mut()
        .listeners
        .iter_mut()
        .find(|listener| {
            listener.service_id == service_id
                && names(listener_identifier, &listener.id, &listener.arn)
        })
        .ok_or_else(|| not_found("LISTENER", listener_identifier))
}

fn target_group_mut<'a>(
    inner: &'a mut Inner,
    identifier: &str,
) -> Result<&'a mut TargetGroup, LatticeError> {
    inner
        .state_mut()
        .target_groups
        .iter_mut()
        .find(|group| names(identifier, &group.id, &group.arn))
        .ok_or_else(|| not_found("TARGET_GROUP", identifier))
}

impl Inner {
    pub(super) fn delete_service_network(&mut self, identifier: &str) -> Result<(), LatticeError> {
        let state = &self.state;
        let network = state
            .service_networks
            .iter()
            .find(|network| names(identifier, &network.id, &network.arn))
            .cloned()
            .ok_or_else(|| not_found("SERVICE_NETWORK", identifier))?;
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
        state
            .auth_policies
            .retain(|p| p.resource_identifier != network.id);
        state
            .access_log_subscriptions
            .retain(|s| s.resource_id != network.id);
        Ok(())
    }

    pub(super) fn update_vpc_association(
        &mut self,
        input: UpdateServiceNetworkVpcAssociationInput,
    ) -> Result<(), LatticeError> {
        let identifier = &input.service_network_vpc_association_identifier;
        let association = self
            .state_mut()
            .service_network_vpc_associations
            .iter_mut()
            .find(|association| names(identifier, &association.id, &association.arn))
            .ok_or_else(|| not_found("SERVICE_NETWORK_VPC_ASSOCIATION", identifier))?;
        association.security_group_ids = input.security_group_ids;
        Ok(())
    }

    pub(super) fn delete_vpc_association(&mut self, identifier: &str) -> Result<(), LatticeError> {
        let associations = &mut self.state_mut().service_network_vpc_associations;
        let before = associations.len();
        associations.retain(|association| !names(identifier, &association.id, &association.arn));
        if associations.len() == before {
            return Err(not_found("SERVICE_NETWORK_VPC_ASSOCIATION", identifier));
        }
        Ok(())
    }

    pub(super) fn update_service(&mut self, input: UpdateServiceInput) -> Result<(), LatticeError> {
        let service = service_mut(self, &input.service_identifier)?;
        if let Some(auth_type) = input.auth_type {
            service.auth_type = auth_type;
        }
        if let Some(certificate_arn) = input.certificate_arn {
            service.certificate_arn = Some(certificate_arn);
        }
        Ok(())
    }

    pub(super) fn delete_service(&mut self, identifier: &str) -> Result<(), LatticeError> {
        let service = service_mut(self, identifier)?.clone();
        let state = self.state_mut();
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
        state.services.retain(|s| s.id != service.id);
        state.listeners.retain(|l| l.service_id != service.id);
        state.rules.retain(|r| r.service_id != service.id);
        state
            .auth_policies
            .retain(|p| p.resource_identifier != service.id);
        state
            .access_log_subscriptions
            .retain(|s| s.resource_id != service.id);
        Ok(())
    }

    pub(super) fn delete_service_association(
        &mut self,
        identifier: &str,
    ) -> Result<(), LatticeError> {
        let associations = &mut self.state_mut().service_network_service_associations;
        let before = associations.len();
        associations.retain(|association| !names(identifier, &association.id, &association.arn));
        if associations.len() == before {
            return Err(not_found("SERVICE_NETWORK_SERVICE_ASSOCIATION", identifier));
        }
        Ok(())
    }

    pub(super) fn update_listener(
        &mut self,
        input: UpdateListenerInput,
    ) -> Result<(), LatticeError> {
        let listener = listener_mut(self, &input.service_identifier, &input.listener_identifier)?;
        listener.default_action = input.default_action;
        Ok(())
    }

    pub(super) fn delete_listener(
        &mut self,
        service_identifier: &str,
        listener_identifier: &str,
    ) -> Result<(), LatticeError> {
        let id = listener_mut(self, service_identifier, listener_identifier)?
            .id
            .clone();
        self.state_mut()
            .listeners
            .retain(|listener| listener.id != id);
        self.state_mut().rules.retain(|rule| rule.listener_id != id);
        Ok(())
    }

    pub(super) fn update_rule(&mut self, input: UpdateRuleInput) -> Result<(), LatticeError> {
        let listener_id =
            listener_mut(self, &input.service_identifier, &input.listener_identifier)?
                .id
                .clone();
        let identifier = &input.rule_identifier;
        let rule_id = self
            .state
            .rules
            .iter()
            .find(|rule| rule.listener_id == listener_id && names(identifier, &rule.id, &rule.arn))
            .map(|rule| rule.id.clone())
            .ok_or_else(|| not_found("RULE", identifier))?;
        if let Some(holder) = self.state.rules.iter().find(|rule| {
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
        let listener_id = listener_mut(self, service_identifier, listener_identifier)?
            .id
            .clone();
        let rules = &mut self.state_mut().rules;
        let before = rules.len();
        rules.retain(|rule| {
            !(rule.listener_id == listener_id && names(rule_identifier, &rule.id, &rule.arn))
        });
        if rules.len() == before {
            return Err(not_found("RULE", rule_identifier));
        }
        Ok(())
    }

    pub(super) fn update_target_group(
        &mut self,
        input: UpdateTargetGroupInput,
    ) -> Result<(), LatticeError> {
        let group = target_group_mut(self, &input.target_group_identifier)?;
        group.config.health_check = Some(input.health_check);
        Ok(())
    }

    pub(super) fn delete_target_group(&mut self, identifier: &str) -> Result<(), LatticeError> {
        let group = target_group_mut(self, identifier)?.clone();
        if !services_using(&self.state, &group).is_empty() {
            return Err(conflict(format!(
                "target group {} is in use by a listener or rule",
                group.name
            )));
        }
        self.state_mut().target_groups.retain(|g| g.id != group.id);
        self.state_mut()
            .targets
            .retain(|t| t.target_group_id != group.id);
        Ok(())
    }

    pub(super) fn deregister_targets(
        &mut self,
        input: DeregisterTargetsInput,
    ) -> Result<(), LatticeError> {
        super::check_batch(input.targets.len())?;
        let id = target_group_mut(self, &input.target_group_identifier)?
            .id
            .clone();
        if let Some(entry) = self
            .state_mut()
            .targets
            .iter_mut()
            .find(|entry| entry.target_group_id == id)
        {
            entry
                .targets
                .retain(|target| !input.targets.contains(target));
        }
        self.state_mut()
            .targets
            .retain(|entry| !entry.targets.is_empty());
        Ok(())
    }

    pub(super) fn delete_auth_policy(&mut self, resource: &str) -> Result<(), LatticeError> {
        super::require_service_or_network(&self.state, resource)?;
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
        let before = subscriptions.len();
        subscriptions
            .retain(|subscription| !names(identifier, &subscription.id, &subscription.arn));
        if subscriptions.len() == before {
            return Err(not_found("ACCESS_LOG_SUBSCRIPTION", identifier));
        }
        Ok(())
    }
}
