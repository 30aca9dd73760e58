//! The HTTP front: records every request, routes it ([`paths`]) and maps
//! verbs to reads, [`writes`] and [`watch`]es. Success codes are the real
//! server's: 201 for creates (also server-side apply creating an object),
//! 200 otherwise; failures are `Status` objects.
//!
//! A path whose group, version or plural is not registered is 404
//! `NotFound`, as for a CRD that is not installed; so is a namespaced path
//! of a cluster-scoped type (or the reverse) and `/status` of a type without
//! that subresource. Collections answer GET (list or watch) and POST;
//! objects GET (also `?watch=true`, a watch of that object), PUT, PATCH and
//! DELETE; `/status` GET, PUT and PATCH. Other verbs are 405. A write to
//! a CustomResourceDefinition updates the served types in the same step
//! ([`crds`]).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::header::{CONTENT_TYPE, USER_AGENT};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::crds;
use crate::discovery;
use crate::managed_fields::Manager;
use crate::meta;
use crate::patch::Patch;
use crate::paths::{self, ResourcePath, Route};
use crate::resources::ResourceType;
use crate::selector::Selector;
use crate::server::{RecordedRequest, Shared};
use crate::status_error::ApiError;
use crate::watch::{self, Start, WatchRequest};
use crate::writes::{self, Part, Target};

/// `timeoutSeconds` of a watch that gives none.
const DEFAULT_WATCH_TIMEOUT: Duration = Duration::from_secs(300);

/// The routes: one handler for every path.
pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new().fallback(handle).with_state(shared)
}

/// Query parameters, percent-decoded; the last of repeated ones counts.
struct Query(HashMap<String, String>);

impl Query {
    fn parse(query: Option<&str>) -> Self {
        Self(
            form_urlencoded::parse(query.unwrap_or("").as_bytes())
                .into_owned()
                .collect(),
        )
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    /// A boolean parameter as the API parses them (`true`, `1`, `t`, ...).
    fn flag(&self, name: &str) -> bool {
        matches!(
            self.get(name),
            Some("1" | "t" | "T" | "true" | "TRUE" | "True")
        )
    }
}

/// A request, read.
struct Incoming<'a> {
    method: &'a Method,
    query: Query,
    content_type: &'a str,
    user_agent: &'a str,
    body: Bytes,
}

async fn handle(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let content_type = parts
        .headers
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok());
    tracing::debug!(method = %parts.method, uri = %parts.uri, "kube-test-server request");
    shared.record(RecordedRequest {
        method: parts.method.to_string(),
        path: parts.uri.path().to_string(),
        query: parts.uri.query().map(str::to_string),
        content_type: content_type.map(str::to_string),
    });
    let body = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(body) => body,
        Err(error) => {
            return ApiError::bad_request(format!("reading the body: {error}")).into_response();
        }
    };
    let user_agent = parts
        .headers
        .get(USER_AGENT)
        .and_then(|value| value.to_str().ok());
    let incoming = Incoming {
        method: &parts.method,
        query: Query::parse(parts.uri.query()),
        content_type: content_type.unwrap_or(""),
        user_agent: user_agent.unwrap_or(""),
        body,
    };
    serve(&shared, parts.uri.path(), &incoming).unwrap_or_else(IntoResponse::into_response)
}

fn serve(shared: &Arc<Shared>, path: &str, request: &Incoming<'_>) -> Result<Response, ApiError> {
    let route = paths::route(path);
    if let Route::Resource(path) = &route {
        return resource(shared, path, request);
    }
    let state = shared.state();
    let registry = &state.registry;
    let document = match route {
        Route::Resource(_) | Route::Unknown => return Err(ApiError::no_such_resource()),
        Route::Version => discovery::version(),
        Route::CoreVersions => discovery::core_versions(registry, &shared.address.to_string()),
        Route::Groups => discovery::groups(registry),
        Route::Group(group) => {
            discovery::group(registry, group).ok_or_else(ApiError::no_such_resource)?
        }
        Route::Resources { group, version } => {
            discovery::resources(registry, group, version).ok_or_else(ApiError::no_such_resource)?
        }
    };
    if request.method == Method::GET {
        Ok(reply(StatusCode::OK, &document))
    } else {
        Err(ApiError::method_not_allowed(request.method.as_str()))
    }
}

