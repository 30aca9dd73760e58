//! Service networks and VPC associations through the real AWS SDK client
//! (signing, REST-JSON serialization, pagination, error parsing).

#[macro_use]
mod common;

use aws_sdk_vpclattice::operation::list_service_network_vpc_associations::ListServiceNetworkVpcAssociationsError;

use aws_sdk_vpclattice::config::Credentials;
use aws_sdk_vpclattice::types::AuthType;
use common::{service, start, start_with};
use lattice_emulator::EmulatorConfig;
use trellis::lattice::model::{
    CreateServiceNetworkInput, CreateServiceNetworkVpcAssociationInput, Tags,
};
use trellis::lattice::{Lattice, LatticeError, SdkLattice, SdkOptions};

#[tokio::test]
async fn service_networks_are_created_and_listed_across_pages() {
    let (emulator, client) = start(2).await;
    for index in 0..5 {
        let created = client
            .create_service_network()
            .name(format!("network-{index}"))
            .tags("team", "payments")
            .send()
            .await
            .unwrap();
        assert_eq!(created.name(), Some(format!("network-{index}").as_str()));
    }
    let pages: Vec<_> = client
        .list_service_networks()
        .into_paginator()
        .send()
        .collect::<Vec<_>>()
        .await;
    assert_eq!(pages.len(), 3, "5 items in pages of 2");
    let names: Vec<String> = pages
        .into_iter()
        .flat_map(|page| page.unwrap().items)
        .map(|item| item.name.unwrap_or_default())
        .collect();
    assert_eq!(
        names,
        [
            "network-0",
            "network-1",
            "network-2",
            "network-3",
            "network-4"
        ]
    );
    let state = emulator.lattice().state();
    assert_eq!(
        state.service_networks[0]
            .tags
            .get("team")
            .map(String::as_str),
        Some("payments")
    );
}

#[tokio::test]
async fn errors_reach_the_client_as_their_types() {
    let (_emulator, client) = start(2).await;
    client
        .create_service_network()
        .name("mesh")
        .send()
        .await
        .unwrap();
    let duplicate = client
        .create_service_network()
        .name("mesh")
        .send()
        .await
        .unwrap_err();
    assert!(duplicate.into_service_error().is_conflict_exception());
    let orphan = client
        .create_service_network_vpc_association()
        .service_network_identifier("sn-0000000000000ffff")
        .vpc_identifier("vpc-0a1b2c3d4e5f60000")
        .send()
        .await
        .unwrap_err();
    assert!(
        orphan
            .into_service_error()
            .is_resource_not_found_exception()
    );
}

#[tokio::test]
async fn vpc_associations_carry_security_groups_and_are_listed_per_network() {
    let (emulator, client) = start(1).await;
    let network = client
        .create_service_network()
        .name("mesh")
        .send()
        .await
        .unwrap();
    let network_id = network.id().unwrap().to_owned();
    for vpc in ["vpc-0a1b2c3d4e5f60001", "vpc-0a1b2c3d4e5f60002"] {
        let created = client
            .create_service_network_vpc_association()
            .service_network_identifier(&network_id)
            .vpc_identifier(vpc)
            .security_group_ids("sg-0123456789abcdef0")
            .send()
            .await
            .unwrap();
        assert_eq!(created.security_group_ids(), ["sg-0123456789abcdef0"]);
    }
    let vpcs: Vec<String> = client
        .list_service_network_vpc_associations()
        .service_network_identifier(&network_id)
        .into_paginator()
        .items()
        .send()
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .map(|item| item.unwrap().vpc_id.unwrap_or_default())
        .collect();
    assert_eq!(vpcs, ["vpc-0a1b2c3d4e5f60001", "vpc-0a1b2c3d4e5f60002"]);
    assert_eq!(
        emulator
            .lattice()
            .state()
            .service_network_vpc_associations
            .len(),
        2
    );
}

