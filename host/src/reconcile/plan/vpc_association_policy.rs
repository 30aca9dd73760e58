//! VpcAssociationPolicy: how the cluster VPC joins a Gateway's service
//! network (upstream `vpcassociationpolicy_controller.go`).

use serde::Deserialize;

use crate::plugin::bindings::types::AttachedPolicy;

/// Lattice: security groups per VPC association.
const MAX_SECURITY_GROUPS: usize = 5;

/// The fields of a VpcAssociationPolicy `spec` Trellis reads.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct VpcAssociationPolicySpec {
    /// Whether the VPC is associated; upstream's default is true.
    associate_with_vpc: Option<bool>,
    /// The association's security groups.
    #[serde(default)]
    security_group_ids: Vec<String>,
}

/// What a VpcAssociationPolicy asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VpcAssociation {
    /// Whether the cluster VPC is associated with the network.
    pub associate: bool,
    /// The association's security groups.
    pub security_group_ids: Vec<String>,
}

/// Reads a VpcAssociationPolicy; `Err` is `(field, message)` for the policy's
/// problem: unparsable spec, more than five security groups, or an id that
/// is not `sg-` and hex digits.
pub fn parse(policy: &AttachedPolicy) -> Result<VpcAssociation, (String, String)> {
    let spec: VpcAssociationPolicySpec = serde_json::from_str(&policy.spec)
        .map_err(|error| ("spec".to_owned(), error.to_string()))?;
    if spec.security_group_ids.len() > MAX_SECURITY_GROUPS {
        return Err((
            "spec.securityGroupIds".into(),
            format!(
                "{} security groups; Lattice allows {MAX_SECURITY_GROUPS}",
                spec.security_group_ids.len()
            ),
        ));
    }
    for (index, id) in spec.security_group_ids.iter().enumerate() {
        let hex = id.strip_prefix("sg-").unwrap_or_default();
        if hex.is_empty() || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err((
                format!("spec.securityGroupIds[{index}]"),
                format!("{id:?} is not a security group id"),
            ));
        }
    }
    Ok(VpcAssociation {
        associate: spec.associate_with_vpc.unwrap_or(true),
        security_group_ids: spec.security_group_ids,
    })
}
