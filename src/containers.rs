//! Containers: the [`Containers`] collection (`docker.containers()`) and the [`Container`]
//! model, docker-py's `client.containers` in Rust.

use std::collections::HashMap;

use crate::attach::{Attach, Stats};
use crate::docker::{Docker, segment};
use crate::error::{Error, Result};
use crate::exec::{Exec, ExecRun};
use crate::filters::Filters;
use crate::raw::types;
use crate::stream::LogStream;

/// `docker.containers()`: list, get, create.
#[derive(Clone, Debug)]
pub struct Containers {
    docker: Docker,
}

impl Containers {
    pub(crate) fn new(docker: Docker) -> Containers {
        Containers { docker }
    }

    /// `docker ps`: summaries in one request.
    pub fn list(&self) -> ListContainers {
        ListContainers {
            docker: self.docker.clone(),
            all: false,
            limit: None,
            size: false,
            filters: Filters::default(),
        }
    }

    /// Inspect a container by id or name.
    pub async fn get(&self, id_or_name: impl AsRef<str>) -> Result<Container> {
        Container::inspect(&self.docker, id_or_name.as_ref()).await
    }

    /// A container handle by id without inspecting it; [`Container::reload`] fills it in.
    pub fn handle(&self, id: impl Into<String>) -> Container {
        Container {
            docker: self.docker.clone(),
            id: id.into(),
            attrs: None,
        }
    }

    /// docker-py's `containers.run(IMAGE)`: the same builder as [`create`](Self::create);
    /// end it with [`CreateContainer::run`] (wait and collect the output) or
    /// [`CreateContainer::detach`] (start and return the container).
    pub fn run(&self, image: impl Into<String>) -> CreateContainer {
        self.create(image)
    }

    /// `docker container prune`: remove stopped containers.
    pub async fn prune(&self, filters: &Filters) -> Result<types::ContainerPruneResponse> {
        let mut call = self.docker.raw().container_prune();
        if let Some(f) = filters.to_query() {
            call = call.filters(f);
        }
        self.docker.call(call.send()).await
    }

    /// `docker create IMAGE`: a builder over the generated create body.
    pub fn create(&self, image: impl Into<String>) -> CreateContainer {
        let body = types::ContainerCreateBody {
            image: Some(image.into()),
            ..Default::default()
        };
        CreateContainer {
            docker: self.docker.clone(),
            name: None,
            body,
        }
    }
}

/// Builder of `GET /containers/json`.
#[derive(Debug)]
pub struct ListContainers {
    docker: Docker,
    all: bool,
    limit: Option<i64>,
    size: bool,
    filters: Filters,
}

impl ListContainers {
    /// Include stopped containers (`docker ps -a`).
    pub fn all(mut self, all: bool) -> Self {
        self.all = all;
        self
    }

    /// Only the `n` most recently created containers.
    pub fn limit(mut self, n: i64) -> Self {
        self.limit = Some(n);
        self
    }

    /// Report `SizeRw` and `SizeRootFs`.
    pub fn size(mut self, size: bool) -> Self {
        self.size = size;
        self
    }

    /// Only containers with this label (`key` or `key=value`).
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.filters.add("label", label);
        self
    }

    /// Only containers in this state (`created`, `running`, `exited`, ...).
    pub fn status(mut self, status: impl Into<String>) -> Self {
        self.filters.add("status", status);
        self
    }

    /// Only containers whose name matches.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.filters.add("name", name);
        self
    }

    /// Only containers created from this image (or its descendants).
    pub fn ancestor(mut self, image: impl Into<String>) -> Self {
        self.filters.add("ancestor", image);
        self
    }

    /// Any other filter the daemon knows (`id`, `exited`, `network`, `volume`, ...).
    pub fn filter(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.filters.add(key, value);
        self
    }

    /// Send the request.
    pub async fn send(self) -> Result<Vec<ContainerSummary>> {
        let mut call = self
            .docker
            .raw()
            .container_list()
            .all(self.all)
            .size(self.size);
        if let Some(n) = self.limit {
            call = call.limit(n);
        }
        if let Some(f) = self.filters.to_query() {
            call = call.filters(f);
        }
        let list = self.docker.call(call.send()).await?.unwrap_or_default();
        Ok(list
            .into_iter()
            .map(|attrs| ContainerSummary {
                docker: self.docker.clone(),
                attrs,
            })
            .collect())
    }
}

