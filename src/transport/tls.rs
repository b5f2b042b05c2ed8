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
    if roots.is_empty() && !tls.skip_verify {
        return Err(Error::tls_config("the CA file holds no certificate"));
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(bad("TLS versions"))?;
    let builder = if tls.skip_verify {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(NoVerification(provider)))
    } else {
        builder.with_root_certificates(roots)
    };
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

/// A context's `skip-tls-verify`: any certificate is taken for the daemon's; the handshake's
/// signatures are still checked, so the session is encrypted (to whoever answered).
#[derive(Debug)]
struct NoVerification(Arc<rustls::crypto::CryptoProvider>);

impl rustls::client::danger::ServerCertVerifier for NoVerification {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &rustls::pki_types::ServerName<'_>,
        _: &[u8],
        _: rustls::pki_types::UnixTime,
    ) -> std::result::Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        Ok(rustls::client::danger::ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> std::result::Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> std::result::Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}
