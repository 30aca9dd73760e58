//! `metadata` rules shared by every write: the stored form of an object,
//! the fields only the server sets, and the values it generates (uids,
//! names from `generateName`, timestamps).

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value};

/// `metadata` fields clients cannot set: writes keep the live values.
const SERVER_MANAGED: [&str; 6] = [
    "uid",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "generation",
    "resourceVersion",
];

/// Brings `object` to its stored form: no `apiVersion`/`kind`, an object
/// `metadata` without `selfLink`, `managedFields` (only the server writes them) and empty
/// or null fields (the real server omits empty `finalizers`, `labels`,
/// ... so a JSON patch `test` for null sees them as absent).
pub(crate) fn normalize(object: &mut Map<String, Value>) {
    object.remove("apiVersion");
    object.remove("kind");
    let metadata = object
        .entry("metadata")
        .or_insert_with(|| Value::Object(Map::new()));
    if !metadata.is_object() {
        *metadata = Value::Object(Map::new());
    }
    if let Value::Object(metadata) = metadata {
        metadata.remove("selfLink");
        metadata.remove("managedFields");
        metadata.retain(|_, value| match value {
            Value::Null => false,
            Value::String(s) => !s.is_empty(),
            Value::Array(a) => !a.is_empty(),
            Value::Object(o) => !o.is_empty(),
            _ => true,
        });
    }
}

/// Gives `next` the server-managed `metadata` fields of `live`.
pub(crate) fn keep_server_fields(next: &mut Value, live: &Value) {
    for field in SERVER_MANAGED {
        match live["metadata"].get(field) {
            Some(value) => next["metadata"][field] = value.clone(),
            None => {
                if let Some(metadata) = next["metadata"].as_object_mut() {
                    metadata.remove(field);
                }
            }
        }
    }
}

/// Gives `next` these `metadata.managedFields` (or none).
pub(crate) fn set_managed_fields(next: &mut Value, owners: Option<Value>) {
    if let Some(metadata) = next["metadata"].as_object_mut() {
        match owners {
            Some(owners) => metadata.insert("managedFields".into(), owners),
            None => metadata.remove("managedFields"),
        };
    }
}

/// Removes the server-managed `metadata` fields from `object`.
pub(crate) fn clear_server_fields(object: &mut Value) {
    if let Some(metadata) = object["metadata"].as_object_mut() {
        for field in SERVER_MANAGED {
            metadata.remove(field);
        }
    }
}

/// A string field of `metadata`, `""` if absent.
pub(crate) fn field<'a>(object: &'a Value, name: &str) -> &'a str {
    object["metadata"][name].as_str().unwrap_or("")
}

/// `metadata.generation`, 0 if absent.
pub(crate) fn generation(object: &Value) -> u64 {
    object["metadata"]["generation"].as_u64().unwrap_or(0)
}

/// `metadata.finalizers`.
pub(crate) fn finalizers(object: &Value) -> Vec<&str> {
    object["metadata"]["finalizers"]
        .as_array()
        .map(|list| list.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// Whether the object is being deleted (has a `deletionTimestamp`).
pub(crate) fn is_deleting(object: &Value) -> bool {
    object["metadata"].get("deletionTimestamp").is_some()
}

/// Whether `a` and `b` differ outside `metadata` and `status` (what bumps
/// `metadata.generation`).
pub(crate) fn spec_differs(a: &Value, b: &Value) -> bool {
    let rest = |object: &Value| {
        let mut object = object.as_object().cloned().unwrap_or_default();
        for ignored in ["metadata", "status", "apiVersion", "kind"] {
            object.remove(ignored);
        }
        object
    };
    rest(a) != rest(b)
}

/// A uid, unique per `serial`, in the UUID text format.
pub(crate) fn uid(serial: u64) -> String {
    format!("6b756265-7465-4000-8000-{serial:012x}")
}

/// `prefix` and five characters derived from `serial`, as the real server
/// completes `generateName` (distinct for distinct serials below 27⁵).
pub(crate) fn generated_name(prefix: &str, serial: u64) -> String {
    const ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let base = ALPHABET.len() as u64;
    let mut mixed = serial.wrapping_mul(2_654_435_761) % base.pow(5);
    let mut suffix = String::with_capacity(5);
    for _ in 0..5 {
        suffix.push(char::from(ALPHABET[(mixed % base) as usize]));
        mixed /= base;
    }
    format!("{prefix}{suffix}")
}

/// The current time as the API writes timestamps: RFC 3339, UTC, seconds.
pub(crate) fn now() -> String {
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs());
    rfc3339(seconds)
}

/// `seconds` after the Unix epoch as `YYYY-MM-DDTHH:MM:SSZ` (the civil
/// date algorithm of H. Hinnant's `civil_from_days`).
fn rfc3339(seconds: u64) -> String {
    let (days, second_of_day) = (seconds / 86_400, seconds % 86_400);
    let shifted = days + 719_468;
    let era = shifted / 146_097;
    let day_of_era = shifted % 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + u64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        second_of_day / 3_600,
        second_of_day % 3_600 / 60,
        second_of_day % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn timestamps_are_rfc3339_utc() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_700_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(rfc3339(4_107_542_399), "2100-02-28T23:59:59Z");
    }

    #[test]
    fn normalize_drops_type_and_empty_metadata() {
        let mut object = json!({
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "a", "finalizers": [], "labels": {}, "selfLink": "x", "namespace": ""},
            "data": {}
        });
        normalize(object.as_object_mut().unwrap());
        assert_eq!(object, json!({"metadata": {"name": "a"}, "data": {}}));
    }

    #[test]
    fn generated_names_differ() {
        let names: std::collections::BTreeSet<_> = (1..1000)
            .map(|serial| generated_name("web-", serial))
            .collect();
        assert_eq!(names.len(), 999);
        assert!(names.iter().all(|n| n.len() == 9 && n.starts_with("web-")));
    }

    #[test]
    fn generation_ignores_metadata_and_status() {
        let a = json!({"metadata": {"name": "a"}, "spec": {"x": 1}, "status": {"y": 1}});
        let b = json!({"metadata": {"name": "b"}, "spec": {"x": 1}, "status": {"y": 2}});
        assert!(!spec_differs(&a, &b));
        assert!(spec_differs(&a, &json!({"metadata": {}, "spec": {"x": 2}})));
    }
}
