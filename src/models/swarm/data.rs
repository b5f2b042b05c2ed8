//! Secrets and configs: named blobs the swarm keeps and gives to services' tasks as files.
//! The two are one shape in the Engine API (create with a name and data, inspect, list,
//! update the labels, remove), so they are one collection type here, [`SwarmData`], as
//! [`Secrets`] (`docker.secrets()`) and [`Configs`] (`docker.configs()`). The daemon never
//! gives a secret's data back; a config's is in its inspect answer.

use std::collections::HashMap;
use std::future::Future;
use std::marker::PhantomData;

use base64::Engine as _;
use serde_json::{Value, json};

use super::update_versioned;
use crate::client::Docker;
use crate::error::Result;
use crate::filters::Filters;
use crate::models::body_from_json;
use crate::models::model::{Answer, Handle, Kind, Model, list_models};
use crate::raw::types::op;

impl Docker {
    /// The swarm's secrets: create, list, get, update labels, remove.
    ///
    /// The integration test `swarm_services_tasks_nodes_secrets_configs_and_plugins` goes through
    /// it.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let password = docker.secrets().create("db-password", "s3cret").send().await?;
    /// println!("secret {}", password.id());
    /// # Ok(()) }
    /// ```
    pub fn secrets(&self) -> Secrets {
        SwarmData::new(self)
    }

    /// The swarm's configs: create, list, get, update labels, remove.
    ///
    /// The integration test `swarm_services_tasks_nodes_secrets_configs_and_plugins` goes through
    /// it.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let nginx = std::fs::read("nginx.conf")?;
    /// let conf = docker.configs().create("nginx-conf-v2", nginx).label("app", "web");
    /// let conf = conf.send().await?;
    /// # Ok(()) }
    /// ```
    pub fn configs(&self) -> Configs {
        SwarmData::new(self)
    }
}

/// A kind of named blob the swarm keeps: secrets and configs.
pub trait DataKind: Kind<Attrs: serde::Serialize> {
    /// Create one from its spec (JSON); its id.
    fn create(docker: &Docker, spec: Value) -> impl Future<Output = Result<String>> + Send;
    /// List with these filters (JSON).
    fn list(
        docker: &Docker,
        filters: Option<String>,
    ) -> impl Future<Output = Result<(Vec<Self::Attrs>, Answer)>> + Send;
    /// Send a changed spec with the version index it was read at.
    fn update(
        docker: &Docker,
        id: &str,
        version: i64,
        spec: Value,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Remove one.
    fn delete(docker: &Docker, id: &str) -> impl Future<Output = Result<()>> + Send;
}

/// `docker.secrets()` or `docker.configs()`.
#[derive(Debug)]
pub struct SwarmData<K: DataKind> {
    docker: Docker,
    kind: PhantomData<fn() -> K>,
}

impl<K: DataKind> Clone for SwarmData<K> {
    fn clone(&self) -> Self {
        SwarmData::new(&self.docker)
    }
}

impl<K: DataKind> SwarmData<K> {
    fn new(docker: &Docker) -> SwarmData<K> {
        SwarmData {
            docker: docker.clone(),
            kind: PhantomData,
        }
    }

    /// `docker secret create` / `docker config create`: a builder.
    ///
    /// The integration test `swarm_services_tasks_nodes_secrets_configs_and_plugins` makes the same
    /// call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let secret = docker.secrets().create("api-token", "t0k3n").label("team", "api");
    /// let secret = secret.send().await?;
    /// let config = docker.configs().create("app.toml", "port = 8080\n").send().await?;
    /// # Ok(()) }
    /// ```
    pub fn create(&self, name: impl Into<String>, data: impl AsRef<[u8]>) -> CreateData<K> {
        let data = base64::engine::general_purpose::STANDARD.encode(data);
        CreateData {
            docker: self.docker.clone(),
            spec: json!({ "Name": name.into(), "Data": data }),
            kind: PhantomData,
        }
    }

    /// `docker secret ls` / `docker config ls`: a builder.
    ///
    /// The integration test `swarm_services_tasks_nodes_secrets_configs_and_plugins` makes the same
    /// call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// for secret in docker.secrets().list().label("team=api").send().await? {
    ///     println!("{} {}", secret.short_id(), secret.name());
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list(&self) -> ListData<K> {
        ListData {
            docker: self.docker.clone(),
            filters: Filters::default(),
            kind: PhantomData,
        }
    }

    /// Inspect one by id or name.
    ///
    /// The integration test `swarm_services_tasks_nodes_secrets_configs_and_plugins` makes the same
    /// call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let config = docker.configs().get("app.toml").await?;
    /// println!("{}", config.attrs_json()["Spec"]["Data"]); // base64
    /// # Ok(()) }
    /// ```
    pub async fn get(&self, id_or_name: impl AsRef<str>) -> Result<Model<K>> {
        Model::inspect(&self.docker, id_or_name.as_ref()).await
    }

