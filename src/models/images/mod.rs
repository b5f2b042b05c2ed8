//! Images: the [`Images`] collection (`docker.images()`) and the [`Image`] model, docker-py's
//! `client.images` in Rust: list, get, pull and push with progress, build, tag, remove,
//! history, import, load, save, prune.

mod build;
mod context;
mod image;
mod search;
mod tar;
mod transfer;

use std::collections::HashMap;
use std::path::Path;

use bytes::Bytes;
use futures_core::Stream;
use futures_util::TryStreamExt;

pub use build::Build;
pub use context::{BuildContext, DockerIgnore};
pub use image::{Image, ImageHandle, ImageKind, RemoveImage};
pub use search::Search;
pub(crate) use transfer::{AuthSource, registry_auth_headers};
pub use transfer::{Distribution, Pull, Push, Pushed, RegistryData};

use crate::client::Docker;
use crate::error::{Error, Result};
use crate::filters::Filters;
use crate::models::prune::{Prunable, Prune};
use crate::raw::types::op;
use crate::stream::JsonStream;
use build::BuildSource;

impl Docker {
    /// Images: list, get, pull, push, build, tag, import, load, save.
    ///
    /// The integration test `list_get_tag_history_remove` goes through it.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let images = docker.images();
    /// images.pull("busybox:1.36").send().await?;
    /// images.tag("busybox:1.36", "busybox:stable").await?;
    /// # Ok(()) }
    /// ```
    pub fn images(&self) -> Images {
        Images {
            docker: self.clone(),
        }
    }
}

/// `docker.images()`.
#[derive(Clone, Debug)]
pub struct Images {
    docker: Docker,
}

impl Images {
    /// `docker images`: summaries in one request.
    ///
    /// The integration test `list_get_tag_history_remove` makes the same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// for image in docker.images().list().reference("busybox").send().await? {
    ///     println!("{} {:?}", image.short_id(), image.tags());
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list(&self) -> ListImages {
        ListImages {
            docker: self.docker.clone(),
            all: false,
            filters: Filters::default(),
        }
    }

    /// Inspect an image by name, tag, digest or id.
    ///
    /// The integration test `list_get_tag_history_remove` makes the same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let image = match docker.images().get("busybox:latest").await {
    ///     Ok(image) => image,
    ///     Err(docker_engine::Error::NotFound { .. }) => {
    ///         docker.images().pull("busybox").send().await?
    ///     }
    ///     Err(e) => return Err(e),
    /// };
    /// println!("{} {:?}", image.short_id(), image.tags());
    /// # Ok(()) }
    /// ```
    pub async fn get(&self, name: impl AsRef<str>) -> Result<Image> {
        Image::inspect(&self.docker, name.as_ref()).await
    }

    /// An image by name, tag, digest or id without inspecting it: its verbs.
    ///
    /// The integration test `build_options_reach_the_run_steps` uses a handle.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let busybox = docker.images().handle("busybox:latest");
    /// busybox.tag("registry.example/busybox:mirror").await?;
    /// busybox.remove().send().await?;
    /// # Ok(()) }
    /// ```
    pub fn handle(&self, name: impl Into<String>) -> ImageHandle {
        ImageHandle::new(&self.docker, name.into())
    }

    /// `docker pull REFERENCE` (`name`, `name:tag`, `name@digest`).
    ///
    /// The integration test `login_checks_credentials_and_later_pulls_and_pushes_use_them` makes
    /// the same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let image = docker.images().pull("alpine:3.20").platform("linux/arm64").send().await?;
    /// println!("pulled {}", image.id());
    /// # Ok(()) }
    /// ```
    pub fn pull(&self, reference: impl Into<String>) -> Pull {
        Pull::new(self.docker.clone(), reference.into())
    }

    /// `docker push NAME[:TAG]`.
    ///
    /// The integration test `push_remove_and_pull_back_through_the_authenticated_registry` makes
    /// the same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// docker.images().tag("myapp:build", "registry.example/myapp:1.0").await?;
    /// let pushed = docker.images().push("registry.example/myapp:1.0").send().await?;
    /// println!("{} is {}", pushed.tag, pushed.digest);
    /// # Ok(()) }
    /// ```
    pub fn push(&self, reference: impl Into<String>) -> Push {
        Push::new(self.docker.clone(), reference.into())
    }

