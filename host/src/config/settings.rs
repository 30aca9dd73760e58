//! The controller's settings (`trellis run`): a TOML file, then upstream's
//! environment variables, then command-line flags, each overriding the one
//! before, merged with figment and checked before anything starts.
//!
//! Contract: [`Settings::resolve`] either returns settings whose required
//! values are present and valid, or an error naming the setting (by its
//! environment variable) and how to set it. Empty environment variables count
//! as unset, as upstream treats them.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use figment::Figment;
use figment::providers::{Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

use super::imds::{Discovered, Wanted};
use super::{ClusterConfig, check_identity};

/// Where the settings file is looked for when none is named.
pub const DEFAULT_SETTINGS_FILE: &str = "/etc/trellis/trellis.toml";

/// Upstream's environment variables and the setting each one sets.
const ENVIRONMENT: &[(&str, &str)] = &[
    ("CLUSTER_NAME", "cluster_name"),
    ("CLUSTER_VPC_ID", "cluster_vpc_id"),
    ("AWS_ACCOUNT_ID", "aws_account_id"),
    ("REGION", "region"),
    ("DEFAULT_SERVICE_NETWORK", "default_service_network"),
    (
        "ENABLE_SERVICE_NETWORK_OVERRIDE",
        "enable_service_network_override",
    ),
    ("LOG_LEVEL", "log_level"),
    ("DEV_MODE", "dev_mode"),
    ("LATTICE_ENDPOINT", "lattice_endpoint"),
    (
        "ROUTE_MAX_CONCURRENT_RECONCILES",
        "route_max_concurrent_reconciles",
    ),
    (
        "RECONCILE_DEFAULT_RESYNC_SECONDS",
        "reconcile_default_resync_seconds",
    ),
    ("POD_NAMESPACE", "pod_namespace"),
    ("POD_NAME", "pod_name"),
    ("TRELLIS_POLICY_DIR", "policy_dir"),
    ("TRELLIS_PLUGIN_CACHE_DIR", "plugin_cache_dir"),
    ("WEBHOOK_ENABLED", "webhook_enabled"),
];

/// Upstream variables Trellis accepts and ignores, with why.
pub const IGNORED_ENVIRONMENT: &[(&str, &str)] = &[(
    "DISABLE_TAGGING_SERVICE_API",
    "Trellis always tags through the VPC Lattice API",
)];

/// A scalar as TOML, environment or flags give it: environment values are
/// text, TOML and flags typed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Scalar {
    Bool(bool),
    Int(i64),
    Text(String),
}

impl Scalar {
    fn text(&self) -> String {
        match self {
            Self::Bool(value) => value.to_string(),
            Self::Int(value) => value.to_string(),
            Self::Text(value) => value.trim().to_owned(),
        }
    }
}

