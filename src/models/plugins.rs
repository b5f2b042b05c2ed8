//! Managed plugins: the [`Plugins`] collection (`docker.plugins()`) and the [`Plugin`]
//! model, docker-py's `client.plugins`: install (pull with the privileges the plugin asks
//! for), create from a directory, list, get, enable, disable, configure, push, upgrade,
//! remove.
//!
//! Install, upgrade and push answer with progress messages, as an image pull and push do;
//! the methods here read them to the end, and an error the daemon reports in them is the
//! call's error.

use std::collections::HashMap;
use std::path::Path;

use futures_util::StreamExt;

use crate::auth::RegistryAuth;
use crate::client::Docker;
use crate::error::{Error, Result};
use crate::models::body_from_json;
use crate::models::images::{AuthSource, BuildContext, registry_auth_headers};
use crate::models::model::{Answer, Handle, Kind, Model, list_models};
use crate::raw::types::op;
use crate::stream::JsonStream;
use crate::stream::demux::ByteSource;

impl Docker {
    /// Managed plugins: install, create, list, get.
    ///
    /// The integration test `swarm_services_tasks_nodes_secrets_configs_and_plugins` goes through
    /// it.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// for p in docker.plugins().list().send().await? {
    ///     println!("{} enabled: {}", p.name(), p.enabled());
    /// }
    /// # Ok(()) }
    /// ```
    pub fn plugins(&self) -> Plugins {
        Plugins {
            docker: self.clone(),
        }
    }
}

/// `docker.plugins()`.
#[derive(Clone, Debug)]
pub struct Plugins {
    docker: Docker,
}

impl Plugins {
    /// `docker plugin install REMOTE`: a builder. The privileges the plugin asks for are
    /// granted, as `--grant-all-permissions` does (docker-py's `plugins.install` too).
    ///
    /// The integration test `swarm_services_tasks_nodes_secrets_configs_and_plugins` makes the same
    /// call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let sshfs = docker.plugins().install("vieux/sshfs:latest").name("sshfs").send().await?;
    /// sshfs.enable(0).await?;
    /// # Ok(()) }
    /// ```
    pub fn install(&self, remote: impl Into<String>) -> InstallPlugin {
        InstallPlugin {
            docker: self.docker.clone(),
            remote: remote.into(),
            name: None,
            auth: AuthSource::Config,
            upgrade: None,
        }
    }

    /// `docker plugin create NAME DIR`: `dir` holds the plugin's `config.json` and its
    /// `rootfs/`; it is sent as a tar archive. The plugin is left disabled.
    ///
    /// The integration test `swarm_services_tasks_nodes_secrets_configs_and_plugins` makes the same
    /// call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let plugin = docker.plugins().create("registry.example/myvolume:1", "./plugin").await?;
    /// assert!(!plugin.enabled());
    /// # Ok(()) }
    /// ```
    pub async fn create(&self, name: impl Into<String>, dir: impl AsRef<Path>) -> Result<Plugin> {
        let name = name.into();
        let archive = BuildContext::whole_dir(dir.as_ref())?.into_stream();
        let call = self
            .docker
            .raw()
            .plugin_create()
            .name(&name)
            .body(reqwest::Body::wrap_stream(archive))
            .send();
        self.docker.call(call).await?;
        self.get(&name).await
    }

    /// `docker plugin ls`: a builder.
    ///
    /// The integration test `swarm_services_tasks_nodes_secrets_configs_and_plugins` makes the same
    /// call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let drivers = docker.plugins().list().capability("volumedriver").send().await?;
    /// println!("{} volume drivers", drivers.len());
    /// # Ok(()) }
    /// ```
    pub fn list(&self) -> ListPlugins {
        ListPlugins {
            docker: self.docker.clone(),
            filters: crate::filters::Filters::default(),
        }
    }

