//! `plan` and `apply`: translate every cluster's objects and reconcile them
//! against one shared Lattice (in memory for `plan`, the real API for
//! `apply`), phase by phase, as the controllers of a multi-cluster mesh
//! converge.
//!
//! Phases, each over every cluster in order: default service networks and
//! VPC associations, and ServiceNetwork objects; Gateways (their service
//! network must exist; their VpcAssociationPolicy, IAMAuthPolicy and
//! AccessLogPolicies apply); ServiceExports (their target groups, so any
//! cluster's imports find them); routes (with their AccessLogPolicies; then
//! the cluster's Gateways' listener statuses and address again, with the
//! routes' domain names, and every policy's verdict); with
//! [`Prune::Yes`], each cluster's prune (services of deleted routes, then
//! unused target groups; skipped, with a `PruneSkipped` problem, for a
//! cluster whose input left objects out). The problems of the objects left
//! out of the input come first. An object that fails before its first call is
//! reported as a [`Problem`] and makes no Lattice call; one that fails
//! midway keeps what was made and is finished by the next reconcile; the
//! other objects go on either way.

pub mod access_log_policy;
mod access_logs;
pub mod certificate;
pub mod conditions;
pub mod dns_endpoint;
mod networks;
pub mod vpc_association_policy;

pub use access_logs::AccessLogSubscribed;
use access_logs::LoggedResource;

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use self::conditions::ObjectStatus;
use self::dns_endpoint::DnsEndpoint;
use crate::acm::{Certificates, PendingCertificates};
use crate::config::ClusterConfig;
use crate::kube::{ClusterInput, TypedKind};
use crate::lattice::model::{Service, ServiceNetwork};
use crate::lattice::{InMemoryLattice, Lattice, LatticeError, LatticeState};
use crate::object::{Kind, ObjectRef, Problem};
use crate::plugin::PluginSet;
use crate::plugin::bindings::types::{ObjectMeta, RouteInput, TargetGroupSource};
use crate::reconcile::apply::resolve;
use crate::reconcile::apply::{self, Applier, Call};
use crate::reconcile::normalize::{self, GatewayListenerStatus};
use crate::reconcile::translate::ObjectTranslator;
use crate::reconcile::translate::convert::{self, TargetGroupIds};
use crate::reconcile::translate::desired::DesiredRoute;

/// The result of a plan or apply: `plan --output json` and
/// `apply --output json` print it.
#[derive(Debug, Clone, Serialize)]
pub struct PlanReport {
    /// Every mutating call, in the order made.
    pub calls: Vec<Call>,
    /// The Lattice state after the calls.
    pub state: LatticeState,
    /// Every object's problems, in the order found.
    pub problems: Vec<Problem>,
    /// The status conditions of every Lattice Gateway and route, in the order
    /// planned.
    pub statuses: Vec<ObjectStatus>,
    /// The ExternalDNS `DNSEndpoint`s of the routes applied, in the order
    /// planned (written only where the API server serves the CRD).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub dns_endpoints: Vec<DnsEndpoint>,
}

/// What a reconcile did: the report without the state.
#[derive(Debug, Clone)]
pub struct Reconciled {
    pub calls: Vec<Call>,
    pub problems: Vec<Problem>,
    pub statuses: Vec<ObjectStatus>,
    /// The plugins that translated each Gateway, route and ServiceExport.
    pub produced_by: Vec<ProducedBy>,
    /// The `DNSEndpoint`s of the routes applied.
    pub dns_endpoints: Vec<DnsEndpoint>,
    /// The subscriptions of the AccessLogPolicies applied.
    pub subscriptions: Vec<AccessLogSubscribed>,
}

/// The plugin chain that translated one object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProducedBy {
    /// The object's cluster.
    pub cluster: String,
    /// The object.
    pub object: ObjectRef,
    /// `name version` of each plugin of its chain, comma-separated.
    pub plugins: String,
}

