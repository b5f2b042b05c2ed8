//! Images: the [`Images`] collection (`docker.images()`) and the [`Image`] model, docker-py's
//! `client.images` in Rust: list, get, pull and push with progress, build, tag, remove,
//! history, import, load, save, prune.

mod build;
mod context;
mod image;
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
pub(crate) use transfer::{AuthSource, registry_auth_headers};
pub use transfer::{Pull, Push, RegistryData};

use crate::client::Docker;
use crate::error::{Error, Result};
use crate::filters::Filters;
use crate::models::prune::{Prunable, Prune};
use crate::raw::types::op;
use crate::stream::JsonStream;
use build::BuildSource;

impl Docker {
    /// Images: list, get, pull, push, build, tag, import, load, save.
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
    pub fn list(&self) -> ListImages {
        ListImages {
            docker: self.docker.clone(),
            all: false,
            filters: Filters::default(),
        }
    }

    /// Inspect an image by name, tag, digest or id.
    pub async fn get(&self, name: impl AsRef<str>) -> Result<Image> {
        Image::inspect(&self.docker, name.as_ref()).await
    }

    /// An image by name, tag, digest or id without inspecting it: its verbs.
    pub fn handle(&self, name: impl Into<String>) -> ImageHandle {
        ImageHandle::new(&self.docker, name.into())
    }

    /// `docker pull REFERENCE` (`name`, `name:tag`, `name@digest`).
    pub fn pull(&self, reference: impl Into<String>) -> Pull {
        Pull::new(self.docker.clone(), reference.into())
    }

    /// `docker push NAME[:TAG]`.
    pub fn push(&self, reference: impl Into<String>) -> Push {
        Push::new(self.docker.clone(), reference.into())
    }

    /// `docker build` from a directory: the context is sent as a tar made on the fly,
    /// honouring `.dockerignore`. A missing or unreadable directory fails before any request.
    pub fn build(&self, context_dir: impl AsRef<Path>) -> Build {
        Build::new(
            self.docker.clone(),
            BuildSource::Dir(context_dir.as_ref().to_path_buf()),
        )
    }

    /// `docker build -` from a tar archive of the context.
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
    pub fn remove(&self, name: impl Into<String>) -> RemoveImage {
        RemoveImage::new(self.docker.clone(), name.into())
    }

    /// `docker history`.
    pub async fn history(&self, name: impl AsRef<str>) -> Result<Vec<op::image_history::Item>> {
        let call = self.docker.raw().image_history().name(name.as_ref());
        Ok(self.docker.call(call.send()).await?.unwrap_or_default())
    }

    /// `docker import`: a root filesystem tar becomes `reference` (`repo[:tag]`). Progress
    /// as a stream.
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
            let (repo, tag) = transfer::split_reference(&reference);
            let capture = docker.capture_stream();
            let mut call = capture
                .raw()
                .image_create()
                .from_src("-")
                .repo(repo)
                .body(body);
            if let Some(t) = tag {
                call = call.tag(t);
            }
            let body: crate::stream::demux::ByteSource =
                Box::pin(capture.stream(call.send()).await?.body);
            Ok(body)
        })
    }

    /// `docker load`: images from a tar made by `save`. Progress as a stream (`stream`
    /// says `Loaded image: ...`).
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
    pub fn prune(&self) -> Prune<ImageKind> {
        Prune::new(&self.docker)
    }

    /// `docker builder prune` (docker-py's `images.prune_builds`): the build cache the
    /// daemon may drop, unused entries by default (`all` for every one).
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
    pub fn id(&self) -> &str {
        self.attrs.id.as_deref().unwrap_or_default()
    }

    /// The first 12 hex digits of the id.
    pub fn short_id(&self) -> &str {
        crate::models::model::short(self.id())
    }

    /// `repo:tag` references.
    pub fn tags(&self) -> Vec<String> {
        self.attrs.repo_tags.clone().unwrap_or_default()
    }

    /// Labels.
    pub fn labels(&self) -> HashMap<String, String> {
        self.attrs.labels.clone().unwrap_or_default()
    }

    /// Everything the daemon sent.
    pub fn attrs(&self) -> &op::image_list::Item {
        &self.attrs
    }

    /// Inspect this image.
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
