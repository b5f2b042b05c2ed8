//! [`Docker`]: the handle everything starts from.

use std::future::Future;
use std::path::PathBuf;
use std::time::Duration;

use bytes::Bytes;
use futures_util::StreamExt;

use crate::containers::Containers;
use crate::error::{Error, Result};
use crate::raw::{self, ResponseValue, types};
use crate::transport::{Host, Settings, Shared, TlsMaterial};
use crate::version::ApiVersion;

/// The default address, as the docker CLI has it.
pub const DEFAULT_HOST: &str = "unix:///var/run/docker.sock";

/// A connection to one Docker engine. Cheap to clone: clones share one connection pool
/// and one negotiated API version.
///
/// ```no_run
/// # async fn f() -> docker_engine::Result<()> {
/// let docker = docker_engine::Docker::from_env()?;
/// println!("API {}", docker.api_version().await?);
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Docker {
    shared: Shared,
    raw: raw::Client,
}

impl Docker {
    /// Connect as the docker CLI does: `DOCKER_HOST` (default
    /// `unix:///var/run/docker.sock`), `DOCKER_TLS_VERIFY` with `DOCKER_CERT_PATH` (default
    /// `~/.docker`: `ca.pem`, `cert.pem`, `key.pem`), `DOCKER_API_VERSION` to pin a version.
    ///
    /// A malformed `DOCKER_HOST` fails here; an unreachable daemon fails at first use.
    pub fn from_env() -> Result<Docker> {
        Docker::builder().env()?.build()
    }

    /// Connect to `host` (`unix:///path`, `tcp://host:port`, `http://...`), no TLS.
    pub fn connect(host: &str) -> Result<Docker> {
        Docker::builder().host(host).build()
    }

    /// A builder for everything `from_env` reads, and timeouts.
    pub fn builder() -> DockerBuilder {
        DockerBuilder::default()
    }

    /// The generated client for every endpoint of the API, bound to this connection and
    /// its API version (negotiated on first use).
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let top = docker.raw().container_top().id("my-container").send().await?;
    /// # Ok(()) }
    /// ```
    pub fn raw(&self) -> &raw::Client {
        &self.raw
    }

    /// The address requests go to.
    pub fn address(&self) -> &str {
        self.shared.address()
    }

    /// The API version in use: pinned, or negotiated once with the daemon
    /// (min(server's version, [`ApiVersion::SPEC`])).
    pub async fn api_version(&self) -> Result<ApiVersion> {
        self.shared.api_version().await
    }

    /// `GET /_ping`.
    pub async fn ping(&self) -> Result<()> {
        self.call(self.raw.system_ping().send()).await.map(drop)
    }

    /// `docker version`.
    pub async fn version(&self) -> Result<types::SystemVersion> {
        self.call(self.raw.system_version().send()).await
    }

    /// `docker info`.
    pub async fn info(&self) -> Result<types::SystemInfo> {
        self.call(self.raw.system_info().send()).await
    }

    /// `docker events`: a builder; `.stream()` gives typed events as they happen.
    pub fn events(&self) -> crate::events::Events {
        crate::events::Events::new(self.clone())
    }

    /// Containers: list, get, create, run.
    pub fn containers(&self) -> Containers {
        Containers::new(self.clone())
    }

    /// Images: list, get, pull, push, build, tag, import, load, save.
    pub fn images(&self) -> crate::images::Images {
        crate::images::Images::new(self.clone())
    }

    /// Networks: list, get, create, connect.
    pub fn networks(&self) -> crate::networks::Networks {
        crate::networks::Networks::new(self.clone())
    }

    /// Volumes: list, get, create.
    pub fn volumes(&self) -> crate::volumes::Volumes {
        crate::volumes::Volumes::new(self.clone())
    }