    /// `docker build` from a directory: the context is sent as a tar made on the fly,
    /// honouring `.dockerignore`. A missing or unreadable directory fails before any request.
    ///
    /// The integration test `build_from_a_directory_honours_dockerignore` makes the same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let image = docker.images().build("./app").tag("myapp:dev").send().await?;
    /// println!("built {}", image.short_id());
    /// # Ok(()) }
    /// ```
    pub fn build(&self, context_dir: impl AsRef<Path>) -> Build {
        Build::new(
            self.docker.clone(),
            BuildSource::Dir(context_dir.as_ref().to_path_buf()),
        )
    }

    /// `docker build -` from a tar archive of the context.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let tar = std::fs::read("context.tar")?;
    /// let body = futures_util::stream::iter([Ok(bytes::Bytes::from(tar))]);
    /// let image = docker.images().build_tar(body).tag("myapp:dev").send().await?;
    /// # Ok(()) }
    /// ```
    pub fn build_tar<S>(&self, tar: S) -> Build
    where
        S: Stream<Item = std::io::Result<Bytes>> + Send + 'static,
    {
        Build::new(
            self.docker.clone(),
            BuildSource::Tar(reqwest::Body::wrap_stream(tar)),
        )
    }

    /// `docker tag SOURCE TARGET`: `target` is `repo[:tag]` (`latest` when no tag).
    ///
    /// The integration test `push_remove_and_pull_back_through_the_authenticated_registry` makes
    /// the same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// docker.images().tag("myapp:build", "registry.example/myapp:1.0").await?;
    /// docker.images().tag("myapp:build", "registry.example/myapp").await?; // :latest
    /// # Ok(()) }
    /// ```
    pub async fn tag(&self, source: impl AsRef<str>, target: impl AsRef<str>) -> Result<()> {
        let (repo, tag) = transfer::split_reference(target.as_ref());
        let mut call = self
            .docker
            .raw()
            .image_tag()
            .name(source.as_ref())
            .repo(repo);
        if let Some(t) = tag {
            call = call.tag(t);
        }
        self.docker.call(call.send()).await
    }

