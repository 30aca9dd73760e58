//! The cluster context: upstream's `CLUSTER_NAME`, `CLUSTER_VPC_ID`,
//! `AWS_ACCOUNT_ID`, `REGION` and `DEFAULT_SERVICE_NETWORK`, read offline from
//! a `cluster.yaml`.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::identity::{InvalidIdentity, check_identity};

/// The cluster a plan or a controller runs for.
///
/// `cluster.yaml` holds it in camelCase:
/// ```yaml
/// clusterName: workload-cluster-1
/// vpcId: vpc-0a1b2c3d4e5f60001
/// accountId: "123456789012"
/// region: us-west-2
/// defaultServiceNetwork: my-gateway   # optional
/// serviceNetworkOverride: false        # optional
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClusterConfig {
    /// The cluster's name (`CLUSTER_NAME`).
    pub cluster_name: String,
    /// The cluster's VPC (`CLUSTER_VPC_ID`).
    pub vpc_id: String,
    /// The AWS account (`AWS_ACCOUNT_ID`).
    pub account_id: String,
    /// The AWS region (`REGION`).
    pub region: String,
    /// The service network created at start-up and associated with the VPC
    /// (`DEFAULT_SERVICE_NETWORK`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_service_network: Option<String>,
    /// Every service network lookup uses the default network, and routes
    /// associate only with it (`ENABLE_SERVICE_NETWORK_OVERRIDE=true`);
    /// without a default network it has no effect.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub service_network_override: bool,
}

/// A `cluster.yaml` that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ClusterConfigError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    /// The file is not a valid cluster config.
    #[error("{path}: {source}")]
    Parse {
        path: String,
        source: serde_yaml_ng::Error,
    },
    /// A required field is empty.
    #[error("{path}: field `{field}` must not be empty")]
    Empty { path: String, field: &'static str },
    /// A field's value breaks its rule (see [`check_identity`]).
    #[error("{path}: field `{field}`: {source}")]
    Invalid {
        path: String,
        field: &'static str,
        source: InvalidIdentity,
    },
}

impl ClusterConfig {
    /// The context used when manifests come without a `cluster.yaml`.
    pub fn local() -> Self {
        Self {
            cluster_name: "local".into(),
            vpc_id: "vpc-00000000000000000".into(),
            account_id: "000000000000".into(),
            region: "us-west-2".into(),
            default_service_network: None,
            service_network_override: false,
        }
    }

    /// Reads and checks a `cluster.yaml`.
    pub fn load(path: &Path) -> Result<Self, ClusterConfigError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| ClusterConfigError::Read {
            path: shown.clone(),
            source,
        })?;
        Self::parse(&shown, &text)
    }

    /// Parses and checks the text of a `cluster.yaml` read from `path` (used
    /// in errors only): the required fields are present and not empty, and
    /// the name, VPC, account and region follow the rules `trellis run`
    /// applies to its settings ([`check_identity`]).
    pub fn parse(path: &str, text: &str) -> Result<Self, ClusterConfigError> {
        let config: Self =
            serde_yaml_ng::from_str(text).map_err(|source| ClusterConfigError::Parse {
                path: path.to_owned(),
                source,
            })?;
        let required = [
            ("clusterName", &config.cluster_name),
            ("vpcId", &config.vpc_id),
            ("accountId", &config.account_id),
            ("region", &config.region),
        ];
        if let Some((field, _)) = required.iter().find(|(_, value)| value.trim().is_empty()) {
            return Err(ClusterConfigError::Empty {
                path: path.to_owned(),
                field,
            });
        }
        check_identity(&config).map_err(|source| ClusterConfigError::Invalid {
            path: path.to_owned(),
            field: source.field.yaml_key(),
            source,
        })?;
        Ok(config)
    }

    /// The `ManagedBy` value of resources this cluster owns:
    /// `{accountId}/{clusterName}/{vpcId}`.
    pub fn managed_by(&self) -> String {
        format!("{}/{}/{}", self.account_id, self.cluster_name, self.vpc_id)
    }

    /// The service network a lookup of `name` finds: the default network in
    /// override mode, else `name` itself.
    pub fn service_network_name<'a>(&'a self, name: &'a str) -> &'a str {
        match (&self.default_service_network, self.service_network_override) {
            (Some(default), true) => default,
            _ => name,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VALID: &str = "clusterName: workload-1\nvpcId: vpc-0123456789abcdef0\naccountId: \"123456789012\"\nregion: us-west-2\n";

    #[test]
    fn a_valid_file_parses_and_makes_its_managed_by() {
        let config = ClusterConfig::parse("cluster.yaml", VALID).unwrap();
        assert_eq!(
            config.managed_by(),
            "123456789012/workload-1/vpc-0123456789abcdef0"
        );
    }

    #[test]
    fn ids_trellis_run_refuses_are_refused_naming_the_field() {
        for (from, to, field) in [
            ("\"123456789012\"", "abc/def", "accountId"),
            ("vpc-0123456789abcdef0", "not-a-vpc", "vpcId"),
            ("workload-1", "team/prod", "clusterName"),
            ("us-west-2", "moon", "region"),
        ] {
            let text = VALID.replace(from, to);
            let error = ClusterConfig::parse("c/cluster.yaml", &text).unwrap_err();
            assert!(
                matches!(&error, ClusterConfigError::Invalid { field: named, .. } if *named == field),
                "{error}"
            );
            let message = error.to_string();
            assert!(
                message.starts_with(&format!("c/cluster.yaml: field `{field}`: `{to}` is not")),
                "{message}"
            );
        }
    }

    #[test]
    fn an_empty_field_is_named() {
        let text = VALID.replace("workload-1", "\"\"");
        let error = ClusterConfig::parse("cluster.yaml", &text).unwrap_err();
        assert!(
            matches!(
                error,
                ClusterConfigError::Empty {
                    field: "clusterName",
                    ..
                }
            ),
            "{error}"
        );
    }
}
