//! The write verbs over the [`Store`], with the API's rules:
//!
//! - create: 409 `AlreadyExists` if present; the server sets `uid`,
//!   `creationTimestamp`, `generation: 1` and `resourceVersion`, takes the
//!   namespace from the path (400 if the body names another) and completes
//!   `generateName`.
//! - replace and patch: 404 if absent; a `metadata.resourceVersion` (or
//!   `uid`) in the written object that differs from the live one is 409
//!   `Conflict`; server-managed metadata keeps its live values.
//! - `/status` writes change only `.status`; main-resource writes of a type
//!   with a status subresource keep the live `.status` (and creates drop
//!   the written one).
//! - `generation` grows by one when anything outside `metadata` and
//!   `status` changes; a write that changes nothing is answered with the
//!   live object and neither bumps `resourceVersion` nor reaches watchers.
//! - No new finalizer may be added to an object being deleted (422); when a
//!   write leaves such an object without finalizers, it is removed instead.
//! - Field ownership (`ownership`): server-side apply merges by the schema
//!   and the owners in `metadata.managedFields` (409 `Conflict` for fields
//!   of other managers without `force`); every other write moves the fields
//!   it changes to its manager. Clients cannot write `managedFields`.
//! - delete: an object with finalizers gets `deletionTimestamp` (and
//!   `deletionGracePeriodSeconds: 0`, `generation` + 1) and stays; one
//!   without is removed.

use serde_json::Value;

use crate::managed_fields::Manager;
use crate::meta;
use crate::ownership;
use crate::patch::Patch;
use crate::resources::ResourceType;
use crate::status_error::ApiError;
use crate::store::{ObjectKey, Store};

/// The part of an object a write may change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Part {
    /// Everything (types without a status subresource, and test setup).
    Whole,
    /// Everything but `.status`.
    Main,
    /// Only `.status`.
    Status,
}

impl Part {
    /// What a request through the main resource (or, if `status_path`,
    /// through `/status`) of `resource` may write.
    pub fn of(resource: &ResourceType, status_path: bool) -> Self {
        if status_path {
            Self::Status
        } else if resource.status_subresource {
            Self::Main
        } else {
            Self::Whole
        }
    }

    /// Whether a write of this part may change the top-level field `name`.
    fn covers(self, name: &str) -> bool {
        match self {
            Self::Whole => true,
            Self::Main => name != "status",
            Self::Status => name == "status",
        }
    }
}

/// An object named by a request. `namespace` is `Some` exactly for
/// namespaced types.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Target<'a> {
    pub resource: &'a ResourceType,
    pub namespace: Option<&'a str>,
    pub name: &'a str,
}

impl Target<'_> {
    fn key(&self) -> ObjectKey {
        key(self.resource, self.namespace, self.name)
    }

    fn not_found(&self) -> ApiError {
        ApiError::not_found(&self.resource.group_resource(), self.name)
    }

    /// The live object, or 404.
    pub fn live(&self, store: &Store) -> Result<Value, ApiError> {
        store
            .get(&self.key())
            .cloned()
            .ok_or_else(|| self.not_found())
    }
}

fn key(resource: &ResourceType, namespace: Option<&str>, name: &str) -> ObjectKey {
    ObjectKey {
        group: resource.group.clone(),
        plural: resource.plural.clone(),
        namespace: namespace.unwrap_or_default().into(),
        name: name.into(),
    }
}

/// `object` in stored form, or 400 if it is not a JSON object.
fn stored_form(object: Value) -> Result<Value, ApiError> {
    let Value::Object(mut fields) = object else {
        return Err(ApiError::bad_request("the object must be a JSON object"));
    };
    meta::normalize(&mut fields);
    Ok(Value::Object(fields))
}

