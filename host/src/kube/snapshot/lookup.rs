//! Lookups of a snapshot's objects by namespace and name, so that
//! normalizing every route and export of a large cluster costs a hash
//! lookup per reference instead of a scan of the whole list.
//!
//! Contract: the index is built on the first lookup from the lists as they
//! are then, and answers exactly as the first-match scan it replaces
//! (first in list order among equal keys). Positions are hints: each is
//! checked against the object it points at, and a list whose length
//! changed since the index was built is scanned instead, so a snapshot
//! changed after a lookup is answered correctly (if slowly) as long as a
//! change of a list also changes its length or the objects the index
//! points at. Replace the snapshot's `lookup` with a default one after
//! changing its lists in place to get the fast path back.

use std::collections::HashMap;
use std::sync::OnceLock;

use k8s_openapi::api::core::v1::Service;
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::Snapshot;
use crate::kube::crds::ServiceImport;
use crate::kube::endpoints::SERVICE_NAME_LABEL;

/// An object's namespace (empty when cluster-scoped) and name, owned.
type Key = (String, String);

/// The lazily built positions of a [`Snapshot`]'s Services, ServiceImports
/// and EndpointSlices (by the Service they name).
#[derive(Debug, Clone, Default)]
pub struct SnapshotLookup {
    built: OnceLock<Positions>,
}

#[derive(Debug, Clone)]
struct Positions {
    lengths: [usize; 3],
    services: HashMap<Key, usize>,
    service_imports: HashMap<Key, usize>,
    /// EndpointSlices with a namespace, by it and the Service their
    /// `kubernetes.io/service-name` label names, in list order.
    slices: HashMap<Key, Vec<usize>>,
}

fn key_of(metadata: &ObjectMeta) -> (&str, &str) {
    (
        metadata.namespace.as_deref().unwrap_or_default(),
        metadata.name.as_deref().unwrap_or_default(),
    )
}

fn owned((namespace, name): (&str, &str)) -> Key {
    (namespace.to_owned(), name.to_owned())
}

/// The Service an EndpointSlice belongs to: its namespace (it must have
/// one) and the Service its label names.
fn slice_service(slice: &EndpointSlice) -> Option<(&str, &str)> {
    let namespace = slice.metadata.namespace.as_deref()?;
    let service = slice.metadata.labels.as_ref()?.get(SERVICE_NAME_LABEL)?;
    Some((namespace, service.as_str()))
}

fn first_positions<'a>(metadata: impl Iterator<Item = &'a ObjectMeta>) -> HashMap<Key, usize> {
    let mut positions = HashMap::new();
    for (position, metadata) in metadata.enumerate() {
        positions.entry(owned(key_of(metadata))).or_insert(position);
    }
    positions
}

impl Positions {
    fn of(snapshot: &Snapshot) -> Self {
        let mut slices: HashMap<Key, Vec<usize>> = HashMap::new();
        for (position, slice) in snapshot.endpoint_slices.iter().enumerate() {
            if let Some(service) = slice_service(slice) {
                slices.entry(owned(service)).or_default().push(position);
            }
        }
        Self {
            lengths: lengths(snapshot),
            services: first_positions(snapshot.services.iter().map(|service| &service.metadata)),
            service_imports: first_positions(
                snapshot
                    .service_imports
                    .iter()
                    .map(|import| &import.metadata),
            ),
            slices,
        }
    }
}

fn lengths(snapshot: &Snapshot) -> [usize; 3] {
    [
        snapshot.services.len(),
        snapshot.service_imports.len(),
        snapshot.endpoint_slices.len(),
    ]
}

/// The first of `items` whose metadata (`meta`) has the key `wanted`: the
/// position `indexed` gives when it points at such an item (or says there
/// is none), else a scan.
fn first_named<'a, T>(
    items: &'a [T],
    indexed: Option<&HashMap<Key, usize>>,
    meta: impl Fn(&T) -> &ObjectMeta,
    wanted: (&str, &str),
) -> Option<&'a T> {
    let hinted = indexed.map(|positions| {
        positions
            .get(&owned(wanted))
            .and_then(|&position| items.get(position))
    });
    match hinted {
        Some(found) if found.is_none_or(|item| key_of(meta(item)) == wanted) => found,
        _ => items.iter().find(|item| key_of(meta(item)) == wanted),
    }
}

