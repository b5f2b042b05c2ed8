//! [`Docker`]: the handle everything starts from.
//!
//! It holds the transport core and the generated client bound to it. The collections
//! (`docker.containers()`, `docker.images()`, ...) are added by the models, each in its
//! own module: this module names none of them.

use std::future::Future;
use std::path::PathBuf;
use std::time::Duration;

use crate::error::{Error, Result};
use crate::raw;
use crate::transport::{CallRecord, Capture, Host, Observer, Settings, Shared, TlsMaterial};
use crate::version::ApiVersion;

/// The default address, as the docker CLI has it.
pub const DEFAULT_HOST: &str = "unix:///var/run/docker.sock";

/// A connection to one Docker engine. Cheap to clone: clones share one connection pool
/// and one negotiated API version.
///
/// ```no_run
/// # async fn f() -> docker_engine::Result<()> {
/// let docker = docker_engine::Docker::from_env()?;
/// println!("API {}", docker.api_version().await?);
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Docker {
    shared: Shared,
    raw: raw::Client,
}

impl Docker {
    /// Connect as the docker CLI does: `DOCKER_HOST` (default
    /// `unix:///var/run/docker.sock`), `DOCKER_TLS_VERIFY` with `DOCKER_CERT_PATH` (default
    /// `~/.docker`: `ca.pem`, `cert.pem`, `key.pem`), `DOCKER_API_VERSION` to pin a version.
    ///
    /// A malformed `DOCKER_HOST` fails here; an unreachable daemon fails at first use.
    pub fn from_env() -> Result<Docker> {
        Docker::builder().env()?.build()
    }

    /// Connect to `host` (`unix:///path`, `tcp://host:port`, `http://...`), no TLS.
    pub fn connect(host: &str) -> Result<Docker> {
        Docker::builder().host(host).build()
    }

    /// A builder for everything `from_env` reads, and timeouts.
    pub fn builder() -> DockerBuilder {
        DockerBuilder::default()
    }

    /// The generated client for every endpoint of the API, bound to this connection and
    /// its API version (negotiated on first use).
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let top = docker.raw().container_top().id("my-container").send().await?;
    /// # Ok(()) }
    /// ```
    pub fn raw(&self) -> &raw::Client {
        &self.raw
    }

    /// A generated client whose every request also carries `headers`: for a header the
    /// spec does not declare on an operation (`X-Registry-Auth` on
    /// `GET /distribution/{name}/json`, which [`Images::registry_data`] sends this way).
    /// Otherwise the same as [`Docker::raw`].
    ///
    /// [`Images::registry_data`]: crate::Images::registry_data
    pub fn raw_with_headers(&self, headers: http::HeaderMap) -> raw::Client {
        self.shared.with_headers(headers).raw_client()
    }

    /// The address requests go to.
    pub fn address(&self) -> &str {
        self.shared.address()
    }

    /// The API version in use: pinned, or negotiated once with the daemon
    /// (min(server's version, [`ApiVersion::SPEC`])).
    pub async fn api_version(&self) -> Result<ApiVersion> {
        self.shared.api_version().await
    }

    /// Await a generated call made on [`Docker::raw`]; its value, or the error mapped.
    pub(crate) async fn call<T>(&self, fut: impl Future<Output = raw::CallResult<T>>) -> Result<T> {
        match fut.await {
            Ok(v) => Ok(v.into_inner()),
            Err(e) => Err(Error::from_raw(self.address(), e)),
        }
    }

    /// A generated client for one streamed response: describe the request with
    /// `capture.raw()`, then `capture.stream(call)` gives the body to read.
    pub(crate) fn capture_stream(&self) -> Capture {
        self.shared.capture_stream()
    }

    /// A generated client for one upgraded connection (exec, attach).
    pub(crate) fn capture_upgrade(&self) -> Capture {
        self.shared.capture_upgrade()
    }

    /// A generated client for one streamed response whose request carries `headers` too.
    pub(crate) fn shared_capture_stream_with(&self, headers: http::HeaderMap) -> Capture {
        self.shared.with_headers(headers).capture_stream()
    }

    /// The same, with headers of its own (another `Upgrade` protocol, say).
    pub(crate) fn capture_upgrade_with(&self, headers: http::HeaderMap) -> Capture {
        self.shared.with_headers(headers).capture_upgrade()
    }
}

