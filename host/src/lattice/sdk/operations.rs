//! The [`Lattice`] operations, one SDK call (or list-and-detail) each.

use async_trait::async_trait;
use aws_sdk_vpclattice::types as sdk;

use super::SdkLattice;
use super::convert::{
    from_sdk_action, from_sdk_config, from_sdk_match, to_sdk_action, to_sdk_config,
    to_sdk_health_check, to_sdk_match, to_sdk_tags, to_sdk_targets,
};
use super::errors::lattice_error;
use crate::lattice::api::Lattice;
use crate::lattice::error::LatticeError;
use crate::lattice::model::{
    AccessLogSubscription, AuthPolicy, CreateAccessLogSubscriptionInput, CreateListenerInput,
    CreateRuleInput, CreateServiceInput, CreateServiceNetworkInput,
    CreateServiceNetworkServiceAssociationInput, CreateServiceNetworkVpcAssociationInput,
    CreateTargetGroupInput, DeregisterTargetsInput, DnsEntry, Listener, PutAuthPolicyInput,
    RegisterTargetsInput, Rule, Service, ServiceNetwork, ServiceNetworkServiceAssociation,
    ServiceNetworkVpcAssociation, TagResourceInput, Target, TargetGroup, UpdateListenerInput,
    UpdateRuleInput, UpdateServiceInput, UpdateServiceNetworkInput,
    UpdateServiceNetworkVpcAssociationInput, UpdateTargetGroupInput,
};

/// The items of a list page: a list member the API model marks required or
/// optional.
trait PageItems<T> {
    fn into_items(self) -> Vec<T>;
}

impl<T> PageItems<T> for Vec<T> {
    fn into_items(self) -> Vec<T> {
        self
    }
}

impl<T> PageItems<T> for Option<Vec<T>> {
    fn into_items(self) -> Vec<T> {
        self.unwrap_or_default()
    }
}

/// Every item of a paginated list: `$request` is the request without its
/// token; a failure names `$resource` `$identifier`.
macro_rules! every_page {
    ($self:ident, $request:expr, $resource:expr, $identifier:expr) => {
        $self
            .all_pages(|token| async move {
                let page = $request
                    .set_next_token(token)
                    .send()
                    .await
                    .map_err(|error| lattice_error(error, $resource, $identifier))?;
                Ok((PageItems::into_items(page.items), page.next_token))
            })
            .await?
    };
}

fn text(value: Option<&str>) -> String {
    value.unwrap_or_default().to_owned()
}

fn port(value: Option<i32>) -> u16 {
    value
        .and_then(|port| u16::try_from(port).ok())
        .unwrap_or_default()
}

fn dns_entry(entry: Option<&sdk::DnsEntry>) -> DnsEntry {
    DnsEntry {
        domain_name: text(entry.and_then(sdk::DnsEntry::domain_name)),
        hosted_zone_id: text(entry.and_then(sdk::DnsEntry::hosted_zone_id)),
    }
}

/// `Validation` when `targets` cannot be one Register/DeregisterTargets call
/// answered fully: some target failed.
fn check_failures(failures: &[sdk::TargetFailure]) -> Result<(), LatticeError> {
    match failures.first() {
        None => Ok(()),
        Some(failure) => Err(LatticeError::Validation {
            field: format!("targets[{}]", failure.id().unwrap_or_default()),
            message: failure.failure_message().unwrap_or_default().to_owned(),
        }),
    }
}

#[async_trait]
impl Lattice for SdkLattice {
    async fn list_service_networks(&self) -> Result<Vec<ServiceNetwork>, LatticeError> {
        let summaries = every_page!(
            self,
            self.client.list_service_networks(),
            "SERVICE_NETWORK",
            ""
        );
        self.details(summaries, |summary| async move {
            let id = text(summary.id());
            self.permit().await;
            let network = self
                .client
                .get_service_network()
                .service_network_identifier(&id)
                .send()
                .await
                .map_err(|error| lattice_error(error, "SERVICE_NETWORK", &id))?;
            let arn = text(network.arn());
            Ok(ServiceNetwork {
                tags: self.tags(&arn).await?,
                id,
                arn,
                name: text(network.name()),
                auth_type: text(network.auth_type().map(sdk::AuthType::as_str)),
            })
        })
        .await
    }

