//! The access log phase of a Gateway or a route: its AccessLogPolicies.

use super::Run;
use crate::kube::ClusterInput;
use crate::object::{Kind, ObjectRef, Problem};
use crate::plugin::bindings::tagging::TaggingSubject;
use crate::plugin::bindings::types::AttachedPolicy;
use crate::reconcile::plan::access_log_policy::{AccessLog, access_logs};
use crate::reconcile::translate::ObjectTranslator;

impl Run<'_> {
    /// Subscribes `resource` (the Gateway's service network or the route's
    /// service, `owner`) to the destination of each AccessLogPolicy among
    /// `policies`, recording each subscription made or found; an invalid or
    /// conflicting policy is reported on itself. Then this controller's
    /// subscriptions of AccessLogPolicies no longer attached are deleted
    /// (those of attached but invalid policies stay).
    pub(super) async fn access_log_policies(
        &mut self,
        cluster: &ClusterInput,
        translator: &ObjectTranslator<'_>,
        owner: &ObjectRef,
        policies: &[AttachedPolicy],
        resource: LoggedResource<'_>,
    ) {
        let resource_id = resource.id;
        self.subscribe(cluster, translator, policies, resource)
            .await;
        let attached: Vec<String> = policies
            .iter()
            .filter(|policy| policy.meta.kind == Kind::AccessLogPolicy.as_str())
            .map(|policy| format!("{}/{}", policy.meta.namespace, policy.meta.name))
            .collect();
        let mut applier = self.applier(&cluster.config);
        let result = applier
            .unsubscribe_detached(resource_id, &cluster.config.managed_by(), &attached)
            .await;
        self.applied(&cluster.config, owner, applier, result);
    }

    async fn subscribe(
        &mut self,
        cluster: &ClusterInput,
        translator: &ObjectTranslator<'_>,
        policies: &[AttachedPolicy],
        resource: LoggedResource<'_>,
    ) {
        for verdict in access_logs(policies) {
            let (policy, destination_arn) = match verdict {
                AccessLog::Subscribe {
                    policy,
                    destination_arn,
                } => (policy, destination_arn),
                AccessLog::Rejected {
                    policy,
                    reason,
                    field,
                    message,
                } => {
                    self.problems.push(Problem {
                        cluster: cluster.config.cluster_name.clone(),
                        object: policy_ref(policy),
                        field: Some(field),
                        reason: reason.into(),
                        message,
                        plugin: None,
                        lattice_error: None,
                    });
                    continue;
                }
            };
            let object = policy_ref(policy);
            let subject = TaggingSubject::AccessLogSubscription(destination_arn.clone());
            let Some(tags) = self.translated(
                translator
                    .owned_resource_tags(&object, &policy.meta, subject)
                    .await,
            ) else {
                continue;
            };
            let mut applier = self.applier(&cluster.config);
            let result = applier
                .access_log_subscription(resource.id, &destination_arn, &tags)
                .await;
            if let Some(arn) = self.applied(&cluster.config, &object, applier, result) {
                self.subscriptions.push(AccessLogSubscribed {
                    cluster: cluster.config.cluster_name.clone(),
                    policy: object,
                    arn,
                    resource_name: resource.name.to_owned(),
                });
            }
        }
    }
}

/// The Lattice resource an object's access logs are subscribed on.
#[derive(Debug, Clone, Copy)]
pub(super) struct LoggedResource<'a> {
    /// The service network's or service's id.
    pub id: &'a str,
    /// Its name (upstream's `accessLogSubscriptionResourceName`: the
    /// Gateway's network, the route's Lattice service).
    pub name: &'a str,
}

/// An AccessLogPolicy's subscription, made or found by a reconcile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessLogSubscribed {
    /// The policy's cluster.
    pub cluster: String,
    /// The AccessLogPolicy.
    pub policy: ObjectRef,
    /// The subscription's ARN.
    pub arn: String,
    /// The name of the service network or service subscribed.
    pub resource_name: String,
}

/// A reference to `policy`, an AccessLogPolicy.
fn policy_ref(policy: &AttachedPolicy) -> ObjectRef {
    ObjectRef::new(
        Kind::AccessLogPolicy,
        policy.meta.namespace.clone(),
        policy.meta.name.clone(),
    )
}
