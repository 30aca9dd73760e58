//! The fault-injection middleware: counts each request, adds latency, and
//! for a deterministic share of requests answers with a fault instead.

use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::Emulator;
use crate::config::{FaultKind, Faults};
use crate::connection::Connection;
use crate::error::ApiError;
use crate::stats;

/// SplitMix64: a well-mixed 64-bit hash of `value`.
fn mix(value: u64) -> u64 {
    let mut z = value.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The fault of the `sequence`-th request (from 0), if any: a pure
/// function of the configuration and `sequence`.
pub fn draw(faults: &Faults, sequence: u64) -> Option<FaultKind> {
    if faults.kinds.is_empty() || faults.rate <= 0.0 {
        return None;
    }
    let roll = mix(faults.seed ^ mix(sequence));
    // The top 53 bits as a uniform number in [0, 1).
    let unit = (roll >> 11) as f64 / (1u64 << 53) as f64;
    if unit >= faults.rate {
        return None;
    }
    let pick = mix(roll) % faults.kinds.len() as u64;
    faults.kinds.get(usize::try_from(pick).ok()?).copied()
}

/// Middleware: counts the request under its operation, sleeps the
/// configured latency, waits while the emulator holds requests from its
/// sequence number on ([`Emulator::hold_from`]), then serves it or injects
/// the drawn fault (drawn for every request, injected only into the
/// operations [`Faults::operations`] names).
///
/// A dropped connection is injected after the request is served (its
/// effects stay), by closing the connection before the response is
/// written; it needs the emulator to be served with [`Emulator::serve`].
pub async fn inject(State(emulator): State<Emulator>, request: Request, next: Next) -> Response {
    let path = request
        .extensions()
        .get::<MatchedPath>()
        .map(|path| path.as_str().to_owned())
        .unwrap_or_default();
    let operation = match path.as_str() {
        "/" => crate::tagging::operation(request.headers())
            .or_else(|| crate::acm::operation(request.headers()))
            .unwrap_or("Unknown"),
        _ => stats::operation(request.method(), &path),
    };
    emulator.shared.counters.request(operation);
    let faults = &emulator.shared.config.faults;
    if faults.latency_ms > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(faults.latency_ms)).await;
    }
    let sequence = emulator.next_sequence();
    emulator.hold(sequence).await;
    let fault = draw(faults, sequence).filter(|_| faults.applies_to(operation));
    if let Some(kind) = fault {
        emulator.shared.counters.fault(kind);
    }
    match fault {
        None => next.run(request).await,
        Some(FaultKind::Throttling) => ApiError::Throttled.into_response(),
        Some(FaultKind::ServerError) => ApiError::Internal.into_response(),
        Some(FaultKind::Slow) => {
            tokio::time::sleep(std::time::Duration::from_millis(faults.slow_ms)).await;
            next.run(request).await
        }
        Some(FaultKind::DroppedConnection) => {
            let connection = request
                .extensions()
                .get::<ConnectInfo<Connection>>()
                .map(|info| info.0.clone());
            let response = next.run(request).await;
            if let Some(connection) = connection {
                connection.close();
            }
            response
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_are_deterministic_and_near_the_rate() {
        let faults = Faults {
            rate: 0.2,
            kinds: FaultKind::ALL.to_vec(),
            seed: 7,
            ..Faults::default()
        };
        let first: Vec<_> = (0..10_000).map(|n| draw(&faults, n)).collect();
        let second: Vec<_> = (0..10_000).map(|n| draw(&faults, n)).collect();
        assert_eq!(first, second);
        let faulted = first.iter().flatten().count();
        assert!((1_800..2_200).contains(&faulted), "{faulted}");
        for kind in FaultKind::ALL {
            assert!(first.contains(&Some(kind)));
        }
        let none = Faults::default();
        assert!((0..1_000).all(|n| draw(&none, n).is_none()));
    }
}
