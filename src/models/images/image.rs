//! [`Image`]: one image as last inspected.

use std::collections::HashMap;

use bytes::Bytes;
use futures_core::Stream;
use futures_util::TryStreamExt;

use crate::client::Docker;
use crate::error::Result;
use crate::models::model::{Answer, Handle, Kind, Model};
use crate::raw::types::op;

/// The image kind of [`Model`].
#[derive(Debug)]
pub enum ImageKind {}

impl Kind for ImageKind {
    type Attrs = op::image_inspect::Response;
    const NAME: &'static str = "Image";

    async fn inspect(docker: &Docker, name: &str) -> Result<(Self::Attrs, Answer)> {
        let c = docker.capture_whole();
        c.whole(c.raw().image_inspect().name(name).send()).await
    }

    fn id(attrs: &Self::Attrs) -> Option<&str> {
        attrs.id.as_deref()
    }

    fn labels(attrs: &Self::Attrs) -> Option<&HashMap<String, String>> {
        attrs.config.as_ref().and_then(|c| c.labels.as_ref())
    }
}

/// An image: its inspect answer ([`Model::attrs`]); it derefs to its [`ImageHandle`],
/// which has the verbs.
pub type Image = Model<ImageKind>;

/// An image by name, tag, digest or id, not inspected: the verbs.
pub type ImageHandle = Handle<ImageKind>;

impl Model<ImageKind> {
    /// `repo:tag` references.
    ///
    /// The integration test `list_get_tag_history_remove` reads them.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let image = docker.images().get("busybox").await?;
    /// for tag in image.tags() {
    ///     println!("{tag}");
    /// }
    /// # Ok(()) }
    /// ```
    pub fn tags(&self) -> Vec<String> {
        self.attrs.repo_tags.clone().unwrap_or_default()
    }
}

impl Handle<ImageKind> {
    /// Tag this image as `target` (`repo[:tag]`).
    ///
    /// The integration test `list_get_tag_history_remove` makes the same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let image = docker.images().get("myapp:build").await?;
    /// image.tag("myapp:1.0").await?;
    /// image.tag("registry.example/myapp:1.0").await?;
    /// # Ok(()) }
    /// ```
    pub async fn tag(&self, target: impl AsRef<str>) -> Result<()> {
        self.docker.images().tag(self.id(), target).await
    }

    /// Its layers' history.
    ///
    /// The integration test `list_get_tag_history_remove` makes the same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let image = docker.images().get("busybox").await?;
    /// println!("{} layers", image.history().await?.len());
    /// # Ok(()) }
    /// ```
    pub async fn history(&self) -> Result<Vec<op::image_history::Item>> {
        self.docker.images().history(self.id()).await
    }

    /// `docker save` of this image, by id (`GET /images/{name}/get`, docker-py's
    /// `Image.save()`); [`Images::save`](super::Images::save) takes several references.
    ///
    /// The integration test `images_export_one_and_several` makes the same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// use futures_util::TryStreamExt;
    /// let image = docker.images().get("busybox").await?;
    /// let tar: Vec<u8> = image.save().map_ok(|bytes| bytes.to_vec()).try_concat().await?;
    /// std::fs::write("busybox.tar", tar)?;
    /// # Ok(()) }
    /// ```
    #[inline]
    pub fn save(&self) -> impl Stream<Item = Result<Bytes>> + Send + 'static + use<> {
        let (docker, id) = (self.docker.clone(), self.id().to_string());
        futures_util::stream::once(async move {
            let capture = docker.capture_stream();
            let call = capture.raw().image_get().name(id).send();
            Ok::<_, crate::Error>(capture.stream(call).await?.body)
        })
        .try_flatten()
    }

    /// `docker rmi` of this image: a builder; `.force(true)`, `.noprune(true)`.
    ///
    /// The integration test `list_get_tag_history_remove` makes the same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let image = docker.images().get("myapp:old").await?;
    /// let removed = image.remove().noprune(true).send().await?;
    /// println!("{} entries untagged or deleted", removed.len());
    /// # Ok(()) }
    /// ```
    pub fn remove(&self) -> RemoveImage {
        RemoveImage::new(self.docker.clone(), self.id().to_string())
    }
}

/// Builder of `docker rmi`.
#[derive(Debug)]
pub struct RemoveImage {
    docker: Docker,
    name: String,
    force: bool,
    noprune: bool,
}

impl RemoveImage {
    pub(crate) fn new(docker: Docker, name: String) -> RemoveImage {
        RemoveImage {
            docker,
            name,
            force: false,
            noprune: false,
        }
    }

    /// Remove it even if containers use it or it has several tags.
    pub fn force(mut self, yes: bool) -> Self {
        self.force = yes;
        self
    }

    /// Keep untagged parents.
    pub fn noprune(mut self, yes: bool) -> Self {
        self.noprune = yes;
        self
    }

    /// Remove it; what was untagged and deleted.
    ///
    /// The integration test `list_get_tag_history_remove` makes the same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// match docker.images().remove("myapp:old").force(true).noprune(false).send().await {
    ///     Ok(removed) => println!("{removed:?}"),
    ///     Err(docker_engine::Error::NotFound { .. }) => println!("already gone"),
    ///     Err(e) => return Err(e),
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<Vec<op::image_delete::Item>> {
        let call = self
            .docker
            .raw()
            .image_delete()
            .name(self.name)
            .force(self.force)
            .noprune(self.noprune);
        Ok(self.docker.call(call.send()).await?.unwrap_or_default())
    }
}
