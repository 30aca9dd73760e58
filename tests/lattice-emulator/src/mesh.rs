//! Meshes: an account's state with its identities taken out, so that two
//! accounts built by different runs (other ids, ARNs, DNS names, statuses)
//! compare equal when they hold the same resources.
//!
//! Contract: [`Mesh::of`] keys every resource by what names it in the API
//! (a network or service by name, an association by its two ends, a listener
//! by service and port, a rule by service, listener port and name, a target
//! group by name, its targets by the group's name, ...), and keeps the rest
//! of the resource with `id`, `arn`, `status` left out and every id or ARN of
//! another resource replaced by that resource's key. Two resources of one
//! key are a duplicate; [`compare`] lists what one mesh lacks, what it has
//! more and what differs.

use std::collections::BTreeMap;

use serde_json::Value;
use trellis::lattice::LatticeState;

/// The resources of one account, by key, without identities.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Mesh {
    /// Each key's resource (the last one, when there are duplicates).
    pub resources: BTreeMap<String, Value>,
    /// Keys held by more than one resource, with how many.
    pub duplicates: BTreeMap<String, usize>,
}

/// How an actual mesh differs from an expected one.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Difference {
    /// Keys the expected mesh has and the actual lacks.
    pub missing: Vec<String>,
    /// Keys the actual mesh has and the expected lacks: leaks.
    pub extra: Vec<String>,
    /// Keys both have, whose resources differ.
    pub changed: Vec<String>,
    /// Duplicates of the actual mesh.
    pub duplicates: Vec<String>,
}

impl Difference {
    /// Nothing missing, extra, changed or duplicated.
    pub fn is_empty(&self) -> bool {
        self.missing.is_empty()
            && self.extra.is_empty()
            && self.changed.is_empty()
            && self.duplicates.is_empty()
    }
}

/// What `actual` lacks, has more, or has otherwise than `expected`, and its
/// duplicates.
pub fn compare(expected: &Mesh, actual: &Mesh) -> Difference {
    let missing = expected
        .resources
        .keys()
        .filter(|key| !actual.resources.contains_key(*key))
        .cloned()
        .collect();
    let extra = actual
        .resources
        .keys()
        .filter(|key| !expected.resources.contains_key(*key))
        .cloned()
        .collect();
    let changed = expected
        .resources
        .iter()
        .filter(|(key, value)| {
            actual
                .resources
                .get(*key)
                .is_some_and(|other| other != *value)
        })
        .map(|(key, _)| key.clone())
        .collect();
    Difference {
        missing,
        extra,
        changed,
        duplicates: actual.duplicates.keys().cloned().collect(),
    }
}

impl Mesh {
    /// The mesh of `state`.
    pub fn of(state: &LatticeState) -> Self {
        let keys = Keys::of(state);
        let mut mesh = Mesh::default();
        let mut add = |key: String, resource: Value| {
            if mesh.resources.contains_key(&key) {
                *mesh.duplicates.entry(key.clone()).or_insert(1) += 1;
            }
            mesh.resources.insert(key, keys.anonymize(resource));
        };
        for network in &state.service_networks {
            add(keys.name(&network.id), json(network));
        }
        for association in &state.service_network_vpc_associations {
            add(
                format!(
                    "vpc-association/{}/{}",
                    keys.name(&association.service_network_id),
                    association.vpc_id
                ),
                json(association),
            );
        }
        for service in &state.services {
            add(keys.name(&service.id), json(service));
        }
        for association in &state.service_network_service_associations {
            add(
                format!(
                    "service-association/{}/{}",
                    keys.name(&association.service_network_id),
                    keys.name(&association.service_id)
                ),
                json(association),
            );
        }
        for listener in &state.listeners {
            add(keys.name(&listener.id), json(listener));
        }
        for rule in &state.rules {
            add(keys.name(&rule.id), json(rule));
        }
        for group in &state.target_groups {
            add(keys.name(&group.id), json(group));
        }
        for targets in &state.targets {
            add(
                format!("targets/{}", keys.name(&targets.target_group_id)),
                json(&targets.targets),
            );
        }
        for policy in &state.auth_policies {
            add(
                format!("auth-policy/{}", keys.name(&policy.resource_identifier)),
                json(policy),
            );
        }
        for subscription in &state.access_log_subscriptions {
            add(
                format!(
                    "access-log/{}/{}",
                    keys.name(&subscription.resource_id),
                    subscription.destination_arn
                ),
                json(subscription),
            );
        }
        mesh
    }
}