impl Reconciled {
    /// The plugins that translated `object`, if it was translated.
    pub fn produced_by(&self, object: &ObjectRef) -> Option<&str> {
        self.produced_by
            .iter()
            .find(|produced| &produced.object == object)
            .map(|produced| produced.plugins.as_str())
    }
}

impl Reconciled {
    /// The report, with the state after the calls.
    pub fn with_state(self, state: LatticeState) -> PlanReport {
        PlanReport {
            calls: self.calls,
            state,
            problems: self.problems,
            statuses: self.statuses,
            dns_endpoints: self.dns_endpoints,
        }
    }
}

/// Plans `clusters` against the in-memory `lattice`, translating with
/// `plugin`; nothing is pruned. Certificates to discover are pending
/// (`certificate::pending_certificate`): nothing is asked of ACM.
pub async fn plan(
    clusters: &[ClusterInput],
    plugins: &PluginSet,
    lattice: &InMemoryLattice,
) -> PlanReport {
    reconcile(clusters, plugins, lattice, &PendingCertificates, Prune::No)
        .await
        .with_state(lattice.state())
}

/// [`plan`], discovering certificates through `certificates`, and taking
/// the inputs: the manifests are dropped once reconciled and the state is
/// taken without a copy, so a large plan holds neither twice.
pub async fn plan_with_certificates(
    clusters: Vec<ClusterInput>,
    plugins: &PluginSet,
    lattice: InMemoryLattice,
    certificates: &dyn Certificates,
) -> PlanReport {
    let reconciled = reconcile(&clusters, plugins, &lattice, certificates, Prune::No).await;
    drop(clusters);
    reconciled.with_state(lattice.into_state())
}

/// Whether a reconcile deletes what objects that are gone left behind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prune {
    /// Only the input's objects are touched.
    No,
    /// Also delete this controller's services whose route is not in the
    /// input, and its unused target groups (see the apply stage's `prune`).
    Yes,
}

/// Reconciles `clusters` against `lattice`, translating with `plugin` and
/// discovering routes' certificates through `certificates`: the phases of
/// the module doc, then (with [`Prune::Yes`]) each cluster's prune.
pub async fn reconcile(
    clusters: &[ClusterInput],
    plugins: &PluginSet,
    lattice: &dyn Lattice,
    certificates: &dyn Certificates,
    prune: Prune,
) -> Reconciled {
    let mut run = Run::new(lattice, certificates, None);
    for cluster in clusters {
        run.problems.extend(cluster.left_out.iter().cloned());
    }
    for cluster in clusters {
        run.default_network(cluster, plugins).await;
        run.service_network_objects(cluster, plugins).await;
    }
    for cluster in clusters {
        run.gateways(cluster, plugins).await;
    }
    for cluster in clusters {
        run.exports(cluster, plugins).await;
    }
    for cluster in clusters {
        run.routes(cluster, plugins).await;
        run.problems.extend(normalize::policy_verdicts(
            &cluster.snapshot,
            &cluster.config,
        ));
    }
    if prune == Prune::Yes {
        for cluster in clusters {
            let listed = run.list_for_prune().await;
            run.prune(cluster, listed).await;
        }
    }
    run.finish()
}

/// Reconciles one object of `cluster`: a `Gateway`, a `ServiceExport` or a
/// route (`HTTPRoute`, `GRPCRoute`, `TLSRoute`) runs only that object's
/// phase; `ServiceNetwork` (any name) runs the cluster's default network and
/// ServiceNetwork objects. The other objects of the snapshot are read (a
/// route's Gateway, Services, imports) but not reconciled. Nothing is pruned.
pub async fn reconcile_object(
    cluster: &ClusterInput,
    plugins: &PluginSet,
    lattice: &dyn Lattice,
    certificates: &dyn Certificates,
    object: &ObjectRef,
) -> Reconciled {
    let mut run = Run::new(lattice, certificates, Some(object.clone()));
    match object.kind {
        Kind::ServiceNetwork => {
            run.default_network(cluster, plugins).await;
            run.service_network_objects(cluster, plugins).await;
        }
        Kind::Gateway => run.gateways(cluster, plugins).await,
        Kind::ServiceExport => run.exports(cluster, plugins).await,
        _ => run.routes(cluster, plugins).await,
    }
    run.finish()
}

