//! Tags on Lattice resources, as upstream writes them (upstream-spec §3.1,
//! §3.4): the controller's `application-networking.k8s.aws/*` tags over the
//! owner's `application-networking.k8s.aws/tags` annotation, controller tags
//! winning. Every list is sorted by key.

use std::collections::BTreeMap;

use crate::annotations::{self, PREFIX};
use crate::{
    CallContext, KeyValue, ObjectMeta, PluginError, TaggingSubject, TargetGroupSource,
    TargetGroupSpec,
};

/// The annotation with user tags: `key=value,key2=value2`.
const TAGS_ANNOTATION: &str = "tags";
/// Upstream reads at most this many user tags.
const MAX_USER_TAGS: usize = 50;

/// One tag list per subject, in order.
pub fn tags(
    ctx: &CallContext,
    owner: &ObjectMeta,
    subjects: &[TaggingSubject],
) -> Result<Vec<Vec<KeyValue>>, PluginError> {
    let managed_by = format!(
        "{}/{}/{}",
        ctx.cluster.account_id, ctx.cluster.cluster_name, ctx.cluster.vpc_id
    );
    Ok(subjects
        .iter()
        .map(|subject| {
            let mut tags = match subject {
                // Upstream writes only ManagedBy on what DEFAULT_SERVICE_NETWORK
                // creates; a ServiceNetwork object's or a VpcAssociationPolicy's
                // own tags annotation applies to what they create.
                TaggingSubject::ServiceNetwork(_) | TaggingSubject::VpcAssociation(_)
                    if owner.kind == "Cluster" =>
                {
                    BTreeMap::new()
                }
                _ => user_tags(owner),
            };
            tags.insert(format!("{PREFIX}ManagedBy"), managed_by.clone());
            match subject {
                TaggingSubject::Service => {
                    tags.insert(format!("{PREFIX}RouteName"), owner.name.clone());
                    tags.insert(format!("{PREFIX}RouteNamespace"), owner.namespace.clone());
                    tags.insert(format!("{PREFIX}RouteType"), route_type(&owner.kind).into());
                }
                TaggingSubject::TargetGroup(spec) => target_group_tags(ctx, owner, spec, &mut tags),
                TaggingSubject::AccessLogSubscription(_) => {
                    tags.insert(
                        format!("{PREFIX}AccessLogPolicy"),
                        format!("{}/{}", owner.namespace, owner.name),
                    );
                }
                _ => {}
            }
            tags.into_iter()
                .map(|(key, value)| KeyValue { key, value })
                .collect()
        })
        .collect())
}

fn target_group_tags(
    ctx: &CallContext,
    owner: &ObjectMeta,
    spec: &TargetGroupSpec,
    tags: &mut BTreeMap<String, String>,
) {
    let source_type = match spec.key.source {
        TargetGroupSource::ServiceExport => "ServiceExport",
        TargetGroupSource::Service | TargetGroupSource::ServiceImport => owner.kind.as_str(),
    };
    tags.insert(
        format!("{PREFIX}ClusterName"),
        ctx.cluster.cluster_name.clone(),
    );
    tags.insert(format!("{PREFIX}ServiceName"), spec.key.name.clone());
    tags.insert(
        format!("{PREFIX}ServiceNamespace"),
        spec.key.namespace.clone(),
    );
    tags.insert(format!("{PREFIX}SourceTypeKey"), source_type.into());
    tags.insert(
        format!("{PREFIX}ProtocolVersion"),
        spec.protocol_version.clone().unwrap_or_default(),
    );
    if spec.key.source != TargetGroupSource::ServiceExport {
        tags.insert(format!("{PREFIX}RouteName"), owner.name.clone());
        tags.insert(format!("{PREFIX}RouteNamespace"), owner.namespace.clone());
    }
}

/// Upstream's route type strings.
fn route_type(kind: &str) -> &'static str {
    match kind {
        "GRPCRoute" => "grpc",
        "TLSRoute" => "tls",
        _ => "http",
    }
}

