//! Translation of one Kubernetes object into its desired Lattice resources,
//! through the plugin: translate, then name, then tag, each output validated.

use crate::config::ClusterConfig;
use crate::kube::{Snapshot, endpoints};
use crate::lattice::model::{CreateServiceInput, CreateTargetGroupInput, Tags, TargetGroupConfig};
use crate::plugin::Plugin;
use crate::plugin::bindings::auth::AuthPolicy;
use crate::plugin::bindings::naming::{ListenerSubject, NamingSubject, RuleSubject};
use crate::plugin::bindings::tagging::TaggingSubject;
use crate::plugin::bindings::types::{
    CallContext, ExportInput, GatewayInput, KeyValue, ObjectMeta, RouteInput, TargetGroupSpec,
};
use crate::reconcile::convert;
use crate::reconcile::desired::{
    DesiredAssociation, DesiredDefaultNetwork, DesiredListener, DesiredRoute, DesiredRule,
    DesiredTargetGroup,
};
use crate::reconcile::problem::{ObjectRef, Problem};
use crate::reconcile::validate;

/// Translates the objects of one cluster with one plugin.
pub struct ObjectTranslator<'a> {
    plugin: &'a Plugin,
    cluster: &'a ClusterConfig,
    snapshot: &'a Snapshot,
    context: CallContext,
}

impl<'a> ObjectTranslator<'a> {
    /// A translator for `cluster`, reading targets from `snapshot`.
    pub fn new(plugin: &'a Plugin, cluster: &'a ClusterConfig, snapshot: &'a Snapshot) -> Self {
        let context = CallContext {
            cluster: cluster.context(),
            config: plugin.config().to_owned(),
            namespace_labels: Vec::new(),
        };
        Self {
            plugin,
            cluster,
            snapshot,
            context,
        }
    }

    fn problem(&self, object: &ObjectRef, error: impl ProblemSource) -> Problem {
        error.into_problem(&self.cluster.cluster_name, object)
    }

    /// The service network and VPC association of the cluster's
    /// `defaultServiceNetwork`, if it has one.
    pub async fn default_network(&self) -> Result<Option<DesiredDefaultNetwork>, Problem> {
        let Some(name) = &self.cluster.default_service_network else {
            return Ok(None);
        };
        let owner = ObjectMeta {
            kind: "Cluster".into(),
            namespace: String::new(),
            name: self.cluster.cluster_name.clone(),
            annotations: Vec::new(),
            labels: Vec::new(),
        };
        let object = ObjectRef::new("Cluster", "", &self.cluster.cluster_name);
        let subjects = vec![
            TaggingSubject::ServiceNetwork(name.clone()),
            TaggingSubject::VpcAssociation(name.clone()),
        ];
        let tags = self.tags(&object, &owner, &subjects).await?;
        Ok(Some(DesiredDefaultNetwork {
            name: name.clone(),
            network_tags: convert::tags(&tags[0]),
            vpc_id: self.cluster.vpc_id.clone(),
            association_tags: convert::tags(&tags[1]),
        }))
    }

    /// Tags for one resource the host makes for `owner` (a ServiceNetwork
    /// object or a policy), validated.
    pub async fn owned_resource_tags(
        &self,
        object: &ObjectRef,
        owner: &ObjectMeta,
        subject: TaggingSubject,
    ) -> Result<Tags, Problem> {
        let tags = self.tags(object, owner, &[subject]).await?;
        Ok(convert::tags(&tags[0]))
    }

    /// The name (or id) of the service network a Gateway stands for.
    pub async fn gateway(
        &self,
        object: &ObjectRef,
        input: &GatewayInput,
    ) -> Result<String, Problem> {
        let name = self
            .plugin
            .gateway_service_network(&self.context, input, None)
            .await
            .map_err(|error| self.problem(object, error))?;
        validate::validate_service_network_name(self.plugin.name(), &name)
            .map_err(|error| self.problem(object, error))?;
        Ok(name)
    }

    /// The auth policy of the service network a Gateway stands for, if a
    /// plugin sets one, validated.
    pub async fn gateway_auth(
        &self,
        object: &ObjectRef,
        input: &GatewayInput,
    ) -> Result<Option<AuthPolicy>, Problem> {
        let auth = self
            .plugin
            .gateway_auth_policy(&self.context, input)
            .await
            .map_err(|error| self.problem(object, error))?;
        validate::validate_auth_policy(self.plugin.name(), auth.as_ref())
            .map_err(|error| self.problem(object, error))?;
        Ok(auth)
    }

    /// The target groups a ServiceExport exports.
    pub async fn export(
        &self,
        object: &ObjectRef,
        input: &ExportInput,
    ) -> Result<Vec<DesiredTargetGroup>, Problem> {
        let specs = self
            .plugin
            .translate_export(&self.context, input, None)
            .await
            .map_err(|error| self.problem(object, error))?;
        validate::validate_target_groups(self.plugin.name(), &specs)
            .map_err(|error| self.problem(object, error))?;
        self.target_groups(object, &input.meta, &specs).await
    }

