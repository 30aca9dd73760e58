//! The real AWS SDK client (signing, REST-JSON serialization, pagination,
//! error parsing) against the emulator on 127.0.0.1.

use aws_sdk_vpclattice::Client;
use aws_sdk_vpclattice::config::{BehaviorVersion, Credentials, Region};
use lattice_emulator::Emulator;
use tokio::net::TcpListener;

/// Starts an emulator listing `page_size` items per page; returns it and a
/// client pointed at it. The server stops with the test's runtime.
async fn start(page_size: usize) -> (Emulator, Client) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let emulator = Emulator::new("123456789012", "us-west-2", page_size);
    tokio::spawn(emulator.clone().serve(listener));
    let config = aws_sdk_vpclattice::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-west-2"))
        .endpoint_url(url)
        .credentials_provider(Credentials::new(
            "AKIDEXAMPLE",
            "secret",
            None,
            None,
            "test",
        ))
        .build();
    (emulator, Client::from_conf(config))
}

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
