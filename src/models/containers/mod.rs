//! Containers: the [`Containers`] collection (`docker.containers()`) and the [`Container`]
//! model, docker-py's `client.containers` in Rust.
//!
//! Reach for [`Docker::containers`] first: `list()` for `docker ps`, `get(id)` to inspect,
//! `create(image)` / `run(image)` for a new one: a [`CreateContainer`] with `docker run`'s
//! options ([`Mount`], [`DeviceRequest`] and [`Endpoint`] for the structured ones), ended by
//! `send()` (create), `run(remove)`, `stream(remove)` or `detach()`. A [`Container`] has the
//! verbs (`start`, `stop()`, `wait()`, `wait_until(`[`WaitCondition`]`)`, `logs()`,
//! `exec_run`, `exec`, `attach`, ...).

mod attach;
mod container;
mod create;
mod exec;
mod host;
mod logs;
mod ops;
mod options;
mod run;

use std::collections::HashMap;

pub use attach::{Attach, Stats};
pub use container::{Container, ContainerHandle, ContainerKind, Kill, Remove, Restart, Stop, Top};
pub use create::CreateContainer;
pub use exec::{Exec, ExecResult, ExecRun};
pub use logs::Logs;
pub(crate) use ops::path_stat_header;
pub use ops::{Commit, PathStat};
pub use options::{DeviceRequest, Endpoint, Mount};
pub use run::{RUN_STREAM_STDERR_KEPT, RunStream, Wait, WaitCondition};

use crate::client::Docker;
use crate::error::Result;
use crate::filters::Filters;
use crate::models::prune::{Prunable, Prune};
use crate::raw::types::op;

impl Docker {
    /// Containers: list, get, create, run.
    ///
    /// The integration test `list_is_one_request_with_filters` lists and creates through it.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let containers = docker.containers();
    /// let c = containers.create("busybox").cmd(["sleep", "60"]).send().await?;
    /// println!("{} containers", containers.list().all(true).send().await?.len());
    /// c.remove().force(true).send().await?;
    /// # Ok(()) }
    /// ```
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
    ///
    /// The integration test `list_is_one_request_with_filters` makes the same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let running = docker.containers().list().label("app=web").send().await?;
    /// for c in &running {
    ///     println!("{} {} {}", c.short_id(), c.name(), c.status());
    /// }
    /// # Ok(()) }
    /// ```
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
    ///
    /// A missing container is `Error::NotFound`, as the integration test
    /// `missing_objects_are_not_found_with_the_daemons_message` checks.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// match docker.containers().get("web").await {
    ///     Ok(c) => println!("{} is {}", c.name(), c.status()),
    ///     Err(docker_engine::Error::NotFound { .. }) => println!("no container named web"),
    ///     Err(e) => return Err(e),
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn get(&self, id_or_name: impl AsRef<str>) -> Result<Container> {
        Container::inspect(&self.docker, id_or_name.as_ref()).await
    }

    /// A container by id or name without inspecting it: its verbs, no request sent.
    ///
    /// The integration test `resize_sets_the_containers_tty_size` uses a handle.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let web = docker.containers().handle("web");
    /// web.restart().timeout(5).send().await?;
    /// let code = web.wait().await?;
    /// # Ok(()) }
    /// ```
    pub fn handle(&self, id_or_name: impl Into<String>) -> ContainerHandle {
        ContainerHandle::new(&self.docker, id_or_name.into())
    }

    /// docker-py's `containers.run(IMAGE)`: the same builder as [`create`](Self::create);
    /// end it with [`CreateContainer::run`] (wait and collect the output) or
    /// [`CreateContainer::detach`] (start and return the container).
    ///
    /// The integration test `run_returns_stdout_or_a_container_error` makes the same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let out = docker.containers().run("busybox").cmd(["echo", "hi"]).run(true).await?;
    /// assert_eq!(out, b"hi\n");
    /// # Ok(()) }
    /// ```
    pub fn run(&self, image: impl Into<String>) -> CreateContainer {
        self.create(image)
    }

    /// `docker container prune`: remove stopped containers.
    ///
    /// The integration test `published_ports_and_prune` makes the same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let report = docker.containers().prune().label("ci=true").send().await?;
    /// let gone = report.containers_deleted.unwrap_or_default();
    /// println!("removed {} containers", gone.len());
    /// # Ok(()) }
    /// ```
    pub fn prune(&self) -> Prune<ContainerKind> {
        Prune::new(&self.docker)
    }

