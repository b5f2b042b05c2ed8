//! Services: the [`Services`] collection (`docker.services()`) and the [`Service`] model.

use std::collections::HashMap;

use serde_json::{Value, json};

use super::tasks::{ListTasks, SwarmLogs};
use super::update_versioned;
use crate::client::Docker;
use crate::error::Result;
use crate::filters::Filters;
use crate::models::body_from_json;
use crate::models::model::{Answer, Handle, Kind, Model, list_models};
use crate::raw::types::op;

impl Docker {
    /// The services of the swarm: create, list, get, update, scale, logs, remove.
    ///
    /// The integration test `swarm_services_tasks_nodes_secrets_configs_and_plugins` goes through
    /// it.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let web = docker.services().create("nginx:1.27").name("web").replicas(3).send().await?;
    /// web.scale(5).await?;
    /// # Ok(()) }
    /// ```
    pub fn services(&self) -> Services {
        Services {
            docker: self.clone(),
        }
    }
}

/// `docker.services()`.
#[derive(Clone, Debug)]
pub struct Services {
    docker: Docker,
}

impl Services {
    /// `docker service create IMAGE`: a builder.
    ///
    /// The integration test `swarm_services_tasks_nodes_secrets_configs_and_plugins` makes the same
    /// call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let web = docker.services().create("nginx:1.27").name("web").send().await?;
    /// println!("service {}", web.id());
    /// # Ok(()) }
    /// ```
    pub fn create(&self, image: impl Into<String>) -> CreateService {
        CreateService {
            docker: self.docker.clone(),
            spec: json!({ "TaskTemplate": { "ContainerSpec": { "Image": image.into() } } }),
        }
    }

    /// `docker service ls`: a builder.
    ///
    /// The integration test `swarm_services_tasks_nodes_secrets_configs_and_plugins` makes the same
    /// call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// for s in docker.services().list().label("stack=shop").send().await? {
    ///     println!("{} {}", s.short_id(), s.name());
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list(&self) -> ListServices {
        ListServices {
            docker: self.docker.clone(),
            filters: Filters::default(),
        }
    }

    /// Inspect a service by id or name.
    ///
    /// The integration test `swarm_services_tasks_nodes_secrets_configs_and_plugins` makes the same
    /// call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let web = docker.services().get("web").await?;
    /// println!("{} {}", web.name(), web.attrs_json()["Spec"]["Mode"]);
    /// # Ok(()) }
    /// ```
    pub async fn get(&self, id_or_name: impl AsRef<str>) -> Result<Service> {
        Service::inspect(&self.docker, id_or_name.as_ref()).await
    }

    /// A service by id or name, not inspected: its verbs.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let web = docker.services().handle("web");
    /// web.update().image("nginx:1.27.1").send().await?;
    /// # Ok(()) }
    /// ```
    pub fn handle(&self, id_or_name: impl Into<String>) -> ServiceHandle {
        ServiceHandle::new(&self.docker, id_or_name.into())
    }
}

/// The parts of a service spec the builders set, in its JSON form.
fn container_spec(spec: &mut Value) -> &mut Value {
    &mut spec["TaskTemplate"]["ContainerSpec"]
}

fn push(list: &mut Value, item: Value) {
    match list.as_array_mut() {
        Some(items) => items.push(item),
        None => *list = Value::Array(vec![item]),
    }
}

/// A secret or config reference: given to a service's tasks as a file.
fn file_reference(kind: &str, id: &str, name: &str, target: &str) -> Value {
    json!({
        format!("{kind}ID"): id,
        format!("{kind}Name"): name,
        "File": { "Name": target, "UID": "0", "GID": "0", "Mode": 0o444 },
    })
}

/// Builder of `POST /services/create`.
#[derive(Debug)]
pub struct CreateService {
    docker: Docker,
    spec: Value,
}