/// A resource as JSON.
fn json<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// Every resource's id and ARN, and the key that stands for it.
struct Keys {
    by_identity: BTreeMap<String, String>,
}

impl Keys {
    fn of(state: &LatticeState) -> Self {
        let mut by_identity = BTreeMap::new();
        let mut name = |id: &str, arn: &str, key: String| {
            by_identity.insert(id.to_owned(), key.clone());
            by_identity.insert(arn.to_owned(), key);
        };
        for network in &state.service_networks {
            name(
                &network.id,
                &network.arn,
                format!("network/{}", network.name),
            );
        }
        for service in &state.services {
            name(
                &service.id,
                &service.arn,
                format!("service/{}", service.name),
            );
        }
        for group in &state.target_groups {
            name(
                &group.id,
                &group.arn,
                format!("target-group/{}", group.name),
            );
        }
        let service_name = |id: &str| {
            state
                .services
                .iter()
                .find(|service| service.id == id)
                .map_or_else(|| id.to_owned(), |service| service.name.clone())
        };
        for listener in &state.listeners {
            name(
                &listener.id,
                &listener.arn,
                format!(
                    "listener/{}/{}",
                    service_name(&listener.service_id),
                    listener.port
                ),
            );
        }
        for rule in &state.rules {
            let port = state
                .listeners
                .iter()
                .find(|listener| listener.id == rule.listener_id)
                .map_or_else(
                    || rule.listener_id.clone(),
                    |listener| listener.port.to_string(),
                );
            name(
                &rule.id,
                &rule.arn,
                format!(
                    "rule/{}/{port}/{}",
                    service_name(&rule.service_id),
                    rule.name
                ),
            );
        }
        by_identity.retain(|identity, _| !identity.is_empty());
        Self { by_identity }
    }

    /// The key of the resource `identity` (an id or ARN) names; the identity
    /// itself when it names none.
    fn name(&self, identity: &str) -> String {
        self.by_identity
            .get(identity)
            .cloned()
            .unwrap_or_else(|| identity.to_owned())
    }

    /// `value` without `id`, `arn`, `status` and DNS entries, other
    /// identities replaced by keys.
    fn anonymize(&self, value: Value) -> Value {
        match value {
            Value::Object(members) => Value::Object(
                members
                    .into_iter()
                    .filter(|(name, _)| {
                        !matches!(name.as_str(), "id" | "arn" | "status" | "dnsEntry")
                    })
                    .map(|(name, value)| (name, self.anonymize(value)))
                    .collect(),
            ),
            Value::Array(items) => {
                Value::Array(items.into_iter().map(|item| self.anonymize(item)).collect())
            }
            Value::String(text) => Value::String(self.name(&text)),
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use trellis::lattice::model::{CreateServiceInput, Tags};
    use trellis::lattice::{InMemoryLattice, Lattice};

    async fn account(services: &[&str]) -> LatticeState {
        let lattice = InMemoryLattice::new("123456789012", "us-west-2");
        for name in services {
            lattice
                .create_service(CreateServiceInput {
                    name: (*name).into(),
                    custom_domain_name: None,
                    certificate_arn: None,
                    auth_type: "NONE".into(),
                    tags: Tags::new(),
                })
                .await
                .unwrap();
        }
        (*lattice.snapshot()).clone()
    }

    #[tokio::test]
    async fn the_same_resources_under_other_ids_compare_equal() {
        let first = Mesh::of(&account(&["a", "b"]).await);
        let mut second_state = account(&["x", "a", "b"]).await;
        second_state.services.remove(0);
        let second = Mesh::of(&second_state);
        assert!(
            compare(&first, &second).is_empty(),
            "{:?}",
            compare(&first, &second)
        );

        let mut leaky = second_state.clone();
        leaky.services.push(leaky.services[0].clone());
        let difference = compare(&first, &Mesh::of(&leaky));
        assert_eq!(difference.duplicates, vec!["service/a".to_owned()]);

        let fewer = Mesh::of(&account(&["a"]).await);
        let difference = compare(&first, &fewer);
        assert_eq!(difference.missing, vec!["service/b".to_owned()]);
        assert_eq!(compare(&fewer, &first).extra, vec!["service/b".to_owned()]);
    }
}