/// Creates `object` of `resource` in `namespace` (`Some` exactly for
/// namespaced types), owned by `manager`; returns it as stored.
pub(crate) fn create(
    store: &mut Store,
    resource: &ResourceType,
    namespace: Option<&str>,
    object: Value,
    part: Part,
    manager: &Manager,
) -> Result<Value, ApiError> {
    let mut object = stored_form(object)?;
    set_namespace(&mut object, namespace)?;
    meta::clear_server_fields(&mut object);
    if part == Part::Main
        && let Some(fields) = object.as_object_mut()
    {
        fields.remove("status");
    }
    let name = match meta::field(&object, "name") {
        "" => {
            let prefix = meta::field(&object, "generateName").to_string();
            if prefix.is_empty() {
                return Err(ApiError::invalid(
                    "metadata.name: Required value: name or generateName is required",
                ));
            }
            loop {
                let name = meta::generated_name(&prefix, store.next_serial());
                if store.get(&key(resource, namespace, &name)).is_none() {
                    break name;
                }
            }
        }
        name => name.to_string(),
    };
    let key = key(resource, namespace, &name);
    if store.get(&key).is_some() {
        return Err(ApiError::already_exists(&resource.group_resource(), &name));
    }
    let serial = store.next_serial();
    let metadata = &mut object["metadata"];
    metadata["name"] = name.into();
    metadata["uid"] = meta::uid(serial).into();
    metadata["creationTimestamp"] = meta::now().into();
    metadata["generation"] = 1.into();
    ownership::record_update(None, &mut object, manager, resource);
    Ok(store.insert(key, object))
}

/// Replaces the object at `target` with `object` (only the `part` it may
/// write) for `manager`; returns it as stored.
pub(crate) fn replace(
    store: &mut Store,
    target: Target<'_>,
    object: Value,
    part: Part,
    manager: &Manager,
) -> Result<Value, ApiError> {
    let live = target.live(store)?;
    let written = stored_form(object)?;
    update(store, target, live, written, part, Some(manager))
}

/// Patches the object at `target` (only the `part` it may write) for
/// `manager` (`force`: an apply takes fields other managers own); returns
/// it as stored and whether it was created (an apply patch of a missing
/// object through the main resource creates it).
pub(crate) fn patch(
    store: &mut Store,
    target: Target<'_>,
    patch: &Patch,
    part: Part,
    manager: &Manager,
    force: bool,
) -> Result<(Value, bool), ApiError> {
    let Some(live) = store.get(&target.key()).cloned() else {
        return match (patch, part) {
            (Patch::Apply(applied), Part::Main | Part::Whole) => {
                let mut object = stored_form(applied.clone())?;
                if meta::field(&object, "name").is_empty() {
                    object["metadata"]["name"] = target.name.into();
                }
                check_name(target, &object)?;
                create(
                    store,
                    target.resource,
                    target.namespace,
                    object,
                    part,
                    manager,
                )
                .map(|created| (created, true))
            }
            _ => Err(target.not_found()),
        };
    };
    if let Patch::Apply(config) = patch {
        let config = stored_form(config.clone())?;
        check_name(target, &config).or_else(|error| {
            // An applied configuration may leave the name out.
            if meta::field(&config, "name").is_empty() {
                Ok(())
            } else {
                Err(error)
            }
        })?;
        let expected = meta::field(&config, "resourceVersion");
        if !expected.is_empty() && expected != meta::field(&live, "resourceVersion") {
            return Err(ApiError::conflict(
                &target.resource.group_resource(),
                target.name,
            ));
        }
        let merged = ownership::apply(&live, &config, manager, force, target.resource, |name| {
            part.covers(name)
        })?;
        return update(store, target, live, merged, part, None).map(|updated| (updated, false));
    }
    let patched = patch.apply_to(&target.resource.render(&live))?;
    let written = stored_form(patched)?;
    update(store, target, live, written, part, Some(manager)).map(|updated| (updated, false))
}

/// Deletes the object at `target`, honouring `options.preconditions`
/// (`uid`, `resourceVersion`); returns its last state.
pub(crate) fn delete(
    store: &mut Store,
    target: Target<'_>,
    options: &Value,
) -> Result<Value, ApiError> {
    let live = target.live(store)?;
    for field in ["uid", "resourceVersion"] {
        if let Some(expected) = options["preconditions"][field].as_str()
            && expected != meta::field(&live, field)
        {
            return Err(ApiError::conflict(
                &target.resource.group_resource(),
                target.name,
            ));
        }
    }
    if meta::finalizers(&live).is_empty() {
        return store
            .remove(&target.key())
            .ok_or_else(|| target.not_found());
    }
    if meta::is_deleting(&live) {
        return Ok(live);
    }
    let mut next = live;
    let generation = meta::generation(&next) + 1;
    let metadata = &mut next["metadata"];
    metadata["deletionTimestamp"] = meta::now().into();
    metadata["deletionGracePeriodSeconds"] = 0.into();
    metadata["generation"] = generation.into();
    Ok(store.insert(target.key(), next))
}

