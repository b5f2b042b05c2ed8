//! Nodes: the [`Nodes`] collection (`docker.nodes()`) and the [`Node`] model.

use std::collections::HashMap;

use serde_json::Value;

use super::edited;
use crate::client::Docker;
use crate::error::Result;
use crate::filters::Filters;
use crate::models::model::{Handle, Kind, Model};
use crate::raw::types::op;

impl Docker {
    /// The nodes of the swarm: list, get, update, remove (a manager answers).
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
    pub fn list(&self) -> ListNodes {
        ListNodes {
            docker: self.docker.clone(),
            filters: Filters::default(),
        }
    }

    /// Inspect a node by id or hostname (`self` for this one).
    pub async fn get(&self, id: impl AsRef<str>) -> Result<Node> {
        Node::inspect(&self.docker, id.as_ref()).await
    }

    /// A node by id, not inspected: its verbs.
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
    pub async fn send(self) -> Result<Vec<Node>> {
        let mut call = self.docker.raw().node_list();
        if let Some(f) = self.filters.to_query() {
            call = call.filters(f);
        }
        let list = self.docker.call(call.send()).await?;
        Ok(op::node_list::items(list)
            .into_iter()
            .map(|attrs| Node::from_attrs(&self.docker, attrs, ""))
            .collect())
    }
}

/// The node kind of [`Model`].
#[derive(Debug)]
pub enum NodeKind {}

impl Kind for NodeKind {
    type Attrs = op::node_inspect::Response;
    const NAME: &'static str = "Node";

    async fn inspect(docker: &Docker, id: &str) -> Result<Self::Attrs> {
        docker.call(docker.raw().node_inspect().id(id).send()).await
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
    pub fn update(&self) -> UpdateNode<'_> {
        UpdateNode {
            node: self,
            edits: Vec::new(),
        }
    }

    /// `docker node rm`; `force` removes a node that is still up.
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
    pub fn role(&self) -> String {
        self.spec_field("Role")
    }

    /// `active`, `pause` or `drain`.
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
    pub async fn send(self) -> Result<()> {
        let d = &self.node.docker;
        let current = NodeKind::inspect(d, &self.node.id).await?;
        let (version, body): (_, op::node_update::Body) = edited(&current, self.edits)?;
        let call = d
            .raw()
            .node_update()
            .id(&self.node.id)
            .version(version)
            .body(body);
        d.call(call.send()).await.map(drop)
    }
}
