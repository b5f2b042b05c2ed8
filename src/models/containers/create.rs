//! [`CreateContainer`]: `docker create` / `docker run`, a builder over the generated create
//! body. The container's own settings are here; the host's (limits, namespaces, mounts,
//! devices) are in `host.rs`, `run()` and its kin in `run.rs`.

use std::collections::HashMap;

use futures_util::StreamExt;

use super::Container;
use super::options::Endpoint;
use crate::auth::RegistryAuth;
use crate::client::Docker;
use crate::error::{Error, Result};
use crate::raw::types::op;
use crate::version::ApiVersion;

/// Builder of `POST /containers/create`: `docker.containers().create(image)` (or `run(image)`),
/// settings, then [`send`](Self::send) to create, or [`run`](Self::run),
/// [`stream`](Self::stream), [`detach`](Self::detach) to run it as docker-py's
/// `containers.run` does. Every field without a method of its own is reachable through
/// [`body_mut`](Self::body_mut).
///
/// The host's settings (mounts, privileges, namespaces, DNS, limits), as the integration
/// tests `mounts_tmpfs_and_volumes_from_reach_the_container`,
/// `privileges_and_namespaces_reach_the_container`, `dns_hosts_and_identity_reach_the_container`
/// and `resources_and_devices_reach_the_container` send them:
///
/// ```no_run
/// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
/// use docker_engine::containers::Mount;
/// let c = docker
///     .containers()
///     .create("postgres:16")
///     .volume("pgdata", "/var/lib/postgresql/data", false)
///     .bind("/srv/pg/conf:/etc/postgresql:ro")
///     .mount(Mount::tmpfs("/run/postgresql").size(16 << 20))
///     .read_only(true)
///     .cap_drop(["ALL"])
///     .cap_add(["CHOWN", "SETUID", "SETGID"])
///     .security_opt(["no-new-privileges"])
///     .dns(["10.0.0.2"])
///     .extra_host("db.internal", "10.0.0.5")
///     .shm_size(256 << 20)
///     .ulimit("nofile", 4096, 8192)
///     .cpus(1.5)
///     .pids_limit(200)
///     .auto_remove(true)
///     .send()
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct CreateContainer {
    pub(super) docker: Docker,
    pub(super) name: Option<String>,
    pub(super) platform: Option<String>,
    pub(super) body: op::container_create::Body,
    /// Credentials for pulling the image when `run` finds it missing.
    pub(super) auth: Option<RegistryAuth>,
    /// Placed where the negotiated API version wants it, when sent.
    pub(super) mac_address: Option<String>,
    /// A setting refused while building, reported by `send`.
    pub(super) invalid: Option<String>,
    /// Which output `run` and `stream` return: stdout, stderr.
    pub(super) output: (bool, bool),
    /// Add the docker CLI config's proxies to the environment (docker-py's
    /// `use_config_proxy`, on by default).
    pub(super) use_config_proxy: bool,
}

impl CreateContainer {
    pub(super) fn new(docker: Docker, image: String) -> CreateContainer {
        CreateContainer {
            docker,
            name: None,
            platform: None,
            body: op::container_create::Body {
                image: Some(image),
                ..Default::default()
            },
            auth: None,
            mac_address: None,
            invalid: None,
            output: (true, false),
            use_config_proxy: true,
        }
    }

    /// Whether to add the `proxies` of the docker CLI's config (`~/.docker/config.json`) to
    /// the container's environment, as `HTTP_PROXY`, `http_proxy`, ... (default: yes, as
    /// docker-py's `use_config_proxy` and the docker CLI). A variable set with
    /// [`env`](Self::env) wins. Proven by `config_proxies_reach_containers_and_builds`.
    pub fn use_config_proxy(mut self, yes: bool) -> Self {
        self.use_config_proxy = yes;
        self
    }

    /// The container's name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// The platform of the image to create from (`linux/amd64`), the `platform` query
    /// parameter; also the platform `run` pulls when the image is missing
    /// (`platform_is_a_query_parameter_of_create`).
    pub fn platform(mut self, platform: impl Into<String>) -> Self {
        self.platform = Some(platform.into());
        self
    }

    /// The command.
    pub fn cmd<I, S>(mut self, cmd: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.body.cmd = Some(cmd.into_iter().map(Into::into).collect());
        self
    }

    /// The entrypoint.
    pub fn entrypoint<I, S>(mut self, entrypoint: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.body.entrypoint = Some(entrypoint.into_iter().map(Into::into).collect());
        self
    }

