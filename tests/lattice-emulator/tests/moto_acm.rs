//! A third-party cross-check of certificate discovery: `trellis::acm`
//! (`aws-sdk-acm`) against moto's ACM (`python3 -m moto.server`), an
//! implementation not written here. Certificates are requested in moto
//! through the SDK, then discovered.
//!
//! moto's gaps (moto's, not ACM's): its `ListCertificates` summaries carry
//! `SubjectAlternativeNames` instead of `SubjectAlternativeNameSummaries`
//! (so discovery falls back to each certificate's domain name there), and it
//! answers in one page. `MOTO_ACM_VALIDATION_WAIT=0` makes requested
//! certificates `ISSUED` at once.

use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use aws_sdk_acm::config::{BehaviorVersion, Credentials, Region};
use trellis::acm::{AcmOptions, CertificateDiscovery, Certificates, Discovered, SdkAcm};

const INSTALL: &str = "install the Python test tools: pip install -r tests/requirements.txt";
const REGION: &str = "us-west-2";

/// `python3 -m moto.server` on a free 127.0.0.1 port, killed on drop.
struct Moto {
    child: Child,
    url: String,
}

impl Moto {
    /// Starts moto (`-p 0`: werkzeug prints the port it got) and waits until
    /// it accepts connections.
    fn start() -> Self {
        let mut child = Command::new("python3")
            .args(["-m", "moto.server", "-H", "127.0.0.1", "-p", "0"])
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_DEFAULT_REGION", REGION)
            .env("MOTO_ACM_VALIDATION_WAIT", "0")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|error| panic!("starting moto.server: {error}; {INSTALL}"));
        let stderr = child.stderr.take().expect("piped stderr");
        let (found, address) = mpsc::channel();
        std::thread::spawn(move || {
            let mut sent = false;
            // Keeps draining the request log so that moto never blocks.
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let (false, Some(at)) = (sent, line.find("http://127.0.0.1:")) {
                    let url = line[at..].split_whitespace().next().unwrap_or_default();
                    sent = found.send(url.to_owned()).is_ok();
                }
            }
        });
        let Ok(url) = address.recv_timeout(Duration::from_secs(60)) else {
            let _ = child.kill();
            panic!("moto.server printed no address in 60 s; {INSTALL}");
        };
        let moto = Self { child, url };
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(moto.url.trim_start_matches("http://")).is_err() {
            assert!(Instant::now() < deadline, "moto.server does not answer");
            std::thread::sleep(Duration::from_millis(50));
        }
        moto
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn config() -> aws_sdk_acm::config::Builder {
    aws_sdk_acm::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .credentials_provider(Credentials::new("testing", "testing", None, None, "test"))
        .region(Region::new(REGION))
}

#[tokio::test]
async fn discovery_finds_certificates_requested_in_moto() {
    let moto = Moto::start();
    let client = aws_sdk_acm::Client::from_conf(config().endpoint_url(&moto.url).build());
    let mut requested = Vec::new();
    for domain in ["*.moto.example", "api.moto.example", "other.test"] {
        let answer = client
            .request_certificate()
            .domain_name(domain)
            .send()
            .await
            .unwrap_or_else(|error| panic!("moto RequestCertificate {domain}: {error:?}"));
        requested.push(answer.certificate_arn().unwrap().to_owned());
    }

    let options = AcmOptions {
        endpoint_url: Some(moto.url.clone()),
        max_attempts: 1,
        ..AcmOptions::default()
    };
    let discovery = CertificateDiscovery::new(SdkAcm::with_config(config(), &options));
    assert_eq!(
        discovery.discover("API.moto.example").await,
        Ok(Discovered::Found(requested[1].clone())),
        "the exact certificate"
    );
    assert_eq!(
        discovery.discover("web.moto.example").await,
        Ok(Discovered::Found(requested[0].clone())),
        "the wildcard"
    );
    assert_eq!(
        discovery.discover("a.b.moto.example").await,
        Ok(Discovered::NotFound),
        "one level only"
    );
}
