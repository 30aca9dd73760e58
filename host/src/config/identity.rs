//! The rules of the four values that identify a cluster — its name, VPC,
//! account and region — shared by `cluster.yaml` ([`ClusterConfig::load`])
//! and the controller's settings ([`RawSettings::resolve`]), so that a value
//! one accepts the other accepts too.
//!
//! The name, account and VPC make the `ManagedBy` tag of every resource a
//! cluster owns (`{accountId}/{clusterName}/{vpcId}`); the rules keep that
//! value unambiguous (no `/` inside a part) and within a tag value's limits.
//!
//! [`ClusterConfig::load`]: super::ClusterConfig::load
//! [`RawSettings::resolve`]: super::RawSettings::resolve

use super::ClusterConfig;

/// The longest cluster name: EKS's limit.
const MAX_CLUSTER_NAME: usize = 100;

/// One of the identifying fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdentityField {
    /// The cluster's name.
    ClusterName,
    /// The cluster's VPC.
    VpcId,
    /// The AWS account.
    AccountId,
    /// The AWS region.
    Region,
}

impl IdentityField {
    /// The field's key in `cluster.yaml`.
    pub fn yaml_key(self) -> &'static str {
        match self {
            Self::ClusterName => "clusterName",
            Self::VpcId => "vpcId",
            Self::AccountId => "accountId",
            Self::Region => "region",
        }
    }

    /// The field's environment variable in the settings (upstream's name).
    pub fn variable(self) -> &'static str {
        match self {
            Self::ClusterName => "CLUSTER_NAME",
            Self::VpcId => "CLUSTER_VPC_ID",
            Self::AccountId => "AWS_ACCOUNT_ID",
            Self::Region => "REGION",
        }
    }
}

/// A value that breaks its field's rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{value}` is not {expected}")]
pub struct InvalidIdentity {
    /// The field holding the value.
    pub field: IdentityField,
    /// The value, as given.
    pub value: String,
    /// What the field must be, in words.
    pub expected: &'static str,
}

/// Checks the cluster's name, VPC, account and region, in that order; the
/// first value that breaks its rule is the error:
///
/// - name: 1–100 ASCII letters, digits, `-`, `_` and `.`, starting with a
///   letter or digit;
/// - VPC: `vpc-` and 8 or 17 lowercase hexadecimal digits;
/// - account: 12 digits;
/// - region: lowercase words and a final number joined by single hyphens,
///   at least three parts (`us-west-2`, `us-gov-east-1`).
pub fn check_identity(cluster: &ClusterConfig) -> Result<(), InvalidIdentity> {
    let fields = [
        IdentityField::ClusterName,
        IdentityField::VpcId,
        IdentityField::AccountId,
        IdentityField::Region,
    ];
    for field in fields {
        field.check(field.value(cluster))?;
    }
    Ok(())
}

impl IdentityField {
    /// Checks one value against this field's rule (see [`check_identity`]).
    pub fn check(self, value: &str) -> Result<(), InvalidIdentity> {
        let (valid, expected) = self.rule();
        if valid(value) {
            Ok(())
        } else {
            Err(InvalidIdentity {
                field: self,
                value: value.to_owned(),
                expected,
            })
        }
    }

    /// The field's value in `cluster`.
    fn value(self, cluster: &ClusterConfig) -> &str {
        match self {
            Self::ClusterName => &cluster.cluster_name,
            Self::VpcId => &cluster.vpc_id,
            Self::AccountId => &cluster.account_id,
            Self::Region => &cluster.region,
        }
    }

    /// The field's check, and what it accepts in words.
    fn rule(self) -> (fn(&str) -> bool, &'static str) {
        match self {
            Self::ClusterName => (
                is_cluster_name,
                "a cluster name (1-100 letters, digits, '-', '_' or '.', starting with a letter or digit)",
            ),
            Self::VpcId => (
                is_vpc_id,
                "a VPC id (vpc- and 8 or 17 lowercase hex digits)",
            ),
            Self::AccountId => (is_account_id, "a 12-digit AWS account id"),
            Self::Region => (is_region, "an AWS region (like us-west-2)"),
        }
    }
}