impl Snapshot {
    /// The index, when it still describes the lists' lengths.
    fn positions(&self) -> Option<&Positions> {
        let positions = self.lookup.built.get_or_init(|| Positions::of(self));
        (positions.lengths == lengths(self)).then_some(positions)
    }

    /// The first Service `namespace/name` (an empty namespace also matches
    /// a Service without one).
    pub fn service(&self, namespace: &str, name: &str) -> Option<&Service> {
        let indexed = self.positions().map(|positions| &positions.services);
        first_named(
            &self.services,
            indexed,
            |service| &service.metadata,
            (namespace, name),
        )
    }

    /// The first ServiceImport `namespace/name`, as [`Snapshot::service`].
    pub fn service_import(&self, namespace: &str, name: &str) -> Option<&ServiceImport> {
        let indexed = self.positions().map(|positions| &positions.service_imports);
        first_named(
            &self.service_imports,
            indexed,
            |import| &import.metadata,
            (namespace, name),
        )
    }

    /// The EndpointSlices of namespace `namespace` labelled as the
    /// Service `service`'s, in list order.
    pub fn endpoint_slices_of(&self, namespace: &str, service: &str) -> Vec<&EndpointSlice> {
        let wanted = (namespace, service);
        let indexed = self.positions().map(|positions| {
            positions
                .slices
                .get(&owned(wanted))
                .map_or(&[][..], Vec::as_slice)
                .iter()
                .filter_map(|&position| self.endpoint_slices.get(position))
                .collect::<Vec<_>>()
        });
        match indexed {
            Some(found)
                if found
                    .iter()
                    .all(|slice| slice_service(slice) == Some(wanted)) =>
            {
                found
            }
            _ => self
                .endpoint_slices
                .iter()
                .filter(|slice| slice_service(slice) == Some(wanted))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::kube::testing::snapshot;

    const OBJECTS: &str = r#"
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop, labels: {copy: first}}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: other}
---
apiVersion: application-networking.k8s.aws/v1alpha1
kind: ServiceImport
metadata: {name: web, namespace: shop}
spec: {type: ClusterSetIP, ports: [{port: 80, protocol: TCP}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: web-a, namespace: shop, labels: {kubernetes.io/service-name: web}}
addressType: IPv4
endpoints: []
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: web-b, namespace: other, labels: {kubernetes.io/service-name: web}}
addressType: IPv4
endpoints: []
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: web-c, namespace: shop, labels: {kubernetes.io/service-name: web}}
addressType: IPv4
endpoints: []
"#;

    /// The snapshot of `OBJECTS` with a second copy of Service shop/web
    /// (labelled `second`) at its end, as a store may briefly hold.
    fn with_duplicate() -> crate::kube::Snapshot {
        let mut snapshot = snapshot(OBJECTS);
        let mut second = snapshot.services[0].clone();
        second.metadata.labels = Some([("copy".to_owned(), "second".to_owned())].into());
        snapshot.services.push(second);
        snapshot
    }

    fn label(service: &k8s_openapi::api::core::v1::Service) -> Option<&str> {
        let labels = service.metadata.labels.as_ref()?;
        labels.get("copy").map(String::as_str)
    }

    #[test]
    fn lookups_answer_as_the_first_match_scan() {
        let snapshot = with_duplicate();
        assert_eq!(
            snapshot.service("shop", "web").and_then(label),
            Some("first")
        );
        assert!(snapshot.service("other", "web").is_some());
        assert!(snapshot.service("shop", "api").is_none());
        assert!(snapshot.service_import("shop", "web").is_some());
        assert!(snapshot.service_import("other", "web").is_none());
        let slices: Vec<_> = snapshot
            .endpoint_slices_of("shop", "web")
            .iter()
            .map(|slice| slice.metadata.name.as_deref().unwrap())
            .collect();
        assert_eq!(slices, ["web-a", "web-c"]);
        assert!(snapshot.endpoint_slices_of("shop", "api").is_empty());
    }

    #[test]
    fn a_list_changed_after_a_lookup_is_still_answered() {
        let mut snapshot = with_duplicate();
        assert!(snapshot.service("shop", "api").is_none());
        let mut api = snapshot.services[1].clone();
        api.metadata.name = Some("api".into());
        api.metadata.namespace = Some("shop".into());
        snapshot.services.push(api);
        assert!(snapshot.service("shop", "api").is_some());
        snapshot.services.swap(0, 3);
        snapshot.services.pop();
        assert_eq!(
            snapshot.service("shop", "web").and_then(label),
            Some("second")
        );
    }
}
