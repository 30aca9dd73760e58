//! Checks of the deployment files: the IAM policy (`deploy/iam/`), the Helm
//! chart (`deploy/helm/trellis/`), the `Dockerfile` and `.dockerignore`; and
//! of what the chart's policies and plugin cache rely on: the documented
//! policy examples read, and a ConfigMap volume's update is hot-reloaded.
//!
//! There is no `helm` binary in the test environment, so templates are read
//! through [`strip_templates`], which keeps their YAML structure without
//! rendering them. What these tests cannot see — the rendered output, the
//! image build — `docs/deploy.md` leaves to `helm lint` and `docker build`.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value as Json;
use serde_yaml_ng::Value as Yaml;

use trellis::plugin::policy::{policy_files, read_policy_file};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("host/ sits in the workspace")
        .to_path_buf()
}

fn chart() -> PathBuf {
    workspace().join("deploy/helm/trellis")
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|error| panic!("reading {}: {error}", path.display()))
}

// ---------------------------------------------------------------------------
// Reading templates without Helm

/// Makes a Helm template parseable as YAML without rendering it:
///
/// - a line holding nothing but template actions (`{{- if … }}`,
///   `{{- end }}`, `{{- include … | nindent 4 }}`, `{{- toYaml … }}`) is
///   dropped, so every conditional block reads as if its condition held and
///   every included snippet is left out;
/// - every other action becomes the plain text `TPL(expr)`, the action's
///   trim markers and double quotes removed: `value: {{ .Values.x | quote }}`
///   reads `value: TPL(.Values.x | quote)`.
///
/// The chart's templates are written so that this is valid YAML: actions fit
/// on one line, no `else` branch repeats a key, no action holds `#` or `: `.
fn strip_templates(template: &str) -> String {
    let mut out = String::new();
    for (number, line) in template.lines().enumerate() {
        let mut kept = String::new();
        let mut outside = String::new();
        let mut rest = line;
        let mut actions = 0;
        while let Some(start) = rest.find("{{") {
            let end = rest[start..].find("}}").unwrap_or_else(|| {
                panic!(
                    "line {}: an action must fit on one line: {line}",
                    number + 1
                )
            }) + start;
            kept.push_str(&rest[..start]);
            outside.push_str(&rest[..start]);
            let expression = rest[start + 2..end]
                .trim()
                .trim_start_matches('-')
                .trim_end_matches('-')
                .trim()
                .replace('"', "");
            kept.push_str(&format!("TPL({expression})"));
            actions += 1;
            rest = &rest[end + 2..];
        }
        kept.push_str(rest);
        outside.push_str(rest);
        if actions > 0 && outside.trim().is_empty() {
            continue;
        }
        out.push_str(&kept);
        out.push('\n');
    }
    out
}

/// A template of the chart, read through [`strip_templates`].
fn template(name: &str) -> Yaml {
    let raw = read(&chart().join("templates").join(name));
    let stripped = strip_templates(&raw);
    serde_yaml_ng::from_str(&stripped).unwrap_or_else(|error| {
        panic!("templates/{name} (templates stripped) is not YAML: {error}\n{stripped}")
    })
}

fn raw_template(name: &str) -> String {
    read(&chart().join("templates").join(name))
}

/// Every YAML document of `text`.
fn documents(text: &str, file: &Path) -> Vec<Yaml> {
    serde_yaml_ng::Deserializer::from_str(text)
        .map(|document| {
            Yaml::deserialize(document)
                .unwrap_or_else(|error| panic!("{} is not YAML: {error}", file.display()))
        })
        .collect()
}

fn values() -> Yaml {
    serde_yaml_ng::from_str(&read(&chart().join("values.yaml"))).expect("values.yaml parses")
}

/// The value at a dotted path (`a.b.0.c`), `None` when a step is missing.
fn lookup<'a>(value: &'a Yaml, path: &str) -> Option<&'a Yaml> {
    path.split('.')
        .try_fold(value, |value, step| match step.parse::<usize>() {
            Ok(index) => value.get(index),
            Err(_) => value.get(step),
        })
}

fn at<'a>(value: &'a Yaml, path: &str) -> &'a Yaml {
    lookup(value, path).unwrap_or_else(|| panic!("no `{path}` in {value:?}"))
}

fn text<'a>(value: &'a Yaml, path: &str) -> &'a str {
    at(value, path)
        .as_str()
        .unwrap_or_else(|| panic!("`{path}` is not text: {:?}", at(value, path)))
}

fn texts(value: &Yaml, path: &str) -> Vec<String> {
    at(value, path)
        .as_sequence()
        .unwrap_or_else(|| panic!("`{path}` is not a list"))
        .iter()
        .map(|item| {
            item.as_str()
                .unwrap_or_else(|| panic!("`{path}` holds a non-text item {item:?}"))
                .to_owned()
        })
        .collect()
}

/// The `.Values.a.b` paths a template text refers to.
fn value_paths(template: &str) -> BTreeSet<String> {
    let mut paths = BTreeSet::new();
    let mut rest = template;
    while let Some(start) = rest.find(".Values.") {
        let tail = &rest[start + ".Values.".len()..];
        let length = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
            .unwrap_or(tail.len());
        let path = tail[..length].trim_end_matches('.');
        if !path.is_empty() {
            paths.insert(path.to_owned());
        }
        rest = &tail[length..];
    }
    paths
}

fn template_names() -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(chart().join("templates"))
        .expect("the chart has templates/")
        .map(|entry| entry.expect("a directory entry").file_name())
        .map(|name| name.to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

// ---------------------------------------------------------------------------
// IAM policy

fn policy() -> Json {
    let path = workspace().join("deploy/iam/recommended-inline-policy.json");
    serde_json::from_str(&read(&path)).expect("the IAM policy is JSON")
}

fn statements(policy: &Json) -> &Vec<Json> {
    policy["Statement"].as_array().expect("Statement is a list")
}

/// A statement's actions (`Action` is a string or a list of strings).
fn actions(statement: &Json) -> Vec<String> {
    match &statement["Action"] {
        Json::String(action) => vec![action.clone()],
        Json::Array(list) => list
            .iter()
            .map(|action| action.as_str().expect("actions are text").to_owned())
            .collect(),
        other => panic!("Action must be text or a list, not {other}"),
    }
}

/// IAM action matching: case-insensitive, `*` matches any run of characters.
fn action_matches(pattern: &str, action: &str) -> bool {
    fn matches(pattern: &[u8], action: &[u8]) -> bool {
        match pattern.split_first() {
            None => action.is_empty(),
            Some((b'*', rest)) => (0..=action.len()).any(|skip| matches(rest, &action[skip..])),
            Some((first, rest)) => action
                .split_first()
                .is_some_and(|(head, tail)| head == first && matches(rest, tail)),
        }
    }
    matches(
        pattern.to_ascii_lowercase().as_bytes(),
        action.to_ascii_lowercase().as_bytes(),
    )
}

/// The statements granting `action`.
fn granting<'a>(policy: &'a Json, action: &str) -> Vec<&'a Json> {
    statements(policy)
        .iter()
        .filter(|statement| {
            actions(statement)
                .iter()
                .any(|pattern| action_matches(pattern, action))
        })
        .collect()
}

/// Every action the policy grants, as written.
fn granted(policy: &Json) -> BTreeSet<String> {
    statements(policy).iter().flat_map(actions).collect()
}

/// The tag every resource Trellis creates carries, naming its owner.
const MANAGED_BY: &str = "application-networking.k8s.aws/ManagedBy";

/// The `ManagedBy` values the policy lets the role create or change: the
/// role's own account, any cluster and VPC.
const OWN_ACCOUNT: &str = "${aws:PrincipalAccount}/*";