/// Every setting as given, before checking. Field names are the TOML keys;
/// flags use the same names with dashes (`trellis run --help`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, clap::Args)]
#[serde(deny_unknown_fields)]
pub struct RawSettings {
    /// The cluster's name (`CLUSTER_NAME`; required): in ManagedBy tags and
    /// target groups' ClusterName tag.
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster_name: Option<String>,
    /// The cluster's VPC (`CLUSTER_VPC_ID`; required, from IMDS when empty).
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster_vpc_id: Option<String>,
    /// The AWS account (`AWS_ACCOUNT_ID`; required, from IMDS when empty).
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aws_account_id: Option<String>,
    /// The AWS region (`REGION`; required, from IMDS when empty).
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// A service network created at start-up and associated with the
    /// cluster's VPC (`DEFAULT_SERVICE_NETWORK`).
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_service_network: Option<String>,
    /// `true`: every service network lookup uses the default network
    /// (`ENABLE_SERVICE_NETWORK_OVERRIDE`).
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enable_service_network_override: Option<Scalar>,
    /// The log filter (`LOG_LEVEL`): `info` (default), `debug`, `warn`,
    /// `error`, `trace`, or a tracing filter.
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_level: Option<String>,
    /// Non-empty: human-readable logs instead of JSON (`DEV_MODE`).
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dev_mode: Option<Scalar>,
    /// The VPC Lattice endpoint URL (`LATTICE_ENDPOINT`).
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lattice_endpoint: Option<String>,
    /// Reconciles of each kind run at once (`ROUTE_MAX_CONCURRENT_RECONCILES`;
    /// default 4).
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub route_max_concurrent_reconciles: Option<Scalar>,
    /// Re-reconcile every object and re-read VPC Lattice this often, in
    /// seconds; 0 (default) or at least 60 (`RECONCILE_DEFAULT_RESYNC_SECONDS`).
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reconcile_default_resync_seconds: Option<Scalar>,
    /// The leader Lease's namespace (`POD_NAMESPACE`; default: the service
    /// account's namespace).
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pod_namespace: Option<String>,
    /// This replica's identity in the leader Lease (`POD_NAME`; default:
    /// the host name).
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pod_name: Option<String>,
    /// Where `/metrics` is served (default `0.0.0.0:8080`; `:8080` works).
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metrics_bind_address: Option<String>,
    /// Where `/healthz` and `/readyz` are served (default `0.0.0.0:8081`).
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub health_probe_bind_address: Option<String>,
    /// Reconcile only while holding the leader Lease.
    #[arg(long, num_args = 0..=1, default_missing_value = "true")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub leader_elect: Option<bool>,
    /// The leader Lease's name (default `trellis-leader`).
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub leader_election_id: Option<String>,
    /// The plugin: `default` (built in) or a component `.wasm` file.
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plugin: Option<String>,
    /// The plugin's configuration, as JSON text.
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plugin_config: Option<String>,
    /// The folder of policy files (`*.toml`), watched and hot-reloaded
    /// (`TRELLIS_POLICY_DIR`; default: none, the default plugin alone).
    #[arg(long = "policies", value_name = "DIR")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy_dir: Option<String>,
    /// Where compiled plugins are kept between restarts
    /// (`TRELLIS_PLUGIN_CACHE_DIR`; default: none, compile at every start).
    #[arg(long, value_name = "DIR")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plugin_cache_dir: Option<String>,
    /// Sustained VPC Lattice requests per second (default 20).
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub calls_per_second: Option<u32>,
    /// VPC Lattice requests allowed at once after a quiet period (default 40).
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub burst: Option<u32>,
    /// Attempts per VPC Lattice request (default 5).
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_attempts: Option<u32>,
    /// How often unused target groups are collected, in seconds (default 30).
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gc_interval_seconds: Option<u64>,
    /// The longest wait for a connection to VPC Lattice, in milliseconds
    /// (default 3000).
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connect_timeout_ms: Option<u32>,
    /// The longest one VPC Lattice attempt may take, in milliseconds
    /// (default 10000); a timed-out attempt is retried.
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attempt_timeout_ms: Option<u32>,
    /// `true`: serve the pod readiness-gate webhook (`WEBHOOK_ENABLED`;
    /// default false, as upstream's binary; the Helm chart turns it on).
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub webhook_enabled: Option<Scalar>,
    /// Where the webhook is served over HTTPS (default `0.0.0.0:9443`;
    /// `:9443` works).
    #[arg(long)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub webhook_bind_address: Option<String>,
    /// The folder holding the webhook's `tls.crt` and `tls.key` (PEM;
    /// default `/etc/webhook-cert`).
    #[arg(long, value_name = "DIR")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub webhook_cert_dir: Option<String>,
}

impl std::str::FromStr for Scalar {
    type Err = std::convert::Infallible;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Ok(Self::Text(text.to_owned()))
    }
}

