//! Certificate discovery (`trellis::acm`) through the real `aws-sdk-acm`
//! client against the emulator's ACM on 127.0.0.1: signing, the JSON 1.1
//! protocol, pagination, `DescribeCertificate` for undated summaries, the
//! matching rules, the cache, single flight, and errors.

use std::sync::Arc;
use std::time::Duration;

use aws_sdk_acm::config::{BehaviorVersion, Credentials, Region};
use lattice_emulator::{Emulator, EmulatorConfig, SeededCertificate};
use tokio::net::TcpListener;
use trellis::acm::{
    AcmError, AcmOptions, CertificateDiscovery, Certificates, Discovered, DiscoveryTimes, SdkAcm,
};

const HOUR: Duration = Duration::from_secs(3_600);

/// Upstream's cache durations but for the list's: `list_ttl`, no jitter.
fn times(list_ttl: Duration, disabled_for: Duration) -> DiscoveryTimes {
    DiscoveryTimes {
        list_ttl,
        jitter: Duration::ZERO,
        disabled_for,
    }
}

/// An emulator with pages of 2 (and `latency_ms` per request) on
/// 127.0.0.1:0, and discovery through the SDK pointed at it.
async fn start(latency_ms: u64, times: DiscoveryTimes) -> (Emulator, CertificateDiscovery) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let emulator = Emulator::with_config(
        EmulatorConfig::default()
            .page_size(2)
            .latency_ms(latency_ms),
    );
    tokio::spawn(emulator.clone().serve(listener));
    let builder = aws_sdk_acm::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .credentials_provider(Credentials::new(
            "AKIDEXAMPLE",
            "secret",
            None,
            None,
            "test",
        ))
        .region(Region::new("us-west-2"));
    let options = AcmOptions {
        endpoint_url: Some(url),
        max_attempts: 3,
        initial_backoff: Duration::from_millis(5),
        ..AcmOptions::default()
    };
    let acm = SdkAcm::with_config(builder, &options);
    (emulator, CertificateDiscovery::with_times(acm, times))
}

fn arn(name: &str) -> String {
    format!("arn:aws:acm:us-west-2:123456789012:certificate/{name}")
}

fn issued(name: &str, domains: &[&str], issued_at: f64) -> SeededCertificate {
    SeededCertificate {
        subject_alternative_names: domains.iter().map(|domain| (*domain).to_owned()).collect(),
        ..SeededCertificate::issued(&arn(name), domains[0], issued_at)
    }
}

fn requests(emulator: &Emulator, operation: &str) -> u64 {
    emulator
        .stats()
        .requests
        .get(operation)
        .copied()
        .unwrap_or(0)
}

fn found(name: &str) -> Result<Discovered, AcmError> {
    Ok(Discovered::Found(arn(name)))
}

#[tokio::test]
async fn exact_beats_wildcard_and_the_newest_wins_across_pages() {
    let (emulator, discovery) = start(0, times(HOUR, HOUR)).await;
    let acm = emulator.acm();
    acm.seed(issued("wild-old", &["*.example.com"], 100.0));
    acm.seed(issued(
        "exact-old",
        &["other.test", "API.example.com"],
        200.0,
    ));
    acm.seed(issued("wild-new", &["*.example.com"], 900.0));
    acm.seed(issued("exact-new", &["api.example.com"], 300.0));
    acm.seed(SeededCertificate {
        status: "PENDING_VALIDATION".into(),
        ..issued(
            "pending-newest",
            &["api.example.com", "b.example.com"],
            999.0,
        )
    });
    acm.seed(issued("apex", &["example.com"], 50.0));

    assert_eq!(
        discovery.discover("api.example.com").await,
        found("exact-new")
    );
    assert_eq!(
        discovery.discover("web.EXAMPLE.com").await,
        found("wild-new")
    );
    assert_eq!(discovery.discover("example.com").await, found("apex"));
    // The wildcard covers one level only; the pending certificate is not
    // listed.
    assert_eq!(
        discovery.discover("a.b.example.com").await,
        Ok(Discovered::NotFound)
    );
    // Five issued certificates in pages of two: three requests, once (the
    // list is cached for the hour).
    assert_eq!(requests(&emulator, "ListCertificates"), 3);
    assert_eq!(requests(&emulator, "DescribeCertificate"), 0);
}

#[tokio::test]
async fn undated_summaries_are_dated_by_describe_certificate() {
    let (emulator, discovery) = start(0, times(HOUR, HOUR)).await;
    let acm = emulator.acm();
    acm.seed(SeededCertificate {
        dates_in_list: false,
        issued_at: None,
        imported_at: Some(500.0),
        ..issued("imported-newer", &["api.example.com"], 0.0)
    });
    acm.seed(SeededCertificate {
        dates_in_list: false,
        ..issued("issued-older", &["api.example.com"], 400.0)
    });
    assert_eq!(
        discovery.discover("api.example.com").await,
        found("imported-newer")
    );
    assert_eq!(requests(&emulator, "DescribeCertificate"), 2);
}

