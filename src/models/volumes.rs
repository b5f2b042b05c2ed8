//! Volumes: the [`Volumes`] collection (`docker.volumes()`) and the [`Volume`] model.

use std::collections::HashMap;

use crate::client::Docker;
use crate::error::Result;
use crate::filters::Filters;
use crate::models::model::{Answer, Handle, Kind, Model, list_models};
use crate::models::prune::{Prunable, Prune};
use crate::raw::types::op;

impl Docker {
    /// Volumes: list, get, create, prune.
    ///
    /// The integration test `a_volume_written_by_one_container_is_read_by_another` goes through it.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let data = docker.volumes().create().name("pgdata").send().await?;
    /// println!("{} at {}", data.name(), data.mountpoint());
    /// # Ok(()) }
    /// ```
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
    ///
    /// The integration test `a_volume_written_by_one_container_is_read_by_another` makes the same
    /// call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// for v in docker.volumes().list().label("backup=nightly").send().await? {
    ///     println!("{} {}", v.name(), v.mountpoint());
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list(&self) -> ListVolumes {
        ListVolumes {
            docker: self.docker.clone(),
            filters: Filters::default(),
        }
    }

    /// A volume by name without inspecting it: its verbs (`remove`).
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let scratch = docker.volumes().handle("scratch");
    /// scratch.remove().force(true).send().await?;
    /// # Ok(()) }
    /// ```
    pub fn handle(&self, name: impl Into<String>) -> VolumeHandle {
        VolumeHandle::new(&self.docker, name.into())
    }

    /// Inspect a volume by name.
    ///
    /// The integration test `a_volume_written_by_one_container_is_read_by_another` makes the same
    /// call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// match docker.volumes().get("pgdata").await {
    ///     Ok(v) => println!("{} is at {}", v.name(), v.mountpoint()),
    ///     Err(docker_engine::Error::NotFound { .. }) => println!("no volume pgdata yet"),
    ///     Err(e) => return Err(e),
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn get(&self, name: impl AsRef<str>) -> Result<Volume> {
        Volume::inspect(&self.docker, name.as_ref()).await
    }

    /// `docker volume create [NAME]`: a builder (no name: the daemon picks one).
    ///
    /// The integration test `a_volume_written_by_one_container_is_read_by_another` makes the same
    /// call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let anonymous = docker.volumes().create().send().await?;
    /// println!("the daemon named it {}", anonymous.name());
    /// # Ok(()) }
    /// ```
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
    ///
    /// The integration test `a_volume_written_by_one_container_is_read_by_another` makes the same
    /// call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let report = docker.volumes().prune().label("ci=true").send().await?;
    /// println!("reclaimed {} bytes", report.space_reclaimed.unwrap_or_default());
    /// # Ok(()) }
    /// ```
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
    ///
    /// Several settings together; the integration test
    /// `a_volume_written_by_one_container_is_read_by_another` creates a volume.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let tmp = docker
    ///     .volumes()
    ///     .create()
    ///     .name("build-cache")
    ///     .driver("local")
    ///     .driver_opt("type", "tmpfs")
    ///     .driver_opt("device", "tmpfs")
    ///     .driver_opt("o", "size=512m")
    ///     .label("team", "ci")
    ///     .send()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<Volume> {
        let c = self.docker.capture_whole();
        let (attrs, answer) = c
            .whole(c.raw().volume_create().body(self.body).send())
            .await?;
        Ok(Volume::from_answer(&self.docker, attrs, answer, ""))
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
    ///
    /// The integration test `a_volume_written_by_one_container_is_read_by_another` makes the same
    /// call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let volumes = docker.volumes().list().name("pg").label("backup").send().await?;
    /// println!("{} volumes", volumes.len());
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<Vec<Volume>> {
        let c = self.docker.capture_whole();
        let mut call = c.raw().volume_list();
        if let Some(f) = self.filters.to_query() {
            call = call.filters(f);
        }
        let (list, answer) = c.whole(call.send()).await?;
        let volumes = list.volumes.unwrap_or_default();
        list_models(&self.docker, volumes, &answer, Some("Volumes"))
    }
}

/// The volume kind of [`Model`]: a volume's id is its name.
#[derive(Debug)]
pub enum VolumeKind {}

impl Kind for VolumeKind {
    type Attrs = op::volume_inspect::Response;
    const NAME: &'static str = "Volume";

    async fn inspect(docker: &Docker, name: &str) -> Result<(Self::Attrs, Answer)> {
        let c = docker.capture_whole();
        c.whole(c.raw().volume_inspect().name(name).send()).await
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
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let v = docker.volumes().get("pgdata").await?;
    /// println!("{} ({:?})", v.name(), v.labels());
    /// # Ok(()) }
    /// ```
    pub fn name(&self) -> &str {
        &self.id
    }
}

impl Model<VolumeKind> {
    /// Where the volume is on the host.
    ///
    /// The integration test `a_volume_written_by_one_container_is_read_by_another` reads it.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let v = docker.volumes().get("pgdata").await?;
    /// println!("{}", v.mountpoint()); // /var/lib/docker/volumes/pgdata/_data
    /// # Ok(()) }
    /// ```
    pub fn mountpoint(&self) -> &str {
        self.attrs.mountpoint.as_deref().unwrap_or_default()
    }
}

impl Handle<VolumeKind> {
    /// `docker volume rm`: a builder; `.force(true)`.
    ///
    /// The integration test `a_volume_written_by_one_container_is_read_by_another` makes the same
    /// call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let v = docker.volumes().get("scratch").await?;
    /// v.remove().send().await?;
    /// # Ok(()) }
    /// ```
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
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// match docker.volumes().handle("pgdata").remove().force(false).send().await {
    ///     Ok(()) => println!("removed"),
    ///     Err(docker_engine::Error::Conflict { message, .. }) => println!("in use: {message}"),
    ///     Err(e) => return Err(e),
    /// }
    /// # Ok(()) }
    /// ```
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