    /// One by id or name, not inspected: its verbs.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// docker.secrets().handle("api-token").delete().await?;
    /// # Ok(()) }
    /// ```
    pub fn handle(&self, id_or_name: impl Into<String>) -> Handle<K> {
        Handle::new(&self.docker, id_or_name.into())
    }
}

/// Builder of `POST /secrets/create` and `POST /configs/create`.
#[derive(Debug)]
pub struct CreateData<K: DataKind> {
    docker: Docker,
    spec: Value,
    kind: PhantomData<fn() -> K>,
}

impl<K: DataKind> CreateData<K> {
    /// A label.
    pub fn label(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.spec["Labels"][key.into()] = value.into().into();
        self
    }

    /// Create it; its handle (by id).
    ///
    /// The integration test `swarm_services_tasks_nodes_secrets_configs_and_plugins` makes the same
    /// call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let secret = docker.secrets().create("tls-key", std::fs::read("key.pem")?);
    /// let secret = secret.label("rotation", "2024-06").send().await?;
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<Handle<K>> {
        let id = K::create(&self.docker, self.spec).await?;
        Ok(Handle::new(&self.docker, id))
    }
}

/// Builder of `GET /secrets` and `GET /configs`.
#[derive(Debug)]
pub struct ListData<K: DataKind> {
    docker: Docker,
    filters: Filters,
    kind: PhantomData<fn() -> K>,
}

impl<K: DataKind> ListData<K> {
    crate::models::filter_setters! {
        /// Only the one with this id.
        id => "id",
        /// Only those with this label (`key` or `key=value`).
        label => "label",
        /// Only those whose name matches.
        name => "name",
    }

    /// Send the request.
    ///
    /// The integration test `swarm_services_tasks_nodes_secrets_configs_and_plugins` makes the same
    /// call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let configs = docker.configs().list().name("nginx-conf").send().await?;
    /// println!("{} versions of nginx-conf", configs.len());
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<Vec<Model<K>>> {
        let (list, answer) = K::list(&self.docker, self.filters.to_query()).await?;
        list_models(&self.docker, list, &answer, None)
    }
}

impl<K: DataKind> Handle<K> {
    /// Replace the labels (the only part of the spec the daemon lets change).
    ///
    /// The integration test `swarm_services_tasks_nodes_secrets_configs_and_plugins` makes the same
    /// call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let labels = [("rotation".to_string(), "2024-07".to_string())].into();
    /// docker.secrets().handle("tls-key").set_labels(labels).await?;
    /// # Ok(()) }
    /// ```
    pub async fn set_labels(&self, labels: HashMap<String, String>) -> Result<()> {
        let (d, id) = (&self.docker, &self.id);
        let labels = serde_json::to_value(labels).unwrap_or_default();
        let edit: super::Edit = Box::new(move |spec| spec["Labels"] = labels);
        let send = |version, spec| K::update(d, id, version, spec);
        update_versioned(|| K::inspect(d, id), vec![edit], send).await
    }

    /// `docker secret rm` / `docker config rm`.
    ///
    /// The integration test `swarm_services_tasks_nodes_secrets_configs_and_plugins` makes the same
    /// call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// match docker.configs().handle("nginx-conf-v1").delete().await {
    ///     Ok(()) => println!("deleted"),
    ///     Err(e) => eprintln!("still used by a service? {e}"),
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn delete(&self) -> Result<()> {
        K::delete(&self.docker, &self.id).await
    }
}

impl<K: DataKind> Model<K> {
    /// The name it was created with.
    ///
    /// The integration test `swarm_services_tasks_nodes_secrets_configs_and_plugins` reads it.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let secret = docker.secrets().get("tls-key").await?;
    /// println!("{} {:?}", secret.name(), secret.labels());
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

/// The id in a create answer, read from the daemon's own JSON: the spec names the answer
/// `IdResponse` (`{"Id": ...}`), but the daemon sends `{"ID": ...}` for secrets and
/// configs, which the generated type would drop.
async fn created_id(
    capture: &crate::transport::Capture,
    call: impl Future<Output = crate::raw::CallResult<impl Sized>>,
) -> Result<String> {
    use futures_util::StreamExt;
    let mut body = capture.stream(call).await?.body;
    let mut bytes = Vec::new();
    while let Some(chunk) = body.next().await {
        bytes.extend_from_slice(&chunk?);
        if bytes.len() > 64 * 1024 {
            return Err(crate::Error::stream("a create answer longer than 64 KiB"));
        }
    }
    let answer: Value =
        serde_json::from_slice(&bytes).map_err(|e| crate::Error::decode("a create answer", e))?;
    answer["ID"]
        .as_str()
        .or(answer["Id"].as_str())
        .map(str::to_string)
        .ok_or_else(|| crate::Error::stream(format!("a create answer without an id: {answer}")))
}

/// The secret kind of [`Model`].
#[derive(Debug)]
pub enum SecretKind {}

/// `docker.secrets()`.
pub type Secrets = SwarmData<SecretKind>;
/// A secret: its inspect answer (no data: the daemon never gives it back).
pub type Secret = Model<SecretKind>;
/// A secret by id or name, not inspected.
pub type SecretHandle = Handle<SecretKind>;

impl Kind for SecretKind {
    type Attrs = op::secret_inspect::Response;
    const NAME: &'static str = "Secret";