fn reply(code: StatusCode, object: &Value) -> Response {
    (code, axum::Json(object)).into_response()
}

/// A write a request asks for, decoded.
enum Write {
    Create(Value),
    Replace(Value),
    Patch(Patch),
    Delete(Value),
}

fn resource(
    shared: &Arc<Shared>,
    path: &ResourcePath<'_>,
    request: &Incoming<'_>,
) -> Result<Response, ApiError> {
    let resource = shared
        .state()
        .registry
        .lookup(path.group, path.version, path.plural)
        .cloned()
        .ok_or_else(ApiError::no_such_resource)?;
    let resource = &resource;
    let misplaced = (path.namespace.is_some() && !resource.namespaced)
        || (path.name.is_some() && resource.namespaced && path.namespace.is_none())
        || (path.status && !resource.status_subresource);
    if misplaced {
        return Err(ApiError::no_such_resource());
    }
    let method = request.method;
    let watching = request.query.flag("watch") && !path.status;
    let write = match (method, path.name) {
        (&Method::GET, name) if watching => {
            return watch(shared, resource, path, name, &request.query);
        }
        (&Method::GET, None) => return list(shared, resource, path.namespace, &request.query),
        (&Method::GET, Some(name)) => {
            let target = Target {
                resource,
                namespace: path.namespace,
                name,
            };
            let object = target.live(&shared.state().store)?;
            return Ok(reply(StatusCode::OK, &resource.render(&object)));
        }
        (&Method::POST, None) if resource.namespaced == path.namespace.is_some() => {
            Write::Create(decode(request)?)
        }
        (&Method::PUT, Some(_)) => Write::Replace(decode(request)?),
        (&Method::PATCH, Some(_)) => {
            let patch = Patch::parse(request.content_type, &request.body)?;
            check_patch_options(&patch, &request.query)?;
            Write::Patch(patch)
        }
        (&Method::DELETE, Some(_)) if !path.status => Write::Delete(if request.body.is_empty() {
            Value::Null
        } else {
            decode(request)?
        }),
        _ => return Err(ApiError::method_not_allowed(method.as_str())),
    };
    let part = Part::of(resource, path.status);
    let manager = manager(request, &write, path.status);
    let manager = &manager;
    let mut state = shared.state();
    let store = &mut state.store;
    // Only creates have no name, and they take none from here.
    let target = Target {
        resource,
        namespace: path.namespace,
        name: path.name.unwrap_or_default(),
    };
    let (code, object) = match write {
        Write::Create(object) => {
            let created = writes::create(store, resource, path.namespace, object, part, manager)?;
            (StatusCode::CREATED, created)
        }
        Write::Replace(object) => (
            StatusCode::OK,
            writes::replace(store, target, object, part, manager)?,
        ),
        Write::Patch(patch) => match writes::patch(
            store,
            target,
            &patch,
            part,
            manager,
            request.query.flag("force"),
        )? {
            (created, true) => (StatusCode::CREATED, created),
            (patched, false) => (StatusCode::OK, patched),
        },
        Write::Delete(options) => (StatusCode::OK, writes::delete(store, target, &options)?),
    };
    if crds::is_crd(resource) {
        crds::sync(&mut state, meta::field(&object, "name"));
    }
    Ok(reply(code, &resource.render(&object)))
}

