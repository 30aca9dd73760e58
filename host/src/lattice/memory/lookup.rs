//! Finding the resources of the in-memory account by identifier, with the
//! errors Lattice answers when there is none.

use std::ops::Deref;

use crate::lattice::error::LatticeError;
use crate::lattice::model::{Resource, as_dyn};
use crate::lattice::state::LatticeState;

pub(super) fn not_found(resource_type: &'static str, identifier: &str) -> LatticeError {
    LatticeError::NotFound {
        resource_type,
        identifier: identifier.to_string(),
    }
}

/// The resource among `resources` (shared or mutable references) that
/// `identifier` names by id or ARN; `NotFound` of `resource_type` when none
/// does.
pub(super) fn named<R>(
    resources: R,
    resource_type: &'static str,
    identifier: &str,
) -> Result<R::Item, LatticeError>
where
    R: IntoIterator,
    R::Item: Deref<Target: Resource>,
{
    resources
        .into_iter()
        .find(|resource| resource.is_named_by(identifier))
        .ok_or_else(|| not_found(resource_type, identifier))
}

/// Removes the resource of `resources` that `identifier` names by id or ARN;
/// `NotFound` of `resource_type` when none does.
pub(super) fn remove_named<T: Resource>(
    resources: &mut Vec<T>,
    resource_type: &'static str,
    identifier: &str,
) -> Result<(), LatticeError> {
    let before = resources.len();
    resources.retain(|resource| !resource.is_named_by(identifier));
    if resources.len() == before {
        return Err(not_found(resource_type, identifier));
    }
    Ok(())
}

/// `NotFound` unless `id` is a service or a service network of `state`.
pub(super) fn require_service_or_network(
    state: &LatticeState,
    id: &str,
) -> Result<(), LatticeError> {
    let exists = state.services.iter().any(|service| service.id == id)
        || state
            .service_networks
            .iter()
            .any(|network| network.id == id);
    if exists {
        Ok(())
    } else {
        Err(not_found("SERVICE", id))
    }
}

/// Every resource of `state` that has an id, an ARN and tags.
pub(super) fn resources_mut(state: &mut LatticeState) -> impl Iterator<Item = &mut dyn Resource> {
    as_dyn(&mut state.service_networks)
        .chain(as_dyn(&mut state.service_network_vpc_associations))
        .chain(as_dyn(&mut state.services))
        .chain(as_dyn(&mut state.service_network_service_associations))
        .chain(as_dyn(&mut state.listeners))
        .chain(as_dyn(&mut state.rules))
        .chain(as_dyn(&mut state.target_groups))
        .chain(as_dyn(&mut state.access_log_subscriptions))
}