/// Writes `written` (stored form) over `live` at `target`: for `manager`'s
/// update, or (`None`) a server-side apply whose `written` carries the new
/// `managedFields`.
fn update(
    store: &mut Store,
    target: Target<'_>,
    live: Value,
    mut written: Value,
    part: Part,
    manager: Option<&Manager>,
) -> Result<Value, ApiError> {
    check_name(target, &written)?;
    set_namespace(&mut written, target.namespace)?;
    for field in ["resourceVersion", "uid"] {
        let expected = meta::field(&written, field);
        if !expected.is_empty() && expected != meta::field(&live, field) {
            return Err(ApiError::conflict(
                &target.resource.group_resource(),
                target.name,
            ));
        }
    }
    let owners = written["metadata"].get("managedFields").cloned();
    let mut next = match part {
        Part::Status => with_status_of(live.clone(), &written),
        Part::Main => with_status_of(written, &live),
        Part::Whole => written,
    };
    meta::keep_server_fields(&mut next, &live);
    match manager {
        Some(manager) => {
            meta::set_managed_fields(&mut next, live["metadata"].get("managedFields").cloned());
            ownership::record_update(Some(&live), &mut next, manager, target.resource);
        }
        None => meta::set_managed_fields(&mut next, owners),
    }
    if meta::is_deleting(&live) {
        let before = meta::finalizers(&live);
        if meta::finalizers(&next).iter().any(|f| !before.contains(f)) {
            return Err(ApiError::invalid(
                "metadata.finalizers: Forbidden: no new finalizers can be added if the object \
                 is being deleted",
            ));
        }
    }
    if meta::spec_differs(&live, &next) {
        next["metadata"]["generation"] = (meta::generation(&live) + 1).into();
    }
    if next == live {
        return Ok(live);
    }
    if meta::is_deleting(&next) && meta::finalizers(&next).is_empty() {
        // As in the real server, the write is not stored: the live object
        // is deleted (the DELETED event shows its last stored state).
        return store
            .remove(&target.key())
            .ok_or_else(|| target.not_found());
    }
    Ok(store.insert(target.key(), next))
}

/// `object` with the `.status` of `source` (none if `source` has none).
fn with_status_of(mut object: Value, source: &Value) -> Value {
    if let Some(fields) = object.as_object_mut() {
        match source.get("status") {
            Some(status) => fields.insert("status".into(), status.clone()),
            None => fields.remove("status"),
        };
    }
    object
}

/// 400 unless `object` is named like `target`.
fn check_name(target: Target<'_>, object: &Value) -> Result<(), ApiError> {
    let name = meta::field(object, "name");
    if name == target.name {
        Ok(())
    } else {
        Err(ApiError::bad_request(format!(
            "the name of the object ({name}) does not match the name on the URL ({})",
            target.name
        )))
    }
}

