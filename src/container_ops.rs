//! The rest of [`Container`]'s operations: lifecycle, files, commit, and `run()`.

use bytes::Bytes;
use futures_core::Stream;
use futures_util::TryStreamExt;
use serde::Deserialize;

use crate::containers::{Container, CreateContainer};
use crate::docker::segment;
use crate::error::{Error, Result};
use crate::images::Image;
use crate::raw::types;

/// What `X-Docker-Container-Path-Stat` says about a path in a container.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct PathStat {
    /// Base name.
    pub name: String,
    /// Size in bytes.
    pub size: i64,
    /// Go's `os.FileMode` bits (type bits in the high bits, permissions in the low 9).
    pub mode: u32,
    /// Modification time, RFC 3339.
    pub mtime: String,
    /// Target of a symlink, empty otherwise.
    #[serde(rename = "linkTarget", default)]
    pub link_target: String,
}

fn path_stat(response: &reqwest::Response) -> Result<PathStat> {
    use base64::Engine as _;
    let header = response
        .headers()
        .get("x-docker-container-path-stat")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| Error::Decode {
            message: "no X-Docker-Container-Path-Stat header".into(),
        })?;
    let json = base64::engine::general_purpose::STANDARD
        .decode(header)
        .map_err(|e| Error::Decode {
            message: format!("path stat header is not base64: {e}"),
        })?;
    serde_json::from_slice(&json).map_err(|e| Error::Decode {
        message: format!("path stat header: {e}"),
    })
}

impl Container {
    /// `docker restart`.
    pub async fn restart(&self, timeout_secs: Option<i64>) -> Result<()> {
        let mut call = self.docker.raw().container_restart().id(&self.id);
        if let Some(t) = timeout_secs {
            call = call.t(t);
        }
        self.docker.call(call.send()).await
    }

    /// `docker pause`.
    pub async fn pause(&self) -> Result<()> {
        self.docker
            .call(self.docker.raw().container_pause().id(&self.id).send())
            .await
    }

    /// `docker unpause`.
    pub async fn unpause(&self) -> Result<()> {
        self.docker
            .call(self.docker.raw().container_unpause().id(&self.id).send())
            .await
    }

    /// `docker rename`.
    pub async fn rename(&self, name: impl AsRef<str>) -> Result<()> {
        self.docker
            .call(
                self.docker
                    .raw()
                    .container_rename()
                    .id(&self.id)
                    .name(name.as_ref())
                    .send(),
            )
            .await
    }

    /// `docker diff`: changed paths of the container's filesystem.
    pub async fn diff(&self) -> Result<Vec<types::FilesystemChange>> {
        Ok(self
            .docker
            .call(self.docker.raw().container_changes().id(&self.id).send())
            .await?
            .unwrap_or_default())
    }

    /// `docker update`: change resources and the restart policy of a container.
    pub async fn update(&self, body: types::ContainerUpdateBody) -> Result<Vec<String>> {
        let r = self
            .docker
            .call(
                self.docker
                    .raw()
                    .container_update()
                    .id(&self.id)
                    .body(body)
                    .send(),
            )
            .await?;
        Ok(r.warnings.unwrap_or_default())
    }

    /// Resize the container's TTY.
    pub async fn resize(&self, width: u16, height: u16) -> Result<()> {
        let call = self
            .docker
            .raw()
            .container_resize()
            .id(&self.id)
            .w(i64::from(width))
            .h(i64::from(height));
        self.docker.call(call.send()).await.map(drop)
    }

    /// `docker commit`: a new image from the container's filesystem.
    pub async fn commit(
        &self,
        repo: Option<&str>,
        tag: Option<&str>,
        comment: Option<&str>,
    ) -> Result<Image> {
        let mut call = self
            .docker
            .raw()
            .image_commit()
            .container(self.id.as_str())
            .body(types::ContainerConfig::default());
        if let Some(r) = repo {
            call = call.repo(r);
        }
        if let Some(t) = tag {
            call = call.tag(t);
        }
        if let Some(c) = comment {
            call = call.comment(c);
        }
        let id = self.docker.call(call.send()).await?.id.unwrap_or_default();
        self.docker.images().get(id).await
    }