/// The prune of [`Prune::Yes`] for one cluster alone: deletes this
/// cluster's services whose route is not in the cluster's snapshot, then its
/// target groups that no object of the snapshot protects and no service
/// uses; nothing (a `PruneSkipped` problem) when objects were left out of
/// its input.
///
/// Lattice is listed first and `input` read after: an object whose
/// resources the listing shows was made before them, so it is in the
/// snapshot unless it is gone (a route created meanwhile never loses the
/// service its first reconcile just made).
pub async fn prune_cluster(
    lattice: &dyn Lattice,
    input: impl FnOnce() -> ClusterInput,
) -> Reconciled {
    let mut run = Run::new(lattice, &PendingCertificates, None);
    let listed = run.list_for_prune().await;
    run.prune(&input(), listed).await;
    run.finish()
}

/// The services and target groups a prune starts from.
type Listed = Result<(Vec<Service>, Vec<crate::lattice::model::TargetGroup>), LatticeError>;

struct Run<'a> {
    lattice: &'a dyn Lattice,
    certificates: &'a dyn Certificates,
    /// The one object reconciled, when not all.
    only: Option<ObjectRef>,
    calls: Vec<Call>,
    problems: Vec<Problem>,
    /// Gateways and routes planned, with their cluster, for their statuses.
    planned: Vec<(String, ObjectRef)>,
    /// The AccessLogPolicies' subscriptions made or found.
    subscriptions: Vec<AccessLogSubscribed>,
    /// The listener statuses and addresses of the Gateways planned.
    gateway_listeners: Vec<(String, ObjectRef, GatewayListenerStatus)>,
    /// The Lattice domain names of the routes applied, for the addresses of
    /// the Gateways planned.
    domains: Vec<(ObjectRef, String)>,
    /// Routes whose Lattice resources were all made.
    applied: Vec<(String, ObjectRef)>,
    /// Target groups found or made, by id.
    ensured: Vec<String>,
    produced_by: Vec<ProducedBy>,
    dns_endpoints: Vec<DnsEndpoint>,
    /// The message of a Gateway's `Programmed` condition when it holds and
    /// there is more to say (its network is another account's), by cluster.
    programmed_notes: Vec<(String, ObjectRef, String)>,
}

fn lattice_problem(cluster: &ClusterConfig, object: &ObjectRef, error: &LatticeError) -> Problem {
    Problem {
        cluster: cluster.cluster_name.clone(),
        object: object.clone(),
        field: None,
        reason: "LatticeError".into(),
        message: error.to_string(),
        plugin: None,
        lattice_error: Some(error.clone()),
    }
}

/// The problem of a prune skipped because objects of `cluster`'s input
/// were left out: what they own would look unowned and be deleted.
fn prune_skipped(cluster: &ClusterInput) -> Problem {
    Problem {
        cluster: cluster.config.cluster_name.clone(),
        object: ObjectRef::new(Kind::Cluster, "", &cluster.config.cluster_name),
        field: None,
        reason: "PruneSkipped".into(),
        message: format!(
            "nothing is pruned: {} document(s) or object(s) of the input were left out \
             (see their problems), and what they own must not be deleted",
            cluster.left_out.len()
        ),
        plugin: None,
        lattice_error: None,
    }
}

