//! Who may change the listeners and rules of a service a route manages.
//!
//! The rule (stated in the README's "Ownership" section and in
//! docs/compatibility.md):
//! - A listener or rule tagged `ManagedBy` this controller (or the
//!   controller the route's `allow-takeover-from` names, which the route
//!   takes over) is the route's: updated, replaced or deleted as the route
//!   says.
//! - A listener or rule tagged `ManagedBy` another owner is never modified
//!   or deleted. When it sits where the route needs one — a listener on a
//!   port the route listens on, a rule at a priority a rule of the route
//!   takes on that listener — the route gets a `Conflicted` problem and no
//!   call is made for it.
//! - An untagged listener or rule (made by hand, or by a tool that does not
//!   tag) is never deleted. It is adopted (tagged, its action updated) only
//!   where it is exactly what the route asks for: a listener on the route's
//!   port with the route's protocol, a rule on such a listener at a
//!   priority the route wants with the same match. An untagged one in the
//!   route's way otherwise (same port with another protocol, same priority
//!   with another match) is a `Conflicted` problem; elsewhere it is left
//!   alone and keeps serving.

use crate::lattice::model::{Listener, Rule, Tags};
use crate::lattice::{Lattice, LatticeError};
use crate::reconcile::translate::desired::{DesiredListener, DesiredRoute, DesiredRule};

use super::tags;

/// Whose a listener or rule is, as seen by one route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Holder<'a> {
    /// This controller's, or the one the route takes over from.
    Route,
    /// Nobody's: no `ManagedBy` tag.
    Untagged,
    /// Another owner's, by its `ManagedBy` value.
    Other(&'a str),
}

/// The owners a route acts for: this controller, and the controller its
/// `allow-takeover-from` annotation names.
#[derive(Debug, Clone, Copy)]
pub(super) struct Owners<'a> {
    own: Option<&'a str>,
    taking_over: Option<&'a str>,
}

impl<'a> Owners<'a> {
    /// The owners `desired` acts for (its service's `ManagedBy` tag).
    pub(super) fn of(desired: &'a DesiredRoute) -> Self {
        Self {
            own: tags::managed_by(&desired.service.tags),
            taking_over: desired.allow_takeover_from.as_deref(),
        }
    }

    /// Whose a resource with `tags` is.
    pub(super) fn holder<'t>(&self, tags: &'t Tags) -> Holder<'t> {
        match tags::managed_by(tags) {
            None => Holder::Untagged,
            Some(owner) if Some(owner) == self.own || Some(owner) == self.taking_over => {
                Holder::Route
            }
            Some(owner) => Holder::Other(owner),
        }
    }

    /// Whether the route may delete a resource with `tags`: only its own.
    pub(super) fn may_delete(&self, tags: &Tags) -> bool {
        self.holder(tags) == Holder::Route
    }

    /// Whether the route may use `listener` for `desired` (same port): its
    /// own, or an untagged one with the same protocol (adopted).
    pub(super) fn may_use_listener(&self, listener: &Listener, desired: &DesiredListener) -> bool {
        match self.holder(&listener.tags) {
            Holder::Route => true,
            Holder::Untagged => listener.protocol == desired.protocol,
            Holder::Other(_) => false,
        }
    }

    /// Whether `rule` (on a listener the route uses) is the route's to
    /// manage: its own, or an untagged one at the priority of a desired rule
    /// with the same match (adopted).
    pub(super) fn manages_rule(&self, rule: &Rule, desired: &[DesiredRule]) -> bool {
        match self.holder(&rule.tags) {
            Holder::Route => true,
            Holder::Untagged => desired
                .iter()
                .any(|wanted| wanted.priority == rule.priority && wanted.match_ == rule.match_),
            Holder::Other(_) => false,
        }
    }
}

/// Why `listener` (on `desired`'s port) cannot be the route's, if it cannot.
fn listener_conflict(
    owners: Owners<'_>,
    listener: &Listener,
    desired: &DesiredListener,
) -> Option<String> {
    if owners.may_use_listener(listener, desired) {
        return None;
    }
    Some(match owners.holder(&listener.tags) {
        Holder::Other(owner) => format!(
            "listener on port {} is managed by {owner}: {}",
            listener.port, listener.arn
        ),
        _ => format!(
            "untagged listener on port {} has protocol {}, the route needs {}: {}",
            listener.port, listener.protocol, desired.protocol, listener.arn
        ),
    })
}

/// Why a rule the route does not manage holds a priority it needs, if one
/// does.
fn rule_conflict(owners: Owners<'_>, rules: &[Rule], listener: &DesiredListener) -> Option<String> {
    let foreign = rules
        .iter()
        .filter(|rule| !owners.manages_rule(rule, &listener.rules));
    for rule in foreign {
        if !listener.rules.iter().any(|d| d.priority == rule.priority) {
            continue;
        }
        let whose = match owners.holder(&rule.tags) {
            Holder::Other(owner) => format!("a rule managed by {owner}"),
            _ => "an untagged rule with another match".to_owned(),
        };
        return Some(format!(
            "priority {} on port {} is held by {whose}: {}",
            rule.priority, listener.port, rule.arn
        ));
    }
    None
}

/// The first conflict between `desired` and the listeners and rules of its
/// existing service `service_id` that it may not touch (see the module
/// doc), as a message naming the resource; `None` when the route may go on.
/// Read only.
pub async fn route_conflict(
    lattice: &dyn Lattice,
    service_id: &str,
    desired: &DesiredRoute,
) -> Result<Option<String>, LatticeError> {
    let owners = Owners::of(desired);
    let listeners = lattice.list_listeners(service_id).await?;
    for wanted in &desired.listeners {
        let Some(listener) = listeners.iter().find(|l| l.port == wanted.port) else {
            continue;
        };
        if let Some(conflict) = listener_conflict(owners, listener, wanted) {
            return Ok(Some(conflict));
        }
        if owners.holder(&listener.tags) == Holder::Route && listener.protocol != wanted.protocol {
            // The route's own listener is replaced, its rules with it.
            continue;
        }
        let rules = lattice.list_rules(service_id, &listener.id).await?;
        if let Some(conflict) = rule_conflict(owners, &rules, wanted) {
            return Ok(Some(conflict));
        }
    }
    Ok(None)
}