    async fn create_service_network(
        &self,
        input: CreateServiceNetworkInput,
    ) -> Result<ServiceNetwork, LatticeError> {
        self.permit().await;
        let created = self
            .client
            .create_service_network()
            .name(&input.name)
            .auth_type(sdk::AuthType::from(input.auth_type.as_str()))
            .set_tags(to_sdk_tags(&input.tags))
            .send()
            .await
            .map_err(|error| lattice_error(error, "SERVICE_NETWORK", &input.name))?;
        Ok(ServiceNetwork {
            id: text(created.id()),
            arn: text(created.arn()),
            name: input.name,
            auth_type: input.auth_type,
            tags: input.tags,
        })
    }

    async fn list_service_network_vpc_associations(
        &self,
        service_network_id: &str,
    ) -> Result<Vec<ServiceNetworkVpcAssociation>, LatticeError> {
        let summaries = every_page!(
            self,
            self.client
                .list_service_network_vpc_associations()
                .service_network_identifier(service_network_id),
            "SERVICE_NETWORK",
            service_network_id
        );
        self.details(summaries, |summary| async move {
            let id = text(summary.id());
            self.permit().await;
            let association = self
                .client
                .get_service_network_vpc_association()
                .service_network_vpc_association_identifier(&id)
                .send()
                .await
                .map_err(|error| lattice_error(error, "SERVICE_NETWORK_VPC_ASSOCIATION", &id))?;
            let arn = text(association.arn());
            Ok(ServiceNetworkVpcAssociation {
                tags: self.tags(&arn).await?,
                id,
                arn,
                service_network_id: text(association.service_network_id()),
                service_network_name: text(association.service_network_name()),
                vpc_id: text(association.vpc_id()),
                security_group_ids: association.security_group_ids().to_vec(),
                status: text(association.status().map(|status| status.as_str())),
            })
        })
        .await
    }

    async fn create_service_network_vpc_association(
        &self,
        input: CreateServiceNetworkVpcAssociationInput,
    ) -> Result<ServiceNetworkVpcAssociation, LatticeError> {
        self.permit().await;
        let network = &input.service_network_identifier;
        let created = self
            .client
            .create_service_network_vpc_association()
            .service_network_identifier(network)
            .vpc_identifier(&input.vpc_identifier)
            .set_security_group_ids(
                (!input.security_group_ids.is_empty()).then(|| input.security_group_ids.clone()),
            )
            .set_tags(to_sdk_tags(&input.tags))
            .send()
            .await
            .map_err(|error| lattice_error(error, "SERVICE_NETWORK", network))?;
        Ok(ServiceNetworkVpcAssociation {
            id: text(created.id()),
            arn: text(created.arn()),
            service_network_id: input.service_network_identifier,
            service_network_name: String::new(),
            vpc_id: input.vpc_identifier,
            security_group_ids: input.security_group_ids,
            status: text(created.status().map(|status| status.as_str())),
            tags: input.tags,
        })
    }

    async fn list_services(&self) -> Result<Vec<Service>, LatticeError> {
        let summaries = every_page!(self, self.client.list_services(), "SERVICE", "");
        self.details(summaries, |summary| async move {
            let id = text(summary.id());
            self.permit().await;
            let service = self
                .client
                .get_service()
                .service_identifier(&id)
                .send()
                .await
                .map_err(|error| lattice_error(error, "SERVICE", &id))?;
            let arn = text(service.arn());
            Ok(Service {
                tags: self.tags(&arn).await?,
                id,
                arn,
                name: text(service.name()),
                custom_domain_name: service.custom_domain_name().map(str::to_owned),
                certificate_arn: service
                    .certificate_arn()
                    .filter(|arn| !arn.is_empty())
                    .map(str::to_owned),
                auth_type: text(service.auth_type().map(sdk::AuthType::as_str)),
                dns_entry: dns_entry(service.dns_entry()),
                status: text(service.status().map(sdk::ServiceStatus::as_str)),
            })
        })
        .await
    }