impl<'a> Run<'a> {
    /// Keeps the calls `applier` made, and a failed `result` as a problem
    /// on `object`; the value when it succeeded.
    fn applied<T>(
        &mut self,
        cluster: &ClusterConfig,
        object: &ObjectRef,
        applier: Applier<'_>,
        result: Result<T, LatticeError>,
    ) -> Option<T> {
        self.calls.extend(applier.into_calls());
        result
            .map_err(|error| self.problems.push(lattice_problem(cluster, object, &error)))
            .ok()
    }

    /// The value of a translation, or `None` with its problem kept.
    fn translated<T>(&mut self, result: Result<T, Problem>) -> Option<T> {
        result.map_err(|problem| self.problems.push(problem)).ok()
    }

    fn new(
        lattice: &'a dyn Lattice,
        certificates: &'a dyn Certificates,
        only: Option<ObjectRef>,
    ) -> Self {
        Self {
            lattice,
            certificates,
            only,
            calls: Vec::new(),
            problems: Vec::new(),
            planned: Vec::new(),
            subscriptions: Vec::new(),
            gateway_listeners: Vec::new(),
            domains: Vec::new(),
            applied: Vec::new(),
            ensured: Vec::new(),
            produced_by: Vec::new(),
            dns_endpoints: Vec::new(),
            programmed_notes: Vec::new(),
        }
    }

    /// Records that `translator`'s chain for `owner` translated `object`.
    fn translated_by(
        &mut self,
        cluster: &ClusterInput,
        object: &ObjectRef,
        translator: &ObjectTranslator<'_>,
        owner: &ObjectMeta,
    ) {
        self.produced_by.push(ProducedBy {
            cluster: cluster.config.cluster_name.clone(),
            object: object.clone(),
            plugins: translator.produced_by(owner),
        });
    }

    /// Whether `object` is reconciled by this run.
    fn selected(&self, object: &ObjectRef) -> bool {
        self.only.as_ref().is_none_or(|only| only == object)
    }

    fn finish(self) -> Reconciled {
        let statuses = self.statuses();
        Reconciled {
            calls: self.calls,
            problems: self.problems,
            statuses,
            produced_by: self.produced_by,
            dns_endpoints: self.dns_endpoints,
            subscriptions: self.subscriptions,
        }
    }

    /// The status of every object planned, from its problems (in the order
    /// they were found) and whether it was applied; costs one pass over
    /// the problems and the applied objects, not one per object.
    fn statuses(&self) -> Vec<ObjectStatus> {
        let mut problems_of: HashMap<(&str, &ObjectRef), Vec<&Problem>> = HashMap::new();
        for problem in &self.problems {
            problems_of
                .entry((problem.cluster.as_str(), &problem.object))
                .or_default()
                .push(problem);
        }
        let applied: HashSet<(&str, &ObjectRef)> = self
            .applied
            .iter()
            .map(|(cluster, object)| (cluster.as_str(), object))
            .collect();
        self.planned
            .iter()
            .map(|(cluster, object)| {
                let problems = problems_of
                    .get(&(cluster.as_str(), object))
                    .map_or(&[][..], Vec::as_slice);
                if object.kind == Kind::Gateway {
                    let listeners = self
                        .gateway_listeners
                        .iter()
                        .find(|(c, o, _)| c == cluster && o == object)
                        .map(|(_, _, listeners)| listeners.clone());
                    let mut status =
                        conditions::gateway_status(cluster, object, problems, listeners);
                    self.note_programmed(cluster, &mut status);
                    status
                } else {
                    let applied = applied.contains(&(cluster.as_str(), object));
                    conditions::route_status(cluster, object, problems, applied)
                }
            })
            .collect()
    }

    /// Puts the note kept for `status`'s object (if any) in its holding
    /// `Programmed` condition.
    fn note_programmed(&self, cluster: &str, status: &mut ObjectStatus) {
        let Some((_, _, note)) = self
            .programmed_notes
            .iter()
            .find(|(c, object, _)| c == cluster && *object == status.object)
        else {
            return;
        };
        for condition in &mut status.conditions {
            if condition.type_ == "Programmed" && condition.status == "True" {
                condition.message = note.clone();
            }
        }
    }