/// One line of `docker ps`: the summary the list endpoint returns.
#[derive(Clone, Debug)]
pub struct ContainerSummary {
    docker: Docker,
    attrs: types::ContainerSummary,
}

impl ContainerSummary {
    /// Full id.
    pub fn id(&self) -> &str {
        self.attrs.id.as_deref().unwrap_or_default()
    }

    /// The first 12 characters of the id.
    pub fn short_id(&self) -> &str {
        crate::docker::short(self.id())
    }

    /// The first name, without its leading `/`.
    pub fn name(&self) -> &str {
        self.attrs
            .names
            .as_ref()
            .and_then(|n| n.first())
            .map(|n| n.trim_start_matches('/'))
            .unwrap_or_default()
    }

    /// Human status, e.g. `Up 2 minutes`, `Exited (0) 3 seconds ago`.
    pub fn status(&self) -> &str {
        self.attrs.status.as_deref().unwrap_or_default()
    }

    /// Machine state: `created`, `running`, `exited`, ...
    pub fn state(&self) -> &str {
        self.attrs.state.as_deref().unwrap_or_default()
    }

    /// The image as the container was created with it.
    pub fn image(&self) -> &str {
        self.attrs.image.as_deref().unwrap_or_default()
    }

    /// Labels.
    pub fn labels(&self) -> HashMap<String, String> {
        self.attrs.labels.clone().unwrap_or_default()
    }

    /// Everything the daemon sent.
    pub fn attrs(&self) -> &types::ContainerSummary {
        &self.attrs
    }

    /// Inspect this container.
    pub async fn get(&self) -> Result<Container> {
        Container::inspect(&self.docker, self.id()).await
    }
}

/// Builder of `POST /containers/create`.
#[derive(Debug)]
pub struct CreateContainer {
    docker: Docker,
    name: Option<String>,
    body: types::ContainerCreateBody,
}

impl CreateContainer {
    /// The container's name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
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

    /// Allocate a TTY (output is then one unframed stream).
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

    /// Remove the container when it exits (`--rm`).
    pub fn auto_remove(mut self, auto_remove: bool) -> Self {
        self.host_config().auto_remove = Some(auto_remove);
        self
    }

    /// Bind mounts and volumes, `source:target[:options]` (`-v`).
    pub fn bind(mut self, spec: impl Into<String>) -> Self {
        self.host_config()
            .binds
            .get_or_insert_with(Vec::new)
            .push(spec.into());
        self
    }

    /// Network mode (`bridge`, `host`, `none`, `container:<id>`, or a network name).
    pub fn network_mode(mut self, mode: impl Into<String>) -> Self {
        self.host_config().network_mode = Some(mode.into());
        self
    }

    /// Logging driver (`json-file`, `local`, `none`, ...). `json-file` stores output as
    /// JSON text, so bytes that are not UTF-8 come back replaced; `local` keeps them.
    pub fn log_driver(mut self, driver: impl Into<String>) -> Self {
        self.host_config().log_config = Some(types::HostConfigLogConfig {
            type_: Some(driver.into()),
            config: None,
        });
        self
    }

    /// Publish a container port (`"80/tcp"` or `"80"`) on the host (`-p host_ip:host_port:80`);
    /// an empty `host_port` lets the daemon choose.
    pub fn publish(mut self, container_port: &str, host_ip: &str, host_port: &str) -> Self {
        let key = if container_port.contains('/') {
            container_port.to_string()
        } else {
            format!("{container_port}/tcp")
        };
        self.body
            .exposed_ports
            .get_or_insert_with(HashMap::new)
            .insert(key.clone(), serde_json::Map::new());
        let bindings = self
            .host_config()
            .port_bindings
            .get_or_insert(types::PortMap(None));
        bindings
            .0
            .get_or_insert_with(HashMap::new)
            .entry(key)
            .or_insert_with(|| Some(Vec::new()))
            .get_or_insert_with(Vec::new)
            .push(types::PortBinding {
                host_ip: Some(host_ip.to_string()),
                host_port: Some(host_port.to_string()),
            });
        self
    }