    /// `docker rmi NAME`: a builder; `.force(true)`, `.noprune(true)`.
    ///
    /// The integration test `list_get_tag_history_remove` makes the same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// for item in docker.images().remove("myapp:old").force(true).send().await? {
    ///     println!("{:?} {:?}", item.untagged, item.deleted);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn remove(&self, name: impl Into<String>) -> RemoveImage {
        RemoveImage::new(self.docker.clone(), name.into())
    }

    /// `docker history`.
    ///
    /// The integration test `list_get_tag_history_remove` makes the same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// for layer in docker.images().history("busybox").await? {
    ///     let size = layer.size.unwrap_or_default();
    ///     println!("{size:>10} {}", layer.created_by.unwrap_or_default());
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn history(&self, name: impl AsRef<str>) -> Result<Vec<op::image_history::Item>> {
        let call = self.docker.raw().image_history().name(name.as_ref());
        Ok(self.docker.call(call.send()).await?.unwrap_or_default())
    }

    /// `docker import`: a root filesystem tar becomes `reference` (`repo[:tag]`). Progress
    /// as a stream.
    ///
    /// The integration test `save_load_and_import` makes the same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// use futures_util::StreamExt;
    /// let rootfs = std::fs::read("rootfs.tar")?;
    /// let body = futures_util::stream::iter([Ok(bytes::Bytes::from(rootfs))]);
    /// let mut progress = docker.images().import(body, "myrootfs:1");
    /// while let Some(line) = progress.next().await {
    ///     println!("{}", line?.status.unwrap_or_default());
    /// }
    /// # Ok(()) }
    /// ```
    #[inline]
    pub fn import<S>(
        &self,
        rootfs_tar: S,
        reference: impl Into<String>,
    ) -> JsonStream<op::image_create::Item>
    where
        S: Stream<Item = std::io::Result<Bytes>> + Send + 'static,
    {
        let docker = self.docker.clone();
        let reference = reference.into();
        let body = reqwest::Body::wrap_stream(rootfs_tar);
        JsonStream::connecting(async move {
            // The whole reference as `repo`, as the docker CLI sends it: Podman ignores a
            // separate `tag` on import (and names the image `repo:latest`).
            let capture = docker.capture_stream();
            let call = capture
                .raw()
                .image_create()
                .from_src("-")
                .repo(reference)
                .body(body);
            let body: crate::stream::demux::ByteSource =
                Box::pin(capture.stream(call.send()).await?.body);
            Ok(body)
        })
    }

    /// `docker load`: images from a tar made by `save`. Progress as a stream (`stream`
    /// says `Loaded image: ...`).
    ///
    /// The integration test `save_load_and_import` makes the same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// use futures_util::StreamExt;
    /// let tar = std::fs::read("images.tar")?;
    /// let mut progress = docker.images().load(futures_util::stream::iter([Ok(tar.into())]));
    /// while let Some(line) = progress.next().await {
    ///     print!("{}", line?.stream.unwrap_or_default()); // Loaded image: ...
    /// }
    /// # Ok(()) }
    /// ```
    #[inline]
    pub fn load<S>(&self, tar: S) -> JsonStream<op::image_load::Item>
    where
        S: Stream<Item = std::io::Result<Bytes>> + Send + 'static,
    {
        let docker = self.docker.clone();
        let body = reqwest::Body::wrap_stream(tar);
        JsonStream::connecting(async move {
            let capture = docker.capture_stream();
            let call = capture.raw().image_load().quiet(false).body(body).send();
            let body: crate::stream::demux::ByteSource = Box::pin(capture.stream(call).await?.body);
            Ok(body)
        })
    }

    /// `docker save NAME...`: a tar of the images, as a byte stream.
    ///
    /// The integration test `images_export_one_and_several` makes the same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// use futures_util::TryStreamExt;
    /// let tar = docker.images().save(["busybox:latest", "alpine:3.20"]);
    /// let tar: Vec<u8> = tar.map_ok(|bytes| bytes.to_vec()).try_concat().await?;
    /// std::fs::write("images.tar", tar)?;
    /// # Ok(()) }
    /// ```
    pub fn save<I, S>(
        &self,
        names: I,
    ) -> impl Stream<Item = Result<Bytes>> + Send + 'static + use<I, S>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let docker = self.docker.clone();
        let names: Vec<String> = names.into_iter().map(Into::into).collect();
        futures_util::stream::once(async move {
            let capture = docker.capture_stream();
            let call = capture.raw().image_get_all().names(names).send();
            Ok::<_, Error>(capture.stream(call).await?.body)
        })
        .try_flatten()
    }

    /// `docker image prune`: remove dangling images (`.filter("dangling", "false")`: every unused image).
    ///
    /// The integration test `prune_removes_dangling_images_only` makes the same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let report = docker.images().prune().until("24h").send().await?;
    /// println!("reclaimed {} bytes", report.space_reclaimed.unwrap_or_default());
    /// # Ok(()) }
    /// ```
    pub fn prune(&self) -> Prune<ImageKind> {
        Prune::new(&self.docker)
    }

    /// `docker builder prune` (docker-py's `images.prune_builds`): the build cache the
    /// daemon may drop, unused entries by default (`all` for every one).
    ///
    /// The integration test `build_cache_prune_reports_what_it_reclaimed` makes the same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let prune = docker.images().prune_builds().until("72h").keep_storage(5 << 30);
    /// let report = prune.send().await?;
    /// println!("reclaimed {} bytes", report.space_reclaimed.unwrap_or_default());
    /// # Ok(()) }
    /// ```
    pub fn prune_builds(&self) -> PruneBuilds {
        PruneBuilds {
            docker: self.docker.clone(),
            filters: Filters::default(),
            all: None,
            keep_storage: None,
        }
    }

    /// What the registry says about an image without pulling it (docker-py's
    /// `images.get_registry_data`): its digest, media type, size and platforms, from
    /// `GET /distribution/{name}/json`. Credentials as for [`Images::pull`].
    ///
    /// The integration test `registry_data_with_and_without_credentials` makes the same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let data = docker.images().registry_data("alpine:3.20").send().await?;
    /// println!("{} for {:?}", data.id(), data.platforms());
    /// # Ok(()) }
    /// ```
    pub fn registry_data(&self, reference: impl Into<String>) -> RegistryData {
        RegistryData::new(self.docker.clone(), reference.into())
    }
}

/// Builder of `POST /build/prune`.
#[derive(Debug)]
pub struct PruneBuilds {
    docker: Docker,
    filters: Filters,
    all: Option<bool>,
    keep_storage: Option<i64>,
}

impl PruneBuilds {
    crate::models::filter_setters! {
        /// Only entries last used before this time (a UNIX time or a duration such as `24h`).
        until => "until",
    }

    /// Every entry, not only the unused ones.
    pub fn all(mut self, yes: bool) -> Self {
        self.all = Some(yes);
        self
    }

    /// Keep this many bytes of cache.
    pub fn keep_storage(mut self, bytes: i64) -> Self {
        self.keep_storage = Some(bytes);
        self
    }

