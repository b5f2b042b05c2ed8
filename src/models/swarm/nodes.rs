//! Nodes: the [`Nodes`] collection (`docker.nodes()`) and the [`Node`] model.

use std::collections::HashMap;

use serde_json::Value;

use super::update_versioned;
use crate::client::Docker;
use crate::error::Result;
use crate::filters::Filters;
use crate::models::model::{Answer, Handle, Kind, Model, list_models};
use crate::raw::types::op;

impl Docker {
    /// The nodes of the swarm: list, get, update, remove (a manager answers).
    ///
    /// The integration test `swarm_services_tasks_nodes_secrets_configs_and_plugins` goes through
    /// it.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// for node in docker.nodes().list().role("manager").send().await? {
    ///     println!("{} {} {}", node.short_id(), node.role(), node.availability());
    /// }
    /// # Ok(()) }
    /// ```
    pub fn nodes(&self) -> Nodes {
        Nodes {
            docker: self.clone(),
        }
    }
}

/// `docker.nodes()`.
#[derive(Clone, Debug)]
pub struct Nodes {
    docker: Docker,
}

impl Nodes {
    /// `docker node ls`: a builder.
    ///
    /// The integration test `swarm_services_tasks_nodes_secrets_configs_and_plugins` makes the same
    /// call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let workers = docker.nodes().list().role("worker").node_label("zone=eu-1").send().await?;
    /// println!("{} workers in eu-1", workers.len());
    /// # Ok(()) }
    /// ```
    pub fn list(&self) -> ListNodes {
        ListNodes {
            docker: self.docker.clone(),
            filters: Filters::default(),
        }
    }

    /// Inspect a node by id or hostname (`self` for this one).
    ///
    /// The integration test `swarm_services_tasks_nodes_secrets_configs_and_plugins` makes the same
    /// call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let me = docker.nodes().get("self").await?;
    /// println!("{} is a {} ({})", me.id(), me.role(), me.availability());
    /// # Ok(()) }
    /// ```
    pub async fn get(&self, id: impl AsRef<str>) -> Result<Node> {
        Node::inspect(&self.docker, id.as_ref()).await
    }

    /// A node by id, not inspected: its verbs.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let node = docker.nodes().handle("x3k9v0n1m2b4");
    /// node.update().availability("drain").send().await?;
    /// # Ok(()) }
    /// ```
    pub fn handle(&self, id: impl Into<String>) -> NodeHandle {
        NodeHandle::new(&self.docker, id.into())
    }
}

/// Builder of `GET /nodes`.
#[derive(Debug)]
pub struct ListNodes {
    docker: Docker,
    filters: Filters,
}

impl ListNodes {
    crate::models::filter_setters! {
        /// Only nodes with this id (or id prefix).
        id => "id",
        /// Only nodes with this engine label (`key` or `key=value`).
        label => "label",
        /// Only nodes with this node label (`key` or `key=value`).
        node_label => "node.label",
        /// Only `accepted` or `pending` nodes.
        membership => "membership",
        /// Only nodes with this hostname.
        name => "name",
        /// Only `manager` or `worker` nodes.
        role => "role",
    }

    /// Send the request.
    ///
    /// The integration test `swarm_services_tasks_nodes_secrets_configs_and_plugins` makes the same
    /// call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let nodes = docker.nodes().list().membership("accepted").name("worker-1").send().await?;
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<Vec<Node>> {
        let c = self.docker.capture_whole();
        let mut call = c.raw().node_list();
        if let Some(f) = self.filters.to_query() {
            call = call.filters(f);
        }
        let (list, answer) = c.whole(call.send()).await?;
        list_models(&self.docker, op::node_list::items(list), &answer, None)
    }
}

/// The node kind of [`Model`].
#[derive(Debug)]
pub enum NodeKind {}

impl Kind for NodeKind {
    type Attrs = op::node_inspect::Response;
    const NAME: &'static str = "Node";

    async fn inspect(docker: &Docker, id: &str) -> Result<(Self::Attrs, Answer)> {
        let c = docker.capture_whole();
        c.whole(c.raw().node_inspect().id(id).send()).await
    }

    fn id(attrs: &Self::Attrs) -> Option<&str> {
        attrs.id.as_deref()
    }

    fn labels(attrs: &Self::Attrs) -> Option<&HashMap<String, String>> {
        attrs.spec.as_ref().and_then(|s| s.labels.as_ref())
    }
}

/// A node: its inspect answer ([`Model::attrs`]); it derefs to its [`NodeHandle`].
pub type Node = Model<NodeKind>;

