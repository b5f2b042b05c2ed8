//! [`Container`]: one container as last inspected, and the verbs on it.

use std::collections::HashMap;

use super::attach::{Attach, Stats};
use super::exec::{Exec, ExecRun};
use super::logs::Logs;
use crate::client::Docker;
use crate::error::Result;
use crate::models::model::{Handle, Kind, Model};
use crate::raw::types::op;

/// The container kind of [`Model`].
#[derive(Debug)]
pub enum ContainerKind {}

impl Kind for ContainerKind {
    type Attrs = op::container_inspect::Response;
    const NAME: &'static str = "Container";

    async fn inspect(docker: &Docker, id: &str) -> Result<Self::Attrs> {
        docker
            .call(docker.raw().container_inspect().id(id).send())
            .await
    }

    fn id(attrs: &Self::Attrs) -> Option<&str> {
        attrs.id.as_deref()
    }

    fn labels(attrs: &Self::Attrs) -> Option<&HashMap<String, String>> {
        attrs.config.as_ref().and_then(|c| c.labels.as_ref())
    }
}

/// A container: its inspect answer ([`Model::attrs`]); it derefs to its
/// [`ContainerHandle`], which has the verbs.
pub type Container = Model<ContainerKind>;

/// A container by id or name, not inspected: the verbs (`start`, `stop()`, `logs()`, ...).
/// `docker.containers().handle(id)` makes one without a request.
pub type ContainerHandle = Handle<ContainerKind>;

impl Model<ContainerKind> {
    /// The name, without its leading `/`.
    pub fn name(&self) -> &str {
        self.attrs
            .name
            .as_deref()
            .map(|n| n.trim_start_matches('/'))
            .unwrap_or_default()
    }

    /// State: `created`, `running`, `paused`, `restarting`, `removing`, `exited`, `dead`.
    pub fn status(&self) -> &str {
        self.attrs
            .state
            .as_ref()
            .and_then(|s| s.status.as_deref())
            .unwrap_or_default()
    }

    /// The image reference the container was created from.
    pub fn image(&self) -> &str {
        self.attrs
            .config
            .as_ref()
            .and_then(|c| c.image.as_deref())
            .unwrap_or_default()
    }

    /// Whether the container has a TTY (its output is then one unframed stream).
    pub fn tty(&self) -> bool {
        self.attrs.config.as_ref().is_some_and(|c| c.tty)
    }

    /// `docker attach`: a session on the container's own stdio.
    pub fn attach(&self) -> Attach {
        Attach::new(self.docker.clone(), self.id.clone(), Some(self.tty()))
    }

    /// `docker logs`: a builder; `.stream()` for a `Stream`, `.send()` to collect.
    pub fn logs(&self) -> Logs {
        Logs::new(self.handle().clone(), Some(self.tty()))
    }
}

impl Handle<ContainerKind> {
    /// `docker start`. A container that already runs is done: the daemon's `304 Not
    /// Modified` is `Ok`, as in docker-py and the docker CLI.
    pub async fn start(&self) -> Result<()> {
        not_modified_is_done(
            self.docker
                .call(self.docker.raw().container_start().id(&self.id).send())
                .await,
        )
    }

    /// `docker stop`: a builder; `.timeout(secs)` before the kill, `.signal(..)`.
    pub fn stop(&self) -> Stop<'_> {
        Stop {
            container: self,
            timeout: None,
            signal: None,
        }
    }

    /// `docker restart`: a builder; `.timeout(secs)` before the kill.
    pub fn restart(&self) -> Restart<'_> {
        Restart {
            container: self,
            timeout: None,
        }
    }

    /// `docker kill`: a builder; `SIGKILL` unless `.signal(..)` says otherwise.
    pub fn kill(&self) -> Kill<'_> {
        Kill {
            container: self,
            signal: None,
        }
    }

    /// `docker pause`.
    pub async fn pause(&self) -> Result<()> {
        self.docker
            .call(self.docker.raw().container_pause().id(&self.id).send())
            .await
    }

    /// `docker unpause`.
    pub async fn unpause(&self) -> Result<()> {
        self.docker
            .call(self.docker.raw().container_unpause().id(&self.id).send())
            .await
    }

    /// `docker wait`: blocks until the container stops, however long that is (the
    /// request timeout bounds only the daemon's first answer); its exit code.
    pub async fn wait(&self) -> Result<i64> {
        crate::session::container_exit_code(&self.docker, &self.id).await
    }

    /// `docker rm`: a builder; `.force(true)` kills a running container,
    /// `.volumes(true)` removes its anonymous volumes.
    pub fn remove(&self) -> Remove<'_> {
        Remove {
            container: self,
            force: false,
            volumes: false,
            link: false,
        }
    }

    /// docker-py's `exec_run`: run `cmd` in the container, collect output and exit code.
    pub fn exec_run<I, S>(&self, cmd: I) -> ExecRun
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        ExecRun::new(
            self.docker.clone(),
            &self.id,
            cmd.into_iter().map(Into::into).collect(),
        )
    }

    /// `docker exec`: an interactive session (`.stdin(true).tty(true).start()` for `-it`).
    pub fn exec<I, S>(&self, cmd: I) -> Exec
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Exec::new(
            self.docker.clone(),
            &self.id,
            cmd.into_iter().map(Into::into).collect(),
        )
    }

    /// `docker attach`: a session on the container's own stdio (its TTY flag is inspected
    /// when the session starts; [`Container::attach`] knows it already).
    pub fn attach(&self) -> Attach {
        Attach::new(self.docker.clone(), self.id.clone(), None)
    }

    /// `docker stats`: `.stream()` for a sample about every second, `.send()` for one.
    pub fn stats(&self) -> Stats {
        Stats::new(self.docker.clone(), self.id.clone())
    }

    /// `docker top`: a builder; `.ps_args("aux")` as `ps` takes them.
    pub fn top(&self) -> Top<'_> {
        Top {
            container: self,
            ps_args: None,
        }
    }

    /// `docker logs`: a builder; `.stream()` for a `Stream`, `.send()` to collect.
    pub fn logs(&self) -> Logs {
        Logs::new(self.clone(), None)
    }
}

