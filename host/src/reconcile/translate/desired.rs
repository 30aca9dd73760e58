//! Desired Lattice resources of one Kubernetes object: the plugins' specs with
//! names, tags and targets attached, target groups still referenced by key.
//!
//! A desired bundle is built completely — every plugin call made and every
//! output validated — before any Lattice call, so a failure leaves the live
//! resources of the object untouched.

use crate::lattice::model::{CreateServiceInput, CreateTargetGroupInput, RuleMatch, Tags, Target};
use crate::object::ObjectRef;
use crate::plugin::bindings::dns::DnsRecord;
use crate::plugin::bindings::types::{RuleAction, TargetGroupKey};

/// A target group and the targets it should hold.
#[derive(Debug, Clone, PartialEq)]
pub struct DesiredTargetGroup {
    /// Its logical key.
    pub key: TargetGroupKey,
    /// How to create it, name and tags included.
    pub input: CreateTargetGroupInput,
    /// The targets to register, sorted.
    pub targets: Vec<Target>,
}

/// A listener rule.
#[derive(Debug, Clone, PartialEq)]
pub struct DesiredRule {
    pub name: String,
    pub priority: u32,
    pub match_: RuleMatch,
    /// The action, target groups still by key.
    pub action: RuleAction,
    pub tags: Tags,
}

/// A listener and its rules.
#[derive(Debug, Clone, PartialEq)]
pub struct DesiredListener {
    pub name: String,
    pub port: u16,
    /// `HTTP`, `HTTPS` or `TLS_PASSTHROUGH`.
    pub protocol: &'static str,
    /// The default action, target groups still by key.
    pub default_action: RuleAction,
    pub tags: Tags,
    pub rules: Vec<DesiredRule>,
}

/// An association of the service with a service network, by network name.
#[derive(Debug, Clone, PartialEq)]
pub struct DesiredAssociation {
    pub service_network: String,
    pub tags: Tags,
}

/// Everything one route becomes.
#[derive(Debug, Clone, PartialEq)]
pub struct DesiredRoute {
    /// The route.
    pub object: ObjectRef,
    /// The service, name and tags included.
    pub service: CreateServiceInput,
    /// Its service network associations.
    pub associations: Vec<DesiredAssociation>,
    /// Its listeners.
    pub listeners: Vec<DesiredListener>,
    /// The target groups the route owns (its Service backends).
    pub target_groups: Vec<DesiredTargetGroup>,
    /// The service's IAM auth policy (JSON text) when its auth type is
    /// `AWS_IAM`.
    pub auth_policy: Option<String>,
    /// The `ManagedBy` value of a controller whose service of this name the
    /// route may take over.
    pub allow_takeover_from: Option<String>,
    /// The CNAME the route's custom domain gets (as an ExternalDNS
    /// `DNSEndpoint`), pointing at the service's DNS name; `None` without a
    /// custom domain or when a plugin skips it.
    pub dns_record: Option<DnsRecord>,
}

impl DesiredRoute {
    /// Every target group key the route's actions forward to, deduplicated.
    pub fn forwarded_keys(&self) -> Vec<&TargetGroupKey> {
        let mut keys: Vec<&TargetGroupKey> = Vec::new();
        let actions = self.listeners.iter().flat_map(|listener| {
            std::iter::once(&listener.default_action)
                .chain(listener.rules.iter().map(|rule| &rule.action))
        });
        for key in actions.flat_map(super::convert::forwarded_keys) {
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
        keys
    }
}

/// The service network and VPC association a cluster's default service
/// network setting asks for.
#[derive(Debug, Clone, PartialEq)]
pub struct DesiredDefaultNetwork {
    pub name: String,
    pub network_tags: Tags,
    pub vpc_id: String,
    pub association_tags: Tags,
}
