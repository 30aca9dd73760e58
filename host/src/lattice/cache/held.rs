//! The account's state as the cache holds it: what `apply` prints after
//! applying, with no second read of the account.

use super::super::api::Lattice;
use super::super::error::LatticeError;
use super::super::observe::read_state;
use super::super::state::LatticeState;
use super::CachedLattice;

impl<L: Lattice> CachedLattice<L> {
    /// The whole state of the account in the shape [`read_state`] gives
    /// (the same lists, in the same order), answered from the observations
    /// this cache holds, as its own writes left them.
    ///
    /// Only what the cache does not hold is read from the wrapped Lattice
    /// (a list a failed write made it forget, or one a write overtook);
    /// after a reconcile through this cache that is usually nothing.
    ///
    /// It differs from a fresh read in what Lattice has done since it last
    /// answered: a resource the cache saw created keeps the status its
    /// create answered (`CREATE_IN_PROGRESS` while Lattice sets it up), and
    /// changes made by others since the lists were read are not seen.
    pub async fn held_state(&self) -> Result<LatticeState, LatticeError> {
        read_state(self).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lattice::InMemoryLattice;
    use crate::lattice::model::{
        CreateServiceInput, CreateServiceNetworkServiceAssociationInput,
        CreateServiceNetworkVpcAssociationInput, Tags,
    };
    use crate::lattice::testing::{block_on, network};

    #[test]
    fn the_held_state_of_created_resources_is_a_fresh_read() {
        let cache = CachedLattice::new(InMemoryLattice::new("123456789012", "us-west-2"));
        block_on(read_state(&cache)).unwrap();
        let mesh = block_on(cache.create_service_network(network("mesh"))).unwrap();
        let service = block_on(cache.create_service(CreateServiceInput {
            name: "rates".into(),
            custom_domain_name: None,
            certificate_arn: None,
            auth_type: "NONE".into(),
            tags: Tags::new(),
        }))
        .unwrap();
        block_on(cache.create_service_network_vpc_association(
            CreateServiceNetworkVpcAssociationInput {
                service_network_identifier: mesh.arn.clone(),
                vpc_identifier: "vpc-1".into(),
                security_group_ids: Vec::new(),
                tags: Tags::new(),
            },
        ))
        .unwrap();
        block_on(cache.create_service_network_service_association(
            CreateServiceNetworkServiceAssociationInput {
                service_identifier: service.id.clone(),
                service_network_identifier: mesh.id.clone(),
                tags: Tags::new(),
            },
        ))
        .unwrap();
        let held = block_on(cache.held_state()).unwrap();
        assert_eq!(held, block_on(read_state(cache.inner())).unwrap());
    }
}
