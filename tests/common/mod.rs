//! Finds the test engine that `scripts/test.sh` started, and helps tests stay hermetic:
//! unique names, the test label, cleanup.
//!
//! The engine under test is named by `DOCKER_ENGINE_TEST_ENGINE` (`v141` or `v151`); its
//! addresses come from the env file `scripts/test-engines.sh up` writes. Without them every
//! test fails loudly: there is no silent skip.
#![allow(dead_code)]

pub mod proxy;

use std::sync::atomic::{AtomicU32, Ordering};

use docker_engine::{ApiVersion, Docker};

/// Label every object a test creates carries; `scripts/test-engines.sh sweep` removes them.
pub const LABEL: &str = "io.docker-engine.test";

/// The engine under test.
#[derive(Clone, Debug)]
pub struct Engine {
    /// `v141` or `v151`.
    pub name: String,
    /// `unix://...` of its socket.
    pub host: String,
    /// `tcp://127.0.0.1:port` where it takes TLS.
    pub tls_host: String,
    /// The API version it speaks.
    pub api: ApiVersion,
    /// Directory with `ca.pem`, `cert.pem`, `key.pem` its TLS port trusts.
    pub certs: String,
    /// The same files from another CA.
    pub rogue_certs: String,
    /// The fixture image (busybox) present on it.
    pub image: String,
    /// `127.0.0.1:port` of the loopback registry.
    pub registry: String,
    pub registry_user: String,
    pub registry_password: String,
    /// The test state directory.
    pub dir: String,
}

fn var(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!(
            "{name} is not set: the integration tests need the project's test engines. \
             Run them with `scripts/test.sh` (it starts the engines), or start them with \
             `scripts/test-engines.sh up`, `source /tmp/docker-engine-test/env` and set \
             DOCKER_ENGINE_TEST_ENGINE=v141 or v151."
        )
    })
}

/// The engine under test; panics with instructions when there is none.
pub fn engine() -> Engine {
    let name = var("DOCKER_ENGINE_TEST_ENGINE");
    let key = name.to_uppercase();
    Engine {
        host: var(&format!("DOCKER_ENGINE_TEST_{key}_HOST")),
        tls_host: var(&format!("DOCKER_ENGINE_TEST_{key}_TLS_HOST")),
        api: var(&format!("DOCKER_ENGINE_TEST_{key}_API_VERSION"))
            .parse()
            .expect("API version"),
        certs: var("DOCKER_ENGINE_TEST_TLS_CERTS"),
        rogue_certs: var("DOCKER_ENGINE_TEST_TLS_ROGUE"),
        image: var("DOCKER_ENGINE_TEST_IMAGE"),
        registry: var("DOCKER_ENGINE_TEST_REGISTRY"),
        registry_user: var("DOCKER_ENGINE_TEST_REGISTRY_USER"),
        registry_password: var("DOCKER_ENGINE_TEST_REGISTRY_PASSWORD"),
        dir: var("DOCKER_ENGINE_TEST_DIR"),
        name,
    }
}

/// A client for the engine under test, over its unix socket.
pub fn docker() -> Docker {
    Docker::connect(&engine().host).expect("connect to the test engine")
}

/// A name no other test (or run) uses: `dei-<prefix>-<pid>-<n>`.
pub fn unique(prefix: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    format!(
        "dei-{prefix}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// Whether the engine under test is the newer one.
pub fn is_v151() -> bool {
    engine().name == "v151"
}

/// The engine's socket path.
pub fn socket_path() -> std::path::PathBuf {
    std::path::PathBuf::from(engine().host.strip_prefix("unix://").expect("unix host"))
}
