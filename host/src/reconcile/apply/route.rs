//! A route's service, associations, listeners and rules: created when
//! missing, updated where they differ, and what the route no longer has
//! deleted — only on the route's own service, and only associations,
//! listeners and rules that carry this controller's `ManagedBy` tag
//! (listeners and rules of others, or untagged, follow [`super::ownership`]).

use crate::lattice::LatticeError;
use crate::lattice::model::{
    CreateListenerInput, CreateRuleInput, CreateServiceNetworkServiceAssociationInput, Listener,
    Rule, Service, ServiceNetwork, TagResourceInput, Tags, UpdateListenerInput, UpdateRuleInput,
    UpdateServiceInput,
};
use crate::reconcile::translate::convert::{self, TargetGroupIds};
use crate::reconcile::translate::desired::{DesiredListener, DesiredRoute, DesiredRule};

use super::deletion::Deletion;
use super::ownership::Owners;
use super::{Applier, tags};

/// Lattice's rule priorities.
const PRIORITIES: std::ops::RangeInclusive<u32> = 1..=100;

impl Applier<'_> {
    /// Ensures a route's resources, in dependency order: its target groups,
    /// the service, its service network associations, listeners and rules.
    ///
    /// `existing` is the service of the route's name, already checked to be
    /// this controller's, untagged (adopted here) or one the route may take
    /// over; its tags are brought to the desired ones, which rewrites
    /// `ManagedBy`. `networks` holds every associated network; `ids` resolves
    /// every key the route forwards to that it does not own. Returns the
    /// service (its id and the DNS name Lattice assigned to it).
    pub async fn route(
        &mut self,
        desired: &DesiredRoute,
        existing: Option<Service>,
        networks: &[ServiceNetwork],
        mut ids: TargetGroupIds,
    ) -> Result<Service, LatticeError> {
        for group in &desired.target_groups {
            let id = self.target_group(group).await?;
            ids.insert(convert::key_string(&group.key), id);
        }
        let service = match existing {
            Some(service) => {
                self.update_service(&service, desired).await?;
                service
            }
            None => {
                self.record("CreateService", &desired.service);
                self.lattice.create_service(desired.service.clone()).await?
            }
        };
        self.service_auth_policy(&service, desired.auth_policy.as_deref())
            .await?;
        self.service_associations(&service, desired, networks)
            .await?;
        let owners = Owners::of(desired);
        let listeners = self.lattice.list_listeners(&service.id).await?;
        for stale in listeners.iter().filter(|listener| {
            !desired.listeners.iter().any(|d| d.port == listener.port)
                && owners.may_delete(&listener.tags)
        }) {
            self.delete_listener(stale).await?;
        }
        for listener in &desired.listeners {
            let current = listeners.iter().find(|l| l.port == listener.port);
            if let Some(current) = current
                && !owners.may_use_listener(current, listener)
            {
                // Checked before the first call; another wrote it since.
                return Err(LatticeError::Conflict {
                    message: format!(
                        "listener {} on port {} is not this route's",
                        current.arn, current.port
                    ),
                });
            }
            let listener_id = self.listener(&service, current, listener, &ids).await?;
            self.rules(&service.id, &listener_id, &listener.rules, &ids, owners)
                .await?;
        }
        Ok(service)
    }

    /// Brings an existing service's tags, auth type and certificate to the
    /// desired ones.
    async fn update_service(
        &mut self,
        service: &Service,
        desired: &DesiredRoute,
    ) -> Result<(), LatticeError> {
        self.add_tags(&service.arn, &service.tags, &desired.service.tags)
            .await?;
        let wanted = &desired.service;
        let auth_type = (service.auth_type != wanted.auth_type).then(|| wanted.auth_type.clone());
        let certificate_arn = wanted
            .certificate_arn
            .clone()
            .filter(|arn| service.certificate_arn.as_ref() != Some(arn));
        if auth_type.is_some() || certificate_arn.is_some() {
            let input = UpdateServiceInput {
                service_identifier: service.id.clone(),
                auth_type,
                certificate_arn,
            };
            self.record("UpdateService", &input);
            self.lattice.update_service(input).await?;
        }
        Ok(())
    }

    /// Tags `arn` with the `desired` tags that `existing` lacks.
    pub(super) async fn add_tags(
        &mut self,
        arn: &str,
        existing: &Tags,
        desired: &Tags,
    ) -> Result<(), LatticeError> {
        let missing = tags::missing(existing, desired);
        if missing.is_empty() {
            return Ok(());
        }
        let input = TagResourceInput {
            resource_arn: arn.to_owned(),
            tags: missing,
        };
        self.record("TagResource", &input);
        self.lattice.tag_resource(input).await
    }

    /// Puts the service's auth policy, or deletes the one it had while its
    /// auth type (as observed before this apply) was `AWS_IAM`. A service
    /// observed with auth off is not asked for a policy: Trellis deletes its
    /// policy whenever it turns auth off, so any left is not its own.
    async fn service_auth_policy(
        &mut self,
        service: &Service,
        policy: Option<&str>,
    ) -> Result<(), LatticeError> {
        let service_id = &service.id;
        match policy {
            Some(policy) => self.auth_policy(service_id, policy).await,
            None if service.auth_type != "AWS_IAM" => Ok(()),
            None => {
                if self.lattice.get_auth_policy(service_id).await?.is_none() {
                    return Ok(());
                }
                self.delete(Deletion::AuthPolicy(service_id)).await
            }
        }
    }

    /// Creates the desired associations the service lacks, retags the ones it
    /// has, and deletes this controller's associations to other networks.
    async fn service_associations(
        &mut self,
        service: &Service,
        desired: &DesiredRoute,
        networks: &[ServiceNetwork],
    ) -> Result<(), LatticeError> {
        let associated = self
            .lattice
            .list_service_network_service_associations(&service.id)
            .await?;
        let own = tags::managed_by(&desired.service.tags);
        let wanted_network = |id: &str| {
            desired.associations.iter().any(|association| {
                networks.iter().any(|network| {
                    network.id == id
                        && (network.name == association.service_network
                            || network.id == association.service_network)
                })
            })
        };
        for stale in associated.iter().filter(|association| {
            !wanted_network(&association.service_network_id)
                && own.is_some()
                && tags::managed_by(&association.tags) == own
        }) {
            self.delete(Deletion::ServiceNetworkServiceAssociation(&stale.id))
                .await?;
        }
        for association in &desired.associations {
            let network = networks
                .iter()
                .find(|network| {
                    network.name == association.service_network
                        || network.id == association.service_network
                })
                .expect("networks were resolved before apply");
            if let Some(existing) = associated
                .iter()
                .find(|existing| existing.service_network_id == network.id)
            {
                self.add_tags(&existing.arn, &existing.tags, &association.tags)
                    .await?;
                continue;
            }
            let input = CreateServiceNetworkServiceAssociationInput {
                service_identifier: service.id.clone(),
                service_network_identifier: network.id.clone(),
                tags: association.tags.clone(),
            };
            self.record("CreateServiceNetworkServiceAssociation", &input);
            self.lattice
                .create_service_network_service_association(input)
                .await?;
        }
        Ok(())
    }

    async fn delete_listener(&mut self, listener: &Listener) -> Result<(), LatticeError> {
        self.delete(Deletion::Listener {
            service: &listener.service_id,
            listener: &listener.id,
        })
        .await
    }

    /// Ensures one listener: created when missing or when its protocol
    /// changed (a listener's protocol is immutable), its default action and
    /// tags updated otherwise. Returns its id.
    async fn listener(
        &mut self,
        service: &Service,
        current: Option<&Listener>,
        desired: &DesiredListener,
        ids: &TargetGroupIds,
    ) -> Result<String, LatticeError> {
        let default_action = convert::rule_action(&desired.default_action, ids);
        if let Some(current) = current {
            if current.protocol == desired.protocol {
                if current.default_action != default_action {
                    let input = UpdateListenerInput {
                        service_identifier: service.id.clone(),
                        listener_identifier: current.id.clone(),
                        default_action,
                    };
                    self.record("UpdateListener", &input);
                    self.lattice.update_listener(input).await?;
                }
                self.add_tags(&current.arn, &current.tags, &desired.tags)
                    .await?;
                return Ok(current.id.clone());
            }
            self.delete_listener(current).await?;
        }
        let input = CreateListenerInput {
            service_identifier: service.id.clone(),
            name: desired.name.clone(),
            port: desired.port,
            protocol: desired.protocol.to_string(),
            default_action,
            tags: desired.tags.clone(),
        };
        self.record("CreateListener", &input);
        Ok(self.lattice.create_listener(input).await?.id)
    }

    /// Brings a listener's rules to `desired`: the rules the route manages
    /// (`owners`) are matched by their match; stale ones are deleted first,
    /// changed ones updated (moving through free priorities when a new one
    /// is still taken), new ones created last. Rules the route does not
    /// manage are left as they are, their priorities taken.
    async fn rules(
        &mut self,
        service_id: &str,
        listener_id: &str,
        desired: &[DesiredRule],
        ids: &TargetGroupIds,
        owners: Owners<'_>,
    ) -> Result<(), LatticeError> {
        let existing = self.lattice.list_rules(service_id, listener_id).await?;
        let (managed, foreign): (Vec<Rule>, Vec<Rule>) = existing
            .into_iter()
            .partition(|rule| owners.manages_rule(rule, desired));
        let (kept, stale): (Vec<Rule>, Vec<Rule>) = managed
            .into_iter()
            .partition(|rule| desired.iter().any(|d| d.match_ == rule.match_));
        for rule in &stale {
            self.delete(Deletion::Rule {
                service: service_id,
                listener: listener_id,
                rule: &rule.id,
            })
            .await?;
        }
        let wanted_of = |rule: &Rule| {
            desired
                .iter()
                .find(|d| d.match_ == rule.match_)
                .expect("kept rules are desired")
        };
        let taken: Vec<u32> = kept
            .iter()
            .chain(&foreign)
            .map(|rule| rule.priority)
            .collect();
        let moving: Vec<&Rule> = kept
            .iter()
            .filter(|rule| wanted_of(rule).priority != rule.priority)
            .collect();
        // A new priority still held by another kept rule: move every rule
        // whose priority changes to a free one first, so none collide.
        if moving
            .iter()
            .any(|rule| taken.contains(&wanted_of(rule).priority))
        {
            let mut free = PRIORITIES.filter(|priority| {
                !taken.contains(priority) && !desired.iter().any(|d| d.priority == *priority)
            });
            for rule in &moving {
                let Some(aside) = free.next() else {
                    return Err(LatticeError::Validation {
                        field: "priority".into(),
                        message: format!("listener {listener_id} has no free rule priority"),
                    });
                };
                let input = UpdateRuleInput {
                    service_identifier: service_id.to_owned(),
                    listener_identifier: listener_id.to_owned(),
                    rule_identifier: rule.id.clone(),
                    priority: aside,
                    match_: rule.match_.clone(),
                    action: rule.action.clone(),
                };
                self.record("UpdateRule", &input);
                self.lattice.update_rule(input).await?;
            }
        }
        for rule in &kept {
            let wanted = wanted_of(rule);
            let action = convert::rule_action(&wanted.action, ids);
            if rule.priority != wanted.priority || rule.action != action {
                let input = UpdateRuleInput {
                    service_identifier: service_id.to_owned(),
                    listener_identifier: listener_id.to_owned(),
                    rule_identifier: rule.id.clone(),
                    priority: wanted.priority,
                    match_: wanted.match_.clone(),
                    action,
                };
                self.record("UpdateRule", &input);
                self.lattice.update_rule(input).await?;
            }
            self.add_tags(&rule.arn, &rule.tags, &wanted.tags).await?;
        }
        for wanted in desired
            .iter()
            .filter(|wanted| !kept.iter().any(|rule| rule.match_ == wanted.match_))
        {
            let input = CreateRuleInput {
                service_identifier: service_id.to_owned(),
                listener_identifier: listener_id.to_owned(),
                name: wanted.name.clone(),
                priority: wanted.priority,
                match_: wanted.match_.clone(),
                action: convert::rule_action(&wanted.action, ids),
                tags: wanted.tags.clone(),
            };
            self.record("CreateRule", &input);
            self.lattice.create_rule(input).await?;
        }
        Ok(())
    }
}
