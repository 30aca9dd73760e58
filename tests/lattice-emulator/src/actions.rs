//! Listener default actions and rule actions and matches, as the API takes
//! them: members the API leaves optional get its defaults before the
//! request is read into Trellis's model, and forward actions must name
//! existing target groups.

use serde_json::{Value, json};
use trellis::lattice::LatticeState;
use trellis::lattice::model::{RuleAction, RuleMatch};

use crate::error::{ApiError, invalid};
use crate::extract::parse;
use crate::lookup;

/// Sets `member` of the object `value` to `default` when absent.
fn default_member(value: &mut Value, member: &str, default: Value) {
    if let Some(members) = value.as_object_mut() {
        members.entry(member).or_insert(default);
    }
}

/// A `RuleAction` union (`forward` or `fixedResponse`) read from `value`
/// (member `field` of the request); weights default to 1. A forward action
/// must name target groups of `state`.
pub fn action(state: &LatticeState, field: &str, mut value: Value) -> Result<RuleAction, ApiError> {
    if let Some(groups) = value
        .pointer_mut("/forward/targetGroups")
        .and_then(Value::as_array_mut)
    {
        for group in groups {
            default_member(group, "weight", json!(1));
        }
    }
    let action: RuleAction = parse(value).map_err(|_| {
        invalid(
            field,
            "must be a forward action with targetGroups or a fixedResponse with statusCode",
        )
    })?;
    if let RuleAction::Forward(forward) = &action {
        if forward.target_groups.is_empty() {
            return Err(invalid(field, "a forward action needs a target group"));
        }
        for group in &forward.target_groups {
            lookup::find(&state.target_groups, &group.target_group_identifier)?;
        }
    }
    Ok(action)
}

/// A `RuleMatch` (`httpMatch`) read from `value`; `caseSensitive`
/// defaults to false.
pub fn rule_match(mut value: Value) -> Result<RuleMatch, ApiError> {
    if let Some(path) = value.pointer_mut("/httpMatch/pathMatch") {
        default_member(path, "caseSensitive", json!(false));
    }
    if let Some(headers) = value
        .pointer_mut("/httpMatch/headerMatches")
        .and_then(Value::as_array_mut)
    {
        for header in headers {
            default_member(header, "caseSensitive", json!(false));
        }
    }
    parse(value).map_err(|error| invalid("match", error.to_string()))
}

/// The JSON of `action` (the model serializes with the API's members).
pub fn to_json<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}
