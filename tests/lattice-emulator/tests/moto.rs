//! A third-party cross-check of Trellis's SDK client: `SdkLattice` (the
//! `Lattice` trait over aws-sdk-vpclattice) drives moto's VPC Lattice server
//! (`python3 -m moto.server`), an implementation not written here, so the
//! wire format Trellis sends and parses is checked against someone else's
//! reading of the API.
//!
//! moto implements part of VPC Lattice. The test reads which API operations
//! moto's `VPCLatticeResponse` handles, prints which trait operations it can
//! therefore check and which moto lacks, and drives every one it can. Where
//! moto answers differently from the real API (moto's gap, not Trellis's),
//! only what moto supports is asserted, with a comment naming the difference.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use aws_sdk_vpclattice::config::Credentials;
use serde_json::{Value, json};
use trellis::lattice::model::{
    CreateAccessLogSubscriptionInput, CreateListenerInput, CreateRuleInput, CreateServiceInput,
    CreateServiceNetworkInput, CreateServiceNetworkServiceAssociationInput,
    CreateServiceNetworkVpcAssociationInput, CreateTargetGroupInput, FixedResponseAction,
    ForwardAction, HeaderMatch, HeaderMatchType, HealthCheckConfig, HttpMatch, Matcher, PathMatch,
    PathMatchType, PutAuthPolicyInput, RuleAction, RuleMatch, TagResourceInput, Tags,
    TargetGroupConfig, WeightedTargetGroup,
};
use trellis::lattice::{Lattice, LatticeError, SdkLattice, SdkOptions};

const INSTALL: &str = "install the Python test tools: pip install -r tests/requirements.txt";
const REGION: &str = "us-west-2";
const VPC: &str = "vpc-0123456789abcdef0";

/// Each trait operation (the API operation names it is documented as) and
/// the API operations `SdkLattice` sends for it: lists also read each item
/// with its `Get*` operation and `ListTagsForResource`.
const TRAIT_OPERATIONS: &[(&str, &[&str])] = &[
    (
        "ListServiceNetworks",
        &[
            "ListServiceNetworks",
            "GetServiceNetwork",
            "ListTagsForResource",
        ],
    ),
    ("CreateServiceNetwork", &["CreateServiceNetwork"]),
    (
        "ListServiceNetworkVpcAssociations",
        &[
            "ListServiceNetworkVpcAssociations",
            "GetServiceNetworkVpcAssociation",
            "ListTagsForResource",
        ],
    ),
    (
        "CreateServiceNetworkVpcAssociation",
        &["CreateServiceNetworkVpcAssociation"],
    ),
    (
        "ListServices",
        &["ListServices", "GetService", "ListTagsForResource"],
    ),
    ("CreateService", &["CreateService"]),
    (
        "ListServiceNetworkServiceAssociations",
        &[
            "ListServiceNetworkServiceAssociations",
            "ListTagsForResource",
        ],
    ),
    (
        "CreateServiceNetworkServiceAssociation",
        &["CreateServiceNetworkServiceAssociation"],
    ),
    (
        "ListListeners",
        &["ListListeners", "GetListener", "ListTagsForResource"],
    ),
    ("CreateListener", &["CreateListener"]),
    (
        "ListRules",
        &["ListRules", "GetRule", "ListTagsForResource"],
    ),
    ("CreateRule", &["CreateRule"]),
    (
        "ListTargetGroups",
        &["ListTargetGroups", "GetTargetGroup", "ListTagsForResource"],
    ),
    ("TargetGroupUsers", &["GetTargetGroup"]),
    ("CreateTargetGroup", &["CreateTargetGroup"]),
    ("ListTargets", &["ListTargets"]),
    ("RegisterTargets", &["RegisterTargets"]),
    ("GetAuthPolicy", &["GetAuthPolicy"]),
    ("PutAuthPolicy", &["PutAuthPolicy"]),
    ("UpdateServiceNetwork", &["UpdateServiceNetwork"]),
    ("DeleteServiceNetwork", &["DeleteServiceNetwork"]),
    ("TagResource", &["TagResource"]),
    (
        "ListAccessLogSubscriptions",
        &["ListAccessLogSubscriptions", "ListTagsForResource"],
    ),
    (
        "CreateAccessLogSubscription",
        &["CreateAccessLogSubscription"],
    ),
    (
        "UpdateServiceNetworkVpcAssociation",
        &["UpdateServiceNetworkVpcAssociation"],
    ),
    (
        "DeleteServiceNetworkVpcAssociation",
        &["DeleteServiceNetworkVpcAssociation"],
    ),
    ("UpdateService", &["UpdateService"]),
    ("DeleteService", &["DeleteService"]),
    (
        "DeleteServiceNetworkServiceAssociation",
        &["DeleteServiceNetworkServiceAssociation"],
    ),
    ("UpdateListener", &["UpdateListener"]),
    ("DeleteListener", &["DeleteListener"]),
    ("UpdateRule", &["UpdateRule"]),
    ("DeleteRule", &["DeleteRule"]),
    ("UpdateTargetGroup", &["UpdateTargetGroup"]),
    ("DeleteTargetGroup", &["DeleteTargetGroup"]),
    ("DeregisterTargets", &["DeregisterTargets"]),
    ("DeleteAuthPolicy", &["DeleteAuthPolicy"]),
    (
        "DeleteAccessLogSubscription",
        &["DeleteAccessLogSubscription"],
    ),
];

