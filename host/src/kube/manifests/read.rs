//! Reading files' texts into [`Manifests`], in passes over every document:
//!
//! 1. documents: each file's YAML documents, each expanded within bounds
//!    (`documents`);
//! 2. identity: what each document is (`identify`);
//! 3. duplicates: an object (kind, namespace, name) defined more than once
//!    is left out everywhere it is defined;
//! 4. schema: each object checked against its kind's schema
//!    ([`crate::kube::schemas`]);
//! 5. types: each object deserialized into its kind's type (`typed`).
//!
//! What fails a pass is left out with a [`LeftOut`] naming it; the rest goes
//! on.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_yaml_ng::Deserializer;

use super::Manifests;
use super::documents::{self, DocumentError};
use super::identify::{self, Head, Identity};
use super::left_out::{LeftOut, LeftOutReason, Location};
use super::typed;
use crate::kube::schemas;
use crate::object::ObjectRef;

/// One file and its text.
pub(super) struct FileText {
    pub path: PathBuf,
    pub text: String,
}

/// An object that passed the first passes so far.
struct Candidate {
    /// Index in the files.
    file: usize,
    at: Location,
    head: Head,
    value: serde_json::Value,
}

/// Reads every object of `files`, in order.
pub(super) fn read(files: &[FileText]) -> Manifests {
    let mut manifests = Manifests::default();
    let candidates = identified(files, &mut manifests);
    let candidates = unique(candidates, &mut manifests.left_out);
    let mut accepted: Vec<BTreeMap<usize, Head>> = files.iter().map(|_| BTreeMap::new()).collect();
    for candidate in candidates {
        match schemas::check(
            candidate.head.kind,
            &candidate.head.version,
            &candidate.value,
        ) {
            Ok(()) => {
                accepted[candidate.file].insert(candidate.at.document, candidate.head);
            }
            Err(violation) => manifests.left_out.push(LeftOut {
                object: Some(candidate.head.object.clone()),
                field: violation.field,
                reason: LeftOutReason::SchemaViolation,
                message: format!(
                    "{}: {}: the API server would refuse it: {}",
                    candidate.at, candidate.head.object, violation.message
                ),
            }),
        }
    }
    for (file, accepted) in files.iter().zip(accepted) {
        let Some(last) = accepted.keys().next_back().copied() else {
            continue;
        };
        // Only as far as the last accepted document: past a syntax error
        // the parser is not asked again.
        for (index, document) in Deserializer::from_str(&file.text).enumerate().take(last) {
            let Some(head) = accepted.get(&(index + 1)) else {
                continue;
            };
            if let Err(error) = typed::read(head, document, &mut manifests.snapshot) {
                let at = Location::new(&file.path, index + 1);
                manifests.left_out.push(invalid_object(&at, head, &error));
            }
        }
    }
    manifests
}

/// Passes 1 and 2: the objects of kinds Trellis reads, in order; the other
/// documents counted as skipped or left out.
fn identified(files: &[FileText], manifests: &mut Manifests) -> Vec<Candidate> {
    let mut candidates = Vec::new();
    for (file_index, file) in files.iter().enumerate() {
        for (index, document) in documents::split(&file.text).into_iter().enumerate() {
            let at = Location::new(&file.path, index + 1);
            let value = match document {
                Ok(value) => value,
                Err(error) => {
                    manifests.left_out.push(unreadable(&at, &error));
                    continue;
                }
            };
            match identify::identify(&at, &value) {
                Ok(Identity::Empty) => {}
                Ok(Identity::Skipped(kind)) => *manifests.skipped.entry(kind).or_default() += 1,
                Ok(Identity::Object(head)) => candidates.push(Candidate {
                    file: file_index,
                    at,
                    head,
                    value,
                }),
                Err(left_out) => manifests.left_out.push(left_out),
            }
        }
    }
    candidates
}