/// The owner's `tags` annotation, parsed as upstream does: pairs split on
/// `,` then the first `=`, trimmed, both sides non-empty, key ≤128 and value
/// ≤256 bytes of letters, spaces, digits and `_.:/=+-@`; first duplicate
/// wins; at most 50; reserved prefixes (`application-networking.k8s.aws/`,
/// `aws:`) dropped; invalid pairs skipped.
fn user_tags(owner: &ObjectMeta) -> BTreeMap<String, String> {
    let mut tags = BTreeMap::new();
    let Some(text) = annotations::get(&owner.annotations, TAGS_ANNOTATION) else {
        return tags;
    };
    let mut accepted = 0;
    for pair in text.split(',') {
        if accepted == MAX_USER_TAGS {
            break;
        }
        let Some((key, value)) = pair.trim().split_once('=') else {
            continue;
        };
        let (key, value) = (key.trim(), value.trim());
        let valid = !key.is_empty()
            && !value.is_empty()
            && key.len() <= 128
            && value.len() <= 256
            && allowed(key)
            && allowed(value);
        if !valid || tags.contains_key(key) {
            continue;
        }
        accepted += 1;
        if key.starts_with(PREFIX) || key.to_ascii_lowercase().starts_with("aws:") {
            continue;
        }
        tags.insert(key.to_owned(), value.to_owned());
    }
    tags
}