/// The trait operations [`sdk_lattice_matches_moto`] drives.
const DRIVEN: &[&str] = &[
    "ListServiceNetworks",
    "CreateServiceNetwork",
    "CreateServiceNetworkVpcAssociation",
    "ListServices",
    "CreateService",
    "ListServiceNetworkServiceAssociations",
    "CreateServiceNetworkServiceAssociation",
    "ListListeners",
    "CreateListener",
    "CreateRule",
    "ListTargetGroups",
    "CreateTargetGroup",
    "TargetGroupUsers",
    "GetAuthPolicy",
    "PutAuthPolicy",
    "TagResource",
    "ListAccessLogSubscriptions",
    "CreateAccessLogSubscription",
    "DeleteAuthPolicy",
    "DeleteAccessLogSubscription",
];

/// Runs `python3 args...` and returns its output.
fn python(args: &[&str]) -> Output {
    Command::new("python3")
        .args(args)
        .output()
        .unwrap_or_else(|error| panic!("running python3: {error}; {INSTALL}"))
}

/// `CreateServiceNetwork` as moto's handler name, `create_service_network`.
fn snake_case(operation: &str) -> String {
    let mut name = String::new();
    for (index, letter) in operation.chars().enumerate() {
        if letter.is_ascii_uppercase() && index > 0 {
            name.push('_');
        }
        name.push(letter.to_ascii_lowercase());
    }
    name
}

/// moto's version and the API operations its VPC Lattice server handles
/// (snake_case, as its `VPCLatticeResponse` methods are named); fails with
/// how to install moto when it (or its server extra) is missing.
fn moto_operations() -> (String, BTreeSet<String>) {
    let output = python(&[
        "-c",
        "import moto, moto.server\n\
         from moto.vpclattice.responses import VPCLatticeResponse as R\n\
         print(moto.__version__)\n\
         print('\\n'.join(n for n in vars(R) if not n.startswith('_')))",
    ]);
    assert!(
        output.status.success(),
        "moto is not importable ({}); {INSTALL}",
        String::from_utf8_lossy(&output.stderr).trim()
    );
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let mut lines = stdout.lines();
    let version = lines.next().unwrap_or_default().to_owned();
    (version, lines.map(str::to_owned).collect())
}

/// The trait operations moto can serve, and those it lacks with the API
/// operations it lacks for each.
fn coverage(
    moto: &BTreeSet<String>,
) -> (Vec<&'static str>, Vec<(&'static str, Vec<&'static str>)>) {
    let mut served = Vec::new();
    let mut lacking = Vec::new();
    for (operation, calls) in TRAIT_OPERATIONS {
        let missing: Vec<&str> = calls
            .iter()
            .copied()
            .filter(|call| !moto.contains(&snake_case(call)))
            .collect();
        if missing.is_empty() {
            served.push(*operation);
        } else {
            lacking.push((*operation, missing));
        }
    }
    (served, lacking)
}

