//! Configuration: the cluster context Trellis runs for, and the controller's
//! settings, and the discovery of empty identity settings from the EC2
//! instance metadata service.

mod cluster;
mod identity;
mod imds;
mod settings;

pub use cluster::{ClusterConfig, ClusterConfigError};
pub use identity::{IdentityField, InvalidIdentity, check_identity};
pub use imds::{Discovered, ImdsError, ImdsOptions, Wanted, discover};
pub use settings::{
    DEFAULT_SETTINGS_FILE, DEFAULT_WEBHOOK_CERT_DIR, IGNORED_ENVIRONMENT, LeaderElection,
    RawSettings, Scalar, Settings, SettingsError, WebhookSettings,
};