    /// Await a generated call, mapping its error with this connection's address.
    pub(crate) async fn call<T>(
        &self,
        fut: impl Future<
            Output = std::result::Result<
                ResponseValue<T>,
                progenitor_client::Error<types::ErrorResponse>,
            >,
        >,
    ) -> Result<T> {
        match fut.await {
            Ok(v) => Ok(v.into_inner()),
            // A status the spec does not list for this operation: keep the daemon's words.
            Err(progenitor_client::Error::UnexpectedResponse(response)) => {
                let status = response.status().as_u16();
                let body = response
                    .bytes()
                    .await
                    .map_err(|e| Error::transport(self.address(), e))?;
                Err(Error::from_status(status, &body))
            }
            Err(e) => Err(Error::from_raw(self.address(), e)),
        }
    }

    /// Send a hand-built request under the version prefix; error statuses become errors.
    pub(crate) async fn request(
        &self,
        method: reqwest::Method,
        path: &str,
        query: &[(&str, String)],
        build: impl FnOnce(reqwest::RequestBuilder) -> reqwest::RequestBuilder,
    ) -> Result<reqwest::Response> {
        let url = self.shared.url(path).await?;
        let request = build(self.shared.http().request(method.clone(), url).query(query));
        let started = std::time::Instant::now();
        let response = request
            .send()
            .await
            .map_err(|e| Error::transport(self.address(), e))?;
        let status = response.status().as_u16();
        tracing::debug!(%method, path, status, latency_us = started.elapsed().as_micros() as u64, "docker request");
        if status >= 400 {
            let body = response
                .bytes()
                .await
                .map_err(|e| Error::transport(self.address(), e))?;
            return Err(Error::from_status(status, &body));
        }
        Ok(response)
    }

    /// `GET` a long stream (logs, events, stats): on a connection of its own, polled by the
    /// stream's reader ([`crate::direct`]), or through reqwest for TLS hosts. Error statuses
    /// become errors; the headers come back for the stream type.
    pub(crate) async fn stream_get(
        &self,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<(http::HeaderMap, crate::stream::demux::ByteSource)> {
        let (host, connect_timeout) = self.shared.endpoint();
        if !crate::direct::supported(host) {
            let response = self
                .request(reqwest::Method::GET, path, query, |r| r)
                .await?;
            return Ok((response.headers().clone(), self.body_stream(response)));
        }
        let mut url = reqwest::Url::parse(&self.shared.url(path).await?)
            .map_err(|e| Error::InvalidArgument(format!("cannot build the request URL: {e}")))?;
        if !query.is_empty() {
            url.query_pairs_mut()
                .extend_pairs(query.iter().map(|(k, v)| (*k, v.as_str())));
        }
        let path_and_query = match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_string(),
        };
        let started = std::time::Instant::now();
        let (status, headers, body) =
            crate::direct::get(host, self.address(), connect_timeout, &path_and_query).await?;
        tracing::debug!(
            method = "GET",
            path,
            status,
            latency_us = started.elapsed().as_micros() as u64,
            "docker stream"
        );
        if status >= 400 {
            let mut text = Vec::new();
            let mut body = body;
            while let Some(chunk) = body.next().await {
                text.extend_from_slice(&chunk?);
            }
            return Err(Error::from_status(status, &text));
        }
        Ok((headers, Box::pin(body)))
    }

    /// The body of a response as a stream of byte chunks with errors mapped.
    pub(crate) fn body_stream(
        &self,
        response: reqwest::Response,
    ) -> std::pin::Pin<Box<dyn futures_core::Stream<Item = Result<Bytes>> + Send>> {
        let address = self.address().to_string();
        Box::pin(
            response
                .bytes_stream()
                .map(move |r| r.map_err(|e| Error::transport(&address, e))),
        )
    }
}

/// Percent-encode an id or name as one path segment. Empty, `.` and `..` are refused:
/// URL parsing would resolve them into another endpoint's path.
pub(crate) fn segment(id: &str) -> Result<String> {
    if id.is_empty() || id == "." || id == ".." {
        return Err(Error::InvalidArgument(format!(
            "{id:?} is not a valid id or name"
        )));
    }
    Ok(progenitor_client::encode_path(id))
}

/// The short form of an id: its first 12 characters, without a `sha256:` prefix. An id
/// that is shorter, or not ASCII where it would be cut, is given whole.
pub(crate) fn short(id: &str) -> &str {
    let id = id.strip_prefix("sha256:").unwrap_or(id);
    id.get(..12).unwrap_or(id)
}

