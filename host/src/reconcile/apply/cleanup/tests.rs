//! Cleanups of objects one at a time, side by side, and against listings
//! that other deletes made stale.

use std::sync::Arc;

use super::*;
use crate::lattice::model::{
    CreateListenerInput, CreateServiceInput, CreateServiceNetworkInput,
    CreateServiceNetworkServiceAssociationInput, CreateTargetGroupInput, ForwardAction,
    RegisterTargetsInput, RuleAction, Tags, Target, TargetGroupConfig, WeightedTargetGroup,
};
use crate::lattice::{CachedLattice, InMemoryLattice};

const PREFIX: &str = "application-networking.k8s.aws/";

fn cluster(name: &str) -> ClusterConfig {
    ClusterConfig {
        cluster_name: name.into(),
        vpc_id: "vpc-0a1b2c3d4e5f60000".into(),
        account_id: "123456789012".into(),
        region: "us-west-2".into(),
        default_service_network: None,
        service_network_override: false,
    }
}

fn tags(pairs: &[(&str, &str)]) -> Tags {
    pairs
        .iter()
        .map(|(key, value)| (format!("{PREFIX}{key}"), (*value).to_owned()))
        .collect()
}

fn route(name: &str) -> ObjectRef {
    ObjectRef::new(Kind::HttpRoute, "default", name)
}

fn export(name: &str) -> ObjectRef {
    ObjectRef::new(Kind::ServiceExport, "default", name)
}

async fn target_group(lattice: &dyn Lattice, name: &str, tags: Tags) -> TargetGroup {
    let group = lattice
        .create_target_group(CreateTargetGroupInput {
            name: name.into(),
            type_: "IP".into(),
            config: TargetGroupConfig {
                port: 80,
                protocol: "HTTP".into(),
                protocol_version: Some("HTTP1".into()),
                ip_address_type: "IPV4".into(),
                vpc_identifier: "vpc-0a1b2c3d4e5f60000".into(),
                health_check: None,
            },
            tags,
        })
        .await
        .unwrap();
    lattice
        .register_targets(RegisterTargetsInput {
            target_group_identifier: group.id.clone(),
            targets: vec![Target {
                id: "10.0.0.1".into(),
                port: 8080,
            }],
        })
        .await
        .unwrap();
    group
}

/// What `cluster`'s controller makes for `route`: a service associated
/// with `network`, its listener forwarding to the route's target group.
async fn make_route(lattice: &dyn Lattice, cluster: &ClusterConfig, network: &str, route: &str) {
    let managed_by = cluster.managed_by();
    let group = target_group(
        lattice,
        &format!("k8s-{route}-{}", cluster.cluster_name),
        tags(&[
            ("ManagedBy", &managed_by),
            ("ClusterName", &cluster.cluster_name),
            ("RouteName", route),
            ("RouteNamespace", "default"),
            ("ServiceName", route),
            ("ServiceNamespace", "default"),
            ("SourceTypeKey", "HTTPRoute"),
        ]),
    )
    .await;
    let service = lattice
        .create_service(CreateServiceInput {
            name: format!("{route}-{}", cluster.cluster_name),
            custom_domain_name: None,
            certificate_arn: None,
            auth_type: "NONE".into(),
            tags: tags(&[
                ("ManagedBy", &managed_by),
                ("RouteName", route),
                ("RouteNamespace", "default"),
                ("RouteType", "http"),
            ]),
        })
        .await
        .unwrap();
    lattice
        .create_service_network_service_association(CreateServiceNetworkServiceAssociationInput {
            service_identifier: service.id.clone(),
            service_network_identifier: network.into(),
            tags: tags(&[("ManagedBy", &managed_by)]),
        })
        .await
        .unwrap();
    lattice
        .create_listener(CreateListenerInput {
            service_identifier: service.id,
            name: "http-80".into(),
            port: 80,
            protocol: "HTTP".into(),
            default_action: RuleAction::Forward(ForwardAction {
                target_groups: vec![WeightedTargetGroup {
                    target_group_identifier: group.id,
                    weight: 1,
                }],
            }),
            tags: tags(&[("ManagedBy", &managed_by)]),
        })
        .await
        .unwrap();
}

/// The target group `cluster`'s controller makes for the export `name`.
async fn make_export(lattice: &dyn Lattice, cluster: &ClusterConfig, name: &str) {
    target_group(
        lattice,
        &format!("k8s-export-{name}-{}", cluster.cluster_name),
        tags(&[
            ("ManagedBy", &cluster.managed_by()),
            ("ClusterName", &cluster.cluster_name),
            ("ServiceName", name),
            ("ServiceNamespace", "default"),
            ("SourceTypeKey", "ServiceExport"),
        ]),
    )
    .await;
}

/// An account with `routes` and `exports` of cluster `one`, and the same
/// names made by cluster `two`; the id of their service network.
async fn account(routes: &[String], exports: &[String]) -> (InMemoryLattice, String) {
    let lattice = InMemoryLattice::new("123456789012", "us-west-2");
    let network = lattice
        .create_service_network(CreateServiceNetworkInput {
            name: "mesh".into(),
            auth_type: "NONE".into(),
            tags: Tags::new(),
        })
        .await
        .unwrap();
    for cluster in [cluster("one"), cluster("two")] {
        for name in routes {
            make_route(&lattice, &cluster, &network.id, name).await;
        }
        for name in exports {
            make_export(&lattice, &cluster, name).await;
        }
    }
    (lattice, network.id)
}

