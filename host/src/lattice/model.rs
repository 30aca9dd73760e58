//! Lattice resources and request shapes, serialized with the VPC Lattice API's
//! own field names (`customDomainName`, `defaultAction`, `vpcIdentifier`, ...).

use serde::{Deserialize, Serialize};

/// A target registered in a target group: a pod IP and port.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Target {
    /// The IP address (for `IP` target groups).
    pub id: String,
    /// The port traffic is sent to.
    pub port: u16,
}
