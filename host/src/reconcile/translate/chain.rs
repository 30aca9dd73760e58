//! One object's plugin chain at work: which plugin is asked, in what order,
//! and how the answers combine (DESIGN, "The plugin boundary").
//!
//! - **Translation** runs from the end of the chain to its start: the
//!   default plugin (always last) translates first with no `previous`, and
//!   each plugin before it refines the result so far. The first plugin of
//!   the chain has the final word.
//! - **Naming**, **auth** and **DNS records**: plugins are asked in chain
//!   order; the first answer wins (per subject for naming) and `none`
//!   defers to the next. A DNS record nobody decides is upstream's.
//! - **Tagging**: every plugin is asked; the tag lists merge per subject,
//!   earlier plugins winning on the same key. Only the default plugin may set
//!   the controller's ownership tags.
//!
//! Guarantees: every plugin's output is validated on its own, before it is
//! combined, so a problem names the plugin that produced the bad output;
//! the combined names and tags are validated again. A plugin that does not
//! export an interface is skipped for it. Any failure is one
//! [`Problem`] for the object; nothing is partially combined.
//!
//! A chain is one object's: it holds one [`PluginSession`] per plugin, so
//! each plugin is instantiated at most once for the object (on its first
//! call) and that instance serves all of the object's calls; the chain, and
//! with it every instance, is dropped when the object is translated.

use crate::object::ProblemSource;
use crate::object::{ObjectRef, Problem};
use crate::plugin::bindings::auth::AuthPolicy;
use crate::plugin::bindings::dns::{DnsDecision, DnsRecord};
use crate::plugin::bindings::naming::NamingSubject;
use crate::plugin::bindings::tagging::TaggingSubject;
use crate::plugin::bindings::types::{
    CallContext, ClusterContext, ExportInput, GatewayInput, KeyValue, ObjectMeta, RouteInput,
    RouteTranslation, TargetGroupSpec,
};
use crate::plugin::{ChainLabel, Interface, Plugin, PluginError, PluginSession};
use crate::reconcile::translate::validate;

/// The TTL of upstream's DNS records, in seconds.
pub const UPSTREAM_DNS_TTL: u32 = 300;

/// The plugins that translate one object, with what every call's context
/// carries.
pub struct Chain<'a> {
    /// In chain order; the default plugin last.
    plugins: Vec<&'a Plugin>,
    /// One session per plugin of `plugins`, in the same order.
    sessions: Vec<PluginSession<'a>>,
    cluster: ClusterContext,
    namespace_labels: Vec<KeyValue>,
    /// The object problems are reported on, and its cluster.
    object: ObjectRef,
    cluster_name: String,
}

impl<'a> Chain<'a> {
    /// The chain `plugins` (default last) translating `object` of
    /// `cluster`, whose namespace has `namespace_labels`.
    pub fn new(
        plugins: Vec<&'a Plugin>,
        cluster: ClusterContext,
        namespace_labels: Vec<KeyValue>,
        object: ObjectRef,
    ) -> Self {
        let cluster_name = cluster.cluster_name.clone();
        let sessions = plugins.iter().map(|plugin| plugin.session()).collect();
        Self {
            plugins,
            sessions,
            cluster,
            namespace_labels,
            object,
            cluster_name,
        }
    }

    /// `name version` of every plugin of the chain, in order.
    pub fn label(&self) -> String {
        ChainLabel(&self.plugins).to_string()
    }

    /// The names of the chain's plugins, comma-separated: who a problem of
    /// the combined answers is about.
    fn names_of_plugins(&self) -> String {
        self.plugins
            .iter()
            .map(|plugin| plugin.name())
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn problem(&self, error: impl ProblemSource) -> Problem {
        error.into_problem(&self.cluster_name, &self.object)
    }

    /// The problem for `plugin`'s invalid answer to `function`, counted as
    /// a rejected output.
    fn rejected(
        &self,
        plugin: &Plugin,
        function: &'static str,
        error: validate::ValidationError,
    ) -> Problem {
        plugin.report_rejected(function);
        self.problem(error)
    }

    fn context(&self, plugin: &Plugin) -> CallContext {
        CallContext {
            cluster: self.cluster.clone(),
            config: plugin.config().to_owned(),
            namespace_labels: self.namespace_labels.clone(),
        }
    }

    /// The sessions of the chain's plugins that export `interface`, in
    /// chain order.
    fn exporting(
        &self,
        interface: Interface,
    ) -> impl DoubleEndedIterator<Item = &PluginSession<'a>> {
        self.sessions
            .iter()
            .filter(move |session| session.plugin().exports(interface))
    }

