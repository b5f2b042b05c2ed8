//! `Docker::from_env` reads the docker CLI's variables. One test in its own binary: it sets
//! process environment variables.

#[path = "engine/common/mod.rs"]
mod common;

use docker_engine::{ApiVersion, Docker, Error};

#[tokio::test]
async fn docker_cli_variables_alone_are_enough() {
    let e = common::engine();
    // SAFETY: this binary runs this one test; no other thread reads the environment now.
    let set = |k: &str, v: &str| unsafe { std::env::set_var(k, v) };
    let unset = |k: &str| unsafe { std::env::remove_var(k) };
    unset("DOCKER_API_VERSION");

    // TLS: DOCKER_HOST + DOCKER_TLS_VERIFY + DOCKER_CERT_PATH.
    set("DOCKER_HOST", &e.tls_host);
    set("DOCKER_TLS_VERIFY", "1");
    set("DOCKER_CERT_PATH", &e.certs);
    let docker = Docker::from_env().unwrap();
    assert_eq!(docker.api_version().await.unwrap(), e.api);
    docker.ping().await.unwrap();

    // A pinned version.
    unset("DOCKER_TLS_VERIFY");
    unset("DOCKER_CERT_PATH");
    set("DOCKER_HOST", &e.host);
    set("DOCKER_API_VERSION", "1.41");
    let docker = Docker::from_env().unwrap();
    assert_eq!(docker.api_version().await.unwrap(), ApiVersion::new(1, 41));
    docker.version().await.unwrap();

    // Bad values fail at construction.
    set("DOCKER_API_VERSION", "latest");
    assert!(matches!(Docker::from_env(), Err(Error::Version(_))));
    unset("DOCKER_API_VERSION");
    // (Not "tcp//missing-colon": by the CLI's rules that is host `tcp` with a base path.)
    set("DOCKER_HOST", "tcp://h:notaport");
    assert!(matches!(Docker::from_env(), Err(Error::InvalidHost { .. })));
    set("DOCKER_HOST", &e.tls_host);
    set("DOCKER_TLS_VERIFY", "1");
    set("DOCKER_CERT_PATH", "/nonexistent");
    assert!(matches!(Docker::from_env(), Err(Error::TlsConfig { .. })));
    unset("DOCKER_TLS_VERIFY");
    unset("DOCKER_CERT_PATH");

    // The default: unix:///var/run/docker.sock, whatever is (or is not) there.
    unset("DOCKER_HOST");
    assert_eq!(
        Docker::from_env().unwrap().address(),
        "unix:///var/run/docker.sock"
    );
}
