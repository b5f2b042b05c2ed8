//! Networks: the [`Networks`] collection (`docker.networks()`) and the [`Network`] model.

use std::collections::HashMap;

use crate::docker::Docker;
use crate::error::Result;
use crate::filters::Filters;
use crate::raw::types;

/// `docker.networks()`.
#[derive(Clone, Debug)]
pub struct Networks {
    docker: Docker,
}

impl Networks {
    pub(crate) fn new(docker: Docker) -> Networks {
        Networks { docker }
    }

    /// `docker network ls`, optionally filtered (`driver`, `label`, `name`, `type`, ...).
    pub async fn list(&self, filters: &Filters) -> Result<Vec<Network>> {
        let mut call = self.docker.raw().network_list();
        if let Some(f) = filters.to_query() {
            call = call.filters(f);
        }
        let list = self.docker.call(call.send()).await?.unwrap_or_default();
        Ok(list
            .into_iter()
            .map(|attrs| Network {
                docker: self.docker.clone(),
                attrs,
            })
            .collect())
    }

    /// Inspect a network by id or name.
    pub async fn get(&self, id_or_name: impl AsRef<str>) -> Result<Network> {
        Network::inspect(&self.docker, id_or_name.as_ref()).await
    }

    /// `docker network create NAME`: a builder.
    pub fn create(&self, name: impl Into<String>) -> CreateNetwork {
        CreateNetwork {
            docker: self.docker.clone(),
            body: types::NetworkCreateRequest {
                name: Some(name.into()),
                driver: "bridge".into(),
                ..Default::default()
            },
        }
    }

    /// `docker network prune`.
    pub async fn prune(&self, filters: &Filters) -> Result<types::NetworkPruneResponse> {
        let mut call = self.docker.raw().network_prune();
        if let Some(f) = filters.to_query() {
            call = call.filters(f);
        }
        self.docker.call(call.send()).await
    }
}

/// Builder of `POST /networks/create`.
#[derive(Debug)]
pub struct CreateNetwork {
    docker: Docker,
    body: types::NetworkCreateRequest,
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
        let ipam = self.body.ipam.get_or_insert_with(|| types::Ipam {
            driver: "default".into(),
            ..Default::default()
        });
        ipam.config
            .get_or_insert_with(Vec::new)
            .push(types::IpamConfig {
                subnet: Some(subnet.into()),
                gateway: gateway.map(str::to_string),
                ..Default::default()
            });
        self
    }

    /// The generated body, for every other field.
    pub fn body_mut(&mut self) -> &mut types::NetworkCreateRequest {
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

/// A network.
#[derive(Clone, Debug)]
pub struct Network {
    docker: Docker,
    attrs: types::Network,
}

impl Network {
    async fn inspect(docker: &Docker, id: &str) -> Result<Network> {
        let attrs = docker
            .call(docker.raw().network_inspect().id(id).send())
            .await?;
        Ok(Network {
            docker: docker.clone(),
            attrs,
        })
    }

    /// Id.
    pub fn id(&self) -> &str {
        self.attrs.id.as_deref().unwrap_or_default()
    }

    /// The first 12 characters of the id.
    pub fn short_id(&self) -> &str {
        crate::docker::short(self.id())
    }

    /// Name.
    pub fn name(&self) -> &str {
        self.attrs.name.as_deref().unwrap_or_default()
    }

    /// Labels.
    pub fn labels(&self) -> HashMap<String, String> {
        self.attrs.labels.clone().unwrap_or_default()
    }

    /// Ids of the containers attached (as of the last inspect).
    pub fn containers(&self) -> Vec<String> {
        self.attrs
            .containers
            .as_ref()
            .map(|c| c.keys().cloned().collect())
            .unwrap_or_default()
    }

    /// Everything `docker network inspect` shows.
    pub fn attrs(&self) -> &types::Network {
        &self.attrs
    }

    /// Inspect again.
    pub async fn reload(&mut self) -> Result<()> {
        *self = Network::inspect(&self.docker, self.id()).await?;
        Ok(())
    }

    /// `docker network connect`, with DNS aliases.
    pub async fn connect(&self, container: impl AsRef<str>, aliases: &[&str]) -> Result<()> {
        let body = types::NetworkConnectRequest {
            container: Some(container.as_ref().to_string()),
            endpoint_config: (!aliases.is_empty()).then(|| types::EndpointSettings {
                aliases: Some(aliases.iter().map(|a| a.to_string()).collect()),
                ..Default::default()
            }),
        };
        self.docker
            .call(
                self.docker
                    .raw()
                    .network_connect()
                    .id(self.id())
                    .body(body)
                    .send(),
            )
            .await
            .map(drop)
    }

    /// `docker network disconnect`.
    pub async fn disconnect(&self, container: impl AsRef<str>, force: bool) -> Result<()> {
        let body = types::NetworkDisconnectRequest {
            container: Some(container.as_ref().to_string()),
            force: Some(force),
        };
        self.docker
            .call(
                self.docker
                    .raw()
                    .network_disconnect()
                    .id(self.id())
                    .body(body)
                    .send(),
            )
            .await
            .map(drop)
    }

    /// `docker network rm`.
    pub async fn remove(&self) -> Result<()> {
        self.docker
            .call(self.docker.raw().network_delete().id(self.id()).send())
            .await
    }
}
