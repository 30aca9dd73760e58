//! Counting the calls the SDK client makes, per API operation, with an SDK
//! interceptor: one count per request (each page of a list is one) and one
//! per attempt on the wire (retries included).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use aws_sdk_vpclattice::config::interceptors::{
    BeforeSerializationInterceptorContextRef, BeforeTransmitInterceptorContextRef,
};
use aws_sdk_vpclattice::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use serde::Serialize;

/// Requests and attempts of one operation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct OperationCount {
    /// Requests made (a paginated list counts one per page).
    pub requests: u64,
    /// Attempts sent; more than `requests` when the SDK retried.
    pub attempts: u64,
}

/// Call counts by operation name (`CreateService`, `ListTargets`, ...).
#[derive(Debug, Clone, Default)]
pub struct CallCounter {
    counts: Arc<Mutex<BTreeMap<String, OperationCount>>>,
}

impl CallCounter {
    /// A copy of the counts so far.
    pub fn snapshot(&self) -> BTreeMap<String, OperationCount> {
        self.lock().clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, OperationCount>> {
        self.counts
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn count(&self, cfg: &ConfigBag, update: impl FnOnce(&mut OperationCount)) {
        let name = cfg
            .load::<Metadata>()
            .map(|metadata| metadata.name().to_owned())
            .unwrap_or_else(|| "Unknown".into());
        update(self.lock().entry(name).or_default());
    }
}

impl Intercept for CallCounter {
    fn name(&self) -> &'static str {
        "TrellisCallCounter"
    }

    fn read_before_serialization(
        &self,
        _context: &BeforeSerializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.count(cfg, |count| count.requests += 1);
        Ok(())
    }

    fn read_before_attempt(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.count(cfg, |count| count.attempts += 1);
        Ok(())
    }
}
