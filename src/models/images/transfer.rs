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
    pub(crate) async fn header(&self, reference: &str) -> Result<Option<String>> {
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

    /// The same credentials as an `X-Registry-Auth` header, for operations whose spec does
    /// not declare it (sent through [`crate::Docker::raw_with_headers`]); empty without any.
    pub(crate) async fn headers(&self, reference: &str) -> Result<http::HeaderMap> {
        registry_auth_headers(self.header(reference).await?.as_deref())
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
    #[inline]
    pub fn stream(self) -> JsonStream<op::image_create::Item> {
        let Pull {
            docker,
            reference,
            all_tags,
            platform,
            auth,
        } = self;
        JsonStream::connecting(async move {
            let (name, tag) = split_reference(&reference);
            let header = auth.header(&reference).await?;
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
    #[inline]
    pub fn stream(self) -> JsonStream<op::image_push::Item> {
        let Push {
            docker,
            reference,
            auth,
        } = self;
        JsonStream::connecting(async move {
            let (name, tag) = split_reference(&reference);
            // The daemon wants the header even for an anonymous push: `{}` then.
            let header = auth
                .header(&reference)
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
    pub async fn send(self) -> Result<op::distribution_inspect::Response> {
        let raw = self
            .docker
            .raw_with_headers(self.auth.headers(&self.reference).await?);
        let call = raw.distribution_inspect().name(&self.reference).send();
        self.docker.call(call).await
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
