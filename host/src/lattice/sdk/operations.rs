//! The [`Lattice`] operations, one SDK call (or list-and-detail) each.

use std::future::Future;

use async_trait::async_trait;
use aws_sdk_vpclattice::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_vpclattice::types as sdk;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;

use super::SdkLattice;
use super::convert::{
    from_sdk_action, from_sdk_config, from_sdk_match, from_sdk_tags, narrow, to_sdk_action,
    to_sdk_config, to_sdk_health_check, to_sdk_match, to_sdk_tags, to_sdk_targets,
};
use super::tagging::Bulk;
use crate::lattice::api::Lattice;
use crate::lattice::error::LatticeError;
use crate::lattice::model::{
    AccessLogSubscription, AuthPolicy, CreateAccessLogSubscriptionInput, CreateListenerInput,
    CreateRuleInput, CreateServiceInput, CreateServiceNetworkInput,
    CreateServiceNetworkServiceAssociationInput, CreateServiceNetworkVpcAssociationInput,
    CreateTargetGroupInput, DeregisterTargetsInput, DnsEntry, Listener, PutAuthPolicyInput,
    RegisterTargetsInput, Resource, Rule, Service, ServiceNetwork,
    ServiceNetworkServiceAssociation, ServiceNetworkVpcAssociation, TagResourceInput, Tags, Target,
    TargetGroup, TargetStatus, UpdateListenerInput, UpdateRuleInput, UpdateServiceInput,
    UpdateServiceNetworkInput, UpdateServiceNetworkVpcAssociationInput, UpdateTargetGroupInput,
    arn_account,
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
                let page = $self
                    .call($resource, $identifier, || {
                        $request.set_next_token(token).send()
                    })
                    .await?;
                Ok((PageItems::into_items(page.items), page.next_token))
            })
            .await?
    };
}

/// The ids of listed items.
macro_rules! ids {
    ($summaries:expr) => {
        $summaries
            .into_iter()
            .map(|summary| text(summary.id()))
            .collect()
    };
}

