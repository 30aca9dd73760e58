//! The human form of a plan: a tree of the resulting Lattice resources, the
//! calls that make them, and each object's problems.

use std::fmt::Write;

use trellis::lattice::LatticeState;
use trellis::lattice::model::{HeaderMatchType, PathMatchType, RuleAction, RuleMatch, Tags};
use trellis::reconcile::PlanReport;
use trellis::reconcile::normalize::GatewayListenerStatus;

use self::state_index::StateIndex;

mod state_index;

/// Renders `report` as text for a terminal.
pub fn render(report: &PlanReport) -> String {
    let mut out = String::new();
    render_state(&mut out, &report.state);
    render_calls(&mut out, report);
    render_dns_endpoints(&mut out, report);
    render_statuses(&mut out, report);
    render_problems(&mut out, report);
    out
}

/// Renders `report` but for its state, which could not be read: the calls,
/// the statuses and the problems.
pub fn render_without_state(report: &PlanReport) -> String {
    let mut out = String::from("state: not read (see the error below)\n");
    render_calls(&mut out, report);
    render_statuses(&mut out, report);
    render_problems(&mut out, report);
    out
}

/// The controller that owns a resource (its `ManagedBy` tag), then the tags
/// that are not the controller's own (those plugins add), if any.
fn owner(tags: &Tags) -> String {
    let mut text = tags
        .get("application-networking.k8s.aws/ManagedBy")
        .map(|owner| format!("  [{owner}]"))
        .unwrap_or_default();
    let others: Vec<String> = tags
        .iter()
        .filter(|(key, _)| !key.starts_with("application-networking.k8s.aws/"))
        .map(|(key, value)| format!("{key}={value}"))
        .collect();
    if !others.is_empty() {
        text.push_str(&format!(" tags {{{}}}", others.join(", ")));
    }
    text
}

fn target_group_label(lookup: &StateIndex, id: &str) -> String {
    lookup
        .target_group(id)
        .map(|group| group.name.clone())
        .unwrap_or_else(|| id.to_string())
}

fn action(lookup: &StateIndex, action: &RuleAction) -> String {
    match action {
        RuleAction::FixedResponse(fixed) => format!("fixed-response {}", fixed.status_code),
        RuleAction::Forward(forward) => {
            let total: u32 = forward.target_groups.iter().map(|group| group.weight).sum();
            let groups: Vec<String> = forward
                .target_groups
                .iter()
                .map(|group| {
                    let share = (group.weight * 100).checked_div(total).unwrap_or(0);
                    format!(
                        "{} ({share}%)",
                        target_group_label(lookup, &group.target_group_identifier)
                    )
                })
                .collect();
            format!("forward → {}", groups.join(", "))
        }
    }
}

fn rule_match(match_: &RuleMatch) -> String {
    let http = &match_.http_match;
    let mut parts = Vec::new();
    if let Some(method) = &http.method {
        parts.push(method.clone());
    }
    if let Some(path) = &http.path_match {
        parts.push(match &path.match_ {
            PathMatchType::Exact(value) => format!("path = {value}"),
            PathMatchType::Prefix(value) => format!("path prefix {value}"),
        });
    }
    for header in &http.header_matches {
        let HeaderMatchType::Exact(value) = &header.match_;
        parts.push(format!("header {} = {value}", header.name));
    }
    parts.join(", ")
}