#[tokio::test]
async fn service_networks_are_read_and_updated() {
    let (_emulator, client) = start(2).await;
    let created = client
        .create_service_network()
        .name("mesh")
        .send()
        .await
        .unwrap();
    let id = created.id().unwrap();
    assert_eq!(created.auth_type(), Some(&AuthType::None));
    client
        .create_service_network_vpc_association()
        .service_network_identifier(id)
        .vpc_identifier("vpc-0a1b2c3d4e5f60001")
        .send()
        .await
        .unwrap();
    let updated = client
        .update_service_network()
        .service_network_identifier(created.arn().unwrap())
        .auth_type(AuthType::AwsIam)
        .send()
        .await
        .unwrap();
    assert_eq!(updated.auth_type(), Some(&AuthType::AwsIam));
    let read = client
        .get_service_network()
        .service_network_identifier(id)
        .send()
        .await
        .unwrap();
    assert_eq!(read.name(), Some("mesh"));
    assert_eq!(read.auth_type(), Some(&AuthType::AwsIam));
    assert_eq!(read.number_of_associated_vpcs(), Some(1));
    assert_eq!(read.number_of_associated_services(), Some(0));
    let missing = client
        .get_service_network()
        .service_network_identifier("sn-0000000000000ffff")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(missing.is_resource_not_found_exception(), "{missing:?}");
}

#[tokio::test]
async fn vpc_associations_report_their_status_and_take_new_security_groups() {
    let (_emulator, client) = start(2).await;
    let network = client
        .create_service_network()
        .name("mesh")
        .send()
        .await
        .unwrap();
    let created = client
        .create_service_network_vpc_association()
        .service_network_identifier(network.arn().unwrap())
        .vpc_identifier("vpc-0a1b2c3d4e5f60001")
        .send()
        .await
        .unwrap();
    assert_eq!(
        created.status().map(|s| s.as_str()),
        Some("CREATE_IN_PROGRESS")
    );
    let updated = client
        .update_service_network_vpc_association()
        .service_network_vpc_association_identifier(created.id().unwrap())
        .security_group_ids("sg-0123456789abcdef1")
        .security_group_ids("sg-0123456789abcdef2")
        .send()
        .await
        .unwrap();
    assert_eq!(
        updated.security_group_ids(),
        ["sg-0123456789abcdef1", "sg-0123456789abcdef2"]
    );
    let by_vpc = client
        .list_service_network_vpc_associations()
        .vpc_identifier("vpc-0a1b2c3d4e5f60001")
        .send()
        .await
        .unwrap();
    let item = &by_vpc.items()[0];
    assert_eq!(item.status().map(|s| s.as_str()), Some("ACTIVE"));
    assert_eq!(item.service_network_arn(), network.arn());
    let unfiltered = client
        .list_service_network_vpc_associations()
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(
        invalid_field!(
            unfiltered,
            ListServiceNetworkVpcAssociationsError::ValidationException
        ),
        "serviceNetworkIdentifier"
    );
}

#[tokio::test]
async fn service_networks_are_deleted_once_nothing_is_associated() {
    let (emulator, client) = start(2).await;
    let network = client
        .create_service_network()
        .name("mesh")
        .send()
        .await
        .unwrap();
    let id = network.id().unwrap();
    let service_id = service(&client, "rates-default").await;
    let association = client
        .create_service_network_service_association()
        .service_identifier(&service_id)
        .service_network_identifier(id)
        .send()
        .await
        .unwrap();
    let vpc = client
        .create_service_network_vpc_association()
        .service_network_identifier(id)
        .vpc_identifier("vpc-0a1b2c3d4e5f60001")
        .send()
        .await
        .unwrap();
    client
        .create_access_log_subscription()
        .resource_identifier(id)
        .destination_arn("arn:aws:s3:::access-logs")
        .send()
        .await
        .unwrap();
    let delete = || {
        client
            .delete_service_network()
            .service_network_identifier(network.arn().unwrap())
            .send()
    };

    let with_both = delete().await.unwrap_err().into_service_error();
    assert!(with_both.is_conflict_exception(), "{with_both:?}");
    client
        .delete_service_network_service_association()
        .service_network_service_association_identifier(association.id().unwrap())
        .send()
        .await
        .unwrap();
    let with_vpc = delete().await.unwrap_err().into_service_error();
    assert!(with_vpc.is_conflict_exception(), "{with_vpc:?}");
    client
        .delete_service_network_vpc_association()
        .service_network_vpc_association_identifier(vpc.id().unwrap())
        .send()
        .await
        .unwrap();

    delete().await.unwrap();
    let state = emulator.lattice().state();
    assert!(state.service_networks.is_empty());
    assert!(state.access_log_subscriptions.is_empty());
    let gone = client
        .get_service_network()
        .service_network_identifier(id)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(gone.is_resource_not_found_exception(), "{gone:?}");
    let again = delete().await.unwrap_err().into_service_error();
    assert!(again.is_resource_not_found_exception(), "{again:?}");
}

