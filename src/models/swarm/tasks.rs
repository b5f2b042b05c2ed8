//! Tasks: the [`Tasks`] collection (`docker.tasks()`), the [`Task`] model, and the logs of
//! a service or a task ([`SwarmLogs`]).

use std::collections::HashMap;

use crate::client::Docker;
use crate::error::Result;
use crate::filters::Filters;
use crate::models::model::{Answer, Handle, Kind, Model, list_models};
use crate::raw::types::op;
use crate::stream::LogStream;

impl Docker {
    /// The tasks of the swarm's services: list, get, logs.
    ///
    /// The integration test `swarm_services_tasks_nodes_secrets_configs_and_plugins` goes through
    /// it.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// for task in docker.tasks().list().service("web").send().await? {
    ///     println!("{} {}", task.short_id(), task.state());
    /// }
    /// # Ok(()) }
    /// ```
    pub fn tasks(&self) -> Tasks {
        Tasks {
            docker: self.clone(),
        }
    }
}

/// `docker.tasks()`.
#[derive(Clone, Debug)]
pub struct Tasks {
    docker: Docker,
}

impl Tasks {
    /// `GET /tasks`: a builder.
    ///
    /// The integration test `swarm_services_tasks_nodes_secrets_configs_and_plugins` makes the same
    /// call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let failed = docker.tasks().list().service("web").desired_state("shutdown").send().await?;
    /// println!("{} tasks shut down", failed.len());
    /// # Ok(()) }
    /// ```
    pub fn list(&self) -> ListTasks {
        ListTasks {
            docker: self.docker.clone(),
            filters: Filters::default(),
        }
    }

    /// Inspect a task by id.
    ///
    /// The integration test `swarm_services_tasks_nodes_secrets_configs_and_plugins` makes the same
    /// call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let task = docker.tasks().get("k2j3h4g5f6d7").await?;
    /// println!("{}", task.state());
    /// # Ok(()) }
    /// ```
    pub async fn get(&self, id: impl AsRef<str>) -> Result<Task> {
        Task::inspect(&self.docker, id.as_ref()).await
    }
}

/// Builder of `GET /tasks`.
#[derive(Debug)]
pub struct ListTasks {
    docker: Docker,
    filters: Filters,
}

impl ListTasks {
    crate::models::filter_setters! {
        /// Only the tasks of this service (id or name).
        service => "service",
        /// Only the tasks on this node.
        node => "node",
        /// Only tasks that should be `running`, `shutdown` or `accepted`.
        desired_state => "desired-state",
        /// Only the task with this id.
        id => "id",
        /// Only tasks with this label.
        label => "label",
        /// Only tasks whose name matches.
        name => "name",
    }

    /// Send the request.
    ///
    /// The integration test `swarm_services_tasks_nodes_secrets_configs_and_plugins` makes the same
    /// call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let tasks = docker.tasks().list().node("worker-1").label("stack=shop").send().await?;
    /// for t in tasks {
    ///     println!("{} {}", t.id(), t.state());
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<Vec<Task>> {
        let c = self.docker.capture_whole();
        let mut call = c.raw().task_list();
        if let Some(f) = self.filters.to_query() {
            call = call.filters(f);
        }
        let (list, answer) = c.whole(call.send()).await?;
        list_models(&self.docker, op::task_list::items(list), &answer, None)
    }
}

/// The task kind of [`Model`].
#[derive(Debug)]
pub enum TaskKind {}

impl Kind for TaskKind {
    type Attrs = op::task_inspect::Response;
    const NAME: &'static str = "Task";

    async fn inspect(docker: &Docker, id: &str) -> Result<(Self::Attrs, Answer)> {
        let c = docker.capture_whole();
        c.whole(c.raw().task_inspect().id(id).send()).await
    }

    fn id(attrs: &Self::Attrs) -> Option<&str> {
        attrs.id.as_deref()
    }

    fn labels(attrs: &Self::Attrs) -> Option<&HashMap<String, String>> {
        attrs.labels.as_ref()
    }
}

/// A task: its inspect answer ([`Model::attrs`]); it derefs to its [`TaskHandle`].
pub type Task = Model<TaskKind>;

/// A task by id, not inspected: the verbs.
pub type TaskHandle = Handle<TaskKind>;

