//! `docker build` with the classic builder.

use std::collections::HashMap;

use futures_util::StreamExt;

use super::{BuildContext, Image};
use crate::client::Docker;
use crate::error::{Error, Result};
use crate::raw::types::op;
use crate::stream::JsonStream;

pub(super) enum BuildSource {
    Dir(std::path::PathBuf),
    Tar(reqwest::Body),
}

impl std::fmt::Debug for BuildSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BuildSource::Dir(d) => write!(f, "Dir({})", d.display()),
            BuildSource::Tar(_) => f.write_str("Tar(..)"),
        }
    }
}

/// Builder of `POST /build` (the classic builder).
///
/// The settings of the `RUN` steps, as the integration test `build_options_reach_the_run_steps`
/// sends them:
///
/// ```no_run
/// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
/// let image = docker
///     .images()
///     .build("./app")
///     .platform("linux/amd64")
///     .network_mode("host")
///     .cache_from("registry.example/app:buildcache")
///     .extra_host("mirror.internal", "10.0.0.9")
///     .memory(2 << 30)
///     .cpu_period_quota(100_000, 200_000)
///     .shm_size(256 << 20)
///     .force_rm(true)
///     .send()
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Build {
    docker: Docker,
    source: BuildSource,
    dockerfile: String,
    tags: Vec<String>,
    target: Option<String>,
    nocache: Option<bool>,
    pull: Option<bool>,
    forcerm: Option<bool>,
    buildargs: HashMap<String, String>,
    labels: HashMap<String, String>,
    options: BuildOptions,
}

/// The settings of `docker build` that only pass through to the query.
#[derive(Debug, Default)]
struct BuildOptions {
    platform: Option<String>,
    network_mode: Option<String>,
    cache_from: Vec<String>,
    extra_hosts: Vec<String>,
    shm_size: Option<i64>,
    memory: Option<i64>,
    memswap: Option<i64>,
    cpu_shares: Option<i64>,
    cpuset_cpus: Option<String>,
    cpu_period: Option<i64>,
    cpu_quota: Option<i64>,
    squash: Option<bool>,
    isolation: Option<String>,
    registry_auths: Vec<crate::auth::RegistryAuth>,
    /// `true` unless turned off: the config's proxies as build arguments.
    no_config_proxy: bool,
}

impl Build {
    pub(super) fn new(docker: Docker, source: BuildSource) -> Build {
        Build {
            docker,
            source,
            dockerfile: "Dockerfile".into(),
            tags: Vec::new(),
            target: None,
            nocache: None,
            pull: None,
            forcerm: None,
            buildargs: HashMap::new(),
            labels: HashMap::new(),
            options: BuildOptions::default(),
        }
    }

    /// Build for this platform (`linux/amd64`): the base images are pulled for it.
    pub fn platform(mut self, platform: impl Into<String>) -> Self {
        self.options.platform = Some(platform.into());
        self
    }

    /// The network of the `RUN` steps (`--network`: `host`, `none`, a network's name).
    pub fn network_mode(mut self, mode: impl Into<String>) -> Self {
        self.options.network_mode = Some(mode.into());
        self
    }

    /// An image to take the build cache from (`--cache-from`); may be given several times.
    pub fn cache_from(mut self, image: impl Into<String>) -> Self {
        self.options.cache_from.push(image.into());
        self
    }

    /// A line for `/etc/hosts` of the `RUN` steps, `host:ip` (`--add-host`); may be given
    /// several times.
    pub fn extra_host(mut self, host: impl Into<String>, ip: impl Into<String>) -> Self {
        self.options
            .extra_hosts
            .push(format!("{}:{}", host.into(), ip.into()));
        self
    }

    /// The size of `/dev/shm` of the `RUN` steps, in bytes (`--shm-size`).
    pub fn shm_size(mut self, bytes: i64) -> Self {
        self.options.shm_size = Some(bytes);
        self
    }

    /// Memory limit of the `RUN` steps, in bytes (`--memory`).
    pub fn memory(mut self, bytes: i64) -> Self {
        self.options.memory = Some(bytes);
        self
    }

