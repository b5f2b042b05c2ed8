//! Real TLS: the engine under test listens on 127.0.0.1 with `--tlsverify`, certificates
//! made by `scripts/test-engines.sh up` with openssl.

use docker_engine::{Docker, Error, TlsMaterial};

use crate::common::engine;

#[tokio::test]
async fn the_right_client_certificate_connects() {
    let e = engine();
    let docker = Docker::builder()
        .host(&e.tls_host)
        .cert_path(&e.certs)
        .unwrap()
        .build()
        .unwrap();
    assert!(docker.address().contains("(TLS)"), "{}", docker.address());
    assert_eq!(
        docker.api_version().await.unwrap(),
        e.api.min(docker_engine::ApiVersion::SPEC)
    );
    let v = docker.version().await.unwrap();
    assert!(v.version.is_some());
    // The raw client rides the same TLS connection.
    let list = docker
        .raw()
        .container_list()
        .all(true)
        .send()
        .await
        .unwrap();
    assert!(list.into_inner().is_some());
    // The three ways out of the core over TLS: unary (above), a stream, an upgrade.
    let scope = crate::common::Scope::new();
    crate::common::stream_and_session_over(&docker, &scope, "over-tls").await;
}

#[tokio::test]
async fn no_client_certificate_is_refused_with_a_tls_error() {
    let e = engine();
    let dir = std::path::Path::new(&e.certs);
    let tls = TlsMaterial {
        ca_pem: std::fs::read(dir.join("ca.pem")).unwrap(),
        cert_pem: None,
        key_pem: None,
        skip_verify: false,
    };
    let docker = Docker::builder()
        .host(&e.tls_host)
        .tls(tls)
        .build()
        .unwrap();
    let err = docker.ping().await.unwrap_err();
    assert!(
        matches!(err, Error::Tls { .. }),
        "expected a TLS error, got {err:?}"
    );
    assert!(
        err.to_string().contains(&e.tls_host["tcp://".len()..]),
        "names the address: {err}"
    );
}

#[tokio::test]
async fn a_certificate_from_another_ca_is_refused_with_a_tls_error() {
    let e = engine();
    // Our CA, but the client certificate of another CA: the daemon refuses it.
    let dir = std::path::Path::new(&e.certs);
    let rogue = std::path::Path::new(&e.rogue_certs);
    let tls = TlsMaterial {
        ca_pem: std::fs::read(dir.join("ca.pem")).unwrap(),
        cert_pem: Some(std::fs::read(rogue.join("cert.pem")).unwrap()),
        key_pem: Some(std::fs::read(rogue.join("key.pem")).unwrap()),
        skip_verify: false,
    };
    let docker = Docker::builder()
        .host(&e.tls_host)
        .tls(tls)
        .build()
        .unwrap();
    let err = docker.ping().await.unwrap_err();
    assert!(
        matches!(err, Error::Tls { .. }),
        "expected a TLS error, got {err:?}"
    );

    // The other CA's trust: the daemon's certificate is not trusted.
    let docker = Docker::builder()
        .host(&e.tls_host)
        .cert_path(&e.rogue_certs)
        .unwrap()
        .build()
        .unwrap();
    let err = docker.ping().await.unwrap_err();
    assert!(
        matches!(&err, Error::Tls { message, .. } if message.contains("certificate")),
        "got {err:?}"
    );
}

#[tokio::test]
async fn plain_http_to_a_tls_port_fails_clearly() {
    let e = engine();
    let docker = Docker::connect(&e.tls_host).unwrap();
    let err = docker.ping().await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Transport { .. } | Error::Api { .. } | Error::Version(_)
        ),
        "{err:?}"
    );
}

#[test]
fn bad_tls_material_is_a_configuration_error() {
    let e = engine();
    let missing = Docker::builder()
        .host(&e.tls_host)
        .cert_path("/nonexistent/certs");
    assert!(
        matches!(missing, Err(Error::TlsConfig { message: m, .. }) if m.contains("/nonexistent/certs/ca.pem"))
    );
    let junk = TlsMaterial {
        ca_pem: b"not a pem".to_vec(),
        cert_pem: None,
        key_pem: None,
        skip_verify: false,
    };
    assert!(matches!(
        Docker::builder().host(&e.tls_host).tls(junk).build(),
        Err(Error::TlsConfig { .. })
    ));
    assert!(matches!(
        Docker::builder().host("https://127.0.0.1:1").build(),
        Err(Error::TlsConfig { .. })
    ));
}

/// `skip_verify` (a context's `skip-tls-verify`): the daemon's certificate is not checked,
/// so a client that trusts only the rogue CA still connects, presenting the right client
/// certificate; without `skip_verify` the same client is refused.
#[tokio::test]
async fn skip_verify_connects_without_checking_the_daemon() {
    let e = engine();
    let dir = std::path::Path::new(&e.certs);
    let rogue = std::path::Path::new(&e.rogue_certs);
    let material = |skip_verify: bool| TlsMaterial {
        ca_pem: std::fs::read(rogue.join("ca.pem")).unwrap(),
        cert_pem: Some(std::fs::read(dir.join("cert.pem")).unwrap()),
        key_pem: Some(std::fs::read(dir.join("key.pem")).unwrap()),
        skip_verify,
    };
    let connect = |tls| {
        Docker::builder()
            .host(&e.tls_host)
            .tls(tls)
            .build()
            .unwrap()
    };
    assert!(matches!(
        connect(material(false)).version().await,
        Err(Error::Tls { .. })
    ));
    let v = connect(material(true)).version().await.unwrap();
    assert!(v.version.is_some());
    // No CA at all, and no client certificate: the daemon refuses the client, not the
    // other way round.
    let r = connect(TlsMaterial::without_verification()).version().await;
    assert!(r.is_err(), "{r:?}");
}