/// Upstream's `^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$`.
fn allowed(text: &str) -> bool {
    text.chars()
        .all(|c| c.is_alphabetic() || c.is_numeric() || c.is_whitespace() || "_.:/=+-@".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::TargetGroupKey;
    use crate::test_support::{context, meta};

    #[test]
    fn access_log_subscriptions_name_their_policy() {
        let policy = meta(
            "AccessLogPolicy",
            "default",
            "logs",
            &[("application-networking.k8s.aws/tags", "team=obs")],
        );
        let tags = one(
            &policy,
            TaggingSubject::AccessLogSubscription("arn:aws:s3:::logs".into()),
        );
        assert_eq!(
            as_map(&tags),
            BTreeMap::from([
                (
                    "application-networking.k8s.aws/AccessLogPolicy",
                    "default/logs"
                ),
                ("application-networking.k8s.aws/ManagedBy", MANAGED_BY),
                ("team", "obs"),
            ])
        );
    }

    #[test]
    fn service_network_objects_and_vpc_association_policies_add_their_tags() {
        let network = meta(
            "ServiceNetwork",
            "",
            "payments",
            &[("application-networking.k8s.aws/tags", "team=payments")],
        );
        let tags = one(&network, TaggingSubject::ServiceNetwork("payments".into()));
        assert_eq!(as_map(&tags)["team"], "payments");
        let policy = meta(
            "VpcAssociationPolicy",
            "default",
            "vap",
            &[("application-networking.k8s.aws/tags", "zone=a")],
        );
        let tags = one(&policy, TaggingSubject::VpcAssociation("payments".into()));
        assert_eq!(as_map(&tags)["zone"], "a");
    }

    fn as_map(tags: &[KeyValue]) -> BTreeMap<&str, &str> {
        tags.iter()
            .map(|tag| (tag.key.as_str(), tag.value.as_str()))
            .collect()
    }

    fn one(owner: &ObjectMeta, subject: TaggingSubject) -> Vec<KeyValue> {
        tags(&context(), owner, &[subject]).unwrap().remove(0)
    }

    const MANAGED_BY: &str = "123456789012/config-cluster/vpc-0a1b2c3d4e5f60000";

    #[test]
    fn service_tags_name_the_route() {
        let route = meta("GRPCRoute", "default", "rates", &[]);
        let tags = one(&route, TaggingSubject::Service);
        assert_eq!(
            as_map(&tags),
            BTreeMap::from([
                ("application-networking.k8s.aws/ManagedBy", MANAGED_BY),
                ("application-networking.k8s.aws/RouteName", "rates"),
                ("application-networking.k8s.aws/RouteNamespace", "default"),
                ("application-networking.k8s.aws/RouteType", "grpc"),
            ])
        );
        let keys: Vec<&str> = tags.iter().map(|tag| tag.key.as_str()).collect();
        let mut sorted = keys.clone();
        sorted.sort_unstable();
        assert_eq!(keys, sorted, "sorted by key");
    }

    #[test]
    fn listeners_rules_and_associations_carry_managed_by_over_user_tags() {
        let route = meta(
            "HTTPRoute",
            "default",
            "rates",
            &[(
                "application-networking.k8s.aws/tags",
                "team=payments, cost-center = 42",
            )],
        );
        for subject in [
            TaggingSubject::Listener(80),
            TaggingSubject::Rule((80, 1)),
            TaggingSubject::ServiceNetworkAssociation("my-gateway".into()),
        ] {
            assert_eq!(
                as_map(&one(&route, subject)),
                BTreeMap::from([
                    ("application-networking.k8s.aws/ManagedBy", MANAGED_BY),
                    ("cost-center", "42"),
                    ("team", "payments"),
                ])
            );
        }
    }

    #[test]
    fn default_network_resources_carry_only_managed_by() {
        let cluster = meta(
            "Cluster",
            "",
            "config-cluster",
            &[("application-networking.k8s.aws/tags", "team=payments")],
        );
        for subject in [
            TaggingSubject::ServiceNetwork("my-gateway".into()),
            TaggingSubject::VpcAssociation("my-gateway".into()),
        ] {
            assert_eq!(
                as_map(&one(&cluster, subject)),
                BTreeMap::from([("application-networking.k8s.aws/ManagedBy", MANAGED_BY)])
            );
        }
    }

    fn spec(source: TargetGroupSource, version: Option<&str>) -> TargetGroupSpec {
        TargetGroupSpec {
            key: TargetGroupKey {
                source,
                namespace: "default".into(),
                name: "service-1".into(),
                port: Some(80),
            },
            port: 80,
            protocol: if version.is_some() { "HTTP" } else { "TCP" }.into(),
            protocol_version: version.map(Into::into),
            ip_address_type: "IPV4".into(),
            health_check: None,
            targets_from: None,
        }
    }

    #[test]
    fn exported_target_groups_are_findable_by_their_export() {
        let export = meta("ServiceExport", "default", "service-1", &[]);
        let tags = one(
            &export,
            TaggingSubject::TargetGroup(spec(TargetGroupSource::ServiceExport, Some("HTTP1"))),
        );
        assert_eq!(
            as_map(&tags),
            BTreeMap::from([
                (
                    "application-networking.k8s.aws/ClusterName",
                    "config-cluster"
                ),
                ("application-networking.k8s.aws/ManagedBy", MANAGED_BY),
                ("application-networking.k8s.aws/ProtocolVersion", "HTTP1"),
                ("application-networking.k8s.aws/ServiceName", "service-1"),
                ("application-networking.k8s.aws/ServiceNamespace", "default"),
                (
                    "application-networking.k8s.aws/SourceTypeKey",
                    "ServiceExport"
                ),
            ])
        );
    }

    #[test]
    fn route_target_groups_name_their_route() {
        let route = meta("TLSRoute", "default", "rates", &[]);
        let list = one(
            &route,
            TaggingSubject::TargetGroup(spec(TargetGroupSource::Service, None)),
        );
        let tags = as_map(&list);
        assert_eq!(
            tags["application-networking.k8s.aws/SourceTypeKey"],
            "TLSRoute"
        );
        assert_eq!(tags["application-networking.k8s.aws/RouteName"], "rates");
        assert_eq!(
            tags["application-networking.k8s.aws/RouteNamespace"],
            "default"
        );
        assert_eq!(
            tags["application-networking.k8s.aws/ProtocolVersion"], "",
            "TCP has no protocol version"
        );
    }

    #[test]
    fn user_tags_are_parsed_as_upstream_does() {
        let text = "a=1,broken,=x,y=,b = 2 ,a=dup,aws:secret=1,application-networking.k8s.aws/ManagedBy=me,bad*key=1";
        let route = meta(
            "HTTPRoute",
            "default",
            "rates",
            &[("application-networking.k8s.aws/tags", text)],
        );
        let tags = one(&route, TaggingSubject::Listener(80));
        let map = as_map(&tags);
        assert_eq!(map["a"], "1", "first duplicate wins");
        assert_eq!(map["b"], "2", "trimmed");
        assert_eq!(
            map["application-networking.k8s.aws/ManagedBy"], MANAGED_BY,
            "controller tags win"
        );
        assert_eq!(map.len(), 3, "{map:?}");
    }
}