/// Whether `statement` holds only where the tag `ManagedBy` of `context`
/// (`aws:ResourceTag` or `aws:RequestTag`) names the role's own account.
fn conditioned_on_managed_by(statement: &Json, context: &str) -> bool {
    let conditions = statement["Condition"].as_object();
    conditions.is_some_and(|conditions| {
        conditions.len() == 1
            && statement["Condition"]["StringLike"]
                .as_object()
                .is_some_and(|like| {
                    like.len() == 1
                        && like.get(&format!("{context}/{MANAGED_BY}"))
                            == Some(&Json::from(OWN_ACCOUNT))
                })
    })
}

fn pascal_case(snake: &str) -> String {
    snake
        .split('_')
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// The VPC Lattice operations the SDK client makes: every `.client.op(`
/// (whitespace allowed around the dots) under `host/src/lattice/`.
fn sdk_operations() -> BTreeSet<String> {
    client_operations("host/src/lattice")
}

/// The ACM operations certificate discovery makes: every `.client.op(`
/// under `host/src/acm/`.
fn acm_operations() -> BTreeSet<String> {
    client_operations("host/src/acm")
}

/// The Resource Groups Tagging API operations the SDK client makes (bulk
/// tag reads): every `.tagging.op(` under `host/src/lattice/`.
fn tagging_operations() -> BTreeSet<String> {
    field_operations("host/src/lattice", ".tagging")
}

/// The operations of every `.client.op(` in the Rust files under `folder`
/// (relative to the workspace), in PascalCase.
fn client_operations(folder: &str) -> BTreeSet<String> {
    field_operations(folder, ".client")
}

/// The operations of every `<field>.op(` in the Rust files under `folder`.
fn field_operations(folder: &str, field: &str) -> BTreeSet<String> {
    fn visit(dir: &Path, field: &str, found: &mut BTreeSet<String>) {
        for entry in
            fs::read_dir(dir).unwrap_or_else(|error| panic!("reading {}: {error}", dir.display()))
        {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                visit(&path, field, found);
            } else if path.extension().is_some_and(|extension| extension == "rs") {
                let source = read(&path);
                let mut rest = source.as_str();
                while let Some(start) = rest.find(field) {
                    rest = &rest[start + field.len()..];
                    let Some(call) = rest.trim_start().strip_prefix('.') else {
                        continue;
                    };
                    let call = call.trim_start();
                    let length = call
                        .find(|c: char| !(c.is_ascii_lowercase() || c == '_'))
                        .unwrap_or(call.len());
                    if call[length..].starts_with('(') && length > 0 {
                        found.insert(pascal_case(&call[..length]));
                    }
                }
            }
        }
    }
    let mut found = BTreeSet::new();
    visit(&workspace().join(folder), field, &mut found);
    found
}

#[test]
fn iam_policy_is_an_allow_only_2012_10_17_document() {
    let policy = policy();
    assert_eq!(policy["Version"], "2012-10-17");
    assert!(!statements(&policy).is_empty());
    for statement in statements(&policy) {
        assert_eq!(statement["Effect"], "Allow", "{statement}");
        assert!(!actions(statement).is_empty(), "{statement}");
        assert!(statement.get("Resource").is_some(), "{statement}");
    }
}

#[test]
fn iam_policy_grants_exactly_the_lattice_operations_the_sdk_client_makes() {
    let policy = policy();
    let operations = sdk_operations();
    assert!(
        operations.len() >= 20,
        "found only {operations:?} in host/src/lattice: the scan for `.client.<operation>(` \
         no longer matches how the SDK is called; update sdk_operations()"
    );
    let wanted: BTreeSet<String> = operations
        .iter()
        .map(|operation| format!("vpc-lattice:{operation}"))
        .collect();
    let lattice: BTreeSet<String> = granted(&policy)
        .into_iter()
        .filter(|action| action.starts_with("vpc-lattice:"))
        .collect();
    let missing: Vec<_> = wanted.difference(&lattice).collect();
    assert!(
        missing.is_empty(),
        "the controller calls VPC Lattice operations that \
         deploy/iam/recommended-inline-policy.json does not allow: {missing:?}"
    );
    let unused: Vec<_> = lattice.difference(&wanted).collect();
    assert!(
        unused.is_empty(),
        "deploy/iam/recommended-inline-policy.json grants VPC Lattice operations the \
         controller never calls: {unused:?}"
    );
}

#[test]
fn iam_policy_grants_exactly_the_acm_operations_discovery_makes() {
    let policy = policy();
    let operations = acm_operations();
    assert!(
        operations.contains("ListCertificates"),
        "found only {operations:?} in host/src/acm: the scan for `.client.<operation>(` \
         no longer matches how the ACM client is called"
    );
    let wanted: BTreeSet<String> = operations
        .iter()
        .map(|operation| format!("acm:{operation}"))
        .collect();
    let granted: BTreeSet<String> = granted(&policy)
        .into_iter()
        .filter(|action| action.starts_with("acm:"))
        .collect();
    assert_eq!(
        granted, wanted,
        "deploy/iam/recommended-inline-policy.json grants exactly the ACM operations \
         certificate discovery makes"
    );
    let statement = statements(&policy)
        .iter()
        .find(|statement| statement["Sid"] == "AcmCertificateDiscovery")
        .expect("the AcmCertificateDiscovery statement");
    assert_eq!(
        statement["Resource"], "*",
        "ListCertificates takes no resource"
    );
}

#[test]
fn iam_policy_grants_exactly_the_tagging_operations_bulk_reads_make() {
    let policy = policy();
    let operations = tagging_operations();
    assert!(
        operations.contains("GetResources"),
        "found only {operations:?} in host/src/lattice: the scan for `.tagging.<operation>(` \
         no longer matches how the tagging client is called"
    );
    let wanted: BTreeSet<String> = operations
        .iter()
        .map(|operation| format!("tag:{operation}"))
        .collect();
    let granted: BTreeSet<String> = granted(&policy)
        .into_iter()
        .filter(|action| action.starts_with("tag:"))
        .collect();
    assert_eq!(
        granted, wanted,
        "deploy/iam/recommended-inline-policy.json grants exactly the Resource Groups \
         Tagging API operations bulk tag reads make"
    );
}

/// What VPC Lattice itself needs of the caller for the operations Trellis
/// makes (the API reference's dependent actions; access logs as the VPC
/// Lattice guide lists them, for each destination type).
const DEPENDENT_ACTIONS: &[(&str, &[&str])] = &[
    (
        "CreateService",
        &["iam:CreateServiceLinkedRole"], // AWSServiceRoleForVpcLattice
    ),
    ("CreateServiceNetwork", &["iam:CreateServiceLinkedRole"]),
    (
        "CreateServiceNetworkVpcAssociation",
        &["ec2:DescribeVpcs", "ec2:DescribeSecurityGroups"],
    ),
    (
        "UpdateServiceNetworkVpcAssociation",
        &["ec2:DescribeSecurityGroups"],
    ),
    ("CreateTargetGroup", &["ec2:DescribeVpcs"]),
    ("RegisterTargets", &["ec2:DescribeSubnets"]),
    (
        "CreateAccessLogSubscription",
        &[
            "logs:CreateLogDelivery",
            "logs:GetLogDelivery",
            "logs:ListLogDeliveries",
            // CloudWatch Logs destinations.
            "logs:DescribeLogGroups",
            "logs:DescribeResourcePolicies",
            "logs:PutResourcePolicy",
            // S3 destinations.
            "s3:GetBucketPolicy",
            "s3:PutBucketPolicy",
            // Firehose destinations (and AWSServiceRoleForLogDelivery).
            "firehose:TagDeliveryStream",
            "iam:CreateServiceLinkedRole",
        ],
    ),
    (
        "DeleteAccessLogSubscription",
        &["logs:DeleteLogDelivery", "logs:GetLogDelivery"],
    ),
];

