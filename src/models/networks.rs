//! Networks: the [`Networks`] collection (`docker.networks()`) and the [`Network`] model.

use std::collections::HashMap;

use crate::client::Docker;
use crate::error::Result;
use crate::filters::Filters;
use crate::models::model::{Answer, Handle, Kind, Model, list_models};
use crate::models::prune::{Prunable, Prune};
use crate::raw::types::op;
use crate::version::ApiVersion;

impl Docker {
    /// Networks: list, get, create, prune.
    ///
    /// The integration test `network_lifecycle_connect_and_dns_aliases` goes through it.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let net = docker.networks().create("backend").send().await?;
    /// net.connect("web").alias("api").send().await?;
    /// # Ok(()) }
    /// ```
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
    ///
    /// The integration test `network_lifecycle_connect_and_dns_aliases` makes the same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// for net in docker.networks().list().label("project=shop").send().await? {
    ///     println!("{} {}", net.short_id(), net.name());
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list(&self) -> ListNetworks {
        ListNetworks {
            docker: self.docker.clone(),
            filters: Filters::default(),
            greedy: false,
        }
    }

    /// A network by id or name without inspecting it: its verbs (`remove`, `connect`).
    ///
    /// The integration test `networks_list_greedy_and_connect_with_addresses` uses a handle.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let backend = docker.networks().handle("backend");
    /// backend.disconnect("web").force(true).send().await?;
    /// backend.remove().await?;
    /// # Ok(()) }
    /// ```
    pub fn handle(&self, id_or_name: impl Into<String>) -> NetworkHandle {
        NetworkHandle::new(&self.docker, id_or_name.into())
    }

    /// Inspect a network by id or name.
    ///
    /// The integration test `network_lifecycle_connect_and_dns_aliases` makes the same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// match docker.networks().get("backend").await {
    ///     Ok(net) => println!("{} has {} containers", net.name(), net.containers().len()),
    ///     Err(docker_engine::Error::NotFound { .. }) => println!("no network named backend"),
    ///     Err(e) => return Err(e),
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn get(&self, id_or_name: impl AsRef<str>) -> Result<Network> {
        Network::inspect(&self.docker, id_or_name.as_ref()).await
    }

    /// `docker network create NAME`: a builder.
    ///
    /// The integration test `network_lifecycle_connect_and_dns_aliases` makes the same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let net = docker.networks().create("backend").internal(true).send().await?;
    /// println!("created {} ({})", net.name(), net.short_id());
    /// # Ok(()) }
    /// ```
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
    ///
    /// The integration test `network_lifecycle_connect_and_dns_aliases` makes the same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let report = docker.networks().prune().label("ci=true").send().await?;
    /// println!("removed {:?}", report.networks_deleted.unwrap_or_default());
    /// # Ok(()) }
    /// ```
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
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let mut create = docker.networks().create("v6net");
    /// create.body_mut().attachable = Some(true);
    /// let net = create.send().await?;
    /// # Ok(()) }
    /// ```
    pub fn body_mut(&mut self) -> &mut op::network_create::Body {
        &mut self.body
    }

    /// Create it; the network, inspected.
    ///
    /// Several settings together; the integration test
    /// `networks_list_greedy_and_connect_with_addresses` creates a network with a subnet.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let net = docker
    ///     .networks()
    ///     .create("backend")
    ///     .driver("bridge")
    ///     .subnet("10.20.0.0/24", Some("10.20.0.1"))
    ///     .option("com.docker.network.bridge.name", "br-backend")
    ///     .label("project", "shop")
    ///     .send()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<Network> {
        let d = &self.docker;
        // Before API 1.44 a daemon creates a second network of a name in use unless asked
        // to check (`CheckDuplicate`, which the docker CLI sends to those daemons and API
        // 1.44 dropped): a name in use is a conflict on every engine
        // (`a_network_name_in_use_is_a_conflict_on_every_engine`).
        let raw = if d.api_version().await? < ApiVersion::new(1, 44) {
            let mut fields = serde_json::Map::new();
            fields.insert("CheckDuplicate".into(), true.into());
            d.raw_with_body_fields(fields)
        } else {
            d.raw().clone()
        };
        let created = d.call(raw.network_create().body(self.body).send()).await?;
        Network::inspect(&self.docker, created.id.as_deref().unwrap_or_default()).await
    }
}

/// Builder of `GET /networks`.
#[derive(Debug)]
pub struct ListNetworks {
    docker: Docker,
    filters: Filters,
    greedy: bool,
}

impl ListNetworks {
    /// Inspect each network too (docker-py's `greedy=True`), so that
    /// [`Network::containers`] lists the containers connected to it; one more request
    /// per network. Proven by `networks_list_greedy_and_connect_with_addresses`.
    pub fn greedy(mut self, yes: bool) -> Self {
        self.greedy = yes;
        self
    }

    crate::models::filter_setters! {
        /// Only networks with this label (`key` or `key=value`).
        label => "label",
        /// Only networks whose name matches.
        name => "name",
    }

    /// Send the request. The entries are the list endpoint's (their `Containers` are empty
    /// unless [`greedy`](ListNetworks::greedy)).
    ///
    /// The integration test `networks_list_greedy_and_connect_with_addresses` makes the same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let networks = docker.networks().list().name("backend").greedy(true).send().await?;
    /// for net in networks {
    ///     println!("{}: {:?}", net.name(), net.containers());
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<Vec<Network>> {
        let c = self.docker.capture_whole();
        let mut call = c.raw().network_list();
        if let Some(f) = self.filters.to_query() {
            call = call.filters(f);
        }
        let (list, answer) = c.whole(call.send()).await?;
        let mut networks = list_models(&self.docker, list.unwrap_or_default(), &answer, None)?;
        if self.greedy {
            let inspected = futures_util::future::join_all(
                networks
                    .iter()
                    .map(|n| Network::inspect(&self.docker, n.id())),
            )
            .await;
            networks = inspected.into_iter().collect::<Result<_>>()?;
        }
        Ok(networks)
    }
}

