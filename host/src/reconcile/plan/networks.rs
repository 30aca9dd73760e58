//! The service network phases of a plan: ServiceNetwork objects, and the
//! auth policy and VpcAssociationPolicy of each Gateway.

use gateway_api::apis::standard::gateways::Gateway;

use super::Run;
use super::vpc_association_policy;
use crate::kube::ClusterInput;
use crate::lattice::model::{ServiceNetwork, arn_account};
use crate::object::{Kind, ObjectRef, Problem};
use crate::plugin::PluginSet;
use crate::plugin::bindings::tagging::TaggingSubject;
use crate::plugin::bindings::types::GatewayInput;
use crate::reconcile::apply::{self, CONTROLLER_TAG_PREFIX, VPC_ASSOCIATION_POLICY_TAG};
use crate::reconcile::normalize;
use crate::reconcile::translate::ObjectTranslator;
use crate::reconcile::translate::validate;

impl Run<'_> {
    /// Each ServiceNetwork object becomes the service network of its name
    /// (created, tagged by the plugins, when missing; adopted as it is).
    pub(super) async fn service_network_objects(
        &mut self,
        cluster: &ClusterInput,
        plugins: &PluginSet,
    ) {
        let translator = ObjectTranslator::new(plugins, &cluster.config, &cluster.snapshot);
        for (object, meta) in normalize::service_network_objects(&cluster.snapshot) {
            if let Err(error) = validate::validate_service_network_name("(object)", &meta.name) {
                self.problems.push(Problem {
                    cluster: cluster.config.cluster_name.clone(),
                    object,
                    field: Some("metadata.name".into()),
                    reason: "Invalid".into(),
                    message: error.message,
                    plugin: None,
                    lattice_error: None,
                });
                continue;
            }
            let subject = TaggingSubject::ServiceNetwork(meta.name.clone());
            let Some(tags) = self.translated(
                translator
                    .owned_resource_tags(&object, &meta, subject)
                    .await,
            ) else {
                continue;
            };
            let mut applier = self.applier(&cluster.config);
            let result = applier.service_network(&meta.name, &tags).await;
            self.applied(&cluster.config, &object, applier, result);
        }
    }

    /// The Gateway's auth policy (from the plugins) on its service network:
    /// auth type `AWS_IAM` and the policy. A problem is reported on the
    /// Gateway.
    pub(super) async fn gateway_auth_policy(
        &mut self,
        cluster: &ClusterInput,
        translator: &ObjectTranslator<'_>,
        object: &ObjectRef,
        input: &GatewayInput,
        network: &ServiceNetwork,
    ) {
        let auth = match translator.gateway_auth(object, input).await {
            Ok(auth) => auth,
            Err(problem) => return self.problems.push(problem),
        };
        if apply::is_shared(network, &cluster.config.account_id) {
            // Another account's network: its auth is its owner's.
            if auth.and_then(|auth| auth.policy).is_some() {
                let policies = input
                    .policies
                    .iter()
                    .filter(|policy| policy.meta.kind == Kind::IamAuthPolicy.as_str());
                for policy in policies {
                    let problem = shared_network_problem(
                        cluster,
                        ObjectRef::new(
                            Kind::IamAuthPolicy,
                            &policy.meta.namespace,
                            &policy.meta.name,
                        ),
                        network,
                        "its auth policy is its owner's",
                    );
                    self.problems.push(problem);
                }
            }
            return;
        }
        let mut applier = self.applier(&cluster.config);
        let result = match auth.and_then(|auth| auth.policy) {
            Some(policy) => applier.network_auth_policy(network, &policy).await,
            None => {
                applier
                    .network_auth_off(network, &cluster.config.managed_by())
                    .await
            }
        };
        self.applied(&cluster.config, object, applier, result);
    }

    /// The oldest VpcAssociationPolicy attached to `gateway` associates the
    /// cluster VPC with `network`, with its security groups, tagging the
    /// association with the policy; with `associateWithVpc: false` this
    /// controller's association is removed, and with no policy the one this
    /// controller made for a policy (unless `network` is the cluster's
    /// default service network, or objects were left out of the input). A
    /// network another account shares is left as it is, and its policy
    /// says so. A problem is reported on the policy.
    pub(super) async fn vpc_association_policy(
        &mut self,
        cluster: &ClusterInput,
        translator: &ObjectTranslator<'_>,
        gateway: &Gateway,
        network: &ServiceNetwork,
    ) {
        let policies = normalize::gateway_policies(&cluster.snapshot, gateway);
        let shared = apply::is_shared(network, &cluster.config.account_id);
        let default_network = cluster.config.default_service_network.as_deref();
        // The cluster's DEFAULT_SERVICE_NETWORK association is that
        // setting's; a policy does not undo it.
        let is_default = default_network == Some(network.name.as_str());
        let Some(policy) = policies
            .iter()
            .find(|policy| policy.meta.kind == Kind::VpcAssociationPolicy.as_str())
        else {
            if !shared && !is_default && cluster.left_out.is_empty() {
                let gateway_object = ObjectRef::new(
                    Kind::Gateway,
                    gateway.metadata.namespace.as_deref().unwrap_or_default(),
                    gateway.metadata.name.as_deref().unwrap_or_default(),
                );
                let mut applier = self.applier(&cluster.config);
                let result = applier
                    .remove_policy_vpc_association(
                        network,
                        &cluster.config.vpc_id,
                        &cluster.config.managed_by(),
                    )
                    .await;
                self.applied(&cluster.config, &gateway_object, applier, result);
            }
            return;
        };
        let object = ObjectRef::new(
            Kind::VpcAssociationPolicy,
            &policy.meta.namespace,
            &policy.meta.name,
        );
        if shared {
            let problem = shared_network_problem(
                cluster,
                object,
                network,
                "the cluster VPC's association with it is made and changed by hand, not by a policy",
            );
            return self.problems.push(problem);
        }
        let association = match vpc_association_policy::parse(policy) {
            Ok(association) => association,
            Err((field, message)) => {
                self.problems.push(Problem {
                    cluster: cluster.config.cluster_name.clone(),
                    object,
                    field: Some(field),
                    reason: "Invalid".into(),
                    message,
                    plugin: None,
                    lattice_error: None,
                });
                return;
            }
        };
        if !association.associate {
            if is_default {
                return;
            }
            let mut applier = self.applier(&cluster.config);
            let result = applier
                .remove_vpc_association(
                    network,
                    &cluster.config.vpc_id,
                    &cluster.config.managed_by(),
                )
                .await;
            self.applied(&cluster.config, &object, applier, result);
            return;
        }
        let subject = TaggingSubject::VpcAssociation(network.name.clone());
        let mut tags = match translator
            .owned_resource_tags(&object, &policy.meta, subject)
            .await
        {
            Ok(tags) => tags,
            Err(problem) => return self.problems.push(problem),
        };
        tags.insert(
            format!("{CONTROLLER_TAG_PREFIX}{VPC_ASSOCIATION_POLICY_TAG}"),
            format!("{}/{}", policy.meta.namespace, policy.meta.name),
        );
        let mut applier = self.applier(&cluster.config);
        let result = applier
            .vpc_association(
                network,
                &cluster.config.vpc_id,
                &association.security_group_ids,
                &tags,
            )
            .await;
        self.applied(&cluster.config, &object, applier, result);
    }
}

