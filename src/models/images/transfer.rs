//! `docker pull` and `docker push`, with progress, and where their credentials come from.

use futures_util::StreamExt;

use super::Image;
use crate::auth::{DockerConfig, RegistryAuth};
use crate::client::Docker;
use crate::error::{Error, Result};
use crate::raw::types::op;
use crate::stream::JsonStream;
use crate::stream::demux::ByteSource;

/// Where registry credentials come from.
#[derive(Clone, Debug)]
pub(crate) enum AuthSource {
    /// The docker CLI's config (`$DOCKER_CONFIG/config.json`), if it has any for the registry.
    Config,
    Explicit(RegistryAuth),
    None,
}

impl AuthSource {
    /// The `X-Registry-Auth` value for `reference`: explicit credentials, else those
    /// [`Docker::login`] checked for its registry, else the docker CLI's config.
    pub(crate) async fn header(&self, docker: &Docker, reference: &str) -> Result<Option<String>> {
        let auth = match self {
            AuthSource::Explicit(a) => Some(a.clone()),
            AuthSource::None => None,
            AuthSource::Config => match docker.login_for(&crate::auth::registry_of(reference)) {
                Some(a) => Some(a),
                None => {
                    DockerConfig::load()?
                        .credentials_for_image(reference)
                        .await?
                }
            },
        };
        Ok(auth.map(|a| a.header_value()))
    }

    /// The same credentials as an `X-Registry-Auth` header, for operations whose spec does
    /// not declare it (sent through [`crate::Docker::raw_with_headers`]); empty without any.
    pub(crate) async fn headers(
        &self,
        docker: &Docker,
        reference: &str,
    ) -> Result<http::HeaderMap> {
        registry_auth_headers(self.header(docker, reference).await?.as_deref())
    }
}

/// An `X-Registry-Auth` header with this value, if there is one.
pub(crate) fn registry_auth_headers(value: Option<&str>) -> Result<http::HeaderMap> {
    let mut headers = http::HeaderMap::new();
    if let Some(v) = value {
        let v = http::HeaderValue::from_str(v)
            .map_err(|_| Error::InvalidArgument("credentials do not fit a header".into()))?;
        headers.insert("x-registry-auth", v);
    }
    Ok(headers)
}

