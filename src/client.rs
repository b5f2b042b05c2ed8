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
    /// Credentials [`Docker::login`] checked, for this client's later pulls, pushes and
    /// builds; shared by its clones.
    logins: std::sync::Arc<std::sync::Mutex<Vec<crate::auth::RegistryAuth>>>,
}

impl Docker {
    /// Connect as the docker CLI does: `DOCKER_HOST` (default
    /// `unix:///var/run/docker.sock`), `DOCKER_TLS_VERIFY` with `DOCKER_CERT_PATH` (default
    /// `~/.docker`: `ca.pem`, `cert.pem`, `key.pem`), `DOCKER_API_VERSION` to pin a version.
    ///
    /// A malformed `DOCKER_HOST` fails here; an unreachable daemon fails at first use.
    ///
    /// The integration test `docker_cli_variables_alone_are_enough` makes the same call.
    ///
    /// ```no_run
    /// # async fn f() -> docker_engine::Result<()> {
    /// let docker = docker_engine::Docker::from_env()?; // DOCKER_HOST, DOCKER_TLS_VERIFY, ...
    /// docker.ping().await?;
    /// # Ok(()) }
    /// ```
    pub fn from_env() -> Result<Docker> {
        Docker::builder().env()?.build()
    }

    /// Connect as the docker context `name` says ([`crate::contexts`]): its host and TLS
    /// files. An unknown context, or one whose TLS files are missing, is
    /// [`Error::Context`](crate::Error::Context) naming it.
    ///
    /// The integration test `contexts_written_by_the_docker_cli_are_followed` makes the same call.
    ///
    /// ```no_run
    /// # async fn f() -> docker_engine::Result<()> {
    /// let remote = docker_engine::Docker::from_context("remote")?;
    /// println!("{}", remote.version().await?.version.unwrap_or_default());
    /// # Ok(()) }
    /// ```
    pub fn from_context(name: &str) -> Result<Docker> {
        crate::contexts::load(name)?.builder()?.build()
    }

    /// Connect to `host` (`unix:///path`, `tcp://host:port`, `http://...`), no TLS.
    ///
    /// The integration test `bad_hosts_fail_at_construction_and_dead_ones_at_first_use` makes the
    /// same call.
    ///
    /// ```no_run
    /// # async fn f() -> docker_engine::Result<()> {
    /// let docker = docker_engine::Docker::connect("unix:///run/user/1000/docker.sock")?;
    /// println!("{} speaks API {}", docker.address(), docker.api_version().await?);
    /// # Ok(()) }
    /// ```
    pub fn connect(host: &str) -> Result<Docker> {
        Docker::builder().host(host).build()
    }

    /// A builder for everything `from_env` reads, and timeouts.
    ///
    /// The integration test `every_request_carries_the_version_prefix_and_a_pin_is_honoured` builds
    /// a client the same way.
    ///
    /// ```no_run
    /// # async fn f() -> docker_engine::Result<()> {
    /// use std::time::Duration;
    /// use docker_engine::{ApiVersion, Docker};
    /// let docker = Docker::builder()
    ///     .host("tcp://10.0.0.5:2375")
    ///     .api_version(ApiVersion::new(1, 44))
    ///     .connect_timeout(Duration::from_secs(3))
    ///     .build()?;
    /// # Ok(()) }
    /// ```
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
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let mut headers = http::HeaderMap::new();
    /// headers.insert("X-Request-Id", http::HeaderValue::from_static("deploy-42"));
    /// let raw = docker.raw_with_headers(headers);
    /// let info = raw.system_info().send().await?.into_inner();
    /// # Ok(()) }
    /// ```
    pub fn raw_with_headers(&self, headers: http::HeaderMap) -> raw::Client {
        self.shared.with_headers(headers).raw_client()
    }