    /// `docker export`: the filesystem as a tar stream.
    pub fn export(&self) -> impl Stream<Item = Result<Bytes>> + Send + 'static + use<> {
        let docker = self.docker.clone();
        let id = self.id.clone();
        futures_util::stream::once(async move {
            let path = format!("/containers/{}/export", segment(&id)?);
            let response = docker
                .request(reqwest::Method::GET, &path, &[], |r| r)
                .await?;
            Ok::<_, Error>(docker.body_stream(response))
        })
        .try_flatten()
    }

    /// `docker cp CONTAINER:PATH -`: the path's stat and a tar stream of it.
    pub async fn get_archive(
        &self,
        path: &str,
    ) -> Result<(PathStat, impl Stream<Item = Result<Bytes>> + Send + 'static)> {
        let url = format!("/containers/{}/archive", segment(&self.id)?);
        let response = self
            .docker
            .request(
                reqwest::Method::GET,
                &url,
                &[("path", path.to_string())],
                |r| r,
            )
            .await?;
        let stat = path_stat(&response)?;
        Ok((stat, self.docker.body_stream(response)))
    }

    /// Stat a path in the container without reading it.
    pub async fn stat_path(&self, path: &str) -> Result<PathStat> {
        let url = format!("/containers/{}/archive", segment(&self.id)?);
        let response = self
            .docker
            .request(
                reqwest::Method::HEAD,
                &url,
                &[("path", path.to_string())],
                |r| r,
            )
            .await?;
        path_stat(&response)
    }

    /// `docker cp - CONTAINER:DIR`: extract a tar stream into a directory of the container.
    pub async fn put_archive<S>(&self, dir: &str, tar: S) -> Result<()>
    where
        S: Stream<Item = std::io::Result<Bytes>> + Send + 'static,
    {
        let url = format!("/containers/{}/archive", segment(&self.id)?);
        let body = reqwest::Body::wrap_stream(tar);
        self.docker
            .request(
                reqwest::Method::PUT,
                &url,
                &[("path", dir.to_string())],
                |r| {
                    r.header(reqwest::header::CONTENT_TYPE, "application/x-tar")
                        .body(body)
                },
            )
            .await
            .map(drop)
    }

    /// `docker port CONTAINER PRIVATE`: host addresses of a published port (`"80/tcp"`),
    /// as of the last inspect.
    pub fn port(&self, private: &str) -> Vec<(String, String)> {
        let key = if private.contains('/') {
            private.to_string()
        } else {
            format!("{private}/tcp")
        };
        self.attrs
            .as_ref()
            .and_then(|a| a.network_settings.as_ref())
            .and_then(|n| n.ports.as_ref())
            .and_then(|p| p.0.as_ref())
            .and_then(|m| m.get(&key).cloned().flatten())
            .unwrap_or_default()
            .into_iter()
            .map(|b| {
                (
                    b.host_ip.unwrap_or_default(),
                    b.host_port.unwrap_or_default(),
                )
            })
            .collect()
    }
}

impl CreateContainer {
    /// docker-py's `containers.run(detach=True)`: create and start; the container.
    pub async fn detach(self) -> Result<Container> {
        let c = self.send().await?;
        c.start().await?;
        Ok(c)
    }

    /// docker-py's `containers.run()`: create, start, wait, collect; the container's
    /// stdout, or [`Error::ContainerFailed`] with the exit code and stderr. The container
    /// is removed afterwards when `remove` is true (its volumes are kept, as docker-py does).
    pub async fn run(self, remove: bool) -> Result<Vec<u8>> {
        let c = self.send().await?;
        let outcome = async {
            c.start().await?;
            let code = c.wait().await?;
            let (stdout, stderr) = c.logs().stream().collect_output().await?;
            Ok::<_, Error>((code, stdout, stderr))
        }
        .await;
        if remove {
            c.remove(true, false).await?;
        }
        let (code, stdout, stderr) = outcome?;
        if code != 0 {
            return Err(Error::ContainerFailed {
                id: c.id().to_string(),
                exit_code: code,
                stderr: String::from_utf8_lossy(&stderr).into_owned(),
            });
        }
        Ok(stdout)
    }
}
