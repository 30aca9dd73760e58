//! Namespace label selectors (`allowedRoutes.namespaces.selector`), with
//! Kubernetes `LabelSelector` semantics.

use std::collections::BTreeMap;

use gateway_api::apis::standard::gateways::GatewayListenersAllowedRoutesNamespacesSelector as Selector;

use crate::kube::Snapshot;

/// The label Kubernetes sets on every namespace to its name.
const NAME_LABEL: &str = "kubernetes.io/metadata.name";

/// The labels of namespace `name`: those of its Namespace object, if the
/// snapshot has one, plus `kubernetes.io/metadata.name`, which Kubernetes
/// sets on every namespace (so manifests need not declare Namespaces).
pub(super) fn namespace_labels(snapshot: &Snapshot, name: &str) -> BTreeMap<String, String> {
    let namespace = snapshot
        .namespaces
        .iter()
        .find(|namespace| namespace.metadata.name.as_deref() == Some(name));
    let mut labels = namespace
        .and_then(|namespace| namespace.metadata.labels.clone())
        .unwrap_or_default();
    labels.insert(NAME_LABEL.into(), name.into());
    labels
}

/// Whether `labels` match `selector`: no selector matches nothing, an empty
/// one everything; `matchLabels` must all be equal, and every
/// `matchExpressions` entry hold (`In`, `NotIn`, `Exists`, `DoesNotExist`;
/// an unknown operator, or `In`/`NotIn` without values, never holds, as
/// Kubernetes rejects such a selector).
pub(super) fn matches(selector: Option<&Selector>, labels: &BTreeMap<String, String>) -> bool {
    let Some(selector) = selector else {
        return false;
    };
    let labels_match = selector
        .match_labels
        .iter()
        .flatten()
        .all(|(key, value)| labels.get(key) == Some(value));
    let expressions_match = selector
        .match_expressions
        .iter()
        .flatten()
        .all(|expression| {
            let value = labels.get(&expression.key);
            let values = expression.values.as_deref().unwrap_or_default();
            match expression.operator.as_str() {
                "In" => !values.is_empty() && value.is_some_and(|value| values.contains(value)),
                "NotIn" => !values.is_empty() && value.is_none_or(|value| !values.contains(value)),
                "Exists" => value.is_some(),
                "DoesNotExist" => value.is_none(),
                _ => false,
            }
        });
    labels_match && expressions_match
}
