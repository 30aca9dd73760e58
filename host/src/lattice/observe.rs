//! Reading a whole account's state through the [`Lattice`] trait, in the
//! shape `plan` prints.

use super::api::Lattice;
use super::error::LatticeError;
use super::state::{LatticeState, TargetGroupTargets};

/// Every resource `lattice` lists: service networks with their VPC
/// associations, policies and subscriptions; services with their
/// associations, listeners, rules, policies and subscriptions; target groups
/// with their targets. Lists keep the order Lattice returns them in.
///
/// Caveat: Lattice offers no single consistent read; a change made while
/// this runs may show half.
pub async fn read_state(lattice: &dyn Lattice) -> Result<LatticeState, LatticeError> {
    let mut state = LatticeState {
        service_networks: lattice.list_service_networks().await?,
        services: lattice.list_services().await?,
        target_groups: lattice.list_target_groups().await?,
        ..LatticeState::default()
    };
    let parents: Vec<String> = state
        .service_networks
        .iter()
        .map(|network| network.id.clone())
        .chain(state.services.iter().map(|service| service.id.clone()))
        .collect();
    for network in &state.service_networks {
        state.service_network_vpc_associations.extend(
            lattice
                .list_service_network_vpc_associations(&network.id)
                .await?,
        );
    }
    for service in &state.services {
        state.service_network_service_associations.extend(
            lattice
                .list_service_network_service_associations(&service.id)
                .await?,
        );
        let listeners = lattice.list_listeners(&service.id).await?;
        for listener in &listeners {
            state
                .rules
                .extend(lattice.list_rules(&service.id, &listener.id).await?);
        }
        state.listeners.extend(listeners);
    }
    for parent in &parents {
        if let Some(policy) = lattice.get_auth_policy(parent).await? {
            state.auth_policies.push(policy);
        }
        state
            .access_log_subscriptions
            .extend(lattice.list_access_log_subscriptions(parent).await?);
    }
    for group in &state.target_groups {
        let targets = lattice.list_targets(&group.id).await?;
        if !targets.is_empty() {
            state.targets.push(TargetGroupTargets {
                target_group_id: group.id.clone(),
                targets,
            });
        }
    }
    Ok(state)
}