/// The manager of a write: `fieldManager`, else the client's
/// `User-Agent` up to its first `/` (as the real server names managers).
fn manager(request: &Incoming<'_>, write: &Write, status_path: bool) -> Manager {
    let name = match request.query.get("fieldManager").unwrap_or("") {
        "" => request
            .user_agent
            .split('/')
            .next()
            .filter(|name| !name.is_empty())
            .unwrap_or("unknown"),
        name => name,
    };
    Manager {
        name: name.into(),
        apply: matches!(write, Write::Patch(Patch::Apply(_))),
        subresource: status_path.then(|| "status".into()),
    }
}

/// 422 for the patch options the real server rejects: an apply patch needs
/// `fieldManager`, and only apply patches may `force`.
fn check_patch_options(patch: &Patch, query: &Query) -> Result<(), ApiError> {
    let apply = matches!(patch, Patch::Apply(_));
    let problem = if apply && query.get("fieldManager").unwrap_or("").is_empty() {
        "fieldManager: Required value: is required for apply patch"
    } else if !apply && query.get("force").is_some() {
        "force: Forbidden: may not be specified for non-apply patch"
    } else {
        return Ok(());
    };
    Err(ApiError::invalid(format!(
        "PatchOptions.meta.k8s.io \"\" is invalid: {problem}"
    )))
}

/// The request body: JSON, or YAML if the content type says so.
fn decode(request: &Incoming<'_>) -> Result<Value, ApiError> {
    let decoded = if request.content_type.contains("yaml") {
        serde_yaml_ng::from_slice(&request.body).map_err(|e| e.to_string())
    } else {
        serde_json::from_slice(&request.body).map_err(|e| e.to_string())
    };
    decoded
        .map_err(|error| ApiError::bad_request(format!("the body could not be decoded: {error}")))
}

fn list(
    shared: &Arc<Shared>,
    resource: &ResourceType,
    namespace: Option<&str>,
    query: &Query,
) -> Result<Response, ApiError> {
    let selector = Selector::parse(query.get("labelSelector"), query.get("fieldSelector"))?;
    let state = shared.state();
    let store = &state.store;
    let items: Vec<Value> = store
        .list(&resource.group, &resource.plural, namespace)
        .filter(|object| selector.matches(object))
        .map(|object| resource.render(object))
        .collect();
    Ok(reply(
        StatusCode::OK,
        &json!({
            "apiVersion": resource.api_version(),
            "kind": format!("{}List", resource.kind),
            "metadata": {"resourceVersion": store.resource_version().to_string()},
            "items": items,
        }),
    ))
}

fn watch(
    shared: &Arc<Shared>,
    resource: &ResourceType,
    path: &ResourcePath<'_>,
    name: Option<&str>,
    query: &Query,
) -> Result<Response, ApiError> {
    let mut selector = Selector::parse(query.get("labelSelector"), query.get("fieldSelector"))?;
    if let Some(name) = name {
        selector = selector.with_name(name);
    }
    let send_initial_events = query.flag("sendInitialEvents");
    let start = match query.get("resourceVersion").unwrap_or("") {
        _ if send_initial_events => Start::Now,
        "" | "0" => Start::Now,
        resource_version => Start::After(resource_version.parse().map_err(|_| {
            ApiError::bad_request(format!("invalid resourceVersion: {resource_version:?}"))
        })?),
    };
    let timeout =
        match query.get("timeoutSeconds") {
            None => DEFAULT_WATCH_TIMEOUT,
            Some(seconds) => Duration::from_secs(seconds.parse().map_err(|_| {
                ApiError::bad_request(format!("invalid timeoutSeconds: {seconds:?}"))
            })?),
        };
    let request = WatchRequest {
        resource: resource.clone(),
        namespace: path.namespace.map(str::to_string),
        selector,
        start,
        send_initial_events,
        bookmarks: query.flag("allowWatchBookmarks"),
        timeout,
    };
    let body = Body::from_stream(watch::stream(shared.clone(), request));
    Ok(([(CONTENT_TYPE, "application/json")], body).into_response())
}