    async fn inspect(docker: &Docker, id: &str) -> Result<(Self::Attrs, Answer)> {
        let c = docker.capture_whole();
        c.whole(c.raw().secret_inspect().id(id).send()).await
    }

    fn id(attrs: &Self::Attrs) -> Option<&str> {
        attrs.id.as_deref()
    }

    fn labels(attrs: &Self::Attrs) -> Option<&HashMap<String, String>> {
        attrs.spec.as_ref().and_then(|s| s.labels.as_ref())
    }
}

impl DataKind for SecretKind {
    async fn create(docker: &Docker, spec: Value) -> Result<String> {
        let body: op::secret_create::Body = body_from_json(spec, "the secret spec")?;
        let capture = docker.capture_stream();
        created_id(&capture, capture.raw().secret_create().body(body).send()).await
    }

    async fn list(docker: &Docker, filters: Option<String>) -> Result<(Vec<Self::Attrs>, Answer)> {
        let c = docker.capture_whole();
        let mut call = c.raw().secret_list();
        if let Some(f) = filters {
            call = call.filters(f);
        }
        let (list, answer) = c.whole(call.send()).await?;
        Ok((op::secret_list::items(list), answer))
    }

    async fn update(docker: &Docker, id: &str, version: i64, spec: Value) -> Result<()> {
        let body: op::secret_update::Body = body_from_json(spec, "the secret spec")?;
        let call = docker
            .raw()
            .secret_update()
            .id(id)
            .version(version)
            .body(body);
        docker.call(call.send()).await.map(drop)
    }

    async fn delete(docker: &Docker, id: &str) -> Result<()> {
        let call = docker.raw().secret_delete().id(id).send();
        docker.call(call).await.map(drop)
    }
}

/// The config kind of [`Model`].
#[derive(Debug)]
pub enum ConfigKind {}

/// `docker.configs()`.
pub type Configs = SwarmData<ConfigKind>;
/// A config: its inspect answer, data included (base64, in `Spec.Data`).
pub type Config = Model<ConfigKind>;
/// A config by id or name, not inspected.
pub type ConfigHandle = Handle<ConfigKind>;

impl Kind for ConfigKind {
    type Attrs = op::config_inspect::Response;
    const NAME: &'static str = "Config";

    async fn inspect(docker: &Docker, id: &str) -> Result<(Self::Attrs, Answer)> {
        let c = docker.capture_whole();
        c.whole(c.raw().config_inspect().id(id).send()).await
    }

    fn id(attrs: &Self::Attrs) -> Option<&str> {
        attrs.id.as_deref()
    }

    fn labels(attrs: &Self::Attrs) -> Option<&HashMap<String, String>> {
        attrs.spec.as_ref().and_then(|s| s.labels.as_ref())
    }
}

impl DataKind for ConfigKind {
    async fn create(docker: &Docker, spec: Value) -> Result<String> {
        let body: op::config_create::Body = body_from_json(spec, "the config spec")?;
        let capture = docker.capture_stream();
        created_id(&capture, capture.raw().config_create().body(body).send()).await
    }

    async fn list(docker: &Docker, filters: Option<String>) -> Result<(Vec<Self::Attrs>, Answer)> {
        let c = docker.capture_whole();
        let mut call = c.raw().config_list();
        if let Some(f) = filters {
            call = call.filters(f);
        }
        let (list, answer) = c.whole(call.send()).await?;
        Ok((op::config_list::items(list), answer))
    }

    async fn update(docker: &Docker, id: &str, version: i64, spec: Value) -> Result<()> {
        let body: op::config_update::Body = body_from_json(spec, "the config spec")?;
        let call = docker
            .raw()
            .config_update()
            .id(id)
            .version(version)
            .body(body);
        docker.call(call.send()).await.map(drop)
    }

    async fn delete(docker: &Docker, id: &str) -> Result<()> {
        let call = docker.raw().config_delete().id(id).send();
        docker.call(call).await.map(drop)
    }
}