/// Settings for a [`Docker`] connection.
#[derive(Clone, Debug)]
pub struct DockerBuilder {
    host: Option<String>,
    tls: Option<TlsMaterial>,
    version: Option<ApiVersion>,
    connect_timeout: Duration,
    request_timeout: Option<Duration>,
    pool_idle_timeout: Duration,
}

impl Default for DockerBuilder {
    fn default() -> Self {
        DockerBuilder {
            host: None,
            tls: None,
            version: None,
            connect_timeout: Duration::from_secs(10),
            request_timeout: None,
            pool_idle_timeout: Duration::from_secs(30),
        }
    }
}

impl DockerBuilder {
    /// Read `DOCKER_HOST`, `DOCKER_TLS_VERIFY`, `DOCKER_CERT_PATH` and `DOCKER_API_VERSION`.
    pub fn env(mut self) -> Result<DockerBuilder> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        if let Some(host) = var("DOCKER_HOST") {
            self.host = Some(host);
        }
        if var("DOCKER_TLS_VERIFY").is_some() {
            let dir = match var("DOCKER_CERT_PATH") {
                Some(d) => PathBuf::from(d),
                None => home_dir().map(|h| h.join(".docker")).ok_or_else(|| {
                    Error::TlsConfig(
                        "DOCKER_TLS_VERIFY is set but neither DOCKER_CERT_PATH nor HOME is".into(),
                    )
                })?,
            };
            self.tls = Some(TlsMaterial::from_dir(dir)?);
        }
        if let Some(v) = var("DOCKER_API_VERSION") {
            self.version = Some(v.parse()?);
        }
        Ok(self)
    }

    /// The daemon's address, in `DOCKER_HOST` form.
    pub fn host(mut self, host: impl Into<String>) -> Self {
        self.host = Some(host.into());
        self
    }

    /// TLS material: verify the daemon against its CA and present a client certificate.
    pub fn tls(mut self, tls: TlsMaterial) -> Self {
        self.tls = Some(tls);
        self
    }

    /// TLS material from a directory in the docker CLI's layout (`ca.pem`, `cert.pem`, `key.pem`).
    pub fn cert_path(mut self, dir: impl Into<PathBuf>) -> Result<Self> {
        self.tls = Some(TlsMaterial::from_dir(dir)?);
        Ok(self)
    }

    /// Pin the API version instead of negotiating it.
    pub fn api_version(mut self, version: ApiVersion) -> Self {
        self.version = Some(version);
        self
    }

    /// How long to wait for a connection (default 10 s).
    pub fn connect_timeout(mut self, t: Duration) -> Self {
        self.connect_timeout = t;
        self
    }

    /// A whole-request timeout. Off by default: it would also cut `logs --follow`,
    /// events, attach, exec and wait.
    pub fn timeout(mut self, t: Duration) -> Self {
        self.request_timeout = Some(t);
        self
    }

    /// How long an idle pooled connection is kept (default 30 s).
    pub fn pool_idle_timeout(mut self, t: Duration) -> Self {
        self.pool_idle_timeout = t;
        self
    }

    /// Build the handle. Nothing is sent until the first call.
    pub fn build(self) -> Result<Docker> {
        let host = Host::parse(self.host.as_deref().unwrap_or(DEFAULT_HOST))?;
        let shared = Shared::new(Settings {
            host,
            tls: self.tls,
            version: self.version,
            connect_timeout: self.connect_timeout,
            request_timeout: self.request_timeout,
            pool_idle_timeout: self.pool_idle_timeout,
        })?;
        let raw = shared.raw_client();
        Ok(Docker { shared, raw })
    }
}

fn home_dir() -> Option<PathBuf> {
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_ids_never_cut_inside_a_character() {
        assert_eq!(short("sha256:0123456789abcdef"), "0123456789ab");
        assert_eq!(short("abc"), "abc");
        assert_eq!(short("0123456789aé0000"), "0123456789aé0000");
        assert!(segment(".").is_err() && segment("..").is_err() && segment("").is_err());
        assert_eq!(segment("a/b?c").unwrap(), "a%2Fb%3Fc");
    }
}