/// Split `name[:tag]` / `name@digest` into the name and what follows.
pub(super) fn split_reference(reference: &str) -> (&str, Option<&str>) {
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
    pub(super) fn new(docker: Docker, reference: String) -> Pull {
        Pull {
            docker,
            reference,
            all_tags: false,
            platform: None,
            auth: AuthSource::Config,
        }
    }

    /// Pull every tag of the repository (`docker pull -a`).
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let latest = docker.images().pull("registry.example/team/app").all_tags(true).send().await?;
    /// println!("every tag pulled; latest is {}", latest.short_id());
    /// # Ok(()) }
    /// ```
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
    ///
    /// The integration test `a_killed_daemon_ends_pull_build_exec_events_and_wait_within_a_second`
    /// reads a pull's progress.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// use futures_util::StreamExt;
    /// let mut progress = docker.images().pull("alpine:3.20").anonymous().stream();
    /// while let Some(line) = progress.next().await {
    ///     let line = line?;
    ///     println!("{} {}", line.status.unwrap_or_default(), line.progress.unwrap_or_default());
    /// }
    /// # Ok(()) }
    /// ```
    #[inline]
    pub fn stream(self) -> JsonStream<op::image_create::Item> {
        let Pull {
            docker,
            reference,
            all_tags,
            platform,
            auth,
        } = self;
        let context = format!(
            "pulling {reference} from registry {}",
            crate::auth::registry_of(&reference)
        );
        JsonStream::connecting(async move {
            let (name, tag) = split_reference(&reference);
            let header = auth.header(&docker, &reference).await?;
            let capture = docker.capture_stream();
            let mut call = capture
                .raw()
                .image_create()
                .from_image(name)
                .body(reqwest::Body::from(bytes::Bytes::new()));
            match (tag, all_tags) {
                (Some(t), _) => call = call.tag(t),
                (None, false) => call = call.tag("latest"),
                (None, true) => {}
            }
            if let Some(p) = platform {
                call = call.platform(p);
            }
            if let Some(h) = header {
                call = call.x_registry_auth(h);
            }
            let body: ByteSource = Box::pin(capture.stream(call.send()).await?.body);
            Ok(body)
        })
        .context(context)
    }

    /// Pull to the end; the image (for `all_tags`, the one tagged `latest` if any).
    ///
    /// The integration test `pull_and_push_with_credentials_from_the_docker_config` makes the same
    /// call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// use docker_engine::auth::RegistryAuth;
    /// let auth = RegistryAuth::basic("ci", "s3cret").server("registry.example");
    /// let image = docker.images().pull("registry.example/team/app:1.0").auth(auth).send().await?;
    /// println!("{:?}", image.tags());
    /// # Ok(()) }
    /// ```
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
    pub(super) fn new(docker: Docker, reference: String) -> Push {
        Push {
            docker,
            reference,
            auth: AuthSource::Config,
        }
    }

    /// Credentials for the registry (default: the docker CLI's config, if it has any).
    pub fn auth(mut self, auth: RegistryAuth) -> Self {
        self.auth = AuthSource::Explicit(auth);
        self
    }

    /// Progress as a `Stream`; an error the registry reports ends it with `Err`.
    ///
    /// The integration test `push_remove_and_pull_back_through_the_authenticated_registry` pushes.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// use futures_util::StreamExt;
    /// let mut progress = docker.images().push("registry.example/myapp:1.0").stream();
    /// while let Some(line) = progress.next().await {
    ///     println!("{}", line?.status.unwrap_or_default());
    /// }
    /// # Ok(()) }
    /// ```
    #[inline]
    pub fn stream(self) -> JsonStream<op::image_push::Item> {
        self.progress()
    }

    /// The progress lines, decoded as `T`.
    #[inline]
    fn progress<T>(self) -> JsonStream<T> {
        let Push {
            docker,
            reference,
            auth,
        } = self;
        let context = format!(
            "pushing {reference} to registry {}",
            crate::auth::registry_of(&reference)
        );
        JsonStream::connecting(async move {
            let (name, tag) = split_reference(&reference);
            // The daemon wants the header even for an anonymous push: `{}` then.
            let header = auth
                .header(&docker, &reference)
                .await?
                .unwrap_or_else(|| RegistryAuth::default().header_value());
            let capture = docker.capture_stream();
            let mut call = capture
                .raw()
                .image_push()
                .name(name)
                .x_registry_auth(header);
            if let Some(t) = tag {
                call = call.tag(t);
            }
            let body: ByteSource = Box::pin(capture.stream(call.send()).await?.body);
            Ok(body)
        })
        .context(context)
    }

    /// Push to the end; what the registry now holds: the tag, and the manifest's digest and
    /// size from the daemon's last progress line (its `aux`, which the typed items of
    /// [`stream`](Push::stream) do not carry), or from its `TAG: digest: DIGEST size: N`
    /// status where there is no `aux` (Podman's push). Proven by
    /// `login_checks_credentials_and_later_pulls_and_pushes_use_them`.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// use docker_engine::auth::RegistryAuth;
    /// let auth = RegistryAuth::basic("ci", "s3cret").server("registry.example");
    /// let pushed = docker.images().push("registry.example/myapp:1.0").auth(auth).send().await?;
    /// println!("{}@{} ({} bytes)", pushed.tag, pushed.digest, pushed.size);
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<Pushed> {
        let mut progress = self.progress::<serde_json::Value>();
        let (mut pushed, mut said) = (None, None);
        while let Some(item) = progress.next().await {
            let item = item?;
            if let Some(aux) = item.get("aux") {
                pushed = Some(Pushed {
                    tag: aux["Tag"].as_str().unwrap_or_default().to_string(),
                    digest: aux["Digest"].as_str().unwrap_or_default().to_string(),
                    size: aux["Size"].as_i64().unwrap_or_default(),
                });
            } else if let Some(p) = item["status"].as_str().and_then(digest_status) {
                said = Some(p);
            }
        }
        pushed
            .or(said)
            .ok_or_else(|| Error::stream("the push ended without the manifest's digest"))
    }
}