impl Model<TaskKind> {
    /// Where the task is: `running`, `complete`, `failed`, ... (`Status.State`).
    ///
    /// The integration test `swarm_services_tasks_nodes_secrets_configs_and_plugins` reads it.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let tasks = docker.tasks().list().service("web").send().await?;
    /// let running = tasks.iter().filter(|t| t.state() == "running").count();
    /// # Ok(()) }
    /// ```
    pub fn state(&self) -> String {
        let attrs = serde_json::to_value(&self.attrs).unwrap_or_default();
        attrs["Status"]["State"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }
}

impl Handle<TaskKind> {
    /// The task's logs, a builder.
    ///
    /// The integration test `swarm_services_tasks_nodes_secrets_configs_and_plugins` makes the same
    /// call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let task = docker.tasks().get("k2j3h4g5f6d7").await?;
    /// for chunk in task.logs().tail(20).stream().collect_chunks().await? {
    ///     print!("{chunk}");
    /// }
    /// # Ok(()) }
    /// ```
    pub fn logs(&self) -> SwarmLogs {
        SwarmLogs {
            docker: self.docker.clone(),
            of: Of::Task(self.id.clone()),
            follow: false,
            tail: None,
            timestamps: false,
        }
    }
}

#[derive(Debug)]
enum Of {
    Service(String),
    Task(String),
}

/// Builder of `GET /services/{id}/logs` and `GET /tasks/{id}/logs`: stdout and stderr,
/// demultiplexed.
#[derive(Debug)]
pub struct SwarmLogs {
    docker: Docker,
    of: Of,
    follow: bool,
    tail: Option<String>,
    timestamps: bool,
}

impl SwarmLogs {
    pub(super) fn service(docker: Docker, id: String) -> SwarmLogs {
        SwarmLogs {
            docker,
            of: Of::Service(id),
            follow: false,
            tail: None,
            timestamps: false,
        }
    }

    /// Keep the stream open for new output.
    pub fn follow(mut self, yes: bool) -> Self {
        self.follow = yes;
        self
    }

    /// Only the last `n` lines.
    pub fn tail(mut self, n: u64) -> Self {
        self.tail = Some(n.to_string());
        self
    }

    /// Prefix each line with its RFC 3339 timestamp.
    pub fn timestamps(mut self, yes: bool) -> Self {
        self.timestamps = yes;
        self
    }

    /// The output as a `Stream` of chunks. Nothing is sent until it is first polled.
    /// (`#[inline]`: see [`crate::models`].)
    ///
    /// The integration test `swarm_services_tasks_nodes_secrets_configs_and_plugins` reads service
    /// logs.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// use futures_util::StreamExt;
    /// let logs = docker.services().handle("web").logs();
    /// let mut logs = logs.follow(true).timestamps(true).tail(10).stream();
    /// while let Some(chunk) = logs.next().await {
    ///     print!("{}", chunk?);
    /// }
    /// # Ok(()) }
    /// ```
    #[inline]
    pub fn stream(self) -> LogStream {
        LogStream::connecting(Box::pin(async move {
            let SwarmLogs {
                docker,
                of,
                follow,
                tail,
                timestamps,
            } = self;
            let capture = docker.capture_stream();
            let raw = capture.raw();
            let tail = tail.unwrap_or_else(|| "all".into());
            let response = match of {
                Of::Service(id) => {
                    let call = raw.service_logs().id(id).stdout(true).stderr(true);
                    let call = call.follow(follow).timestamps(timestamps).tail(tail);
                    capture.stream(call.send()).await?
                }
                Of::Task(id) => {
                    let call = raw.task_logs().id(id).stdout(true).stderr(true);
                    let call = call.follow(follow).timestamps(timestamps).tail(tail);
                    capture.stream(call.send()).await?
                }
            };
            // Below API 1.42 the stream type is not told: a service's logs are framed
            // unless its tasks have a TTY, which `docker service create` does not give.
            let api = docker.api_version().await?;
            let multiplexed = crate::stream::multiplexed(&response.headers, api).unwrap_or(true);
            Ok((
                Box::pin(response.body) as crate::stream::demux::ByteSource,
                multiplexed,
            ))
        }))
    }
}