/// Settings for a [`Docker`] connection.
#[derive(Clone, Debug)]
pub struct DockerBuilder {
    host: Option<String>,
    tls: Option<TlsMaterial>,
    version: Option<ApiVersion>,
    connect_timeout: Duration,
    request_timeout: Option<Duration>,
    pool_idle_timeout: Duration,
    observer: Option<Observer>,
}

impl Default for DockerBuilder {
    fn default() -> Self {
        DockerBuilder {
            host: None,
            tls: None,
            version: None,
            connect_timeout: Duration::from_secs(10),
            request_timeout: None,
            pool_idle_timeout: Duration::from_secs(30),
            observer: None,
        }
    }
}

impl DockerBuilder {
    /// Read `DOCKER_HOST`, `DOCKER_TLS_VERIFY`, `DOCKER_CERT_PATH` and `DOCKER_API_VERSION`.
    pub fn env(mut self) -> Result<DockerBuilder> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        if let Some(host) = var("DOCKER_HOST") {
            self.host = Some(host);
        }
        if var("DOCKER_TLS_VERIFY").is_some() {
            let dir = match var("DOCKER_CERT_PATH") {
                Some(d) => PathBuf::from(d),
                None => home_dir().map(|h| h.join(".docker")).ok_or_else(|| {
                    Error::tls_config(
                        "DOCKER_TLS_VERIFY is set but neither DOCKER_CERT_PATH nor HOME is",
                    )
                })?,
            };
            self.tls = Some(TlsMaterial::from_dir(dir)?);
        }
        if let Some(v) = var("DOCKER_API_VERSION") {
            self.version = Some(v.parse()?);
        }
        Ok(self)
    }

    /// The daemon's address, in `DOCKER_HOST` form.
    pub fn host(mut self, host: impl Into<String>) -> Self {
        self.host = Some(host.into());
        self
    }

    /// TLS material: verify the daemon against its CA and present a client certificate.
    pub fn tls(mut self, tls: TlsMaterial) -> Self {
        self.tls = Some(tls);
        self
    }

    /// TLS material from a directory in the docker CLI's layout (`ca.pem`, `cert.pem`, `key.pem`).
    pub fn cert_path(mut self, dir: impl Into<PathBuf>) -> Result<Self> {
        self.tls = Some(TlsMaterial::from_dir(dir)?);
        Ok(self)
    }

    /// Pin the API version instead of negotiating it.
    pub fn api_version(mut self, version: ApiVersion) -> Self {
        self.version = Some(version);
        self
    }

    /// How long to wait for a connection (default 10 s).
    pub fn connect_timeout(mut self, t: Duration) -> Self {
        self.connect_timeout = t;
        self
    }

    /// A whole-request timeout. Off by default: it would also cut `logs --follow`,
    /// events, attach, exec and wait.
    pub fn timeout(mut self, t: Duration) -> Self {
        self.request_timeout = Some(t);
        self
    }

    /// How long an idle pooled connection is kept (default 30 s).
    pub fn pool_idle_timeout(mut self, t: Duration) -> Self {
        self.pool_idle_timeout = t;
        self
    }

    /// Run `f` for every request the client carries, typed or raw, with its operation and
    /// the daemon's status ([`CallRecord`]). It runs in the calling task when the answer's
    /// head arrives, so it should be quick. The integration suite's operation ledger is one
    /// (`every_operation_is_exercised` in `tests/ledger.rs`).
    pub fn observe(mut self, f: impl Fn(&CallRecord<'_>) + Send + Sync + 'static) -> Self {
        self.observer = Some(Observer(std::sync::Arc::new(f)));
        self
    }

    /// Build the handle. Nothing is sent until the first call.
    pub fn build(self) -> Result<Docker> {
        let host = Host::parse(self.host.as_deref().unwrap_or(DEFAULT_HOST))?;
        let shared = Shared::new(Settings {
            host,
            tls: self.tls,
            version: self.version,
            connect_timeout: self.connect_timeout,
            request_timeout: self.request_timeout,
            pool_idle_timeout: self.pool_idle_timeout,
            observer: self.observer,
        })?;
        let raw = shared.raw_client();
        Ok(Docker { shared, raw })
    }
}

fn home_dir() -> Option<PathBuf> {
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
}