#[test]
fn iam_policy_grants_exactly_what_lattice_needs_besides() {
    let policy = policy();
    let operations = sdk_operations();
    for (operation, _) in DEPENDENT_ACTIONS {
        assert!(
            operations.contains(*operation),
            "DEPENDENT_ACTIONS lists {operation}, which the controller no longer calls"
        );
    }
    let wanted: BTreeSet<String> = DEPENDENT_ACTIONS
        .iter()
        .flat_map(|(_, actions)| actions.iter().map(|action| (*action).to_owned()))
        .collect();
    let others: BTreeSet<String> = granted(&policy)
        .into_iter()
        .filter(|action| {
            !action.starts_with("vpc-lattice:")
                && !action.starts_with("acm:")
                && !action.starts_with("tag:")
        })
        .collect();
    assert_eq!(
        others, wanted,
        "the non-Lattice, non-ACM, non-tagging actions of the policy are the dependent \
         actions of the operations the controller calls, no more, no fewer"
    );
    for action in &others {
        let (service, name) = action
            .split_once(':')
            .unwrap_or_else(|| panic!("`{action}` is not service:Action"));
        // Tags are written through the VPC Lattice API; the Resource Groups
        // Tagging API only reads them (tag:GetResources, checked above).
        assert!(service != "tag", "Trellis tags through the VPC Lattice API");
        assert!(!name.contains('*'), "`{action}`: name the actions");
        if service == "ec2" {
            assert!(name.starts_with("Describe"), "`{action}`: ec2 is read only");
        }
    }
}

#[test]
fn iam_policy_reads_everything_and_changes_only_what_trellis_manages() {
    let policy = policy();
    for operation in sdk_operations() {
        let action = format!("vpc-lattice:{operation}");
        let statements = granting(&policy, &action);
        assert!(!statements.is_empty(), "{action} is not granted");
        let reads = operation.starts_with("Get") || operation.starts_with("List");
        for statement in statements {
            let unconditioned_everywhere =
                statement["Resource"] == "*" && statement.get("Condition").is_none();
            if reads {
                assert!(
                    unconditioned_everywhere,
                    "{action}: reads hold on * ({statement})"
                );
            } else if operation.starts_with("Create") {
                // A create names no existing resource: the tags it asks for
                // must make the new one Trellis's.
                assert!(
                    conditioned_on_managed_by(statement, "aws:RequestTag"),
                    "{action}: only with aws:RequestTag/{MANAGED_BY} ({statement})"
                );
            } else if operation == "TagResource" {
                // Tagging what Trellis manages, or adopting (ManagedBy asked).
                assert!(
                    conditioned_on_managed_by(statement, "aws:ResourceTag")
                        || conditioned_on_managed_by(statement, "aws:RequestTag"),
                    "{action}: only on or to a ManagedBy resource ({statement})"
                );
            } else if conditioned_on_managed_by(statement, "aws:ResourceTag") {
                // Changes and deletes of the resources Trellis manages.
            } else {
                // The one exception: a Gateway's auth policy on its service
                // network, which may be a network Trellis did not create.
                assert!(
                    ["PutAuthPolicy", "UpdateServiceNetwork"].contains(&operation.as_str())
                        && statement["Resource"]
                            == "arn:aws:vpc-lattice:*:${aws:PrincipalAccount}:servicenetwork/*"
                        && statement.get("Condition").is_none(),
                    "{action}: only on resources tagged {MANAGED_BY} ({statement})"
                );
            }
        }
    }
}

#[test]
fn iam_policy_scopes_access_log_destinations_and_service_linked_roles() {
    let policy = policy();
    for action in ["s3:GetBucketPolicy", "s3:PutBucketPolicy"] {
        for statement in granting(&policy, action) {
            assert_eq!(
                statement["Resource"], "arn:aws:s3:::*lattice-access-logs*",
                "{action}: only access-log buckets"
            );
            assert_eq!(
                statement["Condition"]["StringEquals"]["aws:ResourceAccount"],
                "${aws:PrincipalAccount}",
                "{action}: only the role's own account's buckets"
            );
        }
    }
    for statement in granting(&policy, "firehose:TagDeliveryStream") {
        assert_eq!(
            statement["Resource"],
            "arn:aws:firehose:*:${aws:PrincipalAccount}:deliverystream/*"
        );
    }
    // The service-linked roles, each only for its service.
    for service in ["vpc-lattice.amazonaws.com", "delivery.logs.amazonaws.com"] {
        assert!(
            statements(&policy).iter().any(|statement| {
                actions(statement) == ["iam:CreateServiceLinkedRole"]
                    && statement["Condition"]["StringLike"]["iam:AWSServiceName"] == service
                    && statement["Resource"]
                        .as_str()
                        .is_some_and(|arn| arn.contains(&format!("/{service}/")))
            }),
            "no iam:CreateServiceLinkedRole statement limited to {service}"
        );
    }
    for statement in granting(&policy, "iam:CreateServiceLinkedRole") {
        assert!(
            statement.get("Condition").is_some(),
            "iam:CreateServiceLinkedRole must be conditioned"
        );
    }
    // Nothing but reads, the account-wide log-delivery calls and the EC2
    // checks on every resource without a condition.
    for statement in statements(&policy) {
        if statement["Resource"] == "*" && statement.get("Condition").is_none() {
            for action in actions(statement) {
                let (service, name) = action.split_once(':').unwrap();
                assert!(
                    name.starts_with("Get")
                        || name.starts_with("List")
                        || name.starts_with("Describe")
                        || (service == "logs"
                            && [
                                "CreateLogDelivery",
                                "DeleteLogDelivery",
                                "PutResourcePolicy"
                            ]
                            .contains(&name)),
                    "`{action}` on every resource without a condition"
                );
            }
        }
    }
}

#[test]
fn the_deploy_guide_tables_the_policy() {
    let guide = read(&workspace().join("docs/deploy.md"));
    let section = guide
        .split("\n## ")
        .find(|section| section.starts_with("3. IAM"))
        .expect("docs/deploy.md has the IAM section");
    for statement in statements(&policy()) {
        let sid = statement["Sid"]
            .as_str()
            .expect("every statement has a Sid");
        assert!(
            section.contains(&format!("| `{sid}` |")),
            "docs/deploy.md's IAM table lacks the statement {sid}"
        );
    }
}

// ---------------------------------------------------------------------------
// The chart's plain files and template hygiene

#[test]
fn chart_files_without_templates_parse_as_yaml() {
    fn visit(dir: &Path, files: &mut Vec<PathBuf>) {
        for entry in fs::read_dir(dir).expect("reading the chart") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                if path.file_name().is_some_and(|name| name != "templates") {
                    visit(&path, files);
                }
            } else if path
                .extension()
                .is_some_and(|extension| extension == "yaml" || extension == "yml")
            {
                files.push(path);
            }
        }
    }
    let mut files = Vec::new();
    visit(&chart(), &mut files);
    assert!(files.iter().any(|file| file.ends_with("values.yaml")));
    assert!(files.iter().any(|file| file.ends_with("Chart.yaml")));
    for file in &files {
        let text = read(file);
        // Helm renders only templates/: an action anywhere else is a mistake.
        assert!(
            !text.contains("{{"),
            "{} holds a template action",
            file.display()
        );
        assert!(
            !documents(&text, file).is_empty(),
            "{} is empty",
            file.display()
        );
    }

    let chart_yaml: Yaml = serde_yaml_ng::from_str(&read(&chart().join("Chart.yaml"))).unwrap();
    assert_eq!(text(&chart_yaml, "apiVersion"), "v2");
    assert_eq!(text(&chart_yaml, "name"), "trellis");
    assert_eq!(text(&chart_yaml, "version"), "0.1.0");
    assert_eq!(text(&chart_yaml, "appVersion"), "0.1.0");
}

