//! The webhook's TLS: the certificate chain and private key read from PEM
//! files (`tls.crt`, `tls.key`), offering HTTP/1.1, and read again when
//! either file changes (cert-manager renewing it, a Secret updated by a
//! Helm upgrade), so a running replica never serves an outdated one.
//!
//! Contract: [`server_config`] either returns a configuration whose key
//! matches the certificate, or an error naming the file that is missing,
//! unreadable, or holds no usable certificate or key. Afterwards, a
//! handshake after a change of either file's modification time loads both
//! again; a pair that cannot be loaded then is logged and the last good one
//! kept.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::crypto::{CryptoProvider, aws_lc_rs};
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls::server::{ClientHello, ResolvesServerCert};
use tokio_rustls::rustls::sign::CertifiedKey;

use super::WebhookError;

/// The TLS configuration of the webhook server, from `cert_file` (a PEM
/// chain, leaf first) and `key_file` (a PEM private key: PKCS#8, PKCS#1 or
/// SEC1).
pub fn server_config(cert_file: &Path, key_file: &Path) -> Result<Arc<ServerConfig>, WebhookError> {
    let provider = Arc::new(aws_lc_rs::default_provider());
    let resolver = Reloading::load(cert_file, key_file, provider.clone())?;
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|error| bad(cert_file, error.to_string()))?
        .with_no_client_auth()
        .with_cert_resolver(Arc::new(resolver));
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// The certificate and key, with the files' modification times they were
/// read at.
#[derive(Debug)]
struct Loaded {
    modified: (Option<SystemTime>, Option<SystemTime>),
    key: Arc<CertifiedKey>,
}

/// Serves the last good pair, reloading it when the files change.
#[derive(Debug)]
struct Reloading {
    cert_file: PathBuf,
    key_file: PathBuf,
    provider: Arc<CryptoProvider>,
    loaded: Mutex<Loaded>,
}

impl Reloading {
    fn load(
        cert_file: &Path,
        key_file: &Path,
        provider: Arc<CryptoProvider>,
    ) -> Result<Self, WebhookError> {
        let modified = modified(cert_file, key_file);
        let key = certified_key(cert_file, key_file, &provider)?;
        Ok(Self {
            cert_file: cert_file.to_owned(),
            key_file: key_file.to_owned(),
            provider,
            loaded: Mutex::new(Loaded { modified, key }),
        })
    }
}

impl ResolvesServerCert for Reloading {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        let mut loaded = self
            .loaded
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let now = modified(&self.cert_file, &self.key_file);
        if now != loaded.modified {
            // Recorded either way: a bad pair is reported once per change.
            loaded.modified = now;
            match certified_key(&self.cert_file, &self.key_file, &self.provider) {
                Ok(key) => {
                    loaded.key = key;
                    tracing::info!(file = %self.cert_file.display(), "webhook certificate reloaded");
                }
                Err(error) => {
                    tracing::warn!(%error, "webhook certificate changed but cannot be used; serving the previous one");
                }
            }
        }
        Some(loaded.key.clone())
    }
}

fn modified(cert_file: &Path, key_file: &Path) -> (Option<SystemTime>, Option<SystemTime>) {
    let time = |path: &Path| {
        std::fs::metadata(path)
            .and_then(|meta| meta.modified())
            .ok()
    };
    (time(cert_file), time(key_file))
}

fn certified_key(
    cert_file: &Path,
    key_file: &Path,
    provider: &CryptoProvider,
) -> Result<Arc<CertifiedKey>, WebhookError> {
    let cert_pem = read(cert_file)?;
    let chain = CertificateDer::pem_slice_iter(&cert_pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|error| {
            bad(
                cert_file,
                format!("is not a PEM certificate chain: {error}"),
            )
        })?;
    if chain.is_empty() {
        return Err(bad(cert_file, "holds no PEM certificate".into()));
    }
    let key_pem = read(key_file)?;
    let key = PrivateKeyDer::from_pem_slice(&key_pem)
        .map_err(|error| bad(key_file, format!("holds no PEM private key: {error}")))?;
    CertifiedKey::from_der(chain, key, provider)
        .map(Arc::new)
        .map_err(|error| {
            bad(
                key_file,
                format!(
                    "does not fit the certificate of {}: {error}",
                    cert_file.display()
                ),
            )
        })
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
