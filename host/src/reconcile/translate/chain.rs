//! One object's plugin chain at work: which plugin is asked, in what order,
//! and how the answers combine (DESIGN, "The plugin boundary").
//!
//! - **Translation** runs from the end of the chain to its start: the
//!   default plugin (always last) translates first with no `previous`, and
//!   each plugin before it refines the result so far. The first plugin of
//!   the chain has the final word.
//! - **Naming** and **auth**: plugins are asked in chain order; the first
//!   answer wins (per subject for naming) and `none` defers to the next.
//! - **Tagging**: every plugin is asked; the tag lists merge per subject,
//!   earlier plugins winning on the same key. Only the default plugin may set
//!   the controller's ownership tags.
//!
//! Guarantees: every plugin's output is validated on its own, before it is
//! combined, so a problem names the plugin that produced the bad output;
//! the combined names and tags are validated again. A plugin that does not
//! export an interface is skipped for it. Any failure is one
//! [`Problem`] for the object; nothing is partially combined.

use crate::object::ProblemSource;
use crate::object::{ObjectRef, Problem};
use crate::plugin::bindings::auth::AuthPolicy;
use crate::plugin::bindings::naming::NamingSubject;
use crate::plugin::bindings::tagging::TaggingSubject;
use crate::plugin::bindings::types::{
    CallContext, ClusterContext, ExportInput, GatewayInput, KeyValue, ObjectMeta, RouteInput,
    RouteTranslation, TargetGroupSpec,
};
use crate::plugin::{ChainLabel, Interface, Plugin};
use crate::reconcile::translate::validate;

/// The plugins that translate one object, with what every call's context
/// carries.
pub struct Chain<'a> {
    /// In chain order; the default plugin last.
    plugins: Vec<&'a Plugin>,
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
        Self {
            plugins,
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

    /// The chain's plugins that export `interface`, in chain order.
    fn exporting(&self, interface: Interface) -> impl DoubleEndedIterator<Item = &'a Plugin> {
        self.plugins
            .clone()
            .into_iter()
            .filter(move |plugin| plugin.exports(interface))
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
        }
    }

    /// The route's translation, refined along the chain.
    pub async fn translate_route(&self, input: &RouteInput) -> Result<RouteTranslation, Problem> {
        let mut result: Option<RouteTranslation> = None;
        for plugin in self.exporting(Interface::Translate).rev() {
            let translation = plugin
                .translate_route(&self.context(plugin), input, result.as_ref())
                .await
                .map_err(|error| self.problem(error))?;
            validate::validate_route_translation(plugin.name(), &translation)
                .map_err(|error| self.rejected(plugin, "translate-route", error))?;
            result = Some(translation);
        }
        result.ok_or_else(|| self.nobody("translate-route"))
    }

    /// The target groups a ServiceExport exports, refined along the chain.
    pub async fn translate_export(
        &self,
        input: &ExportInput,
    ) -> Result<Vec<TargetGroupSpec>, Problem> {
        let mut result: Option<Vec<TargetGroupSpec>> = None;
        for plugin in self.exporting(Interface::Translate).rev() {
            let specs = plugin
                .translate_export(&self.context(plugin), input, result.as_deref())
                .await
                .map_err(|error| self.problem(error))?;
            validate::validate_target_groups(plugin.name(), &specs)
                .map_err(|error| self.rejected(plugin, "translate-export", error))?;
            result = Some(specs);
        }
        result.ok_or_else(|| self.nobody("translate-export"))
    }

    /// The service network a Gateway stands for, refined along the chain.
    pub async fn gateway_service_network(&self, input: &GatewayInput) -> Result<String, Problem> {
        let mut result: Option<String> = None;
        for plugin in self.exporting(Interface::Translate).rev() {
            let name = plugin
                .gateway_service_network(&self.context(plugin), input, result.as_deref())
                .await
                .map_err(|error| self.problem(error))?;
            validate::validate_service_network_name(plugin.name(), &name)
                .map_err(|error| self.rejected(plugin, "gateway-service-network", error))?;
            result = Some(name);
        }
        result.ok_or_else(|| self.nobody("gateway-service-network"))
    }

    /// One name per subject: for each, the first plugin's answer.
    pub async fn names(
        &self,
        owner: &ObjectMeta,
        subjects: &[NamingSubject],
    ) -> Result<Vec<String>, Problem> {
        let mut names: Vec<Option<String>> = vec![None; subjects.len()];
        for plugin in self.exporting(Interface::Naming) {
            if names.iter().all(Option::is_some) {
                break;
            }
            let answers = plugin
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
        for plugin in self.exporting(Interface::Tagging) {
            let answers = plugin
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

    /// The auth policy of a route's service: the first plugin's answer.
    pub async fn route_auth_policy(
        &self,
        input: &RouteInput,
    ) -> Result<Option<AuthPolicy>, Problem> {
        for plugin in self.exporting(Interface::Auth) {
            let answer = plugin
                .route_auth_policy(&self.context(plugin), input)
                .await
                .map_err(|error| self.problem(error))?;
            validate::validate_auth_policy(plugin.name(), answer.as_ref())
                .map_err(|error| self.rejected(plugin, "route-auth-policy", error))?;
            if answer.is_some() {
                return Ok(answer);
            }
        }
        Ok(None)
    }

    /// The auth policy of a Gateway's service network: the first plugin's
    /// answer.
    pub async fn gateway_auth_policy(
        &self,
        input: &GatewayInput,
    ) -> Result<Option<AuthPolicy>, Problem> {
        for plugin in self.exporting(Interface::Auth) {
            let answer = plugin
                .gateway_auth_policy(&self.context(plugin), input)
                .await
                .map_err(|error| self.problem(error))?;
            validate::validate_auth_policy(plugin.name(), answer.as_ref())
                .map_err(|error| self.rejected(plugin, "gateway-auth-policy", error))?;
            if answer.is_some() {
                return Ok(answer);
            }
        }
        Ok(None)
    }
}