    /// Everything a route becomes.
    pub async fn route(
        &self,
        object: &ObjectRef,
        input: &RouteInput,
    ) -> Result<DesiredRoute, Problem> {
        let translation = self
            .plugin
            .translate_route(&self.context, input, None)
            .await
            .map_err(|error| self.problem(object, error))?;
        validate::validate_route_translation(self.plugin.name(), &translation)
            .map_err(|error| self.problem(object, error))?;
        let spec = &translation.service;
        let auth = self
            .plugin
            .route_auth_policy(&self.context, input)
            .await
            .map_err(|error| self.problem(object, error))?;
        validate::validate_auth_policy(self.plugin.name(), auth.as_ref())
            .map_err(|error| self.problem(object, error))?;

        let mut naming = vec![NamingSubject::Service];
        let mut tagging = vec![TaggingSubject::Service];
        tagging.extend(
            spec.service_networks
                .iter()
                .cloned()
                .map(TaggingSubject::ServiceNetworkAssociation),
        );
        for listener in &spec.listeners {
            naming.push(NamingSubject::Listener(ListenerSubject {
                port: listener.port,
                protocol: listener.protocol,
            }));
            tagging.push(TaggingSubject::Listener(listener.port));
            for rule in &listener.rules {
                let match_json = serde_json::to_string(&rule.match_).expect("a match serializes");
                naming.push(NamingSubject::Rule(RuleSubject {
                    listener_port: listener.port,
                    priority: rule.priority,
                    match_json,
                }));
                tagging.push(TaggingSubject::Rule((listener.port, rule.priority)));
            }
        }
        let mut names = self.names(object, &input.meta, &naming).await?.into_iter();
        let mut tags = self
            .tags(object, &input.meta, &tagging)
            .await?
            .into_iter()
            .map(|pairs| convert::tags(&pairs));
        let mut next_name = || names.next().expect("one name per subject");
        let mut next_tags = || tags.next().expect("one tag list per subject");

        let service = CreateServiceInput {
            name: next_name(),
            custom_domain_name: spec.custom_domain_name.clone(),
            certificate_arn: spec.certificate_arn.clone(),
            auth_type: auth
                .as_ref()
                .map_or_else(|| "NONE".to_owned(), |auth| auth.auth_type.clone()),
            tags: next_tags(),
        };
        let associations = spec
            .service_networks
            .iter()
            .map(|network| DesiredAssociation {
                service_network: network.clone(),
                tags: next_tags(),
            })
            .collect();
        let listeners = spec
            .listeners
            .iter()
            .map(|listener| DesiredListener {
                name: next_name(),
                port: listener.port,
                protocol: convert::listener_protocol(listener.protocol),
                default_action: listener.default_action.clone(),
                tags: next_tags(),
                rules: listener
                    .rules
                    .iter()
                    .map(|rule| DesiredRule {
                        name: next_name(),
                        priority: rule.priority,
                        match_: convert::rule_match(&rule.match_),
                        action: rule.action.clone(),
                        tags: next_tags(),
                    })
                    .collect(),
            })
            .collect();
        let target_groups = self
            .target_groups(object, &input.meta, &translation.target_groups)
            .await?;
        Ok(DesiredRoute {
            object: object.clone(),
            service,
            associations,
            listeners,
            target_groups,
            auth_policy: auth.and_then(|auth| auth.policy),
            allow_takeover_from: spec.allow_takeover_from.clone(),
        })
    }

    /// Names, tags and targets for target group specs owned by `owner`.
    async fn target_groups(
        &self,
        object: &ObjectRef,
        owner: &ObjectMeta,
        specs: &[TargetGroupSpec],
    ) -> Result<Vec<DesiredTargetGroup>, Problem> {
        if specs.is_empty() {
            return Ok(Vec::new());
        }
        let naming: Vec<_> = specs
            .iter()
            .map(|spec| NamingSubject::TargetGroup(spec.key.clone()))
            .collect();
        let tagging: Vec<_> = specs
            .iter()
            .map(|spec| TaggingSubject::TargetGroup(spec.clone()))
            .collect();
        let names = self.names(object, owner, &naming).await?;
        let tags = self.tags(object, owner, &tagging).await?;
        Ok(specs
            .iter()
            .zip(names)
            .zip(tags)
            .map(|((spec, name), tags)| DesiredTargetGroup {
                key: spec.key.clone(),
                input: CreateTargetGroupInput {
                    name,
                    type_: "IP".into(),
                    config: TargetGroupConfig {
                        port: spec.port,
                        protocol: spec.protocol.clone(),
                        protocol_version: spec.protocol_version.clone(),
                        ip_address_type: spec.ip_address_type.clone(),
                        vpc_identifier: self.cluster.vpc_id.clone(),
                        health_check: spec.health_check.as_ref().map(convert::health_check),
                    },
                    tags: convert::tags(&tags),
                },
                targets: spec
                    .targets_from
                    .as_ref()
                    .map(|source| endpoints::targets(self.snapshot, source))
                    .unwrap_or_default(),
            })
            .collect())
    }

    /// One validated name per subject; a subject no plugin names is a problem.
    async fn names(
        &self,
        object: &ObjectRef,
        owner: &ObjectMeta,
        subjects: &[NamingSubject],
    ) -> Result<Vec<String>, Problem> {
        let answers = self
            .plugin
            .name_resources(&self.context, owner, subjects)
            .await
            .map_err(|error| self.problem(object, error))?;
        validate::validate_names(self.plugin.name(), subjects, &answers)
            .map_err(|error| self.problem(object, error))?;
        Ok(answers
            .into_iter()
            .map(|name| name.expect("validated: every subject is named"))
            .collect())
    }

    /// One validated tag list per subject.
    async fn tags(
        &self,
        object: &ObjectRef,
        owner: &ObjectMeta,
        subjects: &[TaggingSubject],
    ) -> Result<Vec<Vec<KeyValue>>, Problem> {
        let answers = self
            .plugin
            .tag_resources(&self.context, owner, subjects)
            .await
            .map_err(|error| self.problem(object, error))?;
        validate::validate_tags(self.plugin.name(), subjects, &answers)
            .map_err(|error| self.problem(object, error))?;
        Ok(answers)
    }
}

/// An error that becomes a [`Problem`] on the object it happened for.
pub trait ProblemSource {
    /// The problem, for `object` in `cluster`.
    fn into_problem(self, cluster: &str, object: &ObjectRef) -> Problem;
}
