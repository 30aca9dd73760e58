//! Names of Lattice resources, as upstream builds them (upstream-spec §2).
//!
//! Two deliberate deviations keep names deterministic (the plugin has no
//! clock or randomness): the rule name's timestamp becomes ten digits hashed
//! from the listener port and the match, and the target group's random
//! suffix becomes ten letters hashed from the owner and the target group key.
//! Upstream never looks either name up, so neither affects compatibility.

use trellis_lattice_names::{MIN_LENGTH, NameKind, Violation, violations};

use crate::annotations;
use crate::config::PluginConfig;
use crate::text::{fnv1a, letters, truncate};
use crate::{
    CallContext, ListenerProtocol, NamingSubject, ObjectMeta, PluginError, TargetGroupKey, refuse,
};

/// The annotation that replaces the generated service name.
const SERVICE_NAME_OVERRIDE: &str = "service-name-override";

/// One name per subject, in order; the stock plugin names everything.
pub fn name(
    ctx: &CallContext,
    owner: &ObjectMeta,
    subjects: &[NamingSubject],
) -> Result<Vec<Option<String>>, PluginError> {
    let config = PluginConfig::from_context(ctx)?;
    subjects
        .iter()
        .map(|subject| {
            Ok(Some(match subject {
                NamingSubject::Service => service_name(owner, config.unique_service_names)?,
                NamingSubject::Listener(listener) => {
                    listener_name(owner, listener.port, listener.protocol)
                }
                NamingSubject::Rule(rule) => {
                    rule_name(rule.listener_port, rule.priority, &rule.match_json)
                }
                NamingSubject::TargetGroup(key) => target_group_name(ctx, owner, key),
            }))
        })
        .collect()
}

/// `{route≤20}-{namespace≤18}`, or a valid `service-name-override`; with
/// `unique`, a name that needs a cut is `{route≤16}-{namespace≤14}-{8 hex}`
/// instead, the hash taken over the full names.
pub(crate) fn service_name(route: &ObjectMeta, unique: bool) -> Result<String, PluginError> {
    match annotations::get(&route.annotations, SERVICE_NAME_OVERRIDE) {
        Some(name) => match override_violation(name) {
            None => Ok(name.to_owned()),
            Some(why) => Err(refuse(
                "InvalidServiceNameOverride",
                annotations::field(SERVICE_NAME_OVERRIDE),
                format!("invalid service name override '{name}': {why}"),
            )),
        },
        None if unique && (route.name.len() > 20 || route.namespace.len() > 18) => {
            let hash = fnv1a(&[&route.namespace, &route.name]) as u32;
            Ok(format!(
                "{}-{}-{hash:08x}",
                truncate(&route.name, 16),
                truncate(&route.namespace, 14)
            ))
        }
        None => Ok(generated_service_name(route)),
    }
}

fn generated_service_name(route: &ObjectMeta) -> String {
    format!(
        "{}-{}",
        truncate(&route.name, 20),
        truncate(&route.namespace, 18)
    )
}

/// Upstream's `ValidateVPCLatticeServiceName`: Lattice's service name rules
/// with upstream's messages, in upstream's order (the reserved prefix before
/// the hyphens). Upstream measures the length in bytes (Go's `len`); bytes
/// and characters differ only in names the character rule refuses too, but
/// which of the two messages wins depends on it.
fn override_violation(name: &str) -> Option<&'static str> {
    let service = NameKind::Service;
    if !(MIN_LENGTH..=service.max_length()).contains(&name.len()) {
        return Some("must be between 3 and 40 characters");
    }
    // Ranked in upstream's order; the length is checked above, in bytes.
    violations(service, name)
        .filter_map(|violation| match violation {
            Violation::Length { .. } => None,
            Violation::Character(_) => {
                Some((1, "must contain only lowercase letters, digits and hyphens"))
            }
            Violation::ReservedPrefix(_) => Some((2, "must not start with 'svc-'")),
            Violation::HyphenAtEnd => Some((3, "must not start or end with a hyphen")),
            Violation::DoubleHyphen => Some((4, "must not contain consecutive hyphens")),
        })
        .min()
        .map(|(_, message)| message)
}

