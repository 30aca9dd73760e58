//! What a create request makes: the request's members and what Lattice
//! assigns (an id, an ARN and, for some resources, a status or names of
//! other resources). The in-memory account and the SDK client both answer
//! creates with these.

use super::{
    AccessLogSubscription, CreateAccessLogSubscriptionInput, CreateListenerInput, CreateRuleInput,
    CreateServiceInput, CreateServiceNetworkInput, CreateTargetGroupInput, DnsEntry, Listener,
    Rule, Service, ServiceNetwork, TargetGroup,
};

impl CreateServiceNetworkInput {
    pub(in crate::lattice) fn created(self, id: String, arn: String) -> ServiceNetwork {
        ServiceNetwork {
            id,
            arn,
            name: self.name,
            auth_type: self.auth_type,
            tags: self.tags,
        }
    }
}

impl CreateServiceInput {
    pub(in crate::lattice) fn created(
        self,
        id: String,
        arn: String,
        dns_entry: DnsEntry,
        status: String,
    ) -> Service {
        Service {
            id,
            arn,
            name: self.name,
            custom_domain_name: self.custom_domain_name,
            certificate_arn: self.certificate_arn,
            auth_type: self.auth_type,
            dns_entry,
            status,
            tags: self.tags,
        }
    }
}

impl CreateListenerInput {
    /// `service_id`: the id of the service the request names (by id or ARN).
    pub(in crate::lattice) fn created(
        self,
        id: String,
        arn: String,
        service_id: String,
    ) -> Listener {
        Listener {
            id,
            arn,
            name: self.name,
            service_id,
            port: self.port,
            protocol: self.protocol,
            default_action: self.default_action,
            tags: self.tags,
        }
    }
}

impl CreateRuleInput {
    /// `service_id`, `listener_id`: the ids of the service and the listener
    /// the request names (by id or ARN).
    pub(in crate::lattice) fn created(
        self,
        id: String,
        arn: String,
        service_id: String,
        listener_id: String,
    ) -> Rule {
        Rule {
            id,
            arn,
            name: self.name,
            service_id,
            listener_id,
            priority: self.priority,
            match_: self.match_,
            action: self.action,
            tags: self.tags,
        }
    }
}

impl CreateTargetGroupInput {
    pub(in crate::lattice) fn created(
        self,
        id: String,
        arn: String,
        status: String,
    ) -> TargetGroup {
        TargetGroup {
            id,
            arn,
            name: self.name,
            type_: self.type_,
            config: self.config,
            status,
            tags: self.tags,
            service_arns: Vec::new(),
        }
    }
}

impl CreateAccessLogSubscriptionInput {
    /// `resource_id`: the id of the service or service network the request
    /// names.
    pub(in crate::lattice) fn created(
        self,
        id: String,
        arn: String,
        resource_id: String,
    ) -> AccessLogSubscription {
        AccessLogSubscription {
            id,
            arn,
            resource_id,
            destination_arn: self.destination_arn,
            tags: self.tags,
        }
    }
}