/// The checked settings of a controller.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// The cluster context (name, VPC, account, region, default network).
    pub cluster: ClusterConfig,
    /// The log filter (`LOG_LEVEL`): a level or a `tracing` filter.
    pub log_level: String,
    /// Human-readable logs instead of JSON (`DEV_MODE` non-empty).
    pub dev_mode: bool,
    /// The VPC Lattice endpoint (`LATTICE_ENDPOINT`), if not the region's.
    pub lattice_endpoint: Option<String>,
    /// Reconciles of each kind that may run at once.
    pub max_concurrent_reconciles: u16,
    /// Re-reconcile every object this often even without a change, and
    /// re-read Lattice (drift detection); `None` when 0.
    pub resync: Option<Duration>,
    /// How often this cluster's unused target groups are collected.
    pub gc_interval: Duration,
    /// Where `/metrics` is served.
    pub metrics_bind_address: SocketAddr,
    /// Where `/healthz` and `/readyz` are served.
    pub health_probe_bind_address: SocketAddr,
    /// Leader election, when enabled: the Lease's namespace and name and
    /// this replica's identity.
    pub leader_election: Option<LeaderElection>,
    /// `None`: the embedded default plugin; else a component file.
    pub plugin: Option<PathBuf>,
    /// The plugin's configuration (JSON text).
    pub plugin_config: String,
    /// The folder of policy files, if any.
    pub policy_dir: Option<PathBuf>,
    /// Where compiled plugins are cached, if anywhere.
    pub plugin_cache_dir: Option<PathBuf>,
    /// Sustained VPC Lattice requests per second.
    pub calls_per_second: u32,
    /// VPC Lattice requests allowed at once after a quiet period.
    pub burst: u32,
    /// Attempts per VPC Lattice request.
    pub max_attempts: u32,
    /// The longest wait for a connection to VPC Lattice.
    pub connect_timeout: Duration,
    /// The longest one VPC Lattice attempt may take.
    pub attempt_timeout: Duration,
    /// The pod readiness-gate webhook, when enabled.
    pub webhook: Option<WebhookSettings>,
}

/// Where the pod readiness-gate webhook is served and its certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookSettings {
    /// The HTTPS address (upstream's port is 9443).
    pub bind_address: SocketAddr,
    /// The certificate (`tls.crt`) and its private key (`tls.key`), PEM.
    pub cert_file: PathBuf,
    pub key_file: PathBuf,
}

/// Where upstream mounts the webhook's certificate.
pub const DEFAULT_WEBHOOK_CERT_DIR: &str = "/etc/webhook-cert";

/// Where the leader-election Lease lives and who this replica is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeaderElection {
    pub namespace: String,
    pub lease_name: String,
    pub identity: String,
}

/// A setting that cannot be used; the message names it and how to set it.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// A required setting has no value.
    #[error(
        "{variable} is not set: set the {variable} environment variable, \
         `{key}` in the settings file, or --{flag}"
    )]
    Missing {
        variable: &'static str,
        key: &'static str,
        flag: String,
    },
    /// A setting has a value that cannot be used.
    #[error("{variable}: {message}")]
    Invalid {
        variable: &'static str,
        message: String,
    },
    /// The settings file or an environment value could not be read.
    #[error("{0}")]
    Read(#[from] Box<figment::Error>),
}

impl RawSettings {
    /// Merges `file` (if given and present), the environment (`env`: name →
    /// value) and `flags`, later sources winning.
    ///
    /// A file named explicitly must exist; [`DEFAULT_SETTINGS_FILE`] is
    /// read only if present.
    pub fn merge(
        file: Option<&Path>,
        env: &[(String, String)],
        flags: &RawSettings,
    ) -> Result<Self, SettingsError> {
        let mut figment = Figment::new();
        match file {
            Some(path) if !path.exists() => {
                return Err(SettingsError::Invalid {
                    variable: "TRELLIS_CONFIG",
                    message: format!("settings file {} does not exist", path.display()),
                });
            }
            Some(path) => figment = figment.merge(Toml::file_exact(path)),
            None => figment = figment.merge(Toml::file(DEFAULT_SETTINGS_FILE)),
        }
        let environment: std::collections::BTreeMap<String, Scalar> = env
            .iter()
            .filter(|(_, value)| !value.trim().is_empty())
            .filter_map(|(name, value)| {
                ENVIRONMENT
                    .iter()
                    .find(|(variable, _)| variable == name)
                    .map(|(_, key)| ((*key).to_owned(), Scalar::Text(value.clone())))
            })
            .collect();
        figment = figment
            .merge(Serialized::defaults(environment))
            .merge(Serialized::defaults(flags));
        figment
            .extract()
            .map_err(|error| SettingsError::Read(Box::new(error)))
    }

