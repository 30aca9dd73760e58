//! The `application-networking.k8s.aws/*` annotations the stock plugin reads.

use crate::KeyValue;

/// The prefix of upstream's annotations and tags.
pub(crate) const PREFIX: &str = "application-networking.k8s.aws/";

/// The value of annotation `PREFIX + name`, if present.
pub(crate) fn get<'a>(annotations: &'a [KeyValue], name: &str) -> Option<&'a str> {
    annotations
        .iter()
        .find(|pair| pair.key.strip_prefix(PREFIX) == Some(name))
        .map(|pair| pair.value.as_str())
}

/// The field path of annotation `PREFIX + name`, for errors.
pub(crate) fn field(name: &str) -> String {
    format!("metadata.annotations[{PREFIX}{name}]")
}
