//! Object storage, the global `resourceVersion` counter, the watch history
//! and the live watchers.
//!
//! Objects are stored in their stored form: JSON without `apiVersion` and
//! `kind` (those depend on the version a client asks for), keyed by
//! (group, plural, namespace, name). Every write takes the next
//! `resourceVersion` (one counter for all types), stamps it on the object,
//! appends a [`StoredEvent`] to the history and hands it to every watcher of
//! that (group, plural) — all under the caller's lock, so that a watcher
//! sees events in `resourceVersion` order and none twice or never.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

use serde_json::Value;
use tokio::sync::mpsc;

use crate::status_error::ApiError;

/// Where an object is stored; `namespace` is empty for cluster-scoped types.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct ObjectKey {
    pub group: String,
    pub plural: String,
    pub namespace: String,
    pub name: String,
}

/// What a write did to an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EventType {
    Added,
    Modified,
    Deleted,
}

/// One write, as watchers see it.
#[derive(Debug)]
pub(crate) struct StoredEvent {
    pub resource_version: u64,
    pub event_type: EventType,
    pub group: String,
    pub plural: String,
    /// The object after the write (for `Deleted`: its last state, stamped
    /// with the deletion's `resourceVersion`).
    pub object: Value,
    /// The object before a `Modified` write.
    pub previous: Option<Value>,
}

/// What a watcher receives, in order.
#[derive(Debug)]
pub(crate) enum Delivery {
    Event(Arc<StoredEvent>),
    /// The store's `resourceVersion` when the bookmark was queued: every
    /// event up to it has been delivered before.
    Bookmark(u64),
}

struct Subscriber {
    group: String,
    plural: String,
    sender: mpsc::UnboundedSender<Delivery>,
}

/// All objects, the history and the watchers.
pub(crate) struct Store {
    objects: BTreeMap<ObjectKey, Value>,
    resource_version: u64,
    history: VecDeque<Arc<StoredEvent>>,
    history_limit: usize,
    /// Every event after this `resourceVersion` is in `history`.
    oldest_resumable: u64,
    subscribers: Vec<Subscriber>,
    serial: u64,
}

impl Store {
    /// An empty store keeping at most `history_limit` events.
    pub fn new(history_limit: usize) -> Self {
        Self {
            objects: BTreeMap::new(),
            resource_version: 0,
            history: VecDeque::new(),
            history_limit,
            oldest_resumable: 0,
            subscribers: Vec::new(),
            serial: 0,
        }
    }

    /// The `resourceVersion` of the latest write.
    pub fn resource_version(&self) -> u64 {
        self.resource_version
    }

    /// A number not returned before, for uids and generated names.
    pub fn next_serial(&mut self) -> u64 {
        self.serial += 1;
        self.serial
    }

    pub fn get(&self, key: &ObjectKey) -> Option<&Value> {
        self.objects.get(key)
    }

