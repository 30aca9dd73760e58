//! The webhook's TLS: the certificate chain and private key read from PEM
//! files (`tls.crt`, `tls.key`), offering HTTP/1.1.
//!
//! Contract: [`server_config`] either returns a configuration whose key
//! matches the certificate, or an error naming the file that is missing,
//! unreadable, or holds no usable certificate or key.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::crypto::aws_lc_rs;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};

use super::WebhookError;

/// The TLS configuration of the webhook server, from `cert_file` (a PEM
/// chain, leaf first) and `key_file` (a PEM private key: PKCS#8, PKCS#1 or
/// SEC1).
pub fn server_config(cert_file: &Path, key_file: &Path) -> Result<Arc<ServerConfig>, WebhookError> {
    let cert_pem = read(cert_file)?;
    let chain = CertificateDer::pem_slice_iter(&cert_pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| bad(cert_file, format!("not a PEM certificate chain: {error}")))?;
    if chain.is_empty() {
        return Err(bad(cert_file, "holds no PEM certificate".into()));
    }
    let key_pem = read(key_file)?;
    let key = PrivateKeyDer::from_pem_slice(&key_pem)
        .map_err(|error| bad(key_file, format!("holds no PEM private key: {error}")))?;
    let mut config = ServerConfig::builder_with_provider(Arc::new(aws_lc_rs::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|error| bad(cert_file, error.to_string()))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|error| {
            bad(
                key_file,
                format!(
                    "does not fit the certificate of {}: {error}",
                    cert_file.display()
                ),
            )
        })?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

fn read(path: &Path) -> Result<Vec<u8>, WebhookError> {
    std::fs::read(path).map_err(|source| WebhookError::Read {
        path: path.to_owned(),
        source,
    })
}

fn bad(path: &Path, message: String) -> WebhookError {
    WebhookError::Certificate {
        path: PathBuf::from(path),
        message,
    }
}
