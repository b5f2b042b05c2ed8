//! Networks: the [`Networks`] collection (`docker.networks()`) and the [`Network`] model.

use std::collections::HashMap;

use crate::client::Docker;
use crate::error::Result;
use crate::filters::Filters;
use crate::models::model::{Handle, Kind, Model};
use crate::models::prune::{Prunable, Prune};
use crate::raw::types::op;

impl Docker {
    /// Networks: list, get, create, prune.
    pub fn networks(&self) -> Networks {
        Networks {
            docker: self.clone(),
        }
    }
}

/// `docker.networks()`.
#[derive(Clone, Debug)]
pub struct Networks {
    docker: Docker,
}

impl Networks {
    /// `docker network ls`: a builder; `.send()` lists in one request.
    pub fn list(&self) -> ListNetworks {
        ListNetworks {
            docker: self.docker.clone(),
            filters: Filters::default(),
        }
    }

    /// A network by id or name without inspecting it: its verbs (`remove`, `connect`).
    pub fn handle(&self, id_or_name: impl Into<String>) -> NetworkHandle {
        NetworkHandle::new(&self.docker, id_or_name.into())
    }

    /// Inspect a network by id or name.
    pub async fn get(&self, id_or_name: impl AsRef<str>) -> Result<Network> {
        Network::inspect(&self.docker, id_or_name.as_ref()).await
    }

    /// `docker network create NAME`: a builder.
    pub fn create(&self, name: impl Into<String>) -> CreateNetwork {
        CreateNetwork {
            docker: self.docker.clone(),
            body: op::network_create::Body {
                name: Some(name.into()),
                driver: "bridge".into(),
                ..Default::default()
            },
        }
    }

    /// `docker network prune`: remove unused networks.
    pub fn prune(&self) -> Prune<NetworkKind> {
        Prune::new(&self.docker)
    }
}

/// Builder of `POST /networks/create`.
#[derive(Debug)]
pub struct CreateNetwork {
    docker: Docker,
    body: op::network_create::Body,
}

impl CreateNetwork {
    /// Driver (default `bridge`).
    pub fn driver(mut self, driver: impl Into<String>) -> Self {
        self.body.driver = driver.into();
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

    /// A driver option (`com.docker.network.bridge.name`, ...).
    pub fn option(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.body
            .options
            .get_or_insert_with(HashMap::new)
            .insert(key.into(), value.into());
        self
    }

    /// No route to the outside (`--internal`).
    pub fn internal(mut self, yes: bool) -> Self {
        self.body.internal = Some(yes);
        self
    }

    /// A subnet, with its gateway if given (`--subnet`, `--gateway`).
    pub fn subnet(mut self, subnet: impl Into<String>, gateway: Option<&str>) -> Self {
        let ipam = self
            .body
            .ipam
            .get_or_insert_with(|| op::network_create::body::Ipam {
                driver: "default".into(),
                ..Default::default()
            });
        let mut config = serde_json::json!({ "Subnet": subnet.into() });
        if let Some(g) = gateway {
            config["Gateway"] = g.into();
        }
        ipam.config
            .get_or_insert_with(Vec::new)
            .push(crate::models::from_json(config));
        self
    }

    /// The generated body, for every other field.
    pub fn body_mut(&mut self) -> &mut op::network_create::Body {
        &mut self.body
    }

    /// Create it; the network, inspected.
    pub async fn send(self) -> Result<Network> {
        let created = self
            .docker
            .call(self.docker.raw().network_create().body(self.body).send())
            .await?;
        Network::inspect(&self.docker, created.id.as_deref().unwrap_or_default()).await
    }
}

/// Builder of `GET /networks`.
#[derive(Debug)]
pub struct ListNetworks {
    docker: Docker,
    filters: Filters,
}

impl ListNetworks {
    crate::models::filter_setters! {
        /// Only networks with this label (`key` or `key=value`).
        label => "label",
        /// Only networks whose name matches.
        name => "name",
    }

    /// Send the request. The entries are the list endpoint's (their `Containers` are empty:
    /// `get` a network to see them).
    pub async fn send(self) -> Result<Vec<Network>> {
        let mut call = self.docker.raw().network_list();
        if let Some(f) = self.filters.to_query() {
            call = call.filters(f);
        }
        let list = self.docker.call(call.send()).await?.unwrap_or_default();
        Ok(list
            .into_iter()
            .map(|attrs| Network::from_attrs(&self.docker, attrs, ""))
            .collect())
    }
}

/// The network kind of [`Model`].
#[derive(Debug)]
pub enum NetworkKind {}

impl Kind for NetworkKind {
    type Attrs = op::network_inspect::Response;
    const NAME: &'static str = "Network";