fn render_state(out: &mut String, state: &LatticeState) {
    let _ = writeln!(out, "Lattice resources after the plan:");
    let lookup = StateIndex::new(state);
    for network in &state.service_networks {
        let _ = writeln!(
            out,
            "  service network {} ({}){}",
            network.name,
            network.id,
            owner(&network.tags)
        );
        let vpcs = lookup
            .vpc_associations(&network.id)
            .iter()
            .map(|a| (format!("VPC {}", a.vpc_id), &a.tags));
        let services = lookup
            .service_associations(&network.id)
            .iter()
            .map(|a| (format!("service {}", a.service_name), &a.tags));
        for (member, tags) in vpcs.chain(services) {
            let _ = writeln!(out, "    ├─ {member}{}", owner(tags));
        }
    }
    for service in &state.services {
        let domain = service
            .custom_domain_name
            .as_deref()
            .unwrap_or(&service.dns_entry.domain_name);
        let auth = if service.auth_type == "NONE" {
            String::new()
        } else {
            format!(" auth {}", service.auth_type)
        };
        let _ = writeln!(
            out,
            "  service {} ({}) {domain}{auth}{}",
            service.name,
            service.id,
            owner(&service.tags)
        );
        if let Some(policy) = lookup.auth_policy(&service.id) {
            let _ = writeln!(
                out,
                "    ├─ auth policy {}",
                policy
                    .policy
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            );
        }
        for listener in lookup.listeners(&service.id) {
            let _ = writeln!(
                out,
                "    └─ listener {} {}:{} default {}",
                listener.name,
                listener.protocol,
                listener.port,
                action(&lookup, &listener.default_action)
            );
            let mut rules = lookup.rules(&listener.id).to_vec();
            rules.sort_by_key(|rule| rule.priority);
            let count = rules.len();
            for (index, rule) in rules.into_iter().enumerate() {
                let branch = if index + 1 == count {
                    "└─"
                } else {
                    "├─"
                };
                let _ = writeln!(
                    out,
                    "         {branch} rule {} priority {}: {} → {}",
                    rule.name,
                    rule.priority,
                    rule_match(&rule.match_),
                    action(&lookup, &rule.action)
                );
            }
        }
    }
    for group in &state.target_groups {
        let config = &group.config;
        let version = config
            .protocol_version
            .as_deref()
            .map(|v| format!(" {v}"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  target group {} ({}) {}{version}:{} in {}{}",
            group.name,
            group.id,
            config.protocol,
            config.port,
            config.vpc_identifier,
            owner(&group.tags)
        );
        let targets = lookup.targets(&group.id);
        let listed: Vec<String> = targets
            .map(|t| {
                t.targets
                    .iter()
                    .map(|target| format!("{}:{}", target.id, target.port))
                    .collect()
            })
            .unwrap_or_default();
        if !listed.is_empty() {
            let _ = writeln!(out, "    └─ targets {}", listed.join(", "));
        }
    }
}

fn render_calls(out: &mut String, report: &PlanReport) {
    let _ = writeln!(out, "\nCalls ({}):", report.calls.len());
    for call in &report.calls {
        let input = call.input.to_value();
        let field = |name: &str| input.get(name).and_then(|value| value.as_str());
        let subject = match (field("name"), field("serviceNetworkIdentifier")) {
            (Some(name), _) => name.to_owned(),
            (None, Some(network)) => {
                let member = field("vpcIdentifier")
                    .or_else(|| field("serviceIdentifier"))
                    .unwrap_or("");
                format!("{network} ↔ {member}")
            }
            (None, None) => field("targetGroupIdentifier").unwrap_or("").to_owned(),
        };
        let _ = writeln!(out, "  [{}] {} {subject}", call.cluster, call.operation);
    }
}

/// The ExternalDNS `DNSEndpoint`s the routes get; nothing when there are none.
fn render_dns_endpoints(out: &mut String, report: &PlanReport) {
    if report.dns_endpoints.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\nDNSEndpoints (externaldns.k8s.io/v1alpha1, written where the CRD is served):"
    );
    for endpoint in &report.dns_endpoints {
        let _ = writeln!(
            out,
            "  [{}] {}/{} (owner {}): {} CNAME {} (TTL {})",
            endpoint.cluster,
            endpoint.route.namespace,
            endpoint.name,
            endpoint.route,
            endpoint.dns_name,
            endpoint.target,
            endpoint.record_ttl
        );
    }
}

fn render_statuses(out: &mut String, report: &PlanReport) {
    let _ = writeln!(
        out,
        "\nStatus conditions ({} objects):",
        report.statuses.len()
    );
    for status in &report.statuses {
        let conditions = conditions_line(
            status
                .conditions
                .iter()
                .map(|condition| (condition.type_, condition.status, condition.reason.as_str())),
        );
        let _ = writeln!(
            out,
            "  [{}] {}: {conditions}",
            status.cluster, status.object
        );
        if let Some(gateway) = &status.gateway {
            render_listeners(out, gateway);
        }
    }
}

/// Conditions as `Type=Status (Reason)`, comma-separated, from their
/// `(type, status, reason)`.
fn conditions_line<'a>(conditions: impl Iterator<Item = (&'a str, &'a str, &'a str)>) -> String {
    conditions
        .map(|(type_, status, reason)| format!("{type_}={status} ({reason})"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A Gateway's listener statuses and address, one line each.
fn render_listeners(out: &mut String, gateway: &GatewayListenerStatus) {
    for listener in &gateway.listeners {
        let conditions = conditions_line(
            listener
                .conditions
                .iter()
                .map(|condition| (condition.type_, condition.status, condition.reason)),
        );
        let _ = writeln!(
            out,
            "      listener {}: {} attached route(s), {conditions}",
            listener.name, listener.attached_routes
        );
    }
    for address in &gateway.addresses {
        let _ = writeln!(out, "      address {}: {}", address.type_, address.value);
    }
}

fn render_problems(out: &mut String, report: &PlanReport) {
    let _ = writeln!(out, "\nProblems ({}):", report.problems.len());
    for problem in &report.problems {
        let _ = writeln!(out, "  {problem}");
    }
}
