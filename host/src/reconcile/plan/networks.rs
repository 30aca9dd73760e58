//! The service network phases of a plan: ServiceNetwork objects, and the
//! auth policy and VpcAssociationPolicy of each Gateway.

use gateway_api::apis::standard::gateways::Gateway;

use super::Run;
use super::vpc_association_policy;
use crate::kube::ClusterInput;
use crate::lattice::model::ServiceNetwork;
use crate::object::{Kind, ObjectRef, Problem};
use crate::plugin::PluginSet;
use crate::plugin::bindings::tagging::TaggingSubject;
use crate::plugin::bindings::types::GatewayInput;
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
    /// cluster VPC with `network`, with its security groups; with
    /// `associateWithVpc: false` this controller's association is removed
    /// (unless `network` is the cluster's default service network). A
    /// problem is reported on the policy.
    pub(super) async fn vpc_association_policy(
        &mut self,
        cluster: &ClusterInput,
        translator: &ObjectTranslator<'_>,
        gateway: &Gateway,
        network: &ServiceNetwork,
    ) {
        let policies = normalize::gateway_policies(&cluster.snapshot, gateway);
        let Some(policy) = policies
            .iter()
            .find(|policy| policy.meta.kind == Kind::VpcAssociationPolicy.as_str())
        else {
            return;
        };
        let object = ObjectRef::new(
            Kind::VpcAssociationPolicy,
            &policy.meta.namespace,
            &policy.meta.name,
        );
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
            // The cluster's DEFAULT_SERVICE_NETWORK association is that
            // setting's; a policy does not undo it.
            let default_network = cluster.config.default_service_network.as_deref();
            if default_network == Some(network.name.as_str()) {
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
        let tags = match translator
            .owned_resource_tags(&object, &policy.meta, subject)
            .await
        {
            Ok(tags) => tags,
            Err(problem) => return self.problems.push(problem),
        };
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
