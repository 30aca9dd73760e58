//! Shared by the test binaries: an emulator on 127.0.0.1:0 and the real
//! AWS SDK client pointed at it. Each binary uses a subset of the helpers.
#![allow(dead_code, unused_macros)]

/// The first `fieldList` name of an error that must be the operation's
/// `ValidationException` variant `$variant`.
macro_rules! invalid_field {
    ($error:expr, $variant:path) => {
        match $error {
            $variant(validation) => validation.field_list()[0].name().to_owned(),
            other => panic!("not a ValidationException: {other:?}"),
        }
    };
}

use std::time::Duration;

use aws_sdk_vpclattice::Client;
use aws_sdk_vpclattice::config::retry::RetryConfig;
use aws_sdk_vpclattice::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_vpclattice::types::{
    FixedResponseAction, ForwardAction, RuleAction, TargetGroupConfig, TargetGroupType,
    WeightedTargetGroup,
};
use lattice_emulator::{Emulator, EmulatorConfig};
use tokio::net::TcpListener;

/// Starts an emulator configured by `config` on 127.0.0.1:0; returns it,
/// its URL and an SDK client pointed at it. The server stops with the
/// test's runtime.
pub async fn start_with(config: EmulatorConfig) -> (Emulator, Client, String) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let emulator = Emulator::with_config(config);
    tokio::spawn(emulator.clone().serve(listener));
    (emulator, client(&url), url)
}

/// [`start_with`] the default configuration and pages of `page_size`.
pub async fn start(page_size: usize) -> (Emulator, Client) {
    let (emulator, client, _) = start_with(EmulatorConfig::default().page_size(page_size)).await;
    (emulator, client)
}

/// The SDK client for `url`, with the standard retry strategy (at most 5
/// attempts) and short backoffs so that fault tests run fast.
pub fn client(url: &str) -> Client {
    let retry = RetryConfig::standard()
        .with_max_attempts(5)
        .with_initial_backoff(Duration::from_millis(5))
        .with_max_backoff(Duration::from_millis(50));
    let config = aws_sdk_vpclattice::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-west-2"))
        .endpoint_url(url)
        .retry_config(retry)
        .credentials_provider(Credentials::new(
            "AKIDEXAMPLE",
            "secret",
            None,
            None,
            "test",
        ))
        .build();
    Client::from_conf(config)
}

/// Creates the service `name`; returns its id.
pub async fn service(client: &Client, name: &str) -> String {
    let created = client.create_service().name(name).send().await.unwrap();
    created.id().unwrap().to_owned()
}

/// Creates the HTTP:80 IP target group `name`; returns its id.
pub async fn target_group(client: &Client, name: &str) -> String {
    let config = TargetGroupConfig::builder()
        .port(80)
        .protocol("HTTP".into())
        .vpc_identifier("vpc-0a1b2c3d4e5f60001")
        .build();
    let created = client
        .create_target_group()
        .name(name)
        .r#type(TargetGroupType::Ip)
        .config(config)
        .send()
        .await
        .unwrap();
    created.id().unwrap().to_owned()
}

/// A forward action to `group` with weight 1.
pub fn forward(group: &str) -> RuleAction {
    let weighted = WeightedTargetGroup::builder()
        .target_group_identifier(group)
        .weight(1)
        .build()
        .unwrap();
    RuleAction::Forward(
        ForwardAction::builder()
            .target_groups(weighted)
            .build()
            .unwrap(),
    )
}

/// A fixed 404 response action.
pub fn fixed_404() -> RuleAction {
    RuleAction::FixedResponse(
        FixedResponseAction::builder()
            .status_code(404)
            .build()
            .unwrap(),
    )
}