/// `{route≤20}-{namespace≤18}-{port}-{protocol}`; upstream uses the generated
/// service name here even when the service name is overridden.
fn listener_name(route: &ObjectMeta, port: u16, protocol: ListenerProtocol) -> String {
    let protocol = match protocol {
        ListenerProtocol::Http => "http",
        ListenerProtocol::Https => "https",
        ListenerProtocol::TlsPassthrough => "tls",
    };
    format!("{}-{port}-{protocol}", generated_service_name(route))
}

/// `k8s-{ten digits}-rule-{priority}`: upstream's shape, the digits hashed
/// from the rule's listener and match instead of taken from the clock.
fn rule_name(listener_port: u16, priority: u32, match_json: &str) -> String {
    let digits = fnv1a(&[&listener_port.to_string(), match_json]) % 10_000_000_000;
    format!("k8s-{digits:010}-rule-{priority}")
}

/// `k8s-{namespace≤55}-{name≤55}-{ten letters}`.
fn target_group_name(ctx: &CallContext, owner: &ObjectMeta, key: &TargetGroupKey) -> String {
    let port = key.port.map(|port| port.to_string()).unwrap_or_default();
    let source = format!("{:?}", key.source);
    let hash = fnv1a(&[
        &ctx.cluster.vpc_id,
        &owner.kind,
        &owner.namespace,
        &owner.name,
        &source,
        &key.namespace,
        &key.name,
        &port,
    ]);
    format!(
        "k8s-{}-{}-{}",
        truncate(&key.namespace, 55),
        truncate(&key.name, 55),
        letters(hash)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{context, meta};
    use crate::{ListenerSubject, RuleSubject, TargetGroupSource};

    fn one(owner: &ObjectMeta, subject: NamingSubject) -> String {
        name(&context(), owner, &[subject])
            .unwrap()
            .remove(0)
            .unwrap()
    }

    #[test]
    fn service_names_follow_upstream() {
        assert_eq!(
            one(
                &meta("HTTPRoute", "default", "rates", &[]),
                NamingSubject::Service
            ),
            "rates-default"
        );
        let long = meta("HTTPRoute", "production", "my-very-long-route-name", &[]);
        assert_eq!(
            one(&long, NamingSubject::Service),
            "my-very-long-route-n-production"
        );
        let namespace = meta("HTTPRoute", "a-very-long-namespace-name", "rates", &[]);
        assert_eq!(
            one(&namespace, NamingSubject::Service),
            "rates-a-very-long-namesp"
        );
    }

    #[test]
    fn unique_service_names_add_a_hash_only_when_names_are_cut() {
        let mut ctx = context();
        ctx.config = r#"{"uniqueServiceNames": true}"#.into();
        let short = meta("HTTPRoute", "default", "rates", &[]);
        assert_eq!(
            name(&ctx, &short, &[NamingSubject::Service]).unwrap()[0].as_deref(),
            Some("rates-default")
        );
        let first = meta("HTTPRoute", "production", "my-very-long-route-name-a", &[]);
        let second = meta("HTTPRoute", "production", "my-very-long-route-name-b", &[]);
        let first = name(&ctx, &first, &[NamingSubject::Service])
            .unwrap()
            .remove(0)
            .unwrap();
        let second = name(&ctx, &second, &[NamingSubject::Service])
            .unwrap()
            .remove(0)
            .unwrap();
        assert_ne!(
            first, second,
            "upstream would give both my-very-long-route-n-production"
        );
        assert!(
            first.starts_with("my-very-long-rou-production-") && first.len() <= 40,
            "{first}"
        );
    }

    #[test]
    fn an_unknown_option_is_refused() {
        let mut ctx = context();
        ctx.config = r#"{"uniqueNames": true}"#.into();
        let error = name(
            &ctx,
            &meta("HTTPRoute", "default", "rates", &[]),
            &[NamingSubject::Service],
        )
        .unwrap_err();
        assert_eq!(
            (error.reason.as_str(), error.field.as_deref()),
            ("InvalidPluginConfig", Some("config"))
        );
    }

    #[test]
    fn trailing_hyphens_left_by_truncation_are_trimmed() {
        let route = meta(
            "HTTPRoute",
            "production-team-a-b",
            "abcdefghijklmnopqrs-xyz",
            &[],
        );
        assert_eq!(
            one(&route, NamingSubject::Service),
            "abcdefghijklmnopqrs-production-team-a"
        );
    }

    #[test]
    fn a_valid_override_replaces_the_service_name_but_not_the_listener_name() {
        let route = meta(
            "HTTPRoute",
            "default",
            "rates",
            &[(
                "application-networking.k8s.aws/service-name-override",
                "payments",
            )],
        );
        assert_eq!(one(&route, NamingSubject::Service), "payments");
        let listener = NamingSubject::Listener(ListenerSubject {
            port: 80,
            protocol: ListenerProtocol::Http,
        });
        assert_eq!(one(&route, listener), "rates-default-80-http");
    }

    #[test]
    fn an_invalid_override_is_refused_naming_the_annotation() {
        for bad in [
            "ab",
            "Payments",
            "svc-payments",
            "-payments",
            "payments-",
            "pay--ments",
            &"a".repeat(41),
        ] {
            let route = meta(
                "HTTPRoute",
                "default",
                "rates",
                &[("application-networking.k8s.aws/service-name-override", bad)],
            );
            let error = name(&context(), &route, &[NamingSubject::Service]).unwrap_err();
            assert_eq!(error.reason, "InvalidServiceNameOverride", "{bad}");
            assert_eq!(
                error.field.as_deref(),
                Some("metadata.annotations[application-networking.k8s.aws/service-name-override]")
            );
            assert!(
                error
                    .message
                    .starts_with(&format!("invalid service name override '{bad}'")),
                "{}",
                error.message
            );
        }
    }

    #[test]
    fn listener_names_carry_port_and_protocol() {
        let route = meta("TLSRoute", "default", "nginx-tls", &[]);
        for (port, protocol, expected) in [
            (80, ListenerProtocol::Http, "nginx-tls-default-80-http"),
            (443, ListenerProtocol::Https, "nginx-tls-default-443-https"),
            (
                443,
                ListenerProtocol::TlsPassthrough,
                "nginx-tls-default-443-tls",
            ),
        ] {
            assert_eq!(
                one(
                    &route,
                    NamingSubject::Listener(ListenerSubject { port, protocol })
                ),
                expected
            );
        }
    }

    #[test]
    fn rule_names_have_upstreams_shape_and_are_stable() {
        let route = meta("HTTPRoute", "default", "rates", &[]);
        let rule = |priority, match_json: &str| {
            NamingSubject::Rule(RuleSubject {
                listener_port: 80,
                priority,
                match_json: match_json.into(),
            })
        };
        let first = one(&route, rule(1, "{\"path\":\"/a\"}"));
        assert_eq!(first, one(&route, rule(1, "{\"path\":\"/a\"}")));
        assert_ne!(first, one(&route, rule(1, "{\"path\":\"/b\"}")));
        let (prefix, rest) = first.split_at(4);
        assert_eq!(prefix, "k8s-");
        assert!(rest[..10].bytes().all(|b| b.is_ascii_digit()), "{first}");
        assert!(first.ends_with("-rule-1"), "{first}");
    }

    #[test]
    fn target_group_names_follow_upstream_and_fit_lattice() {
        let route = meta("HTTPRoute", "default", "rates", &[]);
        let key = |namespace: &str, name: &str| TargetGroupKey {
            source: TargetGroupSource::Service,
            namespace: namespace.into(),
            name: name.into(),
            port: Some(80),
        };
        let parking = one(
            &route,
            NamingSubject::TargetGroup(key("default", "parking")),
        );
        assert!(parking.starts_with("k8s-default-parking-"), "{parking}");
        assert_eq!(parking.len(), "k8s-default-parking-".len() + 10);
        assert!(
            parking[20..].bytes().all(|b| b.is_ascii_lowercase()),
            "{parking}"
        );
        assert_eq!(
            parking,
            one(
                &route,
                NamingSubject::TargetGroup(key("default", "parking"))
            ),
            "deterministic"
        );
        let other_route = meta("HTTPRoute", "default", "inventory", &[]);
        assert_ne!(
            parking,
            one(
                &other_route,
                NamingSubject::TargetGroup(key("default", "parking"))
            )
        );

        let long = one(
            &route,
            NamingSubject::TargetGroup(key(&"n".repeat(63), &"s".repeat(63))),
        );
        assert_eq!(long.len(), 4 + 55 + 1 + 55 + 1 + 10);
        assert!(long.len() <= 128);
        let hyphen = one(
            &route,
            NamingSubject::TargetGroup(key("default", &format!("{}-tail", "s".repeat(54)))),
        );
        assert!(
            !hyphen.contains("--"),
            "a hyphen left at the cut is trimmed: {hyphen}"
        );
    }
}