    fn applier(&self, cluster: &ClusterConfig) -> Applier<'a> {
        Applier::new(self.lattice, &cluster.cluster_name)
    }

    async fn default_network(&mut self, cluster: &ClusterInput, plugins: &PluginSet) {
        let translator = ObjectTranslator::new(plugins, &cluster.config, &cluster.snapshot);
        let desired = match translator.default_network().await {
            Ok(Some(desired)) => desired,
            Ok(None) => return,
            Err(problem) => return self.problems.push(problem),
        };
        let mut applier = self.applier(&cluster.config);
        let result = applier
            .default_network(&desired, &cluster.config.account_id)
            .await;
        let object = ObjectRef::new(Kind::Cluster, "", &cluster.config.cluster_name);
        self.applied(&cluster.config, &object, applier, result);
    }

    /// (Re)computes the listener statuses and addresses of the Gateways of
    /// `cluster` planned, with the domain names of the routes applied so far.
    fn gateway_listeners(&mut self, cluster: &ClusterInput) {
        let name = &cluster.config.cluster_name;
        self.gateway_listeners.retain(|(c, _, _)| c != name);
        for gateway in normalize::lattice_gateways(&cluster.snapshot) {
            let object = TypedKind::reference(gateway);
            if !self.planned.iter().any(|(c, o)| c == name && *o == object) {
                continue;
            }
            let listeners =
                normalize::gateway_listener_status(&cluster.snapshot, gateway, &self.domains);
            self.gateway_listeners
                .push((name.clone(), object, listeners));
        }
    }

    async fn gateways(&mut self, cluster: &ClusterInput, plugins: &PluginSet) {
        let translator = ObjectTranslator::new(plugins, &cluster.config, &cluster.snapshot);
        self.gateways_of(cluster, &translator).await;
        self.gateway_listeners(cluster);
    }

    async fn gateways_of(&mut self, cluster: &ClusterInput, translator: &ObjectTranslator<'_>) {
        for gateway in normalize::lattice_gateways(&cluster.snapshot) {
            let input = normalize::gateway_input(&cluster.snapshot, gateway);
            let object = ObjectRef::new(Kind::Gateway, &input.meta.namespace, &input.meta.name);
            if !self.selected(&object) {
                continue;
            }
            self.planned
                .push((cluster.config.cluster_name.clone(), object.clone()));
            self.translated_by(cluster, &object, translator, &input.meta);
            let Some(name) = self.translated(translator.gateway(&object, &input).await) else {
                continue;
            };
            let name = cluster.config.service_network_name(&name).to_owned();
            let found = apply::find_network(self.lattice, &name, &cluster.config.vpc_id).await;
            match found {
                Ok(Some(network)) => {
                    if apply::is_shared(&network, &cluster.config.account_id) {
                        self.programmed_notes.push((
                            cluster.config.cluster_name.clone(),
                            object.clone(),
                            networks::shared_network_note(&network),
                        ));
                    }
                    self.vpc_association_policy(cluster, translator, gateway, &network)
                        .await;
                    self.gateway_auth_policy(cluster, translator, &object, &input, &network)
                        .await;
                    self.access_log_policies(
                        cluster,
                        translator,
                        &object,
                        &input.policies,
                        LoggedResource {
                            id: &network.id,
                            name: &network.name,
                        },
                    )
                    .await;
                }
                Ok(None) => self.problems.push(Problem {
                    cluster: cluster.config.cluster_name.clone(),
                    object,
                    field: Some("metadata.name".into()),
                    reason: "Pending".into(),
                    message: format!("VPC Lattice Service Network {name} not found"),
                    plugin: None,
                    lattice_error: None,
                }),
                Err(error) => self
                    .problems
                    .push(lattice_problem(&cluster.config, &object, &error)),
            }
        }
    }

    async fn exports(&mut self, cluster: &ClusterInput, plugins: &PluginSet) {
        let translator = ObjectTranslator::new(plugins, &cluster.config, &cluster.snapshot);
        for (object, input) in normalize::exports(&cluster.snapshot, &cluster.config) {
            if !self.selected(&object) {
                continue;
            }
            self.translated_by(cluster, &object, &translator, &input.meta);
            let Some(groups) = self.translated(translator.export(&object, &input).await) else {
                continue;
            };
            let mut applier = self.applier(&cluster.config);
            let mut failure = None;
            for group in &groups {
                if let Err(error) = applier.target_group(group).await {
                    failure = Some(error);
                    break;
                }
            }
            self.ensured
                .extend_from_slice(applier.ensured_target_groups());
            self.calls.extend(applier.into_calls());
            if let Some(error) = failure {
                self.problems
                    .push(lattice_problem(&cluster.config, &object, &error));
            }
        }
    }

    /// The routes of `cluster`, then the listener statuses and addresses of
    /// its Gateways planned again (with the routes' domain names).
    async fn routes(&mut self, cluster: &ClusterInput, plugins: &PluginSet) {
        self.routes_of(cluster, plugins).await;
        if self
            .gateway_listeners
            .iter()
            .any(|(c, _, _)| *c == cluster.config.cluster_name)
        {
            self.gateway_listeners(cluster);
        }
    }

    async fn routes_of(&mut self, cluster: &ClusterInput, plugins: &PluginSet) {
        let translator = ObjectTranslator::new(plugins, &cluster.config, &cluster.snapshot);
        let normalized_routes = match &self.only {
            Some(only) => normalize::route(&cluster.snapshot, &cluster.config, only)
                .into_iter()
                .collect(),
            None => normalize::routes(&cluster.snapshot, &cluster.config),
        };
        for normalized in normalized_routes {
            self.planned.push((
                cluster.config.cluster_name.clone(),
                normalized.object.clone(),
            ));
            self.problems.extend(normalized.problems);
            let Some(input) = normalized.input else {
                continue;
            };
            self.translated_by(cluster, &normalized.object, &translator, &input.meta);
            let translation = translator.route(&normalized.object, &input).await;
            let Some(desired) = self.translated(translation) else {
                continue;
            };
            let desired = with_network_override(&cluster.config, desired);
            let desired = match certificate::with_certificate(
                self.certificates,
                &cluster.config,
                &input,
                desired,
            )
            .await
            {
                Ok(desired) => desired,
                Err(problem) => {
                    self.problems.push(*problem);
                    continue;
                }
            };
            let prepared = match self.prepare_route(&cluster.config, &input, &desired).await {
                Ok(prepared) => prepared,
                Err(problem) => {
                    self.problems.push(*problem);
                    continue;
                }
            };
            let mut applier = self.applier(&cluster.config);
            let result = applier
                .route(
                    &desired,
                    prepared.existing,
                    &prepared.networks,
                    prepared.ids,
                )
                .await;
            self.ensured
                .extend_from_slice(applier.ensured_target_groups());
            self.calls.extend(applier.into_calls());
            match result {
                Ok(service) => {
                    self.applied.push((
                        cluster.config.cluster_name.clone(),
                        normalized.object.clone(),
                    ));
                    self.retire_renamed_services(cluster, &normalized.object, &service.id)
                        .await;
                    self.dns_endpoints
                        .extend(desired.dns_record.as_ref().and_then(|record| {
                            DnsEndpoint::new(
                                &cluster.config.cluster_name,
                                &normalized.object,
                                record,
                                &service.dns_entry.domain_name,
                            )
                        }));
                    self.record_domain(cluster, &normalized.object, &service.dns_entry.domain_name);
                    self.access_log_policies(
                        cluster,
                        &translator,
                        &normalized.object,
                        &input.policies,
                        LoggedResource {
                            id: &service.id,
                            name: &service.name,
                        },
                    )
                    .await;
                }
                Err(error) => {
                    self.problems
                        .push(lattice_problem(&cluster.config, &normalized.object, &error))
                }
            }
        }
    }

    /// Deletes the route's services of an older name, now that the service
    /// `service_id` is programmed; a failure is the route's problem.
    async fn retire_renamed_services(
        &mut self,
        cluster: &ClusterInput,
        route: &ObjectRef,
        service_id: &str,
    ) {
        let mut applier = self.applier(&cluster.config);
        let result = applier
            .retire_renamed_services(&cluster.config.managed_by(), route, service_id)
            .await;
        self.applied(&cluster.config, route, applier, result);
    }

    /// Records `route`'s service domain name when a Gateway of `cluster` is
    /// planned (its address may be that name).
    fn record_domain(&mut self, cluster: &ClusterInput, route: &ObjectRef, domain_name: &str) {
        let name = &cluster.config.cluster_name;
        if !self.gateway_listeners.iter().any(|(c, _, _)| c == name) {
            return;
        }
        self.domains.push((route.clone(), domain_name.to_owned()));
    }

    /// Lists the services and target groups a prune looks at.
    async fn list_for_prune(&self) -> Listed {
        let services = self.lattice.list_services().await?;
        let groups = self.lattice.list_target_groups().await?;
        Ok((services, groups))
    }

    /// Deletes this cluster's services whose route is gone, then its unused
    /// target groups, among those `listed` (before `cluster` was read); a
    /// failure is the cluster's problem.
    async fn prune(&mut self, cluster: &ClusterInput, listed: Listed) {
        let config = &cluster.config;
        if !cluster.left_out.is_empty() {
            self.problems.push(prune_skipped(cluster));
            return;
        }
        let routes: Vec<ObjectRef> = normalize::routes(&cluster.snapshot, config)
            .into_iter()
            .map(|route| route.object)
            .collect();
        let exports: Vec<ObjectRef> = normalize::exports(&cluster.snapshot, config)
            .into_iter()
            .map(|(object, _)| object)
            .collect();
        let sources: Vec<ObjectRef> = routes.iter().chain(&exports).cloned().collect();
        // Target groups of a route applied this time that it no longer uses
        // are garbage; those of a route that failed, or of an export, are
        // protected while the object exists.
        let protecting: Vec<ObjectRef> = routes
            .iter()
            .filter(|route| {
                !self
                    .applied
                    .iter()
                    .any(|(name, applied)| *name == config.cluster_name && applied == *route)
            })
            .chain(&exports)
            .cloned()
            .collect();
        let mut applier = self.applier(config);
        let result = match listed {
            Ok((services, groups)) => {
                let pruned = applier
                    .prune_services(&services, &config.managed_by(), &sources)
                    .await;
                match pruned {
                    Ok(()) => {
                        applier
                            .collect_target_groups(&groups, config, &self.ensured, &protecting)
                            .await
                    }
                    Err(error) => Err(error),
                }
            }
            Err(error) => Err(error),
        };
        let object = ObjectRef::new(Kind::Cluster, "", &config.cluster_name);
        self.applied(config, &object, applier, result);
    }

    /// The read-only checks before a route's first call: its service networks
    /// exist, an existing service of the same name is its own and holds no
    /// listener or rule of others where the route needs one, and every
    /// ServiceImport it forwards to resolves.
    async fn prepare_route(
        &self,
        cluster: &ClusterConfig,
        input: &RouteInput,
        desired: &DesiredRoute,
    ) -> Result<PreparedRoute, Box<Problem>> {
        let object = &desired.object;
        let problem = |field: Option<String>, reason: &str, message: String| {
            Box::new(Problem {
                cluster: cluster.cluster_name.clone(),
                object: object.clone(),
                field,
                reason: reason.into(),
                message,
                plugin: None,
                lattice_error: None,
            })
        };
        let lattice_error =
            |error: LatticeError| Box::new(lattice_problem(cluster, object, &error));

        let mut networks = Vec::new();
        for association in &desired.associations {
            let found =
                apply::find_network(self.lattice, &association.service_network, &cluster.vpc_id)
                    .await;
            match found.map_err(lattice_error)? {
                Some(network) => networks.push(network),
                None => {
                    return Err(problem(
                        Some("spec.parentRefs".into()),
                        "ServiceNetworkNotFound",
                        format!(
                            "VPC Lattice Service Network {} not found",
                            association.service_network
                        ),
                    ));
                }
            }
        }

        let existing = self
            .lattice
            .find_service(&desired.service.name)
            .await
            .map_err(lattice_error)?;
        if let Some(service) = &existing {
            ownership(cluster, service, desired)
                .map_err(|message| problem(None, "Conflicted", message))?;
            let conflict = apply::route_conflict(self.lattice, &service.id, desired)
                .await
                .map_err(lattice_error)?;
            if let Some(message) = conflict {
                return Err(problem(None, "Conflicted", message));
            }
        }

        let mut ids = TargetGroupIds::new();
        for key in desired.forwarded_keys() {
            if key.source != TargetGroupSource::ServiceImport {
                continue;
            }
            let (import, field) = resolve::import_reference(input, key);
            let resolved = resolve::import_target_group(self.lattice, key, import)
                .await
                .map_err(lattice_error)?;
            match resolved {
                Ok(group) => {
                    ids.insert(convert::key_string(key), group.id.clone());
                }
                Err(unresolved) => {
                    return Err(problem(field, unresolved.reason, unresolved.message));
                }
            }
        }
        Ok(PreparedRoute {
            existing,
            networks,
            ids,
        })
    }
}