    /// An environment variable.
    pub fn env(mut self, key: impl AsRef<str>, value: impl AsRef<str>) -> Self {
        self.body.env.get_or_insert_with(Vec::new).push(format!(
            "{}={}",
            key.as_ref(),
            value.as_ref()
        ));
        self
    }

    /// A label.
    pub fn label(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.body
            .labels
            .get_or_insert_with(HashMap::new)
            .insert(key.into(), value.into());
        self
    }

    /// Working directory.
    pub fn working_dir(mut self, dir: impl Into<String>) -> Self {
        self.body.working_dir = Some(dir.into());
        self
    }

    /// User (`name`, `uid`, `uid:gid`).
    pub fn user(mut self, user: impl Into<String>) -> Self {
        self.body.user = Some(user.into());
        self
    }

    /// The container's host name (`--hostname`;
    /// `dns_hosts_and_identity_reach_the_container`).
    pub fn hostname(mut self, hostname: impl Into<String>) -> Self {
        self.body.hostname = Some(hostname.into());
        self
    }

    /// The container's domain name (`--domainname`;
    /// `dns_hosts_and_identity_reach_the_container`).
    ///
    /// The integration tests `dns_hosts_and_identity_reach_the_container` (names, MAC) and
    /// `ports_with_host_ip_and_ranges_are_published_and_reachable` (ports) make these calls.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let web = docker
    ///     .containers()
    ///     .create("busybox")
    ///     .hostname("web")
    ///     .domainname("example.internal")
    ///     .mac_address("02:42:ac:11:00:42")
    ///     .expose("8080")
    ///     .publish_all_ports(true) // 8080 on a port the daemon picks
    ///     .cmd(["httpd", "-f", "-p", "8080"])
    ///     .send()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn domainname(mut self, domainname: impl Into<String>) -> Self {
        self.body.domainname = Some(domainname.into());
        self
    }

    /// The MAC address of the container's endpoint on its first network (`--mac-address`).
    /// From API 1.44 on it is sent as the endpoint's `MacAddress` (on the network named by
    /// [`network_mode`](Self::network_mode), or `bridge`), before that as the
    /// container-wide field the older daemons read
    /// (`dns_hosts_and_identity_reach_the_container`).
    pub fn mac_address(mut self, mac: impl Into<String>) -> Self {
        self.mac_address = Some(mac.into());
        self
    }

    /// Allocate a TTY (output is then one unframed stream).
    ///
    /// An interactive container, as `docker run -it`; the integration test
    /// `attach_to_an_interactive_shell_with_tty` makes one.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// use tokio::io::AsyncWriteExt;
    /// let c = docker
    ///     .containers()
    ///     .create("busybox")
    ///     .cmd(["sh"])
    ///     .tty(true)
    ///     .stdin_open(true)
    ///     .working_dir("/tmp")
    ///     .user("1000:1000")
    ///     .entrypoint(["/bin/sh", "-c", "exec \"$@\"", "--"])
    ///     .send()
    ///     .await?;
    /// let mut session = c.attach().stdin(true).start().await?;
    /// c.start().await?;
    /// session.write_all(b"id\n").await?;
    /// # Ok(()) }
    /// ```
    pub fn tty(mut self, tty: bool) -> Self {
        self.body.tty = tty;
        self
    }

    /// Keep stdin open (`-i`).
    pub fn stdin_open(mut self, open: bool) -> Self {
        self.body.open_stdin = open;
        self.body.attach_stdin = open;
        self.body.stdin_once = open;
        self
    }

    /// Declare a port the container listens on (`--expose 80`, `"80/udp"`), without
    /// publishing it; [`publish_all_ports`](Self::publish_all_ports) publishes it
    /// (`ports_with_host_ip_and_ranges_are_published_and_reachable`).
    pub fn expose(mut self, container_port: &str) -> Self {
        self.body
            .exposed_ports
            .get_or_insert_with(HashMap::new)
            .insert(port_key(container_port), serde_json::Map::new());
        self
    }

    /// Publish a container port on the host, as `-p host_ip:host_port:container_port`
    /// does: `container_port` is `"80"`, `"80/udp"` or a range `"8000-8002/tcp"`;
    /// `host_port` is a port, a range of the same length (`"9000-9002"`: 8000 on 9000,
    /// 8001 on 9001, ...), or empty to let the daemon choose. A single container port with a
    /// host range lets the daemon pick one port of the range. Ranges that cannot pair up are
    /// refused by `send` with [`Error::InvalidArgument`], as the docker CLI refuses them
    /// (`ports_with_host_ip_and_ranges_are_published_and_reachable`).
    pub fn publish(mut self, container_port: &str, host_ip: &str, host_port: &str) -> Self {
        match port_pairs(container_port, host_port) {
            Ok(pairs) => {
                for (key, host_port) in pairs {
                    self = self.expose(&key);
                    let bindings = self
                        .host_config()
                        .port_bindings
                        .get_or_insert_with(|| None.into());
                    bindings
                        .0
                        .get_or_insert_with(HashMap::new)
                        .entry(key)
                        .or_insert_with(|| Some(Vec::new()))
                        .get_or_insert_with(Vec::new)
                        .push(
                            op::container_create::body::host_config::port_bindings::Item {
                                host_ip: Some(host_ip.to_string()),
                                host_port: Some(host_port),
                            },
                        );
                }
            }
            Err(message) => self.refuse(message),
        }
        self
    }

    /// Publish every exposed port (the image's and [`expose`](Self::expose)'s) on a port
    /// the daemon picks (`-P`; `ports_with_host_ip_and_ranges_are_published_and_reachable`).
    pub fn publish_all_ports(mut self, yes: bool) -> Self {
        self.host_config().publish_all_ports = Some(yes);
        self
    }

    /// Network mode (`bridge`, `host`, `none`, `container:<id>`, or a network name).
    pub fn network_mode(mut self, mode: impl Into<String>) -> Self {
        self.host_config().network_mode = Some(mode.into());
        self
    }

    /// Connect to this network at creation (the network mode, for the first one). Below API
    /// 1.44 (Docker 20.10; or 28.5 spoken to at an older version) the daemon refuses more
    /// than one network at creation (400, `Container cannot be connected to network
    /// endpoints: ...`): connect the others with `network.connect(..)`
    /// (`endpoint_settings_on_a_user_network_are_applied`).
    pub fn network(self, name: impl Into<String>) -> Self {
        self.network_endpoint(name, Endpoint::new())
    }

    /// Connect to this network at creation with endpoint settings: aliases, a fixed IPv4 or
    /// IPv6 address (the network needs a subnet of its own), links, driver options
    /// (`endpoint_settings_on_a_user_network_are_applied`). The first network is also the
    /// network mode; see [`network`](Self::network) about a second one.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// use docker_engine::containers::Endpoint;
    /// let endpoint = Endpoint::new().alias("db").ipv4_address("10.20.0.5");
    /// let c = docker
    ///     .containers()
    ///     .create("postgres:16")
    ///     .network_endpoint("backend", endpoint)
    ///     .hostname("db")
    ///     .send()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn network_endpoint(mut self, name: impl Into<String>, endpoint: Endpoint) -> Self {
        let name = name.into();
        self.host_config()
            .network_mode
            .get_or_insert_with(|| name.clone());
        self.endpoints().insert(name, endpoint.into_inner());
        self
    }

    /// Credentials for the registry, for `run`, `stream` and `detach` to pull the image
    /// when the daemon does not have it (default: the docker CLI's config, if it has any;
    /// `run_pulls_a_missing_image_with_credentials`).
    ///
    /// The integration test `run_pulls_a_missing_image_with_credentials` makes the same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// use docker_engine::auth::RegistryAuth;
    /// let auth = RegistryAuth::basic("ci", "s3cret").server("registry.example");
    /// let out = docker
    ///     .containers()
    ///     .run("registry.example/tools/migrate:7")
    ///     .auth(auth)
    ///     .platform("linux/amd64")
    ///     .use_config_proxy(false)
    ///     .log_driver("none")
    ///     .stop_signal("SIGINT")
    ///     .stop_timeout(30)
    ///     .run(true)
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn auth(mut self, auth: RegistryAuth) -> Self {
        self.auth = Some(auth);
        self
    }

    /// Logging driver (`json-file`, `local`, `none`, ...). `json-file` stores output as
    /// JSON text, so bytes that are not UTF-8 come back replaced; `local` keeps them.
    pub fn log_driver(mut self, driver: impl Into<String>) -> Self {
        self.host_config().log_config = Some(op::container_create::body::host_config::LogConfig {
            type_: Some(driver.into()),
            config: None,
        });
        self
    }

    /// Signal that stops the container (`SIGTERM` by default).
    pub fn stop_signal(mut self, signal: impl Into<String>) -> Self {
        let signal: String = signal.into();
        crate::models::set(&mut self.body.stop_signal, signal);
        self
    }

    /// Seconds to wait for the stop signal before killing.
    pub fn stop_timeout(mut self, secs: i64) -> Self {
        crate::models::set(&mut self.body.stop_timeout, secs);
        self
    }

    /// A health check run in the container (`CMD-SHELL` form), every `interval`.
    ///
    /// The integration test `container_health_ports_and_image_as_docker_py_has_them` makes the same
    /// call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// use std::time::Duration;
    /// let c = docker
    ///     .containers()
    ///     .run("nginx")
    ///     .healthcheck("wget -q -O- localhost", Duration::from_secs(5), 3)
    ///     .detach()
    ///     .await?;
    /// println!("{}", c.health()); // starting, then healthy
    /// # Ok(()) }
    /// ```
    pub fn healthcheck(
        mut self,
        shell_command: impl Into<String>,
        interval: std::time::Duration,
        retries: i64,
    ) -> Self {
        self.body.healthcheck = Some(op::container_create::body::Healthcheck {
            test: Some(vec!["CMD-SHELL".into(), shell_command.into()]),
            interval: Some(interval.as_nanos() as i64),
            retries: Some(retries),
            ..Default::default()
        });
        self
    }

    /// The generated body, for every field the builder has no method for.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let mut create = docker.containers().create("busybox").cmd(["sleep", "60"]);
    /// create.body_mut().network_disabled = Some(true);
    /// let c = create.send().await?;
    /// # Ok(()) }
    /// ```
    pub fn body_mut(&mut self) -> &mut op::container_create::Body {
        &mut self.body
    }

    pub(super) fn host_config(&mut self) -> &mut op::container_create::body::HostConfig {
        self.body.host_config.get_or_insert_with(Default::default)
    }

    fn endpoints(
        &mut self,
    ) -> &mut HashMap<String, op::container_create::body::networking_config::EndpointsConfig> {
        self.body
            .networking_config
            .get_or_insert_with(Default::default)
            .endpoints_config
            .get_or_insert_with(HashMap::new)
    }

    /// Keep the first refusal; `send` reports it.
    pub(super) fn refuse(&mut self, message: String) {
        self.invalid.get_or_insert(message);
    }

    /// Create the container and inspect it. The image must be there: `docker create`
    /// without a pull, as docker-py's `containers.create`; `run`, `stream` and `detach`
    /// pull a missing one.
    ///
    /// Several settings together; the integration test `create_options_reach_the_container` sends
    /// them.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// use std::time::Duration;
    /// let c = docker
    ///     .containers()
    ///     .create("nginx")
    ///     .name("web")
    ///     .env("NGINX_PORT", "8080")
    ///     .label("app", "web")
    ///     .publish("8080", "127.0.0.1", "8080")
    ///     .memory(256 << 20)
    ///     .restart_policy("on-failure", 3)
    ///     .healthcheck("wget -q -O- localhost:8080", Duration::from_secs(10), 3)
    ///     .send()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<Container> {
        let docker = self.docker.clone();
        let id = self.create(false).await?;
        Container::inspect(&docker, &id).await
    }

    /// Create; the new container's id. With `pull`, an image the daemon does not have (or
    /// not for the [`platform`](Self::platform) asked) is pulled, with [`auth`](Self::auth),
    /// and the create sent again, as `docker run` and docker-py's `containers.run` do.
    pub(super) async fn create(mut self, pull: bool) -> Result<String> {
        if let Some(message) = self.invalid.take() {
            return Err(Error::InvalidArgument(message));
        }
        if self.use_config_proxy {
            let host = self.docker.address().trim_end_matches(" (TLS)");
            let proxies = crate::auth::DockerConfig::load()?.proxy_env(host);
            let env = self.body.env.get_or_insert_with(Vec::new);
            for (key, value) in proxies {
                if !env
                    .iter()
                    .any(|e| e.split('=').next() == Some(key.as_str()))
                {
                    env.push(format!("{key}={value}"));
                }
            }
        }
        let version = self.docker.api_version().await?;
        if version < ApiVersion::new(1, 44) {
            // A daemon before API 1.44 ignores an endpoint's MAC address: refused as the
            // docker CLI refuses it (`an_endpoint_mac_address_needs_api_1_44`).
            let per_network = self
                .body
                .networking_config
                .as_ref()
                .and_then(|n| n.endpoints_config.as_ref())
                .is_some_and(|e| e.values().any(|e| e.mac_address.is_some()));
            if per_network {
                return Err(Error::InvalidArgument(format!(
                    "a MAC address per network needs API 1.44; the daemon speaks {version}: \
                     use CreateContainer::mac_address"
                )));
            }
        }
        if let Some(mac) = self.mac_address.take() {
            if version >= ApiVersion::new(1, 44) {
                let network = self
                    .host_config()
                    .network_mode
                    .get_or_insert_with(|| "bridge".into())
                    .clone();
                self.endpoints().entry(network).or_default().mac_address = Some(mac);
            } else {
                self.body.mac_address = Some(mac);
            }
        }
        match self.create_once().await {
            Err(Error::NotFound { message }) if pull && image_missing(&message) => {
                let image = self.body.image.clone().unwrap_or_default();
                let mut p = self.docker.images().pull(&image);
                if let Some(a) = self.auth.clone() {
                    p = p.auth(a);
                }
                if let Some(platform) = &self.platform {
                    p = p.platform(platform.clone());
                }
                // To the end of the progress (not `send()`: no inspect of the image needed).
                let mut progress = p.stream();
                while let Some(step) = progress.next().await {
                    step?;
                }
                self.create_once().await
            }
            other => other,
        }
    }

    async fn create_once(&self) -> Result<String> {
        let mut call = self.docker.raw().container_create().body(self.body.clone());
        if let Some(name) = &self.name {
            call = call.name(name.clone());
        }
        if let Some(platform) = &self.platform {
            call = call.platform(platform.clone());
        }
        let created = self.docker.call(call.send()).await?;
        Ok(created.id.unwrap_or_default())
    }
}

