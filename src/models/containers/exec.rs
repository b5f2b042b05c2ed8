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
    /// The exit code; `None` for a detached exec.
    pub exit_code: Option<i64>,
    /// Standard output (with a TTY: all output).
    pub stdout: Vec<u8>,
    /// Standard error (empty with a TTY).
    pub stderr: Vec<u8>,
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

    /// Start and return at once, without output or exit code.
    pub fn detach(mut self, yes: bool) -> Self {
        self.detach = yes;
        self
    }

    /// Run it.
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