    /// Memory plus swap limit of the `RUN` steps, in bytes; `-1` for unlimited swap
    /// (`--memory-swap`).
    ///
    /// The integration test `build_options_reach_the_run_steps` makes the same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// use docker_engine::auth::RegistryAuth;
    /// let image = docker
    ///     .images()
    ///     .build("./app")
    ///     .memory(1 << 30)
    ///     .memswap(2 << 30)
    ///     .isolation("default")
    ///     .registry_auth(RegistryAuth::basic("ci", "s3cret").server("registry.example"))
    ///     .squash(false)
    ///     .send()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn memswap(mut self, bytes: i64) -> Self {
        self.options.memswap = Some(bytes);
        self
    }

    /// CPU shares of the `RUN` steps (`--cpu-shares`).
    pub fn cpu_shares(mut self, shares: i64) -> Self {
        self.options.cpu_shares = Some(shares);
        self
    }

    /// CPUs the `RUN` steps may use (`--cpuset-cpus`, `0-1`).
    pub fn cpuset_cpus(mut self, cpus: impl Into<String>) -> Self {
        self.options.cpuset_cpus = Some(cpus.into());
        self
    }

    /// CFS period and quota of the `RUN` steps, in microseconds (`--cpu-period`,
    /// `--cpu-quota`).
    pub fn cpu_period_quota(mut self, period: i64, quota: i64) -> Self {
        self.options.cpu_period = Some(period);
        self.options.cpu_quota = Some(quota);
        self
    }

    /// Squash the new layers into one (`--squash`). Only a daemon with experimental
    /// features on accepts it; others answer with an error, which this build returns.
    pub fn squash(mut self, yes: bool) -> Self {
        self.options.squash = Some(yes);
        self
    }

    /// The isolation of the `RUN` steps' containers (`--isolation`: `default`; `process` and
    /// `hyperv` are Windows daemons'). The spec does not declare the parameter; the daemon
    /// reads it, and a Linux daemon refuses any but `default`
    /// (`build_options_reach_the_run_steps`).
    pub fn isolation(mut self, isolation: impl Into<String>) -> Self {
        self.options.isolation = Some(isolation.into());
        self
    }

    /// Whether to pass the `proxies` of the docker CLI's config as build arguments
    /// (`HTTP_PROXY`, `http_proxy`, ...), as docker-py's `use_config_proxy` and the docker
    /// CLI do (default: yes). A [`build_arg`](Self::build_arg) of the same name wins.
    /// Proven by `config_proxies_reach_containers_and_builds`.
    pub fn use_config_proxy(mut self, yes: bool) -> Self {
        self.options.no_config_proxy = !yes;
        self
    }

    /// Credentials for a registry the Dockerfile's `FROM` lines pull from (the
    /// `X-Registry-Config` header); may be given for several registries. Credentials
    /// [`Docker::login`](crate::Docker::login) checked are sent too.
    pub fn registry_auth(mut self, auth: crate::auth::RegistryAuth) -> Self {
        self.options.registry_auths.push(auth);
        self
    }

    /// Name and tag the result (`-t`); may be given several times (the daemon applies the
    /// first, [`send`](Self::send) the others once the build succeeded).
    pub fn tag(mut self, reference: impl Into<String>) -> Self {
        self.tags.push(reference.into());
        self
    }

    /// The Dockerfile's path within the context (default `Dockerfile`).
    pub fn dockerfile(mut self, path: impl Into<String>) -> Self {
        self.dockerfile = path.into();
        self
    }

    /// A build argument (`--build-arg`).
    pub fn build_arg(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.buildargs.insert(key.into(), value.into());
        self
    }

    /// A label on the image.
    pub fn label(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.labels.insert(key.into(), value.into());
        self
    }

    /// Build up to this stage of a multi-stage Dockerfile.
    pub fn target(mut self, stage: impl Into<String>) -> Self {
        self.target = Some(stage.into());
        self
    }

    /// Do not use the build cache.
    pub fn no_cache(mut self, yes: bool) -> Self {
        self.nocache = Some(yes);
        self
    }

    /// Always try to pull newer base images.
    pub fn pull(mut self, yes: bool) -> Self {
        self.pull = Some(yes);
        self
    }

    /// Remove intermediate containers even when the build fails.
    pub fn force_rm(mut self, yes: bool) -> Self {
        self.forcerm = Some(yes);
        self
    }

    /// Build output as a `Stream`: `stream` lines of the steps, `aux` with the image id,
    /// and an error of a failing step ends it with `Err` carrying the step's message.
    ///
    /// The integration test `build_from_a_directory_honours_dockerignore` makes the same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// use futures_util::StreamExt;
    /// let mut output = docker.images().build("./app").tag("myapp:dev").no_cache(true).stream();
    /// while let Some(line) = output.next().await {
    ///     print!("{}", line?.stream.unwrap_or_default());
    /// }
    /// # Ok(()) }
    /// ```
    #[inline]
    pub fn stream(self) -> JsonStream<op::image_build::Item> {
        let Build {
            docker,
            source,
            dockerfile,
            tags,
            target,
            nocache,
            pull,
            forcerm,
            buildargs,
            labels,
            options,
        } = self;
        let registry_config = registry_config(&docker, &options.registry_auths);
        let mut buildargs = buildargs;
        if !options.no_config_proxy {
            let host = docker.address().trim_end_matches(" (TLS)").to_string();
            match crate::auth::DockerConfig::load() {
                Ok(config) => {
                    for (key, value) in config.proxy_env(&host) {
                        buildargs.entry(key).or_insert(value);
                    }
                }
                Err(e) => return JsonStream::connecting(async move { Err(e) }),
            }
        }
        // A directory is checked now, before any request: a missing context is an error
        // of the first poll, not a half-sent upload.
        // A Dockerfile from outside the context goes into the archive under another name.
        let (body, dockerfile) = match source {
            BuildSource::Tar(body) => (Ok(body), dockerfile),
            BuildSource::Dir(dir) => match BuildContext::from_dir(&dir, &dockerfile) {
                Ok(c) => {
                    let name = c.dockerfile().to_string();
                    (Ok(reqwest::Body::wrap_stream(c.into_stream())), name)
                }
                Err(e) => (Err(e), dockerfile),
            },
        };
        JsonStream::connecting(async move {
            let body = body?;
            // `extrahosts` is one string in the spec; the daemon reads one host per value.
            // `isolation` the spec does not declare.
            let capture = docker.capture_stream_with_query(
                options
                    .extra_hosts
                    .iter()
                    .map(|h| ("extrahosts".to_string(), h.clone()))
                    .chain(
                        options
                            .isolation
                            .iter()
                            .map(|i| ("isolation".into(), i.clone())),
                    )
                    .collect(),
            );
            let mut call = capture
                .raw()
                .image_build()
                .rm(true)
                .dockerfile(dockerfile)
                .body(body);
            if let Some(t) = tags.into_iter().next() {
                call = call.t(t);
            }
            if let Some(v) = target {
                call = call.target(v);
            }
            if let Some(v) = nocache {
                call = call.nocache(v);
            }
            if let Some(v) = pull {
                call = call.pull(v.to_string());
            }
            if let Some(v) = forcerm {
                call = call.forcerm(v);
            }
            if !buildargs.is_empty() {
                call =
                    call.buildargs(serde_json::to_string(&buildargs).expect("strings serialize"));
            }
            if !labels.is_empty() {
                call = call.labels(serde_json::to_string(&labels).expect("strings serialize"));
            }
            let o = options;
            if let Some(v) = o.platform {
                call = call.platform(v);
            }
            if let Some(v) = o.network_mode {
                call = call.networkmode(v);
            }
            if !o.cache_from.is_empty() {
                call = call
                    .cachefrom(serde_json::to_string(&o.cache_from).expect("strings serialize"));
            }
            if let Some(v) = o.shm_size {
                call = call.shmsize(v);
            }
            if let Some(v) = o.memory {
                call = call.memory(v);
            }
            if let Some(v) = o.memswap {
                call = call.memswap(v);
            }
            if let Some(v) = o.cpu_shares {
                call = call.cpushares(v);
            }
            if let Some(v) = o.cpuset_cpus {
                call = call.cpusetcpus(v);
            }
            if let Some(v) = o.cpu_period {
                call = call.cpuperiod(v);
            }
            if let Some(v) = o.cpu_quota {
                call = call.cpuquota(v);
            }
            if let Some(v) = o.squash {
                call = call.squash(v);
            }
            if let Some(v) = registry_config {
                call = call.x_registry_config(v);
            }
            let body: crate::stream::demux::ByteSource =
                Box::pin(capture.stream(call.send()).await?.body);
            Ok(body)
        })
    }

    /// Build to the end; the image.
    ///
    /// Several settings together, as the integration test `build_options_reach_the_run_steps` sends
    /// them.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let image = docker
    ///     .images()
    ///     .build("./app")
    ///     .dockerfile("docker/Dockerfile.release")
    ///     .target("runtime")
    ///     .build_arg("VERSION", "1.4.2")
    ///     .label("org.opencontainers.image.version", "1.4.2")
    ///     .tag("myapp:1.4.2")
    ///     .tag("myapp:latest")
    ///     .pull(true)
    ///     .send()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<Image> {
        let docker = self.docker.clone();
        let more_tags: Vec<String> = self.tags.iter().skip(1).cloned().collect();
        let mut output = self.stream();
        let mut id = None;
        while let Some(item) = output.next().await {
            let item = item?;
            if let Some(aux) = item.aux.and_then(|a| a.id) {
                id = Some(aux);
            } else if let Some(line) = item
                .stream
                .as_deref()
                .and_then(|s| s.strip_prefix("Successfully built "))
            {
                id.get_or_insert_with(|| line.trim().to_string());
            }
        }
        let id = id.ok_or_else(|| Error::stream("the build ended without an image id"))?;
        for tag in more_tags {
            docker.images().tag(&id, tag).await?;
        }
        Image::inspect(&docker, &id).await
    }
}

/// The `X-Registry-Config` value: base64url of a JSON map from registry to credentials, the
/// given ones and the client's logins (as the docker CLI's `EncodeAuthConfigs`).
fn registry_config(docker: &Docker, given: &[crate::auth::RegistryAuth]) -> Option<String> {
    use base64::Engine as _;
    let mut map = serde_json::Map::new();
    for auth in docker.logins().iter().chain(given) {
        let server = auth
            .server_address
            .clone()
            .unwrap_or_else(|| crate::auth::DOCKER_HUB_KEY.to_string());
        map.insert(server, serde_json::to_value(auth).unwrap_or_default());
    }
    (!map.is_empty()).then(|| {
        base64::engine::general_purpose::URL_SAFE.encode(serde_json::Value::Object(map).to_string())
    })
}
