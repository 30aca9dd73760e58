//! What the identified resources have in common: an id, an ARN and tags.

use super::{
    AccessLogSubscription, Listener, Rule, Service, ServiceNetwork,
    ServiceNetworkServiceAssociation, ServiceNetworkVpcAssociation, Tags, TargetGroup,
};

/// A Lattice resource with an id, an ARN and tags.
pub(in crate::lattice) trait Resource {
    fn id(&self) -> &str;
    fn arn(&self) -> &str;
    fn tags_mut(&mut self) -> &mut Tags;

    /// Whether `identifier` names this resource: the API takes the id or
    /// the ARN.
    fn is_named_by(&self, identifier: &str) -> bool {
        identifier == self.id() || identifier == self.arn()
    }
}

/// `resources` as trait objects, so that resources of several kinds can be
/// walked in one pass.
pub(in crate::lattice) fn as_dyn<'a, T: Resource + 'a>(
    resources: impl IntoIterator<Item = &'a mut T>,
) -> impl Iterator<Item = &'a mut dyn Resource> {
    resources
        .into_iter()
        .map(|resource| resource as &mut dyn Resource)
}

macro_rules! resource {
    ($($resource:ty),* $(,)?) => {$(
        impl Resource for $resource {
            fn id(&self) -> &str {
                &self.id
            }

            fn arn(&self) -> &str {
                &self.arn
            }

            fn tags_mut(&mut self) -> &mut Tags {
                &mut self.tags
            }
        }
    )*};
}

resource!(
    ServiceNetwork,
    ServiceNetworkVpcAssociation,
    Service,
    ServiceNetworkServiceAssociation,
    Listener,
    Rule,
    TargetGroup,
    AccessLogSubscription,
);
