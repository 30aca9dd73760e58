//! A third-party check: boto3's `vpc-lattice` client drives every served
//! operation against the emulator (`tests/boto3_check.py`).

use std::path::Path;
use std::process::{Command, Output};

use lattice_emulator::{Emulator, EmulatorConfig};
use tokio::net::TcpListener;

const INSTALL: &str = "install the Python test tools: pip install -r tests/requirements.txt";

/// Runs `python3 args...` and returns its output.
fn python(args: &[&str]) -> Output {
    Command::new("python3")
        .args(args)
        .output()
        .unwrap_or_else(|error| panic!("running python3: {error}; {INSTALL}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn boto3_drives_every_operation() {
    let has_boto3 = tokio::task::spawn_blocking(|| python(&["-c", "import boto3"]))
        .await
        .unwrap();
    assert!(has_boto3.status.success(), "{INSTALL}");

    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let emulator = Emulator::with_config(EmulatorConfig::default().page_size(2));
    tokio::spawn(emulator.clone().serve(listener));

    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/boto3_check.py");
    let output = tokio::task::spawn_blocking(move || {
        python(&[script.to_str().expect("a UTF-8 path"), url.as_str()])
    })
    .await
    .unwrap();
    assert!(
        output.status.success(),
        "boto3_check.py failed:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    println!("{}", emulator.stats());
}
