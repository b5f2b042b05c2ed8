//! `docker exec`: [`ExecRun`] runs a command and collects its output and exit code
//! (docker-py's `exec_run`); [`Exec`] starts an interactive [`Session`] over the upgraded
//! connection (`docker exec -it`).

use crate::client::Docker;
use crate::error::Result;
use crate::raw::types::op;
use crate::session::{Session, exec_exit_code};
use crate::stream::LogStream;

/// What `exec_run` returns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExecResult {
    /// The exec's id: [`Docker::exec_inspect`] tells whether it still runs and how it
    /// ended (`a_detached_exec_run_gives_an_exec_id_to_inspect`).
    pub id: String,
    /// The exit code; `None` for a detached exec.
    pub exit_code: Option<i64>,
    /// Standard output (with a TTY: all output).
    pub stdout: Vec<u8>,
    /// Standard error (empty with a TTY).
    pub stderr: Vec<u8>,
}

impl Docker {
    /// Inspect an exec by id (`ExecResult::id`): whether it runs (`running`), its
    /// `exit_code` once it has ended, its process (`a_detached_exec_run_gives_an_exec_id_to_inspect`).
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let c = docker.containers().handle("web");
    /// let started = c.exec_run(["sleep", "5"]).detach(true).send().await?;
    /// let exec = docker.exec_inspect(&started.id).await?;
    /// println!("running: {:?}, exit code: {:?}", exec.running, exec.exit_code);
    /// # Ok(()) }
    /// ```
    pub async fn exec_inspect(&self, id: impl AsRef<str>) -> Result<op::exec_inspect::Response> {
        self.call(self.raw().exec_inspect().id(id.as_ref()).send())
            .await
    }
}

/// The options both kinds of exec share.
#[derive(Clone, Debug)]
struct ExecOptions {
    docker: Docker,
    container: String,
    config: op::container_exec::Body,
}

impl ExecOptions {
    fn new(docker: Docker, container: &str, cmd: Vec<String>) -> ExecOptions {
        ExecOptions {
            docker,
            container: container.to_string(),
            config: op::container_exec::Body {
                cmd: Some(cmd),
                attach_stdout: Some(true),
                attach_stderr: Some(true),
                ..Default::default()
            },
        }
    }

    async fn create(&self) -> Result<String> {
        let created = self
            .docker
            .call(
                self.docker
                    .raw()
                    .container_exec()
                    .id(&self.container)
                    .body(self.config.clone())
                    .send(),
            )
            .await?;
        Ok(created.id.unwrap_or_default())
    }

    fn tty(&self) -> bool {
        self.config.tty == Some(true)
    }
}

macro_rules! exec_setters {
    () => {
        /// An environment variable.
        pub fn env(mut self, key: impl AsRef<str>, value: impl AsRef<str>) -> Self {
            self.options
                .config
                .env
                .get_or_insert_with(Vec::new)
                .push(format!("{}={}", key.as_ref(), value.as_ref()));
            self
        }

        /// Working directory.
        pub fn working_dir(mut self, dir: impl Into<String>) -> Self {
            self.options.config.working_dir = Some(dir.into());
            self
        }

        /// User (`name`, `uid`, `uid:gid`).
        pub fn user(mut self, user: impl Into<String>) -> Self {
            self.options.config.user = Some(user.into());
            self
        }

        /// Run privileged.
        pub fn privileged(mut self, yes: bool) -> Self {
            self.options.config.privileged = yes;
            self
        }

        /// Allocate a TTY: output is then one unframed stream.
        pub fn tty(mut self, yes: bool) -> Self {
            self.options.config.tty = Some(yes);
            self
        }
    };
}

/// Builder of `exec_run`: create an exec, run it, collect output and exit code.
#[derive(Debug)]
pub struct ExecRun {
    options: ExecOptions,
    detach: bool,
}

impl ExecRun {
    pub(crate) fn new(docker: Docker, container: &str, cmd: Vec<String>) -> ExecRun {
        ExecRun {
            options: ExecOptions::new(docker, container, cmd),
            detach: false,
        }
    }

    exec_setters!();

    /// Whether to collect stdout (docker-py's `stdout=`; default: yes). Not attached, the
    /// daemon discards it (`exec_run_collects_only_the_streams_asked_for`).
    pub fn stdout(mut self, yes: bool) -> Self {
        self.options.config.attach_stdout = Some(yes);
        self
    }

    /// Whether to collect stderr (docker-py's `stderr=`; default: yes).
    pub fn stderr(mut self, yes: bool) -> Self {
        self.options.config.attach_stderr = Some(yes);
        self
    }