    /// `docker create IMAGE`: a builder over the generated create body.
    ///
    /// The integration test `create_options_reach_the_container` makes the same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let c = docker
    ///     .containers()
    ///     .create("busybox")
    ///     .name("worker")
    ///     .cmd(["sleep", "3600"])
    ///     .send()
    ///     .await?;
    /// c.start().await?;
    /// # Ok(()) }
    /// ```
    pub fn create(&self, image: impl Into<String>) -> CreateContainer {
        CreateContainer::new(self.docker.clone(), image.into())
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
    ///
    /// `all`, `limit` and the filters together, as in the integration test
    /// `list_is_one_request_with_filters`.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let exited = docker
    ///     .containers()
    ///     .list()
    ///     .all(true)
    ///     .status("exited")
    ///     .ancestor("busybox")
    ///     .limit(10)
    ///     .send()
    ///     .await?;
    /// # Ok(()) }
    /// ```
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
    ///
    /// The integration test `list_is_one_request_with_filters` reads it.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// for c in docker.containers().list().all(true).send().await? {
    ///     docker.containers().handle(c.id()).remove().force(true).send().await?;
    /// }
    /// # Ok(()) }
    /// ```
    pub fn id(&self) -> &str {
        self.attrs.id.as_deref().unwrap_or_default()
    }

    /// The first 12 characters of the id.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// for c in docker.containers().list().send().await? {
    ///     println!("{}  {}", c.short_id(), c.image()); // as `docker ps` prints them
    /// }
    /// # Ok(()) }
    /// ```
    pub fn short_id(&self) -> &str {
        crate::models::model::short(self.id())
    }

    /// The first name, without its leading `/`.
    ///
    /// The integration test `list_is_one_request_with_filters` reads it.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let names: Vec<String> = docker
    ///     .containers()
    ///     .list()
    ///     .send()
    ///     .await?
    ///     .iter()
    ///     .map(|c| c.name().to_string())
    ///     .collect();
    /// # Ok(()) }
    /// ```
    pub fn name(&self) -> &str {
        self.attrs
            .names
            .as_ref()
            .and_then(|n| n.first())
            .map(|n| n.trim_start_matches('/'))
            .unwrap_or_default()
    }

    /// Human status, e.g. `Up 2 minutes`, `Exited (0) 3 seconds ago`.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// for c in docker.containers().list().all(true).send().await? {
    ///     println!("{:<20} {}", c.name(), c.status()); // Up 2 minutes, Exited (0) 3 seconds ago
    /// }
    /// # Ok(()) }
    /// ```
    pub fn status(&self) -> &str {
        self.attrs.status.as_deref().unwrap_or_default()
    }

    /// Machine state: `created`, `running`, `exited`, ...
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let all = docker.containers().list().all(true).send().await?;
    /// let running = all.iter().filter(|c| c.state() == "running").count();
    /// println!("{running} of {} running", all.len());
    /// # Ok(()) }
    /// ```
    pub fn state(&self) -> &str {
        self.attrs.state.as_deref().unwrap_or_default()
    }

    /// The image as the container was created with it.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let all = docker.containers().list().all(true).send().await?;
    /// let old: Vec<_> = all.iter().filter(|c| c.image() == "nginx:1.25").collect();
    /// # Ok(()) }
    /// ```
    pub fn image(&self) -> &str {
        self.attrs.image.as_deref().unwrap_or_default()
    }

    /// Labels.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// for c in docker.containers().list().label("com.docker.compose.project").send().await? {
    ///     println!("{} in {:?}", c.name(), c.labels().get("com.docker.compose.project"));
    /// }
    /// # Ok(()) }
    /// ```
    pub fn labels(&self) -> HashMap<String, String> {
        self.attrs.labels.clone().unwrap_or_default()
    }

    /// Everything the daemon sent.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// for c in docker.containers().list().size(true).send().await? {
    ///     println!("{} writes {} bytes", c.name(), c.attrs().size_rw.unwrap_or_default());
    /// }
    /// # Ok(()) }
    /// ```
    pub fn attrs(&self) -> &op::container_list::Item {
        &self.attrs
    }

    /// Inspect this container.
    ///
    /// The integration test `list_is_one_request_with_filters` does the same.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// for summary in docker.containers().list().send().await? {
    ///     let c = summary.get().await?;
    ///     let started = c.attrs().state.as_ref().and_then(|s| s.started_at.clone());
    ///     println!("{} started at {}", c.name(), started.unwrap_or_default());
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn get(&self) -> Result<Container> {
        Container::inspect(&self.docker, self.id()).await
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
