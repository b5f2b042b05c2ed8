//! The rest of [`Container`]'s operations: files, changes, commit.

use bytes::Bytes;
use futures_core::Stream;
use futures_util::TryStreamExt;
use serde::Deserialize;

use super::{Container, ContainerHandle};
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
    let header = headers
        .get("x-docker-container-path-stat")
        .ok_or_else(|| Error::Decode {
            message: "no X-Docker-Container-Path-Stat header".into(),
            source: None,
        })?;
    path_stat_header(header.as_bytes())
}

/// The value of `X-Docker-Container-Path-Stat`: base64 of the stat's JSON.
pub(crate) fn path_stat_header(value: &[u8]) -> Result<PathStat> {
    use base64::Engine as _;
    let json = base64::engine::general_purpose::STANDARD
        .decode(value)
        .map_err(|e| Error::decode("the path stat header is not base64", e))?;
    serde_json::from_slice(&json).map_err(|e| Error::decode("the path stat header", e))
}

impl ContainerHandle {
    /// `docker rename`.
    ///
    /// The integration test `lifecycle_operations` makes the same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// docker.containers().handle("web").rename("web-old").await?;
    /// let c = docker.containers().get("web-old").await?;
    /// # Ok(()) }
    /// ```
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
    ///
    /// The integration test `lifecycle_operations` makes the same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// for change in docker.containers().handle("web").diff().await? {
    ///     println!("{:?} {}", change.kind, change.path.unwrap_or_default());
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn diff(&self) -> Result<Vec<op::container_changes::Item>> {
        Ok(self
            .docker
            .call(self.docker.raw().container_changes().id(&self.id).send())
            .await?
            .unwrap_or_default())
    }

    /// `docker update`: change resources and the restart policy of a container.
    ///
    /// The integration test `lifecycle_operations` makes the same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// use docker_engine::types::op::container_update::Body;
    /// let body = Body { memory: 256 << 20, memory_swap: Some(512 << 20), ..Default::default() };
    /// let warnings = docker.containers().handle("web").update(body).await?;
    /// # Ok(()) }
    /// ```
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
    ///
    /// The integration test `resize_sets_the_containers_tty_size` makes the same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// docker.containers().handle("console").resize(120, 40).await?;
    /// # Ok(()) }
    /// ```
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
    ///
    /// The integration test `lifecycle_operations` makes the same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let image = docker
    ///     .containers()
    ///     .handle("web")
    ///     .commit()
    ///     .repo("web-snapshot")
    ///     .tag("v1")
    ///     .comment("after the migration")
    ///     .changes("ENV MIGRATED=1")
    ///     .send()
    ///     .await?;
    /// println!("{:?}", image.tags());
    /// # Ok(()) }
    /// ```
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
    ///
    /// The integration test `lifecycle_operations` makes the same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// use futures_util::TryStreamExt;
    /// let export = docker.containers().handle("web").export();
    /// let tar: Vec<u8> = export.map_ok(|bytes| bytes.to_vec()).try_concat().await?;
    /// std::fs::write("web.tar", &tar)?;
    /// # Ok(()) }
    /// ```
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
    ///
    /// The integration test `lifecycle_operations` makes the same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// use futures_util::TryStreamExt;
    /// let (stat, tar) = docker.containers().handle("web").get_archive("/etc/hosts").await?;
    /// let tar: Vec<u8> = tar.map_ok(|bytes| bytes.to_vec()).try_concat().await?;
    /// println!("{} ({} bytes), a {}-byte tar", stat.name, stat.size, tar.len());
    /// # Ok(()) }
    /// ```
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
    ///
    /// The integration test `lifecycle_operations` makes the same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let stat = docker.containers().handle("web").stat_path("/etc/hosts").await?;
    /// println!("{} {:o} {}", stat.name, stat.mode & 0o777, stat.mtime);
    /// # Ok(()) }
    /// ```
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
    ///
    /// The integration test `lifecycle_operations` makes the same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let tar: Vec<u8> = std::fs::read("config.tar")?;
    /// let body = futures_util::stream::iter([Ok(bytes::Bytes::from(tar))]);
    /// docker.containers().handle("web").put_archive("/etc/app", body).await?;
    /// # Ok(()) }
    /// ```
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
    /// The health check's state as of the last inspect: `starting`, `healthy` or
    /// `unhealthy`; `unknown` for a container without one (docker-py's `Container.health`).
    /// Proven by `container_health_ports_and_image_as_docker_py_has_them`.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let c = docker.containers().get("web").await?;
    /// if c.health() == "unhealthy" {
    ///     c.restart().send().await?;
    /// }
    /// # Ok(()) }
    /// ```
    pub fn health(&self) -> &str {
        self.attrs
            .state
            .as_ref()
            .and_then(|s| s.health.as_ref())
            .and_then(|h| h.status.as_deref())
            .unwrap_or("unknown")
    }

    /// Every published port, as of the last inspect: `"80/tcp"` to its host addresses
    /// `(host_ip, host_port)`, empty for an exposed port not published (docker-py's
    /// `Container.ports`).
    ///
    /// The integration test `container_health_ports_and_image_as_docker_py_has_them` reads them.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let c = docker.containers().get("web").await?;
    /// for (port, hosts) in c.ports() {
    ///     println!("{port} -> {hosts:?}");
    /// }
    /// # Ok(()) }
    /// ```
    pub fn ports(&self) -> std::collections::BTreeMap<String, Vec<(String, String)>> {
        self.attrs
            .network_settings
            .as_ref()
            .and_then(|n| n.ports.as_ref())
            .and_then(|p| p.0.as_ref())
            .map(|m| {
                m.iter()
                    .map(|(port, bindings)| {
                        let hosts = bindings
                            .iter()
                            .flatten()
                            .map(|b| {
                                (
                                    b.host_ip.clone().unwrap_or_default(),
                                    b.host_port.clone().unwrap_or_default(),
                                )
                            })
                            .collect();
                        (port.clone(), hosts)
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The image the container runs, inspected by its id (docker-py's `Container.image`):
    /// found even when the name it was created from now names another image.
    ///
    /// The integration test `container_health_ports_and_image_as_docker_py_has_them` makes the same
    /// call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let c = docker.containers().get("web").await?;
    /// let image = c.image_model().await?;
    /// println!("{} runs {} {:?}", c.name(), image.short_id(), image.tags());
    /// # Ok(()) }
    /// ```
    pub async fn image_model(&self) -> Result<Image> {
        let id = self.attrs.image.as_deref().unwrap_or_else(|| self.image());
        self.docker.images().get(id).await
    }

    /// `docker port CONTAINER PRIVATE`: host addresses of a published port (`"80/tcp"`),
    /// as of the last inspect.
    ///
    /// The integration test `published_ports_and_prune` makes the same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let c = docker.containers().run("nginx").publish("80", "127.0.0.1", "").detach().await?;
    /// let c = docker.containers().get(c.id()).await?;
    /// let (ip, port) = &c.port("80")[0];
    /// println!("http://{ip}:{port}/");
    /// # Ok(()) }
    /// ```
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
    ///
    /// `repo`, `tag`, `author`, `pause` and `changes` together; the integration test
    /// `lifecycle_operations` commits a container.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let image = docker
    ///     .containers()
    ///     .handle("web")
    ///     .commit()
    ///     .repo("registry.example/web")
    ///     .tag("2024-06-01")
    ///     .author("Ops <ops@example.com>")
    ///     .pause(false)
    ///     .changes("CMD [\"nginx\", \"-g\", \"daemon off;\"]")
    ///     .send()
    ///     .await?;
    /// # Ok(()) }
    /// ```
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