    /// Inspect a plugin by name (`name[:tag]`) or id.
    ///
    /// The integration test `swarm_services_tasks_nodes_secrets_configs_and_plugins` makes the same
    /// call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let sshfs = docker.plugins().get("sshfs:latest").await?;
    /// println!("{} {:?}", sshfs.name(), sshfs.env());
    /// # Ok(()) }
    /// ```
    pub async fn get(&self, name: impl AsRef<str>) -> Result<Plugin> {
        Plugin::inspect(&self.docker, name.as_ref()).await
    }

    /// A plugin by name or id, not inspected: its verbs.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let sshfs = docker.plugins().handle("sshfs:latest");
    /// sshfs.disable(false).await?;
    /// sshfs.remove(false).await?;
    /// # Ok(()) }
    /// ```
    pub fn handle(&self, name: impl Into<String>) -> PluginHandle {
        PluginHandle::new(&self.docker, name.into())
    }
}

/// Builder of `docker plugin install` and `docker plugin upgrade`: privileges, then the
/// pull (or upgrade) with its progress read to the end.
#[derive(Debug)]
pub struct InstallPlugin {
    docker: Docker,
    remote: String,
    name: Option<String>,
    auth: AuthSource,
    /// The installed plugin to upgrade, for `Plugin::upgrade`.
    upgrade: Option<String>,
}

impl InstallPlugin {
    /// The local name (default: the remote reference).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Credentials for the registry (default: the docker CLI's config, if it has any).
    pub fn auth(mut self, auth: RegistryAuth) -> Self {
        self.auth = AuthSource::Explicit(auth);
        self
    }

    /// Install (or upgrade) and read the progress to its end; the plugin.
    ///
    /// The integration test `swarm_services_tasks_nodes_secrets_configs_and_plugins` installs and
    /// upgrades a plugin.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// use docker_engine::auth::RegistryAuth;
    /// let auth = RegistryAuth::basic("ci", "s3cret").server("registry.example");
    /// let install = docker.plugins().install("registry.example/myvolume:1").name("myvolume");
    /// let plugin = install.auth(auth).send().await?;
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<Plugin> {
        let d = &self.docker;
        let header = self.auth.header(d, &self.remote).await?;
        // The privileges the plugin asks for, with the same credentials (the spec declares
        // none on this operation; the docker CLI sends them).
        let raw = d.raw_with_headers(registry_auth_headers(header.as_deref())?);
        let asked = d
            .call(raw.get_plugin_privileges().remote(&self.remote).send())
            .await?;
        // Granted as asked: the same JSON array goes back in the pull's body.
        let asked = serde_json::to_value(&asked).map_err(|e| Error::decode("privileges", e))?;
        let capture = d.capture_stream();
        let raw = capture.raw();
        let name = match &self.upgrade {
            Some(installed) => {
                let mut call = raw.plugin_upgrade().name(installed).remote(&self.remote);
                if let Some(h) = header {
                    call = call.x_registry_auth(h);
                }
                let body: op::plugin_upgrade::Body = body_from_json(asked, "the privileges")?;
                read_progress(capture.stream(call.body(body).send()).await?.body).await?;
                installed.clone()
            }
            None => {
                let mut call = raw.plugin_pull().remote(&self.remote);
                if let Some(n) = &self.name {
                    call = call.name(n);
                }
                if let Some(h) = header {
                    call = call.x_registry_auth(h);
                }
                let body: op::plugin_pull::Body = body_from_json(asked, "the privileges")?;
                read_progress(capture.stream(call.body(body).send()).await?.body).await?;
                self.name.clone().unwrap_or_else(|| self.remote.clone())
            }
        };
        d.plugins().get(name).await
    }
}

/// Read a progress stream to its end; an error the daemon reports in it is the error.
async fn read_progress(
    body: impl futures_core::Stream<Item = Result<bytes::Bytes>> + Send + 'static,
) -> Result<()> {
    let source: ByteSource = Box::pin(body);
    let mut items = JsonStream::<serde_json::Value>::new(source);
    while let Some(item) = items.next().await {
        item?;
    }
    Ok(())
}