    async fn create_service(&self, input: CreateServiceInput) -> Result<Service, LatticeError> {
        self.permit().await;
        let created = self
            .client
            .create_service()
            .name(&input.name)
            .set_custom_domain_name(input.custom_domain_name.clone())
            .set_certificate_arn(input.certificate_arn.clone())
            .auth_type(sdk::AuthType::from(input.auth_type.as_str()))
            .set_tags(to_sdk_tags(&input.tags))
            .send()
            .await
            .map_err(|error| lattice_error(error, "SERVICE", &input.name))?;
        Ok(Service {
            id: text(created.id()),
            arn: text(created.arn()),
            dns_entry: dns_entry(created.dns_entry()),
            status: text(created.status().map(sdk::ServiceStatus::as_str)),
            name: input.name,
            custom_domain_name: input.custom_domain_name,
            certificate_arn: input.certificate_arn,
            auth_type: input.auth_type,
            tags: input.tags,
        })
    }

    async fn list_service_network_service_associations(
        &self,
        service_id: &str,
    ) -> Result<Vec<ServiceNetworkServiceAssociation>, LatticeError> {
        let summaries = every_page!(
            self,
            self.client
                .list_service_network_service_associations()
                .service_identifier(service_id),
            "SERVICE",
            service_id
        );
        self.details(summaries, |summary| async move {
            let arn = text(summary.arn());
            Ok(ServiceNetworkServiceAssociation {
                tags: self.tags(&arn).await?,
                id: text(summary.id()),
                arn,
                service_id: text(summary.service_id()),
                service_name: text(summary.service_name()),
                service_network_id: text(summary.service_network_id()),
                service_network_name: text(summary.service_network_name()),
                status: text(summary.status().map(|status| status.as_str())),
            })
        })
        .await
    }

    async fn create_service_network_service_association(
        &self,
        input: CreateServiceNetworkServiceAssociationInput,
    ) -> Result<ServiceNetworkServiceAssociation, LatticeError> {
        self.permit().await;
        let created = self
            .client
            .create_service_network_service_association()
            .service_identifier(&input.service_identifier)
            .service_network_identifier(&input.service_network_identifier)
            .set_tags(to_sdk_tags(&input.tags))
            .send()
            .await
            .map_err(|error| lattice_error(error, "SERVICE", &input.service_identifier))?;
        Ok(ServiceNetworkServiceAssociation {
            id: text(created.id()),
            arn: text(created.arn()),
            service_id: input.service_identifier,
            service_name: String::new(),
            service_network_id: input.service_network_identifier,
            service_network_name: String::new(),
            status: text(created.status().map(|status| status.as_str())),
            tags: input.tags,
        })
    }

    async fn list_listeners(&self, service_id: &str) -> Result<Vec<Listener>, LatticeError> {
        let summaries = every_page!(
            self,
            self.client.list_listeners().service_identifier(service_id),
            "SERVICE",
            service_id
        );
        self.details(summaries, |summary| async move {
            let id = text(summary.id());
            self.permit().await;
            let listener = self
                .client
                .get_listener()
                .service_identifier(service_id)
                .listener_identifier(&id)
                .send()
                .await
                .map_err(|error| lattice_error(error, "LISTENER", &id))?;
            let arn = text(listener.arn());
            Ok(Listener {
                tags: self.tags(&arn).await?,
                id,
                arn,
                name: text(listener.name()),
                service_id: service_id.to_owned(),
                port: port(listener.port()),
                protocol: text(listener.protocol().map(sdk::ListenerProtocol::as_str)),
                default_action: from_sdk_action(listener.default_action()),
            })
        })
        .await
    }