    /// The identity values left empty that the EC2 instance metadata
    /// service can tell (VPC, account, region); see [`super::discover`].
    pub fn undiscovered(&self) -> Wanted {
        let empty = |value: &Option<String>| value.as_ref().is_none_or(|v| v.trim().is_empty());
        Wanted {
            vpc_id: empty(&self.cluster_vpc_id),
            account_id: empty(&self.aws_account_id),
            region: empty(&self.region),
        }
    }

    /// These settings with the empty identity values filled from `found`;
    /// a value already set is never replaced.
    pub fn with_discovered(mut self, found: Discovered) -> Self {
        let fill = |slot: &mut Option<String>, value: Option<String>| {
            if slot.as_ref().is_none_or(|v| v.trim().is_empty()) && value.is_some() {
                *slot = value;
            }
        };
        fill(&mut self.cluster_vpc_id, found.vpc_id);
        fill(&mut self.aws_account_id, found.account_id);
        fill(&mut self.region, found.region);
        self
    }

    /// The checked settings.
    pub fn resolve(self) -> Result<Settings, SettingsError> {
        let cluster = ClusterConfig {
            cluster_name: required(self.cluster_name, "CLUSTER_NAME", "cluster_name")?,
            vpc_id: required(self.cluster_vpc_id, "CLUSTER_VPC_ID", "cluster_vpc_id")?,
            account_id: required(self.aws_account_id, "AWS_ACCOUNT_ID", "aws_account_id")?,
            region: required(self.region, "REGION", "region")?,
            default_service_network: self
                .default_service_network
                .filter(|name| !name.trim().is_empty()),
            service_network_override: false,
        };
        check_identity(&cluster).map_err(|error| SettingsError::Invalid {
            variable: error.field.variable(),
            message: error.to_string(),
        })?;
        let override_asked = self
            .enable_service_network_override
            .is_some_and(|value| value.text().eq_ignore_ascii_case("true"));
        let mut cluster = cluster;
        cluster.service_network_override =
            override_asked && cluster.default_service_network.is_some();
        let max_concurrent_reconciles = match self.route_max_concurrent_reconciles {
            None => 4,
            Some(value) => match value.text().parse::<u16>() {
                Ok(count) if count > 0 => count,
                _ => {
                    return Err(SettingsError::Invalid {
                        variable: "ROUTE_MAX_CONCURRENT_RECONCILES",
                        message: format!(
                            "`{}` is not a whole number from 1 to 65535",
                            value.text()
                        ),
                    });
                }
            },
        };
        let resync = match self.reconcile_default_resync_seconds {
            None => None,
            Some(value) => match value.text().parse::<u64>() {
                Ok(0) => None,
                Ok(seconds) if seconds >= 60 => Some(Duration::from_secs(seconds)),
                _ => {
                    return Err(SettingsError::Invalid {
                        variable: "RECONCILE_DEFAULT_RESYNC_SECONDS",
                        message: format!("`{}` must be 0 or at least 60 (seconds)", value.text()),
                    });
                }
            },
        };
        let webhook = if self
            .webhook_enabled
            .as_ref()
            .is_some_and(|value| value.text().eq_ignore_ascii_case("true"))
        {
            let dir = non_empty_path(self.webhook_cert_dir)
                .unwrap_or_else(|| PathBuf::from(DEFAULT_WEBHOOK_CERT_DIR));
            Some(WebhookSettings {
                bind_address: address(
                    self.webhook_bind_address,
                    "0.0.0.0:9443",
                    "webhook_bind_address",
                )?,
                cert_file: dir.join("tls.crt"),
                key_file: dir.join("tls.key"),
            })
        } else {
            None
        };
        let leader_election = if self.leader_elect.unwrap_or(false) {
            let namespace = self
                .pod_namespace
                .or_else(service_account_namespace)
                .ok_or(SettingsError::Missing {
                    variable: "POD_NAMESPACE",
                    key: "pod_namespace",
                    flag: "pod-namespace".into(),
                })?;
            let identity = self
                .pod_name
                .or_else(|| std::env::var("HOSTNAME").ok())
                .unwrap_or_else(|| format!("trellis-{}", std::process::id()));
            Some(LeaderElection {
                namespace,
                lease_name: self
                    .leader_election_id
                    .unwrap_or_else(|| "trellis-leader".into()),
                identity,
            })
        } else {
            None
        };
        Ok(Settings {
            cluster,
            log_level: self.log_level.unwrap_or_else(|| "info".into()),
            dev_mode: self.dev_mode.is_some_and(|value| !value.text().is_empty()),
            lattice_endpoint: self.lattice_endpoint.filter(|url| !url.trim().is_empty()),
            max_concurrent_reconciles,
            resync,
            gc_interval: Duration::from_secs(self.gc_interval_seconds.unwrap_or(30).max(1)),
            metrics_bind_address: address(
                self.metrics_bind_address,
                "0.0.0.0:8080",
                "metrics_bind_address",
            )?,
            health_probe_bind_address: address(
                self.health_probe_bind_address,
                "0.0.0.0:8081",
                "health_probe_bind_address",
            )?,
            leader_election,
            plugin: self
                .plugin
                .filter(|plugin| plugin != "default")
                .map(PathBuf::from),
            plugin_config: self.plugin_config.unwrap_or_else(|| "{}".into()),
            policy_dir: non_empty_path(self.policy_dir),
            plugin_cache_dir: non_empty_path(self.plugin_cache_dir),
            calls_per_second: positive(self.calls_per_second, 20, "calls_per_second")?,
            burst: positive(self.burst, 40, "burst")?,
            max_attempts: positive(self.max_attempts, 5, "max_attempts")?,
            connect_timeout: Duration::from_millis(
                positive(self.connect_timeout_ms, 3_000, "connect_timeout_ms")?.into(),
            ),
            attempt_timeout: Duration::from_millis(
                positive(self.attempt_timeout_ms, 10_000, "attempt_timeout_ms")?.into(),
            ),
            webhook,
        })
    }
}

