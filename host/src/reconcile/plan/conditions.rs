//! Status conditions derived from a plan: what the controller would write to
//! each Gateway's and route's `status`, with upstream's condition types and
//! reasons, so `plan` shows offline what `kubectl get -o yaml` would.

use serde::Serialize;

use crate::object::{ObjectRef, Problem};
use crate::reconcile::normalize::GatewayListenerStatus;

/// Route `Accepted=False` reasons (upstream `route_controller.go`).
const ACCEPTED_REASONS: &[&str] = &[
    "NoMatchingParent",
    "NoMatchingListenerHostname",
    "NotAllowedByListeners",
    "UnsupportedValue",
    "Conflicted",
    "CertificateNotFound",
];

/// Route `ResolvedRefs=False` reasons (upstream `route_controller.go`).
const RESOLVED_REFS_REASONS: &[&str] = &[
    "InvalidKind",
    "BackendNotFound",
    "InvalidExternalTargetGroup",
    "ConflictingServiceImportAnnotations",
    "ExternalTargetGroupNotFound",
];

/// One status condition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Condition {
    /// `Accepted`, `ResolvedRefs` or `Programmed`.
    #[serde(rename = "type")]
    pub type_: &'static str,
    /// `True` or `False`.
    pub status: &'static str,
    /// Upstream's reason.
    pub reason: String,
    /// For a person; empty when the condition holds.
    pub message: String,
}

impl Condition {
    fn holds(type_: &'static str) -> Self {
        Self {
            type_,
            status: "True",
            reason: type_.to_owned(),
            message: String::new(),
        }
    }

    fn fails(type_: &'static str, problem: &Problem) -> Self {
        Self {
            type_,
            status: "False",
            reason: problem.reason.clone(),
            message: problem.message.clone(),
        }
    }
}

/// The conditions of one object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ObjectStatus {
    /// The cluster the object belongs to.
    pub cluster: String,
    /// The object.
    pub object: ObjectRef,
    /// Its conditions, in upstream's order.
    pub conditions: Vec<Condition>,
    /// A Gateway's `status.listeners` and `status.addresses`; `None` for
    /// other kinds.
    #[serde(flatten)]
    pub gateway: Option<GatewayListenerStatus>,
}

/// The conditions of a Lattice Gateway given its problems: `Accepted` (it is
/// of the Lattice class), `Programmed` (its service network exists; else
/// `Pending`, or the first problem's reason), with its `listeners`.
pub fn gateway_status(
    cluster: &str,
    object: &ObjectRef,
    problems: &[&Problem],
    listeners: Option<GatewayListenerStatus>,
) -> ObjectStatus {
    let programmed = match problems.first() {
        None => Condition::holds("Programmed"),
        Some(problem) => Condition::fails("Programmed", problem),
    };
    ObjectStatus {
        cluster: cluster.to_owned(),
        object: object.clone(),
        conditions: vec![Condition::holds("Accepted"), programmed],
        gateway: listeners,
    }
}

/// The conditions of a route given its problems and whether its Lattice
/// resources were made (`applied`): `Accepted` and `ResolvedRefs` with
/// upstream's reasons, and `Programmed`, true only when applied with no
/// problem other than ResolvedRefs ones (a missing Service backend makes its
/// rule answer 500), else false with the first blocking problem.
pub fn route_status(
    cluster: &str,
    object: &ObjectRef,
    problems: &[&Problem],
    applied: bool,
) -> ObjectStatus {
    let find = |reasons: &[&str]| {
        problems
            .iter()
            .find(|problem| reasons.contains(&problem.reason.as_str()))
    };
    let accepted = find(ACCEPTED_REASONS).map_or_else(
        || Condition::holds("Accepted"),
        |p| Condition::fails("Accepted", p),
    );
    let resolved = find(RESOLVED_REFS_REASONS).map_or_else(
        || Condition::holds("ResolvedRefs"),
        |p| Condition::fails("ResolvedRefs", p),
    );
    let blocking = problems
        .iter()
        .find(|problem| !applied || !RESOLVED_REFS_REASONS.contains(&problem.reason.as_str()));
    let programmed = blocking.map_or_else(
        || Condition::holds("Programmed"),
        |p| Condition::fails("Programmed", p),
    );
    ObjectStatus {
        cluster: cluster.to_owned(),
        object: object.clone(),
        conditions: vec![accepted, resolved, programmed],
        gateway: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::object::Kind;

    fn problem(reason: &str) -> Problem {
        Problem {
            cluster: "c".into(),
            object: ObjectRef::new(Kind::HttpRoute, "default", "rates"),
            field: None,
            reason: reason.into(),
            message: format!("{reason} happened"),
            plugin: None,
            lattice_error: None,
        }
    }

    fn summary(status: &ObjectStatus) -> Vec<String> {
        status
            .conditions
            .iter()
            .map(|c| format!("{}={}/{}", c.type_, c.status, c.reason))
            .collect()
    }

    #[test]
    fn a_clean_route_is_accepted_resolved_and_programmed() {
        let status = route_status(
            "c",
            &ObjectRef::new(Kind::HttpRoute, "default", "rates"),
            &[],
            true,
        );
        assert_eq!(
            summary(&status),
            [
                "Accepted=True/Accepted",
                "ResolvedRefs=True/ResolvedRefs",
                "Programmed=True/Programmed"
            ]
        );
    }

    #[test]
    fn reasons_land_on_upstreams_condition_types() {
        let object = ObjectRef::new(Kind::HttpRoute, "default", "rates");
        let missing = problem("BackendNotFound");
        let parent = problem("NoMatchingParent");
        let plugin = problem("PluginTrapped");
        let cases = [
            (
                &missing,
                true,
                "a missing Service backend answers 500 but the route is made",
                [
                    "Accepted=True/Accepted",
                    "ResolvedRefs=False/BackendNotFound",
                    "Programmed=True/Programmed",
                ],
            ),
            (
                &parent,
                false,
                "no parent",
                [
                    "Accepted=False/NoMatchingParent",
                    "ResolvedRefs=True/ResolvedRefs",
                    "Programmed=False/NoMatchingParent",
                ],
            ),
            (
                &missing,
                false,
                "an unresolved import keeps the route from being made",
                [
                    "Accepted=True/Accepted",
                    "ResolvedRefs=False/BackendNotFound",
                    "Programmed=False/BackendNotFound",
                ],
            ),
            (
                &plugin,
                false,
                "a plugin failure",
                [
                    "Accepted=True/Accepted",
                    "ResolvedRefs=True/ResolvedRefs",
                    "Programmed=False/PluginTrapped",
                ],
            ),
        ];
        for (problem, applied, case, expected) in cases {
            assert_eq!(
                summary(&route_status("c", &object, &[problem], applied)),
                expected,
                "{case}"
            );
        }
    }

    #[test]
    fn a_gateway_without_its_network_is_pending() {
        let object = ObjectRef::new(Kind::Gateway, "default", "my-gateway");
        let pending = problem("Pending");
        assert_eq!(
            summary(&gateway_status("c", &object, &[&pending], None)),
            ["Accepted=True/Accepted", "Programmed=False/Pending"]
        );
    }
}
