use std::io::Write;

use super::*;

fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
        .collect()
}

const REQUIRED: &[(&str, &str)] = &[
    ("CLUSTER_NAME", "workload-1"),
    ("CLUSTER_VPC_ID", "vpc-0123456789abcdef0"),
    ("AWS_ACCOUNT_ID", "123456789012"),
    ("REGION", "us-west-2"),
];

fn settings_file(text: &str) -> tempfile::NamedTempFile {
    let mut file = tempfile::Builder::new().suffix(".toml").tempfile().unwrap();
    file.write_all(text.as_bytes()).unwrap();
    file
}

fn resolve(
    file: Option<&Path>,
    env: &[(String, String)],
    flags: &RawSettings,
) -> Result<Settings, SettingsError> {
    RawSettings::merge(file, env, flags)?.resolve()
}

#[test]
fn missing_cluster_name_is_named_with_how_to_set_it() {
    let mut pairs = REQUIRED.to_vec();
    pairs.retain(|(name, _)| *name != "CLUSTER_NAME");
    let error = resolve(None, &env(&pairs), &RawSettings::default()).unwrap_err();
    let message = error.to_string();
    assert!(message.contains("CLUSTER_NAME is not set"), "{message}");
    assert!(message.contains("--cluster-name"), "{message}");
    assert!(message.contains("`cluster_name`"), "{message}");
}

#[test]
fn an_empty_variable_counts_as_unset() {
    let mut pairs = REQUIRED.to_vec();
    pairs.push(("CLUSTER_NAME", "  "));
    pairs.retain(|(name, value)| *name != "CLUSTER_NAME" || value.trim().is_empty());
    let error = resolve(None, &env(&pairs), &RawSettings::default()).unwrap_err();
    assert!(error.to_string().contains("CLUSTER_NAME"));
}

#[test]
fn environment_overrides_the_file_and_flags_override_the_environment() {
    let file = settings_file(
        "cluster_name = \"from-file\"\nregion = \"eu-west-1\"\nlog_level = \"debug\"\n",
    );
    let mut pairs = REQUIRED.to_vec();
    pairs.retain(|(name, _)| *name != "REGION");
    let flags = RawSettings {
        cluster_name: Some("from-flag".into()),
        ..RawSettings::default()
    };
    let settings = resolve(Some(file.path()), &env(&pairs), &flags).unwrap();
    assert_eq!(settings.cluster.cluster_name, "from-flag");
    assert_eq!(settings.cluster.region, "eu-west-1");
    assert_eq!(settings.log_level, "debug");

    let settings = resolve(Some(file.path()), &env(&pairs), &RawSettings::default()).unwrap();
    assert_eq!(settings.cluster.cluster_name, "workload-1");
}

#[test]
fn an_unknown_key_in_the_file_is_named() {
    let file = settings_file("clustr_name = \"typo\"\n");
    let error = resolve(Some(file.path()), &env(REQUIRED), &RawSettings::default()).unwrap_err();
    assert!(error.to_string().contains("clustr_name"), "{error}");
}

#[test]
fn a_named_file_must_exist() {
    let error = resolve(
        Some(Path::new("/nonexistent/trellis.toml")),
        &env(REQUIRED),
        &RawSettings::default(),
    )
    .unwrap_err();
    assert!(error.to_string().contains("/nonexistent/trellis.toml"));
}

#[test]
fn upstream_values_are_checked_as_upstream_does() {
    let mut pairs = REQUIRED.to_vec();
    pairs.push(("ROUTE_MAX_CONCURRENT_RECONCILES", "many"));
    let error = resolve(None, &env(&pairs), &RawSettings::default()).unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("ROUTE_MAX_CONCURRENT_RECONCILES"),
        "{error}"
    );

    let mut pairs = REQUIRED.to_vec();
    pairs.push(("RECONCILE_DEFAULT_RESYNC_SECONDS", "30"));
    let error = resolve(None, &env(&pairs), &RawSettings::default()).unwrap_err();
    assert!(error.to_string().contains("at least 60"), "{error}");

    let mut pairs = REQUIRED.to_vec();
    pairs.push(("AWS_ACCOUNT_ID", "12345"));
    pairs.retain(|(name, value)| *name != "AWS_ACCOUNT_ID" || *value == "12345");
    let error = resolve(None, &env(&pairs), &RawSettings::default()).unwrap_err();
    assert!(error.to_string().starts_with("AWS_ACCOUNT_ID"), "{error}");
}

#[test]
fn override_needs_a_default_network_and_accepts_any_case() {
    let mut pairs = REQUIRED.to_vec();
    pairs.push(("ENABLE_SERVICE_NETWORK_OVERRIDE", "TRUE"));
    let settings = resolve(None, &env(&pairs), &RawSettings::default()).unwrap();
    assert!(!settings.cluster.service_network_override);
    pairs.push(("DEFAULT_SERVICE_NETWORK", "mesh"));
    let settings = resolve(None, &env(&pairs), &RawSettings::default()).unwrap();
    assert!(settings.cluster.service_network_override);
    assert_eq!(
        settings.cluster.default_service_network.as_deref(),
        Some("mesh")
    );
}

#[test]
fn defaults_and_upstream_address_form() {
    let flags = RawSettings {
        metrics_bind_address: Some(":9090".into()),
        ..RawSettings::default()
    };
    let settings = resolve(None, &env(REQUIRED), &flags).unwrap();
    assert_eq!(settings.metrics_bind_address.to_string(), "0.0.0.0:9090");
    assert_eq!(
        settings.health_probe_bind_address.to_string(),
        "0.0.0.0:8081"
    );
    assert_eq!(settings.max_concurrent_reconciles, 4);
    assert_eq!(settings.resync, None);
    assert_eq!(settings.leader_election, None);
    assert_eq!(settings.plugin, None);
}