#[test]
fn templates_refer_only_to_values_that_exist() {
    let values = values();
    for name in template_names() {
        for path in value_paths(&raw_template(&name)) {
            assert!(
                lookup(&values, &path).is_some(),
                "templates/{name} uses .Values.{path}, which values.yaml does not have \
                 (Helm would silently render it empty)"
            );
        }
    }
}

#[test]
fn every_manifest_template_reads_as_one_kubernetes_object() {
    for name in template_names() {
        if name.ends_with(".yaml") {
            let object = template(&name);
            assert!(
                lookup(&object, "apiVersion").is_some_and(Yaml::is_string)
                    && lookup(&object, "kind").is_some_and(Yaml::is_string)
                    && lookup(&object, "metadata.name").is_some(),
                "templates/{name} is not a Kubernetes object: {object:?}"
            );
        }
    }
}

#[test]
fn templates_close_every_block_they_open() {
    for name in template_names() {
        let raw = raw_template(&name);
        assert_eq!(
            raw.matches("{{").count(),
            raw.matches("}}").count(),
            "templates/{name}: unbalanced braces"
        );
        let mut depth: i32 = 0;
        let mut rest = raw.as_str();
        while let Some(start) = rest.find("{{") {
            let end = rest[start..].find("}}").expect("balanced") + start;
            let action = rest[start + 2..end].trim_start_matches('-').trim_start();
            let keyword = action.split_whitespace().next().unwrap_or("");
            if !action.starts_with("/*") {
                match keyword {
                    "if" | "with" | "range" | "define" | "block" => depth += 1,
                    "end" => depth -= 1,
                    _ => {}
                }
            }
            assert!(depth >= 0, "templates/{name}: `end` without a block");
            rest = &rest[end + 2..];
        }
        assert_eq!(depth, 0, "templates/{name}: a block is not closed");
    }
}

// ---------------------------------------------------------------------------
// RBAC

/// What `trellis run` may do cluster-wide: (API group, resource, verbs).
const CLUSTER_ACCESS: &[(&str, &str, &[&str])] = &[
    (
        "gateway.networking.k8s.io",
        "gatewayclasses",
        &["list", "watch"],
    ),
    (
        "gateway.networking.k8s.io",
        "gateways",
        &["get", "list", "watch", "patch"],
    ),
    (
        "gateway.networking.k8s.io",
        "httproutes",
        &["get", "list", "watch", "patch"],
    ),
    (
        "gateway.networking.k8s.io",
        "grpcroutes",
        &["get", "list", "watch", "patch"],
    ),
    (
        "gateway.networking.k8s.io",
        "tlsroutes",
        &["get", "list", "watch", "patch"],
    ),
    (
        "gateway.networking.k8s.io",
        "gatewayclasses/status",
        &["patch"],
    ),
    ("gateway.networking.k8s.io", "gateways/status", &["patch"]),
    ("gateway.networking.k8s.io", "httproutes/status", &["patch"]),
    ("gateway.networking.k8s.io", "grpcroutes/status", &["patch"]),
    ("gateway.networking.k8s.io", "tlsroutes/status", &["patch"]),
    ("", "services", &["list", "watch", "patch"]),
    ("", "namespaces", &["list", "watch"]),
    ("discovery.k8s.io", "endpointslices", &["list", "watch"]),
    (
        "application-networking.k8s.aws",
        "serviceexports",
        &["get", "list", "watch", "patch"],
    ),
    (
        "application-networking.k8s.aws",
        "serviceimports",
        &["list", "watch"],
    ),
    (
        "application-networking.k8s.aws",
        "targetgrouppolicies",
        &["list", "watch"],
    ),
    (
        "application-networking.k8s.aws",
        "vpcassociationpolicies",
        &["list", "watch"],
    ),
    (
        "application-networking.k8s.aws",
        "accesslogpolicies",
        &["list", "watch", "patch"],
    ),
    (
        "application-networking.k8s.aws",
        "iamauthpolicies",
        &["list", "watch"],
    ),
    (
        "application-networking.k8s.aws",
        "servicenetworks",
        &["get", "list", "watch", "patch"],
    ),
    (
        "application-networking.k8s.aws",
        "serviceexports/status",
        &["patch"],
    ),
    (
        "application-networking.k8s.aws",
        "serviceimports/status",
        &["patch"],
    ),
    (
        "application-networking.k8s.aws",
        "servicenetworks/status",
        &["patch"],
    ),
    (
        "application-networking.k8s.aws",
        "targetgrouppolicies/status",
        &["patch"],
    ),
    (
        "application-networking.k8s.aws",
        "vpcassociationpolicies/status",
        &["patch"],
    ),
    (
        "application-networking.k8s.aws",
        "accesslogpolicies/status",
        &["patch"],
    ),
    (
        "application-networking.k8s.aws",
        "iamauthpolicies/status",
        &["patch"],
    ),
    ("", "pods", &["get"]),
    ("", "pods/status", &["patch"]),
    ("events.k8s.io", "events", &["create", "patch"]),
    (
        "externaldns.k8s.io",
        "dnsendpoints",
        &["create", "get", "list", "watch", "patch"],
    ),
];

type Grants = BTreeMap<(String, String), BTreeSet<String>>;

/// (group, resource) → verbs of a Role or ClusterRole's rules.
fn grants(role: &Yaml) -> Grants {
    let mut grants = Grants::new();
    for rule in at(role, "rules").as_sequence().expect("rules is a list") {
        assert!(
            rule.get("resourceNames").is_none() && rule.get("nonResourceURLs").is_none(),
            "unexpected rule {rule:?}"
        );
        for group in texts(rule, "apiGroups") {
            for resource in texts(rule, "resources") {
                grants
                    .entry((group.clone(), resource))
                    .or_default()
                    .extend(texts(rule, "verbs"));
            }
        }
    }
    grants
}

fn expected(access: &[(&str, &str, &[&str])]) -> Grants {
    access
        .iter()
        .map(|(group, resource, verbs)| {
            (
                (group.to_string(), resource.to_string()),
                verbs.iter().map(|verb| verb.to_string()).collect(),
            )
        })
        .collect()
}

#[test]
fn cluster_role_grants_exactly_what_the_controller_uses() {
    let raw = raw_template("clusterrole.yaml");
    let rules = raw.split_once("\nrules:").expect("a rules block").1;
    assert!(
        !rules.contains("{{"),
        "the rules block must not be templated"
    );

    let role = template("clusterrole.yaml");
    assert_eq!(text(&role, "kind"), "ClusterRole");
    let actual = grants(&role);
    for ((group, resource), verbs) in &actual {
        assert!(
            !["secrets", "configmaps", "*"].contains(&resource.split('/').next().unwrap()),
            "the ClusterRole grants {verbs:?} on {group}/{resource}"
        );
        assert!(
            group != "*" && !verbs.contains("*"),
            "wildcard in {group}/{resource}"
        );
    }
    let expected = expected(CLUSTER_ACCESS);
    for (key, verbs) in &expected {
        assert_eq!(actual.get(key), Some(verbs), "verbs on {key:?}");
    }
    let extra: Vec<_> = actual
        .keys()
        .filter(|key| !expected.contains_key(*key))
        .collect();
    assert!(extra.is_empty(), "the ClusterRole grants more: {extra:?}");
}

#[test]
fn leader_election_is_a_namespaced_role_on_leases() {
    let role = template("role.yaml");
    assert_eq!(text(&role, "kind"), "Role");
    assert_eq!(text(&role, "metadata.namespace"), "TPL(.Release.Namespace)");
    assert_eq!(
        grants(&role),
        expected(&[(
            "coordination.k8s.io",
            "leases",
            &["get", "create", "update"]
        )])
    );
}

