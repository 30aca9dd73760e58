//! Watches: newline-delimited JSON events, `{"type":...,"object":...}`.
//!
//! - Started at the current state (no `resourceVersion`, `"0"`, or
//!   `sendInitialEvents=true`): an `ADDED` event per matching object, then,
//!   with `sendInitialEvents=true` and `allowWatchBookmarks=true`, a
//!   `BOOKMARK` annotated `k8s.io/initial-events-end: "true"`, then live
//!   events.
//! - Resumed from `resourceVersion` N: every retained event after N, then
//!   live events; if events after N are no longer retained, one `ERROR`
//!   event (a `Status` with code 410, reason `Expired`) and the end.
//! - Namespace and selectors filter events as the real watch cache does: a
//!   modification that makes an object match is `ADDED`, one that makes it
//!   stop matching is `DELETED`.
//! - With `allowWatchBookmarks=true`, a `BOOKMARK` (apiVersion, kind and
//!   `metadata.resourceVersion` only) every bookmark interval; its
//!   `resourceVersion` is never ahead of the events already sent.
//! - The stream ends after `timeoutSeconds` or when the server shuts down.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use futures::Stream;
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio::time::{Instant, Interval, MissedTickBehavior};

use crate::resources::ResourceType;
use crate::selector::Selector;
use crate::server::Shared;
use crate::store::{Delivery, EventType, StoredEvent};

/// Where a watch starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Start {
    /// At the current state, with an `ADDED` event per object.
    Now,
    /// After this `resourceVersion`.
    After(u64),
}

/// A watch request.
#[derive(Debug, Clone)]
pub(crate) struct WatchRequest {
    /// The version whose apiVersion and kind events carry.
    pub resource: ResourceType,
    /// Only objects in this namespace, if given.
    pub namespace: Option<String>,
    pub selector: Selector,
    pub start: Start,
    /// Mark the end of the initial events with a bookmark.
    pub send_initial_events: bool,
    /// Send bookmarks.
    pub bookmarks: bool,
    /// When the stream ends.
    pub timeout: Duration,
}

/// Which events a watch sends, and how.
struct Filter {
    resource: ResourceType,
    namespace: Option<String>,
    selector: Selector,
}

impl Filter {
    fn in_scope(&self, object: &Value) -> bool {
        self.namespace
            .as_deref()
            .is_none_or(|ns| object["metadata"]["namespace"].as_str() == Some(ns))
            && self.selector.matches(object)
    }

    /// The line for `event`, if this watch sees it.
    fn event_line(&self, event: &StoredEvent) -> Option<Bytes> {
        let now = self.in_scope(&event.object);
        let event_type = match event.event_type {
            EventType::Added => now.then_some("ADDED"),
            EventType::Deleted => now.then_some("DELETED"),
            EventType::Modified => {
                let before = event.previous.as_ref().is_some_and(|p| self.in_scope(p));
                match (before, now) {
                    (true, true) => Some("MODIFIED"),
                    (false, true) => Some("ADDED"),
                    (true, false) => Some("DELETED"),
                    (false, false) => None,
                }
            }
        }?;
        Some(self.object_line(event_type, &event.object))
    }

    fn object_line(&self, event_type: &str, object: &Value) -> Bytes {
        line(&json!({"type": event_type, "object": self.resource.render(object)}))
    }

    fn bookmark_line(&self, resource_version: u64, initial_events_end: bool) -> Bytes {
        let mut metadata = json!({"resourceVersion": resource_version.to_string()});
        if initial_events_end {
            metadata["annotations"] = json!({"k8s.io/initial-events-end": "true"});
        }
        line(&json!({
            "type": "BOOKMARK",
            "object": {
                "apiVersion": self.resource.api_version(),
                "kind": self.resource.kind,
                "metadata": metadata,
            },
        }))
    }
}

fn line(event: &Value) -> Bytes {
    let mut bytes = event.to_string().into_bytes();
    bytes.push(b'\n');
    Bytes::from(bytes)
}

