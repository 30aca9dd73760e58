//! Which subjects a selector matches.

use super::entries;
use crate::plugin::Subject;
use crate::plugin::bindings::types::KeyValue;
use crate::plugin::policy::Selector;

/// The selector of a one-entry file whose `[plugin.match]` is `table`.
fn selector(table: &str) -> Selector {
    let mut entries = entries(&format!(
        "[[plugin]]\npath = \"a.wasm\"\n[plugin.match]\n{table}\n"
    ));
    entries.remove(0).selector
}

fn labels(pairs: &[(&str, &str)]) -> Vec<KeyValue> {
    pairs
        .iter()
        .map(|(key, value)| KeyValue {
            key: (*key).to_owned(),
            value: (*value).to_owned(),
        })
        .collect()
}

/// A `kind` object named `name` in `namespace` (empty: cluster-scoped),
/// without labels.
fn object<'a>(kind: &'a str, namespace: &'a str, name: &'a str) -> Subject<'a> {
    Subject {
        kind,
        namespace,
        name,
        labels: &[],
        namespace_labels: &[],
    }
}

/// An `HTTPRoute` named `name` in `namespace`, without labels.
fn route<'a>(namespace: &'a str, name: &'a str) -> Subject<'a> {
    object("HTTPRoute", namespace, name)
}

#[test]
fn the_default_selector_matches_everything() {
    let all = Selector::default();
    assert!(all.matches(&route("team-a", "web")));
    assert!(all.matches(&object("Cluster", "", "")));
}

#[test]
fn kinds_match_exactly() {
    let selector = selector(r#"kinds = ["HTTPRoute", "GRPCRoute"]"#);
    assert!(selector.matches(&route("a", "web")));
    assert!(selector.matches(&object("GRPCRoute", "a", "web")));
    assert!(!selector.matches(&object("TLSRoute", "a", "web")));
    assert!(!selector.matches(&object("httproute", "a", "web")));
}

#[test]
fn namespace_and_name_globs_match_whole_names() {
    let selector = selector(
        r#"namespaces = ["team-*", "payments"]
names = ["checkout-?", "cart", "{web,api}-[0-9]"]"#,
    );
    assert!(selector.matches(&route("team-a", "checkout-1")));
    assert!(selector.matches(&route("payments", "cart")));
    assert!(!selector.matches(&route("payments-eu", "cart")));
    assert!(!selector.matches(&route("my-team-a", "cart")));
    assert!(!selector.matches(&route("team-a", "checkout-12")));
    assert!(!selector.matches(&route("team-a", "carts")));
    assert!(selector.matches(&route("team-a", "api-7")));
    assert!(!selector.matches(&route("team-a", "api-x")));
    assert!(!selector.matches(&route("team-a", "Cart")));
}

#[test]
fn every_condition_must_hold() {
    let selector = selector(
        r#"kinds = ["HTTPRoute"]
namespaces = ["team-*"]"#,
    );
    assert!(selector.matches(&route("team-a", "web")));
    assert!(!selector.matches(&route("payments", "web")));
    assert!(!selector.matches(&object("Gateway", "team-a", "web")));
}

#[test]
fn label_selectors_match_the_objects_labels() {
    let selector = selector(
        r#"selector = { matchLabels = { app = "shop" }, matchExpressions = [
  { key = "tier", operator = "In", values = ["web", "api"] },
  { key = "legacy", operator = "DoesNotExist" },
] }"#,
    );
    let labelled = |pairs: &[(&str, &str)]| {
        let labels = labels(pairs);
        selector.matches(&Subject {
            labels: &labels,
            ..route("a", "r")
        })
    };
    assert!(labelled(&[("app", "shop"), ("tier", "web")]));
    assert!(!labelled(&[("app", "shop"), ("tier", "db")]));
    assert!(!labelled(&[
        ("app", "shop"),
        ("legacy", "yes"),
        ("tier", "api")
    ]));
    assert!(!labelled(&[("app", "blog"), ("tier", "web")]));
    assert!(!selector.matches(&route("a", "r")));
}

#[test]
fn not_in_and_exists_follow_kubernetes() {
    let selector = selector(
        r#"selector = { matchExpressions = [
  { key = "tier", operator = "NotIn", values = ["db"] },
  { key = "team", operator = "Exists" },
] }"#,
    );
    let team = labels(&[("team", "a")]);
    let team_db = labels(&[("team", "a"), ("tier", "db")]);
    assert!(selector.matches(&Subject {
        labels: &team,
        ..route("a", "r")
    }));
    assert!(!selector.matches(&Subject {
        labels: &team_db,
        ..route("a", "r")
    }));
    assert!(!selector.matches(&route("a", "r")));
}

#[test]
fn the_namespace_selector_matches_the_namespaces_labels() {
    let selector = selector(r#"namespace_selector = { matchLabels = { team = "payments" } }"#);
    let payments = labels(&[("team", "payments")]);
    let in_payments = Subject {
        namespace_labels: &payments,
        ..route("pay", "r")
    };
    assert!(selector.matches(&in_payments));
    assert!(!selector.matches(&route("pay", "r")));
    let on_object = Subject {
        labels: &payments,
        ..route("pay", "r")
    };
    assert!(!selector.matches(&on_object));
}

#[test]
fn namespace_conditions_never_match_cluster_scoped_subjects() {
    let cluster = object("Cluster", "", "default");
    assert!(!selector(r#"namespaces = ["*"]"#).matches(&cluster));
    assert!(!selector("namespace_selector = {}").matches(&cluster));
    assert!(selector("namespace_selector = {}").matches(&route("a", "r")));
    assert!(selector(r#"names = ["*"]"#).matches(&cluster));
    assert!(selector("selector = {}").matches(&cluster));
}
