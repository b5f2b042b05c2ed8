//! Finds the test engine that `scripts/test.sh` started, and helps tests stay hermetic:
//! unique names, the test label, cleanup.
//!
//! The engine under test is named by `DOCKER_ENGINE_TEST_ENGINE` (`v141`, `v151` or
//! `podman`); its addresses come from the env file `scripts/test-engines.sh up` writes.
//! Without them every test fails loudly: there is no silent skip. Where Podman's
//! Docker-compatible API answers differently from Docker's, a test asserts what Podman does
//! ([`is_podman`]); README.md, "Known differences on Podman", lists every such place.
#![allow(dead_code)]

pub mod ledger;
pub mod proxy;
pub mod tmux;

use std::sync::atomic::{AtomicU32, Ordering};

use docker_engine::{ApiVersion, Docker, types};

/// Label every object a test creates carries; `scripts/test-engines.sh sweep` removes them.
pub const LABEL: &str = "io.docker-engine.test";

/// The engine under test.
#[derive(Clone, Debug)]
pub struct Engine {
    /// `v141`, `v151` or `podman`.
    pub name: String,
    /// `unix://...` of its socket.
    pub host: String,
    /// `tcp://127.0.0.1:port` where it takes TLS (for Podman, which has no TLS listener, a
    /// TLS terminator in front of its socket: scripts/engines/podman.sh).
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
             DOCKER_ENGINE_TEST_ENGINE=v141, v151 or podman."
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

/// A client for the engine under test, over its unix socket, recording what it calls in
/// the operation ledger.
pub fn docker() -> Docker {
    Docker::builder()
        .host(engine().host)
        .observe(ledger::record)
        .build()
        .expect("connect to the test engine")
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

/// Whether the engine under test is the newer Docker.
pub fn is_v151() -> bool {
    engine().name == "v151"
}

/// Whether the engine under test is Podman (4.3, its Docker-compatible API at v1.41).
pub fn is_podman() -> bool {
    engine().name == "podman"
}

/// An image reference as the engine reports it back (`RepoTags`, a container's `Image`):
/// Docker keeps what it was given; Podman names it fully, `docker.io/library/busybox:latest`
/// for `busybox:latest`, as the reference means in Docker's own normalisation.
pub fn reported(reference: &str) -> String {
    if !is_podman() {
        return reference.to_string();
    }
    let first = reference.split('/').next().unwrap_or_default();
    let has_domain = reference.contains('/')
        && (first.contains('.') || first.contains(':') || first == "localhost");
    match (has_domain, reference.contains('/')) {
        (true, _) => reference.to_string(),
        (false, true) => format!("docker.io/{reference}"),
        (false, false) => format!("docker.io/library/{reference}"),
    }
}

/// `call`, again while Podman fails it for a container removed under it: its
/// `GET /system/df` answers 500 "... does not exist in database: no such container" when a
/// container it listed is removed before it is measured, which the suite's other tests do
/// all the time. Any other answer, and every answer from Docker, is returned as it is.
pub async fn podman_race<T, F, Fut>(mut call: F) -> docker_engine::Result<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = docker_engine::Result<T>>,
{
    for _ in 0..20 {
        match call().await {
            Err(docker_engine::Error::Api {
                status: 500,
                message,
            }) if is_podman() && message.contains("does not exist in database") => {
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            other => return other,
        }
    }
    call().await
}

/// Tag the fixture image as `target`. Podman 4.3 loses a tag when two are added to the
/// same image at once (each writes the image's names back over the other's), which the
/// suite's tests running side by side do: on Podman the tag is checked and added again
/// until it holds.
pub async fn tag_fixture(target: impl AsRef<str>) {
    let (d, image, target) = (docker(), engine().image, target.as_ref());
    for _ in 0..20 {
        d.images().tag(&image, target).await.unwrap();
        if !is_podman() || d.images().get(target).await.is_ok() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("Podman kept losing the tag {target}");
}

/// The first two octets of the engine's own address pool for user-defined networks
/// (`10.141`, `10.151`, `10.161`: scripts/engines), for subnets a test picks itself.
pub fn pool_prefix() -> String {
    let key = format!("DOCKER_ENGINE_TEST_{}_POOL", engine().name.to_uppercase());
    let pool = var(&key);
    let mut octets = pool.split('.');
    format!(
        "{}.{}",
        octets.next().unwrap_or_default(),
        octets.next().unwrap_or_default()
    )
}

/// Over `d`, the three ways out of the core, each checked: a container made and started
/// (unary calls) prints `marker`, its followed log yields that line (a stream), and an
/// exec of `cat` (an upgraded session) echoes a line, ends at the half-close, and exits 0.
/// The container is returned, still running.
pub async fn stream_and_session_over(
    d: &Docker,
    scope: &Scope,
    marker: &str,
) -> docker_engine::Container {
    use futures_util::StreamExt;
    use tokio::io::AsyncWriteExt;
    let c = d
        .containers()
        .create(&engine().image)
        .label(LABEL, scope.value())
        .cmd(["sh", "-c", &format!("echo {marker}; sleep 600")])
        .send()
        .await
        .unwrap();
    c.start().await.unwrap();
    let mut logs = c.logs().follow(true).stream();
    assert_eq!(
        logs.next().await.unwrap().unwrap().to_string(),
        format!("{marker}\n")
    );
    drop(logs);
    let mut session = c.exec(["cat"]).stdin(true).start().await.unwrap();
    session.write_all(b"both ways\n").await.unwrap();
    session.shutdown().await.unwrap();
    let mut echoed = String::new();
    while let Some(chunk) = session.next().await {
        echoed.push_str(&chunk.unwrap().to_string());
    }
    assert_eq!(echoed, "both ways\n");
    assert_eq!(session.wait().await.unwrap(), 0);
    c
}

/// A network named `name`, labelled for `scope`, on the subnet `{prefix}.0/24` with its
/// gateway at `{prefix}.1`.
pub async fn network_on_subnet(
    name: &str,
    scope: &Scope,
    prefix: &str,
) -> docker_engine::Result<docker_engine::Network> {
    docker()
        .networks()
        .create(name)
        .label(LABEL, scope.value())
        .subnet(format!("{prefix}.0/24"), Some(&format!("{prefix}.1")))
        .send()
        .await
}

/// [`network_on_subnet`] on the first subnet `{pool}.{octet}.0/24` of `octets`, in the
/// order given, that the engine accepts, with that subnet's first three octets: a subnet
/// the engine says is taken is skipped. Podman refuses a subnet still held on the host
/// ("already used on the host or by another config"), and a network it removed by id while
/// a container was on it keeps its bridge until `scripts/test-engines.sh sweep` (README.md,
/// "Known differences on Podman"); Docker refuses one another network holds ("Pool
/// overlaps"). Any other error fails the test.
pub async fn network_on_free_subnet(
    octets: impl IntoIterator<Item = u32>,
    name: &str,
    scope: &Scope,
) -> (String, docker_engine::Network) {
    let pool = pool_prefix();
    let mut refused = Vec::new();
    for octet in octets {
        let prefix = format!("{pool}.{octet}");
        match network_on_subnet(name, scope, &prefix).await {
            Ok(made) => return (prefix, made),
            Err(e) => match e.message() {
                Some(m) if m.contains("already used") || m.contains("overlaps") => {
                    refused.push(m.to_string())
                }
                _ => panic!("creating a network on {prefix}.0/24: {e:?}"),
            },
        }
    }
    panic!("every subnet offered was taken: {refused:?}");
}

/// `count` numbers from `first..first + count`, starting at `first + start % count` and
/// wrapping: each test process tries another subnet first, and all of them in the end.
pub fn octets_from(first: u32, count: u32, start: u32) -> impl Iterator<Item = u32> {
    (0..count).map(move |i| first + (start + i) % count)
}

/// The engine's socket path.
pub fn socket_path() -> std::path::PathBuf {
    std::path::PathBuf::from(engine().host.strip_prefix("unix://").expect("unix host"))
}

/// What one test creates, removed when the test ends, also when it panics: every
/// container, network and volume labelled `LABEL=<this scope's value>`, then the image
/// references registered with [`Scope::image`]. `scripts/test-engines.sh sweep` is the
/// backstop for a test process that is killed.
pub struct Scope {
    value: String,
    images: std::sync::Mutex<Vec<String>>,
}

impl Default for Scope {
    fn default() -> Self {
        Scope::new()
    }
}

impl Scope {
    pub fn new() -> Scope {
        Scope {
            value: unique("scope"),
            images: std::sync::Mutex::new(Vec::new()),
        }
    }

    /// The value to label this test's objects with: `.label(LABEL, scope.value())`.
    pub fn value(&self) -> &str {
        &self.value
    }

    /// A started container of the fixture image that sleeps for ten minutes, labelled
    /// with this scope.
    pub async fn sleeper(&self) -> docker_engine::Container {
        let c = docker()
            .containers()
            .create(engine().image)
            .label(LABEL, self.value())
            .cmd(["sleep", "600"])
            .send()
            .await
            .unwrap();
        c.start().await.unwrap();
        c
    }

    /// Remove this image reference (a tag, or an id) when the test ends.
    pub fn image(&self, reference: impl Into<String>) {
        self.images.lock().unwrap().push(reference.into());
    }

    async fn sweep(value: String, images: Vec<String>) {
        let d = docker();
        let label = format!("{LABEL}={value}");
        let filters = serde_json::json!({ "label": [label] }).to_string();
        let raw = d.raw();
        if let Ok(list) = raw
            .container_list()
            .all(true)
            .filters(&filters)
            .send()
            .await
        {
            for c in types::op::container_list::items(list.into_inner()) {
                let id = c.id.unwrap_or_default();
                let _ = raw
                    .container_delete()
                    .id(id)
                    .force(true)
                    .v(true)
                    .send()
                    .await;
            }
        }
        if let Ok(list) = raw.network_list().filters(&filters).send().await {
            for n in types::op::network_list::items(list.into_inner()) {
                let _ = raw
                    .network_delete()
                    .id(n.id.unwrap_or_default())
                    .send()
                    .await;
            }
        }
        if let Ok(list) = raw.volume_list().filters(&filters).send().await {
            for v in list.into_inner().volumes.unwrap_or_default() {
                let _ = raw
                    .volume_delete()
                    .name(v.name.unwrap_or_default())
                    .force(true)
                    .send()
                    .await;
            }
        }
        for i in images {
            let _ = raw.image_delete().name(i).force(true).send().await;
        }
    }
}

impl Drop for Scope {
    fn drop(&mut self) {
        let value = std::mem::take(&mut self.value);
        let images = std::mem::take(&mut *self.images.lock().unwrap_or_else(|p| p.into_inner()));
        // Drop cannot await, and the test's runtime may be shutting down: sweep on a thread
        // with a runtime of its own, and wait for it.
        let _ = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime for the cleanup")
                .block_on(Scope::sweep(value, images))
        })
        .join();
    }
}