    async fn create_listener(&self, input: CreateListenerInput) -> Result<Listener, LatticeError> {
        let default_action = to_sdk_action(&input.default_action)?;
        self.permit().await;
        let created = self
            .client
            .create_listener()
            .service_identifier(&input.service_identifier)
            .name(&input.name)
            .port(i32::from(input.port))
            .protocol(sdk::ListenerProtocol::from(input.protocol.as_str()))
            .default_action(default_action)
            .set_tags(to_sdk_tags(&input.tags))
            .send()
            .await
            .map_err(|error| lattice_error(error, "SERVICE", &input.service_identifier))?;
        Ok(Listener {
            id: text(created.id()),
            arn: text(created.arn()),
            name: input.name,
            service_id: text(created.service_id()),
            port: input.port,
            protocol: input.protocol,
            default_action: input.default_action,
            tags: input.tags,
        })
    }

    async fn list_rules(
        &self,
        service_id: &str,
        listener_id: &str,
    ) -> Result<Vec<Rule>, LatticeError> {
        let summaries = every_page!(
            self,
            self.client
                .list_rules()
                .service_identifier(service_id)
                .listener_identifier(listener_id),
            "LISTENER",
            listener_id
        );
        let rules = summaries
            .into_iter()
            .filter(|summary| summary.is_default() != Some(true))
            .collect();
        self.details(rules, |summary| async move {
            let id = text(summary.id());
            self.permit().await;
            let rule = self
                .client
                .get_rule()
                .service_identifier(service_id)
                .listener_identifier(listener_id)
                .rule_identifier(&id)
                .send()
                .await
                .map_err(|error| lattice_error(error, "RULE", &id))?;
            let arn = text(rule.arn());
            Ok(Rule {
                tags: self.tags(&arn).await?,
                id,
                arn,
                name: text(rule.name()),
                service_id: service_id.to_owned(),
                listener_id: listener_id.to_owned(),
                priority: rule
                    .priority()
                    .and_then(|priority| u32::try_from(priority).ok())
                    .unwrap_or_default(),
                match_: from_sdk_match(rule.r#match()),
                action: from_sdk_action(rule.action()),
            })
        })
        .await
    }

    async fn create_rule(&self, input: CreateRuleInput) -> Result<Rule, LatticeError> {
        let rule_match = to_sdk_match(&input.match_)?;
        let action = to_sdk_action(&input.action)?;
        self.permit().await;
        let created = self
            .client
            .create_rule()
            .service_identifier(&input.service_identifier)
            .listener_identifier(&input.listener_identifier)
            .name(&input.name)
            .priority(i32::try_from(input.priority).unwrap_or(i32::MAX))
            .r#match(rule_match)
            .action(action)
            .set_tags(to_sdk_tags(&input.tags))
            .send()
            .await
            .map_err(|error| lattice_error(error, "LISTENER", &input.listener_identifier))?;
        Ok(Rule {
            id: text(created.id()),
            arn: text(created.arn()),
            name: input.name,
            service_id: input.service_identifier,
            listener_id: input.listener_identifier,
            priority: input.priority,
            match_: input.match_,
            action: input.action,
            tags: input.tags,
        })
    }

    async fn list_target_groups(&self) -> Result<Vec<TargetGroup>, LatticeError> {
        let summaries = every_page!(self, self.client.list_target_groups(), "TARGET_GROUP", "");
        self.details(summaries, |summary| async move {
            let id = text(summary.id());
            self.permit().await;
            let group = self
                .client
                .get_target_group()
                .target_group_identifier(&id)
                .send()
                .await
                .map_err(|error| lattice_error(error, "TARGET_GROUP", &id))?;
            let arn = text(group.arn());
            Ok(TargetGroup {
                tags: self.tags(&arn).await?,
                id,
                arn,
                name: text(group.name()),
                type_: text(group.r#type().map(sdk::TargetGroupType::as_str)),
                config: from_sdk_config(group.config()),
                status: text(group.status().map(sdk::TargetGroupStatus::as_str)),
                service_arns: group.service_arns().to_vec(),
            })
        })
        .await
    }

    async fn create_target_group(
        &self,
        input: CreateTargetGroupInput,
    ) -> Result<TargetGroup, LatticeError> {
        self.permit().await;
        let created = self
            .client
            .create_target_group()
            .name(&input.name)
            .r#type(sdk::TargetGroupType::from(input.type_.as_str()))
            .config(to_sdk_config(&input.config))
            .set_tags(to_sdk_tags(&input.tags))
            .send()
            .await
            .map_err(|error| lattice_error(error, "TARGET_GROUP", &input.name))?;
        Ok(TargetGroup {
            id: text(created.id()),
            arn: text(created.arn()),
            status: text(created.status().map(sdk::TargetGroupStatus::as_str)),
            name: input.name,
            type_: input.type_,
            config: input.config,
            tags: input.tags,
            service_arns: Vec::new(),
        })
    }

    async fn list_targets(&self, target_group_id: &str) -> Result<Vec<Target>, LatticeError> {
        let summaries = every_page!(
            self,
            self.client
                .list_targets()
                .target_group_identifier(target_group_id),
            "TARGET_GROUP",
            target_group_id
        );
        let mut targets: Vec<Target> = summaries
            .iter()
            .filter(|summary| summary.status() != Some(&sdk::TargetStatus::Draining))
            .map(|summary| Target {
                id: text(summary.id()),
                port: port(summary.port()),
            })
            .collect();
        targets.sort();
        Ok(targets)
    }

    async fn register_targets(&self, input: RegisterTargetsInput) -> Result<(), LatticeError> {
        let targets = to_sdk_targets(&input.targets)?;
        self.permit().await;
        let group = &input.target_group_identifier;
        let output = self
            .client
            .register_targets()
            .target_group_identifier(group)
            .set_targets(Some(targets))
            .send()
            .await
            .map_err(|error| lattice_error(error, "TARGET_GROUP", group))?;
        check_failures(output.unsuccessful())
    }

    async fn get_auth_policy(
        &self,
        resource_identifier: &str,
    ) -> Result<Option<AuthPolicy>, LatticeError> {
        self.permit().await;
        let result = self
            .client
            .get_auth_policy()
            .resource_identifier(resource_identifier)
            .send()
            .await
            .map_err(|error| lattice_error(error, "AUTH_POLICY", resource_identifier));
        match result {
            Ok(output) => Ok(output.policy().map(|policy| AuthPolicy {
                resource_identifier: resource_identifier.to_owned(),
                policy: policy.to_owned(),
                state: text(output.state().map(sdk::AuthPolicyState::as_str)),
            })),
            Err(LatticeError::NotFound { .. }) => Ok(None),
            Err(error) => Err(error),
        }
    }

    async fn put_auth_policy(&self, input: PutAuthPolicyInput) -> Result<AuthPolicy, LatticeError> {
        self.permit().await;
        let resource = &input.resource_identifier;
        let output = self
            .client
            .put_auth_policy()
            .resource_identifier(resource)
            .policy(&input.policy)
            .send()
            .await
            .map_err(|error| lattice_error(error, "SERVICE", resource))?;
        Ok(AuthPolicy {
            state: text(output.state().map(sdk::AuthPolicyState::as_str)),
            resource_identifier: input.resource_identifier,
            policy: input.policy,
        })
    }

    async fn update_service_network(
        &self,
        input: UpdateServiceNetworkInput,
    ) -> Result<(), LatticeError> {
        self.permit().await;
        let network = &input.service_network_identifier;
        self.client
            .update_service_network()
            .service_network_identifier(network)
            .auth_type(sdk::AuthType::from(input.auth_type.as_str()))
            .send()
            .await
            .map_err(|error| lattice_error(error, "SERVICE_NETWORK", network))?;
        Ok(())
    }

    async fn delete_service_network(&self, service_network_id: &str) -> Result<(), LatticeError> {
        self.permit().await;
        self.client
            .delete_service_network()
            .service_network_identifier(service_network_id)
            .send()
            .await
            .map_err(|error| lattice_error(error, "SERVICE_NETWORK", service_network_id))?;
        Ok(())
    }

    async fn tag_resource(&self, input: TagResourceInput) -> Result<(), LatticeError> {
        self.permit().await;
        let arn = &input.resource_arn;
        self.client
            .tag_resource()
            .resource_arn(arn)
            .set_tags(to_sdk_tags(&input.tags))
            .send()
            .await
            .map_err(|error| lattice_error(error, "RESOURCE", arn))?;
        Ok(())
    }

    async fn list_access_log_subscriptions(
        &self,
        resource_identifier: &str,
    ) -> Result<Vec<AccessLogSubscription>, LatticeError> {
        let summaries = every_page!(
            self,
            self.client
                .list_access_log_subscriptions()
                .resource_identifier(resource_identifier),
            "SERVICE",
            resource_identifier
        );
        self.details(summaries, |summary| async move {
            Ok(AccessLogSubscription {
                tags: self.tags(summary.arn()).await?,
                id: summary.id().to_owned(),
                arn: summary.arn().to_owned(),
                resource_id: summary.resource_id().to_owned(),
                destination_arn: summary.destination_arn().to_owned(),
            })
        })
        .await
    }

    async fn create_access_log_subscription(
        &self,
        input: CreateAccessLogSubscriptionInput,
    ) -> Result<AccessLogSubscription, LatticeError> {
        self.permit().await;
        let resource = &input.resource_identifier;
        let created = self
            .client
            .create_access_log_subscription()
            .resource_identifier(resource)
            .destination_arn(&input.destination_arn)
            .set_tags(to_sdk_tags(&input.tags))
            .send()
            .await
            .map_err(|error| lattice_error(error, "SERVICE", resource))?;
        Ok(AccessLogSubscription {
            id: created.id().to_owned(),
            arn: created.arn().to_owned(),
            resource_id: created.resource_id().to_owned(),
            destination_arn: input.destination_arn,
            tags: input.tags,
        })
    }

    async fn update_service_network_vpc_association(
        &self,
        input: UpdateServiceNetworkVpcAssociationInput,
    ) -> Result<(), LatticeError> {
        self.permit().await;
        let association = &input.service_network_vpc_association_identifier;
        self.client
            .update_service_network_vpc_association()
            .service_network_vpc_association_identifier(association)
            .set_security_group_ids(Some(input.security_group_ids.clone()))
            .send()
            .await
            .map_err(|error| {
                lattice_error(error, "SERVICE_NETWORK_VPC_ASSOCIATION", association)
            })?;
        Ok(())
    }

    async fn delete_service_network_vpc_association(
        &self,
        association_id: &str,
    ) -> Result<(), LatticeError> {
        self.permit().await;
        self.client
            .delete_service_network_vpc_association()
            .service_network_vpc_association_identifier(association_id)
            .send()
            .await
            .map_err(|error| {
                lattice_error(error, "SERVICE_NETWORK_VPC_ASSOCIATION", association_id)
            })?;
        Ok(())
    }

    async fn update_service(&self, input: UpdateServiceInput) -> Result<(), LatticeError> {
        self.permit().await;
        let service = &input.service_identifier;
        self.client
            .update_service()
            .service_identifier(service)
            .set_auth_type(input.auth_type.as_deref().map(sdk::AuthType::from))
            .set_certificate_arn(input.certificate_arn.clone())
            .send()
            .await
            .map_err(|error| lattice_error(error, "SERVICE", service))?;
        Ok(())
    }

    async fn delete_service(&self, service_id: &str) -> Result<(), LatticeError> {
        self.permit().await;
        self.client
            .delete_service()
            .service_identifier(service_id)
            .send()
            .await
            .map_err(|error| lattice_error(error, "SERVICE", service_id))?;
        Ok(())
    }

    async fn delete_service_network_service_association(
        &self,
        association_id: &str,
    ) -> Result<(), LatticeError> {
        self.permit().await;
        self.client
            .delete_service_network_service_association()
            .service_network_service_association_identifier(association_id)
            .send()
            .await
            .map_err(|error| {
                lattice_error(error, "SERVICE_NETWORK_SERVICE_ASSOCIATION", association_id)
            })?;
        Ok(())
    }

    async fn update_listener(&self, input: UpdateListenerInput) -> Result<(), LatticeError> {
        let action = to_sdk_action(&input.default_action)?;
        self.permit().await;
        let listener = &input.listener_identifier;
        self.client
            .update_listener()
            .service_identifier(&input.service_identifier)
            .listener_identifier(listener)
            .default_action(action)
            .send()
            .await
            .map_err(|error| lattice_error(error, "LISTENER", listener))?;
        Ok(())
    }

    async fn delete_listener(
        &self,
        service_id: &str,
        listener_id: &str,
    ) -> Result<(), LatticeError> {
        self.permit().await;
        self.client
            .delete_listener()
            .service_identifier(service_id)
            .listener_identifier(listener_id)
            .send()
            .await
            .map_err(|error| lattice_error(error, "LISTENER", listener_id))?;
        Ok(())
    }

    async fn update_rule(&self, input: UpdateRuleInput) -> Result<(), LatticeError> {
        let rule_match = to_sdk_match(&input.match_)?;
        let action = to_sdk_action(&input.action)?;
        self.permit().await;
        let rule = &input.rule_identifier;
        self.client
            .update_rule()
            .service_identifier(&input.service_identifier)
            .listener_identifier(&input.listener_identifier)
            .rule_identifier(rule)
            .priority(i32::try_from(input.priority).unwrap_or(i32::MAX))
            .r#match(rule_match)
            .action(action)
            .send()
            .await
            .map_err(|error| lattice_error(error, "RULE", rule))?;
        Ok(())
    }

    async fn delete_rule(
        &self,
        service_id: &str,
        listener_id: &str,
        rule_id: &str,
    ) -> Result<(), LatticeError> {
        self.permit().await;
        self.client
            .delete_rule()
            .service_identifier(service_id)
            .listener_identifier(listener_id)
            .rule_identifier(rule_id)
            .send()
            .await
            .map_err(|error| lattice_error(error, "RULE", rule_id))?;
        Ok(())
    }

    async fn update_target_group(&self, input: UpdateTargetGroupInput) -> Result<(), LatticeError> {
        self.permit().await;
        let group = &input.target_group_identifier;
        self.client
            .update_target_group()
            .target_group_identifier(group)
            .health_check(to_sdk_health_check(&input.health_check))
            .send()
            .await
            .map_err(|error| lattice_error(error, "TARGET_GROUP", group))?;
        Ok(())
    }

    async fn target_group_users(&self, target_group_id: &str) -> Result<Vec<String>, LatticeError> {
        self.permit().await;
        let group = self
            .client
            .get_target_group()
            .target_group_identifier(target_group_id)
            .send()
            .await
            .map_err(|error| lattice_error(error, "TARGET_GROUP", target_group_id))?;
        Ok(group.service_arns().to_vec())
    }

    async fn delete_target_group(&self, target_group_id: &str) -> Result<(), LatticeError> {
        self.permit().await;
        self.client
            .delete_target_group()
            .target_group_identifier(target_group_id)
            .send()
            .await
            .map_err(|error| lattice_error(error, "TARGET_GROUP", target_group_id))?;
        Ok(())
    }

    async fn deregister_targets(&self, input: DeregisterTargetsInput) -> Result<(), LatticeError> {
        let targets = to_sdk_targets(&input.targets)?;
        self.permit().await;
        let group = &input.target_group_identifier;
        let output = self
            .client
            .deregister_targets()
            .target_group_identifier(group)
            .set_targets(Some(targets))
            .send()
            .await
            .map_err(|error| lattice_error(error, "TARGET_GROUP", group))?;
        check_failures(output.unsuccessful())
    }

    async fn delete_auth_policy(&self, resource_identifier: &str) -> Result<(), LatticeError> {
        self.permit().await;
        self.client
            .delete_auth_policy()
            .resource_identifier(resource_identifier)
            .send()
            .await
            .map_err(|error| lattice_error(error, "AUTH_POLICY", resource_identifier))?;
        Ok(())
    }

    async fn delete_access_log_subscription(
        &self,
        subscription_id: &str,
    ) -> Result<(), LatticeError> {
        self.permit().await;
        self.client
            .delete_access_log_subscription()
            .access_log_subscription_identifier(subscription_id)
            .send()
            .await
            .map_err(|error| lattice_error(error, "ACCESS_LOG_SUBSCRIPTION", subscription_id))?;
        Ok(())
    }
}
