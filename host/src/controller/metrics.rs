//! Prometheus metrics: reconciles and their errors by kind, reconcile
//! latency, VPC Lattice requests by operation, plugin calls (count and
//! latency by outcome, rejected outputs) and plugin reloads.
//!
//! Contract: every series is created on first use, so a scrape shows only
//! what happened; `render` never fails for a valid registry.

use std::sync::Arc;
use std::time::Duration;

use prometheus_client::collector::Collector;
use prometheus_client::encoding::text::encode;
use prometheus_client::encoding::{DescriptorEncoder, EncodeLabelSet, EncodeMetric};
use prometheus_client::metrics::counter::{ConstCounter, Counter};
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::lattice::CallCounter;
use crate::plugin::reload::Reload;
use crate::plugin::{CallObserver, CallReport};

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct KindLabels {
    kind: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ErrorLabels {
    kind: String,
    error: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PluginLabels {
    plugin: String,
    function: String,
    outcome: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RejectionLabels {
    plugin: String,
    function: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReloadLabels {
    outcome: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct FileLabels {
    file: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OperationLabels {
    operation: String,
}

/// The controller's metrics and their registry.
pub struct Metrics {
    registry: Registry,
    reconciles: Family<KindLabels, Counter>,
    errors: Family<ErrorLabels, Counter>,
    reconcile_seconds: Family<KindLabels, Histogram>,
    plugin_seconds: Family<PluginLabels, Histogram>,
    plugin_calls: Family<PluginLabels, Counter>,
    plugin_rejections: Family<RejectionLabels, Counter>,
    plugin_reloads: Family<ReloadLabels, Counter>,
    plugin_load_failures: Family<FileLabels, Counter>,
    plugin_reload_seconds: Histogram,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

fn latency_histogram() -> Histogram {
    // 100 µs to ~100 s.
    Histogram::new(exponential_buckets(0.0001, 4.0, 11))
}

impl Metrics {
    /// Metrics with the VPC Lattice request counts of `lattice_calls`
    /// (read at each scrape), if the controller talks to the SDK client.
    pub fn new(lattice_calls: Option<CallCounter>) -> Self {
        let mut registry = Registry::with_prefix("trellis");
        let reconciles = Family::<KindLabels, Counter>::default();
        registry.register(
            "reconciles",
            "Reconciles run, by object kind",
            reconciles.clone(),
        );
        let errors = Family::<ErrorLabels, Counter>::default();
        registry.register(
            "reconcile_errors",
            "Reconciles that failed and were retried, by object kind and error kind",
            errors.clone(),
        );
        let reconcile_seconds =
            Family::<KindLabels, Histogram>::new_with_constructor(latency_histogram);
        registry.register(
            "reconcile_duration_seconds",
            "Time a reconcile takes, by object kind",
            reconcile_seconds.clone(),
        );
        let plugin_seconds =
            Family::<PluginLabels, Histogram>::new_with_constructor(latency_histogram);
        registry.register(
            "plugin_call_duration_seconds",
            "Time a plugin call takes (instantiation included), by plugin, function and outcome",
            plugin_seconds.clone(),
        );
        let plugin_calls = Family::<PluginLabels, Counter>::default();
        registry.register(
            "plugin_calls",
            "Plugin calls, by plugin, function and outcome (answered, refused, trapped, \
             timed_out, memory_exceeded)",
            plugin_calls.clone(),
        );
        let plugin_rejections = Family::<RejectionLabels, Counter>::default();
        registry.register(
            "plugin_rejected_outputs",
            "Plugin answers the host rejected as invalid, by plugin and function",
            plugin_rejections.clone(),
        );
        let plugin_reloads = Family::<ReloadLabels, Counter>::default();
        registry.register(
            "plugin_reloads",
            "Reloads of the plugin and policy files, by outcome (replaced, unchanged, failed)",
            plugin_reloads.clone(),
        );
        let plugin_load_failures = Family::<FileLabels, Counter>::default();
        registry.register(
            "plugin_load_failures",
            "Plugin or policy files that failed to load and kept their last good version, by file",
            plugin_load_failures.clone(),
        );
        let plugin_reload_seconds = latency_histogram();
        registry.register(
            "plugin_reload_duration_seconds",
            "Time from a plugin or policy file change noticed to the new plugins in force",
            plugin_reload_seconds.clone(),
        );
        if let Some(calls) = lattice_calls {
            registry.register_collector(Box::new(LatticeRequests(calls)));
        }
        Self {
            registry,
            reconciles,
            errors,
            reconcile_seconds,
            plugin_seconds,
            plugin_calls,
            plugin_rejections,
            plugin_reloads,
            plugin_load_failures,
            plugin_reload_seconds,
        }
    }

    /// Counts a reconcile of a `kind` object that took `elapsed`.
    pub fn reconciled(&self, kind: &str, elapsed: Duration) {
        let labels = KindLabels { kind: kind.into() };
        self.reconciles.get_or_create(&labels).inc();
        self.reconcile_seconds
            .get_or_create(&labels)
            .observe(elapsed.as_secs_f64());
    }

    /// Counts a failed reconcile of a `kind` object.
    pub fn failed(&self, kind: &str, error: &str) {
        self.errors
            .get_or_create(&ErrorLabels {
                kind: kind.into(),
                error: error.into(),
            })
            .inc();
    }

    /// Counts a reload of the plugin and policy files.
    pub fn plugin_reload(&self, reload: &Reload) {
        let outcome = if !reload.failures.is_empty() {
            "failed"
        } else if reload.replaced {
            "replaced"
        } else {
            "unchanged"
        };
        self.plugin_reloads
            .get_or_create(&ReloadLabels {
                outcome: outcome.into(),
            })
            .inc();
        for failure in &reload.failures {
            self.plugin_load_failures
                .get_or_create(&FileLabels {
                    file: failure.file.display().to_string(),
                })
                .inc();
        }
        if reload.replaced {
            self.plugin_reload_seconds
                .observe(reload.took.as_secs_f64());
        }
    }

    /// The metrics in the Prometheus text format.
    pub fn render(&self) -> String {
        let mut text = String::new();
        encode(&mut text, &self.registry).expect("writing to a String cannot fail");
        text
    }
}

/// Plugin call latencies go to the registry's histogram.
#[derive(Debug, Clone)]
pub struct PluginCallMetrics(pub Arc<Metrics>);

impl CallObserver for PluginCallMetrics {
    fn observe(&self, call: &CallReport<'_>) {
        let labels = PluginLabels {
            plugin: call.plugin.into(),
            function: call.function.into(),
            outcome: call.outcome.label().into(),
        };
        self.0.plugin_calls.get_or_create(&labels).inc();
        self.0
            .plugin_seconds
            .get_or_create(&labels)
            .observe(call.elapsed.as_secs_f64());
    }

    fn rejected(&self, plugin: &str, function: &'static str) {
        self.0
            .plugin_rejections
            .get_or_create(&RejectionLabels {
                plugin: plugin.into(),
                function: function.into(),
            })
            .inc();
    }
}

/// Which count of an operation a series shows.
type CountOf = fn(&crate::lattice::OperationCount) -> u64;

/// `trellis_aws_requests_total` and `trellis_aws_attempts_total` from the
/// SDK client's per-operation counts.
#[derive(Debug)]
struct LatticeRequests(CallCounter);

impl Collector for LatticeRequests {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let counts = self.0.snapshot();
        let series: [(&str, &str, CountOf); 2] = [
            (
                "aws_requests",
                "VPC Lattice requests, by API operation (one per page)",
                |count| count.requests,
            ),
            (
                "aws_attempts",
                "VPC Lattice attempts on the wire, by API operation (retries included)",
                |count| count.attempts,
            ),
        ];
        for (name, help, value) in series {
            let mut family = encoder.encode_descriptor(
                name,
                help,
                None,
                prometheus_client::metrics::MetricType::Counter,
            )?;
            for (operation, count) in &counts {
                let labels = OperationLabels {
                    operation: operation.clone(),
                };
                let counter = ConstCounter::new(value(count));
                counter.encode(family.encode_family(&labels)?)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plugin::CallOutcome;

    #[test]
    fn every_family_renders_with_its_labels() {
        let metrics = Arc::new(Metrics::new(None));
        metrics.reconciled("HTTPRoute", Duration::from_millis(3));
        metrics.failed("HTTPRoute", "lattice");
        PluginCallMetrics(metrics.clone()).observe(&CallReport {
            plugin: "default",
            function: "translate-route",
            elapsed: Duration::from_micros(800),
            outcome: CallOutcome::Answered,
        });
        let text = metrics.render();
        for line in [
            "trellis_reconciles_total{kind=\"HTTPRoute\"} 1",
            "trellis_reconcile_errors_total{kind=\"HTTPRoute\",error=\"lattice\"} 1",
            "trellis_reconcile_duration_seconds_count{kind=\"HTTPRoute\"} 1",
            "trellis_plugin_call_duration_seconds_count{plugin=\"default\",function=\"translate-route\",outcome=\"answered\"} 1",
        ] {
            assert!(text.contains(line), "{line} missing from:\n{text}");
        }
        assert!(text.ends_with("# EOF\n"));
    }
}
