//! Target groups and their targets through the real AWS SDK client.

#[macro_use]
mod common;

use aws_sdk_vpclattice::operation::register_targets::RegisterTargetsError;

use aws_sdk_vpclattice::types::{
    HealthCheckConfig, ListenerProtocol, Target, TargetGroupStatus, TargetStatus,
};
use common::{forward, service, start, target_group};

fn target(ip: &str) -> Target {
    Target::builder().id(ip).port(8080).build().unwrap()
}

#[tokio::test]
async fn target_groups_are_created_listed_read_updated_and_deleted() {
    let (_emulator, client) = start(2).await;
    let first = target_group(&client, "rates-default-80").await;
    target_group(&client, "quotes-default-80").await;
    target_group(&client, "users-default-80").await;
    let service_id = service(&client, "rates-default").await;
    client
        .create_listener()
        .service_identifier(&service_id)
        .name("http")
        .protocol(ListenerProtocol::Http)
        .default_action(forward(&first))
        .send()
        .await
        .unwrap();

    let items: Vec<_> = client
        .list_target_groups()
        .into_paginator()
        .items()
        .send()
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert_eq!(items.len(), 3);
    assert_eq!(items[0].status(), Some(&TargetGroupStatus::Active));
    assert_eq!(items[0].port(), Some(80));
    assert_eq!(
        items[0].service_arns().len(),
        1,
        "the listener forwards to it"
    );
    assert!(items[1].service_arns().is_empty());

    let health = HealthCheckConfig::builder()
        .enabled(true)
        .path("/healthz")
        .health_check_interval_seconds(10)
        .build();
    let updated = client
        .update_target_group()
        .target_group_identifier(&first)
        .health_check(health)
        .send()
        .await
        .unwrap();
    let check = updated.config().unwrap().health_check().unwrap();
    assert_eq!(check.path(), Some("/healthz"));
    let read = client
        .get_target_group()
        .target_group_identifier(&first)
        .send()
        .await
        .unwrap();
    assert_eq!(
        read.config()
            .unwrap()
            .health_check()
            .unwrap()
            .health_check_interval_seconds(),
        Some(10)
    );
    assert_eq!(read.service_arns().len(), 1);

    let in_use = client
        .delete_target_group()
        .target_group_identifier(&first)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(in_use.is_conflict_exception(), "{in_use:?}");
    let deleted = client
        .delete_target_group()
        .target_group_identifier(items[1].arn().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), Some(&TargetGroupStatus::DeleteInProgress));
}

#[tokio::test]
async fn targets_are_registered_listed_and_deregistered() {
    let (emulator, client) = start(2).await;
    let group = target_group(&client, "rates-default-80").await;
    let registered = client
        .register_targets()
        .target_group_identifier(&group)
        .targets(target("10.0.0.1"))
        .targets(target("10.0.0.2"))
        .targets(Target::builder().id("10.0.0.3").build().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(registered.successful().len(), 3);
    assert!(registered.unsuccessful().is_empty());
    let listed: Vec<_> = client
        .list_targets()
        .target_group_identifier(&group)
        .into_paginator()
        .items()
        .send()
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    let ports: Vec<(String, i32)> = listed
        .iter()
        .map(|target| (target.id().unwrap().to_owned(), target.port().unwrap()))
        .collect();
    assert_eq!(
        ports,
        [
            ("10.0.0.1".to_owned(), 8080),
            ("10.0.0.2".to_owned(), 8080),
            ("10.0.0.3".to_owned(), 80),
        ],
        "a target without a port takes the group's"
    );
    assert_eq!(listed[0].status(), Some(&TargetStatus::Unused));

    let deregistered = client
        .deregister_targets()
        .target_group_identifier(&group)
        .targets(target("10.0.0.1"))
        .send()
        .await
        .unwrap();
    assert_eq!(deregistered.successful()[0].id(), "10.0.0.1");
    assert_eq!(emulator.lattice().state().targets[0].targets.len(), 2);

    let too_many = client
        .register_targets()
        .target_group_identifier(&group)
        .set_targets(Some(
            (0..101).map(|i| target(&format!("10.0.1.{i}"))).collect(),
        ))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(
        invalid_field!(too_many, RegisterTargetsError::ValidationException),
        "targets"
    );

    let missing = client
        .list_targets()
        .target_group_identifier("tg-0000000000000ffff")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(missing.is_resource_not_found_exception(), "{missing:?}");
}