    /// Restart policy: `no`, `always`, `unless-stopped`, or `on-failure` with a retry count.
    pub fn restart_policy(mut self, name: impl Into<String>, maximum_retry_count: i64) -> Self {
        self.host_config().restart_policy = Some(types::RestartPolicy {
            name: Some(name.into()),
            maximum_retry_count: Some(maximum_retry_count),
        });
        self
    }

    /// Mount a named volume (created if missing) at `target`.
    pub fn volume(
        mut self,
        name: impl Into<String>,
        target: impl Into<String>,
        read_only: bool,
    ) -> Self {
        self.host_config()
            .mounts
            .get_or_insert_with(Vec::new)
            .push(types::Mount {
                type_: Some("volume".into()),
                source: Some(name.into()),
                target: Some(target.into()),
                read_only: Some(read_only),
                ..Default::default()
            });
        self
    }

    /// Connect to this network at creation (the network mode, for the first one).
    pub fn network(mut self, name: impl Into<String>) -> Self {
        let name = name.into();
        self.host_config()
            .network_mode
            .get_or_insert_with(|| name.clone());
        self.body
            .networking_config
            .get_or_insert_with(Default::default)
            .endpoints_config
            .get_or_insert_with(HashMap::new)
            .insert(name, types::EndpointSettings::default());
        self
    }

    /// CPU limit in CPUs (`--cpus 1.5`).
    pub fn cpus(mut self, cpus: f64) -> Self {
        self.host_config().nano_cpus = Some((cpus * 1e9) as i64);
        self
    }

    /// Signal that stops the container (`SIGTERM` by default).
    pub fn stop_signal(mut self, signal: impl Into<String>) -> Self {
        self.body.stop_signal = Some(signal.into());
        self
    }

    /// Seconds to wait for the stop signal before killing.
    pub fn stop_timeout(mut self, secs: i64) -> Self {
        self.body.stop_timeout = Some(secs);
        self
    }

    /// A health check run in the container (`CMD-SHELL` form), every `interval`.
    pub fn healthcheck(
        mut self,
        shell_command: impl Into<String>,
        interval: std::time::Duration,
        retries: i64,
    ) -> Self {
        self.body.healthcheck = Some(types::HealthConfig {
            test: Some(vec!["CMD-SHELL".into(), shell_command.into()]),
            interval: Some(interval.as_nanos() as i64),
            retries: Some(retries),
            ..Default::default()
        });
        self
    }

    /// Memory limit in bytes.
    pub fn memory(mut self, bytes: i64) -> Self {
        self.host_config().memory = bytes;
        self
    }

    /// The generated body, for every field the builder has no method for.
    pub fn body_mut(&mut self) -> &mut types::ContainerCreateBody {
        &mut self.body
    }

    fn host_config(&mut self) -> &mut types::HostConfig {
        self.body.host_config.get_or_insert_with(Default::default)
    }

    /// Create the container and inspect it.
    pub async fn send(self) -> Result<Container> {
        let mut call = self.docker.raw().container_create().body(self.body);
        if let Some(name) = &self.name {
            call = call.name(name.clone());
        }
        let created = self.docker.call(call.send()).await?;
        Container::inspect(&self.docker, created.id.as_deref().unwrap_or_default()).await
    }
}

/// A container: its inspect data and the operations on it.
#[derive(Clone, Debug)]
pub struct Container {
    pub(crate) docker: Docker,
    pub(crate) id: String,
    pub(crate) attrs: Option<types::ContainerInspectResponse>,
}

impl Container {
    pub(crate) async fn inspect(docker: &Docker, id_or_name: &str) -> Result<Container> {
        let attrs = docker
            .call(docker.raw().container_inspect().id(id_or_name).send())
            .await?;
        Ok(Container {
            docker: docker.clone(),
            id: attrs.id.clone().unwrap_or_else(|| id_or_name.to_string()),
            attrs: Some(attrs),
        })
    }

