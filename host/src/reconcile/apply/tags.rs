//! Tag helpers: ownership by the `ManagedBy` tag, and the tags a resource
//! lacks.

use crate::lattice::model::Tags;
use crate::object::ObjectRef;

use super::CONTROLLER_TAG_PREFIX;

/// The value of the controller's tag `key` (without its prefix), if set.
pub fn controller_tag<'a>(tags: &'a Tags, key: &str) -> Option<&'a str> {
    tags.get(&format!("{CONTROLLER_TAG_PREFIX}{key}"))
        .map(String::as_str)
}

/// The controller that manages a resource with `tags`, if any says so.
pub fn managed_by(tags: &Tags) -> Option<&str> {
    controller_tag(tags, "ManagedBy")
}

/// The tags every service this controller (`managed_by`) made for `route`
/// holds (`ManagedBy`, `RouteName`, `RouteNamespace`), prefixed: the query
/// that finds a route's services without reading every service.
pub fn route_service_tags(managed_by: &str, route: &ObjectRef) -> [(String, String); 3] {
    [
        ("ManagedBy", managed_by),
        ("RouteName", route.name.as_str()),
        ("RouteNamespace", route.namespace.as_str()),
    ]
    .map(|(key, value)| (format!("{CONTROLLER_TAG_PREFIX}{key}"), value.to_owned()))
}

/// `tags` as the borrowed pairs a tag query takes.
pub fn as_query(tags: &[(String, String)]) -> Vec<(&str, &str)> {
    tags.iter()
        .map(|(key, value)| (key.as_str(), value.as_str()))
        .collect()
}

/// The tags of `desired` that `existing` lacks or holds with another value.
/// Tags only `existing` has (added by others) are not part of it: Trellis
/// never strips them.
pub fn missing(existing: &Tags, desired: &Tags) -> Tags {
    desired
        .iter()
        .filter(|(key, value)| existing.get(*key) != Some(*value))
        .map(|(key, value)| (key.clone(), value.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_tags_leave_foreign_ones_alone() {
        let existing = Tags::from([
            ("team".into(), "a".into()),
            ("added-by-someone".into(), "x".into()),
        ]);
        let desired = Tags::from([("team".into(), "b".into()), ("env".into(), "prod".into())]);
        assert_eq!(
            missing(&existing, &desired),
            Tags::from([("team".into(), "b".into()), ("env".into(), "prod".into())])
        );
        assert!(missing(&desired, &desired).is_empty());
    }
}
