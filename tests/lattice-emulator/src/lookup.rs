//! Finding resources of the in-memory account by identifier (id or ARN,
//! as the API accepts both) and their tags by ARN.

use trellis::lattice::LatticeState;
use trellis::lattice::model::{
    AccessLogSubscription, Listener, Rule, Service, ServiceNetwork,
    ServiceNetworkServiceAssociation, ServiceNetworkVpcAssociation, Tags, TargetGroup,
};

use crate::error::{ApiError, not_found};

/// A resource with an id, an ARN and tags.
pub trait Resource {
    /// The API's resource type in `ResourceNotFoundException`.
    const TYPE: &'static str;
    fn id(&self) -> &str;
    fn arn(&self) -> &str;
    fn tags(&self) -> &Tags;
}

macro_rules! resource {
    ($($resource:ty => $type:literal),* $(,)?) => {$(
        impl Resource for $resource {
            const TYPE: &'static str = $type;

            fn id(&self) -> &str {
                &self.id
            }

            fn arn(&self) -> &str {
                &self.arn
            }

            fn tags(&self) -> &Tags {
                &self.tags
            }
        }
    )*};
}

resource!(
    ServiceNetwork => "SERVICE_NETWORK",
    ServiceNetworkVpcAssociation => "SERVICE_NETWORK_VPC_ASSOCIATION",
    Service => "SERVICE",
    ServiceNetworkServiceAssociation => "SERVICE_NETWORK_SERVICE_ASSOCIATION",
    Listener => "LISTENER",
    Rule => "RULE",
    TargetGroup => "TARGET_GROUP",
    AccessLogSubscription => "ACCESS_LOG_SUBSCRIPTION",
);

/// The resource of `resources` that `identifier` (id or ARN) names, or
/// `ResourceNotFoundException`.
pub fn find<'a, T: Resource>(resources: &'a [T], identifier: &str) -> Result<&'a T, ApiError> {
    resources
        .iter()
        .find(|resource| resource.id() == identifier || resource.arn() == identifier)
        .ok_or_else(|| not_found(T::TYPE, identifier))
}

/// The listener `listener` of the service `service` (ids or ARNs).
pub fn listener<'a>(
    state: &'a LatticeState,
    service: &str,
    listener: &str,
) -> Result<&'a Listener, ApiError> {
    let service = find(&state.services, service)?;
    state
        .listeners
        .iter()
        .filter(|candidate| candidate.service_id == service.id)
        .find(|candidate| candidate.id == listener || candidate.arn == listener)
        .ok_or_else(|| not_found("LISTENER", listener))
}

/// The rule `rule` of listener `listener` of service `service`.
pub fn rule<'a>(
    state: &'a LatticeState,
    service: &str,
    listener: &str,
    rule: &str,
) -> Result<&'a Rule, ApiError> {
    let listener = self::listener(state, service, listener)?;
    state
        .rules
        .iter()
        .filter(|candidate| candidate.listener_id == listener.id)
        .find(|candidate| candidate.id == rule || candidate.arn == rule)
        .ok_or_else(|| not_found("RULE", rule))
}

/// The `(id, arn)` of the service or service network `identifier` names
/// (auth policies and access log subscriptions belong to either).
pub fn service_or_network(
    state: &LatticeState,
    identifier: &str,
) -> Result<(String, String), ApiError> {
    find(&state.services, identifier)
        .map(|service| (service.id.clone(), service.arn.clone()))
        .or_else(|_| {
            find(&state.service_networks, identifier)
                .map(|network| (network.id.clone(), network.arn.clone()))
        })
        .map_err(|_| not_found("SERVICE", identifier))
}

/// The tags of the taggable resource whose ARN is `arn`.
pub fn tags_of<'a>(state: &'a LatticeState, arn: &str) -> Option<&'a Tags> {
    fn by_arn<'a, T: Resource>(resources: &'a [T], arn: &str) -> Option<&'a Tags> {
        resources
            .iter()
            .find(|resource| resource.arn() == arn)
            .map(Resource::tags)
    }
    by_arn(&state.service_networks, arn)
        .or_else(|| by_arn(&state.service_network_vpc_associations, arn))
        .or_else(|| by_arn(&state.services, arn))
        .or_else(|| by_arn(&state.service_network_service_associations, arn))
        .or_else(|| by_arn(&state.listeners, arn))
        .or_else(|| by_arn(&state.rules, arn))
        .or_else(|| by_arn(&state.target_groups, arn))
        .or_else(|| by_arn(&state.access_log_subscriptions, arn))
}