#[test]
fn bindings_give_the_roles_to_the_controllers_service_account() {
    let service_account = text(&template("serviceaccount.yaml"), "metadata.name").to_owned();
    let deployment = template("deployment.yaml");
    assert_eq!(
        text(&deployment, "spec.template.spec.serviceAccountName"),
        service_account
    );
    for (binding, role, kind) in [
        ("clusterrolebinding.yaml", "clusterrole.yaml", "ClusterRole"),
        ("rolebinding.yaml", "role.yaml", "Role"),
    ] {
        let binding = template(binding);
        let role = template(role);
        assert_eq!(text(&binding, "roleRef.kind"), kind);
        assert_eq!(text(&binding, "roleRef.name"), text(&role, "metadata.name"));
        assert_eq!(text(&binding, "subjects.0.kind"), "ServiceAccount");
        assert_eq!(text(&binding, "subjects.0.name"), service_account);
        assert_eq!(
            text(&binding, "subjects.0.namespace"),
            "TPL(.Release.Namespace)"
        );
    }
}

// ---------------------------------------------------------------------------
// Deployment

/// The environment of `trellis run` the chart sets from values:
/// (variable, values path, required).
const ENVIRONMENT: &[(&str, &str, bool)] = &[
    ("CLUSTER_NAME", "clusterName", true),
    ("CLUSTER_VPC_ID", "clusterVpcId", false),
    ("AWS_ACCOUNT_ID", "awsAccountId", false),
    ("REGION", "awsRegion", false),
    ("DEFAULT_SERVICE_NETWORK", "defaultServiceNetwork", false),
    (
        "ENABLE_SERVICE_NETWORK_OVERRIDE",
        "enableServiceNetworkOverride",
        false,
    ),
    ("LATTICE_ENDPOINT", "latticeEndpoint", false),
    (
        "ROUTE_MAX_CONCURRENT_RECONCILES",
        "routeMaxConcurrentReconciles",
        false,
    ),
    (
        "RECONCILE_DEFAULT_RESYNC_SECONDS",
        "reconcileDefaultResyncSeconds",
        false,
    ),
    ("LOG_LEVEL", "log.level", false),
    ("DEV_MODE", "log.devMode", false),
    ("WEBHOOK_ENABLED", "webhook.enabled", false),
];

fn container(deployment: &Yaml) -> &Yaml {
    let containers = at(deployment, "spec.template.spec.containers")
        .as_sequence()
        .expect("containers is a list");
    assert_eq!(containers.len(), 1);
    assert_eq!(text(&containers[0], "name"), "trellis");
    &containers[0]
}

#[test]
fn deployment_sets_every_setting_the_values_expose() {
    let deployment = template("deployment.yaml");
    let container = container(&deployment);
    let values = values();
    let env: BTreeMap<String, &Yaml> = at(container, "env")
        .as_sequence()
        .expect("env is a list")
        .iter()
        .map(|item| (text(item, "name").to_owned(), item))
        .collect();

    for (variable, path, required) in ENVIRONMENT {
        let item = env
            .get(*variable)
            .unwrap_or_else(|| panic!("the Deployment does not set {variable}"));
        let value = text(item, "value");
        assert!(
            value.contains(&format!(".Values.{path} "))
                || value.ends_with(&format!(".Values.{path})")),
            "{variable} = {value}, not from .Values.{path}"
        );
        assert_eq!(
            value.contains("required"),
            *required,
            "{variable}: `required` check (only for the cluster name; the VPC, account and region may come from IMDS)"
        );
        assert!(lookup(&values, path).is_some(), "values.yaml has no {path}");
    }
    for (variable, field) in [
        ("POD_NAMESPACE", "metadata.namespace"),
        ("POD_NAME", "metadata.name"),
    ] {
        let item = env
            .get(variable)
            .unwrap_or_else(|| panic!("the Deployment does not set {variable}"));
        assert_eq!(text(item, "valueFrom.fieldRef.fieldPath"), field);
    }
    let known: BTreeSet<&str> = ENVIRONMENT
        .iter()
        .map(|(variable, _, _)| *variable)
        .chain(["POD_NAMESPACE", "POD_NAME"])
        .collect();
    let unknown: Vec<_> = env
        .keys()
        .filter(|name| !known.contains(name.as_str()))
        .collect();
    assert!(
        unknown.is_empty(),
        "variables trellis run does not read: {unknown:?}"
    );

    // A non-empty DEV_MODE turns text logs on, so "false" must not reach it.
    let raw = raw_template("deployment.yaml");
    let guard = raw
        .find("if .Values.log.devMode")
        .expect("DEV_MODE is conditional");
    assert!(guard < raw.find("name: DEV_MODE").unwrap());
}

