//! The rest of [`Container`]'s operations: files, changes, commit, and `run()`.

use bytes::Bytes;
use futures_core::Stream;
use futures_util::TryStreamExt;
use serde::Deserialize;

use super::{Container, ContainerHandle, CreateContainer};
use crate::error::{Error, Result};
use crate::models::images::Image;
use crate::raw::types::op;

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

fn path_stat(headers: &http::HeaderMap) -> Result<PathStat> {
    use base64::Engine as _;
    let header = headers
        .get("x-docker-container-path-stat")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| Error::Decode {
            message: "no X-Docker-Container-Path-Stat header".into(),
            source: None,
        })?;
    let json = base64::engine::general_purpose::STANDARD
        .decode(header)
        .map_err(|e| Error::decode("the path stat header is not base64", e))?;
    serde_json::from_slice(&json).map_err(|e| Error::decode("the path stat header", e))
}

impl ContainerHandle {
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
    pub async fn diff(&self) -> Result<Vec<op::container_changes::Item>> {
        Ok(self
            .docker
            .call(self.docker.raw().container_changes().id(&self.id).send())
            .await?
            .unwrap_or_default())
    }

    /// `docker update`: change resources and the restart policy of a container.
    pub async fn update(&self, body: op::container_update::Body) -> Result<Vec<String>> {
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

    /// `docker commit`: a builder for a new image from the container's filesystem.
    pub fn commit(&self) -> Commit<'_> {
        Commit {
            container: self,
            repo: None,
            tag: None,
            comment: None,
            author: None,
            pause: None,
            changes: None,
        }
    }

    /// `docker export`: the filesystem as a tar stream. Nothing is sent until it is first
    /// polled.
    #[inline]
    pub fn export(&self) -> impl Stream<Item = Result<Bytes>> + Send + 'static + use<> {
        let docker = self.docker.clone();
        let id = self.id.clone();
        futures_util::stream::once(async move {
            let capture = docker.capture_stream();
            let call = capture.raw().container_export().id(id).send();
            Ok::<_, Error>(capture.stream(call).await?.body)
        })
        .try_flatten()
    }

    /// `docker cp CONTAINER:PATH -`: the path's stat and a tar stream of it.
    pub async fn get_archive(
        &self,
        path: &str,
    ) -> Result<(
        PathStat,
        impl Stream<Item = Result<Bytes>> + Send + 'static + use<>,
    )> {
        let capture = self.docker.capture_stream();
        let call = capture
            .raw()
            .container_archive()
            .id(&self.id)
            .path(path)
            .send();
        let response = capture.stream(call).await?;
        Ok((path_stat(&response.headers)?, response.body))
    }

    /// Stat a path in the container without reading it.
    pub async fn stat_path(&self, path: &str) -> Result<PathStat> {
        let capture = self.docker.capture_stream();
        let call = capture
            .raw()
            .container_archive_info()
            .id(&self.id)
            .path(path)
            .send();
        path_stat(&capture.stream(call).await?.headers)
    }

    /// `docker cp - CONTAINER:DIR`: extract a tar stream into a directory of the container.
    pub async fn put_archive<S>(&self, dir: &str, tar: S) -> Result<()>
    where
        S: Stream<Item = std::io::Result<Bytes>> + Send + 'static,
    {
        let capture = self.docker.capture_stream();
        let call = capture
            .raw()
            .put_container_archive()
            .id(&self.id)
            .path(dir)
            .body(reqwest::Body::wrap_stream(tar))
            .send();
        capture.stream(call).await.map(drop)
    }
}

impl Container {
    /// `docker port CONTAINER PRIVATE`: host addresses of a published port (`"80/tcp"`),
    /// as of the last inspect.
    pub fn port(&self, private: &str) -> Vec<(String, String)> {
        let key = if private.contains('/') {
            private.to_string()
        } else {
            format!("{private}/tcp")
        };
        self.attrs
            .network_settings
            .as_ref()
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
            c.remove().force(true).send().await?;
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

/// Builder of `docker commit`.
#[derive(Debug)]
pub struct Commit<'a> {
    container: &'a ContainerHandle,
    repo: Option<String>,
    tag: Option<String>,
    comment: Option<String>,
    author: Option<String>,
    pause: Option<bool>,
    changes: Option<String>,
}

impl Commit<'_> {
    /// The repository of the new image (`name` of `name:tag`).
    pub fn repo(mut self, repo: impl Into<String>) -> Self {
        self.repo = Some(repo.into());
        self
    }

    /// The tag of the new image.
    pub fn tag(mut self, tag: impl Into<String>) -> Self {
        self.tag = Some(tag.into());
        self
    }

    /// The commit message.
    pub fn comment(mut self, comment: impl Into<String>) -> Self {
        self.comment = Some(comment.into());
        self
    }

    /// The author (`Name <email>`).
    pub fn author(mut self, author: impl Into<String>) -> Self {
        self.author = Some(author.into());
        self
    }

    /// Pause the container while committing (the daemon's default is to pause).
    pub fn pause(mut self, yes: bool) -> Self {
        self.pause = Some(yes);
        self
    }

    /// Dockerfile instructions to apply, one per line (`CMD ["sh"]\nENV A=1`).
    pub fn changes(mut self, changes: impl Into<String>) -> Self {
        self.changes = Some(changes.into());
        self
    }

    /// Commit; the new image, inspected.
    pub async fn send(self) -> Result<Image> {
        let c = self.container;
        let mut call = c
            .docker
            .raw()
            .image_commit()
            .container(c.id.as_str())
            .body(op::image_commit::Body::default());
        if let Some(v) = self.repo {
            call = call.repo(v);
        }
        if let Some(v) = self.tag {
            call = call.tag(v);
        }
        if let Some(v) = self.comment {
            call = call.comment(v);
        }
        if let Some(v) = self.author {
            call = call.author(v);
        }
        if let Some(v) = self.pause {
            call = call.pause(v);
        }
        if let Some(v) = self.changes {
            call = call.changes(v);
        }
        let id = c.docker.call(call.send()).await?.id.unwrap_or_default();
        c.docker.images().get(id).await
    }
}
