//! Deleting what Trellis made for objects that are gone: the services of
//! deleted routes, then target groups nothing uses any more.
//!
//! Ownership rules (decided; see docs/compatibility.md):
//! - Only resources whose `ManagedBy` tag is this controller's are deleted.
//!   Untagged resources are never deleted (upstream's `TryOwnFromTags` does
//!   not adopt on delete either); resources of other controllers never are.
//! - A service is deleted when no route of the cluster's input has its
//!   `RouteName`/`RouteNamespace`/`RouteType` tags — not when a route merely
//!   failed to translate, so a broken route never loses its live resources.
//!   All its associations go first (Lattice refuses to delete an associated
//!   service), then the service, which takes its listeners, rules, auth
//!   policy and access log subscriptions with it.
//! - A target group is garbage when it is this cluster's (`ManagedBy`,
//!   `ClusterName` and VPC), no listener or rule of any service forwards to
//!   it (`serviceArns`, read afresh), this apply did not ensure it, and it is
//!   not protected by its source: an export of the input, or a route of the
//!   input that failed to apply this time. So a route that moved to other
//!   backends loses its old groups, a broken route or export keeps its own.
//!   Every port of a multi-port export is its own target group, ensured (and
//!   so kept) on its own.

use crate::lattice::LatticeError;
use crate::lattice::model::{Service, TargetGroup};

use super::{Applier, tags};
use crate::object::{Kind, ObjectRef};

/// Route kinds as upstream's `RouteType` tag spells them.
pub(super) fn route_type(kind: Kind) -> &'static str {
    match kind {
        Kind::HttpRoute => "http",
        Kind::GrpcRoute => "grpc",
        Kind::TlsRoute => "tls",
        other => other.as_str(),
    }
}

/// Whether `service` was made for a route of `sources`.
pub(super) fn has_source_route(service: &Service, sources: &[ObjectRef]) -> bool {
    let (Some(name), Some(namespace)) = (
        tags::controller_tag(&service.tags, "RouteName"),
        tags::controller_tag(&service.tags, "RouteNamespace"),
    ) else {
        return true;
    };
    let kind = tags::controller_tag(&service.tags, "RouteType");
    sources.iter().any(|source| {
        source.name == name
            && source.namespace == namespace
            && kind.is_none_or(|kind| route_type(source.kind).eq_ignore_ascii_case(kind))
    })
}

/// Whether `group` was made for an object of `sources` (a route it belongs
/// to, or the Service an export exports).
fn has_source_object(group: &TargetGroup, sources: &[ObjectRef]) -> bool {
    let route = (
        tags::controller_tag(&group.tags, "RouteName"),
        tags::controller_tag(&group.tags, "RouteNamespace"),
    );
    if let (Some(name), Some(namespace)) = route {
        return sources.iter().any(|source| {
            source.kind != Kind::ServiceExport
                && source.name == name
                && source.namespace == namespace
        });
    }
    let service = (
        tags::controller_tag(&group.tags, "ServiceName"),
        tags::controller_tag(&group.tags, "ServiceNamespace"),
    );
    let (Some(name), Some(namespace)) = service else {
        return true;
    };
    sources.iter().any(|source| {
        source.kind == Kind::ServiceExport && source.name == name && source.namespace == namespace
    })
}

impl Applier<'_> {
    /// Deletes the services among `services` (a listing made before
    /// `sources` were read) that this controller made for routes that are
    /// not in `sources`; one already gone counts as deleted.
    pub async fn prune_services(
        &mut self,
        services: &[Service],
        managed_by: &str,
        sources: &[ObjectRef],
    ) -> Result<(), LatticeError> {
        for service in services.iter().filter(|service| {
            tags::managed_by(&service.tags) == Some(managed_by)
                && !has_source_route(service, sources)
        }) {
            self.delete_service(&service.id).await?;
        }
        Ok(())
    }

    /// Deletes this cluster's unused target groups among `groups` (a listing,
    /// possibly cached, made before `protecting` was read); `ensured` are the
    /// ids this apply made or kept; groups whose source is among `protecting`
    /// are kept. Each candidate's users are read afresh before it is
    /// deleted; one already gone counts as deleted.
    pub async fn collect_target_groups(
        &mut self,
        groups: &[TargetGroup],
        cluster: &crate::config::ClusterConfig,
        ensured: &[String],
        protecting: &[ObjectRef],
    ) -> Result<(), LatticeError> {
        let managed_by = cluster.managed_by();
        for group in groups.iter().filter(|group| {
            tags::managed_by(&group.tags) == Some(managed_by.as_str())
                && tags::controller_tag(&group.tags, "ClusterName")
                    == Some(cluster.cluster_name.as_str())
                && group.config.vpc_identifier == cluster.vpc_id
                && !ensured.contains(&group.id)
                && !has_source_object(group, protecting)
        }) {
            let users = match self.lattice.target_group_users(&group.id).await {
                Err(LatticeError::NotFound { .. }) => continue,
                users => users?,
            };
            if users.is_empty() {
                match self.delete_target_group(group).await {
                    Err(LatticeError::NotFound { .. }) => {}
                    other => other?,
                }
            }
        }
        Ok(())
    }
}

/// The service this controller (`managed_by`) made for `route`, found by
/// its ManagedBy and route tags (its name is the plugin's choice).
pub async fn route_service(
    lattice: &dyn crate::lattice::Lattice,
    managed_by: &str,
    route: &ObjectRef,
) -> Result<Option<Service>, LatticeError> {
    let route_tags = tags::route_service_tags(managed_by, route);
    let services = lattice
        .services_tagged(&tags::as_query(&route_tags))
        .await?;
    Ok(services.into_iter().find(|service| {
        tags::managed_by(&service.tags) == Some(managed_by)
            && tags::controller_tag(&service.tags, "RouteName").is_some()
            && tags::controller_tag(&service.tags, "RouteNamespace").is_some()
            && has_source_route(service, std::slice::from_ref(route))
    }))
}
