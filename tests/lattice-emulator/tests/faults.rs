//! Injected faults against the real AWS SDK client and its standard retry
//! strategy: every call still succeeds, nothing is created twice, and the
//! emulator's counters show what was injected.

mod common;

use aws_sdk_vpclattice::Client;
use aws_sdk_vpclattice::types::{ListenerProtocol, Target};
use common::{fixed_404, start_with};
use lattice_emulator::{Emulator, EmulatorConfig, FaultKind};

/// A workload of every kind of call: creates (with the SDK's automatic
/// client tokens), lists across pages, gets, updates, tags, targets.
async fn workload(client: &Client) {
    let network = client
        .create_service_network()
        .name("mesh")
        .send()
        .await
        .unwrap();
    for index in 0..6 {
        let service = client
            .create_service()
            .name(format!("service-{index}"))
            .send()
            .await
            .unwrap();
        let service_id = service.id().unwrap();
        client
            .create_service_network_service_association()
            .service_identifier(service_id)
            .service_network_identifier(network.id().unwrap())
            .send()
            .await
            .unwrap();
        client
            .create_listener()
            .service_identifier(service_id)
            .name("http")
            .protocol(ListenerProtocol::Http)
            .default_action(fixed_404())
            .send()
            .await
            .unwrap();
        client
            .tag_resource()
            .resource_arn(service.arn().unwrap())
            .tags("owner", "trellis")
            .send()
            .await
            .unwrap();
        client
            .get_service()
            .service_identifier(service_id)
            .send()
            .await
            .unwrap();
    }
    let group = common::target_group(client, "rates-default-80").await;
    for batch in 0..3 {
        client
            .register_targets()
            .target_group_identifier(&group)
            .targets(
                Target::builder()
                    .id(format!("10.0.0.{batch}"))
                    .port(80)
                    .build()
                    .unwrap(),
            )
            .send()
            .await
            .unwrap();
    }
    let services: Vec<_> = client
        .list_services()
        .into_paginator()
        .items()
        .send()
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert_eq!(services.len(), 6);
    let targets = client
        .list_targets()
        .target_group_identifier(&group)
        .into_paginator()
        .items()
        .send()
        .collect::<Vec<_>>()
        .await;
    assert_eq!(targets.len(), 3);
}

/// Runs the workload against an emulator injecting `kinds` at `rate`;
/// checks that exactly the workload's resources exist; returns the emulator.
async fn survive(kinds: &[FaultKind], rate: f64, seed: u64) -> Emulator {
    let config = EmulatorConfig::default()
        .faults(rate, kinds, seed)
        .latency_ms(1);
    let (emulator, client, _) = start_with(config).await;
    workload(&client).await;
    let state = emulator.lattice().state();
    assert_eq!(state.service_networks.len(), 1);
    assert_eq!(state.services.len(), 6);
    assert_eq!(state.service_network_service_associations.len(), 6);
    assert_eq!(state.listeners.len(), 6);
    assert_eq!(state.target_groups.len(), 1);
    assert_eq!(state.targets[0].targets.len(), 3);
    let stats = emulator.stats();
    println!("{kinds:?} at {rate}, seed {seed}:\n{stats}");
    for kind in kinds {
        assert!(
            stats.faults.get(kind).copied().unwrap_or(0) > 0,
            "no {kind} injected"
        );
    }
    assert!(stats.total_requests() > 40);
    emulator
}

#[tokio::test]
async fn the_sdk_retries_throttling() {
    survive(&[FaultKind::Throttling], 0.3, 7).await;
}

#[tokio::test]
async fn the_sdk_retries_server_errors() {
    survive(&[FaultKind::ServerError], 0.3, 7).await;
}

#[tokio::test]
async fn the_sdk_retries_dropped_connections_with_the_same_client_token() {
    // A dropped create was processed: the retry only succeeds (rather than
    // conflicting on the name) because it carries the same client token.
    let emulator = survive(&[FaultKind::DroppedConnection], 0.3, 7).await;
    let stats = emulator.stats();
    assert!(
        stats.requests["CreateService"] > 6,
        "a create was retried:\n{stats}"
    );
}

#[tokio::test]
async fn the_sdk_survives_every_fault_kind_at_once() {
    survive(&FaultKind::ALL, 0.2, 11).await;
}

#[tokio::test]
async fn faults_are_the_same_on_every_run_with_the_same_seed() {
    let first = survive(&FaultKind::ALL, 0.2, 11).await.stats();
    let second = survive(&FaultKind::ALL, 0.2, 11).await.stats();
    assert_eq!(first, second);
}
