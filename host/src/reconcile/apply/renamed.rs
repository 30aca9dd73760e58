//! A route whose service got another name (a plugin's naming changed, or
//! the `service-name-override` annotation): once the service of the new
//! name is programmed, the route's service of the old name is deleted.
//!
//! Contract: only services tagged `ManagedBy` this controller and the
//! route's `RouteName` and `RouteNamespace` (and `RouteType`, when set) are
//! deleted, never the one just programmed; a service of another controller,
//! an untagged one, or one of another route is never touched. One already
//! gone counts as deleted.

use crate::lattice::LatticeError;
use crate::object::ObjectRef;

use super::prune::has_source_route;
use super::{Applier, tags};

impl Applier<'_> {
    /// Deletes the services this controller (`managed_by`) made for `route`
    /// other than `programmed` (the id of the service the route has now).
    pub async fn retire_renamed_services(
        &mut self,
        managed_by: &str,
        route: &ObjectRef,
        programmed: &str,
    ) -> Result<(), LatticeError> {
        let route_tags = tags::route_service_tags(managed_by, route);
        let services = self
            .lattice
            .services_tagged(&tags::as_query(&route_tags))
            .await?;
        for old in services.iter().filter(|service| {
            service.id != programmed
                && tags::managed_by(&service.tags) == Some(managed_by)
                && tags::controller_tag(&service.tags, "RouteName").is_some()
                && tags::controller_tag(&service.tags, "RouteNamespace").is_some()
                && has_source_route(service, std::slice::from_ref(route))
        }) {
            self.delete_service(&old.id).await?;
        }
        Ok(())
    }
}
