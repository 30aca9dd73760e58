//! Which objects a policy entry applies to.

use std::collections::BTreeMap;

use globset::{Glob, GlobSet, GlobSetBuilder};
use kube::core::{Expression, SelectorExt};

use super::location::Problem;
use super::raw::{RawLabelSelector, RawMatch};
use crate::object::Kind;
use crate::plugin::Subject;
use crate::plugin::bindings::types::KeyValue;

/// The object kinds Trellis gives plugins, as `match.kinds` names them.
/// `Cluster` is a cluster's default service network.
pub const KINDS: [Kind; 11] = [
    Kind::Gateway,
    Kind::HttpRoute,
    Kind::GrpcRoute,
    Kind::TlsRoute,
    Kind::ServiceExport,
    Kind::ServiceNetwork,
    Kind::Cluster,
    Kind::TargetGroupPolicy,
    Kind::VpcAssociationPolicy,
    Kind::AccessLogPolicy,
    Kind::IamAuthPolicy,
];

/// Which objects a policy entry applies to (its `[plugin.match]`).
///
/// Every condition given must hold; an omitted one holds for every object,
/// so [`Selector::default`] matches everything. `namespaces` and
/// `namespace_selector` never match a cluster-scoped subject (empty
/// namespace), whatever they say.
#[derive(Debug, Clone, Default)]
pub struct Selector {
    kinds: Option<Vec<Kind>>,
    namespaces: Option<GlobSet>,
    names: Option<GlobSet>,
    namespace_labels: Option<kube::core::Selector>,
    labels: Option<kube::core::Selector>,
}

impl Selector {
    /// Whether `subject` meets every condition of this selector. Kinds
    /// compare exactly; globs match the whole name, case-sensitively.
    pub fn matches(&self, subject: &Subject<'_>) -> bool {
        let namespaced = !subject.namespace.is_empty();
        self.kinds
            .as_ref()
            .is_none_or(|kinds| kinds.iter().any(|kind| kind.as_str() == subject.kind))
            && self
                .namespaces
                .as_ref()
                .is_none_or(|globs| namespaced && globs.is_match(subject.namespace))
            && self
                .names
                .as_ref()
                .is_none_or(|globs| globs.is_match(subject.name))
            && self.namespace_labels.as_ref().is_none_or(|selector| {
                namespaced && selector.matches(&label_map(subject.namespace_labels))
            })
            && self
                .labels
                .as_ref()
                .is_none_or(|selector| selector.matches(&label_map(subject.labels)))
    }

    /// The selector a `[plugin.match]` table describes; a problem's keys
    /// are relative to that table.
    pub(super) fn from_raw(raw: RawMatch) -> Result<Self, Problem> {
        Ok(Self {
            kinds: raw.kinds.map(kinds).transpose()?,
            namespaces: parse_given("namespaces", raw.namespaces, glob_set)?,
            names: parse_given("names", raw.names, glob_set)?,
            namespace_labels: parse_given(
                "namespace_selector",
                raw.namespace_selector,
                label_selector,
            )?,
            labels: parse_given("selector", raw.selector, label_selector)?,
        })
    }
}

/// `raw`, the value of `field` if given, parsed by `parse`.
fn parse_given<R, T>(
    field: &str,
    raw: Option<R>,
    parse: fn(&str, R) -> Result<T, Problem>,
) -> Result<Option<T>, Problem> {
    raw.map(|raw| parse(field, raw)).transpose()
}

fn label_map(labels: &[KeyValue]) -> BTreeMap<String, String> {
    labels
        .iter()
        .map(|label| (label.key.clone(), label.value.clone()))
        .collect()
}

fn kinds(names: Vec<String>) -> Result<Vec<Kind>, Problem> {
    non_empty("kinds", &names)?;
    names
        .iter()
        .enumerate()
        .map(|(index, name)| {
            Kind::parse(name)
                .filter(|kind| KINDS.contains(kind))
                .ok_or_else(|| {
                    Problem::new(
                        ["kinds".to_owned(), index.to_string()],
                        format!(
                            "unknown kind {name:?} (expected one of {})",
                            KINDS.map(Kind::as_str).join(", ")
                        ),
                    )
                })
        })
        .collect()
}

fn glob_set(field: &str, patterns: Vec<String>) -> Result<GlobSet, Problem> {
    non_empty(field, &patterns)?;
    let mut set = GlobSetBuilder::new();
    for (index, pattern) in patterns.iter().enumerate() {
        let glob = Glob::new(pattern).map_err(|error| {
            Problem::new(
                [field.to_owned(), index.to_string()],
                format!("invalid glob {pattern:?}: {}", error.kind()),
            )
        })?;
        set.add(glob);
    }
    set.build()
        .map_err(|error| Problem::new([field], error.to_string()))
}

fn non_empty(field: &str, list: &[String]) -> Result<(), Problem> {
    if list.is_empty() {
        return Err(Problem::new(
            [field],
            "empty list: it would match nothing (omit it to match everything)",
        ));
    }
    Ok(())
}

/// A Kubernetes label selector, checked as the API server checks one:
/// `In` and `NotIn` need values, `Exists` and `DoesNotExist` take none.
fn label_selector(field: &str, raw: RawLabelSelector) -> Result<kube::core::Selector, Problem> {
    let equal = raw
        .match_labels
        .into_iter()
        .map(|(key, value)| Ok(Expression::Equal(key, value)));
    let expressions = raw
        .match_expressions
        .into_iter()
        .enumerate()
        .map(|(index, requirement)| {
            let at =
                |key: &str| [field, "matchExpressions", &index.to_string(), key].map(str::to_owned);
            let values = requirement.values.unwrap_or_default();
            match (requirement.operator.as_str(), values.is_empty()) {
                ("In" | "NotIn", true) => Err(Problem::new(
                    at("values"),
                    format!("operator {} needs at least one value", requirement.operator),
                )),
                ("In", false) => Ok(Expression::In(
                    requirement.key,
                    values.into_iter().collect(),
                )),
                ("NotIn", false) => Ok(Expression::NotIn(
                    requirement.key,
                    values.into_iter().collect(),
                )),
                ("Exists" | "DoesNotExist", false) => Err(Problem::new(
                    at("values"),
                    format!("operator {} takes no values", requirement.operator),
                )),
                ("Exists", true) => Ok(Expression::Exists(requirement.key)),
                ("DoesNotExist", true) => Ok(Expression::DoesNotExist(requirement.key)),
                (operator, _) => Err(Problem::new(
                    at("operator"),
                    format!(
                        "unknown operator {operator:?} (expected In, NotIn, Exists or DoesNotExist)"
                    ),
                )),
            }
        });
    equal.chain(expressions).collect()
}