/// The `Programmed` message of a Gateway whose network another account
/// shares (upstream's `aws-service-network-arn: ARN`, and what is not done).
pub(super) fn shared_network_note(network: &ServiceNetwork) -> String {
    format!(
        "aws-service-network-arn: {} (shared with this account through RAM by account {}: \
         its tags and auth are its owner's, and its VPC associations are not changed)",
        network.arn,
        owner_account(network)
    )
}

/// The problem of a policy that would change a network another account
/// shares (`why` it does not): nothing is changed.
fn shared_network_problem(
    cluster: &ClusterInput,
    object: ObjectRef,
    network: &ServiceNetwork,
    why: &str,
) -> Problem {
    Problem {
        cluster: cluster.config.cluster_name.clone(),
        object,
        field: Some("spec.targetRef".into()),
        reason: "SharedServiceNetwork".into(),
        message: format!(
            "service network {} ({}) is shared with this account through RAM by account {}: \
             {why}; nothing is changed",
            network.name,
            network.arn,
            owner_account(network)
        ),
        plugin: None,
        lattice_error: None,
    }
}

/// The account that owns `network`, as its ARN names it.
fn owner_account(network: &ServiceNetwork) -> &str {
    match arn_account(&network.arn) {
        "" => "(unknown)",
        account => account,
    }
}