/// Pass 3: the candidates whose object is defined once; each object defined
/// more than once is one [`LeftOutReason::DuplicateObject`] naming every
/// place.
fn unique(candidates: Vec<Candidate>, left_out: &mut Vec<LeftOut>) -> Vec<Candidate> {
    let mut places: BTreeMap<ObjectRef, Vec<&Location>> = BTreeMap::new();
    for candidate in &candidates {
        places
            .entry(candidate.head.object.clone())
            .or_default()
            .push(&candidate.at);
    }
    let duplicated: BTreeMap<ObjectRef, Vec<String>> = places
        .into_iter()
        .filter(|(_, places)| places.len() > 1)
        .map(|(object, places)| (object, places.iter().map(ToString::to_string).collect()))
        .collect();
    for (object, places) in &duplicated {
        left_out.push(LeftOut {
            object: Some(object.clone()),
            field: None,
            reason: LeftOutReason::DuplicateObject,
            message: format!(
                "{object} is defined more than once: in {}; none of them is applied",
                places.join(" and in ")
            ),
        });
    }
    candidates
        .into_iter()
        .filter(|candidate| !duplicated.contains_key(&candidate.head.object))
        .collect()
}

fn unreadable(at: &Location, error: &DocumentError) -> LeftOut {
    let reason = match error {
        DocumentError::NotJson(_) => LeftOutReason::NotAnObject,
        DocumentError::Syntax(_) | DocumentError::TooLarge => LeftOutReason::InvalidYaml,
    };
    let rest = match error {
        DocumentError::Syntax(_) => "; the rest of the file is not read",
        DocumentError::TooLarge | DocumentError::NotJson(_) => "",
    };
    LeftOut {
        object: None,
        field: None,
        reason,
        message: format!("{at}: {error}{rest}"),
    }
}