    /// Full id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The first 12 characters of the id.
    pub fn short_id(&self) -> &str {
        crate::docker::short(&self.id)
    }

    /// The name, without its leading `/`.
    pub fn name(&self) -> &str {
        self.attrs
            .as_ref()
            .and_then(|a| a.name.as_deref())
            .map(|n| n.trim_start_matches('/'))
            .unwrap_or_default()
    }

    /// State: `created`, `running`, `paused`, `restarting`, `removing`, `exited`, `dead`.
    pub fn status(&self) -> &str {
        self.attrs
            .as_ref()
            .and_then(|a| a.state.as_ref())
            .and_then(|s| s.status.as_deref())
            .unwrap_or_default()
    }

    /// Labels.
    pub fn labels(&self) -> HashMap<String, String> {
        self.attrs
            .as_ref()
            .and_then(|a| a.config.as_ref())
            .and_then(|c| c.labels.clone())
            .unwrap_or_default()
    }

    /// The image reference the container was created from.
    pub fn image(&self) -> &str {
        self.attrs
            .as_ref()
            .and_then(|a| a.config.as_ref())
            .and_then(|c| c.image.as_deref())
            .unwrap_or_default()
    }

    /// Whether the container has a TTY (its output is then one unframed stream).
    pub fn tty(&self) -> bool {
        self.attrs
            .as_ref()
            .and_then(|a| a.config.as_ref())
            .is_some_and(|c| c.tty)
    }

    /// Everything `docker inspect` shows, as of the last [`reload`](Self::reload).
    pub fn attrs(&self) -> Option<&types::ContainerInspectResponse> {
        self.attrs.as_ref()
    }

    /// Inspect again.
    pub async fn reload(&mut self) -> Result<()> {
        *self = Container::inspect(&self.docker, &self.id).await?;
        Ok(())
    }

    /// `docker start`.
    pub async fn start(&self) -> Result<()> {
        self.docker
            .call(self.docker.raw().container_start().id(&self.id).send())
            .await
    }

    /// `docker stop`, waiting `timeout_secs` before killing (the daemon's default if `None`).
    pub async fn stop(&self, timeout_secs: Option<i64>) -> Result<()> {
        let mut call = self.docker.raw().container_stop().id(&self.id);
        if let Some(t) = timeout_secs {
            call = call.t(t);
        }
        self.docker.call(call.send()).await
    }

    /// `docker kill`, with `SIGKILL` unless another signal is given.
    pub async fn kill(&self, signal: Option<&str>) -> Result<()> {
        let mut call = self.docker.raw().container_kill().id(&self.id);
        if let Some(s) = signal {
            call = call.signal(s);
        }
        self.docker.call(call.send()).await
    }

    /// Block until the container stops; its exit code.
    pub async fn wait(&self) -> Result<i64> {
        let r = self
            .docker
            .call(self.docker.raw().container_wait().id(&self.id).send())
            .await?;
        if let Some(message) = r.error.and_then(|e| e.message).filter(|m| !m.is_empty()) {
            return Err(Error::Api {
                status: 200,
                message,
            });
        }
        Ok(r.status_code.unwrap_or_default())
    }

    /// `docker rm`: `force` kills a running container, `volumes` removes its anonymous volumes.
    pub async fn remove(&self, force: bool, volumes: bool) -> Result<()> {
        self.docker
            .call(
                self.docker
                    .raw()
                    .container_delete()
                    .id(&self.id)
                    .force(force)
                    .v(volumes)
                    .send(),
            )
            .await
    }

