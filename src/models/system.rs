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

impl Docker {
    /// `docker system df`: what images, containers, volumes and the build cache take on
    /// disk (docker-py's `client.df()`). Proven by
    /// `container_health_ports_and_image_as_docker_py_has_them`.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let df = docker.df().await?;
    /// println!("layers: {} bytes", df.layers_size.unwrap_or_default());
    /// println!("{} volumes", df.volumes.map_or(0, |v| v.len()));
    /// # Ok(()) }
    /// ```
    pub async fn df(&self) -> Result<op::system_data_usage::Response> {
        self.call(self.raw().system_data_usage().send()).await
    }

    /// `docker login`: check `auth` with the daemon (`POST /auth`), and use it for this
    /// client's later pulls, pushes and plugin installs from that registry when they are
    /// given no credentials of their own (before the docker CLI's config), as docker-py's
    /// `client.login` does. Without a server address it is Docker Hub. When the registry
    /// answers with an identity token, that is kept instead of the password, as the
    /// docker CLI does. Wrong credentials are the daemon's error and are not kept.
    /// Proven by `login_checks_credentials_and_later_pulls_and_pushes_use_them`.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// use docker_engine::auth::RegistryAuth;
    /// let auth = RegistryAuth::basic("ci", "s3cret").server("registry.example");
    /// let answer = docker.login(auth).await?;
    /// println!("{:?}", answer.status); // Login Succeeded
    /// docker.images().pull("registry.example/team/app").send().await?; // uses the login
    /// # Ok(()) }
    /// ```
    pub async fn login(
        &self,
        auth: crate::auth::RegistryAuth,
    ) -> Result<op::system_auth::Response> {
        let mut auth = auth;
        if auth.server_address.is_none() {
            auth.server_address = Some(crate::auth::DOCKER_HUB_KEY.to_string());
        }
        let body: op::system_auth::Body = crate::models::body_from_json(
            serde_json::to_value(&auth).unwrap_or_default(),
            "login credentials",
        )?;
        let answer = self
            .call(self.raw().system_auth().body(body).send())
            .await?;
        if let Some(token) = answer.identity_token.as_deref().filter(|t| !t.is_empty()) {
            auth.password = None;
            auth.identity_token = Some(token.to_string());
        }
        self.remember_login(auth);
        Ok(answer)
    }
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
    ///
    /// The integration test `negotiates_the_engines_api_version` makes the same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// if let Err(e) = docker.ping().await {
    ///     eprintln!("no engine at {}: {e}", docker.address());
    /// }
    /// # Ok(()) }
    /// ```
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
    ///
    /// The integration test `ping_head_reports_the_daemons_headers` makes the same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let ping = docker.ping_info().await?;
    /// println!("API {:?} on {:?}, swarm {:?}", ping.api_version, ping.os_type, ping.swarm);
    /// # Ok(()) }
    /// ```
    pub async fn ping_info(&self) -> Result<PingInfo> {
        let response = self.raw().system_ping_head().send().await;
        let response = response.map_err(|e| Error::from_raw(self.address(), e))?;
        Ok(PingInfo::from_headers(response.headers()))
    }

    /// `POST /session`: a connection upgraded to `h2c`, on which the caller serves
    /// BuildKit's session services (file sync, credentials) to the daemon over gRPC. `id`
    /// goes as `X-Docker-Expose-Session-Uuid`. Only the handshake is done here
    /// (`session_connection_upgrades_to_h2c`).
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// use tokio::io::AsyncWriteExt;
    /// let mut h2c = docker.session_connection("5d3f2b1e-build-session").await?;
    /// // Serve BuildKit's gRPC session services on `h2c` with an HTTP/2 server.
    /// h2c.shutdown().await?;
    /// # Ok(()) }
    /// ```
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
    ///
    /// The integration test `negotiates_the_engines_api_version` makes the same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let v = docker.version().await?;
    /// let api = v.api_version.unwrap_or_default();
    /// println!("Docker {} (API {api})", v.version.unwrap_or_default());
    /// # Ok(()) }
    /// ```
    pub async fn version(&self) -> Result<op::system_version::Response> {
        self.call(self.raw().system_version().send()).await
    }

    /// `docker info`.
    ///
    /// The integration test `system_endpoints_decode` makes the same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let info = docker.info().await?;
    /// let running = info.containers_running.unwrap_or(0);
    /// println!("{} containers, {running} running", info.containers.unwrap_or(0));
    /// # Ok(()) }
    /// ```
    pub async fn info(&self) -> Result<op::system_info::Response> {
        self.call(self.raw().system_info().send()).await
    }
}
