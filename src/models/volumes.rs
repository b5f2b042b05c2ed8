//! Volumes: the [`Volumes`] collection (`docker.volumes()`) and the [`Volume`] model.

use std::collections::HashMap;

use crate::client::Docker;
use crate::error::Result;
use crate::filters::Filters;
use crate::models::model::{Handle, Kind, Model};
use crate::models::prune::{Prunable, Prune};
use crate::raw::types::op;

impl Docker {
    /// Volumes: list, get, create, prune.
    pub fn volumes(&self) -> Volumes {
        Volumes {
            docker: self.clone(),
        }
    }
}

/// `docker.volumes()`.
#[derive(Clone, Debug)]
pub struct Volumes {
    docker: Docker,
}

impl Volumes {
    /// `docker volume ls`: a builder; `.send()` lists in one request.
    pub fn list(&self) -> ListVolumes {
        ListVolumes {
            docker: self.docker.clone(),
            filters: Filters::default(),
        }
    }

    /// A volume by name without inspecting it: its verbs (`remove`).
    pub fn handle(&self, name: impl Into<String>) -> VolumeHandle {
        VolumeHandle::new(&self.docker, name.into())
    }

    /// Inspect a volume by name.
    pub async fn get(&self, name: impl AsRef<str>) -> Result<Volume> {
        Volume::inspect(&self.docker, name.as_ref()).await
    }

    /// `docker volume create [NAME]`: a builder (no name: the daemon picks one).
    pub fn create(&self) -> CreateVolume {
        CreateVolume {
            docker: self.docker.clone(),
            body: op::volume_create::Body {
                driver: "local".into(),
                ..Default::default()
            },
        }
    }

    /// `docker volume prune`: remove unused anonymous volumes (`.filter("all", "true")` on API >= 1.42: named ones too).
    pub fn prune(&self) -> Prune<VolumeKind> {
        Prune::new(&self.docker)
    }
}

/// Builder of `POST /volumes/create`.
#[derive(Debug)]
pub struct CreateVolume {
    docker: Docker,
    body: op::volume_create::Body,
}

impl CreateVolume {
    /// Name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.body.name = Some(name.into());
        self
    }

    /// Driver (default `local`).
    pub fn driver(mut self, driver: impl Into<String>) -> Self {
        self.body.driver = driver.into();
        self
    }

    /// A driver option (`type`, `device`, `o` for the local driver).
    pub fn driver_opt(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.body
            .driver_opts
            .get_or_insert_with(HashMap::new)
            .insert(key.into(), value.into());
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

    /// Create it.
    pub async fn send(self) -> Result<Volume> {
        let attrs = self
            .docker
            .call(self.docker.raw().volume_create().body(self.body).send())
            .await?;
        Ok(Volume::from_attrs(&self.docker, attrs, ""))
    }
}

/// Builder of `GET /volumes`.
#[derive(Debug)]
pub struct ListVolumes {
    docker: Docker,
    filters: Filters,
}

impl ListVolumes {
    crate::models::filter_setters! {
        /// Only volumes with this label (`key` or `key=value`).
        label => "label",
        /// Only volumes whose name matches.
        name => "name",
    }

    /// Send the request.
    pub async fn send(self) -> Result<Vec<Volume>> {
        let mut call = self.docker.raw().volume_list();
        if let Some(f) = self.filters.to_query() {
            call = call.filters(f);
        }
        let list = self.docker.call(call.send()).await?;
        Ok(list
            .volumes
            .unwrap_or_default()
            .into_iter()
            .map(|attrs| Volume::from_attrs(&self.docker, attrs, ""))
            .collect())
    }
}

/// The volume kind of [`Model`]: a volume's id is its name.
#[derive(Debug)]
pub enum VolumeKind {}

impl Kind for VolumeKind {
    type Attrs = op::volume_inspect::Response;
    const NAME: &'static str = "Volume";

    async fn inspect(docker: &Docker, name: &str) -> Result<Self::Attrs> {
        docker
            .call(docker.raw().volume_inspect().name(name).send())
            .await
    }

    fn id(attrs: &Self::Attrs) -> Option<&str> {
        attrs.name.as_deref()
    }

    fn labels(attrs: &Self::Attrs) -> Option<&HashMap<String, String>> {
        attrs.labels.as_ref()
    }
}

/// A volume: its inspect answer ([`Model::attrs`]); it derefs to its [`VolumeHandle`],
/// which has the verbs.
pub type Volume = Model<VolumeKind>;

/// A volume by name, not inspected: the verbs.
pub type VolumeHandle = Handle<VolumeKind>;

impl Handle<VolumeKind> {
    /// Name (also its [`id`](Handle::id)).
    pub fn name(&self) -> &str {
        &self.id
    }
}

impl Model<VolumeKind> {
    /// Where the volume is on the host.
    pub fn mountpoint(&self) -> &str {
        self.attrs.mountpoint.as_deref().unwrap_or_default()
    }
}

impl Handle<VolumeKind> {
    /// `docker volume rm`: a builder; `.force(true)`.
    pub fn remove(&self) -> RemoveVolume<'_> {
        RemoveVolume {
            volume: self,
            force: false,
        }
    }
}

/// Builder of `docker volume rm`.
#[derive(Debug)]
pub struct RemoveVolume<'a> {
    volume: &'a VolumeHandle,
    force: bool,
}

impl RemoveVolume<'_> {
    /// Remove it even if it is in use.
    pub fn force(mut self, yes: bool) -> Self {
        self.force = yes;
        self
    }

    /// Remove it.
    pub async fn send(self) -> Result<()> {
        let v = self.volume;
        let call = v
            .docker
            .raw()
            .volume_delete()
            .name(v.name())
            .force(self.force);
        v.docker.call(call.send()).await
    }
}

impl Prunable for VolumeKind {
    type Report = op::volume_prune::Response;

    async fn prune(docker: &Docker, filters: Option<String>) -> Result<Self::Report> {
        let mut call = docker.raw().volume_prune();
        if let Some(f) = filters {
            call = call.filters(f);
        }
        docker.call(call.send()).await
    }
}
