//! Services and their associations with service networks through the real
//! AWS SDK client.

mod common;

use aws_sdk_vpclattice::types::{AuthType, ServiceNetworkServiceAssociationStatus, ServiceStatus};
use common::{service, start};

#[tokio::test]
async fn services_are_created_listed_read_updated_and_deleted() {
    let (emulator, client) = start(2).await;
    let created = client
        .create_service()
        .name("rates-default")
        .custom_domain_name("rates.example.com")
        .tags("team", "payments")
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), Some(&ServiceStatus::CreateInProgress));
    assert!(
        created
            .dns_entry()
            .unwrap()
            .domain_name()
            .unwrap()
            .starts_with("rates-default-")
    );
    let id = created.id().unwrap().to_owned();
    for name in ["quotes-default", "users-default"] {
        service(&client, name).await;
    }
    let pages: Vec<_> = client
        .list_services()
        .into_paginator()
        .send()
        .collect::<Vec<_>>()
        .await;
    assert_eq!(pages.len(), 2, "3 services in pages of 2");
    let names: Vec<String> = pages
        .into_iter()
        .flat_map(|page| page.unwrap().items.unwrap_or_default())
        .map(|item| item.name.unwrap_or_default())
        .collect();
    assert_eq!(names, ["rates-default", "quotes-default", "users-default"]);

    let read = client
        .get_service()
        .service_identifier(&id)
        .send()
        .await
        .unwrap();
    assert_eq!(read.status(), Some(&ServiceStatus::Active));
    assert_eq!(read.custom_domain_name(), Some("rates.example.com"));

    let updated = client
        .update_service()
        .service_identifier(created.arn().unwrap())
        .auth_type(AuthType::AwsIam)
        .certificate_arn("arn:aws:acm:us-west-2:123456789012:certificate/abc")
        .send()
        .await
        .unwrap();
    assert_eq!(updated.auth_type(), Some(&AuthType::AwsIam));
    assert_eq!(
        updated.certificate_arn(),
        Some("arn:aws:acm:us-west-2:123456789012:certificate/abc")
    );

    let deleted = client
        .delete_service()
        .service_identifier(&id)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), Some(&ServiceStatus::DeleteInProgress));
    assert_eq!(deleted.name(), Some("rates-default"));
    let gone = client
        .get_service()
        .service_identifier(&id)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(gone.is_resource_not_found_exception(), "{gone:?}");
    assert_eq!(emulator.lattice().state().services.len(), 2);
}

#[tokio::test]
async fn service_associations_are_created_listed_and_deleted() {
    let (_emulator, client) = start(1).await;
    let service_id = service(&client, "rates-default").await;
    let mut associations = Vec::new();
    for name in ["mesh-a", "mesh-b"] {
        let network = client
            .create_service_network()
            .name(name)
            .send()
            .await
            .unwrap();
        let created = client
            .create_service_network_service_association()
            .service_identifier(&service_id)
            .service_network_identifier(network.arn().unwrap())
            .send()
            .await
            .unwrap();
        assert_eq!(
            created.status(),
            Some(&ServiceNetworkServiceAssociationStatus::CreateInProgress)
        );
        assert!(created.dns_entry().is_some());
        associations.push(created.id().unwrap().to_owned());
    }
    let listed: Vec<_> = client
        .list_service_network_service_associations()
        .service_identifier(&service_id)
        .into_paginator()
        .items()
        .send()
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0].service_network_name(), Some("mesh-a"));
    assert_eq!(
        listed[1].status(),
        Some(&ServiceNetworkServiceAssociationStatus::Active)
    );
    assert_eq!(listed[0].service_name(), Some("rates-default"));

    let in_use = client
        .delete_service()
        .service_identifier(&service_id)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(in_use.is_conflict_exception(), "{in_use:?}");

    let duplicate = client
        .create_service_network_service_association()
        .service_identifier(&service_id)
        .service_network_identifier(listed[0].service_network_id().unwrap())
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(duplicate.is_conflict_exception(), "{duplicate:?}");

    for id in &associations {
        let deleted = client
            .delete_service_network_service_association()
            .service_network_service_association_identifier(id)
            .send()
            .await
            .unwrap();
        assert_eq!(
            deleted.status(),
            Some(&ServiceNetworkServiceAssociationStatus::DeleteInProgress)
        );
    }
    let again = client
        .delete_service_network_service_association()
        .service_network_service_association_identifier(&associations[0])
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(again.is_resource_not_found_exception(), "{again:?}");
    client
        .delete_service()
        .service_identifier(&service_id)
        .send()
        .await
        .unwrap();
}