/// The problem of an object that does not read as its type; serde's
/// message starts with the field path when there is one.
fn invalid_object(at: &Location, head: &Head, error: &serde_yaml_ng::Error) -> LeftOut {
    let message = error.to_string();
    let field = message
        .split_once(": ")
        .map(|(path, _)| path)
        .filter(|path| !path.is_empty() && !path.contains(char::is_whitespace))
        .map(str::to_owned);
    LeftOut {
        object: Some(head.object.clone()),
        field,
        reason: LeftOutReason::InvalidObject,
        message: format!("{at}: {}: {message}", head.object),
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::kube::Snapshot;
    use crate::kube::testing::manifests;

    #[test]
    fn objects_are_dispatched_by_group_and_kind() {
        let read = manifests(
            r#"
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: amazon-vpc-lattice}
spec: {controllerName: application-networking.k8s.aws/gateway-api-controller}
---
apiVersion: gateway.networking.k8s.io/v1
kind: TLSRoute
metadata: {name: tls}
spec:
  hostnames: [a.example.com]
  rules: [{backendRefs: [{name: web, port: 443}]}]
---
apiVersion: v1
kind: Namespace
metadata: {name: shop, labels: {team: a}}
---
apiVersion: application-networking.k8s.aws/v1alpha1
kind: ServiceExport
metadata: {name: web, namespace: shop}
---
apiVersion: application-networking.k8s.aws/v1alpha1
kind: TargetGroupPolicy
metadata: {name: tgp}
spec: {targetRef: {group: "", kind: Service, name: web}, protocol: HTTP}
---
apiVersion: application-networking.k8s.aws/v1alpha1
kind: ServiceNetwork
metadata: {name: my-network}
---
# an empty document
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec: {}
"#,
        );
        assert!(read.left_out.is_empty(), "{:?}", read.left_out);
        let snapshot = &read.snapshot;
        assert_eq!(snapshot.gateway_classes[0].metadata.namespace, None);
        assert_eq!(
            snapshot.tls_routes[0].metadata.namespace.as_deref(),
            Some("default")
        );
        assert_eq!(snapshot.namespaces[0].metadata.namespace, None);
        assert_eq!(snapshot.service_exports[0].spec.exported_ports, None);
        assert_eq!(
            snapshot.service_exports[0].metadata.namespace.as_deref(),
            Some("shop")
        );
        let policies: Vec<_> = snapshot
            .policies
            .iter()
            .map(|policy| {
                (
                    policy.metadata.namespace.as_deref(),
                    policy.data["spec"]["protocol"].as_str(),
                )
            })
            .collect();
        assert_eq!(policies, [(Some("default"), Some("HTTP")), (None, None)]);
        assert_eq!(read.skipped.get("Deployment"), Some(&1));
    }

    /// One bad object is left out with a problem naming the file, the
    /// document, the object and the field; the others are read.
    #[test]
    fn a_bad_object_is_left_out_alone() {
        let read = manifests(
            r#"
apiVersion: v1
kind: Service
metadata: {name: web}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: my-route}
spec:
  rules:
  - matches: [{path: {type: Prefix, value: /}}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: TLSRoute
metadata: {name: no-hostnames}
spec:
  rules: [{backendRefs: [{name: web, port: 443}]}]
---
just text
---
apiVersion: v1
kind: Service
metadata: {name: last}
"#,
        );
        let names: Vec<_> = read
            .snapshot
            .services
            .iter()
            .map(|service| service.metadata.name.as_deref().unwrap())
            .collect();
        assert_eq!(names, ["web", "last"]);
        let left: Vec<_> = read
            .left_out
            .iter()
            .map(|left| (left.reason, left.field.as_deref()))
            .collect();
        assert_eq!(
            left,
            [
                (LeftOutReason::NotAnObject, None),
                (
                    LeftOutReason::SchemaViolation,
                    Some("spec.rules[0].matches[0].path.type")
                ),
                (LeftOutReason::SchemaViolation, Some("spec.hostnames")),
            ]
        );
        assert!(
            read.left_out[1]
                .message
                .starts_with("objects.yaml: document 2: HTTPRoute default/my-route: "),
            "{}",
            read.left_out[1].message
        );
        assert!(
            read.left_out[0]
                .message
                .contains("document 4: not a Kubernetes object")
        );
    }

    /// What the schema allows but the type does not is left out too, with
    /// serde's field path and the file's line.
    #[test]
    fn an_object_that_does_not_type_names_its_field() {
        let text = "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r}\n\
                    spec:\n  rules:\n  - matches: [{path: {type: Prefix, value: /}}]\n";
        let at = Location::new(Path::new("objects.yaml"), 1);
        let value = documents::split(text).remove(0).unwrap();
        let Ok(Identity::Object(head)) = identify::identify(&at, &value) else {
            panic!("an HTTPRoute")
        };
        let document = Deserializer::from_str(text).next().unwrap();
        let error = typed::read(&head, document, &mut Snapshot::default()).unwrap_err();
        let left = invalid_object(&at, &head, &error);
        assert_eq!(left.reason, LeftOutReason::InvalidObject);
        assert_eq!(
            left.field.as_deref(),
            Some("spec.rules[0].matches[0].path.type")
        );
        assert!(
            left.message.starts_with(
                "objects.yaml: document 1: HTTPRoute default/r: spec.rules[0].matches[0].path.type: unknown variant `Prefix`"
            ),
            "{}",
            left.message
        );
        assert!(left.message.contains("line 6"), "{}", left.message);
    }

    #[test]
    fn a_syntax_error_leaves_out_the_rest_of_the_file() {
        let read = manifests(
            "apiVersion: v1\nkind: Service\nmetadata: {name: a}\n---\nkind: [\n---\napiVersion: v1\nkind: Service\nmetadata: {name: b}\n",
        );
        assert_eq!(read.snapshot.services.len(), 1);
        assert_eq!(read.left_out.len(), 1);
        assert_eq!(read.left_out[0].reason, LeftOutReason::InvalidYaml);
        assert!(
            read.left_out[0]
                .message
                .ends_with("the rest of the file is not read"),
            "{}",
            read.left_out[0].message
        );
    }

    #[test]
    fn an_object_defined_twice_is_left_out_everywhere() {
        let read = manifests(
            "apiVersion: v1\nkind: Service\nmetadata: {name: a}\n---\n\
             apiVersion: v1\nkind: Service\nmetadata: {name: b}\n---\n\
             apiVersion: v1\nkind: Service\nmetadata: {name: a, namespace: default}\n",
        );
        assert_eq!(read.snapshot.services.len(), 1);
        assert_eq!(read.left_out.len(), 1);
        let left = &read.left_out[0];
        assert_eq!(left.reason, LeftOutReason::DuplicateObject);
        assert_eq!(
            left.message,
            "Service default/a is defined more than once: in objects.yaml: document 1 and in \
             objects.yaml: document 3; none of them is applied"
        );
    }
}
