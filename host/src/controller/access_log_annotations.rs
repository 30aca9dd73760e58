//! The annotations upstream's AccessLogPolicy controller writes on a policy
//! whose subscription exists: `application-networking.k8s.aws/accessLogSubscription`
//! (the subscription's ARN) and `...accessLogSubscriptionResourceName` (the
//! service network or Lattice service subscribed), so either controller can
//! find the subscription later.
//!
//! Contract: after a reconcile of a Gateway or route, every AccessLogPolicy
//! whose subscription it made or found gets both annotations by a JSON
//! merge patch of its metadata, only when they differ; other annotations
//! are not touched. Failures are logged (the next reconcile tries again).

use kube::ResourceExt;
use kube::api::{Api, Patch, PatchParams};
use kube::core::DynamicObject;
use serde_json::json;

use super::context::Context;
use crate::kube::crds::policy_resources;
use crate::kube::{Snapshot, kind_of};
use crate::object::Kind;
use crate::reconcile::AccessLogSubscribed;

/// The annotation with the ARN of an AccessLogPolicy's subscription.
pub const SUBSCRIPTION: &str = "application-networking.k8s.aws/accessLogSubscription";
/// The annotation with the name of the resource an AccessLogPolicy's
/// subscription is on.
pub const RESOURCE_NAME: &str = "application-networking.k8s.aws/accessLogSubscriptionResourceName";

/// Writes the annotations of the AccessLogPolicies of `snapshot` that
/// `subscriptions` name, where they differ.
pub async fn write(ctx: &Context, snapshot: &Snapshot, subscriptions: &[AccessLogSubscribed]) {
    let Some(resource) = policy_resources()
        .into_iter()
        .find(|resource| resource.kind == Kind::AccessLogPolicy.as_str())
    else {
        return;
    };
    for subscribed in subscriptions {
        let Some(policy) = snapshot.policies.iter().find(|policy| {
            kind_of(policy) == Some(Kind::AccessLogPolicy)
                && policy.namespace().as_deref() == Some(subscribed.policy.namespace.as_str())
                && policy.name_any() == subscribed.policy.name
        }) else {
            continue;
        };
        let annotations = policy.annotations();
        if annotations.get(SUBSCRIPTION) == Some(&subscribed.arn)
            && annotations.get(RESOURCE_NAME) == Some(&subscribed.resource_name)
        {
            continue;
        }
        let api: Api<DynamicObject> =
            Api::namespaced_with(ctx.client.clone(), &subscribed.policy.namespace, &resource);
        let patch = json!({"metadata": {"annotations": {
            SUBSCRIPTION: subscribed.arn,
            RESOURCE_NAME: subscribed.resource_name,
        }}});
        if let Err(error) = api
            .patch(
                &subscribed.policy.name,
                &PatchParams::default(),
                &Patch::Merge(&patch),
            )
            .await
        {
            tracing::warn!(policy = %subscribed.policy, %error, "could not annotate the AccessLogPolicy");
        }
    }
}