    /// Credentials [`Docker::login`] checked for `registry` (a registry's `host[:port]`,
    /// Docker Hub by any of its names), the latest login first.
    pub(crate) fn login_for(&self, registry: &str) -> Option<crate::auth::RegistryAuth> {
        let want = crate::auth::host_of(registry);
        let logins = self.logins.lock().unwrap_or_else(|p| p.into_inner());
        logins
            .iter()
            .rev()
            .find(|a| crate::auth::host_of(a.server_address.as_deref().unwrap_or_default()) == want)
            .cloned()
    }

    /// Every login this client (and its clones) made, in order.
    pub(crate) fn logins(&self) -> Vec<crate::auth::RegistryAuth> {
        self.logins
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub(crate) fn remember_login(&self, auth: crate::auth::RegistryAuth) {
        self.logins
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(auth);
    }

    /// The address requests go to.
    ///
    /// ```no_run
    /// # fn f() -> docker_engine::Result<()> {
    /// let docker = docker_engine::Docker::connect("tcp://10.0.0.5:2375")?;
    /// println!("talking to {}", docker.address());
    /// # Ok(()) }
    /// ```
    pub fn address(&self) -> &str {
        self.shared.address()
    }

    /// The API version in use: pinned, or negotiated once with the daemon
    /// (min(server's version, [`ApiVersion::SPEC`])).
    ///
    /// The integration test `negotiates_the_engines_api_version` makes the same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// use docker_engine::ApiVersion;
    /// if docker.api_version().await? < ApiVersion::new(1, 44) {
    ///     println!("an older engine: one network per container at creation");
    /// }
    /// # Ok(()) }
    /// ```
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

    /// A generated client whose JSON object bodies also carry `fields` (where they have
    /// none of that name): fields an older API reads that the spec no longer describes.
    pub(crate) fn raw_with_body_fields(
        &self,
        fields: serde_json::Map<String, serde_json::Value>,
    ) -> raw::Client {
        self.shared.with_body_fields(fields).raw_client()
    }

    /// A generated client for one answer kept as the daemon sent it (a model's attrs).
    pub(crate) fn capture_whole(&self) -> Capture {
        self.shared.capture_whole()
    }

    /// [`capture_whole`](Self::capture_whole), its request carrying `headers` too.
    pub(crate) fn capture_whole_with(&self, headers: http::HeaderMap) -> Capture {
        self.shared.with_headers(headers).capture_whole()
    }

    /// A generated client for one upgraded connection (exec, attach).
    pub(crate) fn capture_upgrade(&self) -> Capture {
        self.shared.capture_upgrade()
    }

    /// A generated client for one streamed response whose request carries `headers` too.
    pub(crate) fn shared_capture_stream_with(&self, headers: http::HeaderMap) -> Capture {
        self.shared.with_headers(headers).capture_stream()
    }

    /// A generated client for one streamed response whose request carries these query
    /// pairs too.
    pub(crate) fn capture_stream_with_query(&self, pairs: Vec<(String, String)>) -> Capture {
        self.shared.with_query(pairs).capture_stream()
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
    response_body_limit: usize,
    ssh_options: Vec<String>,
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
            response_body_limit: crate::transport::RESPONSE_BODY_LIMIT,
            ssh_options: Vec::new(),
            observer: None,
        }
    }
}

