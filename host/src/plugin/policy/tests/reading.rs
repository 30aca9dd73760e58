//! Valid files: what each entry holds.

use super::{entries, read};

const FULL: &str = r#"# Teams get their prefix; payments gets IAM auth.

[[plugin]]
name = "team-prefix"
path = "../plugins/team_prefix.wasm"
[plugin.match]
kinds = ["HTTPRoute", "GRPCRoute"]
namespaces = ["team-*", "payments"]
names = ["checkout-*"]
namespace_selector = { matchLabels = { team = "payments" } }
selector = { matchExpressions = [{ key = "tier", operator = "In", values = ["web"] }] }
[plugin.config]
label = "team"

[[plugin]]
path = "/opt/trellis/auth.wasm"
"#;

#[test]
fn a_full_file_gives_every_entry_in_order() {
    let (result, dir) = read(FULL);
    let entries = result.expect("valid policy file");
    let file = dir.path().join("10-teams.toml");
    assert_eq!(entries.len(), 2);

    let first = &entries[0];
    assert_eq!(first.name, "team-prefix");
    assert_eq!(
        first.plugin_path,
        dir.path().join("../plugins/team_prefix.wasm")
    );
    assert_eq!(first.config_json, r#"{"label":"team"}"#);
    assert_eq!(first.source, file);
    assert_eq!(first.line, 3);

    let second = &entries[1];
    assert_eq!(second.name, "auth");
    assert_eq!(
        second.plugin_path,
        std::path::Path::new("/opt/trellis/auth.wasm")
    );
    assert_eq!(second.line, 15);
}

#[test]
fn defaults_name_from_the_file_stem_empty_config_and_match_all() {
    let entries = entries("[[plugin]]\npath = \"plugins/team_prefix.v2.wasm\"\n");
    let entry = &entries[0];
    assert_eq!(entry.name, "team_prefix.v2");
    assert_eq!(entry.config_json, "{}");
    let subject = crate::plugin::Subject {
        kind: "ServiceNetwork",
        namespace: "",
        name: "anything",
        labels: &[],
        namespace_labels: &[],
    };
    assert!(entry.selector.matches(&subject));
}

#[test]
fn a_file_without_entries_has_none() {
    assert!(entries("").is_empty());
    assert!(entries("# nothing here yet\n").is_empty());
}

#[test]
fn config_becomes_json_with_nested_tables_arrays_and_numbers() {
    let entries = entries(
        r#"
[[plugin]]
path = "x.wasm"
[plugin.config]
prefix = "team"
max = 42
ratio = 0.5
enabled = true
zones = ["a", "b"]
ports = [80, 443]
since = 1979-05-27T07:32:00Z
[plugin.config.tags]
owner = "payments"
[plugin.config.tags.cost]
center = 7
[[plugin.config.rules]]
match = "/api"
weight = 3
"#,
    );
    let config: serde_json::Value =
        serde_json::from_str(&entries[0].config_json).expect("config is JSON");
    assert_eq!(
        config,
        serde_json::json!({
            "prefix": "team",
            "max": 42,
            "ratio": 0.5,
            "enabled": true,
            "zones": ["a", "b"],
            "ports": [80, 443],
            "since": "1979-05-27T07:32:00Z",
            "tags": { "owner": "payments", "cost": { "center": 7 } },
            "rules": [{ "match": "/api", "weight": 3 }],
        })
    );
}

#[test]
fn an_inline_array_of_entries_is_read_too() {
    let entries = entries(
        "plugin = [\n  { path = \"a.wasm\" },\n  { path = \"b.wasm\", match = { kinds = [\"Gateway\"] } },\n]\n",
    );
    let names: Vec<_> = entries.iter().map(|entry| entry.name.as_str()).collect();
    assert_eq!(names, ["a", "b"]);
    assert_eq!(entries[1].line, 3);
}