/// Builder of `GET /plugins`.
#[derive(Debug)]
pub struct ListPlugins {
    docker: Docker,
    filters: crate::filters::Filters,
}

impl ListPlugins {
    crate::models::filter_setters! {
        /// Only plugins that provide this capability (`volumedriver`, `networkdriver`, ...).
        capability => "capability",
        /// Only enabled (`true`) or disabled (`false`) plugins.
        enabled => "enabled",
    }

    /// Send the request.
    ///
    /// The integration test `swarm_services_tasks_nodes_secrets_configs_and_plugins` makes the same
    /// call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let disabled = docker.plugins().list().enabled("false").send().await?;
    /// for p in disabled {
    ///     println!("{}", p.name());
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<Vec<Plugin>> {
        let c = self.docker.capture_whole();
        let mut call = c.raw().plugin_list();
        if let Some(f) = self.filters.to_query() {
            call = call.filters(f);
        }
        let (list, answer) = c.whole(call.send()).await?;
        list_models(&self.docker, op::plugin_list::items(list), &answer, None)
    }
}

/// The plugin kind of [`Model`]: its handle names it by name (`name:tag`).
#[derive(Debug)]
pub enum PluginKind {}

impl Kind for PluginKind {
    type Attrs = op::plugin_inspect::Response;
    const NAME: &'static str = "Plugin";

    async fn inspect(docker: &Docker, name: &str) -> Result<(Self::Attrs, Answer)> {
        let c = docker.capture_whole();
        c.whole(c.raw().plugin_inspect().name(name).send()).await
    }

    fn id(attrs: &Self::Attrs) -> Option<&str> {
        attrs.name.as_deref()
    }

    fn labels(_: &Self::Attrs) -> Option<&HashMap<String, String>> {
        None
    }
}

/// A plugin: its inspect answer ([`Model::attrs`]); it derefs to its [`PluginHandle`].
pub type Plugin = Model<PluginKind>;

/// A plugin by name, not inspected: the verbs.
pub type PluginHandle = Handle<PluginKind>;

impl Model<PluginKind> {
    /// Whether it is enabled.
    ///
    /// The integration test `swarm_services_tasks_nodes_secrets_configs_and_plugins` reads it.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let p = docker.plugins().get("sshfs").await?;
    /// if !p.enabled() {
    ///     p.enable(30).await?;
    /// }
    /// # Ok(()) }
    /// ```
    pub fn enabled(&self) -> bool {
        let attrs = serde_json::to_value(&self.attrs).unwrap_or_default();
        attrs["Enabled"].as_bool().unwrap_or(false)
    }

    /// Its settings' environment, `KEY=value`.
    ///
    /// The integration test `swarm_services_tasks_nodes_secrets_configs_and_plugins` reads it.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let p = docker.plugins().get("sshfs").await?;
    /// assert!(p.env().contains(&"DEBUG=1".to_string()));
    /// # Ok(()) }
    /// ```
    pub fn env(&self) -> Vec<String> {
        let attrs = serde_json::to_value(&self.attrs).unwrap_or_default();
        let env = attrs["Settings"]["Env"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        env.iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect()
    }
}

impl Handle<PluginKind> {
    /// The name (also its [`id`](Handle::id)).
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let p = docker.plugins().handle("sshfs:latest");
    /// println!("{}", p.name());
    /// # Ok(()) }
    /// ```
    pub fn name(&self) -> &str {
        &self.id
    }

    /// `docker plugin enable`; `timeout` in seconds for the plugin to start (0: the
    /// daemon's default).
    ///
    /// The integration test `swarm_services_tasks_nodes_secrets_configs_and_plugins` makes the same
    /// call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// docker.plugins().handle("sshfs").enable(30).await?;
    /// # Ok(()) }
    /// ```
    pub async fn enable(&self, timeout: i64) -> Result<()> {
        let call = self
            .docker
            .raw()
            .plugin_enable()
            .name(&self.id)
            .timeout(timeout);
        self.docker.call(call.send()).await.map(drop)
    }

