//! Containers: the [`Containers`] collection (`docker.containers()`) and the [`Container`]
//! model, docker-py's `client.containers` in Rust.
//!
//! Reach for [`Docker::containers`] first: `list()` for `docker ps`, `get(id)` to inspect,
//! `create(image)` / `run(image)` for a new one. A [`Container`] has the verbs (`start`,
//! `stop()`, `logs()`, `exec_run`, `exec`, `attach`, ...).

mod attach;
mod container;
mod exec;
mod logs;
mod ops;

use std::collections::HashMap;

pub use attach::{Attach, Stats};
pub use container::{Container, ContainerHandle, ContainerKind, Kill, Remove, Restart, Stop, Top};
pub use exec::{Exec, ExecResult, ExecRun};
pub use logs::Logs;
pub use ops::{Commit, PathStat};

use crate::client::Docker;
use crate::error::Result;
use crate::filters::Filters;
use crate::models::prune::{Prunable, Prune};
use crate::raw::types::op;

impl Docker {
    /// Containers: list, get, create, run.
    pub fn containers(&self) -> Containers {
        Containers {
            docker: self.clone(),
        }
    }
}

/// `docker.containers()`: list, get, create.
#[derive(Clone, Debug)]
pub struct Containers {
    docker: Docker,
}

impl Containers {
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

    /// A container by id or name without inspecting it: its verbs, no request sent.
    pub fn handle(&self, id_or_name: impl Into<String>) -> ContainerHandle {
        ContainerHandle::new(&self.docker, id_or_name.into())
    }

    /// docker-py's `containers.run(IMAGE)`: the same builder as [`create`](Self::create);
    /// end it with [`CreateContainer::run`] (wait and collect the output) or
    /// [`CreateContainer::detach`] (start and return the container).
    pub fn run(&self, image: impl Into<String>) -> CreateContainer {
        self.create(image)
    }

    /// `docker container prune`: remove stopped containers.
    pub fn prune(&self) -> Prune<ContainerKind> {
        Prune::new(&self.docker)
    }

    /// `docker create IMAGE`: a builder over the generated create body.
    pub fn create(&self, image: impl Into<String>) -> CreateContainer {
        let body = op::container_create::Body {
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

    crate::models::filter_setters! {
        /// Only containers with this label (`key` or `key=value`).
        label => "label",
        /// Only containers in this state (`created`, `running`, `exited`, ...).
        status => "status",
        /// Only containers whose name matches.
        name => "name",
        /// Only containers created from this image (or its descendants).
        ancestor => "ancestor",
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
        let list = op::container_list::items(self.docker.call(call.send()).await?);
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
    attrs: op::container_list::Item,
}

impl ContainerSummary {
    /// Full id.
    pub fn id(&self) -> &str {
        self.attrs.id.as_deref().unwrap_or_default()
    }

    /// The first 12 characters of the id.
    pub fn short_id(&self) -> &str {
        crate::models::model::short(self.id())
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
    pub fn attrs(&self) -> &op::container_list::Item {
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
    body: op::container_create::Body,
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
        self.host_config().log_config = Some(op::container_create::body::host_config::LogConfig {
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
                    host_port: Some(host_port.to_string()),
                },
            );
        self
    }

    /// Restart policy: `no`, `always`, `unless-stopped`, or `on-failure` with a retry count.
    pub fn restart_policy(mut self, name: impl Into<String>, maximum_retry_count: i64) -> Self {
        self.host_config().restart_policy =
            Some(op::container_create::body::host_config::RestartPolicy {
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
        self.host_config().mounts.get_or_insert_with(Vec::new).push(
            op::container_create::body::host_config::Mounts {
                type_: Some("volume".into()),
                source: Some(name.into()),
                target: Some(target.into()),
                read_only: Some(read_only),
                ..Default::default()
            },
        );
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
            .insert(
                name,
                op::container_create::body::networking_config::EndpointsConfig::default(),
            );
        self
    }

    /// CPU limit in CPUs (`--cpus 1.5`).
    pub fn cpus(mut self, cpus: f64) -> Self {
        self.host_config().nano_cpus = Some((cpus * 1e9) as i64);
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

    /// Memory limit in bytes.
    pub fn memory(mut self, bytes: i64) -> Self {
        self.host_config().memory = bytes;
        self
    }

    /// The generated body, for every field the builder has no method for.
    pub fn body_mut(&mut self) -> &mut op::container_create::Body {
        &mut self.body
    }

    fn host_config(&mut self) -> &mut op::container_create::body::HostConfig {
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

impl Prunable for ContainerKind {
    type Report = op::container_prune::Response;

    async fn prune(docker: &Docker, filters: Option<String>) -> Result<Self::Report> {
        let mut call = docker.raw().container_prune();
        if let Some(f) = filters {
            call = call.filters(f);
        }
        docker.call(call.send()).await
    }
}