/// The last status of a push, `TAG: digest: sha256:... size: N`, as a [`Pushed`].
fn digest_status(status: &str) -> Option<Pushed> {
    let (tag, rest) = status.split_once(": digest: ")?;
    let (digest, size) = rest.split_once(" size: ")?;
    Some(Pushed {
        tag: tag.to_string(),
        digest: digest.to_string(),
        size: size.trim().parse().ok()?,
    })
}

/// What a push left in the registry.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Pushed {
    /// The tag pushed.
    pub tag: String,
    /// The manifest's digest (`sha256:...`): `name@digest` pulls exactly this.
    pub digest: String,
    /// The manifest's size in bytes.
    pub size: i64,
}

/// Builder of `GET /distribution/{name}/json`.
#[derive(Debug)]
pub struct RegistryData {
    docker: Docker,
    reference: String,
    auth: AuthSource,
}

impl RegistryData {
    pub(super) fn new(docker: Docker, reference: String) -> RegistryData {
        RegistryData {
            docker,
            reference,
            auth: AuthSource::Config,
        }
    }

    /// Credentials for the registry (default: the docker CLI's config, if it has any).
    ///
    /// The integration test `registry_data_with_and_without_credentials` makes the same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// use docker_engine::auth::RegistryAuth;
    /// let auth = RegistryAuth::basic("ci", "s3cret").server("registry.example");
    /// let data = docker.images().registry_data("registry.example/team/app:1");
    /// let data = data.auth(auth).send().await?;
    /// println!("{:?}", data.platforms());
    /// # Ok(()) }
    /// ```
    pub fn auth(mut self, auth: RegistryAuth) -> Self {
        self.auth = AuthSource::Explicit(auth);
        self
    }

    /// Send no credentials.
    pub fn anonymous(mut self) -> Self {
        self.auth = AuthSource::None;
        self
    }

    /// Ask the registry, through the daemon. The spec declares no credentials on this
    /// operation; they go as `X-Registry-Auth`, as the docker CLI sends them.
    ///
    /// The integration test `registry_data_with_and_without_credentials` makes the same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let data = docker.images().registry_data("busybox:latest").anonymous().send().await?;
    /// println!("{} ({})", data.short_id(), data.attrs_json()["Descriptor"]["mediaType"]);
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<Distribution> {
        let headers = self.auth.headers(&self.docker, &self.reference).await?;
        let c = self.docker.capture_whole_with(headers);
        let call = c.raw().distribution_inspect().name(&self.reference).send();
        let (attrs, answer) = c.whole(call).await?;
        Ok(Distribution {
            docker: self.docker,
            attrs,
            answer,
        })
    }
}

/// What the registry says of an image: its manifest's descriptor and the platforms it is
/// built for (docker-py's `RegistryData`). Read from the daemon's whole answer, so the
/// same on every API version: the v1.41 spec names the descriptor's fields `Digest` and
/// `Size` where daemons send `digest` and `size`, which its typed [`attrs`](Self::attrs)
/// therefore miss (`registry_data_with_and_without_credentials`).
#[derive(Clone, Debug)]
pub struct Distribution {
    docker: Docker,
    attrs: op::distribution_inspect::Response,
    answer: crate::models::Answer,
}

impl Distribution {
    /// The manifest's digest (`sha256:...`), docker-py's `id`.
    ///
    /// The integration test `registry_data_with_and_without_credentials` reads it.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let data = docker.images().registry_data("alpine:3.20").send().await?;
    /// let pinned = format!("alpine@{}", data.id()); // pull exactly this manifest
    /// docker.images().pull(pinned).send().await?;
    /// # Ok(()) }
    /// ```
    pub fn id(&self) -> &str {
        self.answer.json()["Descriptor"]["digest"]
            .as_str()
            .unwrap_or_default()
    }