/// Builder of `docker stop`.
#[derive(Debug)]
pub struct Stop<'a> {
    container: &'a ContainerHandle,
    timeout: Option<i64>,
    signal: Option<String>,
}

impl Stop<'_> {
    /// Seconds to wait for the container to stop before killing it (the container's
    /// stop timeout, or the daemon's 10 s, by default).
    pub fn timeout(mut self, secs: i64) -> Self {
        self.timeout = Some(secs);
        self
    }

    /// The signal to stop with (the container's stop signal by default). API >= 1.42.
    pub fn signal(mut self, signal: impl Into<String>) -> Self {
        self.signal = Some(signal.into());
        self
    }

    /// Stop it. A container that is not running is done: the daemon's `304 Not Modified`
    /// is `Ok`, as in docker-py and the docker CLI.
    pub async fn send(self) -> Result<()> {
        let c = self.container;
        let mut call = c.docker.raw().container_stop().id(&c.id);
        if let Some(t) = self.timeout {
            call = call.t(t);
        }
        // API 1.41 has no stop signal; the setting is then not sent.
        #[cfg(engine_api_1_42)]
        if let Some(s) = self.signal {
            call = call.signal(s);
        }
        not_modified_is_done(c.docker.call(call.send()).await)
    }
}

/// `304 Not Modified` from start or stop: the container already was in that state.
fn not_modified_is_done(r: Result<()>) -> Result<()> {
    match r {
        Err(e) if e.status() == Some(304) => Ok(()),
        other => other,
    }
}

/// Builder of `docker restart`.
#[derive(Debug)]
pub struct Restart<'a> {
    container: &'a ContainerHandle,
    timeout: Option<i64>,
}

impl Restart<'_> {
    /// Seconds to wait for the container to stop before killing it.
    pub fn timeout(mut self, secs: i64) -> Self {
        self.timeout = Some(secs);
        self
    }

    /// Restart it.
    pub async fn send(self) -> Result<()> {
        let c = self.container;
        let mut call = c.docker.raw().container_restart().id(&c.id);
        if let Some(t) = self.timeout {
            call = call.t(t);
        }
        c.docker.call(call.send()).await
    }
}

/// Builder of `docker kill`.
#[derive(Debug)]
pub struct Kill<'a> {
    container: &'a ContainerHandle,
    signal: Option<String>,
}

impl Kill<'_> {
    /// The signal (`SIGKILL` by default): a name (`SIGHUP`, `HUP`) or a number.
    pub fn signal(mut self, signal: impl Into<String>) -> Self {
        self.signal = Some(signal.into());
        self
    }

    /// Send the signal.
    pub async fn send(self) -> Result<()> {
        let c = self.container;
        let mut call = c.docker.raw().container_kill().id(&c.id);
        if let Some(s) = self.signal {
            call = call.signal(s);
        }
        c.docker.call(call.send()).await
    }
}

/// Builder of `docker rm`.
#[derive(Debug)]
pub struct Remove<'a> {
    container: &'a ContainerHandle,
    force: bool,
    volumes: bool,
    link: bool,
}

impl Remove<'_> {
    /// Kill the container first if it runs.
    pub fn force(mut self, yes: bool) -> Self {
        self.force = yes;
        self
    }

    /// Remove its anonymous volumes too.
    pub fn volumes(mut self, yes: bool) -> Self {
        self.volumes = yes;
        self
    }

    /// Remove the link of this name instead of the container (legacy links).
    pub fn link(mut self, yes: bool) -> Self {
        self.link = yes;
        self
    }

    /// Remove it.
    pub async fn send(self) -> Result<()> {
        let c = self.container;
        let call = c
            .docker
            .raw()
            .container_delete()
            .id(&c.id)
            .force(self.force)
            .v(self.volumes)
            .link(self.link);
        c.docker.call(call.send()).await
    }
}

/// Builder of `docker top`.
#[derive(Debug)]
pub struct Top<'a> {
    container: &'a ContainerHandle,
    ps_args: Option<String>,
}

impl Top<'_> {
    /// Arguments for `ps` (`aux`, `-ef`); the daemon's default is `-ef`.
    pub fn ps_args(mut self, args: impl Into<String>) -> Self {
        self.ps_args = Some(args.into());
        self
    }

    /// The processes, as `ps` shows them: titles and rows.
    pub async fn send(self) -> Result<op::container_top::Response> {
        let c = self.container;
        let mut call = c.docker.raw().container_top().id(&c.id);
        if let Some(a) = self.ps_args {
            call = call.ps_args(a);
        }
        c.docker.call(call.send()).await
    }
}
