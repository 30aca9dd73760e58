//! Per-object retry backoff for the error policy: 5 s after the first
//! failure, doubling up to 5 minutes, reset by a success.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

use crate::object::ObjectRef;

const FIRST: Duration = Duration::from_secs(5);
const LONGEST: Duration = Duration::from_secs(300);

/// Consecutive failures per object.
#[derive(Debug, Default)]
pub struct Backoff {
    failures: Mutex<BTreeMap<ObjectRef, u32>>,
}

impl Backoff {
    /// Records a failure of `object`; returns how long to wait before the
    /// retry.
    pub fn failed(&self, object: &ObjectRef) -> Duration {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let count = failures.entry(object.clone()).or_default();
        let delay = FIRST
            .saturating_mul(2u32.saturating_pow(*count))
            .min(LONGEST);
        *count = count.saturating_add(1);
        delay
    }

    /// Records a failure of `object` that retrying will not mend (only a
    /// change will): the retry waits the longest delay.
    pub fn failed_for_good(&self, object: &ObjectRef) -> Duration {
        self.failed(object);
        LONGEST
    }

    /// Forgets `object`'s failures after a success.
    pub fn succeeded(&self, object: &ObjectRef) {
        self.failures
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(object);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::object::Kind;

    #[test]
    fn doubles_up_to_the_cap_and_resets() {
        let backoff = Backoff::default();
        let route = ObjectRef::new(Kind::HttpRoute, "apps", "rates");
        let delays: Vec<u64> = (0..8).map(|_| backoff.failed(&route).as_secs()).collect();
        assert_eq!(delays, [5, 10, 20, 40, 80, 160, 300, 300]);
        backoff.succeeded(&route);
        assert_eq!(backoff.failed(&route).as_secs(), 5);
    }
}