    /// The digest's first 12 hex digits, without `sha256:`, as every `short_id` of this
    /// crate (docker-py keeps the prefix: its 19 characters). The integration test
    /// `registry_data_with_and_without_credentials` asserts it.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let data = docker.images().registry_data("alpine:3.20").send().await?;
    /// println!("{}", data.short_id()); // 0a1b2c3d4e5f
    /// # Ok(()) }
    /// ```
    pub fn short_id(&self) -> &str {
        crate::models::model::short(self.id())
    }

    /// The platforms, as `os/architecture[/variant]`.
    ///
    /// The integration test `registry_data_with_and_without_credentials` reads them.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let data = docker.images().registry_data("alpine:3.20").send().await?;
    /// for platform in data.platforms() {
    ///     println!("{platform}"); // linux/amd64, linux/arm64/v8, ...
    /// }
    /// # Ok(()) }
    /// ```
    pub fn platforms(&self) -> Vec<String> {
        let none = Vec::new();
        let list = self.answer.json()["Platforms"].as_array().unwrap_or(&none);
        list.iter()
            .map(|p| {
                let field = |k: &str| p[k].as_str().unwrap_or_default();
                let mut s = format!("{}/{}", field("os"), field("architecture"));
                if !field("variant").is_empty() {
                    s = format!("{s}/{}", field("variant"));
                }
                s
            })
            .collect()
    }

    /// Whether the image is built for `platform` (`os[/architecture[/variant]]`), docker-py's
    /// `has_platform`: an OS or architecture left out is the daemon's (one request), a
    /// variant left out must be absent. More than three parts is
    /// [`Error::InvalidArgument`](crate::Error::InvalidArgument).
    ///
    /// The integration test `registry_data_with_and_without_credentials` makes the same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let data = docker.images().registry_data("alpine:3.20").send().await?;
    /// if !data.has_platform("linux/arm64").await? {
    ///     println!("no arm64 build of alpine:3.20");
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn has_platform(&self, platform: &str) -> Result<bool> {
        let parts: Vec<&str> = platform.split('/').collect();
        if parts.len() > 3 || parts.iter().any(|p| p.is_empty()) {
            return Err(crate::Error::InvalidArgument(format!(
                "a platform is os[/architecture[/variant]], not {platform:?}"
            )));
        }
        let (os, arch) = if parts.len() >= 2 {
            (parts[0].to_string(), parts[1].to_string())
        } else {
            let v = self.docker.version().await?;
            let os = parts.first().map(|s| s.to_string()).or(v.os);
            (os.unwrap_or_default(), v.arch.unwrap_or_default())
        };
        let mut wanted = format!("{os}/{arch}");
        if let Some(variant) = parts.get(2) {
            wanted = format!("{wanted}/{variant}");
        }
        Ok(self.platforms().contains(&wanted))
    }

    /// The answer typed by the crate's API version.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let data = docker.images().registry_data("alpine:3.20").send().await?;
    /// println!("{:?}", data.attrs().platforms);
    /// # Ok(()) }
    /// ```
    pub fn attrs(&self) -> &op::distribution_inspect::Response {
        &self.attrs
    }

    /// The daemon's whole answer.
    ///
    /// The integration test `registry_data_with_and_without_credentials` reads it.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let data = docker.images().registry_data("alpine:3.20").send().await?;
    /// println!("{}", data.attrs_json()["Descriptor"]["size"]);
    /// # Ok(()) }
    /// ```
    pub fn attrs_json(&self) -> &serde_json::Value {
        self.answer.json()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_push_status_with_the_digest_is_what_was_pushed() {
        let p = super::digest_status("t1: digest: sha256:ab12 size: 527").unwrap();
        assert_eq!(
            (p.tag.as_str(), p.digest.as_str(), p.size),
            ("t1", "sha256:ab12", 527)
        );
        assert!(super::digest_status("The push refers to repository [r]").is_none());
        assert!(super::digest_status("t1: digest: sha256:ab12 size: many").is_none());
    }

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