fn is_cluster_name(name: &str) -> bool {
    name.len() <= MAX_CLUSTER_NAME
        && name
            .chars()
            .next()
            .is_some_and(|first| first.is_ascii_alphanumeric())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

fn is_vpc_id(id: &str) -> bool {
    id.strip_prefix("vpc-").is_some_and(|hex| {
        matches!(hex.len(), 8 | 17)
            && hex
                .chars()
                .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
    })
}

fn is_account_id(id: &str) -> bool {
    id.len() == 12 && id.chars().all(|c| c.is_ascii_digit())
}

fn is_region(region: &str) -> bool {
    let parts: Vec<&str> = region.split('-').collect();
    let Some((number, words)) = parts.split_last() else {
        return false;
    };
    words.len() >= 2
        && words
            .iter()
            .all(|word| !word.is_empty() && word.chars().all(|c| c.is_ascii_lowercase()))
        && !number.is_empty()
        && number.len() <= 2
        && number.chars().all(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cluster(edit: impl FnOnce(&mut ClusterConfig)) -> ClusterConfig {
        let mut cluster = ClusterConfig {
            cluster_name: "workload-1".into(),
            vpc_id: "vpc-0123456789abcdef0".into(),
            account_id: "123456789012".into(),
            region: "us-west-2".into(),
            default_service_network: None,
            service_network_override: false,
        };
        edit(&mut cluster);
        cluster
    }

    #[test]
    fn accepts_what_aws_and_kubernetes_name() {
        assert_eq!(check_identity(&cluster(|_| ())), Ok(()));
        assert_eq!(check_identity(&ClusterConfig::local()), Ok(()));
        for name in ["a", "Prod_EU.k8s.example.com", &"x".repeat(100)] {
            let name = name.to_owned();
            assert_eq!(check_identity(&cluster(|c| c.cluster_name = name)), Ok(()));
        }
        assert_eq!(
            check_identity(&cluster(|c| c.vpc_id = "vpc-0a1b2c3d".into())),
            Ok(())
        );
        for region in [
            "us-gov-east-1",
            "ap-southeast-4",
            "cn-north-1",
            "eu-central-1",
        ] {
            let region = region.to_owned();
            assert_eq!(check_identity(&cluster(|c| c.region = region)), Ok(()));
        }
    }

    /// `cluster` with `value` in `field`.
    fn with(field: IdentityField, value: &str) -> ClusterConfig {
        cluster(|c| {
            let slot = match field {
                IdentityField::ClusterName => &mut c.cluster_name,
                IdentityField::VpcId => &mut c.vpc_id,
                IdentityField::AccountId => &mut c.account_id,
                IdentityField::Region => &mut c.region,
            };
            *slot = value.to_owned();
        })
    }

    #[test]
    fn refuses_values_that_would_break_the_managed_by_tag() {
        let long_name = "x".repeat(101);
        let cases = [
            (IdentityField::AccountId, "abc/def"),
            (IdentityField::AccountId, "12345678901"),
            (IdentityField::AccountId, "12345678901a"),
            (IdentityField::VpcId, "not-a-vpc"),
            (IdentityField::VpcId, "vpc-"),
            (IdentityField::VpcId, "vpc-0123456789ABCDEF0"),
            (IdentityField::VpcId, "vpc-0123/56789abcdef0"),
            (IdentityField::ClusterName, "team/prod"),
            (IdentityField::ClusterName, ""),
            (IdentityField::ClusterName, "-lead"),
            (IdentityField::ClusterName, &long_name),
            (IdentityField::Region, "us-west"),
            (IdentityField::Region, "US-WEST-2"),
            (IdentityField::Region, "us--west-2"),
            (IdentityField::Region, "us-west-"),
            (IdentityField::Region, "-us-west-2"),
            (IdentityField::Region, "us-west-200"),
        ];
        for (field, value) in cases {
            let error = check_identity(&with(field, value)).unwrap_err();
            assert_eq!(error.field, field, "{value}");
            assert_eq!(error.value, value);
        }
    }

    #[test]
    fn the_error_quotes_the_value_and_says_what_is_expected() {
        let error = check_identity(&cluster(|c| c.vpc_id = "not-a-vpc".into())).unwrap_err();
        assert_eq!(
            error.to_string(),
            "`not-a-vpc` is not a VPC id (vpc- and 8 or 17 lowercase hex digits)"
        );
        assert_eq!(error.field.yaml_key(), "vpcId");
        assert_eq!(error.field.variable(), "CLUSTER_VPC_ID");
    }
}
