//! Helpers shared by the tests.

use std::time::Duration;

use kube::Client;
use kube_test_server::TestApiServer;

/// A kube client for `server`, built as the brief prescribes.
pub fn client(server: &TestApiServer) -> Client {
    let config = kube::Config::new(server.url().parse().expect("the server URL is a URI"));
    Client::try_from(config).expect("a client for the test server")
}

/// Waits until `condition` holds, polling; panics after 10 s (a safety net:
/// every condition is reached in milliseconds).
pub async fn eventually(what: &str, mut condition: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !condition() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// `future`, or a panic naming `what` after 10 s.
pub async fn within<T>(what: &str, future: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(10), future)
        .await
        .unwrap_or_else(|_| panic!("timed out waiting for {what}"))
}

/// The HTTP code of an API error.
pub fn api_code<T: std::fmt::Debug>(result: Result<T, kube::Error>) -> u16 {
    match result {
        Err(kube::Error::Api(status)) => status.code,
        other => panic!("expected an API error, got {other:?}"),
    }
}
