//! The daemon itself: `docker version`, `docker info`, ping.

use crate::client::Docker;
use crate::error::{Error, Result};
use crate::raw::types::op;
use crate::session::Upgraded;
use crate::version::ApiVersion;

/// What `HEAD /_ping` says about the daemon, from its headers.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct PingInfo {
    /// `API-Version`: the newest API version the daemon speaks.
    pub api_version: Option<ApiVersion>,
    /// `OSType`: `linux` or `windows`.
    pub os_type: Option<String>,
    /// `Docker-Experimental`: experimental features are on.
    pub experimental: bool,
    /// `Builder-Version`: the default builder, `1` (classic) or `2` (BuildKit).
    pub builder_version: Option<String>,
    /// `Swarm`: the node's swarm state (`inactive`, `pending`, `error`, `locked`,
    /// `active/worker`, `active/manager`); from API 1.40.
    pub swarm: Option<String>,
}

impl PingInfo {
    fn from_headers(h: &http::HeaderMap) -> PingInfo {
        let text = |name: &str| {
            h.get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        PingInfo {
            api_version: text("api-version").and_then(|v| v.parse().ok()),
            os_type: text("ostype"),
            experimental: text("docker-experimental").as_deref() == Some("true"),
            builder_version: text("builder-version"),
            swarm: text("swarm"),
        }
    }
}

impl Docker {
    /// `GET /_ping`: whether the daemon answers (it says `OK`).
    pub async fn ping(&self) -> Result<()> {
        use futures_util::StreamExt;
        let mut body = self
            .call(self.raw().system_ping().send())
            .await?
            .into_inner();
        // Read the `OK` to its end: the connection then goes back to the pool.
        while let Some(chunk) = body.next().await {
            chunk.map_err(|e| Error::from_raw(self.address(), e.into()))?;
        }
        Ok(())
    }

    /// `HEAD /_ping`: the daemon's headers as a [`PingInfo`], without a body.
    pub async fn ping_info(&self) -> Result<PingInfo> {
        let response = self.raw().system_ping_head().send().await;
        let response = response.map_err(|e| Error::from_raw(self.address(), e))?;
        Ok(PingInfo::from_headers(response.headers()))
    }

    /// `POST /session`: a connection upgraded to `h2c`, on which the caller serves
    /// BuildKit's session services (file sync, credentials) to the daemon over gRPC. `id`
    /// goes as `X-Docker-Expose-Session-Uuid`. Only the handshake is done here
    /// (`session_connection_upgrades_to_h2c`).
    pub async fn session_connection(&self, id: &str) -> Result<Upgraded> {
        let mut headers = http::HeaderMap::new();
        let id = http::HeaderValue::from_str(id).map_err(|_| {
            Error::InvalidArgument(format!("session id {id:?} is not a header value"))
        })?;
        headers.insert(http::header::UPGRADE, http::HeaderValue::from_static("h2c"));
        headers.insert("x-docker-expose-session-uuid", id);
        let capture = self.capture_upgrade_with(headers);
        let (_, io) = capture.upgrade(capture.raw().session().send()).await?;
        Ok(Upgraded::new(io))
    }

    /// `docker version`.
    pub async fn version(&self) -> Result<op::system_version::Response> {
        self.call(self.raw().system_version().send()).await
    }

    /// `docker info`.
    pub async fn info(&self) -> Result<op::system_info::Response> {
        self.call(self.raw().system_info().send()).await
    }
}
