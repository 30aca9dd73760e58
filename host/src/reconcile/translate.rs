//! Translation of one Kubernetes object into its desired Lattice resources,
//! through the object's plugin chain: translate, then name, then tag, each
//! output validated (see [`crate::reconcile::translate::chain`]).

pub mod chain;
pub mod convert;
pub mod desired;
pub mod validate;

use crate::config::ClusterConfig;
use crate::kube::{Snapshot, endpoints};
use crate::lattice::model::{CreateServiceInput, CreateTargetGroupInput, Tags, TargetGroupConfig};
use crate::object::{Kind, ObjectRef, Problem};
use crate::plugin::bindings::auth::AuthPolicy;
use crate::plugin::bindings::naming::{ListenerSubject, NamingSubject, RuleSubject};
use crate::plugin::bindings::tagging::TaggingSubject;
use crate::plugin::bindings::types::{
    ClusterContext, ExportInput, GatewayInput, KeyValue, ObjectMeta, RouteInput, TargetGroupSpec,
};
use crate::plugin::{ChainLabel, Plugin, PluginSet, Subject};
use crate::reconcile::normalize;
use crate::reconcile::translate::chain::Chain;
use crate::reconcile::translate::desired::{
    DesiredAssociation, DesiredDefaultNetwork, DesiredListener, DesiredRoute, DesiredRule,
    DesiredTargetGroup,
};

/// The cluster as plugins see it.
impl From<&ClusterConfig> for ClusterContext {
    fn from(cluster: &ClusterConfig) -> Self {
        ClusterContext {
            cluster_name: cluster.cluster_name.clone(),
            vpc_id: cluster.vpc_id.clone(),
            account_id: cluster.account_id.clone(),
            region: cluster.region.clone(),
            default_service_network: cluster.default_service_network.clone(),
        }
    }
}

/// Translates the objects of one cluster with one set of plugins, each
/// object through the chain its policies select.
pub struct ObjectTranslator<'a> {
    plugins: &'a PluginSet,
    cluster: &'a ClusterConfig,
    snapshot: &'a Snapshot,
}

impl<'a> ObjectTranslator<'a> {
    /// A translator for `cluster`, reading targets and namespace labels from
    /// `snapshot`.
    pub fn new(plugins: &'a PluginSet, cluster: &'a ClusterConfig, snapshot: &'a Snapshot) -> Self {
        Self {
            plugins,
            cluster,
            snapshot,
        }
    }

    /// The plugins that translate `owner`, default last, and the labels of
    /// its namespace.
    fn plugins_for(&self, owner: &ObjectMeta) -> (Vec<&'a Plugin>, Vec<KeyValue>) {
        let namespace_labels = normalize::namespace_labels(self.snapshot, &owner.namespace);
        let plugins = self.plugins.chain(&Subject::of(owner, &namespace_labels));
        (plugins, namespace_labels)
    }

    /// The chain that translates `owner`, reporting problems on `object`.
    fn chain(&self, object: &ObjectRef, owner: &ObjectMeta) -> Chain<'a> {
        let (plugins, namespace_labels) = self.plugins_for(owner);
        Chain::new(
            plugins,
            ClusterContext::from(self.cluster),
            namespace_labels,
            object.clone(),
        )
    }

    /// `name version` of each plugin of the chain that translates `owner`:
    /// what produced its result.
    pub fn produced_by(&self, owner: &ObjectMeta) -> String {
        ChainLabel(&self.plugins_for(owner).0).to_string()
    }

    /// The cluster itself as a chain's subject (its default network).
    fn cluster_meta(&self) -> ObjectMeta {
        ObjectMeta {
            kind: Kind::Cluster.as_str().into(),
            namespace: String::new(),
            name: self.cluster.cluster_name.clone(),
            annotations: Vec::new(),
            labels: Vec::new(),
        }
    }

    /// The service network and VPC association of the cluster's
    /// `defaultServiceNetwork`, if it has one.
    pub async fn default_network(&self) -> Result<Option<DesiredDefaultNetwork>, Problem> {
        let Some(name) = &self.cluster.default_service_network else {
            return Ok(None);
        };
        let owner = self.cluster_meta();
        let object = ObjectRef::new(Kind::Cluster, "", &self.cluster.cluster_name);
        let subjects = vec![
            TaggingSubject::ServiceNetwork(name.clone()),
            TaggingSubject::VpcAssociation(name.clone()),
        ];
        let tags = self.chain(&object, &owner).tags(&owner, &subjects).await?;
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
        let tags = self.chain(object, owner).tags(owner, &[subject]).await?;
        Ok(convert::tags(&tags[0]))
    }

    /// The name (or id) of the service network a Gateway stands for.
    pub async fn gateway(
        &self,
        object: &ObjectRef,
        input: &GatewayInput,
    ) -> Result<String, Problem> {
        self.chain(object, &input.meta)
            .gateway_service_network(input)
            .await
    }

    /// The auth policy of the service network a Gateway stands for, if a
    /// plugin sets one, validated.
    pub async fn gateway_auth(
        &self,
        object: &ObjectRef,
        input: &GatewayInput,
    ) -> Result<Option<AuthPolicy>, Problem> {
        self.chain(object, &input.meta)
            .gateway_auth_policy(input)
            .await
    }

    /// The target groups a ServiceExport exports.
    pub async fn export(
        &self,
        object: &ObjectRef,
        input: &ExportInput,
    ) -> Result<Vec<DesiredTargetGroup>, Problem> {
        let chain = self.chain(object, &input.meta);
        let specs = chain.translate_export(input).await?;
        self.target_groups(&chain, &input.meta, &specs).await
    }

    /// Everything a route becomes.
    pub async fn route(
        &self,
        object: &ObjectRef,
        input: &RouteInput,
    ) -> Result<DesiredRoute, Problem> {
        let chain = self.chain(object, &input.meta);
        let translation = chain.translate_route(input).await?;
        let spec = &translation.service;
        let auth = chain.route_auth_policy(input).await?;
        let dns_record = match &spec.custom_domain_name {
            Some(domain) => chain.route_dns_record(input, domain).await?,
            None => None,
        };

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
        let mut names = chain.names(&input.meta, &naming).await?.into_iter();
        let mut tags = chain
            .tags(&input.meta, &tagging)
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
            .target_groups(&chain, &input.meta, &translation.target_groups)
            .await?;
        Ok(DesiredRoute {
            object: object.clone(),
            service,
            associations,
            listeners,
            target_groups,
            auth_policy: auth.and_then(|auth| auth.policy),
            allow_takeover_from: spec.allow_takeover_from.clone(),
            dns_record,
        })
    }

    /// Names, tags and targets for target group specs owned by `owner`.
    async fn target_groups(
        &self,
        chain: &Chain<'_>,
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
        let names = chain.names(owner, &naming).await?;
        let tags = chain.tags(owner, &tagging).await?;
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
}
