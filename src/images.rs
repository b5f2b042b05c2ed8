//! Images: the [`Images`] collection (`docker.images()`) and the [`Image`] model, docker-py's
//! `client.images` in Rust: list, get, pull and push with progress, build, tag, remove,
//! history, import, load, save, prune.

use std::collections::HashMap;
use std::path::Path;

use bytes::Bytes;
use futures_core::Stream;
use futures_util::{StreamExt, TryStreamExt};

use crate::auth::{DockerConfig, RegistryAuth};
use crate::build_context::BuildContext;
use crate::docker::{Docker, segment};
use crate::error::{Error, Result};
use crate::filters::Filters;
use crate::raw::types;
use crate::stream::JsonStream;

/// `docker.images()`.
#[derive(Clone, Debug)]
pub struct Images {
    docker: Docker,
}

impl Images {
    pub(crate) fn new(docker: Docker) -> Images {
        Images { docker }
    }

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

    /// `docker pull REFERENCE` (`name`, `name:tag`, `name@digest`).
    pub fn pull(&self, reference: impl Into<String>) -> Pull {
        Pull {
            docker: self.docker.clone(),
            reference: reference.into(),
            all_tags: false,
            platform: None,
            auth: AuthSource::Config,
        }
    }

    /// `docker push NAME[:TAG]`.
    pub fn push(&self, reference: impl Into<String>) -> Push {
        Push {
            docker: self.docker.clone(),
            reference: reference.into(),
            auth: AuthSource::Config,
        }
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

    /// `docker tag SOURCE REPO[:TAG]`.
    pub async fn tag(
        &self,
        source: impl AsRef<str>,
        repo: impl AsRef<str>,
        tag: Option<&str>,
    ) -> Result<()> {
        let mut call = self
            .docker
            .raw()
            .image_tag()
            .name(source.as_ref())
            .repo(repo.as_ref());
        if let Some(t) = tag {
            call = call.tag(t);
        }
        self.docker.call(call.send()).await
    }

    /// `docker rmi`: what was untagged and deleted.
    pub async fn remove(
        &self,
        name: impl AsRef<str>,
        force: bool,
        noprune: bool,
    ) -> Result<Vec<types::ImageDeleteResponseItem>> {
        let call = self
            .docker
            .raw()
            .image_delete()
            .name(name.as_ref())
            .force(force)
            .noprune(noprune);
        Ok(self.docker.call(call.send()).await?.unwrap_or_default())
    }

    /// `docker history`.
    pub async fn history(&self, name: impl AsRef<str>) -> Result<Vec<types::HistoryResponseItem>> {
        let call = self.docker.raw().image_history().name(name.as_ref());
        Ok(self.docker.call(call.send()).await?.unwrap_or_default())
    }

    /// `docker import`: a root filesystem tar becomes `repo[:tag]`. Progress as a stream.
    pub fn import<S>(
        &self,
        rootfs_tar: S,
        repo: impl Into<String>,
        tag: Option<&str>,
    ) -> JsonStream<types::CreateImageInfo>
    where
        S: Stream<Item = std::io::Result<Bytes>> + Send + 'static,
    {
        let docker = self.docker.clone();
        let mut query = vec![("fromSrc", "-".to_string()), ("repo", repo.into())];
        query.extend(tag.map(|t| ("tag", t.to_string())));
        let body = reqwest::Body::wrap_stream(rootfs_tar);
        JsonStream::connecting(async move {
            let response = docker
                .request(reqwest::Method::POST, "/images/create", &query, |r| {
                    r.header(reqwest::header::CONTENT_TYPE, "application/x-tar")
                        .body(body)
                })
                .await?;
            Ok(docker.body_stream(response))
        })
    }

    /// `docker load`: images from a tar made by `save`. Progress as a stream (`stream`
    /// says `Loaded image: ...`).
    pub fn load<S>(&self, tar: S) -> JsonStream<types::BuildInfo>
    where
        S: Stream<Item = std::io::Result<Bytes>> + Send + 'static,
    {
        let docker = self.docker.clone();
        let body = reqwest::Body::wrap_stream(tar);
        JsonStream::connecting(async move {
            let response = docker
                .request(
                    reqwest::Method::POST,
                    "/images/load",
                    &[("quiet", "false".to_string())],
                    |r| {
                        r.header(reqwest::header::CONTENT_TYPE, "application/x-tar")
                            .body(body)
                    },
                )
                .await?;
            Ok(docker.body_stream(response))
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
        let query: Vec<(&'static str, String)> =
            names.into_iter().map(|n| ("names", n.into())).collect();
        futures_util::stream::once(async move {
            let response = docker
                .request(reqwest::Method::GET, "/images/get", &query, |r| r)
                .await?;
            Ok::<_, Error>(docker.body_stream(response))
        })
        .try_flatten()
    }

    /// `docker image prune` (dangling images only, unless `filters` say otherwise).
    pub async fn prune(&self, filters: &Filters) -> Result<types::ImagePruneResponse> {
        let mut call = self.docker.raw().image_prune();
        if let Some(f) = filters.to_query() {
            call = call.filters(f);
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

    /// Only images with this label (`key` or `key=value`).
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.filters.add("label", label);
        self
    }

    /// Only images whose reference matches (`busybox`, `busybox:*`).
    pub fn reference(mut self, reference: impl Into<String>) -> Self {
        self.filters.add("reference", reference);
        self
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
    attrs: types::ImageSummary,
}

impl ImageSummary {
    /// Full id (`sha256:...`).
    pub fn id(&self) -> &str {
        self.attrs.id.as_deref().unwrap_or_default()
    }

    /// The first 12 hex digits of the id.
    pub fn short_id(&self) -> &str {
        crate::docker::short(self.id())
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
    pub fn attrs(&self) -> &types::ImageSummary {
        &self.attrs
    }

    /// Inspect this image.
    pub async fn get(&self) -> Result<Image> {
        Image::inspect(&self.docker, self.id()).await
    }
}

/// An image: its inspect data and the operations on it.
#[derive(Clone, Debug)]
pub struct Image {
    docker: Docker,
    attrs: types::ImageInspect,
}

impl Image {
    pub(crate) async fn inspect(docker: &Docker, name: &str) -> Result<Image> {
        let attrs = docker
            .call(docker.raw().image_inspect().name(name).send())
            .await?;
        Ok(Image {
            docker: docker.clone(),
            attrs,
        })
    }

    /// Full id (`sha256:...`).
    pub fn id(&self) -> &str {
        self.attrs.id.as_deref().unwrap_or_default()
    }

    /// The first 12 hex digits of the id.
    pub fn short_id(&self) -> &str {
        crate::docker::short(self.id())
    }

    /// `repo:tag` references.
    pub fn tags(&self) -> Vec<String> {
        self.attrs.repo_tags.clone().unwrap_or_default()
    }

    /// Labels of the image's config.
    pub fn labels(&self) -> HashMap<String, String> {
        self.attrs
            .config
            .as_ref()
            .and_then(|c| c.labels.clone())
            .unwrap_or_default()
    }

    /// Everything `docker image inspect` shows.
    pub fn attrs(&self) -> &types::ImageInspect {
        &self.attrs
    }

    /// Inspect again.
    pub async fn reload(&mut self) -> Result<()> {
        *self = Image::inspect(&self.docker, self.id()).await?;
        Ok(())
    }

    /// Tag this image as `repo[:tag]`.
    pub async fn tag(&self, repo: impl AsRef<str>, tag: Option<&str>) -> Result<()> {
        self.docker.images().tag(self.id(), repo, tag).await
    }

    /// Its layers' history.
    pub async fn history(&self) -> Result<Vec<types::HistoryResponseItem>> {
        self.docker.images().history(self.id()).await
    }

    /// `docker save` of this image.
    pub fn save(&self) -> impl Stream<Item = Result<Bytes>> + Send + 'static + use<> {
        self.docker.images().save([self.id().to_string()])
    }

    /// `docker rmi` of this image.
    pub async fn remove(&self, force: bool) -> Result<Vec<types::ImageDeleteResponseItem>> {
        self.docker.images().remove(self.id(), force, false).await
    }
}

/// Where registry credentials come from.
#[derive(Clone, Debug)]
enum AuthSource {
    /// The docker CLI's config (`$DOCKER_CONFIG/config.json`), if it has any for the registry.
    Config,
    Explicit(RegistryAuth),
    None,
}

impl AuthSource {
    async fn header(&self, reference: &str) -> Result<Option<String>> {
        let auth = match self {
            AuthSource::Explicit(a) => Some(a.clone()),
            AuthSource::None => None,
            AuthSource::Config => {
                DockerConfig::load()?
                    .credentials_for_image(reference)
                    .await?
            }
        };
        Ok(auth.map(|a| a.header_value()))
    }
}

/// Split `name[:tag]` / `name@digest` into the name and what follows.
fn split_reference(reference: &str) -> (&str, Option<&str>) {
    if let Some((name, digest)) = reference.split_once('@') {
        return (name, Some(digest));
    }
    match reference.rsplit_once(':') {
        Some((name, tag)) if !tag.contains('/') => (name, Some(tag)),
        _ => (reference, None),
    }
}

/// Builder of `POST /images/create?fromImage=...`.
#[derive(Debug)]
pub struct Pull {
    docker: Docker,
    reference: String,
    all_tags: bool,
    platform: Option<String>,
    auth: AuthSource,
}

impl Pull {
    /// Pull every tag of the repository (`docker pull -a`).
    pub fn all_tags(mut self, yes: bool) -> Self {
        self.all_tags = yes;
        self
    }

    /// Platform (`linux/amd64`).
    pub fn platform(mut self, platform: impl Into<String>) -> Self {
        self.platform = Some(platform.into());
        self
    }

    /// Credentials for the registry (default: the docker CLI's config, if it has any).
    pub fn auth(mut self, auth: RegistryAuth) -> Self {
        self.auth = AuthSource::Explicit(auth);
        self
    }

    /// Send no credentials.
    pub fn anonymous(mut self) -> Self {
        self.auth = AuthSource::None;
        self
    }

    /// Progress as a `Stream`; an error the registry reports ends it with `Err`.
    pub fn stream(self) -> JsonStream<types::CreateImageInfo> {
        let Pull {
            docker,
            reference,
            all_tags,
            platform,
            auth,
        } = self;
        JsonStream::connecting(async move {
            let (name, tag) = split_reference(&reference);
            let mut query = vec![("fromImage", name.to_string())];
            match (tag, all_tags) {
                (Some(t), _) => query.push(("tag", t.to_string())),
                (None, false) => query.push(("tag", "latest".to_string())),
                (None, true) => {}
            }
            query.extend(platform.map(|p| ("platform", p)));
            let header = auth.header(&reference).await?;
            let response = docker
                .request(
                    reqwest::Method::POST,
                    "/images/create",
                    &query,
                    |r| match header {
                        Some(h) => r.header("X-Registry-Auth", h),
                        None => r,
                    },
                )
                .await?;
            Ok(docker.body_stream(response))
        })
    }

    /// Pull to the end; the image (for `all_tags`, the one tagged `latest` if any).
    pub async fn send(self) -> Result<Image> {
        let docker = self.docker.clone();
        let (name, tag) = split_reference(&self.reference);
        let target = match tag {
            Some(t) if self.reference.contains('@') => format!("{name}@{t}"),
            Some(t) => format!("{name}:{t}"),
            None => format!("{name}:latest"),
        };
        let mut progress = self.stream();
        while let Some(item) = progress.next().await {
            item?;
        }
        Image::inspect(&docker, &target).await
    }
}

/// Builder of `POST /images/{name}/push`.
#[derive(Debug)]
pub struct Push {
    docker: Docker,
    reference: String,
    auth: AuthSource,
}

impl Push {
    /// Credentials for the registry (default: the docker CLI's config, if it has any).
    pub fn auth(mut self, auth: RegistryAuth) -> Self {
        self.auth = AuthSource::Explicit(auth);
        self
    }

    /// Progress as a `Stream`; an error the registry reports ends it with `Err`.
    pub fn stream(self) -> JsonStream<types::PushImageInfo> {
        let Push {
            docker,
            reference,
            auth,
        } = self;
        JsonStream::connecting(async move {
            let (name, tag) = split_reference(&reference);
            let path = format!("/images/{}/push", segment(name)?);
            let query: Vec<(&str, String)> =
                tag.map(|t| ("tag", t.to_string())).into_iter().collect();
            // The daemon wants the header even for an anonymous push: `{}` then.
            let header = auth
                .header(&reference)
                .await?
                .unwrap_or_else(|| RegistryAuth::default().header_value());
            let response = docker
                .request(reqwest::Method::POST, &path, &query, |r| {
                    r.header("X-Registry-Auth", header)
                })
                .await?;
            Ok(docker.body_stream(response))
        })
    }

    /// Push to the end.
    pub async fn send(self) -> Result<()> {
        let mut progress = self.stream();
        while let Some(item) = progress.next().await {
            item?;
        }
        Ok(())
    }
}

enum BuildSource {
    Dir(std::path::PathBuf),
    Tar(reqwest::Body),
}

impl std::fmt::Debug for BuildSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BuildSource::Dir(d) => write!(f, "Dir({})", d.display()),
            BuildSource::Tar(_) => f.write_str("Tar(..)"),
        }
    }
}

/// Builder of `POST /build` (the classic builder).
#[derive(Debug)]
pub struct Build {
    docker: Docker,
    source: BuildSource,
    dockerfile: String,
    query: Vec<(&'static str, String)>,
    buildargs: HashMap<String, String>,
    labels: HashMap<String, String>,
}

impl Build {
    fn new(docker: Docker, source: BuildSource) -> Build {
        Build {
            docker,
            source,
            dockerfile: "Dockerfile".into(),
            query: vec![("rm", "true".into())],
            buildargs: HashMap::new(),
            labels: HashMap::new(),
        }
    }

    /// Name and tag the result (`-t`); may be given several times.
    pub fn tag(mut self, reference: impl Into<String>) -> Self {
        self.query.push(("t", reference.into()));
        self
    }

    /// The Dockerfile's path within the context (default `Dockerfile`).
    pub fn dockerfile(mut self, path: impl Into<String>) -> Self {
        self.dockerfile = path.into();
        self
    }

    /// A build argument (`--build-arg`).
    pub fn build_arg(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.buildargs.insert(key.into(), value.into());
        self
    }

    /// A label on the image.
    pub fn label(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.labels.insert(key.into(), value.into());
        self
    }

    /// Build up to this stage of a multi-stage Dockerfile.
    pub fn target(mut self, stage: impl Into<String>) -> Self {
        self.query.push(("target", stage.into()));
        self
    }

    /// Do not use the build cache.
    pub fn no_cache(mut self, yes: bool) -> Self {
        self.query.push(("nocache", yes.to_string()));
        self
    }

    /// Always try to pull newer base images.
    pub fn pull(mut self, yes: bool) -> Self {
        self.query.push(("pull", yes.to_string()));
        self
    }

    /// Remove intermediate containers even when the build fails.
    pub fn force_rm(mut self, yes: bool) -> Self {
        self.query.push(("forcerm", yes.to_string()));
        self
    }

    /// Build output as a `Stream`: `stream` lines of the steps, `aux` with the image id,
    /// and an error of a failing step ends it with `Err` carrying the step's message.
    pub fn stream(self) -> JsonStream<types::BuildInfo> {
        let Build {
            docker,
            source,
            dockerfile,
            mut query,
            buildargs,
            labels,
        } = self;
        query.push(("dockerfile", dockerfile.clone()));
        if !buildargs.is_empty() {
            query.push((
                "buildargs",
                serde_json::to_string(&buildargs).expect("strings serialize"),
            ));
        }
        if !labels.is_empty() {
            query.push((
                "labels",
                serde_json::to_string(&labels).expect("strings serialize"),
            ));
        }
        // A directory is checked now, before any request: a missing context is an error
        // of the first poll, not a half-sent upload.
        let body = match source {
            BuildSource::Tar(body) => Ok(body),
            BuildSource::Dir(dir) => BuildContext::from_dir(&dir, &dockerfile)
                .map(|c| reqwest::Body::wrap_stream(c.into_stream())),
        };
        JsonStream::connecting(async move {
            let body = body?;
            let response = docker
                .request(reqwest::Method::POST, "/build", &query, |r| {
                    r.header(reqwest::header::CONTENT_TYPE, "application/x-tar")
                        .body(body)
                })
                .await?;
            Ok(docker.body_stream(response))
        })
    }

    /// Build to the end; the image.
    pub async fn send(self) -> Result<Image> {
        let docker = self.docker.clone();
        let mut output = self.stream();
        let mut id = None;
        while let Some(item) = output.next().await {
            let item = item?;
            if let Some(aux) = item.aux.and_then(|a| a.id) {
                id = Some(aux);
            } else if let Some(line) = item
                .stream
                .as_deref()
                .and_then(|s| s.strip_prefix("Successfully built "))
            {
                id.get_or_insert_with(|| line.trim().to_string());
            }
        }
        let id = id.ok_or_else(|| Error::Stream("the build ended without an image id".into()))?;
        Image::inspect(&docker, &id).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_split_into_name_and_tag_or_digest() {
        assert_eq!(split_reference("busybox"), ("busybox", None));
        assert_eq!(split_reference("busybox:1.36"), ("busybox", Some("1.36")));
        assert_eq!(
            split_reference("127.0.0.1:5000/x"),
            ("127.0.0.1:5000/x", None)
        );
        assert_eq!(
            split_reference("127.0.0.1:5000/x:t"),
            ("127.0.0.1:5000/x", Some("t"))
        );
        assert_eq!(split_reference("x@sha256:ab"), ("x", Some("sha256:ab")));
    }
}
