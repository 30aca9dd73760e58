//! Request and fault counts, and the operation each route serves.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Mutex;

use axum::http::Method;

use crate::config::FaultKind;

/// The API operation that `method` on the route `path` serves.
pub fn operation(method: &Method, path: &str) -> &'static str {
    match (method.as_str(), path) {
        ("POST", "/servicenetworks") => "CreateServiceNetwork",
        ("GET", "/servicenetworks") => "ListServiceNetworks",
        ("GET", "/servicenetworks/{id}") => "GetServiceNetwork",
        ("PATCH", "/servicenetworks/{id}") => "UpdateServiceNetwork",
        ("DELETE", "/servicenetworks/{id}") => "DeleteServiceNetwork",
        ("POST", "/servicenetworkvpcassociations") => "CreateServiceNetworkVpcAssociation",
        ("GET", "/servicenetworkvpcassociations") => "ListServiceNetworkVpcAssociations",
        ("GET", "/servicenetworkvpcassociations/{id}") => "GetServiceNetworkVpcAssociation",
        ("PATCH", "/servicenetworkvpcassociations/{id}") => "UpdateServiceNetworkVpcAssociation",
        ("DELETE", "/servicenetworkvpcassociations/{id}") => "DeleteServiceNetworkVpcAssociation",
        ("POST", "/services") => "CreateService",
        ("GET", "/services") => "ListServices",
        ("GET", "/services/{service}") => "GetService",
        ("PATCH", "/services/{service}") => "UpdateService",
        ("DELETE", "/services/{service}") => "DeleteService",
        ("POST", "/servicenetworkserviceassociations") => "CreateServiceNetworkServiceAssociation",
        ("GET", "/servicenetworkserviceassociations") => "ListServiceNetworkServiceAssociations",
        ("DELETE", "/servicenetworkserviceassociations/{id}") => {
            "DeleteServiceNetworkServiceAssociation"
        }
        ("POST", "/services/{service}/listeners") => "CreateListener",
        ("GET", "/services/{service}/listeners") => "ListListeners",
        ("GET", "/services/{service}/listeners/{listener}") => "GetListener",
        ("PATCH", "/services/{service}/listeners/{listener}") => "UpdateListener",
        ("DELETE", "/services/{service}/listeners/{listener}") => "DeleteListener",
        ("POST", "/services/{service}/listeners/{listener}/rules") => "CreateRule",
        ("GET", "/services/{service}/listeners/{listener}/rules") => "ListRules",
        ("GET", "/services/{service}/listeners/{listener}/rules/{rule}") => "GetRule",
        ("PATCH", "/services/{service}/listeners/{listener}/rules/{rule}") => "UpdateRule",
        ("DELETE", "/services/{service}/listeners/{listener}/rules/{rule}") => "DeleteRule",
        ("POST", "/targetgroups") => "CreateTargetGroup",
        ("GET", "/targetgroups") => "ListTargetGroups",
        ("GET", "/targetgroups/{id}") => "GetTargetGroup",
        ("PATCH", "/targetgroups/{id}") => "UpdateTargetGroup",
        ("DELETE", "/targetgroups/{id}") => "DeleteTargetGroup",
        ("POST", "/targetgroups/{id}/registertargets") => "RegisterTargets",
        ("POST", "/targetgroups/{id}/deregistertargets") => "DeregisterTargets",
        ("POST", "/targetgroups/{id}/listtargets") => "ListTargets",
        ("GET", "/authpolicy/{resource}") => "GetAuthPolicy",
        ("PUT", "/authpolicy/{resource}") => "PutAuthPolicy",
        ("DELETE", "/authpolicy/{resource}") => "DeleteAuthPolicy",
        ("POST", "/accesslogsubscriptions") => "CreateAccessLogSubscription",
        ("GET", "/accesslogsubscriptions") => "ListAccessLogSubscriptions",
        ("DELETE", "/accesslogsubscriptions/{id}") => "DeleteAccessLogSubscription",
        ("GET", "/tags/{arn}") => "ListTagsForResource",
        ("POST", "/tags/{arn}") => "TagResource",
        _ => "Unknown",
    }
}

/// Counts since the emulator started: requests per operation (retries
/// included) and injected faults per kind.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    pub requests: BTreeMap<&'static str, u64>,
    pub faults: BTreeMap<FaultKind, u64>,
}

impl Stats {
    /// All requests.
    pub fn total_requests(&self) -> u64 {
        self.requests.values().sum()
    }

    /// All injected faults.
    pub fn total_faults(&self) -> u64 {
        self.faults.values().sum()
    }
}

impl fmt::Display for Stats {
    /// `N requests, M faults` and one line per operation and fault kind.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} requests, {} faults",
            self.total_requests(),
            self.total_faults()
        )?;
        for (operation, count) in &self.requests {
            writeln!(f, "  {operation}: {count}")?;
        }
        for (kind, count) in &self.faults {
            writeln!(f, "  fault {kind}: {count}")?;
        }
        Ok(())
    }
}

/// The live counters behind [`Stats`].
#[derive(Debug, Default)]
pub struct Counters(Mutex<Stats>);

impl Counters {
    fn update(&self, change: impl FnOnce(&mut Stats)) {
        change(
            &mut self
                .0
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner()),
        );
    }

    /// Counts a request of `operation`.
    pub fn request(&self, operation: &'static str) {
        self.update(|stats| *stats.requests.entry(operation).or_default() += 1);
    }

    /// Counts an injected fault of `kind`.
    pub fn fault(&self, kind: FaultKind) {
        self.update(|stats| *stats.faults.entry(kind).or_default() += 1);
    }

    /// A copy of the counts.
    pub fn snapshot(&self) -> Stats {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }
}