/// Prints which trait operations are checked against moto and which moto
/// lacks; fails when moto lacks one this test drives (an older moto).
fn report_coverage(version: &str, moto: &BTreeSet<String>) {
    let (served, lacking) = coverage(moto);
    println!("Lattice trait operations checked against moto {version}:");
    for operation in &served {
        println!("  {operation}");
    }
    println!(
        "Lattice trait operations moto {version} lacks (API operations it does not implement):"
    );
    for (operation, missing) in &lacking {
        println!("  {operation} (lacks {})", missing.join(", "));
    }
    for operation in DRIVEN {
        assert!(
            served.contains(operation),
            "moto {version} lacks {operation}, which this test drives; {INSTALL}"
        );
    }
    for operation in served.iter().filter(|op| !DRIVEN.contains(op)) {
        println!("NOTE: moto now implements {operation}: drive it in tests/moto.rs");
    }
}

/// `python3 -m moto.server` on a free 127.0.0.1 port, killed on drop.
struct MotoServer {
    child: Child,
    url: String,
}

impl MotoServer {
    /// Starts moto (`-p 0`: the OS picks the port, which werkzeug prints)
    /// and waits until it accepts connections.
    fn start() -> Self {
        let mut child = Command::new("python3")
            .args(["-m", "moto.server", "-H", "127.0.0.1", "-p", "0"])
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_DEFAULT_REGION", REGION)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|error| panic!("starting moto.server: {error}; {INSTALL}"));
        let stderr = child.stderr.take().expect("piped stderr");
        let (found, url) = mpsc::channel();
        // Reads werkzeug's "Running on http://127.0.0.1:PORT" line, then keeps
        // draining the request log so that moto never blocks on a full pipe.
        std::thread::spawn(move || {
            let mut seen = Vec::new();
            let mut sent = false;
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if !sent {
                    if let Some(at) = line.find("http://127.0.0.1:") {
                        let url = line[at..].split_whitespace().next().unwrap_or_default();
                        sent = found.send(Ok(url.to_owned())).is_ok();
                    } else {
                        seen.push(line);
                    }
                }
            }
            if !sent {
                let _ = found.send(Err(seen.join("\n")));
            }
        });
        let server = match url.recv_timeout(Duration::from_secs(60)) {
            Ok(Ok(url)) => Self { child, url },
            Ok(Err(log)) => {
                let _ = child.kill();
                panic!("moto.server exited before listening:\n{log}\n{INSTALL}")
            }
            Err(error) => {
                let _ = child.kill();
                panic!("moto.server printed no address in 60 s: {error}")
            }
        };
        let address = server.url.trim_start_matches("http://").to_owned();
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(&address).is_err() {
            assert!(
                Instant::now() < deadline,
                "moto.server at {address} does not answer"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        server
    }
}

impl MotoServer {
    /// moto's stored VPC Lattice resources by model (`GET /moto-api/data.json`),
    /// for what moto stores but cannot answer through the API.
    fn state(&self) -> Value {
        let address = self.url.trim_start_matches("http://");
        let mut stream = TcpStream::connect(address).expect("connect to moto");
        write!(
            stream,
            "GET /moto-api/data.json HTTP/1.0\r\nHost: {address}\r\n\r\n"
        )
        .expect("send to moto");
        let mut response = String::new();
        stream
            .read_to_string(&mut response)
            .expect("read moto's answer");
        let (_, body) = response.split_once("\r\n\r\n").expect("an HTTP answer");
        let data: Value = serde_json::from_str(body).expect("moto's state as JSON");
        data["vpclattice"].clone()
    }
}

impl Drop for MotoServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `SdkLattice` pointed at `url` with static credentials. One attempt per
/// call: moto answers at once, and a failure should show as it is.
fn client(url: &str) -> SdkLattice {
    let options = SdkOptions {
        endpoint_url: Some(url.to_owned()),
        calls_per_second: std::num::NonZeroU32::new(10_000).unwrap(),
        burst: std::num::NonZeroU32::new(10_000).unwrap(),
        max_attempts: 1,
        initial_backoff: Duration::from_millis(1),
        ..SdkOptions::default()
    };
    SdkLattice::with_credentials(
        REGION,
        Credentials::new("testing", "testing", None, None, "test"),
        &options,
    )
}

fn tags(pairs: &[(&str, &str)]) -> Tags {
    pairs
        .iter()
        .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
        .collect()
}

fn forward(groups: &[(&str, u32)]) -> RuleAction {
    RuleAction::Forward(ForwardAction {
        target_groups: groups
            .iter()
            .map(|(id, weight)| WeightedTargetGroup {
                target_group_identifier: (*id).to_owned(),
                weight: *weight,
            })
            .collect(),
    })
}

fn fixed(status_code: u16) -> RuleAction {
    RuleAction::FixedResponse(FixedResponseAction { status_code })
}

fn target_group_config(port: u16, health_check: Option<HealthCheckConfig>) -> TargetGroupConfig {
    TargetGroupConfig {
        port,
        protocol: "HTTP".into(),
        protocol_version: Some("HTTP1".into()),
        ip_address_type: "IPV4".into(),
        vpc_identifier: VPC.into(),
        health_check,
    }
}

/// The one item of `items` whose id is `id`.
fn by_id<'a, T>(items: &'a [T], id: &str, item_id: impl Fn(&T) -> &str) -> &'a T {
    let matching: Vec<&T> = items.iter().filter(|item| item_id(item) == id).collect();
    assert_eq!(matching.len(), 1, "exactly one item with id {id}");
    matching[0]
}