fn names(prefix: &str, count: usize) -> Vec<String> {
    (0..count)
        .map(|index| format!("{prefix}-{index}"))
        .collect()
}

/// The names of the services and target groups left.
fn left(lattice: &InMemoryLattice) -> (Vec<String>, Vec<String>) {
    let state = lattice.state();
    let mut services: Vec<String> = state.services.into_iter().map(|s| s.name).collect();
    let mut groups: Vec<String> = state.target_groups.into_iter().map(|g| g.name).collect();
    services.sort();
    groups.sort();
    (services, groups)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn many_objects_cleaned_up_at_once_take_only_their_own_resources() {
    let (routes, exports) = (names("route", 12), names("export", 12));
    let (lattice, _) = account(&routes, &exports).await;
    let lattice = Arc::new(CachedLattice::new(lattice));
    // Everything is listed once, as a controller's cache holds it.
    lattice.list_services().await.unwrap();
    lattice.list_target_groups().await.unwrap();
    let (kept_routes, kept_exports) = (&routes[..2], &exports[..2]);
    let gone: Vec<ObjectRef> = routes[2..]
        .iter()
        .map(|name| route(name))
        .chain(exports[2..].iter().map(|name| export(name)))
        .collect();
    let cleanups: Vec<_> = gone
        .iter()
        .cloned()
        .map(|object| {
            let lattice = lattice.clone();
            tokio::spawn(async move {
                clean_up_object(lattice.as_ref(), &cluster("one"), &object).await
            })
        })
        .collect();
    for (object, cleanup) in gone.iter().zip(cleanups) {
        let cleaned = cleanup.await.unwrap().unwrap_or_else(|error| {
            panic!("{object}: {error}");
        });
        assert!(cleaned.remaining.is_empty(), "{object}: {cleaned:?}");
    }

    let (services, groups) = left(lattice.inner());
    let mut expected_services: Vec<String> = kept_routes
        .iter()
        .map(|name| format!("{name}-one"))
        .chain(routes.iter().map(|name| format!("{name}-two")))
        .collect();
    expected_services.sort();
    assert_eq!(services, expected_services);
    let mut expected_groups: Vec<String> = kept_routes
        .iter()
        .map(|name| format!("k8s-{name}-one"))
        .chain(
            kept_exports
                .iter()
                .map(|name| format!("k8s-export-{name}-one")),
        )
        .chain(routes.iter().map(|name| format!("k8s-{name}-two")))
        .chain(exports.iter().map(|name| format!("k8s-export-{name}-two")))
        .collect();
    expected_groups.sort();
    assert_eq!(groups, expected_groups);
    // Cluster two's associations and listeners are all there.
    let state = lattice.inner().state();
    assert_eq!(
        state.service_network_service_associations.len(),
        routes.len() + kept_routes.len()
    );
    assert_eq!(state.listeners.len(), routes.len() + kept_routes.len());
}

#[tokio::test]
async fn resources_deleted_meanwhile_count_as_deleted() {
    let (routes, exports) = (names("route", 1), names("export", 1));
    let (lattice, _) = account(&routes, &exports).await;
    let lattice = CachedLattice::new(lattice);
    lattice.list_services().await.unwrap();
    lattice.list_target_groups().await.unwrap();
    // Another reconcile (unseen by this cache) deletes the route's service
    // and target group and the export's target group.
    let state = lattice.inner().state();
    let mine = |name: &str| name.ends_with("-one");
    for service in state.services.iter().filter(|s| mine(&s.name)) {
        let mut other = Applier::new(lattice.inner(), "one");
        other.delete_service(&service.id).await.unwrap();
    }
    for group in state.target_groups.iter().filter(|g| mine(&g.name)) {
        lattice
            .inner()
            .delete_target_group(&group.id)
            .await
            .unwrap();
    }

    for object in [route(&routes[0]), export(&exports[0])] {
        let cleaned = clean_up_object(&lattice, &cluster("one"), &object)
            .await
            .unwrap_or_else(|error| panic!("{object}: {error}"));
        assert!(cleaned.remaining.is_empty(), "{object}: {cleaned:?}");
    }
    let (services, groups) = left(lattice.inner());
    assert_eq!(services, ["route-0-two"]);
    assert_eq!(groups, ["k8s-export-export-0-two", "k8s-route-0-two"]);
}

#[tokio::test]
async fn a_target_group_another_service_uses_remains_and_is_reported() {
    let (lattice, network) = account(&[], &names("export", 1)).await;
    // A route of cluster two forwards to cluster one's export.
    let theirs = cluster("two");
    make_route(&lattice, &theirs, &network, "importer").await;
    let state = lattice.state();
    let exported = state
        .target_groups
        .iter()
        .find(|group| group.name == "k8s-export-export-0-one")
        .unwrap();
    let listener = &state.listeners[0];
    lattice
        .update_listener(crate::lattice::model::UpdateListenerInput {
            service_identifier: listener.service_id.clone(),
            listener_identifier: listener.id.clone(),
            default_action: RuleAction::Forward(ForwardAction {
                target_groups: vec![WeightedTargetGroup {
                    target_group_identifier: exported.id.clone(),
                    weight: 1,
                }],
            }),
        })
        .await
        .unwrap();

    let cleaned = clean_up_object(&lattice, &cluster("one"), &export("export-0"))
        .await
        .unwrap();
    assert_eq!(cleaned.remaining, [exported.arn.as_str()]);
    assert!(cleaned.calls.is_empty(), "{:?}", cleaned.calls);
}
