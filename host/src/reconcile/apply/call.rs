//! One recorded Lattice call, as `plan` and `apply` report it.

use std::fmt;

use serde::Serialize;
use serde_json::Value;
use serde_json::value::RawValue;

/// One mutating Lattice API call: an entry of `calls` in `plan --output json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Call {
    /// The cluster whose reconcile made the call.
    pub cluster: String,
    /// The API operation, e.g. `CreateService`.
    pub operation: &'static str,
    /// The request, in the API's member names.
    pub input: CallInput,
}

/// A call's request, held as compact JSON text: a plan of a large mesh
/// records hundreds of thousands of calls, and text takes a fraction of the
/// memory of a [`Value`] tree.
///
/// Contract: the text is what [`serde_json::to_value`] makes of the
/// request, written compactly, so object keys are sorted as in a [`Value`].
/// A `CallInput` serializes as that [`Value`] does (it is parsed again, one
/// call at a time, so a pretty printer indents it as before). Two inputs
/// are equal when their texts are.
#[derive(Clone)]
pub struct CallInput(Box<RawValue>);

impl CallInput {
    /// The JSON of `request`.
    ///
    /// # Panics
    ///
    /// If `request` does not serialize to JSON: every Lattice API input
    /// does (plain structs, strings and numbers).
    pub fn of(request: &impl Serialize) -> Self {
        let value = serde_json::to_value(request).expect("API inputs serialize");
        let text = serde_json::to_string(&value).expect("a JSON value serializes");
        Self(RawValue::from_string(text).expect("serde_json writes valid JSON"))
    }

    /// The request as a JSON value (parsed again from the text).
    pub fn to_value(&self) -> Value {
        serde_json::from_str(self.0.get()).expect("the text is valid JSON")
    }
}

impl Serialize for CallInput {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_value().serialize(serializer)
    }
}

impl PartialEq for CallInput {
    fn eq(&self, other: &Self) -> bool {
        self.0.get() == other.0.get()
    }
}

impl fmt::Debug for CallInput {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.0.get())
    }
}

/// The compact JSON text.
impl fmt::Display for CallInput {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.0.get())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Request {
        name: &'static str,
        client_token: Option<&'static str>,
        port: u16,
    }

    #[test]
    fn serializes_as_the_value_of_the_request_would() {
        let request = Request {
            name: "svc",
            client_token: None,
            port: 80,
        };
        let input = CallInput::of(&request);
        assert_eq!(
            serde_json::to_string_pretty(&input).unwrap(),
            serde_json::to_string_pretty(&serde_json::to_value(&request).unwrap()).unwrap()
        );
        assert_eq!(
            input.to_value(),
            json!({"name": "svc", "clientToken": null, "port": 80})
        );
    }
}
