//! Configuration: the cluster context Trellis runs for, and the controller's
//! settings.

mod cluster;
mod identity;
mod settings;

pub use cluster::{ClusterConfig, ClusterConfigError};
pub use identity::{IdentityField, InvalidIdentity, check_identity};
pub use settings::{
    DEFAULT_SETTINGS_FILE, IGNORED_ENVIRONMENT, LeaderElection, RawSettings, Scalar, Settings,
    SettingsError,
};
