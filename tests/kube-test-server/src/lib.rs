//! `kube-test-server`: a small Kubernetes API server on 127.0.0.1, in
//! memory, that follows the API's semantics closely enough for kube-rs
//! (`Client`, `Api`, `runtime::watcher`, reflectors, `Controller`,
//! `finalizer`, `events::Recorder`, Lease get/create/replace) to work
//! against it unchanged — for Trellis's controller tests.
//!
//! ```no_run
//! # async fn example() -> anyhow::Result<()> {
//! let server = kube_test_server::TestApiServer::start().await;
//! server.write_kubeconfig("/tmp/kubeconfig")?;
//! server.apply_manifests("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team\n")?;
//! assert!(server.object("v1", "namespaces", None, "team").is_some());
//! # Ok(())
//! # }
//! ```
//!
//! # Contract
//!
//! Each module's documentation states its part in detail.
//!
//! - Paths (module `paths`): `/api/v1/...` and `/apis/{group}/{version}/...`,
//!   namespaced and cluster-wide, objects and `/status`, for registered
//!   types ([`ResourceType`]); anything else is 404 `NotFound` as a
//!   `Status`. `/version` and the discovery documents are answered
//!   (`discovery`).
//! - Reads: get; list with label and field selectors (`selector`), without
//!   pagination (`limit` is ignored and no `continue` is returned); watch
//!   (`watch`) with history replay, 410 `Expired`, bookmarks and
//!   streaming-list initial events.
//! - Writes (`writes`): create, replace, patch (JSON, merge,
//!   strategic-as-merge and server-side apply, `patch`) and delete, with
//!   `resourceVersion` preconditions, `generation`, status subresources,
//!   finalizers, and no-op writes that change nothing.
//! - Field ownership (`ownership`): `metadata.managedFields` per field
//!   manager; server-side apply merges by the CRD schema's
//!   `x-kubernetes-list-type` (atomic lists replaced whole, map lists merged
//!   by `x-kubernetes-list-map-keys`, set lists as sets), removes what a
//!   manager stops applying, and answers 409 `Conflict` when another
//!   manager owns a field it would change, unless `force` is set.
//! - CustomResourceDefinitions register, and deleted unregister, the types
//!   they serve (`crds`).
//! - Failures are `Status` objects with the real server's code and reason
//!   (`status_error`).
//!
//! Not implemented: authentication and authorization, admission (namespaces
//! need not exist; nothing is defaulted or validated against a schema),
//! version conversion, garbage collection of owned objects, namespace
//! deletion cascading, schemas of built-in types (their lists are atomic),
//! dry runs,
//! `deletecollection`, pagination, Protobuf, aggregated discovery and
//! OpenAPI documents.

mod crds;
mod discovery;
mod fields;
mod http;
mod kubeconfig;
mod managed_fields;
mod manifests;
mod meta;
mod ownership;
mod patch;
mod paths;
mod resources;
mod schema;
mod selector;
mod server;
mod status_error;
mod store;
mod watch;
mod writes;

pub use manifests::ManifestError;
pub use resources::ResourceType;
pub use server::{Builder, RecordedRequest, TestApiServer};