/// Puts `object` (stored form) in `namespace` (`Some` exactly for
/// namespaced types): 400 if it names another one.
fn set_namespace(object: &mut Value, namespace: Option<&str>) -> Result<(), ApiError> {
    let written = meta::field(object, "namespace");
    match namespace {
        Some(namespace) if written.is_empty() || written == namespace => {
            object["metadata"]["namespace"] = namespace.into();
            Ok(())
        }
        Some(_) => Err(ApiError::bad_request(
            "the namespace of the provided object does not match the namespace sent on the \
             request",
        )),
        None => {
            if let Some(metadata) = object["metadata"].as_object_mut() {
                metadata.remove("namespace");
            }
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn target(resource: &ResourceType) -> Target<'_> {
        Target {
            resource,
            namespace: Some("ns"),
            name: "a",
        }
    }

    fn gateway() -> ResourceType {
        ResourceType::namespaced("gateway.networking.k8s.io", "v1", "Gateway", "gateways")
            .with_status()
    }

    #[test]
    fn create_sets_server_fields_and_drops_status() {
        let mut store = Store::new(100);
        let gateways = gateway();
        let created = create(
            &mut store,
            &gateways,
            Some("ns"),
            json!({"metadata": {"name": "a", "resourceVersion": "9"}, "spec": {}, "status": {"x": 1}}),
            Part::Main,
            &Manager::setup(),
        )
        .unwrap();
        assert_eq!(created["metadata"]["namespace"], "ns");
        assert_eq!(created["metadata"]["generation"], 1);
        assert_eq!(created["metadata"]["resourceVersion"], "1");
        assert!(created["metadata"]["uid"].is_string());
        assert!(created.get("status").is_none());
        let again = create(
            &mut store,
            &gateways,
            Some("ns"),
            json!({"metadata": {"name": "a"}}),
            Part::Main,
            &Manager::setup(),
        );
        assert_eq!(again.unwrap_err().reason, "AlreadyExists");
        let elsewhere = create(
            &mut store,
            &gateways,
            Some("ns"),
            json!({"metadata": {"name": "b", "namespace": "other"}}),
            Part::Main,
            &Manager::setup(),
        );
        assert_eq!(elsewhere.unwrap_err().code, 400);
        let generated = create(
            &mut store,
            &gateways,
            Some("ns"),
            json!({"metadata": {"generateName": "gw-"}}),
            Part::Main,
            &Manager::setup(),
        )
        .unwrap();
        assert!(meta::field(&generated, "name").starts_with("gw-"));
    }

    #[test]
    fn updates_bump_generation_on_spec_only_and_skip_no_ops() {
        let mut store = Store::new(100);
        let gateways = gateway();
        create(
            &mut store,
            &gateways,
            Some("ns"),
            json!({"metadata": {"name": "a"}, "spec": {"x": 1}}),
            Part::Main,
            &Manager::setup(),
        )
        .unwrap();
        let status = Patch::Merge(json!({"status": {"ready": true}}));
        let (main, _) = patch(
            &mut store,
            target(&gateways),
            &status,
            Part::Main,
            &Manager::setup(),
            false,
        )
        .unwrap();
        assert_eq!(main["metadata"]["resourceVersion"], "1");
        assert!(main.get("status").is_none());
        let (with_status, _) = patch(
            &mut store,
            target(&gateways),
            &status,
            Part::Status,
            &Manager::setup(),
            false,
        )
        .unwrap();
        assert_eq!(with_status["status"]["ready"], true);
        assert_eq!(with_status["metadata"]["generation"], 1);
        let spec = Patch::Merge(json!({"spec": {"x": 2}, "metadata": {"labels": {"l": "v"}}}));
        let (changed, _) = patch(
            &mut store,
            target(&gateways),
            &spec,
            Part::Main,
            &Manager::setup(),
            false,
        )
        .unwrap();
        assert_eq!(changed["metadata"]["generation"], 2);
        assert_eq!(changed["status"]["ready"], true);
        let stale = json!({"metadata": {"name": "a", "resourceVersion": "1"}, "spec": {}});
        let conflict = replace(
            &mut store,
            target(&gateways),
            stale,
            Part::Main,
            &Manager::setup(),
        )
        .unwrap_err();
        assert_eq!(conflict.reason, "Conflict");
    }

    #[test]
    fn finalizers_hold_deletion_until_removed() {
        let mut store = Store::new(100);
        let gateways = gateway();
        create(
            &mut store,
            &gateways,
            Some("ns"),
            json!({"metadata": {"name": "a", "finalizers": ["f"]}}),
            Part::Main,
            &Manager::setup(),
        )
        .unwrap();
        let deleting = delete(&mut store, target(&gateways), &Value::Null).unwrap();
        assert!(meta::is_deleting(&deleting));
        assert_eq!(deleting["metadata"]["generation"], 2);
        let add = Patch::Merge(json!({"metadata": {"finalizers": ["f", "g"]}}));
        let refused = patch(
            &mut store,
            target(&gateways),
            &add,
            Part::Main,
            &Manager::setup(),
            false,
        )
        .unwrap_err();
        assert_eq!(refused.code, 422);
        let remove = Patch::Merge(json!({"metadata": {"finalizers": null}}));
        patch(
            &mut store,
            target(&gateways),
            &remove,
            Part::Main,
            &Manager::setup(),
            false,
        )
        .unwrap();
        assert!(store.get(&target(&gateways).key()).is_none());
        let missing = delete(&mut store, target(&gateways), &Value::Null).unwrap_err();
        assert_eq!(missing.code, 404);
    }
}