impl CreateService {
    /// The service's name (default: one the daemon makes up).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.spec["Name"] = name.into().into();
        self
    }

    /// A label on the service.
    pub fn label(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.spec["Labels"][key.into()] = value.into().into();
        self
    }

    /// A label on each task's container.
    pub fn container_label(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        container_spec(&mut self.spec)["Labels"][key.into()] = value.into().into();
        self
    }

    /// The command and its arguments (the image's entrypoint is replaced).
    pub fn command(mut self, argv: impl IntoIterator<Item = impl Into<String>>) -> Self {
        let argv: Vec<String> = argv.into_iter().map(Into::into).collect();
        container_spec(&mut self.spec)["Command"] = argv.into();
        self
    }

    /// An environment variable, `KEY=value`.
    pub fn env(mut self, var: impl Into<String>) -> Self {
        push(
            &mut container_spec(&mut self.spec)["Env"],
            var.into().into(),
        );
        self
    }

    /// Run `n` replicas (the default mode, with one replica).
    pub fn replicas(mut self, n: u64) -> Self {
        self.spec["Mode"] = json!({ "Replicated": { "Replicas": n } });
        self
    }

    /// Run one task on every node (`--mode global`).
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let agent = docker
    ///     .services()
    ///     .create("registry.example/node-agent:3")
    ///     .name("node-agent")
    ///     .global()
    ///     .container_label("role", "agent")
    ///     .config("cfg-id", "agent.toml", "/etc/agent.toml")
    ///     .edit(|spec| spec["TaskTemplate"]["ContainerSpec"]["Hostname"] = "{{.Node.ID}}".into())
    ///     .send()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn global(mut self) -> Self {
        self.spec["Mode"] = json!({ "Global": {} });
        self
    }

    /// Give the tasks a secret as the file `/run/secrets/<target>`.
    pub fn secret(mut self, id: &str, name: &str, target: &str) -> Self {
        let r = file_reference("Secret", id, name, target);
        push(&mut container_spec(&mut self.spec)["Secrets"], r);
        self
    }

    /// Give the tasks a config as the file `target` (relative: under `/`).
    pub fn config(mut self, id: &str, name: &str, target: &str) -> Self {
        let r = file_reference("Config", id, name, target);
        push(&mut container_spec(&mut self.spec)["Configs"], r);
        self
    }

    /// Restart tasks on this condition: `none`, `on-failure` or `any` (the default).
    pub fn restart_condition(mut self, condition: impl Into<String>) -> Self {
        self.spec["TaskTemplate"]["RestartPolicy"]["Condition"] = condition.into().into();
        self
    }

    /// Change the spec in its JSON form, for what has no method here.
    pub fn edit(mut self, f: impl FnOnce(&mut Value)) -> Self {
        f(&mut self.spec);
        self
    }

    /// Create the service.
    ///
    /// Several settings together; the integration test
    /// `swarm_services_tasks_nodes_secrets_configs_and_plugins` creates services with them.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let secret = docker.secrets().create("db-password", "s3cret").send().await?;
    /// let api = docker
    ///     .services()
    ///     .create("registry.example/api:2.1")
    ///     .name("api")
    ///     .command(["api", "--port", "8080"])
    ///     .env("RUST_LOG=info")
    ///     .label("stack", "shop")
    ///     .secret(secret.id(), "db-password", "db-password")
    ///     .restart_condition("on-failure")
    ///     .replicas(2)
    ///     .send()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<ServiceHandle> {
        let body: op::service_create::Body = body_from_json(self.spec, "the service spec")?;
        let created = self
            .docker
            .call(self.docker.raw().service_create().body(body).send())
            .await?;
        let created = serde_json::to_value(&created).unwrap_or_default();
        let id = created["ID"].as_str().unwrap_or_default().to_string();
        Ok(ServiceHandle::new(&self.docker, id))
    }
}

/// Builder of `GET /services`.
#[derive(Debug)]
pub struct ListServices {
    docker: Docker,
    filters: Filters,
}

impl ListServices {
    crate::models::filter_setters! {
        /// Only the service with this id (or id prefix).
        id => "id",
        /// Only services with this label (`key` or `key=value`).
        label => "label",
        /// Only `replicated` or `global` services.
        mode => "mode",
        /// Only services whose name matches.
        name => "name",
    }