/// Whether create's 404 says the image is missing: not there at all, or not for the
/// platform asked (`...was found but does not match the specified platform` on 20.10,
/// `...was found but its platform (linux/amd64) does not match the specified platform
/// (linux/s390x)` later), which `docker run --platform` answers with a pull too. Podman
/// says `no such image: ...: image not known`.
fn image_missing(message: &str) -> bool {
    message.starts_with("No such image")
        || message.starts_with("no such image")
        || message.contains("does not match the specified platform")
}

/// `"80"` is `"80/tcp"`.
fn port_key(port: &str) -> String {
    if port.contains('/') {
        port.to_string()
    } else {
        format!("{port}/tcp")
    }
}

/// A port or a range of ports, `"8000"` or `"8000-8002"`.
fn port_range(s: &str) -> Option<(u16, u16)> {
    let (a, b) = s.split_once('-').unwrap_or((s, s));
    let (a, b): (u16, u16) = (a.parse().ok()?, b.parse().ok()?);
    (a <= b).then_some((a, b))
}

/// The `(container port key, host port)` pairs `-p HOST:CONTAINER` means, by the docker CLI's
/// rules (`nat.ParsePortSpec`).
pub(super) fn port_pairs(
    container_port: &str,
    host_port: &str,
) -> std::result::Result<Vec<(String, String)>, String> {
    let (ports, proto) = container_port
        .split_once('/')
        .unwrap_or((container_port, "tcp"));
    let (start, end) =
        port_range(ports).ok_or_else(|| format!("invalid container port {container_port:?}"))?;
    if host_port.is_empty() {
        return Ok((start..=end)
            .map(|p| (format!("{p}/{proto}"), String::new()))
            .collect());
    }
    let (host_start, host_end) =
        port_range(host_port).ok_or_else(|| format!("invalid host port {host_port:?}"))?;
    if start == end {
        // One container port: a host range lets the daemon pick a free port in it.
        return Ok(vec![(format!("{start}/{proto}"), host_port.to_string())]);
    }
    if end - start != host_end - host_start {
        return Err(format!(
            "invalid ranges specified for container and host ports: {container_port:?} and {host_port:?}"
        ));
    }
    Ok((start..=end)
        .zip(host_start..=host_end)
        .map(|(c, h)| (format!("{c}/{proto}"), h.to_string()))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::port_pairs;

    fn pairs(c: &str, h: &str) -> Vec<(String, String)> {
        port_pairs(c, h).unwrap()
    }

    #[test]
    fn port_specs_pair_up_as_the_docker_cli_pairs_them() {
        assert_eq!(pairs("80", "8080"), [("80/tcp".into(), "8080".into())]);
        assert_eq!(pairs("53/udp", ""), [("53/udp".into(), String::new())]);
        assert_eq!(
            pairs("8000-8002/tcp", "9000-9002"),
            [
                ("8000/tcp".into(), "9000".into()),
                ("8001/tcp".into(), "9001".into()),
                ("8002/tcp".into(), "9002".into())
            ]
        );
        assert_eq!(pairs("8000-8001", "").len(), 2);
        assert_eq!(
            pairs("80", "9000-9010"),
            [("80/tcp".into(), "9000-9010".into())]
        );
        assert!(port_pairs("8000-8002", "9000").is_err());
        assert!(port_pairs("8000-8002", "9000-9001").is_err());
        assert!(port_pairs("x", "").is_err());
        assert!(port_pairs("80", "y").is_err());
        assert!(port_pairs("90-80", "").is_err());
    }
}
