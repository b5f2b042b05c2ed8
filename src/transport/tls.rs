//! The rustls client configuration for a daemon behind TLS (`DOCKER_TLS_VERIFY`).

use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use super::host::TlsMaterial;
use crate::error::{Error, Result};

/// Trust the daemon's CA (only it) and present the client certificate, if any.
pub(crate) fn client_config(tls: &TlsMaterial) -> Result<rustls::ClientConfig> {
    fn bad<E: std::error::Error + Send + Sync + 'static>(what: &str) -> impl FnOnce(E) -> Error {
        move |e| Error::tls_config_from(what, e)
    }
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(&tls.ca_pem) {
        roots
            .add(cert.map_err(bad("CA certificate"))?)
            .map_err(bad("CA certificate"))?;
    }
    if roots.is_empty() {
        return Err(Error::tls_config("the CA file holds no certificate"));
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(bad("TLS versions"))?
        .with_root_certificates(roots);
    let mut config = match (&tls.cert_pem, &tls.key_pem) {
        (Some(cert), Some(key)) => {
            let chain = CertificateDer::pem_slice_iter(cert)
                .collect::<std::result::Result<Vec<_>, _>>()
                .map_err(bad("client certificate"))?;
            let key = PrivateKeyDer::from_pem_slice(key).map_err(bad("client key"))?;
            builder
                .with_client_auth_cert(chain, key)
                .map_err(bad("client certificate and key"))?
        }
        (None, None) => builder.with_no_client_auth(),
        _ => {
            return Err(Error::tls_config(
                "a client certificate needs its key, and a key its certificate",
            ));
        }
    };
    // The daemon speaks HTTP/1.1; exec and attach upgrade the connection.
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}