#[tokio::test]
async fn sdk_lattice_deletes_service_networks_and_converts_the_errors() {
    let (_emulator, _client, url) = start_with(EmulatorConfig::default()).await;
    let options = SdkOptions {
        endpoint_url: Some(url),
        ..SdkOptions::default()
    };
    let lattice = SdkLattice::with_credentials(
        "us-west-2",
        Credentials::new("AKIDEXAMPLE", "secret", None, None, "test"),
        &options,
    );
    let network = lattice
        .create_service_network(CreateServiceNetworkInput {
            name: "mesh".into(),
            auth_type: "NONE".into(),
            tags: Tags::new(),
        })
        .await
        .unwrap();
    let vpc = lattice
        .create_service_network_vpc_association(CreateServiceNetworkVpcAssociationInput {
            service_network_identifier: network.id.clone(),
            vpc_identifier: "vpc-0a1b2c3d4e5f60001".into(),
            security_group_ids: Vec::new(),
            tags: Tags::new(),
        })
        .await
        .unwrap();

    let in_use = lattice.delete_service_network(&network.id).await;
    assert!(
        matches!(in_use, Err(LatticeError::Conflict { .. })),
        "{in_use:?}"
    );
    lattice
        .delete_service_network_vpc_association(&vpc.id)
        .await
        .unwrap();
    lattice.delete_service_network(&network.id).await.unwrap();
    assert_eq!(
        lattice.delete_service_network(&network.id).await,
        Err(LatticeError::NotFound {
            resource_type: "SERVICE_NETWORK",
            identifier: network.id.clone(),
        })
    );
    assert_eq!(lattice.call_counts()["DeleteServiceNetwork"].requests, 3);
}

#[tokio::test]
async fn a_network_of_another_account_is_listed_used_and_its_tags_refused() {
    let (emulator, client) = start(2).await;
    let shared = emulator.share_service_network("210987654321", "partners");
    assert!(shared.arn.contains(":210987654321:servicenetwork/"));
    let listed = client.list_service_networks().send().await.unwrap();
    assert_eq!(listed.items[0].arn(), Some(shared.arn.as_str()));

    let refused = client
        .list_tags_for_resource()
        .resource_arn(&shared.arn)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        aws_sdk_vpclattice::error::ProvideErrorMetadata::code(&refused),
        Some("AccessDeniedException")
    );
    let refused = client
        .tag_resource()
        .resource_arn(&shared.arn)
        .tags("team", "payments")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        aws_sdk_vpclattice::error::ProvideErrorMetadata::code(&refused),
        Some("AccessDeniedException")
    );

    // This account associates its VPC with it; the association names the
    // network's ARN, also when the listing leaves the network out.
    client
        .create_service_network_vpc_association()
        .service_network_identifier(&shared.id)
        .vpc_identifier("vpc-0a1b2c3d4e5f60000")
        .send()
        .await
        .unwrap();
    emulator.unlist_service_network(&shared.id);
    let listed = client.list_service_networks().send().await.unwrap();
    assert!(listed.items.is_empty());
    let associations = client
        .list_service_network_vpc_associations()
        .vpc_identifier("vpc-0a1b2c3d4e5f60000")
        .send()
        .await
        .unwrap();
    let association = &associations.items[0];
    assert_eq!(association.service_network_arn(), Some(shared.arn.as_str()));
    assert_eq!(association.service_network_name(), Some("partners"));
}