#[tokio::test]
async fn the_list_is_cached_and_fetched_once_for_concurrent_discoveries() {
    let (emulator, discovery) = start(20, times(HOUR, HOUR)).await;
    emulator
        .acm()
        .seed(issued("one", &["api.example.com"], 1.0));
    let discovery = Arc::new(discovery);
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let discovery = discovery.clone();
        tasks.spawn(async move { discovery.discover("api.example.com").await });
    }
    let answers = tasks.join_all().await;
    assert!(
        answers.iter().all(|answer| *answer == found("one")),
        "{answers:?}"
    );
    assert_eq!(requests(&emulator, "ListCertificates"), 1);

    // A certificate added later is seen once the list expires, not before.
    emulator
        .acm()
        .seed(issued("two", &["api.example.com"], 2.0));
    assert_eq!(discovery.discover("api.example.com").await, found("one"));
    assert_eq!(requests(&emulator, "ListCertificates"), 1);
}

#[tokio::test]
async fn an_expired_list_is_fetched_again() {
    let (emulator, discovery) = start(0, times(Duration::ZERO, HOUR)).await;
    emulator
        .acm()
        .seed(issued("one", &["api.example.com"], 1.0));
    assert_eq!(discovery.discover("api.example.com").await, found("one"));
    emulator
        .acm()
        .seed(issued("two", &["api.example.com"], 2.0));
    assert_eq!(discovery.discover("api.example.com").await, found("two"));
    assert_eq!(requests(&emulator, "ListCertificates"), 2);
}

#[tokio::test]
async fn access_denied_turns_discovery_off_for_a_while() {
    let (emulator, discovery) = start(0, times(Duration::ZERO, HOUR)).await;
    emulator
        .acm()
        .seed(issued("one", &["api.example.com"], 1.0));
    emulator.acm().deny(true);
    let denied = discovery.discover("api.example.com").await;
    assert!(
        matches!(denied, Err(AcmError::AccessDenied { .. })),
        "{denied:?}"
    );
    // Access given back: still off, and ACM is not asked.
    emulator.acm().deny(false);
    let asked = requests(&emulator, "ListCertificates");
    let still = discovery.discover("api.example.com").await;
    assert!(
        matches!(still, Err(AcmError::AccessDenied { .. })),
        "{still:?}"
    );
    assert_eq!(requests(&emulator, "ListCertificates"), asked);

    // With no time off, the next discovery asks again and finds it.
    let (emulator, discovery) = start(0, times(Duration::ZERO, Duration::ZERO)).await;
    emulator
        .acm()
        .seed(issued("one", &["api.example.com"], 1.0));
    emulator.acm().deny(true);
    assert!(discovery.discover("api.example.com").await.is_err());
    emulator.acm().deny(false);
    assert_eq!(discovery.discover("api.example.com").await, found("one"));
}

#[tokio::test]
async fn other_errors_are_answered_and_not_cached() {
    let (emulator, discovery) = start(0, times(HOUR, HOUR)).await;
    emulator
        .acm()
        .seed(issued("one", &["api.example.com"], 1.0));
    emulator.acm().fail_with(Some("InvalidArgsException"));
    let failed = discovery.discover("api.example.com").await;
    match &failed {
        Err(AcmError::Api {
            operation, code, ..
        }) => {
            assert_eq!(operation, "ListCertificates");
            assert_eq!(code, "InvalidArgsException");
        }
        other => panic!("not an ACM API error: {other:?}"),
    }
    assert!(
        failed
            .unwrap_err()
            .to_string()
            .contains("InvalidArgsException")
    );
    emulator.acm().fail_with(None);
    assert_eq!(discovery.discover("api.example.com").await, found("one"));
}

#[tokio::test]
async fn no_answer_is_a_transport_error_naming_the_operation() {
    let builder = aws_sdk_acm::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .credentials_provider(Credentials::new(
            "AKIDEXAMPLE",
            "secret",
            None,
            None,
            "test",
        ))
        .region(Region::new("us-west-2"));
    // A port nothing listens on.
    let closed = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let options = AcmOptions {
        endpoint_url: Some(url),
        max_attempts: 2,
        initial_backoff: Duration::from_millis(5),
        ..AcmOptions::default()
    };
    let discovery = CertificateDiscovery::new(SdkAcm::with_config(builder, &options));
    let failed = discovery.discover("api.example.com").await;
    assert!(
        matches!(&failed, Err(AcmError::Transport { operation, .. }) if operation == "ListCertificates"),
        "{failed:?}"
    );
}
