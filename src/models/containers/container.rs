//! [`Container`]: one container as last inspected, and the verbs on it.

use std::collections::HashMap;

use super::attach::{Attach, Stats};
use super::exec::{Exec, ExecRun};
use super::logs::Logs;
use crate::client::Docker;
use crate::error::Result;
use crate::models::model::{Answer, Handle, Kind, Model};
use crate::raw::types::op;

/// The container kind of [`Model`].
#[derive(Debug)]
pub enum ContainerKind {}

impl Kind for ContainerKind {
    type Attrs = op::container_inspect::Response;
    const NAME: &'static str = "Container";

    async fn inspect(docker: &Docker, id: &str) -> Result<(Self::Attrs, Answer)> {
        let c = docker.capture_whole();
        c.whole(c.raw().container_inspect().id(id).send()).await
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
    ///
    /// The integration test `lifecycle_operations` reads it.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let c = docker.containers().get("web").await?;
    /// println!("{} ({}) from {}: {}", c.name(), c.short_id(), c.image(), c.status());
    /// # Ok(()) }
    /// ```
    pub fn name(&self) -> &str {
        self.attrs
            .name
            .as_deref()
            .map(|n| n.trim_start_matches('/'))
            .unwrap_or_default()
    }

    /// State: `created`, `running`, `paused`, `restarting`, `removing`, `exited`, `dead`.
    ///
    /// The integration test `lifecycle_operations` reads it.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let c = docker.containers().get("web").await?;
    /// if c.status() == "exited" {
    ///     c.start().await?;
    /// }
    /// # Ok(()) }
    /// ```
    pub fn status(&self) -> &str {
        self.attrs
            .state
            .as_ref()
            .and_then(|s| s.status.as_deref())
            .unwrap_or_default()
    }

    /// The image reference the container was created from.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let c = docker.containers().get("web").await?;
    /// println!("{} was created from {}", c.name(), c.image()); // nginx:1.27
    /// # Ok(()) }
    /// ```
    pub fn image(&self) -> &str {
        self.attrs
            .config
            .as_ref()
            .and_then(|c| c.image.as_deref())
            .unwrap_or_default()
    }

    /// Whether the container has a TTY (its output is then one unframed stream).
    ///
    /// The integration test `tty_logs_are_console_output` makes a container with a TTY.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let c = docker.containers().get("web").await?;
    /// let (out, err) = c.logs().stream().collect_output().await?;
    /// if c.tty() {
    ///     assert!(err.is_empty()); // with a TTY all output is one stream
    /// }
    /// # Ok(()) }
    /// ```
    pub fn tty(&self) -> bool {
        self.attrs.config.as_ref().is_some_and(|c| c.tty)
    }

    /// `docker attach`: a session on the container's own stdio.
    ///
    /// The integration test `attach_to_cat` attaches the same way.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// use futures_util::StreamExt;
    /// let c = docker.containers().get("web").await?;
    /// let mut session = c.attach().logs(true).start().await?;
    /// while let Some(chunk) = session.next().await {
    ///     print!("{}", chunk?);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn attach(&self) -> Attach {
        Attach::new(self.docker.clone(), self.id.clone(), Some(self.tty()))
    }

    /// `docker logs`: a builder; `.stream()` for a `Stream`, `.send()` to collect.
    ///
    /// The integration test `create_options_reach_the_container` reads logs the same way.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let c = docker.containers().get("web").await?;
    /// for chunk in c.logs().tail(20).send().await? {
    ///     print!("{chunk}");
    /// }
    /// # Ok(()) }
    /// ```
    pub fn logs(&self) -> Logs {
        Logs::new(self.handle().clone(), Some(self.tty()))
    }
}

