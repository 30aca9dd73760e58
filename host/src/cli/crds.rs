//! `trellis crds`: prints the CustomResourceDefinitions of the
//! `application-networking.k8s.aws` kinds as multi-document YAML.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;

use trellis::kube::crds;

/// Writes [`crds::to_yaml`] to stdout.
pub fn run() -> anyhow::Result<ExitCode> {
    let yaml = crds::to_yaml().context("serializing the CRDs")?;
    std::io::stdout()
        .write_all(yaml.as_bytes())
        .context("writing the CRDs to stdout")?;
    Ok(ExitCode::SUCCESS)
}