impl DockerBuilder {
    /// Read `DOCKER_HOST`, `DOCKER_TLS_VERIFY`, `DOCKER_CERT_PATH` and `DOCKER_API_VERSION`.
    ///
    /// Without `DOCKER_HOST`, the docker CLI's current context decides (`DOCKER_CONTEXT`,
    /// else `currentContext` in `$DOCKER_CONFIG/config.json`; see [`crate::contexts`]): its
    /// host and TLS files, and `DOCKER_TLS_VERIFY` and `DOCKER_CERT_PATH` are not read.
    ///
    /// The integration test `docker_cli_variables_alone_are_enough` reads the same variables.
    ///
    /// ```no_run
    /// # fn f() -> docker_engine::Result<()> {
    /// use std::time::Duration;
    /// let docker = docker_engine::Docker::builder()
    ///     .env()? // DOCKER_HOST, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH, DOCKER_API_VERSION
    ///     .timeout(Duration::from_secs(60))
    ///     .build()?;
    /// # Ok(()) }
    /// ```
    pub fn env(mut self) -> Result<DockerBuilder> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        if let Some(host) = var("DOCKER_HOST") {
            self.host = Some(host);
        } else {
            let name = crate::contexts::current()?;
            if name != crate::contexts::DEFAULT_CONTEXT {
                let context = crate::contexts::load(&name)?.builder()?;
                self.host = context.host;
                self.tls = context.tls;
                if let Some(v) = var("DOCKER_API_VERSION") {
                    self.version = Some(v.parse()?);
                }
                return Ok(self);
            }
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

    /// The most of a whole answer that is read before the call fails with
    /// [`Error::Stream`](crate::Error::Stream) (default
    /// [`RESPONSE_BODY_LIMIT`](crate::RESPONSE_BODY_LIMIT), 256 MiB). Streams are read piece
    /// by piece and are not bounded as a whole. Proven by
    /// `a_whole_answer_longer_than_the_limit_fails_and_one_at_the_limit_does_not`.
    pub fn response_body_limit(mut self, bytes: usize) -> Self {
        self.response_body_limit = bytes;
        self
    }

    /// Options for `ssh` on an `ssh://` host, put before the destination as given (`-i`,
    /// `key`, `-F`, `config`, `-o`, `Name=value`). Without them ssh reads the system's and
    /// the user's configuration, as it does for the docker CLI.
    ///
    /// The integration test `ssh_carries_calls_streams_and_sessions_and_says_why_it_fails` makes
    /// the same call.
    ///
    /// ```no_run
    /// # fn f() -> docker_engine::Result<()> {
    /// let docker = docker_engine::Docker::builder()
    ///     .host("ssh://deploy@build-host")
    ///     .ssh_options(["-i", "/home/ci/.ssh/id_ed25519", "-o", "StrictHostKeyChecking=yes"])
    ///     .build()?;
    /// # Ok(()) }
    /// ```
    pub fn ssh_options<I, S>(mut self, options: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.ssh_options = options.into_iter().map(Into::into).collect();
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
    ///
    /// Several settings together; the integration tests `the_right_client_certificate_connects` and
    /// `a_whole_answer_longer_than_the_limit_fails_and_one_at_the_limit_does_not` set them.
    ///
    /// ```no_run
    /// # fn f() -> docker_engine::Result<()> {
    /// use std::time::Duration;
    /// let docker = docker_engine::Docker::builder()
    ///     .host("tcp://docker.internal:2376")
    ///     .cert_path("/etc/docker/client")? // ca.pem, cert.pem, key.pem
    ///     .pool_idle_timeout(Duration::from_secs(90))
    ///     .response_body_limit(64 << 20)
    ///     .observe(|call| println!("{} {:?} in {:?}", call.operation, call.status, call.elapsed))
    ///     .build()?;
    /// # Ok(()) }
    /// ```
    pub fn build(self) -> Result<Docker> {
        let host = Host::parse(self.host.as_deref().unwrap_or(DEFAULT_HOST))?;
        let shared = Shared::new(Settings {
            host,
            tls: self.tls,
            version: self.version,
            connect_timeout: self.connect_timeout,
            request_timeout: self.request_timeout,
            pool_idle_timeout: self.pool_idle_timeout,
            response_body_limit: self.response_body_limit,
            ssh_options: self.ssh_options,
            observer: self.observer,
        })?;
        let raw = shared.raw_client();
        Ok(Docker {
            shared,
            raw,
            logins: Default::default(),
        })
    }
}

fn home_dir() -> Option<PathBuf> {
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
}
