//! Configuration: the cluster context Trellis runs for, and the controller's
//! settings.

mod cluster;
mod settings;

pub use cluster::{ClusterConfig, ClusterConfigError};
pub use settings::{
    DEFAULT_SETTINGS_FILE, IGNORED_ENVIRONMENT, LeaderElection, RawSettings, Scalar, Settings,
    SettingsError,
};