#[test]
fn deployment_runs_the_controller_with_probes_and_ports() {
    let deployment = template("deployment.yaml");
    let container = container(&deployment);
    let args = texts(container, "args");
    // `args` replaces the image's CMD, so it must name the subcommand.
    assert_eq!(args[0], "run");
    for flag in [
        "--leader-elect",
        "--metrics-bind-address=0.0.0.0:8080",
        "--health-probe-bind-address=0.0.0.0:8081",
    ] {
        assert!(args.iter().any(|arg| arg == flag), "no {flag} in {args:?}");
    }
    let raw = raw_template("deployment.yaml");
    assert!(raw.contains("if .Values.leaderElection.enabled"));
    assert!(
        raw.contains("with .Values.plugin.path") && args.iter().any(|a| a.contains("--plugin="))
    );
    assert!(
        raw.contains("with .Values.plugin.config")
            && args.iter().any(|a| a.contains("--plugin-config="))
    );

    let ports: BTreeMap<&str, u64> = at(container, "ports")
        .as_sequence()
        .unwrap()
        .iter()
        .filter(|port| text(port, "name") != "webhook")
        .map(|port| {
            (
                text(port, "name"),
                at(port, "containerPort").as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(ports, BTreeMap::from([("metrics", 8080), ("health", 8081)]));
    assert_eq!(text(container, "livenessProbe.httpGet.path"), "/healthz");
    assert_eq!(text(container, "livenessProbe.httpGet.port"), "health");
    assert_eq!(text(container, "readinessProbe.httpGet.path"), "/readyz");
    assert_eq!(text(container, "readinessProbe.httpGet.port"), "health");
    assert_eq!(
        at(
            &deployment,
            "spec.template.spec.terminationGracePeriodSeconds"
        )
        .as_u64(),
        Some(10)
    );
    assert!(raw.contains("toYaml .Values.securityContext"));
    assert!(raw.contains("toYaml .Values.podSecurityContext"));
    assert!(raw.contains("toYaml .Values.resources"));
}

#[test]
fn values_default_to_a_locked_down_pair_of_replicas() {
    let values = values();
    let number = |path: &str| at(&values, path).as_u64();
    let flag = |path: &str| at(&values, path).as_bool();
    assert_eq!(number("replicaCount"), Some(2));
    assert_eq!(flag("leaderElection.enabled"), Some(true));
    assert_eq!(flag("gatewayClass.create"), Some(true));
    assert_eq!(flag("metrics.serviceMonitor.enabled"), Some(false));
    assert_eq!(text(&values, "log.level"), "info");
    assert_eq!(number("routeMaxConcurrentReconciles"), Some(4));
    assert_eq!(text(&values, "resources.requests.cpu"), "50m");
    assert_eq!(text(&values, "resources.requests.memory"), "64Mi");
    assert_eq!(text(&values, "resources.limits.cpu"), "200m");
    assert_eq!(text(&values, "resources.limits.memory"), "256Mi");
    assert_eq!(flag("podSecurityContext.runAsNonRoot"), Some(true));
    assert_eq!(
        text(&values, "podSecurityContext.seccompProfile.type"),
        "RuntimeDefault"
    );
    assert_eq!(flag("securityContext.readOnlyRootFilesystem"), Some(true));
    assert_eq!(
        flag("securityContext.allowPrivilegeEscalation"),
        Some(false)
    );
    assert_eq!(texts(&values, "securityContext.capabilities.drop"), ["ALL"]);
    for required in ["clusterName", "clusterVpcId", "awsAccountId", "awsRegion"] {
        assert_eq!(text(&values, required), "", "{required} has no default");
    }
    assert!(
        lookup(&values, "serviceAccount.annotations").is_some_and(Yaml::is_mapping),
        "serviceAccount.annotations (IRSA) is a map"
    );
    assert_eq!(text(&values, "plugin.path"), "", "no plugin of its own");
    assert_eq!(text(&values, "plugin.config"), "");
    assert!(
        at(&values, "policies")
            .as_mapping()
            .is_some_and(|policies| policies.is_empty()),
        "policies default to none (a map of file name to TOML text)"
    );
    assert_eq!(flag("pluginCache.enabled"), Some(true));
    assert_eq!(text(&values, "pluginCache.sizeLimit"), "256Mi");
}

#[test]
fn gateway_class_names_the_lattice_controller() {
    let class = template("gatewayclass.yaml");
    assert_eq!(text(&class, "apiVersion"), "gateway.networking.k8s.io/v1");
    assert_eq!(text(&class, "kind"), "GatewayClass");
    assert_eq!(text(&class, "metadata.name"), "amazon-vpc-lattice");
    assert_eq!(
        text(&class, "spec.controllerName"),
        "application-networking.k8s.aws/gateway-api-controller"
    );
    assert!(raw_template("gatewayclass.yaml").contains("if .Values.gatewayClass.create"));
}

// ---------------------------------------------------------------------------
// Policies and the plugin cache

/// Where the chart mounts the policies ConfigMap (`--policies`).
const POLICY_DIR: &str = "/etc/trellis/policies";
/// Where the chart mounts the compile cache's emptyDir (`--plugin-cache-dir`).
const CACHE_DIR: &str = "/var/cache/trellis";

/// For each line of `raw` holding `needle`, the template blocks open there
/// (`if …`, `with …`, `range …`, `define …`), outermost first.
fn enclosing_blocks(raw: &str, needle: &str) -> Vec<Vec<String>> {
    let mut open: Vec<String> = Vec::new();
    let mut found = Vec::new();
    for line in raw.lines() {
        if line.contains(needle) {
            found.push(open.clone());
        }
        let mut rest = line;
        while let Some(start) = rest.find("{{") {
            let end = rest[start..].find("}}").expect("balanced") + start;
            let action = rest[start + 2..end].trim_matches('-').trim();
            match action.split_whitespace().next().unwrap_or("") {
                "if" | "with" | "range" | "define" | "block" => open.push(action.to_owned()),
                "end" => {
                    open.pop();
                }
                _ => {}
            }
            rest = &rest[end + 2..];
        }
    }
    found
}

/// Every line of `raw` holding `needle` is inside the block `{{ condition }}`.
fn assert_guarded(raw: &str, needle: &str, condition: &str) {
    let found = enclosing_blocks(raw, needle);
    assert!(!found.is_empty(), "no line holds `{needle}`");
    for blocks in found {
        assert!(
            blocks.iter().any(|block| block == condition),
            "`{needle}` is not inside `{{{{ {condition} }}}}` (open blocks: {blocks:?})"
        );
    }
}

/// The items of the list at `path`, by their `name`.
fn named<'a>(value: &'a Yaml, path: &str) -> BTreeMap<String, &'a Yaml> {
    at(value, path)
        .as_sequence()
        .unwrap_or_else(|| panic!("`{path}` is not a list"))
        .iter()
        .map(|item| (text(item, "name").to_owned(), item))
        .collect()
}

fn read_only(mount: &Yaml) -> bool {
    lookup(mount, "readOnly").and_then(Yaml::as_bool) == Some(true)
}

#[test]
fn policies_become_a_configmap_only_when_given() {
    let config_map = template("policies-configmap.yaml");
    assert_eq!(text(&config_map, "apiVersion"), "v1");
    assert_eq!(text(&config_map, "kind"), "ConfigMap");
    assert_eq!(
        text(&config_map, "metadata.name"),
        "TPL(include trellis.fullname .)-policies"
    );
    assert_eq!(
        text(&config_map, "metadata.namespace"),
        "TPL(.Release.Namespace)"
    );
    let raw = raw_template("policies-configmap.yaml");
    assert!(
        raw.starts_with("{{- if .Values.policies }}"),
        "the ConfigMap exists only when `policies` is not empty"
    );
    // The file names are the keys and the TOML texts the values, as given.
    let data: Vec<&str> = raw
        .split_once("\ndata:\n")
        .expect("a data block")
        .1
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect();
    assert_eq!(
        data,
        ["{{- toYaml .Values.policies | nindent 2 }}", "{{- end }}"]
    );
    // No checksum of the policies in the pod template: a policy change is
    // hot-reloaded, it must not roll the pods.
    let deployment = raw_template("deployment.yaml");
    assert!(
        !deployment.contains("checksum/") && !deployment.contains("sha256sum"),
        "the Deployment restarts the pods on a policy change"
    );
}

#[test]
fn the_chart_refuses_policies_trellis_would_skip_and_flags_given_twice() {
    assert!(raw_template("deployment.yaml").starts_with("{{- include \"trellis.validate\" . }}"));
    let helpers = raw_template("_helpers.tpl");
    let validate = helpers
        .split_once("define \"trellis.validate\"")
        .expect("the trellis.validate helper")
        .1;
    for check in [
        // A map of file name to text ...
        "kindIs \"map\" .Values.policies",
        "kindIs \"string\" $text",
        // ... whose names policy_files reads: visible, `*.toml`.
        "regexMatch \"^[A-Za-z0-9][-_.A-Za-z0-9]*[.]toml$\" $file",
        // clap refuses a flag given twice.
        "hasPrefix \"--policies\"",
        "hasPrefix \"--plugin-cache-dir\"",
    ] {
        assert!(validate.contains(check), "trellis.validate lacks `{check}`");
    }
}

#[test]
fn deployment_mounts_the_policies_and_the_plugin_cache() {
    let deployment = template("deployment.yaml");
    let container = container(&deployment);
    let raw = raw_template("deployment.yaml");
    let args = texts(container, "args");
    let policies_flag = format!("--policies={POLICY_DIR}");
    let cache_flag = format!("--plugin-cache-dir={CACHE_DIR}");
    for flag in [&policies_flag, &cache_flag] {
        assert!(args.contains(flag), "no {flag} in {args:?}");
    }
    assert_guarded(&raw, &policies_flag, "if .Values.policies");
    assert_guarded(&raw, &cache_flag, "if .Values.pluginCache.enabled");
    // plugin.path keeps its own flag: one plugin for every object.
    assert_guarded(&raw, "--plugin=%s", "with .Values.plugin.path");

    let mounts = named(container, "volumeMounts");
    let volumes = named(&deployment, "spec.template.spec.volumes");
    assert_eq!(
        mounts.keys().collect::<Vec<_>>(),
        volumes.keys().collect::<Vec<_>>(),
        "every volume of the chart is mounted, every mount has its volume"
    );

    let policies = mounts["policies"];
    assert_eq!(text(policies, "mountPath"), POLICY_DIR);
    assert!(read_only(policies));
    assert!(
        lookup(policies, "subPath").is_none(),
        "a subPath mount is never updated, so it would not hot-reload"
    );
    assert_eq!(
        text(volumes["policies"], "configMap.name"),
        text(&template("policies-configmap.yaml"), "metadata.name")
    );

    let cache = mounts["plugin-cache"];
    assert_eq!(text(cache, "mountPath"), CACHE_DIR);
    assert_eq!(
        text(volumes["plugin-cache"], "emptyDir.sizeLimit"),
        "TPL(.Values.pluginCache.sizeLimit)"
    );

    for (name, condition) in [
        ("policies", "if .Values.policies"),
        ("plugin-cache", "if .Values.pluginCache.enabled"),
    ] {
        // Both the mount and the volume.
        assert_eq!(enclosing_blocks(&raw, &format!("- name: {name}")).len(), 2);
        assert_guarded(&raw, &format!("- name: {name}"), condition);
    }
    assert!(
        raw.contains("with .Values.extraVolumes") && raw.contains("with .Values.extraVolumeMounts")
    );
}

#[test]
fn with_a_read_only_root_only_the_pods_own_empty_dirs_are_written() {
    let values = values();
    assert_eq!(
        at(&values, "securityContext.readOnlyRootFilesystem").as_bool(),
        Some(true)
    );
    let deployment = template("deployment.yaml");
    let container = container(&deployment);
    let mounts = named(container, "volumeMounts");
    let volumes = named(&deployment, "spec.template.spec.volumes");
    // Where `trellis run` may write: /tmp, and the compile cache.
    let mut written = vec!["/tmp".to_owned()];
    written.extend(
        texts(container, "args")
            .iter()
            .filter_map(|arg| arg.strip_prefix("--plugin-cache-dir="))
            .map(str::to_owned),
    );
    assert_eq!(written.len(), 2, "{written:?}");
    for (name, mount) in &mounts {
        let path = text(mount, "mountPath");
        if written.iter().any(|dir| dir == path) {
            assert!(!read_only(mount), "{path} must be writable");
            assert!(
                lookup(volumes[name], "emptyDir").is_some(),
                "{path}: the pod's own emptyDir (the cache holds native code: Trellis alone writes it)"
            );
        } else {
            assert!(
                read_only(mount),
                "{path} is mounted writable but never written"
            );
        }
    }
    for dir in &written {
        assert!(
            mounts.values().any(|mount| text(mount, "mountPath") == dir),
            "{dir} is written but on the read-only root filesystem"
        );
    }
}

#[test]
fn every_value_reaches_a_template() {
    fn leaves(value: &Yaml, path: &str, found: &mut Vec<String>) {
        match value.as_mapping() {
            Some(map) if !map.is_empty() => {
                for (key, value) in map {
                    let key = key.as_str().expect("values keys are text");
                    let path = if path.is_empty() {
                        key.to_owned()
                    } else {
                        format!("{path}.{key}")
                    };
                    leaves(value, &path, found);
                }
            }
            _ => found.push(path.to_owned()),
        }
    }
    let used: BTreeSet<String> = template_names()
        .iter()
        .flat_map(|name| value_paths(&raw_template(name)))
        .collect();
    let mut settings = Vec::new();
    leaves(&values(), "", &mut settings);
    // A map handed whole to `toYaml` uses all its keys.
    let unused: Vec<&String> = settings
        .iter()
        .filter(|setting| {
            !used
                .iter()
                .any(|path| *setting == path || setting.starts_with(&format!("{path}.")))
        })
        .collect();
    assert!(
        unused.is_empty(),
        "values.yaml offers settings no template uses: {unused:?}"
    );
}

/// The example in the comment above the top-level key `key` of values.yaml:
/// its lines that start with `#   `, uncommented.
fn commented_example(values: &str, key: &str) -> String {
    let lines: Vec<&str> = values.lines().collect();
    let at = lines
        .iter()
        .position(|line| line.starts_with(&format!("{key}:")))
        .unwrap_or_else(|| panic!("values.yaml has no {key}"));
    let start = lines[..at]
        .iter()
        .rposition(|line| !line.starts_with('#'))
        .map_or(0, |index| index + 1);
    lines[start..at]
        .iter()
        .filter_map(|line| line.strip_prefix("#   "))
        .map(|line| format!("{line}\n"))
        .collect()
}

/// The ```yaml blocks of the `## ` section of `markdown` whose heading
/// contains `heading`.
fn yaml_blocks(markdown: &str, heading: &str) -> Vec<String> {
    let section = markdown
        .split("\n## ")
        .find(|section| {
            section
                .lines()
                .next()
                .is_some_and(|title| title.contains(heading))
        })
        .unwrap_or_else(|| panic!("no section `{heading}`"));
    section
        .split("```yaml\n")
        .skip(1)
        .map(|block| {
            block
                .split_once("```")
                .expect("a closed block")
                .0
                .to_owned()
        })
        .collect()
}

/// A documented values example with policies: Trellis reads every file
/// (names `policy_files` finds), each is a valid policy, and each names its
/// components by absolute paths on a read-only mount of a volume of the
/// example.
fn check_policy_example(example: &str, origin: &str) {
    let example: Yaml = serde_yaml_ng::from_str(example)
        .unwrap_or_else(|error| panic!("{origin}: not YAML: {error}\n{example}"));
    let policies = at(&example, "policies")
        .as_mapping()
        .unwrap_or_else(|| panic!("{origin}: `policies` is not a map"));
    assert!(!policies.is_empty(), "{origin}: no policy");
    let volumes = named(&example, "extraVolumes");
    let mounts = named(&example, "extraVolumeMounts");

    let dir = tempfile::tempdir().unwrap();
    for (name, policy) in policies {
        let name = name.as_str().expect("file names are text");
        let policy = policy
            .as_str()
            .unwrap_or_else(|| panic!("{origin}: policies.{name} is not TOML text"));
        fs::write(dir.path().join(name), policy).unwrap();
    }
    let files = policy_files(dir.path()).unwrap();
    assert_eq!(
        files.len(),
        policies.len(),
        "{origin}: Trellis reads only {files:?}"
    );
    for file in files {
        let entries = read_policy_file(&file).unwrap_or_else(|error| panic!("{origin}: {error}"));
        assert!(
            !entries.is_empty(),
            "{origin}: {} names no plugin",
            file.display()
        );
        for entry in entries {
            let component = &entry.plugin_path;
            assert!(
                component.is_absolute() && !component.starts_with(dir.path()),
                "{origin}: {}: give the component's absolute path on its volume",
                component.display()
            );
            let (volume, mount) = mounts
                .iter()
                .find(|(_, mount)| component.starts_with(text(mount, "mountPath")))
                .unwrap_or_else(|| {
                    panic!(
                        "{origin}: {} is on no mount of the example",
                        component.display()
                    )
                });
            assert!(read_only(mount), "{origin}: mount {volume} read-only");
            assert!(volumes.contains_key(volume), "{origin}: no volume {volume}");
        }
    }
}

#[test]
fn the_documented_policy_examples_are_valid_policies() {
    let values = read(&chart().join("values.yaml"));
    check_policy_example(&commented_example(&values, "policies"), "values.yaml");

    let guide = read(&workspace().join("docs/deploy.md"));
    let examples: Vec<String> = yaml_blocks(&guide, "Plugins and policies in a cluster")
        .into_iter()
        .filter(|block| block.starts_with("policies:"))
        .collect();
    assert_eq!(
        examples.len(),
        1,
        "docs/deploy.md: one values example with policies"
    );
    check_policy_example(&examples[0], "docs/deploy.md");
}

// ---------------------------------------------------------------------------
// Image

#[test]
fn image_build_matches_the_toolchain_and_the_chart() {
    let dockerfile = read(&workspace().join("Dockerfile"));
    let toolchain = read(&workspace().join("rust-toolchain.toml"));
    let channel = toolchain
        .lines()
        .find_map(|line| line.trim().strip_prefix("channel = "))
        .expect("rust-toolchain.toml names a channel")
        .trim_matches('"');
    let minor: Vec<&str> = channel.split('.').take(2).collect();
    let builder = format!("FROM rust:{}-bookworm AS builder", minor.join("."));
    for line in [
        builder.as_str(),
        "rustup target add wasm32-wasip2",
        "cargo build --release --locked -p trellis",
        "objcopy --strip-debug --add-gnu-debuglink=",
        "FROM scratch AS debug-symbols",
        "FROM gcr.io/distroless/cc-debian12:nonroot",
        "EXPOSE 8080 8081",
        r#"ENTRYPOINT ["/trellis"]"#,
        r#"CMD ["run"]"#,
    ] {
        assert!(dockerfile.contains(line), "the Dockerfile lacks `{line}`");
    }

    // Everything the build reads stays in the context: every workspace
    // member (host/build.rs builds the plugins of the workspace), wit/, the
    // manifests and the toolchain file.
    let manifest = read(&workspace().join("Cargo.toml"));
    let members = manifest
        .lines()
        .find_map(|line| line.trim().strip_prefix("members = ["))
        .expect("the workspace lists its members on one line");
    let mut needed: Vec<String> = members
        .split('"')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect();
    assert!(needed.len() >= 2, "members: {needed:?}");
    needed.extend(["wit", "Cargo.toml", "Cargo.lock", "rust-toolchain.toml"].map(str::to_owned));
    let ignore = read(&workspace().join(".dockerignore"));
    let patterns: Vec<&str> = ignore
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .collect();
    assert!(
        patterns.contains(&"target/"),
        ".dockerignore must leave out target/"
    );
    for path in &needed {
        for pattern in &patterns {
            let anywhere = pattern.starts_with("**/");
            let pattern = pattern.trim_start_matches("**/").trim_end_matches('/');
            let excluded = if anywhere {
                path.split('/').any(|component| component == pattern)
            } else {
                path == pattern || path.starts_with(&format!("{pattern}/"))
            };
            assert!(
                !excluded,
                ".dockerignore pattern `{pattern}` leaves out {path}"
            );
        }
    }
}

#[test]
fn strip_templates_keeps_structure_and_marks_expressions() {
    let template = "\
{{- if .Values.on }}
kind: Thing
metadata:
  name: {{ include \"x.name\" . }}
  labels:
    {{- include \"x.labels\" . | nindent 4 }}
image: \"{{ .Values.repo }}:{{ .Values.tag }}\"
{{- end }}
";
    let stripped: Yaml = serde_yaml_ng::from_str(&strip_templates(template)).unwrap();
    assert_eq!(text(&stripped, "kind"), "Thing");
    assert_eq!(text(&stripped, "metadata.name"), "TPL(include x.name .)");
    assert!(at(&stripped, "metadata.labels").is_null());
    assert_eq!(
        text(&stripped, "image"),
        "TPL(.Values.repo):TPL(.Values.tag)"
    );
    assert_eq!(
        value_paths(template),
        BTreeSet::from(["on".to_owned(), "repo".to_owned(), "tag".to_owned()])
    );
}

// ---------------------------------------------------------------------------
// Pod readiness-gate webhook

#[test]
fn the_webhook_is_upstreams_served_by_every_replica_over_https() {
    let values = values();
    assert_eq!(at(&values, "webhook.enabled").as_bool(), Some(true));
    assert_eq!(at(&values, "webhook.port").as_u64(), Some(9443));
    assert_eq!(at(&values, "webhook.certManager").as_bool(), Some(false));

    let configuration = template("mutatingwebhookconfiguration.yaml");
    assert_eq!(text(&configuration, "kind"), "MutatingWebhookConfiguration");
    assert_eq!(
        text(&configuration, "metadata.name"),
        "aws-appnet-gwc-mutating-webhook"
    );
    let webhooks = at(&configuration, "webhooks").as_sequence().unwrap();
    assert_eq!(webhooks.len(), 1);
    let webhook = &webhooks[0];
    assert_eq!(text(webhook, "name"), "mpod.gwc.k8s.aws");
    assert_eq!(text(webhook, "failurePolicy"), "Fail");
    assert_eq!(text(webhook, "sideEffects"), "None");
    assert_eq!(text(webhook, "clientConfig.service.path"), "/mutate-pod");
    assert_eq!(at(webhook, "clientConfig.service.port").as_u64(), Some(443));
    assert!(text(webhook, "clientConfig.caBundle").contains("trellisGeneratedWebhookTLS"));
    let rule = &at(webhook, "rules").as_sequence().unwrap()[0];
    assert_eq!(texts(rule, "operations"), ["CREATE"]);
    assert_eq!(texts(rule, "resources"), ["pods"]);
    let namespaces = &at(webhook, "namespaceSelector.matchExpressions")
        .as_sequence()
        .unwrap()[0];
    assert_eq!(
        text(namespaces, "key"),
        "application-networking.k8s.aws/pod-readiness-gate-inject"
    );
    assert_eq!(text(namespaces, "operator"), "In");
    assert_eq!(texts(namespaces, "values"), ["enabled"]);
    let objects = &at(webhook, "objectSelector.matchExpressions")
        .as_sequence()
        .unwrap()[0];
    assert_eq!(text(objects, "key"), "app.kubernetes.io/name");
    assert_eq!(text(objects, "operator"), "NotIn");
    assert!(texts(objects, "values")[0].contains("trellis.name"));
    let raw = raw_template("mutatingwebhookconfiguration.yaml");
    assert!(raw.contains("cert-manager.io/inject-ca-from"));
    assert!(raw.starts_with("{{- if .Values.webhook.enabled }}"));

    // The Service: 443 to the container's webhook port.
    let service = template("webhook-service.yaml");
    let port = &at(&service, "spec.ports").as_sequence().unwrap()[0];
    assert_eq!(at(port, "port").as_u64(), Some(443));
    assert_eq!(text(port, "targetPort"), "webhook");
    assert!(text(webhook, "clientConfig.service.name").contains("trellis.webhookService"));
    assert!(text(&service, "metadata.name").contains("trellis.webhookService"));

    // The certificate: cert-manager's, or generated by the chart; either way
    // in the Secret the Deployment mounts at upstream's /etc/webhook-cert.
    let certificate = template("webhook-certificate.yaml");
    assert_eq!(text(&certificate, "kind"), "Certificate");
    assert!(text(&certificate, "spec.secretName").contains("trellis.webhookSecret"));
    assert_eq!(text(&certificate, "spec.issuerRef.kind"), "Issuer");
    assert_eq!(text(&template("webhook-issuer.yaml"), "kind"), "Issuer");
    let secret = template("webhook-secret.yaml");
    assert_eq!(text(&secret, "type"), "kubernetes.io/tls");
    for key in ["ca.crt", "tls.crt", "tls.key"] {
        assert!(
            lookup(&secret, "data")
                .and_then(|data| data.get(key))
                .is_some(),
            "{key}"
        );
    }
    let helpers = read(&chart().join("templates/_helpers.tpl"));
    assert!(helpers.contains("genCA") && helpers.contains("genSignedCert"));
    assert!(helpers.contains("lookup \"v1\" \"Secret\""));

    let deployment = template("deployment.yaml");
    let container = container(&deployment);
    let args = texts(container, "args");
    assert!(args.contains(&"--webhook-cert-dir=/etc/webhook-cert".to_owned()));
    assert!(
        args.iter()
            .any(|arg| arg.contains("--webhook-bind-address=0.0.0.0:"))
    );
    let ports = at(container, "ports").as_sequence().unwrap();
    assert!(ports.iter().any(|port| {
        text(port, "name") == "webhook"
            && text(port, "containerPort").contains(".Values.webhook.port")
    }));
    let mounts = at(container, "volumeMounts").as_sequence().unwrap();
    assert!(mounts.iter().any(|mount| {
        text(mount, "name") == "webhook-cert" && text(mount, "mountPath") == "/etc/webhook-cert"
    }));
    let volumes = at(&deployment, "spec.template.spec.volumes")
        .as_sequence()
        .unwrap();
    assert!(volumes.iter().any(|volume| {
        text(volume, "name") == "webhook-cert"
            && text(volume, "secret.secretName").contains("trellis.webhookSecret")
    }));
}
