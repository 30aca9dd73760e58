//! The Resource Groups Tagging API's `GetResources` (the JSON 1.1
//! protocol: `POST /` with `X-Amz-Target:
//! ResourceGroupsTaggingAPI_20170126.GetResources`), answered from the
//! emulated account's VPC Lattice resources, so that Trellis's bulk tag
//! reads run through the real `aws-sdk-resourcegroupstagging` client.
//!
//! Contract:
//! - The answer lists the caller's account's resources that hold at least
//!   one tag (AWS also lists resources that once held tags; here an
//!   untagged resource is never listed), as `ResourceTagMappingList` items
//!   `{ResourceARN, Tags: [{Key, Value}]}`, in a stable order (service
//!   networks, their VPC associations, services, service associations,
//!   listeners, rules, target groups, access log subscriptions, each in
//!   creation order). Resources of other accounts (networks shared through
//!   RAM) are never listed.
//! - `ResourceTypeFilters`: `vpc-lattice` matches every resource;
//!   `vpc-lattice:<type>` those whose ARN's last resource type is `<type>`
//!   (`servicenetwork`, `servicenetworkvpcassociation`, `service`,
//!   `servicenetworkserviceassociation`, `listener`, `rule`, `targetgroup`,
//!   `accesslogsubscription`: a listener's ARN `service/svc-1/listener/
//!   listener-1` is a `listener`, not a `service`); any other service's
//!   type matches nothing; absent or empty: every resource.
//! - `TagFilters`: a resource matches every filter: it holds the filter's
//!   `Key` and, when `Values` is not empty, with one of them.
//! - `ResourceARNList` (1–100 ARNs): those of the listed ARNs that exist and
//!   hold tags, in the list's order; with `ResourceTypeFilters`,
//!   `TagFilters` or a pagination parameter it fails with
//!   `InvalidParameterException`, as in AWS.
//! - Pages: at most `ResourcesPerPage` (1–100, default 100; else
//!   `InvalidParameterException`) and the emulator's page size; an opaque
//!   `PaginationToken` while more follow, `""` on the last page (as AWS
//!   answers); an unreadable token fails with
//!   `PaginationTokenExpiredException`. `TagsPerPage` is accepted and
//!   ignored.
//! - Any other target answers `UnknownOperationException`.

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use trellis::lattice::LatticeState;
use trellis::lattice::model::{Tags, arn_account};

use crate::Emulator;

/// The target prefix of the Resource Groups Tagging API's operations.
pub const TARGET_PREFIX: &str = "ResourceGroupsTaggingAPI_20170126.";

/// The most resources one page (or one `ResourceARNList`) may hold.
const MOST_PER_PAGE: u64 = 100;

/// The tagging operation `headers` name, if they name one.
pub fn operation(headers: &HeaderMap) -> Option<&'static str> {
    let target = headers.get("x-amz-target")?.to_str().ok()?;
    match target.strip_prefix(TARGET_PREFIX)? {
        "GetResources" => Some("GetResources"),
        _ => Some("UnknownTaggingOperation"),
    }
}

/// A JSON 1.1 error answer.
fn error(error_type: &str, message: impl Into<String>) -> Response {
    let body = json!({ "__type": error_type, "Message": message.into() });
    (StatusCode::BAD_REQUEST, json_1_1(), body.to_string()).into_response()
}

fn json_1_1() -> [(&'static str, &'static str); 1] {
    [("content-type", "application/x-amz-json-1.1")]
}

/// `POST /` with a tagging target: the operation it names.
pub fn serve(emulator: &Emulator, headers: &HeaderMap, body: &Bytes) -> Response {
    let body: Value = match serde_json::from_slice(body) {
        Ok(body) => body,
        Err(parse) => {
            return error(
                "SerializationException",
                format!("the body is not JSON: {parse}"),
            );
        }
    };
    match operation(headers) {
        Some("GetResources") => get_resources(emulator, &body),
        _ => error(
            "UnknownOperationException",
            "the emulator serves the Resource Groups Tagging API's GetResources only",
        ),
    }
}

/// The resource type of `arn` as `ResourceTypeFilters` names it: the last
/// `type/id` pair of its resource part.
fn resource_type(arn: &str) -> &str {
    let resource = arn.splitn(6, ':').nth(5).unwrap_or_default();
    let parts: Vec<&str> = resource.split('/').collect();
    match parts.len() {
        0 | 1 => resource,
        n => parts[n - 2 - (n % 2)],
    }
}

/// Every tagged resource of account `account` in `state`: ARN and tags.
fn tagged<'a>(state: &'a LatticeState, account: &str) -> Vec<(&'a str, &'a Tags)> {
    let mut all: Vec<(&str, &Tags)> = Vec::new();
    all.extend(state.service_networks.iter().map(|r| (&*r.arn, &r.tags)));
    all.extend(
        state
            .service_network_vpc_associations
            .iter()
            .map(|r| (&*r.arn, &r.tags)),
    );
    all.extend(state.services.iter().map(|r| (&*r.arn, &r.tags)));
    all.extend(
        state
            .service_network_service_associations
            .iter()
            .map(|r| (&*r.arn, &r.tags)),
    );
    all.extend(state.listeners.iter().map(|r| (&*r.arn, &r.tags)));
    all.extend(state.rules.iter().map(|r| (&*r.arn, &r.tags)));
    all.extend(state.target_groups.iter().map(|r| (&*r.arn, &r.tags)));
    all.extend(
        state
            .access_log_subscriptions
            .iter()
            .map(|r| (&*r.arn, &r.tags)),
    );
    all.retain(|(arn, tags)| !tags.is_empty() && arn_account(arn) == account);
    all
}

