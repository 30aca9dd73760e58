//! Auth policies, access log subscriptions and tags through the real AWS
//! SDK client.

#[macro_use]
mod common;

use aws_sdk_vpclattice::operation::put_auth_policy::PutAuthPolicyError;

use aws_sdk_vpclattice::types::ListenerProtocol;
use common::{fixed_404, service, start, target_group};

const POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"vpc-lattice-svcs:Invoke","Resource":"*"}]}"#;

#[tokio::test]
async fn auth_policies_are_put_read_and_deleted() {
    let (_emulator, client) = start(2).await;
    let network = client
        .create_service_network()
        .name("mesh")
        .send()
        .await
        .unwrap();
    let none = client
        .get_auth_policy()
        .resource_identifier(network.id().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(none.policy(), None);
    let put = client
        .put_auth_policy()
        .resource_identifier(network.arn().unwrap())
        .policy(POLICY)
        .send()
        .await
        .unwrap();
    assert_eq!(put.policy(), Some(POLICY));
    let read = client
        .get_auth_policy()
        .resource_identifier(network.id().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(read.policy(), Some(POLICY));
    assert!(read.state().is_some());
    client
        .delete_auth_policy()
        .resource_identifier(network.id().unwrap())
        .send()
        .await
        .unwrap();
    let after = client
        .get_auth_policy()
        .resource_identifier(network.id().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(after.policy(), None);
    let malformed = client
        .put_auth_policy()
        .resource_identifier(network.id().unwrap())
        .policy("not json")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(
        invalid_field!(malformed, PutAuthPolicyError::ValidationException),
        "policy"
    );
    let unknown = client
        .get_auth_policy()
        .resource_identifier("svc-0000000000000ffff")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(unknown.is_resource_not_found_exception(), "{unknown:?}");
}

#[tokio::test]
async fn access_log_subscriptions_are_created_listed_and_deleted() {
    let (_emulator, client) = start(1).await;
    let service_id = service(&client, "rates-default").await;
    let mut ids = Vec::new();
    for destination in [
        "arn:aws:s3:::access-logs",
        "arn:aws:logs:us-west-2:123456789012:log-group:lattice",
    ] {
        let created = client
            .create_access_log_subscription()
            .resource_identifier(&service_id)
            .destination_arn(destination)
            .send()
            .await
            .unwrap();
        assert_eq!(created.resource_id(), service_id);
        assert!(created.resource_arn().ends_with(&service_id));
        ids.push(created.id().to_owned());
    }
    let second_bucket = client
        .create_access_log_subscription()
        .resource_identifier(&service_id)
        .destination_arn("arn:aws:s3:::other")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(second_bucket.is_conflict_exception(), "{second_bucket:?}");
    let listed: Vec<String> = client
        .list_access_log_subscriptions()
        .resource_identifier(&service_id)
        .into_paginator()
        .items()
        .send()
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .map(|item| item.unwrap().destination_arn)
        .collect();
    assert_eq!(listed.len(), 2);
    client
        .delete_access_log_subscription()
        .access_log_subscription_identifier(&ids[0])
        .send()
        .await
        .unwrap();
    let gone = client
        .delete_access_log_subscription()
        .access_log_subscription_identifier(&ids[0])
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(gone.is_resource_not_found_exception(), "{gone:?}");
}

#[tokio::test]
async fn tags_are_read_and_added_for_every_taggable_resource() {
    let (_emulator, client) = start(2).await;
    let network = client
        .create_service_network()
        .name("mesh")
        .tags("team", "net")
        .send()
        .await
        .unwrap();
    let service = client
        .create_service()
        .name("rates-default")
        .tags("team", "payments")
        .send()
        .await
        .unwrap();
    let group = target_group(&client, "rates-default-80").await;
    let group_arn = client
        .get_target_group()
        .target_group_identifier(&group)
        .send()
        .await
        .unwrap()
        .arn
        .unwrap();
    let listener = client
        .create_listener()
        .service_identifier(service.id().unwrap())
        .name("http")
        .protocol(ListenerProtocol::Http)
        .default_action(fixed_404())
        .tags("kind", "listener")
        .send()
        .await
        .unwrap();
    for arn in [
        network.arn().unwrap(),
        service.arn().unwrap(),
        group_arn.as_str(),
        listener.arn().unwrap(),
    ] {
        client
            .tag_resource()
            .resource_arn(arn)
            .tags("owner", "trellis")
            .send()
            .await
            .unwrap();
        let tags = client
            .list_tags_for_resource()
            .resource_arn(arn)
            .send()
            .await
            .unwrap()
            .tags
            .unwrap_or_default();
        assert_eq!(
            tags.get("owner").map(String::as_str),
            Some("trellis"),
            "{arn}"
        );
    }
    let service_tags = client
        .list_tags_for_resource()
        .resource_arn(service.arn().unwrap())
        .send()
        .await
        .unwrap()
        .tags
        .unwrap();
    assert_eq!(
        service_tags.get("team").map(String::as_str),
        Some("payments")
    );
    let listener_tags = client
        .list_tags_for_resource()
        .resource_arn(listener.arn().unwrap())
        .send()
        .await
        .unwrap()
        .tags
        .unwrap();
    assert_eq!(
        listener_tags.get("kind").map(String::as_str),
        Some("listener")
    );
    let unknown = client
        .list_tags_for_resource()
        .resource_arn("arn:aws:vpc-lattice:us-west-2:123456789012:service/svc-0000000000000ffff")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(unknown.is_resource_not_found_exception(), "{unknown:?}");
}