fn text(value: Option<&str>) -> String {
    value.unwrap_or_default().to_owned()
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

impl SdkLattice {
    /// The listed resources `ids`, each read in full, a few at a time: `get`
    /// sends the `Get*` request of an id (a failure names `resource_type` and
    /// the id), `convert` makes the resource of the id and the answer (its
    /// tags left empty); then their tags are read in bulk as `bulk` says
    /// ([`Self::tag_all`]).
    async fn read_each<O, E, T, Fut>(
        &self,
        ids: Vec<String>,
        resource_type: &'static str,
        bulk: Bulk,
        get: impl Fn(&str) -> Fut,
        convert: impl Fn(String, O) -> T,
    ) -> Result<Vec<T>, LatticeError>
    where
        Fut: Future<Output = Result<O, SdkError<E, HttpResponse>>>,
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
        T: Resource,
    {
        let (get, convert) = (&get, &convert);
        let read = self
            .details(ids, |id| async move {
                let output = self.call(resource_type, &id, || get(&id)).await?;
                Ok(convert(id, output))
            })
            .await?;
        self.tag_all(read, bulk).await
    }

    /// `resource` with the tags `ListTagsForResource` reads for its ARN in
    /// place of the ones it has.
    ///
    /// A resource of another account (see [`SdkOptions::account_id`]) keeps
    /// no tags: they are its owner's, and Lattice does not show them.
    ///
    /// [`SdkOptions::account_id`]: super::SdkOptions::account_id
    pub(super) async fn tagged<T: Resource>(&self, mut resource: T) -> Result<T, LatticeError> {
        let arn = resource.arn();
        if let Some(own) = &self.account_id
            && arn_account(arn) != own
        {
            return Ok(resource);
        }
        let answer = self
            .call("RESOURCE", arn, || {
                self.client
                    .list_tags_for_resource()
                    .resource_arn(arn)
                    .send()
            })
            .await;
        let output = match answer {
            Err(LatticeError::Api { code, .. })
                if code == "AccessDeniedException" && self.account_id.is_none() =>
            {
                return Ok(resource);
            }
            answer => answer?,
        };
        *resource.tags_mut() = from_sdk_tags(output.tags());
        Ok(resource)
    }
}

#[async_trait]
impl Lattice for SdkLattice {
    fn observe_all_again(&self) {
        self.forget_bulk_reads();
    }

    async fn list_service_networks(&self) -> Result<Vec<ServiceNetwork>, LatticeError> {
        let summaries = every_page!(
            self,
            self.client.list_service_networks(),
            "SERVICE_NETWORK",
            ""
        );
        let get = |id: &str| {
            self.client
                .get_service_network()
                .service_network_identifier(id)
                .send()
        };
        let bulk = Bulk::Type("vpc-lattice:servicenetwork");
        self.read_each(
            ids!(summaries),
            "SERVICE_NETWORK",
            bulk,
            get,
            |id, network| ServiceNetwork {
                id,
                arn: text(network.arn()),
                name: text(network.name()),
                auth_type: text(network.auth_type().map(sdk::AuthType::as_str)),
                tags: Tags::new(),
            },
        )
        .await
    }

    async fn create_service_network(
        &self,
        input: CreateServiceNetworkInput,
    ) -> Result<ServiceNetwork, LatticeError> {
        let created = self
            .call("SERVICE_NETWORK", &input.name, || {
                self.client
                    .create_service_network()
                    .name(&input.name)
                    .auth_type(sdk::AuthType::from(input.auth_type.as_str()))
                    .set_tags(to_sdk_tags(&input.tags))
                    .send()
            })
            .await?;
        Ok(input.created(text(created.id()), text(created.arn())))
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
        let get = |id: &str| {
            self.client
                .get_service_network_vpc_association()
                .service_network_vpc_association_identifier(id)
                .send()
        };
        let resource_type = "SERVICE_NETWORK_VPC_ASSOCIATION";
        let bulk = Bulk::Account;
        self.read_each(
            ids!(summaries),
            resource_type,
            bulk,
            get,
            |id, association| ServiceNetworkVpcAssociation {
                id,
                arn: text(association.arn()),
                service_network_id: text(association.service_network_id()),
                service_network_name: text(association.service_network_name()),
                service_network_arn: text(association.service_network_arn()),
                vpc_id: text(association.vpc_id()),
                security_group_ids: association.security_group_ids().to_vec(),
                status: text(association.status().map(|status| status.as_str())),
                tags: Tags::new(),
            },
        )
        .await
    }

    async fn list_vpc_service_network_associations(
        &self,
        vpc_id: &str,
    ) -> Result<Vec<ServiceNetworkVpcAssociation>, LatticeError> {
        let summaries = every_page!(
            self,
            self.client
                .list_service_network_vpc_associations()
                .vpc_identifier(vpc_id),
            "VPC",
            vpc_id
        );
        Ok(summaries
            .iter()
            .map(|summary| ServiceNetworkVpcAssociation {
                id: text(summary.id()),
                arn: text(summary.arn()),
                service_network_id: text(summary.service_network_id()),
                service_network_name: text(summary.service_network_name()),
                service_network_arn: text(summary.service_network_arn()),
                vpc_id: text(summary.vpc_id()),
                security_group_ids: Vec::new(),
                status: text(summary.status().map(|status| status.as_str())),
                tags: Tags::new(),
            })
            .collect())
    }

    async fn create_service_network_vpc_association(
        &self,
        input: CreateServiceNetworkVpcAssociationInput,
    ) -> Result<ServiceNetworkVpcAssociation, LatticeError> {
        let network = &input.service_network_identifier;
        let security_group_ids = &input.security_group_ids;
        let created = self
            .call("SERVICE_NETWORK", network, || {
                self.client
                    .create_service_network_vpc_association()
                    .service_network_identifier(network)
                    .vpc_identifier(&input.vpc_identifier)
                    .set_security_group_ids(
                        (!security_group_ids.is_empty()).then(|| security_group_ids.clone()),
                    )
                    .set_tags(to_sdk_tags(&input.tags))
                    .send()
            })
            .await?;
        Ok(ServiceNetworkVpcAssociation {
            id: text(created.id()),
            arn: text(created.arn()),
            service_network_id: input.service_network_identifier,
            service_network_name: String::new(),
            service_network_arn: String::new(),
            vpc_id: input.vpc_identifier,
            security_group_ids: input.security_group_ids,
            status: text(created.status().map(|status| status.as_str())),
            tags: input.tags,
        })
    }

    async fn list_services(&self) -> Result<Vec<Service>, LatticeError> {
        let summaries = every_page!(self, self.client.list_services(), "SERVICE", "");
        let get = |id: &str| self.client.get_service().service_identifier(id).send();
        let bulk = Bulk::Type("vpc-lattice:service");
        self.read_each(ids!(summaries), "SERVICE", bulk, get, |id, service| {
            Service {
                id,
                arn: text(service.arn()),
                name: text(service.name()),
                custom_domain_name: service.custom_domain_name().map(str::to_owned),
                certificate_arn: service
                    .certificate_arn()
                    .filter(|arn| !arn.is_empty())
                    .map(str::to_owned),
                auth_type: text(service.auth_type().map(sdk::AuthType::as_str)),
                dns_entry: dns_entry(service.dns_entry()),
                status: text(service.status().map(sdk::ServiceStatus::as_str)),
                tags: Tags::new(),
            }
        })
        .await
    }

    async fn create_service(&self, input: CreateServiceInput) -> Result<Service, LatticeError> {
        let created = self
            .call("SERVICE", &input.name, || {
                self.client
                    .create_service()
                    .name(&input.name)
                    .set_custom_domain_name(input.custom_domain_name.clone())
                    .set_certificate_arn(input.certificate_arn.clone())
                    .auth_type(sdk::AuthType::from(input.auth_type.as_str()))
                    .set_tags(to_sdk_tags(&input.tags))
                    .send()
            })
            .await?;
        let status = text(created.status().map(sdk::ServiceStatus::as_str));
        let (id, arn) = (text(created.id()), text(created.arn()));
        Ok(input.created(id, arn, dns_entry(created.dns_entry()), status))
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
        let associations = summaries
            .iter()
            .map(|summary| ServiceNetworkServiceAssociation {
                id: text(summary.id()),
                arn: text(summary.arn()),
                service_id: text(summary.service_id()),
                service_name: text(summary.service_name()),
                service_network_id: text(summary.service_network_id()),
                service_network_name: text(summary.service_network_name()),
                status: text(summary.status().map(|status| status.as_str())),
                tags: Tags::new(),
            })
            .collect();
        self.tag_all(associations, Bulk::Account).await
    }

    async fn create_service_network_service_association(
        &self,
        input: CreateServiceNetworkServiceAssociationInput,
    ) -> Result<ServiceNetworkServiceAssociation, LatticeError> {
        let service = &input.service_identifier;
        let created = self
            .call("SERVICE", service, || {
                self.client
                    .create_service_network_service_association()
                    .service_identifier(service)
                    .service_network_identifier(&input.service_network_identifier)
                    .set_tags(to_sdk_tags(&input.tags))
                    .send()
            })
            .await?;
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
        let get = |id: &str| {
            self.client
                .get_listener()
                .service_identifier(service_id)
                .listener_identifier(id)
                .send()
        };
        let bulk = Bulk::Account;
        self.read_each(ids!(summaries), "LISTENER", bulk, get, |id, listener| {
            Listener {
                id,
                arn: text(listener.arn()),
                name: text(listener.name()),
                service_id: service_id.to_owned(),
                port: narrow(listener.port()),
                protocol: text(listener.protocol().map(sdk::ListenerProtocol::as_str)),
                default_action: from_sdk_action(listener.default_action()),
                tags: Tags::new(),
            }
        })
        .await
    }

    async fn create_listener(&self, input: CreateListenerInput) -> Result<Listener, LatticeError> {
        let default_action = to_sdk_action(&input.default_action)?;
        let service = &input.service_identifier;
        let created = self
            .call("SERVICE", service, || {
                self.client
                    .create_listener()
                    .service_identifier(service)
                    .name(&input.name)
                    .port(i32::from(input.port))
                    .protocol(sdk::ListenerProtocol::from(input.protocol.as_str()))
                    .default_action(default_action)
                    .set_tags(to_sdk_tags(&input.tags))
                    .send()
            })
            .await?;
        let service_id = text(created.service_id());
        Ok(input.created(text(created.id()), text(created.arn()), service_id))
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
        let listed = summaries
            .into_iter()
            .filter(|summary| summary.is_default() != Some(true));
        let get = |id: &str| {
            self.client
                .get_rule()
                .service_identifier(service_id)
                .listener_identifier(listener_id)
                .rule_identifier(id)
                .send()
        };
        self.read_each(ids!(listed), "RULE", Bulk::Account, get, |id, rule| Rule {
            id,
            arn: text(rule.arn()),
            name: text(rule.name()),
            service_id: service_id.to_owned(),
            listener_id: listener_id.to_owned(),
            priority: narrow(rule.priority()),
            match_: from_sdk_match(rule.r#match()),
            action: from_sdk_action(rule.action()),
            tags: Tags::new(),
        })
        .await
    }

    async fn create_rule(&self, input: CreateRuleInput) -> Result<Rule, LatticeError> {
        let rule_match = to_sdk_match(&input.match_)?;
        let action = to_sdk_action(&input.action)?;
        let listener = &input.listener_identifier;
        let created = self
            .call("LISTENER", listener, || {
                self.client
                    .create_rule()
                    .service_identifier(&input.service_identifier)
                    .listener_identifier(listener)
                    .name(&input.name)
                    .priority(i32::try_from(input.priority).unwrap_or(i32::MAX))
                    .r#match(rule_match)
                    .action(action)
                    .set_tags(to_sdk_tags(&input.tags))
                    .send()
            })
            .await?;
        let (id, arn) = (text(created.id()), text(created.arn()));
        let service_id = input.service_identifier.clone();
        let listener_id = input.listener_identifier.clone();
        Ok(input.created(id, arn, service_id, listener_id))
    }

    async fn list_target_groups(&self) -> Result<Vec<TargetGroup>, LatticeError> {
        let summaries = every_page!(self, self.client.list_target_groups(), "TARGET_GROUP", "");
        let get = |id: &str| {
            self.client
                .get_target_group()
                .target_group_identifier(id)
                .send()
        };
        let bulk = Bulk::Type("vpc-lattice:targetgroup");
        self.read_each(ids!(summaries), "TARGET_GROUP", bulk, get, |id, group| {
            TargetGroup {
                id,
                arn: text(group.arn()),
                name: text(group.name()),
                type_: text(group.r#type().map(sdk::TargetGroupType::as_str)),
                config: from_sdk_config(group.config()),
                status: text(group.status().map(sdk::TargetGroupStatus::as_str)),
                tags: Tags::new(),
                service_arns: group.service_arns().to_vec(),
            }
        })
        .await
    }

    async fn create_target_group(
        &self,
        input: CreateTargetGroupInput,
    ) -> Result<TargetGroup, LatticeError> {
        let created = self
            .call("TARGET_GROUP", &input.name, || {
                self.client
                    .create_target_group()
                    .name(&input.name)
                    .r#type(sdk::TargetGroupType::from(input.type_.as_str()))
                    .config(to_sdk_config(&input.config))
                    .set_tags(to_sdk_tags(&input.tags))
                    .send()
            })
            .await?;
        let status = text(created.status().map(sdk::TargetGroupStatus::as_str));
        Ok(input.created(text(created.id()), text(created.arn()), status))
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
                port: narrow(summary.port()),
            })
            .collect();
        targets.sort();
        Ok(targets)
    }

    async fn list_target_statuses(
        &self,
        target_group_id: &str,
    ) -> Result<Vec<TargetStatus>, LatticeError> {
        let summaries = every_page!(
            self,
            self.client
                .list_targets()
                .target_group_identifier(target_group_id),
            "TARGET_GROUP",
            target_group_id
        );
        Ok(summaries
            .iter()
            .map(|summary| TargetStatus {
                target: Target {
                    id: text(summary.id()),
                    port: narrow(summary.port()),
                },
                status: text(summary.status().map(sdk::TargetStatus::as_str)),
            })
            .collect())
    }

    async fn register_targets(&self, input: RegisterTargetsInput) -> Result<(), LatticeError> {
        let targets = to_sdk_targets(&input.targets)?;
        let group = &input.target_group_identifier;
        let output = self
            .call("TARGET_GROUP", group, || {
                self.client
                    .register_targets()
                    .target_group_identifier(group)
                    .set_targets(Some(targets))
                    .send()
            })
            .await?;
        check_failures(output.unsuccessful())
    }

    async fn get_auth_policy(
        &self,
        resource_identifier: &str,
    ) -> Result<Option<AuthPolicy>, LatticeError> {
        let answer = self
            .call("AUTH_POLICY", resource_identifier, || {
                self.client
                    .get_auth_policy()
                    .resource_identifier(resource_identifier)
                    .send()
            })
            .await;
        match answer {
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
        let resource = &input.resource_identifier;
        let output = self
            .call("SERVICE", resource, || {
                self.client
                    .put_auth_policy()
                    .resource_identifier(resource)
                    .policy(&input.policy)
                    .send()
            })
            .await?;
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
        let network = &input.service_network_identifier;
        self.call("SERVICE_NETWORK", network, || {
            self.client
                .update_service_network()
                .service_network_identifier(network)
                .auth_type(sdk::AuthType::from(input.auth_type.as_str()))
                .send()
        })
        .await?;
        Ok(())
    }

    async fn delete_service_network(&self, service_network_id: &str) -> Result<(), LatticeError> {
        self.call("SERVICE_NETWORK", service_network_id, || {
            self.client
                .delete_service_network()
                .service_network_identifier(service_network_id)
                .send()
        })
        .await?;
        Ok(())
    }

    async fn tag_resource(&self, input: TagResourceInput) -> Result<(), LatticeError> {
        let arn = &input.resource_arn;
        let answer = self
            .call("RESOURCE", arn, || {
                self.client
                    .tag_resource()
                    .resource_arn(arn)
                    .set_tags(to_sdk_tags(&input.tags))
                    .send()
            })
            .await;
        self.bulk.tagged(arn, answer.is_ok().then_some(&input.tags));
        answer?;
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
        let subscriptions = summaries
            .iter()
            .map(|summary| AccessLogSubscription {
                id: summary.id().to_owned(),
                arn: summary.arn().to_owned(),
                resource_id: summary.resource_id().to_owned(),
                destination_arn: summary.destination_arn().to_owned(),
                tags: Tags::new(),
            })
            .collect();
        self.tag_all(subscriptions, Bulk::Account).await
    }

    async fn create_access_log_subscription(
        &self,
        input: CreateAccessLogSubscriptionInput,
    ) -> Result<AccessLogSubscription, LatticeError> {
        let resource = &input.resource_identifier;
        let created = self
            .call("SERVICE", resource, || {
                self.client
                    .create_access_log_subscription()
                    .resource_identifier(resource)
                    .destination_arn(&input.destination_arn)
                    .set_tags(to_sdk_tags(&input.tags))
                    .send()
            })
            .await?;
        let (id, arn) = (created.id().to_owned(), created.arn().to_owned());
        Ok(input.created(id, arn, created.resource_id().to_owned()))
    }

    async fn update_service_network_vpc_association(
        &self,
        input: UpdateServiceNetworkVpcAssociationInput,
    ) -> Result<(), LatticeError> {
        let association = &input.service_network_vpc_association_identifier;
        self.call("SERVICE_NETWORK_VPC_ASSOCIATION", association, || {
            self.client
                .update_service_network_vpc_association()
                .service_network_vpc_association_identifier(association)
                .set_security_group_ids(Some(input.security_group_ids.clone()))
                .send()
        })
        .await?;
        Ok(())
    }

    async fn delete_service_network_vpc_association(
        &self,
        association_id: &str,
    ) -> Result<(), LatticeError> {
        self.call("SERVICE_NETWORK_VPC_ASSOCIATION", association_id, || {
            self.client
                .delete_service_network_vpc_association()
                .service_network_vpc_association_identifier(association_id)
                .send()
        })
        .await?;
        Ok(())
    }

    async fn update_service(&self, input: UpdateServiceInput) -> Result<(), LatticeError> {
        let service = &input.service_identifier;
        self.call("SERVICE", service, || {
            self.client
                .update_service()
                .service_identifier(service)
                .set_auth_type(input.auth_type.as_deref().map(sdk::AuthType::from))
                .set_certificate_arn(input.certificate_arn.clone())
                .send()
        })
        .await?;
        Ok(())
    }

    async fn delete_service(&self, service_id: &str) -> Result<(), LatticeError> {
        self.call("SERVICE", service_id, || {
            self.client
                .delete_service()
                .service_identifier(service_id)
                .send()
        })
        .await?;
        Ok(())
    }

    async fn delete_service_network_service_association(
        &self,
        association_id: &str,
    ) -> Result<(), LatticeError> {
        self.call(
            "SERVICE_NETWORK_SERVICE_ASSOCIATION",
            association_id,
            || {
                self.client
                    .delete_service_network_service_association()
                    .service_network_service_association_identifier(association_id)
                    .send()
            },
        )
        .await?;
        Ok(())
    }

    async fn update_listener(&self, input: UpdateListenerInput) -> Result<(), LatticeError> {
        let action = to_sdk_action(&input.default_action)?;
        let listener = &input.listener_identifier;
        self.call("LISTENER", listener, || {
            self.client
                .update_listener()
                .service_identifier(&input.service_identifier)
                .listener_identifier(listener)
                .default_action(action)
                .send()
        })
        .await?;
        Ok(())
    }

    async fn delete_listener(
        &self,
        service_id: &str,
        listener_id: &str,
    ) -> Result<(), LatticeError> {
        self.call("LISTENER", listener_id, || {
            self.client
                .delete_listener()
                .service_identifier(service_id)
                .listener_identifier(listener_id)
                .send()
        })
        .await?;
        Ok(())
    }

    async fn update_rule(&self, input: UpdateRuleInput) -> Result<(), LatticeError> {
        let rule_match = to_sdk_match(&input.match_)?;
        let action = to_sdk_action(&input.action)?;
        let rule = &input.rule_identifier;
        self.call("RULE", rule, || {
            self.client
                .update_rule()
                .service_identifier(&input.service_identifier)
                .listener_identifier(&input.listener_identifier)
                .rule_identifier(rule)
                .priority(i32::try_from(input.priority).unwrap_or(i32::MAX))
                .r#match(rule_match)
                .action(action)
                .send()
        })
        .await?;
        Ok(())
    }

    async fn delete_rule(
        &self,
        service_id: &str,
        listener_id: &str,
        rule_id: &str,
    ) -> Result<(), LatticeError> {
        self.call("RULE", rule_id, || {
            self.client
                .delete_rule()
                .service_identifier(service_id)
                .listener_identifier(listener_id)
                .rule_identifier(rule_id)
                .send()
        })
        .await?;
        Ok(())
    }

    async fn update_target_group(&self, input: UpdateTargetGroupInput) -> Result<(), LatticeError> {
        let group = &input.target_group_identifier;
        self.call("TARGET_GROUP", group, || {
            self.client
                .update_target_group()
                .target_group_identifier(group)
                .health_check(to_sdk_health_check(&input.health_check))
                .send()
        })
        .await?;
        Ok(())
    }

    async fn target_group_users(&self, target_group_id: &str) -> Result<Vec<String>, LatticeError> {
        let group = self
            .call("TARGET_GROUP", target_group_id, || {
                self.client
                    .get_target_group()
                    .target_group_identifier(target_group_id)
                    .send()
            })
            .await?;
        Ok(group.service_arns().to_vec())
    }

    async fn delete_target_group(&self, target_group_id: &str) -> Result<(), LatticeError> {
        self.call("TARGET_GROUP", target_group_id, || {
            self.client
                .delete_target_group()
                .target_group_identifier(target_group_id)
                .send()
        })
        .await?;
        Ok(())
    }

    async fn deregister_targets(&self, input: DeregisterTargetsInput) -> Result<(), LatticeError> {
        let targets = to_sdk_targets(&input.targets)?;
        let group = &input.target_group_identifier;
        let output = self
            .call("TARGET_GROUP", group, || {
                self.client
                    .deregister_targets()
                    .target_group_identifier(group)
                    .set_targets(Some(targets))
                    .send()
            })
            .await?;
        check_failures(output.unsuccessful())
    }

    async fn delete_auth_policy(&self, resource_identifier: &str) -> Result<(), LatticeError> {
        self.call("AUTH_POLICY", resource_identifier, || {
            self.client
                .delete_auth_policy()
                .resource_identifier(resource_identifier)
                .send()
        })
        .await?;
        Ok(())
    }

    async fn delete_access_log_subscription(
        &self,
        subscription_id: &str,
    ) -> Result<(), LatticeError> {
        self.call("ACCESS_LOG_SUBSCRIPTION", subscription_id, || {
            self.client
                .delete_access_log_subscription()
                .access_log_subscription_identifier(subscription_id)
                .send()
        })
        .await?;
        Ok(())
    }
}