/// In override mode, a route associates only with the default network (the
/// first association's tags kept); otherwise `desired` as it is.
fn with_network_override(cluster: &ClusterConfig, mut desired: DesiredRoute) -> DesiredRoute {
    if let (Some(default), true) = (
        &cluster.default_service_network,
        cluster.service_network_override,
    ) {
        desired.associations.truncate(1);
        for association in &mut desired.associations {
            association.service_network = default.clone();
        }
    }
    desired
}

/// What a route's apply needs from its read-only checks.
struct PreparedRoute {
    existing: Option<Service>,
    networks: Vec<ServiceNetwork>,
    ids: TargetGroupIds,
}

/// Whether the route may use an existing service of its name (upstream
/// `checkAndUpdateTags`): it is the route's own, it is untagged (adopted, as
/// upstream's `TryOwnFromTags` does), or the route takes it over from the
/// controller its `allow-takeover-from` names; `Err` with the conflict
/// otherwise. Applying the route's tags then makes the service its own.
fn ownership(
    cluster: &ClusterConfig,
    service: &Service,
    desired: &DesiredRoute,
) -> Result<(), String> {
    let managed_by = apply::managed_by(&service.tags);
    if let Some(owner) = managed_by.filter(|owner| *owner != cluster.managed_by()) {
        if desired.allow_takeover_from.as_deref() == Some(owner) {
            return Ok(());
        }
        return Err(format!(
            "Found existing resource not owned by controller: {}",
            service.arn
        ));
    }
    let conflicting = ["RouteName", "RouteNamespace", "RouteType"]
        .iter()
        .any(|key| {
            let found = apply::controller_tag(&service.tags, key);
            let wanted = apply::controller_tag(&desired.service.tags, key);
            matches!((found, wanted), (Some(found), Some(wanted)) if found != wanted)
        });
    if conflicting {
        return Err(format!(
            "Found existing resource with conflicting service name: {}",
            service.arn
        ));
    }
    Ok(())
}