#[tokio::test(flavor = "multi_thread")]
async fn sdk_lattice_matches_moto() {
    // Both block for a moment (a Python start-up); the runtime has other
    // threads, and nothing else runs yet.
    let (version, operations) = moto_operations();
    report_coverage(&version, &operations);
    let moto = MotoServer::start();
    let lattice = client(&moto.url);

    // Service network.
    let network_tags = tags(&[("trellis.dev/owner", "moto-test"), ("env", "test")]);
    let network = lattice
        .create_service_network(CreateServiceNetworkInput {
            name: "moto-network".into(),
            auth_type: "AWS_IAM".into(),
            tags: network_tags.clone(),
        })
        .await
        .expect("CreateServiceNetwork");
    // moto's ids are the prefix and 17 characters of a UUID with its dashes
    // ("sn-cbee8ddf-0d82-45d"); the real API's are 17 lowercase alphanumerics.
    // Trellis treats ids as opaque, so only the prefix is checked.
    assert!(network.id.starts_with("sn-"), "{network:?}");
    assert!(
        network
            .arn
            .ends_with(&format!("servicenetwork/{}", network.id))
    );
    let networks = lattice
        .list_service_networks()
        .await
        .expect("ListServiceNetworks");
    assert_eq!(networks.len(), 1);
    assert_eq!(networks[0], network);

    // VPC association. moto lacks GetServiceNetworkVpcAssociation, which the
    // trait's list reads each association with, so only the create is checked.
    let vpc_association = lattice
        .create_service_network_vpc_association(CreateServiceNetworkVpcAssociationInput {
            service_network_identifier: network.id.clone(),
            vpc_identifier: VPC.into(),
            security_group_ids: vec!["sg-0123456789abcdef0".into()],
            tags: tags(&[("trellis.dev/owner", "moto-test")]),
        })
        .await
        .expect("CreateServiceNetworkVpcAssociation");
    assert!(
        vpc_association.id.starts_with("snva-"),
        "{vpc_association:?}"
    );
    assert!(vpc_association.arn.ends_with(&vpc_association.id));
    assert_eq!(vpc_association.service_network_id, network.id);
    assert_eq!(vpc_association.vpc_id, VPC);
    // The real API answers CREATE_IN_PROGRESS; moto is ACTIVE at once.
    assert!(
        ["ACTIVE", "CREATE_IN_PROGRESS"].contains(&vpc_association.status.as_str()),
        "{vpc_association:?}"
    );
    // What moto stored of the request, read outside the API for want of
    // GetServiceNetworkVpcAssociation.
    let stored = moto.state()["VPCLatticeServiceNetworkVpcAssociation"].clone();
    assert_eq!(stored.as_array().map(Vec::len), Some(1), "{stored}");
    assert_eq!(stored[0]["id"], json!(vpc_association.id));
    assert_eq!(stored[0]["service_network_id"], json!(network.id));
    assert_eq!(stored[0]["vpc_id"], json!(VPC));
    assert_eq!(
        stored[0]["security_group_ids"],
        json!(["sg-0123456789abcdef0"])
    );
    assert_eq!(stored[0]["tags"], json!({"trellis.dev/owner": "moto-test"}));

    // Service.
    let certificate = "arn:aws:acm:us-west-2:123456789012:certificate/0b1c2d3e";
    let service = lattice
        .create_service(CreateServiceInput {
            name: "moto-service".into(),
            custom_domain_name: Some("app.example.com".into()),
            certificate_arn: Some(certificate.into()),
            auth_type: "NONE".into(),
            tags: tags(&[("trellis.dev/owner", "moto-test"), ("app", "web")]),
        })
        .await
        .expect("CreateService");
    assert!(service.id.starts_with("svc-"), "{service:?}");
    assert!(service.arn.ends_with(&format!("service/{}", service.id)));
    // The real API's dnsEntry is the generated *.vpc-lattice-svcs name; moto
    // puts the custom domain name there. Either way it is read.
    assert!(!service.dns_entry.domain_name.is_empty(), "{service:?}");
    assert!(!service.dns_entry.hosted_zone_id.is_empty(), "{service:?}");
    assert!(!service.status.is_empty(), "{service:?}");
    let services = lattice.list_services().await.expect("ListServices");
    assert_eq!(services.len(), 1);
    assert_eq!(services[0].id, service.id);
    assert_eq!(services[0].arn, service.arn);
    assert_eq!(services[0].name, "moto-service");
    assert_eq!(services[0].auth_type, "NONE");
    assert_eq!(
        services[0].custom_domain_name.as_deref(),
        Some("app.example.com")
    );
    assert_eq!(services[0].certificate_arn.as_deref(), Some(certificate));
    assert_eq!(services[0].dns_entry, service.dns_entry);
    assert_eq!(services[0].tags, service.tags);

    // Service network service association.
    let association = lattice
        .create_service_network_service_association(CreateServiceNetworkServiceAssociationInput {
            service_identifier: service.id.clone(),
            service_network_identifier: network.id.clone(),
            tags: tags(&[("trellis.dev/owner", "moto-test")]),
        })
        .await
        .expect("CreateServiceNetworkServiceAssociation");
    assert!(association.id.starts_with("snsa-"), "{association:?}");
    assert!(association.arn.ends_with(&association.id));
    let associations = lattice
        .list_service_network_service_associations(&service.id)
        .await
        .expect("ListServiceNetworkServiceAssociations");
    assert_eq!(associations.len(), 1);
    let listed = &associations[0];
    assert_eq!(listed.id, association.id);
    assert_eq!(listed.arn, association.arn);
    assert_eq!(listed.service_id, service.id);
    assert_eq!(listed.service_network_id, network.id);
    assert_eq!(listed.tags, association.tags);
    assert!(!listed.status.is_empty(), "{listed:?}");
    // The real API's summary names the service and the service network;
    // moto's has only their ids.
    assert!(["", "moto-service"].contains(&listed.service_name.as_str()));
    assert!(["", "moto-network"].contains(&listed.service_network_name.as_str()));

    // Target groups, one with a full health check (moto stores the config
    // as sent and returns it, so this round-trips Trellis's serialization).
    let health_check = HealthCheckConfig {
        enabled: Some(true),
        health_check_interval_seconds: Some(15),
        health_check_timeout_seconds: Some(5),
        healthy_threshold_count: Some(3),
        unhealthy_threshold_count: Some(2),
        matcher: Some(Matcher {
            http_code: "200-299".into(),
        }),
        path: Some("/healthz".into()),
        port: Some(8081),
        protocol: Some("HTTP".into()),
        protocol_version: Some("HTTP1".into()),
    };
    let blue_input = CreateTargetGroupInput {
        name: "moto-blue".into(),
        type_: "IP".into(),
        config: target_group_config(8080, Some(health_check)),
        tags: tags(&[("trellis.dev/owner", "moto-test"), ("color", "blue")]),
    };
    let blue = lattice
        .create_target_group(blue_input.clone())
        .await
        .expect("CreateTargetGroup");
    let green = lattice
        .create_target_group(CreateTargetGroupInput {
            name: "moto-green".into(),
            type_: "IP".into(),
            config: target_group_config(9090, None),
            tags: Tags::new(),
        })
        .await
        .expect("CreateTargetGroup");
    for group in [&blue, &green] {
        assert!(group.id.starts_with("tg-"), "{group:?}");
        assert!(group.arn.ends_with(&format!("targetgroup/{}", group.id)));
        assert!(!group.status.is_empty(), "{group:?}");
    }
    let groups = lattice
        .list_target_groups()
        .await
        .expect("ListTargetGroups");
    assert_eq!(groups.len(), 2);
    for created in [&blue, &green] {
        let listed = by_id(&groups, &created.id, |group| &group.id);
        assert_eq!(listed.arn, created.arn);
        assert_eq!(listed.name, created.name);
        assert_eq!(listed.type_, "IP");
        assert_eq!(listed.config, created.config);
        assert_eq!(listed.tags, created.tags);
        assert_eq!(listed.status, "ACTIVE");
        // The real API lists the services whose listeners or rules forward
        // to the group (serviceArns); moto does not track them.
    }
    assert_eq!(
        by_id(&groups, &blue.id, |group| &group.id).config,
        blue_input.config
    );
    // TargetGroupUsers is GetTargetGroup's serviceArns, which moto leaves
    // empty; the call and its parsing are what is checked.
    assert_eq!(
        lattice
            .target_group_users(&blue.id)
            .await
            .expect("GetTargetGroup"),
        Vec::<String>::new()
    );

    // Listeners.
    let forwarding = lattice
        .create_listener(CreateListenerInput {
            service_identifier: service.id.clone(),
            name: "moto-http".into(),
            port: 8080,
            protocol: "HTTP".into(),
            default_action: forward(&[(&blue.id, 100)]),
            tags: tags(&[("trellis.dev/owner", "moto-test")]),
        })
        .await
        .expect("CreateListener");
    let fixed_404 = lattice
        .create_listener(CreateListenerInput {
            service_identifier: service.id.clone(),
            name: "moto-https".into(),
            port: 443,
            protocol: "HTTPS".into(),
            default_action: fixed(404),
            tags: Tags::new(),
        })
        .await
        .expect("CreateListener");
    for listener in [&forwarding, &fixed_404] {
        assert!(listener.id.starts_with("listener-"), "{listener:?}");
        assert!(listener.arn.ends_with(&format!("listener/{}", listener.id)));
        assert_eq!(listener.service_id, service.id);
    }
    let listeners = lattice
        .list_listeners(&service.id)
        .await
        .expect("ListListeners");
    assert_eq!(listeners.len(), 2);
    for created in [&forwarding, &fixed_404] {
        assert_eq!(
            by_id(&listeners, &created.id, |listener| &listener.id),
            created
        );
    }
    // moto sends ResourceNotFoundException with HTTP 400 (the real API: 404);
    // Trellis maps errors by their code, so both read as `NotFound`.
    let missing = lattice.list_listeners("svc-0000000000000000a").await;
    assert!(
        matches!(missing, Err(LatticeError::NotFound { .. })),
        "ListListeners of no service: {missing:?}"
    );

    // Rules. moto lacks ListRules and GetRule, so a rule cannot be read back
    // through the trait: the create's answer is checked, and the match and
    // action moto parsed from the request are read from moto's state.
    let rule = lattice
        .create_rule(CreateRuleInput {
            service_identifier: service.id.clone(),
            listener_identifier: forwarding.id.clone(),
            name: "moto-canary".into(),
            priority: 10,
            match_: RuleMatch {
                http_match: HttpMatch {
                    method: Some("GET".into()),
                    path_match: Some(PathMatch {
                        match_: PathMatchType::Prefix("/api".into()),
                        case_sensitive: true,
                    }),
                    header_matches: vec![HeaderMatch {
                        name: "x-canary".into(),
                        match_: HeaderMatchType::Exact("yes".into()),
                        case_sensitive: false,
                    }],
                },
            },
            action: forward(&[(&blue.id, 80), (&green.id, 20)]),
            tags: tags(&[("trellis.dev/owner", "moto-test")]),
        })
        .await
        .expect("CreateRule");
    assert!(rule.id.starts_with("rule-"), "{rule:?}");
    // moto's rule ARN reads ".../listener/listener-listener-.../rule/rule-..."
    // (it prefixes the listener id again); only its end is checked.
    assert!(rule.arn.ends_with(&format!("rule/{}", rule.id)));
    let exact = lattice
        .create_rule(CreateRuleInput {
            service_identifier: service.id.clone(),
            listener_identifier: forwarding.id.clone(),
            name: "moto-gone".into(),
            priority: 20,
            match_: RuleMatch {
                http_match: HttpMatch {
                    method: None,
                    path_match: Some(PathMatch {
                        match_: PathMatchType::Exact("/gone".into()),
                        case_sensitive: false,
                    }),
                    header_matches: Vec::new(),
                },
            },
            action: fixed(404),
            tags: Tags::new(),
        })
        .await
        .expect("CreateRule");
    assert!(
        exact.id.starts_with("rule-") && exact.id != rule.id,
        "{exact:?}"
    );
    let stored = moto.state()["VPCLatticeRule"].clone();
    let stored_rule = |id: &str| {
        let rules = stored.as_array().expect("moto's rules");
        let found: Vec<&Value> = rules
            .iter()
            .filter(|rule| rule["id"] == json!(id))
            .collect();
        assert_eq!(found.len(), 1, "rule {id} in {stored}");
        found[0].clone()
    };
    let canary = stored_rule(&rule.id);
    assert_eq!(canary["name"], json!("moto-canary"));
    assert_eq!(canary["priority"], json!(10));
    assert_eq!(canary["service_identifier"], json!(service.id));
    assert_eq!(canary["listener_identifier"], json!(forwarding.id));
    assert_eq!(
        canary["match"],
        json!({"httpMatch": {
            "method": "GET",
            "pathMatch": {"match": {"prefix": "/api"}, "caseSensitive": true},
            "headerMatches": [
                {"name": "x-canary", "match": {"exact": "yes"}, "caseSensitive": false}
            ]
        }})
    );
    assert_eq!(
        canary["action"],
        json!({"forward": {"targetGroups": [
            {"targetGroupIdentifier": blue.id, "weight": 80},
            {"targetGroupIdentifier": green.id, "weight": 20}
        ]}})
    );
    assert_eq!(canary["tags"], json!({"trellis.dev/owner": "moto-test"}));
    let gone = stored_rule(&exact.id);
    assert_eq!(gone["priority"], json!(20));
    assert_eq!(
        gone["match"],
        json!({"httpMatch": {"pathMatch": {"match": {"exact": "/gone"}, "caseSensitive": false}}})
    );
    assert_eq!(
        gone["action"],
        json!({"fixedResponse": {"statusCode": 404}})
    );

    // Auth policies: moto's state follows the resource's auth type, as the
    // real API's does (Active under AWS_IAM, Inactive under NONE).
    let allow_all = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"vpc-lattice-svcs:Invoke","Resource":"*"}]}"#;
    let deny_all = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"vpc-lattice-svcs:Invoke","Resource":"*"}]}"#;
    assert_eq!(
        lattice
            .get_auth_policy(&network.id)
            .await
            .expect("GetAuthPolicy"),
        None,
        "no policy yet"
    );
    let put = lattice
        .put_auth_policy(PutAuthPolicyInput {
            resource_identifier: network.id.clone(),
            policy: allow_all.into(),
        })
        .await
        .expect("PutAuthPolicy");
    assert_eq!(put.state, "Active");
    let read = lattice
        .get_auth_policy(&network.id)
        .await
        .expect("GetAuthPolicy")
        .expect("a policy");
    assert_eq!(read, put);
    let replaced = lattice
        .put_auth_policy(PutAuthPolicyInput {
            resource_identifier: network.id.clone(),
            policy: deny_all.into(),
        })
        .await
        .expect("PutAuthPolicy");
    let read = lattice
        .get_auth_policy(&network.id)
        .await
        .expect("GetAuthPolicy")
        .expect("a policy");
    assert_eq!(read, replaced);
    assert_eq!(read.policy, deny_all);
    let on_service = lattice
        .put_auth_policy(PutAuthPolicyInput {
            resource_identifier: service.id.clone(),
            policy: allow_all.into(),
        })
        .await
        .expect("PutAuthPolicy");
    assert_eq!(on_service.state, "Inactive");
    let read = lattice
        .get_auth_policy(&service.id)
        .await
        .expect("GetAuthPolicy")
        .expect("a policy");
    assert_eq!(read, on_service);
    lattice
        .delete_auth_policy(&service.id)
        .await
        .expect("DeleteAuthPolicy");
    assert_eq!(
        lattice
            .get_auth_policy(&service.id)
            .await
            .expect("GetAuthPolicy"),
        None
    );
    let again = lattice.delete_auth_policy(&service.id).await;
    assert!(
        matches!(again, Err(LatticeError::NotFound { .. })),
        "DeleteAuthPolicy of none: {again:?}"
    );
    assert_eq!(
        lattice
            .get_auth_policy(&network.id)
            .await
            .expect("GetAuthPolicy")
            .map(|policy| policy.policy),
        Some(deny_all.to_owned()),
        "the other resource's policy is kept"
    );

    // Tags: added and overwritten, the others kept.
    lattice
        .tag_resource(TagResourceInput {
            resource_arn: service.arn.clone(),
            tags: tags(&[("env", "prod"), ("app", "api")]),
        })
        .await
        .expect("TagResource");
    lattice
        .tag_resource(TagResourceInput {
            resource_arn: fixed_404.arn.clone(),
            tags: tags(&[("tier", "edge")]),
        })
        .await
        .expect("TagResource");
    lattice
        .tag_resource(TagResourceInput {
            resource_arn: network.arn.clone(),
            tags: tags(&[("env", "prod")]),
        })
        .await
        .expect("TagResource");
    let services = lattice.list_services().await.expect("ListServices");
    assert_eq!(
        services[0].tags,
        tags(&[
            ("trellis.dev/owner", "moto-test"),
            ("app", "api"),
            ("env", "prod")
        ])
    );
    let listeners = lattice
        .list_listeners(&service.id)
        .await
        .expect("ListListeners");
    assert_eq!(
        by_id(&listeners, &fixed_404.id, |listener| &listener.id).tags,
        tags(&[("tier", "edge")])
    );
    assert_eq!(
        by_id(&listeners, &forwarding.id, |listener| &listener.id).tags,
        forwarding.tags
    );
    let networks = lattice
        .list_service_networks()
        .await
        .expect("ListServiceNetworks");
    assert_eq!(
        networks[0].tags,
        tags(&[("trellis.dev/owner", "moto-test"), ("env", "prod")])
    );

    // Access log subscriptions.
    let bucket = "arn:aws:s3:::moto-access-logs";
    let log_group = "arn:aws:logs:us-west-2:123456789012:log-group:/lattice/moto";
    let on_service = lattice
        .create_access_log_subscription(CreateAccessLogSubscriptionInput {
            resource_identifier: service.id.clone(),
            destination_arn: bucket.into(),
            tags: tags(&[("trellis.dev/owner", "moto-test")]),
        })
        .await
        .expect("CreateAccessLogSubscription");
    let on_network = lattice
        .create_access_log_subscription(CreateAccessLogSubscriptionInput {
            resource_identifier: network.id.clone(),
            destination_arn: log_group.into(),
            tags: Tags::new(),
        })
        .await
        .expect("CreateAccessLogSubscription");
    assert!(on_service.id.starts_with("als-"), "{on_service:?}");
    assert!(on_service.arn.ends_with(&on_service.id));
    assert_eq!(on_service.resource_id, service.id);
    assert_eq!(on_network.resource_id, network.id);
    assert_eq!(
        lattice
            .list_access_log_subscriptions(&service.id)
            .await
            .expect("ListAccessLogSubscriptions"),
        vec![on_service.clone()]
    );
    assert_eq!(
        lattice
            .list_access_log_subscriptions(&network.id)
            .await
            .expect("ListAccessLogSubscriptions"),
        vec![on_network.clone()]
    );
    lattice
        .delete_access_log_subscription(&on_service.id)
        .await
        .expect("DeleteAccessLogSubscription");
    assert_eq!(
        lattice
            .list_access_log_subscriptions(&service.id)
            .await
            .expect("ListAccessLogSubscriptions"),
        Vec::new()
    );
    let again = lattice.delete_access_log_subscription(&on_service.id).await;
    assert!(
        matches!(again, Err(LatticeError::NotFound { .. })),
        "DeleteAccessLogSubscription of none: {again:?}"
    );
    assert_eq!(
        lattice
            .list_access_log_subscriptions(&network.id)
            .await
            .expect("ListAccessLogSubscriptions"),
        vec![on_network]
    );

    println!(
        "SDK calls made: {:?}",
        lattice.call_counts().keys().collect::<Vec<_>>()
    );
    drop(moto);
}
