//! Resolution of ServiceImport backends to target groups that some cluster's
//! ServiceExport created, by their tags (upstream `findSvcExportTG`).

use crate::lattice::model::TargetGroup;
use crate::lattice::{Lattice, LatticeError};
use crate::object::Kind;
use crate::plugin::bindings::types::{BackendTarget, ObjectMeta, RouteInput, TargetGroupKey};

const TAG_PREFIX: &str = "application-networking.k8s.aws/";
const ANNOTATION_EXPORT_NAME: &str = "application-networking.k8s.aws/export-name";
const ANNOTATION_CLUSTER: &str = "application-networking.k8s.aws/aws-eks-cluster-name";
const ANNOTATION_VPC: &str = "application-networking.k8s.aws/aws-vpc";
const ANNOTATION_TARGET_GROUP_ARN: &str = "application-networking.k8s.aws/target-group-arn";

/// Why a ServiceImport key does not resolve: a `ResolvedRefs` reason and a
/// message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unresolved {
    /// `BackendNotFound`, `ConflictingServiceImportAnnotations`,
    /// `InvalidExternalTargetGroup` or `ExternalTargetGroupNotFound`.
    pub reason: &'static str,
    /// For a person.
    pub message: String,
}

fn annotation<'a>(meta: &'a ObjectMeta, key: &str) -> Option<&'a str> {
    meta.annotations
        .iter()
        .find(|pair| pair.key == key)
        .map(|pair| pair.value.trim())
        .filter(|value| !value.is_empty())
}

/// The target group a ServiceImport key resolves to, looked up in
/// `lattice` by the candidates' tags (or the external ARN), so a key costs
/// the lookups of its own candidates, not a read of every target group.
/// The outer error is Lattice's; the inner one says why the key does not
/// resolve.
///
/// With the `target-group-arn` annotation, the import names an external
/// target group directly: it must be a Lattice target group ARN, must not be
/// combined with the other resolution annotations, and must exist.
///
/// Candidates are target groups tagged `SourceTypeKey=ServiceExport` with the
/// import's namespace and name (or its `export-name` annotation), narrowed by
/// the `aws-eks-cluster-name` and `aws-vpc` annotations when set. Unlike
/// upstream, which takes the first candidate, a candidate whose port equals
/// the key's port is preferred, so multi-port exports resolve to the right
/// target group; without one the first candidate (in listing order) wins.
///
/// `import` is `None` when the ServiceImport object does not exist: as
/// upstream does with its empty object, the key's own name and namespace
/// find the export, unnarrowed; no export is `BackendNotFound`, saying that
/// the object is missing too.
pub async fn import_target_group(
    lattice: &dyn Lattice,
    key: &TargetGroupKey,
    import: Option<&ObjectMeta>,
) -> Result<Result<TargetGroup, Unresolved>, LatticeError> {
    if let Some(arn) = import.and_then(|meta| annotation(meta, ANNOTATION_TARGET_GROUP_ARN)) {
        if let Err(unresolved) = check_external(import.expect("annotation read from it"), arn) {
            return Ok(Err(unresolved));
        }
        let found = lattice.find_target_group(arn).await?;
        return Ok(found
            .filter(|group| group.arn == arn)
            .ok_or_else(|| Unresolved {
                reason: "ExternalTargetGroupNotFound",
                message: format!("external target group {arn} not found"),
            }));
    }
    let export_name = import
        .and_then(|meta| annotation(meta, ANNOTATION_EXPORT_NAME))
        .unwrap_or(&key.name);
    let cluster = import.and_then(|meta| annotation(meta, ANNOTATION_CLUSTER));
    let vpc = import.and_then(|meta| annotation(meta, ANNOTATION_VPC));
    let wanted: Vec<(String, &str)> = [
        ("SourceTypeKey", Some(Kind::ServiceExport.as_str())),
        ("ServiceName", Some(export_name)),
        ("ServiceNamespace", Some(key.namespace.as_str())),
        ("ClusterName", cluster),
    ]
    .into_iter()
    .filter_map(|(tag, value)| Some((format!("{TAG_PREFIX}{tag}"), value?)))
    .collect();
    let query: Vec<(&str, &str)> = wanted
        .iter()
        .map(|(tag, value)| (tag.as_str(), *value))
        .collect();
    let candidates: Vec<TargetGroup> = lattice
        .target_groups_tagged(&query)
        .await?
        .into_iter()
        .filter(|group| vpc.is_none_or(|vpc| group.config.vpc_identifier == vpc))
        .collect();
    let preferred = candidates
        .iter()
        .position(|group| key.port == Some(group.config.port))
        .unwrap_or(0);
    Ok(candidates
        .into_iter()
        .nth(preferred)
        .ok_or_else(|| Unresolved {
            reason: "BackendNotFound",
            message: format!(
                "target group for service import could not be found: no cluster exports {}/{export_name}{}",
                key.namespace,
                if import.is_none() {
                    " and the ServiceImport object does not exist"
                } else {
                    ""
                }
            ),
        }))
}

/// Whether an external target group reference may be looked up: no other
/// resolution annotation beside it, and the shape of a Lattice target
/// group ARN.
fn check_external(import: &ObjectMeta, arn: &str) -> Result<(), Unresolved> {
    let conflicting: Vec<&str> = [ANNOTATION_EXPORT_NAME, ANNOTATION_CLUSTER, ANNOTATION_VPC]
        .into_iter()
        .filter(|key| annotation(import, key).is_some())
        .collect();
    if !conflicting.is_empty() {
        return Err(Unresolved {
            reason: "ConflictingServiceImportAnnotations",
            message: format!(
                "{ANNOTATION_TARGET_GROUP_ARN} cannot be combined with {}",
                conflicting.join(", ")
            ),
        });
    }
    let is_target_group_arn = arn.starts_with("arn:")
        && arn.split(':').nth(2) == Some("vpc-lattice")
        && arn.contains(":targetgroup/tg-");
    if !is_target_group_arn {
        return Err(Unresolved {
            reason: "InvalidExternalTargetGroup",
            message: format!("{arn:?} is not a VPC Lattice target group ARN"),
        });
    }
    Ok(())
}

/// Where in `route` a ServiceImport key is referenced: its metadata (for the
/// resolution hints) and the field path of the first backendRef naming it.
pub fn import_reference<'a>(
    route: &'a RouteInput,
    key: &TargetGroupKey,
) -> (Option<&'a ObjectMeta>, Option<String>) {
    for rule in &route.rules {
        for (index, backend) in rule.backends.iter().enumerate() {
            if backend.namespace == key.namespace
                && backend.name == key.name
                && backend.kind == Kind::ServiceImport.as_str()
            {
                let meta = match &backend.target {
                    BackendTarget::ServiceImport(meta) => Some(meta),
                    _ => None,
                };
                return (
                    meta,
                    Some(format!("spec.rules[{}].backendRefs[{index}]", rule.index)),
                );
            }
        }
    }
    (None, None)
}
