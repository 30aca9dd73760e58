//! Cleanup of one object that is gone (deleted, or no longer Trellis's):
//! the Lattice resources this controller made for that object alone,
//! found by their tags, are deleted; nothing else is touched.
//!
//! Contract:
//! - A route owns the services tagged with this controller's `ManagedBy`
//!   and its `RouteName`, `RouteNamespace` (and `RouteType`, when set), and
//!   the target groups tagged with this controller's `ManagedBy` and
//!   `ClusterName` and its `RouteName`, `RouteNamespace` (and
//!   `SourceTypeKey` = its kind, when set). A ServiceExport owns the target
//!   groups tagged with this controller's `ManagedBy` and `ClusterName`,
//!   `SourceTypeKey=ServiceExport` and its `ServiceName`,
//!   `ServiceNamespace`. These are the tags the default plugin writes.
//! - A service goes with all its associations first (Lattice refuses to
//!   delete an associated service); its listeners, rules, auth policy and
//!   access log subscriptions go with it.
//! - A target group still used by some listener or rule (another route's
//!   rule forwarding to an export's group) is not deleted: it is reported as
//!   remaining, and the cleanup is tried again later.
//! - A resource already gone (`NotFound` at any step: the listing was
//!   stale, another reconcile deleted it meanwhile) counts as deleted. So
//!   cleanups of any number of objects may run at once, in any interleaving:
//!   each touches only what its object owns, and none fails because another
//!   got somewhere first.

use crate::config::ClusterConfig;
use crate::lattice::model::{Service, TargetGroup};
use crate::lattice::{Lattice, LatticeError};
use crate::object::{Kind, ObjectRef};

use super::deletion::Deletion;
use super::prune::route_type;
use super::{Applier, Call, tags};

/// What a cleanup did.
#[derive(Debug, Clone, Default)]
pub struct CleanedUp {
    /// The delete calls made, in order.
    pub calls: Vec<Call>,
    /// The ARNs of the object's resources still there: target groups that
    /// some listener or rule still forwards to. Empty once all are gone.
    pub remaining: Vec<String>,
}

/// Deletes what `cluster`'s controller made for `object` alone (see the
/// module doc); a failed call other than `NotFound` is returned as it is,
/// and the cleanup can simply be run again.
pub async fn clean_up_object(
    lattice: &dyn Lattice,
    cluster: &ClusterConfig,
    object: &ObjectRef,
) -> Result<CleanedUp, LatticeError> {
    let mut applier = Applier::new(lattice, &cluster.cluster_name);
    let remaining = applier.clean_up(cluster, object).await?;
    Ok(CleanedUp {
        calls: applier.into_calls(),
        remaining,
    })
}

/// Whether `service` is the one this controller (`managed_by`) made for the
/// route `route`.
pub(super) fn is_route_service(service: &Service, managed_by: &str, route: &ObjectRef) -> bool {
    let tag = |key| tags::controller_tag(&service.tags, key);
    tags::managed_by(&service.tags) == Some(managed_by)
        && tag("RouteName") == Some(route.name.as_str())
        && tag("RouteNamespace") == Some(route.namespace.as_str())
        && tag("RouteType").is_none_or(|kind| route_type(route.kind).eq_ignore_ascii_case(kind))
}

/// Whether `group` is one `cluster`'s controller made for `object` (a route
/// or a ServiceExport).
fn is_object_target_group(
    group: &TargetGroup,
    cluster: &ClusterConfig,
    object: &ObjectRef,
) -> bool {
    let tag = |key| tags::controller_tag(&group.tags, key);
    let ours = tags::managed_by(&group.tags) == Some(cluster.managed_by().as_str())
        && tag("ClusterName") == Some(cluster.cluster_name.as_str());
    if !ours {
        return false;
    }
    if object.kind == Kind::ServiceExport {
        tag("SourceTypeKey") == Some(Kind::ServiceExport.as_str())
            && tag("ServiceName") == Some(object.name.as_str())
            && tag("ServiceNamespace") == Some(object.namespace.as_str())
    } else {
        tag("RouteName") == Some(object.name.as_str())
            && tag("RouteNamespace") == Some(object.namespace.as_str())
            && tag("SourceTypeKey").is_none_or(|kind| kind == object.kind.as_str())
    }
}

/// `Ok(None)` for a resource that is gone, else the result as it is.
fn unless_gone<T>(result: Result<T, LatticeError>) -> Result<Option<T>, LatticeError> {
    match result {
        Ok(value) => Ok(Some(value)),
        Err(LatticeError::NotFound { .. }) => Ok(None),
        Err(error) => Err(error),
    }
}

impl Applier<'_> {
    /// The cleanup of [`clean_up_object`]; returns the ARNs that remain.
    async fn clean_up(
        &mut self,
        cluster: &ClusterConfig,
        object: &ObjectRef,
    ) -> Result<Vec<String>, LatticeError> {
        if object.kind.is_route() {
            let managed_by = cluster.managed_by();
            let services = self.lattice.list_services().await?;
            for service in services
                .iter()
                .filter(|service| is_route_service(service, &managed_by, object))
            {
                self.delete_service(&service.id).await?;
            }
        }
        let groups = self.lattice.list_target_groups().await?;
        let mut remaining = Vec::new();
        for group in groups
            .iter()
            .filter(|group| is_object_target_group(group, cluster, object))
        {
            if !self.delete_unused_target_group(group).await? {
                remaining.push(group.arn.clone());
            }
        }
        Ok(remaining)
    }

    /// Deletes the service `service_id` after all its associations; a
    /// service or association already gone counts as deleted.
    pub(super) async fn delete_service(&mut self, service_id: &str) -> Result<(), LatticeError> {
        let associations = self
            .lattice
            .list_service_network_service_associations(service_id)
            .await;
        let Some(associations) = unless_gone(associations)? else {
            return Ok(());
        };
        for association in &associations {
            self.delete(Deletion::ServiceNetworkServiceAssociation(&association.id))
                .await?;
        }
        self.delete(Deletion::Service(service_id)).await
    }

    /// Deletes `group` when nothing forwards to it (its users read afresh);
    /// `false` when it is still used. A group already gone counts as deleted.
    async fn delete_unused_target_group(
        &mut self,
        group: &TargetGroup,
    ) -> Result<bool, LatticeError> {
        let users = self.lattice.target_group_users(&group.id).await;
        match unless_gone(users)? {
            None => return Ok(true),
            Some(users) if !users.is_empty() => return Ok(false),
            Some(_) => {}
        }
        match self.delete_target_group(group).await {
            // A rule began forwarding to it since its users were read.
            Err(LatticeError::Conflict { .. }) => Ok(false),
            other => {
                unless_gone(other)?;
                Ok(true)
            }
        }
    }
}

#[cfg(test)]
mod tests;
