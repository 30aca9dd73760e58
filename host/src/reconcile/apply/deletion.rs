//! The Lattice resources the applier deletes, each with the API call that
//! deletes it and that call's input as recorded in the plan.

use serde_json::{Value, json};

use crate::lattice::{Lattice, LatticeError};

/// One resource to delete, by the identifiers its delete call takes.
#[derive(Debug, Clone, Copy)]
pub(super) enum Deletion<'a> {
    Service(&'a str),
    ServiceNetworkVpcAssociation(&'a str),
    ServiceNetworkServiceAssociation(&'a str),
    Listener {
        service: &'a str,
        listener: &'a str,
    },
    Rule {
        service: &'a str,
        listener: &'a str,
        rule: &'a str,
    },
    TargetGroup(&'a str),
    /// The auth policy of a service or service network.
    AuthPolicy(&'a str),
    AccessLogSubscription(&'a str),
}

impl Deletion<'_> {
    /// The API operation, e.g. `DeleteRule`.
    pub(super) fn operation(self) -> &'static str {
        match self {
            Deletion::Service(_) => "DeleteService",
            Deletion::ServiceNetworkVpcAssociation(_) => "DeleteServiceNetworkVpcAssociation",
            Deletion::ServiceNetworkServiceAssociation(_) => {
                "DeleteServiceNetworkServiceAssociation"
            }
            Deletion::Listener { .. } => "DeleteListener",
            Deletion::Rule { .. } => "DeleteRule",
            Deletion::TargetGroup(_) => "DeleteTargetGroup",
            Deletion::AuthPolicy(_) => "DeleteAuthPolicy",
            Deletion::AccessLogSubscription(_) => "DeleteAccessLogSubscription",
        }
    }

    /// The call's input, in the API's member names.
    pub(super) fn input(self) -> Value {
        match self {
            Deletion::Service(id) => json!({"serviceIdentifier": id}),
            Deletion::ServiceNetworkVpcAssociation(id) => {
                json!({"serviceNetworkVpcAssociationIdentifier": id})
            }
            Deletion::ServiceNetworkServiceAssociation(id) => {
                json!({"serviceNetworkServiceAssociationIdentifier": id})
            }
            Deletion::Listener { service, listener } => json!({
                "serviceIdentifier": service,
                "listenerIdentifier": listener,
            }),
            Deletion::Rule {
                service,
                listener,
                rule,
            } => json!({
                "serviceIdentifier": service,
                "listenerIdentifier": listener,
                "ruleIdentifier": rule,
            }),
            Deletion::TargetGroup(id) => json!({"targetGroupIdentifier": id}),
            Deletion::AuthPolicy(id) => json!({"resourceIdentifier": id}),
            Deletion::AccessLogSubscription(id) => json!({"accessLogSubscriptionIdentifier": id}),
        }
    }

    /// Makes the call on `lattice`.
    pub(super) async fn make(self, lattice: &dyn Lattice) -> Result<(), LatticeError> {
        match self {
            Deletion::Service(id) => lattice.delete_service(id).await,
            Deletion::ServiceNetworkVpcAssociation(id) => {
                lattice.delete_service_network_vpc_association(id).await
            }
            Deletion::ServiceNetworkServiceAssociation(id) => {
                lattice.delete_service_network_service_association(id).await
            }
            Deletion::Listener { service, listener } => {
                lattice.delete_listener(service, listener).await
            }
            Deletion::Rule {
                service,
                listener,
                rule,
            } => lattice.delete_rule(service, listener, rule).await,
            Deletion::TargetGroup(id) => lattice.delete_target_group(id).await,
            Deletion::AuthPolicy(id) => lattice.delete_auth_policy(id).await,
            Deletion::AccessLogSubscription(id) => lattice.delete_access_log_subscription(id).await,
        }
    }
}
