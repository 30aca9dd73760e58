//! Listeners and rules through the real AWS SDK client.

mod common;

use aws_sdk_vpclattice::types::{
    HttpMatch, ListenerProtocol, PathMatch, PathMatchType, RuleAction, RuleMatch,
};
use common::{fixed_404, forward, service, start, target_group};

fn prefix(path: &str) -> RuleMatch {
    let path = PathMatch::builder()
        .r#match(PathMatchType::Prefix(path.into()))
        .build();
    RuleMatch::HttpMatch(HttpMatch::builder().path_match(path).build())
}

#[tokio::test]
async fn listeners_are_created_listed_read_updated_and_deleted() {
    let (emulator, client) = start(1).await;
    let service_id = service(&client, "rates-default").await;
    let group = target_group(&client, "rates-default-80").await;
    let created = client
        .create_listener()
        .service_identifier(&service_id)
        .name("http")
        .protocol(ListenerProtocol::Http)
        .default_action(fixed_404())
        .send()
        .await
        .unwrap();
    assert_eq!(created.port(), Some(80), "HTTP defaults to port 80");
    assert_eq!(created.service_id(), Some(service_id.as_str()));
    assert!(created.service_arn().unwrap().ends_with(&service_id));
    client
        .create_listener()
        .service_identifier(&service_id)
        .name("https")
        .protocol(ListenerProtocol::Https)
        .default_action(forward(&group))
        .send()
        .await
        .unwrap();
    let ports: Vec<i32> = client
        .list_listeners()
        .service_identifier(&service_id)
        .into_paginator()
        .items()
        .send()
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .map(|item| item.unwrap().port.unwrap())
        .collect();
    assert_eq!(ports, [80, 443]);

    let listener_id = created.id().unwrap();
    let updated = client
        .update_listener()
        .service_identifier(&service_id)
        .listener_identifier(created.arn().unwrap())
        .default_action(forward(&group))
        .send()
        .await
        .unwrap();
    assert!(matches!(
        updated.default_action(),
        Some(RuleAction::Forward(_))
    ));
    let read = client
        .get_listener()
        .service_identifier(&service_id)
        .listener_identifier(listener_id)
        .send()
        .await
        .unwrap();
    let RuleAction::Forward(action) = read.default_action().unwrap() else {
        panic!("not a forward action");
    };
    assert_eq!(action.target_groups()[0].target_group_identifier(), group);

    client
        .delete_listener()
        .service_identifier(&service_id)
        .listener_identifier(listener_id)
        .send()
        .await
        .unwrap();
    let gone = client
        .get_listener()
        .service_identifier(&service_id)
        .listener_identifier(listener_id)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(gone.is_resource_not_found_exception(), "{gone:?}");
    assert_eq!(emulator.lattice().state().listeners.len(), 1);
}

#[tokio::test]
async fn rules_are_created_listed_read_updated_and_deleted() {
    let (_emulator, client) = start(2).await;
    let service_id = service(&client, "rates-default").await;
    let group = target_group(&client, "rates-default-80").await;
    let listener = client
        .create_listener()
        .service_identifier(&service_id)
        .name("http")
        .protocol(ListenerProtocol::Http)
        .port(8080)
        .default_action(fixed_404())
        .send()
        .await
        .unwrap();
    let listener_id = listener.id().unwrap();
    let mut rule_ids = Vec::new();
    for (priority, path) in [(10, "/a"), (20, "/b"), (30, "/c")] {
        let created = client
            .create_rule()
            .service_identifier(&service_id)
            .listener_identifier(listener_id)
            .name(format!("rule{priority}"))
            .priority(priority)
            .r#match(prefix(path))
            .action(forward(&group))
            .send()
            .await
            .unwrap();
        assert_eq!(created.priority(), Some(priority));
        rule_ids.push(created.id().unwrap().to_owned());
    }
    let pages: Vec<_> = client
        .list_rules()
        .service_identifier(&service_id)
        .listener_identifier(listener_id)
        .into_paginator()
        .send()
        .collect::<Vec<_>>()
        .await;
    assert_eq!(pages.len(), 2, "3 rules and the default rule in pages of 2");
    let items: Vec<_> = pages
        .into_iter()
        .flat_map(|page| page.unwrap().items)
        .collect();
    let priorities: Vec<i32> = items.iter().filter_map(|item| item.priority).collect();
    assert_eq!(priorities, [10, 20, 30]);
    let default = items.last().unwrap();
    assert_eq!(default.is_default(), Some(true));
    let read_default = client
        .get_rule()
        .service_identifier(&service_id)
        .listener_identifier(listener_id)
        .rule_identifier(default.id().unwrap())
        .send()
        .await
        .unwrap();
    assert!(matches!(
        read_default.action(),
        Some(RuleAction::FixedResponse(_))
    ));

    let taken = client
        .create_rule()
        .service_identifier(&service_id)
        .listener_identifier(listener_id)
        .name("again")
        .priority(10)
        .r#match(prefix("/d"))
        .action(fixed_404())
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(taken.is_conflict_exception(), "{taken:?}");

    let updated = client
        .update_rule()
        .service_identifier(&service_id)
        .listener_identifier(listener_id)
        .rule_identifier(&rule_ids[0])
        .priority(15)
        .send()
        .await
        .unwrap();
    assert_eq!(updated.priority(), Some(15));
    assert!(
        matches!(updated.action(), Some(RuleAction::Forward(_))),
        "action kept"
    );
    let read = client
        .get_rule()
        .service_identifier(&service_id)
        .listener_identifier(listener.arn().unwrap())
        .rule_identifier(&rule_ids[0])
        .send()
        .await
        .unwrap();
    assert_eq!(read.priority(), Some(15));
    assert_eq!(read.is_default(), Some(false));
    let RuleMatch::HttpMatch(http) = read.r#match().unwrap() else {
        panic!("not an HTTP match");
    };
    assert_eq!(
        http.path_match().unwrap().r#match(),
        Some(&PathMatchType::Prefix("/a".into()))
    );

    client
        .delete_rule()
        .service_identifier(&service_id)
        .listener_identifier(listener_id)
        .rule_identifier(&rule_ids[1])
        .send()
        .await
        .unwrap();
    let gone = client
        .delete_rule()
        .service_identifier(&service_id)
        .listener_identifier(listener_id)
        .rule_identifier(&rule_ids[1])
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(gone.is_resource_not_found_exception(), "{gone:?}");
}