/// A path setting; empty means unset.
fn non_empty_path(value: Option<String>) -> Option<PathBuf> {
    value
        .filter(|path| !path.trim().is_empty())
        .map(PathBuf::from)
}

fn required(
    value: Option<String>,
    variable: &'static str,
    key: &'static str,
) -> Result<String, SettingsError> {
    value
        .map(|value| value.trim().to_owned())
        .filter(|value| !value.is_empty())
        .ok_or_else(|| SettingsError::Missing {
            variable,
            key,
            flag: key.replace('_', "-"),
        })
}

/// An address as `host:port` or upstream's `:port` (all interfaces).
fn address(
    value: Option<String>,
    default: &str,
    key: &'static str,
) -> Result<SocketAddr, SettingsError> {
    let text = value.unwrap_or_else(|| default.to_owned());
    let full = if text.starts_with(':') {
        format!("0.0.0.0{text}")
    } else {
        text.clone()
    };
    full.parse().map_err(|_| SettingsError::Invalid {
        variable: key,
        message: format!("`{text}` is not an address (host:port or :port)"),
    })
}

fn positive(value: Option<u32>, default: u32, key: &'static str) -> Result<u32, SettingsError> {
    match value.unwrap_or(default) {
        0 => Err(SettingsError::Invalid {
            variable: key,
            message: "must be at least 1".into(),
        }),
        value => Ok(value),
    }
}

/// The namespace of the pod's service account, when running in a cluster.
fn service_account_namespace() -> Option<String> {
    std::fs::read_to_string("/var/run/secrets/kubernetes.io/serviceaccount/namespace")
        .ok()
        .map(|text| text.trim().to_owned())
        .filter(|text| !text.is_empty())
}

#[cfg(test)]
mod tests;
