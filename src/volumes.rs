//! Volumes: the [`Volumes`] collection (`docker.volumes()`) and the [`Volume`] model.

use std::collections::HashMap;

use crate::docker::Docker;
use crate::error::Result;
use crate::filters::Filters;
use crate::raw::types;

/// `docker.volumes()`.
#[derive(Clone, Debug)]
pub struct Volumes {
    docker: Docker,
}

impl Volumes {
    pub(crate) fn new(docker: Docker) -> Volumes {
        Volumes { docker }
    }

    /// `docker volume ls`, optionally filtered (`dangling`, `driver`, `label`, `name`).
    pub async fn list(&self, filters: &Filters) -> Result<Vec<Volume>> {
        let mut call = self.docker.raw().volume_list();
        if let Some(f) = filters.to_query() {
            call = call.filters(f);
        }
        let list = self.docker.call(call.send()).await?;
        Ok(list
            .volumes
            .unwrap_or_default()
            .into_iter()
            .map(|attrs| Volume {
                docker: self.docker.clone(),
                attrs,
            })
            .collect())
    }

    /// Inspect a volume by name.
    pub async fn get(&self, name: impl AsRef<str>) -> Result<Volume> {
        Volume::inspect(&self.docker, name.as_ref()).await
    }

    /// `docker volume create [NAME]`: a builder (no name: the daemon picks one).
    pub fn create(&self) -> CreateVolume {
        CreateVolume {
            docker: self.docker.clone(),
            body: types::VolumeCreateOptions {
                driver: "local".into(),
                ..Default::default()
            },
        }
    }

    /// `docker volume prune`.
    pub async fn prune(&self, filters: &Filters) -> Result<types::VolumePruneResponse> {
        let mut call = self.docker.raw().volume_prune();
        if let Some(f) = filters.to_query() {
            call = call.filters(f);
        }
        self.docker.call(call.send()).await
    }
}

/// Builder of `POST /volumes/create`.
#[derive(Debug)]
pub struct CreateVolume {
    docker: Docker,
    body: types::VolumeCreateOptions,
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
        Ok(Volume {
            docker: self.docker,
            attrs,
        })
    }
}

/// A volume.
#[derive(Clone, Debug)]
pub struct Volume {
    docker: Docker,
    attrs: types::Volume,
}

impl Volume {
    async fn inspect(docker: &Docker, name: &str) -> Result<Volume> {
        let attrs = docker
            .call(docker.raw().volume_inspect().name(name).send())
            .await?;
        Ok(Volume {
            docker: docker.clone(),
            attrs,
        })
    }

    /// Name (a volume's id).
    pub fn name(&self) -> &str {
        self.attrs.name.as_deref().unwrap_or_default()
    }

    /// Same as [`name`](Self::name), as docker-py has it.
    pub fn id(&self) -> &str {
        self.name()
    }

    /// Labels.
    pub fn labels(&self) -> HashMap<String, String> {
        self.attrs.labels.clone().unwrap_or_default()
    }

    /// Where the volume lives on the host.
    pub fn mountpoint(&self) -> &str {
        self.attrs.mountpoint.as_deref().unwrap_or_default()
    }

    /// Everything `docker volume inspect` shows.
    pub fn attrs(&self) -> &types::Volume {
        &self.attrs
    }

    /// Inspect again.
    pub async fn reload(&mut self) -> Result<()> {
        *self = Volume::inspect(&self.docker, self.name()).await?;
        Ok(())
    }

    /// `docker volume rm`.
    pub async fn remove(&self, force: bool) -> Result<()> {
        self.docker
            .call(
                self.docker
                    .raw()
                    .volume_delete()
                    .name(self.name())
                    .force(force)
                    .send(),
            )
            .await
    }
}