impl Handle<ContainerKind> {
    /// `docker start`. A container that already runs is done: the daemon's `304 Not
    /// Modified` is `Ok`, as in docker-py and the docker CLI.
    ///
    /// The integration test `start_on_a_running_and_stop_on_a_stopped_container_are_done` makes the
    /// same calls.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let c = docker.containers().create("busybox").cmd(["sleep", "60"]).send().await?;
    /// c.start().await?;
    /// c.start().await?; // already running: done
    /// c.stop().send().await?;
    /// # Ok(()) }
    /// ```
    pub async fn start(&self) -> Result<()> {
        not_modified_is_done(
            self.docker
                .call(self.docker.raw().container_start().id(&self.id).send())
                .await,
        )
    }

    /// `docker stop`: a builder; `.timeout(secs)` before the kill, `.signal(..)`.
    ///
    /// The integration test `published_ports_and_prune` stops a container.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let web = docker.containers().handle("web");
    /// web.stop().timeout(5).signal("SIGINT").send().await?;
    /// println!("exited with {}", web.wait().await?);
    /// # Ok(()) }
    /// ```
    pub fn stop(&self) -> Stop<'_> {
        Stop {
            container: self,
            timeout: None,
            signal: None,
        }
    }

    /// `docker restart`: a builder; `.timeout(secs)` before the kill.
    ///
    /// The integration test `lifecycle_operations` makes the same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// docker.containers().handle("web").restart().timeout(3).send().await?;
    /// # Ok(()) }
    /// ```
    pub fn restart(&self) -> Restart<'_> {
        Restart {
            container: self,
            timeout: None,
        }
    }

    /// `docker kill`: a builder; `SIGKILL` unless `.signal(..)` says otherwise.
    ///
    /// The integration test `lifecycle_operations` makes the same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let web = docker.containers().handle("web");
    /// web.kill().signal("SIGHUP").send().await?; // reload its config
    /// web.kill().send().await?; // SIGKILL
    /// # Ok(()) }
    /// ```
    pub fn kill(&self) -> Kill<'_> {
        Kill {
            container: self,
            signal: None,
        }
    }

    /// `docker pause`.
    ///
    /// The integration test `lifecycle_operations` makes the same calls.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let c = docker.containers().handle("web");
    /// c.pause().await?;
    /// assert_eq!(c.inspect().await?.status(), "paused");
    /// c.unpause().await?;
    /// # Ok(()) }
    /// ```
    pub async fn pause(&self) -> Result<()> {
        self.docker
            .call(self.docker.raw().container_pause().id(&self.id).send())
            .await
    }

    /// `docker unpause`.
    ///
    /// The integration test `lifecycle_operations` makes the same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// docker.containers().handle("web").unpause().await?;
    /// # Ok(()) }
    /// ```
    pub async fn unpause(&self) -> Result<()> {
        self.docker
            .call(self.docker.raw().container_unpause().id(&self.id).send())
            .await
    }

    /// `docker rm`: a builder; `.force(true)` kills a running container,
    /// `.volumes(true)` removes its anonymous volumes.
    ///
    /// The integration test `a_forced_remove_kills_on_docker_and_stops_on_podman` makes the same
    /// call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// match docker.containers().handle("web").remove().force(true).volumes(true).send().await {
    ///     Ok(()) | Err(docker_engine::Error::NotFound { .. }) => println!("web is gone"),
    ///     Err(e) => return Err(e),
    /// }
    /// # Ok(()) }
    /// ```
    pub fn remove(&self) -> Remove<'_> {
        Remove {
            container: self,
            force: false,
            volumes: false,
            link: false,
        }
    }

    /// docker-py's `exec_run`: run `cmd` in the container, collect output and exit code.
    ///
    /// The integration test `exec_run_collects_stdout_stderr_and_exit_code` makes the same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let c = docker.containers().handle("web");
    /// let r = c.exec_run(["cat", "/etc/hostname"]).user("nobody").send().await?;
    /// println!("exit {:?}: {}", r.exit_code, String::from_utf8_lossy(&r.stdout));
    /// # Ok(()) }
    /// ```
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
    ///
    /// The integration test `interactive_shell_with_tty_and_resize` makes the same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// use tokio::io::AsyncWriteExt;
    /// let c = docker.containers().handle("web");
    /// let mut sh = c.exec(["sh"]).stdin(true).tty(true).console_size(80, 24).start().await?;
    /// sh.write_all(b"exit 3\n").await?;
    /// assert_eq!(sh.wait().await?, 3);
    /// # Ok(()) }
    /// ```
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
    ///
    /// The integration test `attach_with_logs_and_no_stream_replays_a_stopped_container` makes the
    /// same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let c = docker.containers().handle("job");
    /// let output = c.attach().logs(true).stream(false).send().await?;
    /// for chunk in output {
    ///     print!("{chunk}");
    /// }
    /// # Ok(()) }
    /// ```
    pub fn attach(&self) -> Attach {
        Attach::new(self.docker.clone(), self.id.clone(), None)
    }

    /// `docker stats`: `.stream()` for a sample about every second, `.send()` for one.
    ///
    /// The integration test `stats_one_shot_and_streaming` makes the same calls.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let sample = docker.containers().handle("web").stats().send().await?;
    /// let memory = sample.memory_stats.and_then(|m| m.usage).unwrap_or_default();
    /// println!("web uses {} MiB", memory >> 20);
    /// # Ok(()) }
    /// ```
    pub fn stats(&self) -> Stats {
        Stats::new(self.docker.clone(), self.id.clone())
    }

    /// `docker top`: a builder; `.ps_args("aux")` as `ps` takes them.
    ///
    /// The integration test `lifecycle_operations` makes the same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let ps = docker.containers().handle("web").top().ps_args("aux").send().await?;
    /// println!("{:?}", ps.titles.unwrap_or_default());
    /// for row in ps.processes.unwrap_or_default() {
    ///     println!("{row:?}");
    /// }
    /// # Ok(()) }
    /// ```
    pub fn top(&self) -> Top<'_> {
        Top {
            container: self,
            ps_args: None,
        }
    }

    /// `docker logs`: a builder; `.stream()` for a `Stream`, `.send()` to collect.
    ///
    /// The integration test `follow_waits_on_a_quiet_container_and_ends_when_it_exits` follows logs
    /// the same way.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// use futures_util::StreamExt;
    /// let mut logs = docker.containers().handle("web").logs().follow(true).tail(0).stream();
    /// while let Some(chunk) = logs.next().await {
    ///     print!("{}", chunk?);
    /// }
    /// # Ok(()) }
    /// ```
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
    ///
    /// The integration test `start_on_a_running_and_stop_on_a_stopped_container_are_done` makes the
    /// same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// docker.containers().handle("web").stop().timeout(30).send().await?;
    /// # Ok(()) }
    /// ```
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
    ///
    /// The integration test `lifecycle_operations` makes the same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let web = docker.containers().handle("web");
    /// web.restart().timeout(10).send().await?;
    /// assert_eq!(web.inspect().await?.status(), "running");
    /// # Ok(()) }
    /// ```
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
    ///
    /// The integration test `lifecycle_operations` makes the same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// docker.containers().handle("web").kill().signal("SIGUSR1").send().await?;
    /// # Ok(()) }
    /// ```
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
    ///
    /// The integration test `lifecycle_operations` makes the same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// docker.containers().handle("old").remove().force(true).volumes(true).send().await?;
    /// # Ok(()) }
    /// ```
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
    ///
    /// The integration test `lifecycle_operations` makes the same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let ps = docker.containers().handle("web").top().ps_args("-ef").send().await?;
    /// let rows = ps.processes.unwrap_or_default();
    /// println!("{} processes", rows.len());
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<op::container_top::Response> {
        let c = self.container;
        let mut call = c.docker.raw().container_top().id(&c.id);
        if let Some(a) = self.ps_args {
            call = call.ps_args(a);
        }
        c.docker.call(call.send()).await
    }
}
