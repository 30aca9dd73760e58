//! Finding the service network a Gateway or route names, among this
//! account's networks and those another account shares with it through RAM
//! (upstream `FindServiceNetwork`), and telling the two apart.
//!
//! Contract:
//! - A network is found by its name, id or ARN among the listed networks
//!   (`ListServiceNetworks` shows this account's and those shared with it).
//!   When none matches, the cluster VPC's associations are read, and the
//!   network of an `ACTIVE` one whose network name, id or ARN matches is
//!   the one (a shared network the listing does not show). An association in
//!   any other state finds nothing, so the Gateway stays `Pending` until it
//!   is active, as upstream.
//! - A network whose ARN names another account ([`is_shared`]) is not this
//!   account's: Trellis never creates, updates or deletes its VPC
//!   associations, never reads or writes its tags and never changes its
//!   auth. Services may still be associated with it (that is what sharing
//!   it is for).

use crate::lattice::model::{ServiceNetwork, Tags, arn_account};
use crate::lattice::{Lattice, LatticeError};

/// The status of a usable association.
const ACTIVE: &str = "ACTIVE";

/// The service network whose name, id or ARN is `name_or_id`, as upstream's
/// `FindServiceNetwork` looks it up (listed networks only; see
/// [`find_network`] for the shared ones found through the VPC).
pub async fn find_service_network(
    lattice: &dyn Lattice,
    name_or_id: &str,
) -> Result<Option<ServiceNetwork>, LatticeError> {
    let networks = lattice.list_service_networks().await?;
    Ok(networks.into_iter().find(|network| {
        network.name == name_or_id || network.id == name_or_id || network.arn == name_or_id
    }))
}

/// The service network `name_or_id` names (see the module doc): a listed
/// one, else the network of an `ACTIVE` association of `vpc_id`. A network
/// found through an association has no tags and an unknown auth type.
pub async fn find_network(
    lattice: &dyn Lattice,
    name_or_id: &str,
    vpc_id: &str,
) -> Result<Option<ServiceNetwork>, LatticeError> {
    if let Some(network) = find_service_network(lattice, name_or_id).await? {
        return Ok(Some(network));
    }
    let associations = lattice
        .list_vpc_service_network_associations(vpc_id)
        .await?;
    Ok(associations
        .into_iter()
        .find(|association| {
            association.status == ACTIVE
                && (association.service_network_name == name_or_id
                    || association.service_network_id == name_or_id
                    || association.service_network_arn == name_or_id)
        })
        .map(|association| ServiceNetwork {
            id: association.service_network_id,
            arn: association.service_network_arn,
            name: association.service_network_name,
            auth_type: String::new(),
            tags: Tags::new(),
        }))
}

/// Whether `network` belongs to another account than `account_id` (shared
/// with it through RAM): its ARN names another account, or it has none (a
/// network known only through an association).
pub fn is_shared(network: &ServiceNetwork, account_id: &str) -> bool {
    arn_account(&network.arn) != account_id
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lattice::InMemoryLattice;

    const VPC: &str = "vpc-0a1b2c3d4e5f60000";

    #[tokio::test]
    async fn a_listed_network_is_found_by_name_id_or_arn_and_a_shared_one_is_told_apart() {
        let lattice = InMemoryLattice::new("123456789012", "us-west-2");
        let shared = lattice.share_service_network("210987654321", "partners");
        for key in [&shared.name, &shared.id, &shared.arn] {
            let found = find_network(&lattice, key, VPC).await.unwrap().unwrap();
            assert_eq!(found.id, shared.id);
            assert!(is_shared(&found, "123456789012"));
            assert!(!is_shared(&found, "210987654321"));
        }
    }
}