/// The network kind of [`Model`].
#[derive(Debug)]
pub enum NetworkKind {}

impl Kind for NetworkKind {
    type Attrs = op::network_inspect::Response;
    const NAME: &'static str = "Network";

    async fn inspect(docker: &Docker, id: &str) -> Result<(Self::Attrs, Answer)> {
        let c = docker.capture_whole();
        c.whole(c.raw().network_inspect().id(id).send()).await
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
    ///
    /// The integration test `network_lifecycle_connect_and_dns_aliases` reads it.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let net = docker.networks().get("bridge").await?;
    /// println!("{} ({}) {:?}", net.name(), net.short_id(), net.labels());
    /// # Ok(()) }
    /// ```
    pub fn name(&self) -> &str {
        self.attrs.name.as_deref().unwrap_or_default()
    }

    /// Ids of the containers connected, as of the last inspect.
    ///
    /// The integration test `networks_list_greedy_and_connect_with_addresses` reads them.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let net = docker.networks().get("backend").await?;
    /// for id in net.containers() {
    ///     println!("{}", docker.containers().get(&id).await?.name());
    /// }
    /// # Ok(()) }
    /// ```
    pub fn containers(&self) -> Vec<String> {
        self.attrs
            .containers
            .as_ref()
            .map(|c| c.keys().cloned().collect())
            .unwrap_or_default()
    }
}

impl Handle<NetworkKind> {
    /// `docker network connect`: a builder; `.alias(..)`, `.link(..)`, `.ipv4_address(..)`,
    /// `.ipv6_address(..)`, `.link_local_ip(..)`, `.driver_opt(..)`.
    ///
    /// The integration test `network_lifecycle_connect_and_dns_aliases` makes the same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let net = docker.networks().handle("backend");
    /// net.connect("web").alias("api").alias("web.backend").send().await?;
    /// # Ok(()) }
    /// ```
    pub fn connect(&self, container: impl Into<String>) -> Connect<'_> {
        Connect {
            network: self,
            container: container.into(),
            endpoint: op::network_connect::body::EndpointConfig::default(),
        }
    }

    /// `docker network disconnect`: a builder; `.force(true)`.
    ///
    /// The integration test `network_lifecycle_connect_and_dns_aliases` makes the same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// docker.networks().handle("backend").disconnect("web").send().await?;
    /// # Ok(()) }
    /// ```
    pub fn disconnect(&self, container: impl Into<String>) -> Disconnect<'_> {
        Disconnect {
            network: self,
            container: container.into(),
            force: false,
        }
    }

    /// `docker network rm`.
    ///
    /// The integration test `network_lifecycle_connect_and_dns_aliases` makes the same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// match docker.networks().handle("backend").remove().await {
    ///     Ok(()) | Err(docker_engine::Error::NotFound { .. }) => {}
    ///     Err(e) => return Err(e),
    /// }
    /// # Ok(()) }
    /// ```
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

    /// The container's IPv4 address on this network (a network created with a subnet).
    pub fn ipv4_address(mut self, address: impl Into<String>) -> Self {
        self.ipam().i_pv4_address = Some(address.into());
        self
    }

    /// The container's IPv6 address on this network.
    pub fn ipv6_address(mut self, address: impl Into<String>) -> Self {
        self.ipam().i_pv6_address = Some(address.into());
        self
    }

    /// A link-local address for the container on this network.
    ///
    /// The integration test `networks_list_greedy_and_connect_with_addresses` makes the same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// docker
    ///     .networks()
    ///     .handle("backend")
    ///     .connect("web")
    ///     .ipv4_address("10.10.0.20")
    ///     .link_local_ip("169.254.10.20")
    ///     .send()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn link_local_ip(mut self, address: impl Into<String>) -> Self {
        self.ipam()
            .link_local_i_ps
            .get_or_insert_with(Vec::new)
            .push(address.into());
        self
    }

    /// An option for the network driver on this endpoint (`docker network connect
    /// --driver-opt`).
    pub fn driver_opt(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.endpoint
            .driver_opts
            .get_or_insert_with(Default::default)
            .insert(key.into(), value.into());
        self
    }

    fn ipam(&mut self) -> &mut op::network_connect::body::endpoint_config::IpamConfig {
        self.endpoint
            .ipam_config
            .get_or_insert_with(Default::default)
    }

    /// The endpoint settings, for everything the builder has no method for.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let net = docker.networks().handle("backend");
    /// let mut connect = net.connect("web");
    /// connect.endpoint_mut().gw_priority = Some(10);
    /// connect.send().await?;
    /// # Ok(()) }
    /// ```
    pub fn endpoint_mut(&mut self) -> &mut op::network_connect::body::EndpointConfig {
        &mut self.endpoint
    }

    /// Connect.
    ///
    /// Several settings together, as the integration test
    /// `networks_list_greedy_and_connect_with_addresses` sends them.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// docker
    ///     .networks()
    ///     .handle("backend")
    ///     .connect("web")
    ///     .alias("api")
    ///     .ipv4_address("10.20.0.10")
    ///     .link("db:database")
    ///     .driver_opt("com.docker.network.endpoint.ifname", "eth-backend")
    ///     .send()
    ///     .await?;
    /// # Ok(()) }
    /// ```
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
    ///
    /// The integration test `networks_list_greedy_and_connect_with_addresses` makes the same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// docker.networks().handle("backend").disconnect("stopped-job").force(true).send().await?;
    /// # Ok(()) }
    /// ```
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
