//! A kubeconfig for a server: one cluster at its URL (plain HTTP), one user
//! without credentials, and the context `test` using both, current.

use serde_json::json;

/// The kubeconfig YAML for the server at `url`.
pub(crate) fn kubeconfig(url: &str) -> Result<String, serde_yaml_ng::Error> {
    let config = json!({
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "test", "cluster": {"server": url}}],
        "users": [{"name": "test", "user": {}}],
        "contexts": [{
            "name": "test",
            "context": {"cluster": "test", "user": "test", "namespace": "default"},
        }],
        "current-context": "test",
        "preferences": {},
    });
    serde_yaml_ng::to_string(&config)
}
