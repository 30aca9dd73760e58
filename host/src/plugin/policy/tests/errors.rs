//! Invalid files: each error names the line and the field.

use super::{problem, read};

#[test]
fn an_error_names_the_file_line_and_field() {
    let (result, dir) = read(
        "[[plugin]]\npath = \"a.wasm\"\n[plugin.match]\nkinds = [\n  \"HTTPRoute\",\n  \"HTTPRoot\",\n]\n",
    );
    let error = result.expect_err("unknown kind");
    assert_eq!(
        error.to_string(),
        format!(
            "{}:6: plugin[0].match.kinds[1]: unknown kind \"HTTPRoot\" (expected one of \
             Gateway, HTTPRoute, GRPCRoute, TLSRoute, ServiceExport, ServiceNetwork, Cluster, \
             TargetGroupPolicy, VpcAssociationPolicy, AccessLogPolicy, IAMAuthPolicy)",
            dir.path().join("10-teams.toml").display()
        )
    );
}

#[test]
fn a_syntax_error_has_its_line() {
    let message = problem("[[plugin]]\npath = \"a.wasm\"\nname = \"x\n");
    assert_eq!(message, "3: TOML syntax error: invalid basic string");
    let message = problem("[[plugin]]\npath = \"a.wasm\"\n\npath = \"b.wasm\"\n");
    assert_eq!(
        message,
        "4: TOML syntax error: duplicate key `path` in table `plugin`"
    );
}

#[test]
fn a_missing_path_is_reported_at_its_entry() {
    let message = problem("[[plugin]]\npath = \"a.wasm\"\n\n[[plugin]]\nname = \"b\"\n");
    assert_eq!(message, "4: plugin[1].path: missing");
}

#[test]
fn an_empty_path_is_an_error() {
    assert_eq!(
        problem("[[plugin]]\npath = \"\"\n"),
        "2: plugin[0].path: empty"
    );
}

#[test]
fn unknown_keys_are_errors_at_every_level() {
    assert_eq!(
        problem("[[plugin]]\npath = \"a.wasm\"\nconfg = {}\n"),
        "3: plugin[0].confg: unknown key (expected one of: name, path, match, config)"
    );
    assert_eq!(
        problem("plugins = []\n"),
        "1: plugins: unknown key (expected one of: plugin)"
    );
    assert_eq!(
        problem("[[plugin]]\npath = \"a.wasm\"\n[plugin.match]\nkind = [\"Gateway\"]\n"),
        "4: plugin[0].match.kind: unknown key (expected one of: \
         kinds, namespaces, names, namespace_selector, selector)"
    );
    assert_eq!(
        problem(
            "[[plugin]]\npath = \"a.wasm\"\n[plugin.match]\n\
             selector = { matchLabel = { team = \"a\" } }\n"
        ),
        "4: plugin[0].match.selector.matchLabel: unknown key \
         (expected one of: matchLabels, matchExpressions)"
    );
}

#[test]
fn a_wrong_type_is_an_error() {
    let message = problem("[[plugin]]\npath = \"a.wasm\"\n[plugin.match]\nnames = \"web\"\n");
    assert_eq!(
        message,
        "4: plugin[0].match.names: invalid type: found string \"web\", expected a sequence"
    );
    let message = problem("[[plugin]]\npath = \"a.wasm\"\nconfig = 5\n");
    assert!(
        message.starts_with("3: plugin[0].config: invalid type"),
        "{message}"
    );
}

#[test]
fn a_bad_glob_is_an_error() {
    let message = problem(
        "[[plugin]]\npath = \"a.wasm\"\n[plugin.match]\nnamespaces = [\"team-*\", \"team-[\"]\n",
    );
    assert!(
        message.starts_with("4: plugin[0].match.namespaces[1]: invalid glob \"team-[\": "),
        "{message}"
    );
}

#[test]
fn an_empty_list_is_an_error() {
    assert_eq!(
        problem("[[plugin]]\npath = \"a.wasm\"\nmatch = { names = [] }\n"),
        "3: plugin[0].match.names: empty list: it would match nothing (omit it to match everything)"
    );
}

#[test]
fn a_bad_selector_operator_is_an_error() {
    let text = "[[plugin]]\npath = \"a.wasm\"\n[plugin.match]\nselector = { matchExpressions = [\n  \
                { key = \"tier\", operator = \"In\", values = [\"web\"] },\n  \
                { key = \"tier\", operator = \"Maybe\", values = [\"web\"] },\n] }\n";
    assert_eq!(
        problem(text),
        "6: plugin[0].match.selector.matchExpressions[1].operator: unknown operator \"Maybe\" \
         (expected In, NotIn, Exists or DoesNotExist)"
    );
}

#[test]
fn selector_values_are_checked_against_the_operator() {
    assert_eq!(
        problem(
            "[[plugin]]\npath = \"a.wasm\"\n[plugin.match.namespace_selector]\n\
             matchExpressions = [{ key = \"team\", operator = \"NotIn\" }]\n"
        ),
        "4: plugin[0].match.namespace_selector.matchExpressions[0].values: \
         operator NotIn needs at least one value"
    );
    assert_eq!(
        problem(
            "[[plugin]]\npath = \"a.wasm\"\n[plugin.match.selector]\n\
             matchExpressions = [{ key = \"team\", operator = \"Exists\", values = [\"a\"] }]\n"
        ),
        "4: plugin[0].match.selector.matchExpressions[0].values: operator Exists takes no values"
    );
    assert_eq!(
        problem(
            "[[plugin]]\npath = \"a.wasm\"\n[plugin.match.selector]\n\
             matchExpressions = [{ key = \"team\" }]\n"
        ),
        "4: plugin[0].match.selector.matchExpressions[0].operator: missing"
    );
}

#[test]
fn a_duplicate_name_is_an_error_at_the_second_entry() {
    assert_eq!(
        problem(
            "[[plugin]]\npath = \"a/auth.wasm\"\n\n[[plugin]]\nname = \"auth\"\npath = \"b.wasm\"\n"
        ),
        "5: plugin[1].name: duplicate plugin name \"auth\" (also plugin[0], line 1)"
    );
}

#[test]
fn the_reserved_name_is_an_error() {
    assert_eq!(
        problem("[[plugin]]\nname = \"default\"\npath = \"a.wasm\"\n"),
        "2: plugin[0].name: \"default\" is reserved for the built-in plugin"
    );
    assert_eq!(
        problem("[[plugin]]\npath = \"plugins/default.wasm\"\n"),
        "1: plugin[0].name: missing, and the file stem \"default\" of path \
         is reserved for the built-in plugin: set name"
    );
}

#[test]
fn invalid_names_are_errors() {
    let rule = "is not a valid plugin name ([a-z0-9][a-z0-9._-]*, at most 63 characters)";
    for name in ["", "Team", "-team", "team prefix", &"a".repeat(64)] {
        assert_eq!(
            problem(&format!(
                "[[plugin]]\nname = \"{name}\"\npath = \"a.wasm\"\n"
            )),
            format!("2: plugin[0].name: {name:?} {rule}")
        );
    }
    assert_eq!(
        problem("[[plugin]]\npath = \"plugins/TeamPrefix.wasm\"\n"),
        format!(
            "1: plugin[0].name: missing, and the file stem \"TeamPrefix\" of path {rule}: set name"
        )
    );
    assert!(
        super::entries(&format!(
            "[[plugin]]\nname = \"{}\"\npath = \"a.wasm\"\n",
            "a".repeat(63)
        ))
        .len()
            == 1
    );
}