    /// docker-py's `exec_run`: run `cmd` in the container, collect output and exit code.
    pub fn exec_run<I, S>(&self, cmd: I) -> ExecRun
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        ExecRun::new(
            self.docker.clone(),
            &self.id,
            cmd.into_iter().map(Into::into).collect(),
        )
    }

    /// `docker exec`: an interactive session (`.stdin(true).tty(true).start()` for `-it`).
    pub fn exec<I, S>(&self, cmd: I) -> Exec
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Exec::new(
            self.docker.clone(),
            &self.id,
            cmd.into_iter().map(Into::into).collect(),
        )
    }

    /// `docker attach`: a session on the container's own stdio.
    pub fn attach(&self) -> Attach {
        Attach::new(
            self.docker.clone(),
            self.id.clone(),
            self.attrs.as_ref().map(|_| self.tty()),
        )
    }

    /// `docker stats`: streaming, or one sample with `.send()`.
    pub fn stats(&self) -> Stats {
        Stats::new(self.docker.clone(), self.id.clone())
    }

    /// `docker top`: the processes, as `ps` shows them.
    pub async fn top(&self, ps_args: Option<&str>) -> Result<types::ContainerTopResponse> {
        let mut call = self.docker.raw().container_top().id(&self.id);
        if let Some(a) = ps_args {
            call = call.ps_args(a);
        }
        self.docker.call(call.send()).await
    }

    /// `docker logs`: a builder; `.stream()` for a `Stream`, `.send()` to collect.
    pub fn logs(&self) -> Logs {
        Logs {
            container: self.clone(),
            query: vec![],
            stdout: true,
            stderr: true,
        }
    }
}

/// Builder of `GET /containers/{id}/logs`.
#[derive(Debug)]
pub struct Logs {
    container: Container,
    query: Vec<(&'static str, String)>,
    stdout: bool,
    stderr: bool,
}

impl Logs {
    /// Keep the stream open and follow new output (`-f`).
    pub fn follow(mut self, follow: bool) -> Self {
        self.query.push(("follow", follow.to_string()));
        self
    }

    /// Include stdout (default true).
    pub fn stdout(mut self, yes: bool) -> Self {
        self.stdout = yes;
        self
    }

    /// Include stderr (default true).
    pub fn stderr(mut self, yes: bool) -> Self {
        self.stderr = yes;
        self
    }

    /// Only output since this UNIX time (seconds, fractions allowed as `"123.456"`).
    pub fn since(mut self, since: impl ToString) -> Self {
        self.query.push(("since", since.to_string()));
        self
    }

    /// Only output before this UNIX time.
    pub fn until(mut self, until: impl ToString) -> Self {
        self.query.push(("until", until.to_string()));
        self
    }

    /// Only the last `n` lines.
    pub fn tail(mut self, n: u64) -> Self {
        self.query.push(("tail", n.to_string()));
        self
    }

    /// Prefix each line with its RFC 3339 timestamp.
    pub fn timestamps(mut self, yes: bool) -> Self {
        self.query.push(("timestamps", yes.to_string()));
        self
    }

    /// The output as a `Stream` of chunks. Nothing is sent until it is first polled.
    pub fn stream(self) -> LogStream {
        let Logs {
            container,
            mut query,
            stdout,
            stderr,
        } = self;
        query.push(("stdout", stdout.to_string()));
        query.push(("stderr", stderr.to_string()));
        LogStream::connecting(Box::pin(async move {
            let path = format!("/containers/{}/logs", segment(&container.id)?);
            let docker = &container.docker;
            let (headers, body) = docker.stream_get(&path, &query).await?;
            let content_type = headers
                .get(reqwest::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok());
            let multiplexed = match content_type {
                Some(t) if t.starts_with("application/vnd.docker.multiplexed-stream") => true,
                Some(t) if t.starts_with("application/vnd.docker.raw-stream") => false,
                // API 1.41 sends no stream type: the container's TTY flag decides.
                _ => match &container.attrs {
                    Some(_) => !container.tty(),
                    None => !Container::inspect(docker, &container.id).await?.tty(),
                },
            };
            Ok((body, multiplexed))
        }))
    }

    /// The output as lines, each with the daemon's timestamp taken off into
    /// [`LogLine::timestamp`](crate::stream::LogLine) (sets `timestamps`).
    pub fn lines(self) -> crate::stream::LogLines {
        crate::stream::LogLines::new(self.timestamps(true).stream())
    }

    /// Collect the output (with `follow`, until the container stops).
    pub async fn send(self) -> Result<Vec<crate::stream::LogChunk>> {
        self.stream().collect_chunks().await
    }
}