/// A running watch: lines ready to send, then deliveries from the store.
struct Watch {
    shared: Arc<Shared>,
    filter: Filter,
    ready: VecDeque<Bytes>,
    /// `None` once the watch only has `ready` left to send.
    receiver: Option<mpsc::UnboundedReceiver<Delivery>>,
    /// This watch's own sender, to queue bookmarks behind pending events.
    sender: mpsc::UnboundedSender<Delivery>,
    bookmarks: Option<Interval>,
    deadline: Instant,
}

/// What woke a watch up.
enum Wake {
    Delivery(Option<Delivery>),
    BookmarkDue,
    End,
}

/// The event lines of `request`, registered with the store at once (so no
/// write is missed or sent twice).
pub(crate) fn stream(
    shared: Arc<Shared>,
    request: WatchRequest,
) -> impl Stream<Item = Result<Bytes, Infallible>> + Send + 'static {
    let filter = Filter {
        resource: request.resource,
        namespace: request.namespace,
        selector: request.selector,
    };
    let (sender, receiver) = mpsc::unbounded_channel();
    let mut ready = VecDeque::new();
    let mut receiver = Some(receiver);
    {
        let mut state = shared.state();
        let store = &mut state.store;
        let (group, plural) = (&filter.resource.group, &filter.resource.plural);
        match request.start {
            Start::Now => {
                for object in store.list(group, plural, filter.namespace.as_deref()) {
                    if filter.selector.matches(object) {
                        ready.push_back(filter.object_line("ADDED", object));
                    }
                }
                if request.send_initial_events && request.bookmarks {
                    ready.push_back(filter.bookmark_line(store.resource_version(), true));
                }
            }
            Start::After(resource_version) => {
                match store.events_since(group, plural, resource_version) {
                    Ok(events) => ready.extend(events.iter().filter_map(|e| filter.event_line(e))),
                    Err(expired) => {
                        ready
                            .push_back(line(&json!({"type": "ERROR", "object": expired.status()})));
                        receiver = None;
                    }
                }
            }
        }
        if receiver.is_some() {
            store.subscribe(group, plural, sender.clone());
        }
    }
    let bookmarks = request.bookmarks.then(|| {
        let period = shared.bookmark_interval;
        let mut interval = tokio::time::interval_at(Instant::now() + period, period);
        interval.set_missed_tick_behavior(MissedTickBehavior::Delay);
        interval
    });
    let watch = Watch {
        shared,
        filter,
        ready,
        receiver,
        sender,
        bookmarks,
        deadline: Instant::now() + request.timeout,
    };
    futures::stream::unfold(watch, |mut watch| async move {
        let line = watch.next_line().await?;
        Some((Ok(line), watch))
    })
}

impl Watch {
    /// The next line to send, or `None` at the end.
    async fn next_line(&mut self) -> Option<Bytes> {
        loop {
            if let Some(line) = self.ready.pop_front() {
                return Some(line);
            }
            let receiver = self.receiver.as_mut()?;
            let bookmarks = &mut self.bookmarks;
            let mut shutdown = self.shared.shutdown.clone();
            let wake = tokio::select! {
                delivery = receiver.recv() => Wake::Delivery(delivery),
                () = async {
                    match bookmarks {
                        Some(interval) => {
                            interval.tick().await;
                        }
                        None => std::future::pending().await,
                    }
                } => Wake::BookmarkDue,
                () = tokio::time::sleep_until(self.deadline) => Wake::End,
                _ = shutdown.wait_for(|stopping| *stopping) => Wake::End,
            };
            match wake {
                Wake::Delivery(Some(Delivery::Event(event))) => {
                    self.ready.extend(self.filter.event_line(&event));
                }
                Wake::Delivery(Some(Delivery::Bookmark(resource_version))) => {
                    self.ready
                        .push_back(self.filter.bookmark_line(resource_version, false));
                }
                Wake::BookmarkDue => {
                    // Queued under the store lock, behind every event the
                    // store handed this watch so far.
                    let state = self.shared.state();
                    // The receiver is ours and open: the send cannot fail.
                    let _ = self
                        .sender
                        .send(Delivery::Bookmark(state.store.resource_version()));
                }
                Wake::Delivery(None) | Wake::End => return None,
            }
        }
    }
}
