//! [`discover`] against a loopback IMDSv2 stand-in: a token `PUT`, then
//! `GET`s carrying the token.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

use super::*;

const TOKEN: &str = "stand-in-token";
const DOCUMENT: &str = r#"{"accountId":"123456789012","region":"eu-west-1","instanceId":"i-0abc"}"#;
const MAC_ADDRESS: &str = "0e:12:34:56:78:9a";
const VPC_PATH: &str = "/latest/meta-data/network/interfaces/macs/0e:12:34:56:78:9a/vpc-id";

/// What the stand-in answers, and the `GET` paths it was asked, in order.
#[derive(Clone)]
struct StandIn {
    answers: Arc<BTreeMap<String, String>>,
    asked: Arc<Mutex<Vec<String>>>,
}

async fn answer(
    State(stand_in): State<StandIn>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let path = uri.path().to_owned();
    if method == Method::PUT && path == "/latest/api/token" {
        return match headers.get("x-aws-ec2-metadata-token-ttl-seconds") {
            Some(ttl) => (
                StatusCode::OK,
                [("x-aws-ec2-metadata-token-ttl-seconds", ttl.clone())],
                TOKEN,
            )
                .into_response(),
            None => StatusCode::BAD_REQUEST.into_response(),
        };
    }
    if method != Method::GET {
        return StatusCode::METHOD_NOT_ALLOWED.into_response();
    }
    let token = headers
        .get("x-aws-ec2-metadata-token")
        .and_then(|value| value.to_str().ok());
    if token != Some(TOKEN) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    stand_in.asked.lock().unwrap().push(path.clone());
    match stand_in.answers.get(&path) {
        Some(body) => (StatusCode::OK, body.clone()).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// Serves `answers` (path → body) on 127.0.0.1: the options reaching it and
/// the paths asked.
async fn stand_in(answers: &[(&str, &str)]) -> (ImdsOptions, Arc<Mutex<Vec<String>>>) {
    let state = StandIn {
        answers: Arc::new(
            answers
                .iter()
                .map(|(path, body)| ((*path).to_owned(), (*body).to_owned()))
                .collect(),
        ),
        asked: Arc::default(),
    };
    let asked = state.asked.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let router = Router::new().fallback(answer).with_state(state);
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    let options = ImdsOptions {
        endpoint: Some(endpoint),
        ..ImdsOptions::default()
    };
    (options, asked)
}

const EVERYTHING: Wanted = Wanted {
    vpc_id: true,
    account_id: true,
    region: true,
};

fn node() -> Vec<(&'static str, &'static str)> {
    vec![
        (IDENTITY_DOCUMENT, DOCUMENT),
        (MAC, MAC_ADDRESS),
        (VPC_PATH, "vpc-0a1b2c3d4e5f60001"),
    ]
}

#[tokio::test]
async fn discovery_fills_every_missing_value() {
    let (options, asked) = stand_in(&node()).await;
    let found = discover(EVERYTHING, &options).await.unwrap();
    assert_eq!(
        found,
        Discovered {
            vpc_id: Some("vpc-0a1b2c3d4e5f60001".into()),
            account_id: Some("123456789012".into()),
            region: Some("eu-west-1".into()),
        }
    );
    assert_eq!(*asked.lock().unwrap(), [IDENTITY_DOCUMENT, MAC, VPC_PATH]);
}

#[tokio::test]
async fn values_not_wanted_are_not_asked_for() {
    let (options, asked) = stand_in(&node()).await;
    let wanted = Wanted {
        region: true,
        ..Wanted::default()
    };
    let found = discover(wanted, &options).await.unwrap();
    assert_eq!(
        found,
        Discovered {
            region: Some("eu-west-1".into()),
            ..Discovered::default()
        }
    );
    assert_eq!(*asked.lock().unwrap(), [IDENTITY_DOCUMENT]);

    let (options, asked) = stand_in(&node()).await;
    let found = discover(Wanted::default(), &options).await.unwrap();
    assert_eq!(found, Discovered::default());
    assert!(asked.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_value_breaking_the_identity_rules_is_refused_naming_the_setting() {
    let mut answers = node();
    answers[2] = (VPC_PATH, "vpc-NOT-HEX");
    let (options, _) = stand_in(&answers).await;
    let error = discover(EVERYTHING, &options).await.unwrap_err();
    let message = error.to_string();
    assert!(
        matches!(
            error,
            ImdsError::BadAnswer {
                field: IdentityField::VpcId,
                ..
            }
        ),
        "{message}"
    );
    assert!(
        message.starts_with("CLUSTER_VPC_ID is not set"),
        "{message}"
    );
    assert!(message.contains("vpc-NOT-HEX"), "{message}");
    assert!(message.contains("--cluster-vpc-id"), "{message}");
}

#[tokio::test]
async fn a_document_without_the_account_is_refused() {
    let mut answers = node();
    answers[0] = (IDENTITY_DOCUMENT, r#"{"region":"eu-west-1"}"#);
    let (options, _) = stand_in(&answers).await;
    let error = discover(EVERYTHING, &options).await.unwrap_err();
    let message = error.to_string();
    assert!(
        message.starts_with("AWS_ACCOUNT_ID is not set"),
        "{message}"
    );
    assert!(message.contains("no text member `accountId`"), "{message}");
    assert!(
        message.contains("AWS_ACCOUNT_ID environment variable"),
        "{message}"
    );
}

#[tokio::test]
async fn a_missing_path_names_it() {
    let (options, _) = stand_in(&node()[..2]).await;
    let wanted = Wanted {
        vpc_id: true,
        ..Wanted::default()
    };
    let error = discover(wanted, &options).await.unwrap_err();
    let message = error.to_string();
    assert!(matches!(error, ImdsError::Unanswered { .. }), "{message}");
    assert!(message.contains(VPC_PATH), "{message}");
}

#[tokio::test]
async fn an_unreachable_service_fails_quickly_naming_the_setting() {
    // A port bound then released: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let options = ImdsOptions {
        endpoint: Some(format!("http://127.0.0.1:{port}")),
        ..ImdsOptions::default()
    };
    let started = Instant::now();
    let error = discover(EVERYTHING, &options).await.unwrap_err();
    let message = error.to_string();
    assert!(started.elapsed() < Duration::from_secs(10), "{message}");
    assert!(
        message.starts_with("AWS_ACCOUNT_ID is not set"),
        "{message}"
    );
    assert!(message.contains("did not answer"), "{message}");
    assert!(message.contains("--aws-account-id"), "{message}");
}

#[tokio::test]
async fn a_service_that_never_answers_fails_within_the_bounded_time() {
    // Accepts connections and holds them, never answering.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            held.push(stream);
        }
    });
    let options = ImdsOptions {
        endpoint: Some(endpoint),
        ..ImdsOptions::default()
    };
    let started = Instant::now();
    let error = discover(EVERYTHING, &options).await.unwrap_err();
    let elapsed = started.elapsed();
    let message = error.to_string();
    assert!(elapsed < Duration::from_secs(10), "{elapsed:?}: {message}");
    assert!(elapsed >= options.timeout, "{elapsed:?}: {message}");
    assert!(matches!(error, ImdsError::Unanswered { .. }), "{message}");
    assert!(message.contains("--aws-account-id"), "{message}");
}