/// Whether `filter` (`vpc-lattice`, `vpc-lattice:service`) matches `arn`.
fn type_matches(filter: &str, arn: &str) -> bool {
    let service = arn.split(':').nth(2).unwrap_or_default();
    match filter.split_once(':') {
        None => filter == service,
        Some((filter_service, filter_type)) => {
            filter_service == service && filter_type == resource_type(arn)
        }
    }
}

/// Whether `tags` pass every `TagFilters` item of `filters`.
fn tags_match(filters: &[Value], tags: &Tags) -> bool {
    filters.iter().all(|filter| {
        let key = filter["Key"].as_str().unwrap_or_default();
        let values: Vec<&str> = filter["Values"]
            .as_array()
            .map(|values| values.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        tags.get(key)
            .is_some_and(|value| values.is_empty() || values.contains(&value.as_str()))
    })
}

fn mapping(arn: &str, tags: &Tags) -> Value {
    let tags: Vec<Value> = tags
        .iter()
        .map(|(key, value)| json!({ "Key": key, "Value": value }))
        .collect();
    json!({ "ResourceARN": arn, "Tags": tags })
}

fn strings(value: &Value) -> Vec<&str> {
    value
        .as_array()
        .map(|items| items.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

fn get_resources(emulator: &Emulator, body: &Value) -> Response {
    let state = emulator.state();
    let resources = tagged(&state, &emulator.config().account_id);
    let arn_list = strings(&body["ResourceARNList"]);
    let type_filters = strings(&body["ResourceTypeFilters"]);
    let tag_filters: Vec<Value> = body["TagFilters"].as_array().cloned().unwrap_or_default();
    let paginated = ["ResourcesPerPage", "TagsPerPage", "PaginationToken"]
        .iter()
        .any(|member| !body[member].is_null());
    if body["ResourceARNList"].is_array() {
        if !type_filters.is_empty() || !tag_filters.is_empty() || paginated {
            return error(
                "InvalidParameterException",
                "ResourceARNList cannot be combined with ResourceTypeFilters, TagFilters \
                 or pagination parameters",
            );
        }
        if arn_list.is_empty() || arn_list.len() as u64 > MOST_PER_PAGE {
            return error(
                "InvalidParameterException",
                "ResourceARNList must hold 1 to 100 ARNs",
            );
        }
        let listed: Vec<Value> = arn_list
            .iter()
            .filter_map(|arn| {
                resources
                    .iter()
                    .find(|(held, _)| held == arn)
                    .map(|(arn, tags)| mapping(arn, tags))
            })
            .collect();
        return ok(json!({ "ResourceTagMappingList": listed, "PaginationToken": "" }));
    }
    let per_page = match body["ResourcesPerPage"].as_u64() {
        None if body["ResourcesPerPage"].is_null() => MOST_PER_PAGE,
        Some(size) if (1..=MOST_PER_PAGE).contains(&size) => size,
        _ => {
            return error(
                "InvalidParameterException",
                "ResourcesPerPage must be between 1 and 100",
            );
        }
    };
    let per_page = (per_page as usize).min(emulator.config().page_size);
    let start = match body["PaginationToken"].as_str() {
        None | Some("") => 0,
        Some(token) => match token.parse::<usize>() {
            Ok(start) => start,
            Err(_) => {
                return error(
                    "PaginationTokenExpiredException",
                    format!("invalid PaginationToken {token:?}"),
                );
            }
        },
    };
    let matching: Vec<(&str, &Tags)> = resources
        .into_iter()
        .filter(|(arn, tags)| {
            (type_filters.is_empty() || type_filters.iter().any(|f| type_matches(f, arn)))
                && tags_match(&tag_filters, tags)
        })
        .collect();
    let end = (start + per_page).min(matching.len());
    let page: Vec<Value> = matching
        .get(start.min(end)..end)
        .unwrap_or_default()
        .iter()
        .map(|(arn, tags)| mapping(arn, tags))
        .collect();
    let token = if end < matching.len() {
        end.to_string()
    } else {
        String::new()
    };
    ok(json!({ "ResourceTagMappingList": page, "PaginationToken": token }))
}

fn ok(body: Value) -> Response {
    (StatusCode::OK, json_1_1(), body.to_string()).into_response()
}

#[cfg(test)]
mod tests {
    use super::{resource_type, type_matches};

    #[test]
    fn resource_types_are_the_arns_last_type() {
        let base = "arn:aws:vpc-lattice:us-west-2:123456789012";
        assert_eq!(resource_type(&format!("{base}:service/svc-1")), "service");
        assert_eq!(
            resource_type(&format!("{base}:service/svc-1/listener/listener-1")),
            "listener"
        );
        assert_eq!(
            resource_type(&format!(
                "{base}:service/svc-1/listener/listener-1/rule/rule-1"
            )),
            "rule"
        );
        assert_eq!(
            resource_type(&format!("{base}:targetgroup/tg-1")),
            "targetgroup"
        );
        let listener = format!("{base}:service/svc-1/listener/listener-1");
        assert!(type_matches("vpc-lattice", &listener));
        assert!(type_matches("vpc-lattice:listener", &listener));
        assert!(!type_matches("vpc-lattice:service", &listener));
        assert!(!type_matches("ec2", &listener));
    }
}