#[test]
fn leader_election_takes_namespace_and_identity_from_the_pod() {
    let mut pairs = REQUIRED.to_vec();
    pairs.push(("POD_NAMESPACE", "trellis-system"));
    pairs.push(("POD_NAME", "trellis-abc"));
    let flags = RawSettings {
        leader_elect: Some(true),
        ..RawSettings::default()
    };
    let settings = resolve(None, &env(&pairs), &flags).unwrap();
    assert_eq!(
        settings.leader_election,
        Some(LeaderElection {
            namespace: "trellis-system".into(),
            lease_name: "trellis-leader".into(),
            identity: "trellis-abc".into(),
        })
    );
}

#[test]
fn identity_values_are_checked_by_the_rules_cluster_yaml_shares() {
    for (variable, value) in [
        ("AWS_ACCOUNT_ID", "abc/def"),
        ("CLUSTER_VPC_ID", "not-a-vpc"),
        ("CLUSTER_NAME", "team/prod"),
        ("REGION", "west"),
    ] {
        let mut pairs = REQUIRED.to_vec();
        pairs.retain(|(name, _)| *name != variable);
        pairs.push((variable, value));
        let error = resolve(None, &env(&pairs), &RawSettings::default()).unwrap_err();
        assert!(
            matches!(&error, SettingsError::Invalid { variable: named, message }
                if *named == variable && message.contains(value)),
            "{variable}={value}: {error}"
        );
    }
}

#[test]
fn lattice_timeouts_default_and_are_set_by_flags_and_refused_at_zero() {
    let settings = resolve(None, &env(REQUIRED), &RawSettings::default()).unwrap();
    assert_eq!(settings.connect_timeout, Duration::from_secs(3));
    assert_eq!(settings.attempt_timeout, Duration::from_secs(10));
    let flags = RawSettings {
        connect_timeout_ms: Some(250),
        attempt_timeout_ms: Some(1_500),
        ..RawSettings::default()
    };
    let settings = resolve(None, &env(REQUIRED), &flags).unwrap();
    assert_eq!(settings.connect_timeout, Duration::from_millis(250));
    assert_eq!(settings.attempt_timeout, Duration::from_millis(1_500));
    let zero = RawSettings {
        attempt_timeout_ms: Some(0),
        ..RawSettings::default()
    };
    let error = resolve(None, &env(REQUIRED), &zero)
        .unwrap_err()
        .to_string();
    assert!(error.contains("attempt_timeout_ms"), "{error}");
}

#[test]
fn only_empty_identity_values_are_left_to_discover() {
    let raw = RawSettings::merge(
        None,
        &env(&[
            ("CLUSTER_NAME", "workload-1"),
            ("CLUSTER_VPC_ID", "vpc-0123456789abcdef0"),
            ("REGION", " "),
        ]),
        &RawSettings::default(),
    )
    .unwrap();
    assert_eq!(
        raw.undiscovered(),
        Wanted {
            vpc_id: false,
            account_id: true,
            region: true,
        }
    );
    let all_set = RawSettings::merge(None, &env(REQUIRED), &RawSettings::default()).unwrap();
    assert!(!all_set.undiscovered().any());
}

#[test]
fn discovered_values_fill_only_empty_settings_and_are_checked() {
    let raw = RawSettings::merge(
        None,
        &env(&[
            ("CLUSTER_NAME", "workload-1"),
            ("CLUSTER_VPC_ID", "vpc-0123456789abcdef0"),
        ]),
        &RawSettings::default(),
    )
    .unwrap();
    let found = Discovered {
        vpc_id: Some("vpc-0a1b2c3d4e5f60001".into()),
        account_id: Some("123456789012".into()),
        region: Some("eu-west-1".into()),
    };
    let settings = raw.clone().with_discovered(found).resolve().unwrap();
    assert_eq!(settings.cluster.vpc_id, "vpc-0123456789abcdef0");
    assert_eq!(settings.cluster.account_id, "123456789012");
    assert_eq!(settings.cluster.region, "eu-west-1");

    let nothing = raw.with_discovered(Discovered::default()).resolve();
    assert!(
        matches!(
            nothing,
            Err(SettingsError::Missing {
                variable: "AWS_ACCOUNT_ID",
                ..
            })
        ),
        "{nothing:?}"
    );
}

#[test]
fn the_webhook_is_off_unless_enabled_and_defaults_to_upstreams_port_and_cert_dir() {
    let off = resolve(None, &env(REQUIRED), &RawSettings::default()).unwrap();
    assert_eq!(off.webhook, None);

    let mut vars = REQUIRED.to_vec();
    vars.push(("WEBHOOK_ENABLED", "true"));
    let on = resolve(None, &env(&vars), &RawSettings::default()).unwrap();
    let webhook = on.webhook.unwrap();
    assert_eq!(webhook.bind_address, "0.0.0.0:9443".parse().unwrap());
    assert_eq!(webhook.cert_file, Path::new("/etc/webhook-cert/tls.crt"));
    assert_eq!(webhook.key_file, Path::new("/etc/webhook-cert/tls.key"));

    let flags = RawSettings {
        webhook_bind_address: Some("127.0.0.1:10443".into()),
        webhook_cert_dir: Some("/certs".into()),
        ..RawSettings::default()
    };
    let moved = resolve(None, &env(&vars), &flags).unwrap().webhook.unwrap();
    assert_eq!(moved.bind_address, "127.0.0.1:10443".parse().unwrap());
    assert_eq!(moved.key_file, Path::new("/certs/tls.key"));
}
