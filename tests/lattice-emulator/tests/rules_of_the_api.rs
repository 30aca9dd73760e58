//! What the emulator enforces as the real service does: member
//! validation, quotas and client tokens, seen through the real AWS SDK
//! client's typed errors.

#[macro_use]
mod common;

use aws_sdk_vpclattice::operation::create_listener::CreateListenerError;
use aws_sdk_vpclattice::operation::create_rule::CreateRuleError;
use aws_sdk_vpclattice::operation::create_service_network::CreateServiceNetworkError;

use aws_sdk_vpclattice::types::{ListenerProtocol, Target};
use common::{fixed_404, forward, service, start, start_with, target_group};
use lattice_emulator::{EmulatorConfig, Quotas};

#[tokio::test]
async fn invalid_members_fail_with_validation_naming_the_field() {
    let (_emulator, client) = start(2).await;
    for bad in ["ab", "-mesh", "mesh-", "me--sh", "Mesh", "mesh_1"] {
        let error = client
            .create_service_network()
            .name(bad)
            .send()
            .await
            .unwrap_err()
            .into_service_error();
        assert_eq!(
            invalid_field!(error, CreateServiceNetworkError::ValidationException),
            "name",
            "{bad}"
        );
    }
    let long = client
        .create_service()
        .name("a".repeat(41))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(long.is_validation_exception(), "{long:?}");
    let service_id = service(&client, "rates-default").await;
    let port = client
        .create_listener()
        .service_identifier(&service_id)
        .name("http")
        .protocol(ListenerProtocol::Http)
        .port(70_000)
        .default_action(fixed_404())
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(
        invalid_field!(port, CreateListenerError::ValidationException),
        "port"
    );
    let zero = client
        .create_listener()
        .service_identifier(&service_id)
        .name("http")
        .protocol(ListenerProtocol::Http)
        .port(0)
        .default_action(fixed_404())
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(zero.is_validation_exception(), "{zero:?}");
    let listener = client
        .create_listener()
        .service_identifier(&service_id)
        .name("http")
        .protocol(ListenerProtocol::Http)
        .default_action(fixed_404())
        .send()
        .await
        .unwrap();
    for priority in [0, 2001] {
        let error = client
            .create_rule()
            .service_identifier(&service_id)
            .listener_identifier(listener.id().unwrap())
            .name("first")
            .priority(priority)
            .r#match(aws_sdk_vpclattice::types::RuleMatch::HttpMatch(
                aws_sdk_vpclattice::types::HttpMatch::builder()
                    .method("GET")
                    .build(),
            ))
            .action(fixed_404())
            .send()
            .await
            .unwrap_err()
            .into_service_error();
        assert_eq!(
            invalid_field!(error, CreateRuleError::ValidationException),
            "priority"
        );
    }
    let group = target_group(&client, "rates-default-80").await;
    let empty = client
        .register_targets()
        .target_group_identifier(&group)
        .set_targets(Some(Vec::<Target>::new()))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(empty.is_validation_exception(), "{empty:?}");
}

#[tokio::test]
async fn quotas_fail_with_service_quota_exceeded() {
    let quotas = Quotas {
        service_networks: 1,
        rules_per_listener: 1,
        target_groups_per_service: 1,
        ..Quotas::default()
    };
    let (_emulator, client, _) = start_with(EmulatorConfig::default().quotas(quotas)).await;
    client
        .create_service_network()
        .name("mesh-a")
        .send()
        .await
        .unwrap();
    let networks = client
        .create_service_network()
        .name("mesh-b")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    let CreateServiceNetworkError::ServiceQuotaExceededException(quota) = networks else {
        panic!("not a ServiceQuotaExceededException: {networks:?}");
    };
    assert_eq!(quota.quota_code(), "Service networks per Region");

    // Listeners per service: the AWS default, 2.
    let service_id = service(&client, "rates-default").await;
    let mut listeners = Vec::new();
    for (name, port) in [("a", 80), ("b", 81), ("c", 82)] {
        let result = client
            .create_listener()
            .service_identifier(&service_id)
            .name(format!("listener{name}"))
            .protocol(ListenerProtocol::Http)
            .port(port)
            .default_action(fixed_404())
            .send()
            .await;
        listeners.push(result);
    }
    let third = listeners.pop().unwrap().unwrap_err().into_service_error();
    assert!(third.is_service_quota_exceeded_exception(), "{third:?}");
    let listener_id = listeners[0].as_ref().unwrap().id().unwrap().to_owned();

    let first = target_group(&client, "first-80").await;
    let second = target_group(&client, "second-80").await;
    let rule = |name: &str, priority: i32, group: &str| {
        client
            .create_rule()
            .service_identifier(&service_id)
            .listener_identifier(&listener_id)
            .name(name)
            .priority(priority)
            .r#match(aws_sdk_vpclattice::types::RuleMatch::HttpMatch(
                aws_sdk_vpclattice::types::HttpMatch::builder()
                    .method("GET")
                    .build(),
            ))
            .action(forward(group))
            .send()
    };
    rule("one", 1, &first).await.unwrap();
    let rules = rule("two", 2, &first)
        .await
        .unwrap_err()
        .into_service_error();
    assert!(rules.is_service_quota_exceeded_exception(), "{rules:?}");
    let groups = client
        .update_listener()
        .service_identifier(&service_id)
        .listener_identifier(&listener_id)
        .default_action(forward(&second))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(groups.is_service_quota_exceeded_exception(), "{groups:?}");
}

#[tokio::test]
async fn client_tokens_make_creates_idempotent() {
    let (emulator, client) = start(2).await;
    let first = client
        .create_service()
        .name("rates-default")
        .client_token("token-1")
        .send()
        .await
        .unwrap();
    let again = client
        .create_service()
        .name("rates-default")
        .client_token("token-1")
        .send()
        .await
        .unwrap();
    assert_eq!(first.id(), again.id());
    assert_eq!(emulator.lattice().state().services.len(), 1);
    let other = client
        .create_service()
        .name("quotes-default")
        .client_token("token-1")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(other.is_conflict_exception(), "{other:?}");
    // The same token on another operation is another token.
    let service_id = first.id().unwrap();
    let listener = || {
        client
            .create_listener()
            .service_identifier(service_id)
            .name("http")
            .protocol(ListenerProtocol::Http)
            .default_action(fixed_404())
            .client_token("token-1")
            .send()
    };
    let created = listener().await.unwrap();
    assert_eq!(listener().await.unwrap().id(), created.id());
    assert_eq!(emulator.lattice().state().listeners.len(), 1);
}