    /// Send the request.
    ///
    /// The integration test `swarm_services_tasks_nodes_secrets_configs_and_plugins` makes the same
    /// call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let global = docker.services().list().mode("global").send().await?;
    /// println!("{} global services", global.len());
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<Vec<Service>> {
        let c = self.docker.capture_whole();
        let mut call = c.raw().service_list();
        if let Some(f) = self.filters.to_query() {
            call = call.filters(f);
        }
        let (list, answer) = c.whole(call.send()).await?;
        list_models(&self.docker, op::service_list::items(list), &answer, None)
    }
}

/// The service kind of [`Model`].
#[derive(Debug)]
pub enum ServiceKind {}

impl Kind for ServiceKind {
    type Attrs = op::service_inspect::Response;
    const NAME: &'static str = "Service";

    async fn inspect(docker: &Docker, id: &str) -> Result<(Self::Attrs, Answer)> {
        let c = docker.capture_whole();
        c.whole(c.raw().service_inspect().id(id).send()).await
    }

    fn id(attrs: &Self::Attrs) -> Option<&str> {
        attrs.id.as_deref()
    }

    fn labels(attrs: &Self::Attrs) -> Option<&HashMap<String, String>> {
        attrs.spec.as_ref().and_then(|s| s.labels.as_ref())
    }
}

/// A service: its inspect answer ([`Model::attrs`]); it derefs to its [`ServiceHandle`].
pub type Service = Model<ServiceKind>;

/// A service by id or name, not inspected: the verbs.
pub type ServiceHandle = Handle<ServiceKind>;

impl Model<ServiceKind> {
    /// The service's name.
    ///
    /// The integration test `swarm_services_tasks_nodes_secrets_configs_and_plugins` reads it.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// for s in docker.services().list().send().await? {
    ///     println!("{}", s.name());
    /// }
    /// # Ok(()) }
    /// ```
    pub fn name(&self) -> String {
        let attrs = serde_json::to_value(&self.attrs).unwrap_or_default();
        attrs["Spec"]["Name"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }
}

impl Handle<ServiceKind> {
    /// `docker service ps`: its tasks, a builder (more filters may be added).
    ///
    /// The integration test `swarm_services_tasks_nodes_secrets_configs_and_plugins` makes the same
    /// call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let web = docker.services().handle("web");
    /// for task in web.tasks().desired_state("running").send().await? {
    ///     println!("{} {}", task.short_id(), task.state());
    /// }
    /// # Ok(()) }
    /// ```
    pub fn tasks(&self) -> ListTasks {
        self.docker.tasks().list().service(self.id.clone())
    }

    /// `docker service update`: a builder; the spec is read, changed and sent back with
    /// its version index.
    ///
    /// The integration test `swarm_services_tasks_nodes_secrets_configs_and_plugins` makes the same
    /// call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let web = docker.services().handle("web");
    /// web.update().image("nginx:1.27.1").env("TZ=UTC").send().await?;
    /// # Ok(()) }
    /// ```
    pub fn update(&self) -> UpdateService<'_> {
        UpdateService {
            service: self,
            edits: Vec::new(),
            rollback: false,
        }
    }

    /// `docker service scale NAME=n`.
    ///
    /// The integration test `swarm_services_tasks_nodes_secrets_configs_and_plugins` makes the same
    /// call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// docker.services().handle("web").scale(0).await?;
    /// # Ok(()) }
    /// ```
    pub async fn scale(&self, replicas: u64) -> Result<()> {
        self.update()
            .edit(move |spec| spec["Mode"] = json!({ "Replicated": { "Replicas": replicas } }))
            .send()
            .await
    }

    /// Restart every task, with no change to the spec (`--force`).
    ///
    /// The integration test `swarm_services_tasks_nodes_secrets_configs_and_plugins` makes the same
    /// call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// docker.services().handle("web").force_update().await?;
    /// # Ok(()) }
    /// ```
    pub async fn force_update(&self) -> Result<()> {
        self.update().force().send().await
    }

