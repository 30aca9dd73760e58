//! Configuration: the cluster context Trellis runs for.

mod cluster;

pub use cluster::{ClusterConfig, ClusterConfigError};