    /// Start and return at once, without output or exit code: the result's
    /// [`id`](ExecResult::id) is the exec's, for [`Docker::exec_inspect`]
    /// (`a_detached_exec_run_gives_an_exec_id_to_inspect`).
    ///
    /// The integration test `a_detached_exec_run_gives_an_exec_id_to_inspect` makes the same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let c = docker.containers().handle("web");
    /// let reload = c.exec_run(["nginx", "-s", "reload"]).privileged(true);
    /// let started = reload.detach(true).send().await?;
    /// assert_eq!(started.exit_code, None);
    /// let exec = docker.exec_inspect(&started.id).await?;
    /// # Ok(()) }
    /// ```
    pub fn detach(mut self, yes: bool) -> Self {
        self.detach = yes;
        self
    }

    /// Run it.
    ///
    /// Several settings together; the integration test
    /// `exec_run_collects_stdout_stderr_and_exit_code` runs the same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let r = docker
    ///     .containers()
    ///     .handle("web")
    ///     .exec_run(["sh", "-c", "echo $GREETING from $(pwd)"])
    ///     .env("GREETING", "hi")
    ///     .working_dir("/tmp")
    ///     .stderr(false)
    ///     .send()
    ///     .await?;
    /// assert_eq!(r.stdout, b"hi from /tmp\n");
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<ExecResult> {
        let id = self.options.create().await?;
        let docker = &self.options.docker;
        let tty = self.options.tty();
        let body = op::exec_start::Body {
            detach: Some(self.detach),
            tty: Some(tty),
            ..Default::default()
        };
        let capture = docker.capture_stream();
        let call = capture.raw().exec_start().id(&id).body(body).send();
        let response = capture.stream(call).await?;
        if self.detach {
            return Ok(ExecResult {
                id,
                exit_code: None,
                stdout: Vec::new(),
                stderr: Vec::new(),
            });
        }
        // API 1.41 labels this stream raw even without a TTY: the exec's TTY flag decides.
        let (stdout, stderr) = LogStream::reading(Box::pin(response.body), !tty)
            .collect_output()
            .await?;
        let exit_code = exec_exit_code(docker, &id).await?;
        Ok(ExecResult {
            id,
            exit_code: Some(exit_code),
            stdout,
            stderr,
        })
    }
}

/// Builder of an interactive exec (`docker exec -it`).
#[derive(Debug)]
pub struct Exec {
    options: ExecOptions,
    console_size: Option<(u16, u16)>,
}

impl Exec {
    pub(crate) fn new(docker: Docker, container: &str, cmd: Vec<String>) -> Exec {
        Exec {
            options: ExecOptions::new(docker, container, cmd),
            console_size: None,
        }
    }

    exec_setters!();

    /// Attach stdin, so that the session can write to the process.
    pub fn stdin(mut self, yes: bool) -> Self {
        self.options.config.attach_stdin = Some(yes);
        self
    }

    /// Initial TTY size, `width` columns by `height` rows.
    pub fn console_size(mut self, width: u16, height: u16) -> Self {
        self.console_size = Some((width, height));
        // API 1.41 has no `ConsoleSize` on exec create; `start` resizes right after instead.
        #[cfg(engine_api_1_42)]
        {
            self.options.config.console_size = Some([u64::from(height), u64::from(width)]);
        }
        self
    }

    /// Create the exec and start it on an upgraded connection.
    ///
    /// The integration test `stdin_eof_ends_cat_and_output_keeps_flowing_after_shutdown` makes the
    /// same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// use futures_util::StreamExt;
    /// use tokio::io::AsyncWriteExt;
    /// let c = docker.containers().handle("web");
    /// let mut cat = c.exec(["cat"]).stdin(true).env("LANG", "C").start().await?;
    /// cat.write_all(b"ping\n").await?;
    /// cat.shutdown().await?; // closes stdin; the output keeps coming
    /// while let Some(chunk) = cat.next().await {
    ///     print!("{}", chunk?);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn start(self) -> Result<Session> {
        let id = self.options.create().await?;
        let docker = self.options.docker.clone();
        let tty = self.options.tty();
        #[allow(unused_mut)]
        let mut body = op::exec_start::Body {
            detach: Some(false),
            tty: Some(tty),
            ..Default::default()
        };
        // API 1.41 has no `ConsoleSize` on start; the resize below covers it.
        #[cfg(engine_api_1_42)]
        {
            body.console_size = self.console_size.map(|(w, h)| [u64::from(h), u64::from(w)]);
        }
        let capture = docker.capture_upgrade();
        let call = capture.raw().exec_start().id(&id).body(body).send();
        let (_, io) = capture.upgrade(call).await?;
        let session = Session::new(docker, io, !tty, Some(id), &self.options.container);
        // API 1.41 ignores `ConsoleSize` on start: set the size as the docker CLI does,
        // with a resize right after the start (retried while the exec is starting).
        if let Some((w, h)) = self.console_size.filter(|_| tty) {
            session.control().resize_when_started(w, h).await;
        }
        Ok(session)
    }
}