    /// Prune; the daemon's report (the entries deleted and the space reclaimed).
    ///
    /// The integration test `build_cache_prune_reports_what_it_reclaimed` makes the same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let report = docker.images().prune_builds().all(true).send().await?;
    /// let caches = report.caches_deleted.unwrap_or_default();
    /// println!("{} entries, {} bytes", caches.len(), report.space_reclaimed.unwrap_or_default());
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<op::build_prune::Response> {
        let mut call = self.docker.raw().build_prune();
        if let Some(f) = self.filters.to_query() {
            call = call.filters(f);
        }
        if let Some(all) = self.all {
            call = call.all(all);
        }
        if let Some(keep) = self.keep_storage {
            call = call.keep_storage(keep);
        }
        self.docker.call(call.send()).await
    }
}

/// Builder of `GET /images/json`.
#[derive(Debug)]
pub struct ListImages {
    docker: Docker,
    all: bool,
    filters: Filters,
}

impl ListImages {
    /// Include intermediate images.
    pub fn all(mut self, all: bool) -> Self {
        self.all = all;
        self
    }

    crate::models::filter_setters! {
        /// Only images with this label (`key` or `key=value`).
        label => "label",
        /// Only images whose reference matches (`busybox`, `busybox:*`).
        reference => "reference",
    }

    /// Only untagged (`true`) or tagged (`false`) images.
    pub fn dangling(mut self, dangling: bool) -> Self {
        self.filters.add("dangling", dangling.to_string());
        self
    }

    /// Send the request.
    ///
    /// The integration test `list_get_tag_history_remove` lists with a filter.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let images = docker.images().list().all(true).label("team=web").dangling(false);
    /// for image in images.send().await? {
    ///     println!("{} {:?} {:?}", image.short_id(), image.tags(), image.labels());
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<Vec<ImageSummary>> {
        let mut call = self.docker.raw().image_list().all(self.all);
        if let Some(f) = self.filters.to_query() {
            call = call.filters(f);
        }
        let list = self.docker.call(call.send()).await?.unwrap_or_default();
        Ok(list
            .into_iter()
            .map(|attrs| ImageSummary {
                docker: self.docker.clone(),
                attrs,
            })
            .collect())
    }
}

/// One line of `docker images`.
#[derive(Clone, Debug)]
pub struct ImageSummary {
    docker: Docker,
    attrs: op::image_list::Item,
}

impl ImageSummary {
    /// Full id (`sha256:...`).
    ///
    /// The integration test `list_get_tag_history_remove` reads it.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// for image in docker.images().list().dangling(true).send().await? {
    ///     docker.images().remove(image.id()).send().await?;
    /// }
    /// # Ok(()) }
    /// ```
    pub fn id(&self) -> &str {
        self.attrs.id.as_deref().unwrap_or_default()
    }

    /// The first 12 hex digits of the id.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// for image in docker.images().list().send().await? {
    ///     println!("{} {:?}", image.short_id(), image.tags()); // as `docker images` shows them
    /// }
    /// # Ok(()) }
    /// ```
    pub fn short_id(&self) -> &str {
        crate::models::model::short(self.id())
    }

    /// `repo:tag` references.
    ///
    /// The integration test `list_get_tag_history_remove` reads them.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let images = docker.images().list().reference("myapp").send().await?;
    /// let tags: Vec<String> = images.iter().flat_map(|i| i.tags()).collect();
    /// # Ok(()) }
    /// ```
    pub fn tags(&self) -> Vec<String> {
        self.attrs.repo_tags.clone().unwrap_or_default()
    }

    /// Labels.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let key = "org.opencontainers.image.version";
    /// for image in docker.images().list().label(key).send().await? {
    ///     println!("{:?} {:?}", image.tags(), image.labels().get(key));
    /// }
    /// # Ok(()) }
    /// ```
    pub fn labels(&self) -> HashMap<String, String> {
        self.attrs.labels.clone().unwrap_or_default()
    }

    /// Everything the daemon sent.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// for image in docker.images().list().send().await? {
    ///     println!("{:?} {:?}", image.tags(), image.attrs().repo_digests);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn attrs(&self) -> &op::image_list::Item {
        &self.attrs
    }

    /// Inspect this image.
    ///
    /// The integration test `list_get_tag_history_remove` makes the same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let listed = docker.images().list().reference("busybox").send().await?;
    /// if let Some(summary) = listed.first() {
    ///     let image = summary.get().await?;
    ///     println!("{}", image.attrs_json()["Config"]["Cmd"]);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn get(&self) -> Result<Image> {
        Image::inspect(&self.docker, self.id()).await
    }
}

impl Prunable for ImageKind {
    type Report = op::image_prune::Response;

    async fn prune(docker: &Docker, filters: Option<String>) -> Result<Self::Report> {
        let mut call = docker.raw().image_prune();
        if let Some(f) = filters {
            call = call.filters(f);
        }
        docker.call(call.send()).await
    }
}