/// A node by id, not inspected: the verbs.
pub type NodeHandle = Handle<NodeKind>;

impl Handle<NodeKind> {
    /// `docker node update`: a builder; the spec is read, changed and sent back with its
    /// version index.
    ///
    /// The integration test `swarm_services_tasks_nodes_secrets_configs_and_plugins` makes the same
    /// call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let me = docker.nodes().get("self").await?;
    /// me.update().label("zone", "eu-1").send().await?;
    /// # Ok(()) }
    /// ```
    pub fn update(&self) -> UpdateNode<'_> {
        UpdateNode {
            node: self,
            edits: Vec::new(),
        }
    }

    /// `docker node rm`; `force` removes a node that is still up.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let node = docker.nodes().handle("x3k9v0n1m2b4");
    /// node.update().availability("drain").send().await?;
    /// node.remove(true).await?;
    /// # Ok(()) }
    /// ```
    pub async fn remove(&self, force: bool) -> Result<()> {
        let call = self
            .docker
            .raw()
            .node_delete()
            .id(&self.id)
            .force(force)
            .send();
        self.docker.call(call).await.map(drop)
    }
}

impl Model<NodeKind> {
    /// `manager` or `worker`.
    ///
    /// The integration test `swarm_services_tasks_nodes_secrets_configs_and_plugins` reads it.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let me = docker.nodes().get("self").await?;
    /// if me.role() == "manager" && me.availability() == "active" {
    ///     println!("this manager also runs tasks");
    /// }
    /// # Ok(()) }
    /// ```
    pub fn role(&self) -> String {
        self.spec_field("Role")
    }

    /// `active`, `pause` or `drain`.
    ///
    /// The integration test `swarm_services_tasks_nodes_secrets_configs_and_plugins` reads it.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// for node in docker.nodes().list().send().await? {
    ///     if node.availability() == "drain" {
    ///         node.update().availability("active").send().await?;
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub fn availability(&self) -> String {
        self.spec_field("Availability")
    }

    fn spec_field(&self, key: &str) -> String {
        let attrs = serde_json::to_value(&self.attrs).unwrap_or_default();
        attrs["Spec"][key].as_str().unwrap_or_default().to_string()
    }
}

/// Builder of `POST /nodes/{id}/update`.
pub struct UpdateNode<'a> {
    node: &'a NodeHandle,
    edits: Vec<super::Edit>,
}

impl std::fmt::Debug for UpdateNode<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UpdateNode")
            .field("node", &self.node.id)
            .finish_non_exhaustive()
    }
}

impl UpdateNode<'_> {
    fn edit(mut self, f: impl FnOnce(&mut Value) + Send + 'static) -> Self {
        self.edits.push(Box::new(f));
        self
    }

    /// Add or change a node label (`--label-add`).
    pub fn label(self, key: impl Into<String>, value: impl Into<String>) -> Self {
        let (key, value) = (key.into(), value.into());
        self.edit(move |spec| spec["Labels"][key] = value.into())
    }

    /// Remove a node label (`--label-rm`).
    pub fn remove_label(self, key: impl Into<String>) -> Self {
        let key = key.into();
        self.edit(move |spec| {
            if let Some(labels) = spec["Labels"].as_object_mut() {
                labels.remove(&key);
            }
        })
    }

    /// `active`, `pause` or `drain` (`--availability`).
    pub fn availability(self, availability: impl Into<String>) -> Self {
        let a = availability.into();
        self.edit(move |spec| spec["Availability"] = a.into())
    }

    /// `manager` or `worker` (`--role`).
    pub fn role(self, role: impl Into<String>) -> Self {
        let r = role.into();
        self.edit(move |spec| spec["Role"] = r.into())
    }

    /// Read the spec, apply the changes, send it back with its version index.
    ///
    /// Several settings together; the integration test
    /// `swarm_services_tasks_nodes_secrets_configs_and_plugins` updates a node.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let node = docker.nodes().handle("x3k9v0n1m2b4");
    /// node.update()
    ///     .label("zone", "eu-2")
    ///     .remove_label("legacy")
    ///     .availability("pause")
    ///     .role("worker")
    ///     .send()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<()> {
        let d = &self.node.docker;
        let id = &self.node.id;
        let send = |version, body: op::node_update::Body| {
            let call = d.raw().node_update().id(id).version(version).body(body);
            async move { d.call(call.send()).await.map(drop) }
        };
        update_versioned(|| NodeKind::inspect(d, id), self.edits, send).await
    }
}
