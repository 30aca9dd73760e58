//! Resolution of ServiceImport backends to target groups that some cluster's
//! ServiceExport created, by their tags (upstream `findSvcExportTG`).

use crate::lattice::model::TargetGroup;
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

fn tag<'a>(group: &'a TargetGroup, key: &str) -> Option<&'a str> {
    group
        .tags
        .get(&format!("{TAG_PREFIX}{key}"))
        .map(String::as_str)
}

fn annotation<'a>(meta: &'a ObjectMeta, key: &str) -> Option<&'a str> {
    meta.annotations
        .iter()
        .find(|pair| pair.key == key)
        .map(|pair| pair.value.trim())
        .filter(|value| !value.is_empty())
}

/// The target group a ServiceImport key resolves to.
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
pub fn import_target_group<'a>(
    groups: &'a [TargetGroup],
    key: &TargetGroupKey,
    import: Option<&ObjectMeta>,
) -> Result<&'a TargetGroup, Unresolved> {
    if let Some(arn) = import.and_then(|meta| annotation(meta, ANNOTATION_TARGET_GROUP_ARN)) {
        return external_target_group(groups, import.expect("annotation read from it"), arn);
    }
    let export_name = import
        .and_then(|meta| annotation(meta, ANNOTATION_EXPORT_NAME))
        .unwrap_or(&key.name);
    let cluster = import.and_then(|meta| annotation(meta, ANNOTATION_CLUSTER));
    let vpc = import.and_then(|meta| annotation(meta, ANNOTATION_VPC));
    let candidates: Vec<&TargetGroup> = groups
        .iter()
        .filter(|group| tag(group, "SourceTypeKey") == Some(Kind::ServiceExport.as_str()))
        .filter(|group| tag(group, "ServiceName") == Some(export_name))
        .filter(|group| tag(group, "ServiceNamespace") == Some(key.namespace.as_str()))
        .filter(|group| cluster.is_none_or(|cluster| tag(group, "ClusterName") == Some(cluster)))
        .filter(|group| vpc.is_none_or(|vpc| group.config.vpc_identifier == vpc))
        .collect();
    candidates
        .iter()
        .find(|group| key.port == Some(group.config.port))
        .or(candidates.first())
        .copied()
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
        })
}

fn external_target_group<'a>(
    groups: &'a [TargetGroup],
    import: &ObjectMeta,
    arn: &str,
) -> Result<&'a TargetGroup, Unresolved> {
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
    groups
        .iter()
        .find(|group| group.arn == arn)
        .ok_or_else(|| Unresolved {
            reason: "ExternalTargetGroupNotFound",
            message: format!("external target group {arn} not found"),
        })
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