    /// A problem for a chain in which no plugin exports what is needed
    /// (only possible with a default plugin that lacks it).
    fn nobody(&self, function: &str) -> Problem {
        Problem {
            cluster: self.cluster_name.clone(),
            object: self.object.clone(),
            field: None,
            reason: "PluginLoadFailed".into(),
            message: format!(
                "no plugin of the chain ({}) exports {function}",
                self.label()
            ),
            plugin: None,
            lattice_error: None,
        }
    }

    /// What `call` answers, refined along the chain: the default plugin
    /// answers first with no previous result, each plugin before it is
    /// given the result so far. Every answer is validated with `validate`
    /// before it is passed on; `function` names the export in problems.
    async fn refine<'s, T, Answer>(
        &'s self,
        function: &'static str,
        call: impl Fn(&'s PluginSession<'a>, CallContext, Option<T>) -> Answer,
        validate: impl Fn(&str, &T) -> Result<(), validate::ValidationError>,
    ) -> Result<T, Problem>
    where
        Answer: Future<Output = Result<T, PluginError>>,
    {
        let mut result: Option<T> = None;
        for session in self.exporting(Interface::Translate).rev() {
            let plugin = session.plugin();
            let refined = call(session, self.context(plugin), result.take())
                .await
                .map_err(|error| self.problem(error))?;
            validate(plugin.name(), &refined)
                .map_err(|error| self.rejected(plugin, function, error))?;
            result = Some(refined);
        }
        result.ok_or_else(|| self.nobody(function))
    }

    /// The route's translation, refined along the chain.
    pub async fn translate_route(&self, input: &RouteInput) -> Result<RouteTranslation, Problem> {
        self.refine(
            "translate-route",
            |session, context, previous| async move {
                session
                    .translate_route(&context, input, previous.as_ref())
                    .await
            },
            validate::validate_route_translation,
        )
        .await
    }

    /// The target groups a ServiceExport exports, refined along the chain.
    pub async fn translate_export(
        &self,
        input: &ExportInput,
    ) -> Result<Vec<TargetGroupSpec>, Problem> {
        self.refine(
            "translate-export",
            |session, context, previous: Option<Vec<TargetGroupSpec>>| async move {
                session
                    .translate_export(&context, input, previous.as_deref())
                    .await
            },
            |plugin, specs| validate::validate_target_groups(plugin, specs),
        )
        .await
    }

    /// The service network a Gateway stands for, refined along the chain.
    pub async fn gateway_service_network(&self, input: &GatewayInput) -> Result<String, Problem> {
        self.refine(
            "gateway-service-network",
            |session, context, previous: Option<String>| async move {
                session
                    .gateway_service_network(&context, input, previous.as_deref())
                    .await
            },
            |plugin, name| validate::validate_service_network_name(plugin, name),
        )
        .await
    }

    /// One name per subject: for each, the first plugin's answer.
    pub async fn names(
        &self,
        owner: &ObjectMeta,
        subjects: &[NamingSubject],
    ) -> Result<Vec<String>, Problem> {
        let mut names: Vec<Option<String>> = vec![None; subjects.len()];
        for session in self.exporting(Interface::Naming) {
            if names.iter().all(Option::is_some) {
                break;
            }
            let plugin = session.plugin();
            let answers = session
                .name_resources(&self.context(plugin), owner, subjects)
                .await
                .map_err(|error| self.problem(error))?;
            validate::validate_name_answers(plugin.name(), subjects, &answers)
                .map_err(|error| self.rejected(plugin, "name", error))?;
            for (name, answer) in names.iter_mut().zip(answers) {
                if name.is_none() {
                    *name = answer;
                }
            }
        }
        validate::validate_names(&self.names_of_plugins(), subjects, &names)
            .map_err(|error| self.problem(error))?;
        Ok(names.into_iter().flatten().collect())
    }

    /// One tag list per subject: every plugin's tags merged, earlier plugins
    /// winning on the same key.
    pub async fn tags(
        &self,
        owner: &ObjectMeta,
        subjects: &[TaggingSubject],
    ) -> Result<Vec<Vec<KeyValue>>, Problem> {
        let default = self.plugins.last().copied();
        let mut merged: Vec<Vec<KeyValue>> = vec![Vec::new(); subjects.len()];
        for session in self.exporting(Interface::Tagging) {
            let plugin = session.plugin();
            let answers = session
                .tag_resources(&self.context(plugin), owner, subjects)
                .await
                .map_err(|error| self.problem(error))?;
            validate::validate_tags(plugin.name(), subjects, &answers)
                .map_err(|error| self.rejected(plugin, "tags", error))?;
            if !default.is_some_and(|default| std::ptr::eq(default, plugin)) {
                validate::validate_no_controller_tags(plugin.name(), &answers)
                    .map_err(|error| self.rejected(plugin, "tags", error))?;
            }
            for (tags, answer) in merged.iter_mut().zip(answers) {
                for tag in answer {
                    if !tags.iter().any(|kept| kept.key == tag.key) {
                        tags.push(tag);
                    }
                }
            }
        }
        validate::validate_tags(&self.names_of_plugins(), subjects, &merged)
            .map_err(|error| self.problem(error))?;
        Ok(merged)
    }

    /// The first auth policy a plugin answers with `call`, validated;
    /// `none` defers to the next plugin. `function` names the export in
    /// problems.
    async fn first_auth_policy<'s, Answer>(
        &'s self,
        function: &'static str,
        call: impl Fn(&'s PluginSession<'a>, CallContext) -> Answer,
    ) -> Result<Option<AuthPolicy>, Problem>
    where
        Answer: Future<Output = Result<Option<AuthPolicy>, PluginError>>,
    {
        for session in self.exporting(Interface::Auth) {
            let plugin = session.plugin();
            let answer = call(session, self.context(plugin))
                .await
                .map_err(|error| self.problem(error))?;
            validate::validate_auth_policy(plugin.name(), answer.as_ref())
                .map_err(|error| self.rejected(plugin, function, error))?;
            if answer.is_some() {
                return Ok(answer);
            }
        }
        Ok(None)
    }

    /// The auth policy of a route's service: the first plugin's answer.
    pub async fn route_auth_policy(
        &self,
        input: &RouteInput,
    ) -> Result<Option<AuthPolicy>, Problem> {
        self.first_auth_policy("route-auth-policy", |session, context| async move {
            session.route_auth_policy(&context, input).await
        })
        .await
    }

    /// The auth policy of a Gateway's service network: the first plugin's
    /// answer.
    pub async fn gateway_auth_policy(
        &self,
        input: &GatewayInput,
    ) -> Result<Option<AuthPolicy>, Problem> {
        self.first_auth_policy("gateway-auth-policy", |session, context| async move {
            session.gateway_auth_policy(&context, input).await
        })
        .await
    }

    /// The DNS record of a route whose service has the custom domain name
    /// `custom_domain`: the first plugin's decision, validated (`none`
    /// defers; `skip` is no record); when every plugin defers, or none
    /// exports `dns` (plugins built for 0.1.0), upstream's record: the
    /// custom domain with a TTL of [`UPSTREAM_DNS_TTL`].
    pub async fn route_dns_record(
        &self,
        input: &RouteInput,
        custom_domain: &str,
    ) -> Result<Option<DnsRecord>, Problem> {
        for session in self.exporting(Interface::Dns) {
            let plugin = session.plugin();
            let answer = session
                .route_dns_record(&self.context(plugin), input, custom_domain)
                .await
                .map_err(|error| self.problem(error))?;
            validate::validate_dns_decision(plugin.name(), answer.as_ref())
                .map_err(|error| self.rejected(plugin, "route-dns-record", error))?;
            match answer {
                Some(DnsDecision::Publish(record)) => return Ok(Some(record)),
                Some(DnsDecision::Skip) => return Ok(None),
                None => {}
            }
        }
        Ok(Some(DnsRecord {
            dns_name: custom_domain.to_owned(),
            ttl: UPSTREAM_DNS_TTL,
        }))
    }
}