    /// The objects of (group, plural), in `namespace` if given, ordered by
    /// namespace and name.
    pub fn list<'a>(
        &'a self,
        group: &'a str,
        plural: &'a str,
        namespace: Option<&'a str>,
    ) -> impl Iterator<Item = &'a Value> + 'a {
        self.objects
            .iter()
            .filter(move |(key, _)| {
                key.group == group
                    && key.plural == plural
                    && namespace.is_none_or(|ns| key.namespace == ns)
            })
            .map(|(_, object)| object)
    }

    /// Stores `object` at `key` (`Added` if new, else `Modified`) with the
    /// next `resourceVersion`; returns it as stored.
    pub fn insert(&mut self, key: ObjectKey, mut object: Value) -> Value {
        self.resource_version += 1;
        object["metadata"]["resourceVersion"] = self.resource_version.to_string().into();
        let previous = self.objects.insert(key.clone(), object.clone());
        let event_type = if previous.is_some() {
            EventType::Modified
        } else {
            EventType::Added
        };
        self.record(key, event_type, object.clone(), previous);
        object
    }

    /// Removes the object at `key` with the next `resourceVersion`; returns
    /// its last state, stamped with that `resourceVersion`.
    pub fn remove(&mut self, key: &ObjectKey) -> Option<Value> {
        let mut object = self.objects.remove(key)?;
        self.resource_version += 1;
        object["metadata"]["resourceVersion"] = self.resource_version.to_string().into();
        self.record(key.clone(), EventType::Deleted, object.clone(), None);
        Some(object)
    }

    /// Removes every object of (group, plural), as [`Store::remove`] does.
    pub fn remove_all(&mut self, group: &str, plural: &str) {
        let keys: Vec<ObjectKey> = self
            .objects
            .keys()
            .filter(|key| key.group == group && key.plural == plural)
            .cloned()
            .collect();
        for key in keys {
            self.remove(&key);
        }
    }

    fn record(
        &mut self,
        key: ObjectKey,
        event_type: EventType,
        object: Value,
        previous: Option<Value>,
    ) {
        let event = Arc::new(StoredEvent {
            resource_version: self.resource_version,
            event_type,
            group: key.group,
            plural: key.plural,
            object,
            previous,
        });
        self.history.push_back(event.clone());
        while self.history.len() > self.history_limit {
            if let Some(dropped) = self.history.pop_front() {
                self.oldest_resumable = dropped.resource_version;
            }
        }
        self.subscribers.retain(|s| !s.sender.is_closed());
        for subscriber in &self.subscribers {
            if subscriber.group == event.group && subscriber.plural == event.plural {
                // A send fails only if the watcher went away since `retain`.
                let _ = subscriber.sender.send(Delivery::Event(event.clone()));
            }
        }
    }

    /// The retained events of (group, plural) after `resource_version`, or
    /// 410 `Expired` if some of them are no longer retained.
    pub fn events_since(
        &self,
        group: &str,
        plural: &str,
        resource_version: u64,
    ) -> Result<Vec<Arc<StoredEvent>>, ApiError> {
        if resource_version < self.oldest_resumable {
            return Err(ApiError::expired(resource_version, self.oldest_resumable));
        }
        Ok(self
            .history
            .iter()
            .filter(|e| {
                e.resource_version > resource_version && e.group == group && e.plural == plural
            })
            .cloned()
            .collect())
    }

    /// Hands every later write of (group, plural) to `sender`.
    pub fn subscribe(
        &mut self,
        group: &str,
        plural: &str,
        sender: mpsc::UnboundedSender<Delivery>,
    ) {
        self.subscribers.push(Subscriber {
            group: group.into(),
            plural: plural.into(),
            sender,
        });
    }

    /// Drops the whole history: a watch from before now gets 410 `Expired`.
    pub fn compact(&mut self) {
        self.history.clear();
        self.oldest_resumable = self.resource_version;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn key(name: &str) -> ObjectKey {
        ObjectKey {
            group: String::new(),
            plural: "configmaps".into(),
            namespace: "ns".into(),
            name: name.into(),
        }
    }

    #[test]
    fn writes_bump_one_counter_and_reach_subscribers() {
        let mut store = Store::new(10);
        let (sender, mut receiver) = mpsc::unbounded_channel();
        store.subscribe("", "configmaps", sender);
        let added = store.insert(key("a"), json!({"metadata": {"name": "a"}}));
        assert_eq!(added["metadata"]["resourceVersion"], "1");
        store.insert(key("a"), json!({"metadata": {"name": "a"}, "data": {}}));
        let removed = store.remove(&key("a")).unwrap();
        assert_eq!(removed["metadata"]["resourceVersion"], "3");
        let types: Vec<_> = std::iter::from_fn(|| receiver.try_recv().ok())
            .map(|delivery| match delivery {
                Delivery::Event(event) => (event.event_type, event.previous.is_some()),
                Delivery::Bookmark(_) => panic!("no bookmark was queued"),
            })
            .collect();
        assert_eq!(
            types,
            [
                (EventType::Added, false),
                (EventType::Modified, true),
                (EventType::Deleted, false)
            ]
        );
    }

    #[test]
    fn history_is_bounded_and_compactable() {
        let mut store = Store::new(2);
        for name in ["a", "b", "c"] {
            store.insert(key(name), json!({"metadata": {"name": name}}));
        }
        assert_eq!(
            store.events_since("", "configmaps", 0).unwrap_err().code,
            410
        );
        assert_eq!(store.events_since("", "configmaps", 1).unwrap().len(), 2);
        assert!(store.events_since("", "pods", 1).unwrap().is_empty());
        store.compact();
        assert_eq!(
            store.events_since("", "configmaps", 2).unwrap_err().code,
            410
        );
        assert!(store.events_since("", "configmaps", 3).unwrap().is_empty());
    }
}