    /// `docker service rollback`: back to the spec before the last update.
    ///
    /// The integration test `swarm_services_tasks_nodes_secrets_configs_and_plugins` makes the same
    /// call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let web = docker.services().handle("web");
    /// web.update().image("nginx:broken").send().await?;
    /// web.rollback().await?;
    /// # Ok(()) }
    /// ```
    pub async fn rollback(&self) -> Result<()> {
        let mut update = self.update();
        update.rollback = true;
        update.send().await
    }

    /// `docker service logs`: the logs of every task, a builder.
    ///
    /// The integration test `swarm_services_tasks_nodes_secrets_configs_and_plugins` makes the same
    /// call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// use futures_util::StreamExt;
    /// let mut logs = docker.services().handle("web").logs().tail(50).stream();
    /// while let Some(chunk) = logs.next().await {
    ///     print!("{}", chunk?);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn logs(&self) -> SwarmLogs {
        SwarmLogs::service(self.docker.clone(), self.id.clone())
    }

    /// `docker service rm`.
    ///
    /// The integration test `swarm_services_tasks_nodes_secrets_configs_and_plugins` makes the same
    /// call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// docker.services().handle("web").remove().await?;
    /// # Ok(()) }
    /// ```
    pub async fn remove(&self) -> Result<()> {
        let call = self.docker.raw().service_delete().id(&self.id).send();
        self.docker.call(call).await.map(drop)
    }
}

/// Builder of `POST /services/{id}/update`.
pub struct UpdateService<'a> {
    service: &'a ServiceHandle,
    edits: Vec<super::Edit>,
    rollback: bool,
}

impl std::fmt::Debug for UpdateService<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UpdateService")
            .field("service", &self.service.id)
            .finish_non_exhaustive()
    }
}

impl UpdateService<'_> {
    /// Change the spec in its JSON form (`spec["TaskTemplate"]["ContainerSpec"]["Image"]`).
    pub fn edit(mut self, f: impl FnOnce(&mut Value) + Send + 'static) -> Self {
        self.edits.push(Box::new(f));
        self
    }

    /// Another image (`--image`).
    pub fn image(self, image: impl Into<String>) -> Self {
        let image = image.into();
        self.edit(move |spec| container_spec(spec)["Image"] = image.into())
    }

    /// Add an environment variable, `KEY=value` (`--env-add`).
    pub fn env(self, var: impl Into<String>) -> Self {
        let var = var.into();
        self.edit(move |spec| push(&mut container_spec(spec)["Env"], var.into()))
    }

    /// Add or change a label on the service (`--label-add`).
    pub fn label(self, key: impl Into<String>, value: impl Into<String>) -> Self {
        let (key, value) = (key.into(), value.into());
        self.edit(move |spec| spec["Labels"][key] = value.into())
    }

    /// Restart the tasks even if nothing else changes (`--force`): bumps the task
    /// template's `ForceUpdate` counter.
    pub fn force(self) -> Self {
        self.edit(|spec| {
            let n = spec["TaskTemplate"]["ForceUpdate"].as_u64().unwrap_or(0);
            spec["TaskTemplate"]["ForceUpdate"] = (n + 1).into();
        })
    }

    /// Read the spec, apply the changes, send it back with its version index.
    ///
    /// Several settings together; the integration test
    /// `swarm_services_tasks_nodes_secrets_configs_and_plugins` updates a service.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// docker
    ///     .services()
    ///     .handle("web")
    ///     .update()
    ///     .image("nginx:1.27.1")
    ///     .label("release", "42")
    ///     .edit(|spec| spec["UpdateConfig"]["Parallelism"] = 1.into())
    ///     .force()
    ///     .send()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<()> {
        let d = &self.service.docker;
        let id = &self.service.id;
        let send = |version, body: op::service_update::Body| {
            let mut call = d.raw().service_update().id(id).version(version).body(body);
            if self.rollback {
                call = call.rollback("previous");
            }
            async move { d.call(call.send()).await.map(drop) }
        };
        update_versioned(|| ServiceKind::inspect(d, id), self.edits, send).await
    }
}