    async fn inspect(docker: &Docker, id: &str) -> Result<Self::Attrs> {
        docker
            .call(docker.raw().network_inspect().id(id).send())
            .await
    }

    fn id(attrs: &Self::Attrs) -> Option<&str> {
        attrs.id.as_deref()
    }

    fn labels(attrs: &Self::Attrs) -> Option<&HashMap<String, String>> {
        attrs.labels.as_ref()
    }
}

/// A network: its inspect answer ([`Model::attrs`]); it derefs to its [`NetworkHandle`],
/// which has the verbs.
pub type Network = Model<NetworkKind>;

/// A network by id or name, not inspected: the verbs.
pub type NetworkHandle = Handle<NetworkKind>;

impl Model<NetworkKind> {
    /// Name.
    pub fn name(&self) -> &str {
        self.attrs.name.as_deref().unwrap_or_default()
    }

    /// Ids of the containers connected, as of the last inspect.
    pub fn containers(&self) -> Vec<String> {
        self.attrs
            .containers
            .as_ref()
            .map(|c| c.keys().cloned().collect())
            .unwrap_or_default()
    }
}

impl Handle<NetworkKind> {
    /// `docker network connect`: a builder; `.alias(..)`, `.ipv4_address(..)`, ...
    pub fn connect(&self, container: impl Into<String>) -> Connect<'_> {
        Connect {
            network: self,
            container: container.into(),
            endpoint: op::network_connect::body::EndpointConfig::default(),
        }
    }

    /// `docker network disconnect`: a builder; `.force(true)`.
    pub fn disconnect(&self, container: impl Into<String>) -> Disconnect<'_> {
        Disconnect {
            network: self,
            container: container.into(),
            force: false,
        }
    }

    /// `docker network rm`.
    pub async fn remove(&self) -> Result<()> {
        self.docker
            .call(self.docker.raw().network_delete().id(self.id()).send())
            .await
    }
}

/// Builder of `docker network connect`.
#[derive(Debug)]
pub struct Connect<'a> {
    network: &'a NetworkHandle,
    container: String,
    endpoint: op::network_connect::body::EndpointConfig,
}

impl Connect<'_> {
    /// A name other containers on the network reach this one by.
    pub fn alias(mut self, alias: impl Into<String>) -> Self {
        self.endpoint
            .aliases
            .get_or_insert_with(Vec::new)
            .push(alias.into());
        self
    }

    /// A legacy link, `container[:alias]`.
    pub fn link(mut self, link: impl Into<String>) -> Self {
        self.endpoint
            .links
            .get_or_insert_with(Vec::new)
            .push(link.into());
        self
    }

    /// The endpoint settings, for everything the builder has no method for.
    pub fn endpoint_mut(&mut self) -> &mut op::network_connect::body::EndpointConfig {
        &mut self.endpoint
    }

    /// Connect.
    pub async fn send(self) -> Result<()> {
        let n = self.network;
        // `..Default::default()`: a newer spec may add fields.
        #[allow(clippy::needless_update)]
        let body = op::network_connect::Body {
            container: Some(self.container),
            endpoint_config: Some(self.endpoint),
            ..Default::default()
        };
        n.docker
            .call(
                n.docker
                    .raw()
                    .network_connect()
                    .id(n.id())
                    .body(body)
                    .send(),
            )
            .await
            .map(drop)
    }
}

/// Builder of `docker network disconnect`.
#[derive(Debug)]
pub struct Disconnect<'a> {
    network: &'a NetworkHandle,
    container: String,
    force: bool,
}

impl Disconnect<'_> {
    /// Disconnect even if the container is not running.
    pub fn force(mut self, yes: bool) -> Self {
        self.force = yes;
        self
    }

    /// Disconnect.
    pub async fn send(self) -> Result<()> {
        let n = self.network;
        // `..Default::default()`: a newer spec may add fields.
        #[allow(clippy::needless_update)]
        let body = op::network_disconnect::Body {
            container: Some(self.container),
            force: Some(self.force),
            ..Default::default()
        };
        n.docker
            .call(
                n.docker
                    .raw()
                    .network_disconnect()
                    .id(n.id())
                    .body(body)
                    .send(),
            )
            .await
            .map(drop)
    }
}

impl Prunable for NetworkKind {
    type Report = op::network_prune::Response;

    async fn prune(docker: &Docker, filters: Option<String>) -> Result<Self::Report> {
        let mut call = docker.raw().network_prune();
        if let Some(f) = filters {
            call = call.filters(f);
        }
        docker.call(call.send()).await
    }
}