    /// `docker plugin disable`; `force` even while in use.
    /// (`force` is in the API from 1.42; a client generated from an older spec refuses it.)
    ///
    /// The integration test `swarm_services_tasks_nodes_secrets_configs_and_plugins` makes the same
    /// call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// docker.plugins().handle("sshfs").disable(true).await?;
    /// # Ok(()) }
    /// ```
    pub async fn disable(&self, force: bool) -> Result<()> {
        let call = self.docker.raw().plugin_disable().name(&self.id);
        #[cfg(engine_api_1_42)]
        let call = call.force(force);
        #[cfg(not(engine_api_1_42))]
        if force {
            return Err(Error::InvalidArgument(
                "plugin disable --force needs a client generated from API 1.42 or later".into(),
            ));
        }
        self.docker.call(call.send()).await.map(drop)
    }

    /// `docker plugin set NAME KEY=value...` (docker-py's `configure`): settable env,
    /// mounts' sources, devices' paths, args.
    ///
    /// The integration test `swarm_services_tasks_nodes_secrets_configs_and_plugins` makes the same
    /// call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let sshfs = docker.plugins().handle("sshfs");
    /// sshfs.disable(false).await?;
    /// sshfs.configure(["DEBUG=1", "sshkey.source=/home/ci/.ssh"]).await?;
    /// sshfs.enable(0).await?;
    /// # Ok(()) }
    /// ```
    pub async fn configure(
        &self,
        settings: impl IntoIterator<Item = impl Into<String>>,
    ) -> Result<()> {
        let settings: Vec<String> = settings.into_iter().map(Into::into).collect();
        let call = self.docker.raw().plugin_set().name(&self.id).body(settings);
        self.docker.call(call.send()).await.map(drop)
    }

    /// `docker plugin push`: to the registry its name points at, progress read to the end.
    /// Credentials from the docker CLI's config unless given.
    ///
    /// The integration test `swarm_services_tasks_nodes_secrets_configs_and_plugins` makes the same
    /// call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// docker.plugins().handle("registry.example/myvolume:1").push(None).await?;
    /// # Ok(()) }
    /// ```
    pub async fn push(&self, auth: Option<RegistryAuth>) -> Result<()> {
        let source = auth.map_or(AuthSource::Config, AuthSource::Explicit);
        let headers = source.headers(&self.docker, &self.id).await?;
        let capture = self.docker.shared_capture_stream_with(headers);
        let call = capture.raw().plugin_push().name(&self.id).send();
        read_progress(capture.stream(call).await?.body).await
    }

    /// `docker plugin upgrade NAME REMOTE`: a builder (the plugin must be disabled).
    ///
    /// The integration test `swarm_services_tasks_nodes_secrets_configs_and_plugins` makes the same
    /// call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let p = docker.plugins().handle("myvolume");
    /// p.disable(false).await?;
    /// let p = p.upgrade("registry.example/myvolume:2").send().await?;
    /// p.enable(0).await?;
    /// # Ok(()) }
    /// ```
    pub fn upgrade(&self, remote: impl Into<String>) -> InstallPlugin {
        InstallPlugin {
            docker: self.docker.clone(),
            remote: remote.into(),
            name: None,
            auth: AuthSource::Config,
            upgrade: Some(self.id.clone()),
        }
    }

    /// `docker plugin rm`; `force` removes an enabled one. The spec says the answer is the
    /// removed plugin, but the daemon answers with an empty body: it is read as bytes.
    ///
    /// The integration test `swarm_services_tasks_nodes_secrets_configs_and_plugins` makes the same
    /// call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// docker.plugins().handle("sshfs").remove(true).await?;
    /// # Ok(()) }
    /// ```
    pub async fn remove(&self, force: bool) -> Result<()> {
        let capture = self.docker.capture_stream();
        let call = capture
            .raw()
            .plugin_delete()
            .name(&self.id)
            .force(force)
            .send();
        let mut body = capture.stream(call).await?.body;
        while let Some(chunk) = body.next().await {
            chunk?;
        }
        Ok(())
    }
}
