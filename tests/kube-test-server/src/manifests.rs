//! Test setup from YAML: every document of a multi-document string is
//! created, or replaced if it exists, as a whole (`.status` included),
//! without going through HTTP. A CustomResourceDefinition takes effect for
//! the documents after it.

use serde::Deserialize;
use serde_json::Value;

use crate::crds;
use crate::managed_fields::Manager;
use crate::meta;
use crate::server::Shared;
use crate::writes::{self, Part, Target};

/// Why [`TestApiServer::apply_manifests`](crate::TestApiServer::apply_manifests)
/// stopped. Documents are numbered from 1; the ones before `document` were
/// applied.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    /// The document is not YAML.
    #[error("document {document}: not YAML: {source}")]
    Yaml {
        document: usize,
        #[source]
        source: serde_yaml_ng::Error,
    },
    /// The document has no `apiVersion` or `kind`.
    #[error("document {document}: not a Kubernetes object (it needs apiVersion and kind)")]
    NotAnObject { document: usize },
    /// No registered type has this `apiVersion` and `kind`.
    #[error("document {document}: {api_version} {kind} is not a registered resource type")]
    UnknownType {
        document: usize,
        api_version: String,
        kind: String,
    },
    /// The write failed as the API would answer it (e.g. no name).
    #[error("document {document}: {kind} {name:?} was rejected ({code}): {message}")]
    Rejected {
        document: usize,
        kind: String,
        name: String,
        code: u16,
        message: String,
    },
}

/// Creates or replaces every non-empty document of `yaml`, in order; a
/// namespaced object without a namespace goes to `default`. Returns the
/// stored objects as their version serves them.
pub(crate) fn apply(shared: &Shared, yaml: &str) -> Result<Vec<Value>, ManifestError> {
    let mut applied = Vec::new();
    for (index, document) in serde_yaml_ng::Deserializer::from_str(yaml).enumerate() {
        let number = index + 1;
        let object = Value::deserialize(document).map_err(|source| ManifestError::Yaml {
            document: number,
            source,
        })?;
        if object.is_null() {
            continue;
        }
        let (Some(api_version), Some(kind)) =
            (object["apiVersion"].as_str(), object["kind"].as_str())
        else {
            return Err(ManifestError::NotAnObject { document: number });
        };
        let mut state = shared.state();
        let resource = state
            .registry
            .by_kind(api_version, kind)
            .cloned()
            .ok_or_else(|| ManifestError::UnknownType {
                document: number,
                api_version: api_version.into(),
                kind: kind.into(),
            })?;
        let namespace = resource
            .namespaced
            .then(|| match meta::field(&object, "namespace") {
                "" => "default".to_string(),
                namespace => namespace.to_string(),
            });
        let name = meta::field(&object, "name").to_string();
        let target = Target {
            resource: &resource,
            namespace: namespace.as_deref(),
            name: &name,
        };
        let store = &mut state.store;
        let written = if !name.is_empty() && target.live(store).is_ok() {
            writes::replace(store, target, object, Part::Whole, &Manager::setup())
        } else {
            writes::create(
                store,
                &resource,
                target.namespace,
                object,
                Part::Whole,
                &Manager::setup(),
            )
        };
        let stored = written.map_err(|error| ManifestError::Rejected {
            document: number,
            kind: resource.kind.clone(),
            name: name.clone(),
            code: error.code,
            message: error.message,
        })?;
        if crds::is_crd(&resource) {
            crds::sync(&mut state, meta::field(&stored, "name"));
        }
        applied.push(resource.render(&stored));
    }
    Ok(applied)
}
