//! docker-py's `containers.run` ([`CreateContainer::run`], [`CreateContainer::stream`],
//! [`CreateContainer::detach`]) and `docker wait` ([`Wait`], [`WaitCondition`]).
//!
//! `run` does what `docker run` does, in its order: create (pulling the image if the daemon
//! does not have it), register a wait for the exit, attach to the output, start, read the
//! output to its end, take the exit code. Attaching before the start means the output is
//! read from the container itself, not from its log driver: it comes back with the `none`
//! driver, and with `auto_remove` nothing is lost when the daemon removes the container.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use futures_core::Stream;
use futures_util::StreamExt;

use super::attach::Attach;
use super::{Container, ContainerHandle, CreateContainer};
use crate::client::Docker;
use crate::error::{Error, Result};
use crate::raw::types::op;
use crate::session::Session;
use crate::stream::demux::ByteSource;
use crate::stream::{JsonStream, LogChunk};

/// How much of stderr [`CreateContainer::stream`] keeps for [`Error::ContainerFailed`]: the
/// last 64 KiB (`run` keeps all of it, as it keeps all of the output).
pub const RUN_STREAM_STDERR_KEPT: usize = 64 * 1024;

/// What [`ContainerHandle::wait_until`] waits for (`docker wait`'s `condition`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum WaitCondition {
    /// The container is not running: at once for a container that has not started or has
    /// stopped (the default of `wait()`).
    NotRunning,
    /// The container's next exit, even if it is not running yet: register before a start.
    NextExit,
    /// The container has been removed (with `auto_remove`, after its exit).
    Removed,
}

impl WaitCondition {
    /// The value of the `condition` query parameter. (A hand-written enum: the generated
    /// one does not exist in API 1.41's spec, where the parameter is a plain string.)
    ///
    /// ```
    /// use docker_engine::containers::WaitCondition;
    /// assert_eq!(WaitCondition::NextExit.as_str(), "next-exit");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            WaitCondition::NotRunning => "not-running",
            WaitCondition::NextExit => "next-exit",
            WaitCondition::Removed => "removed",
        }
    }
}

impl ContainerHandle {
    /// `docker wait`: blocks until the container stops, however long that is (the
    /// client's request timeout bounds only the daemon's first answer:
    /// `wait_outlasts_the_client_timeout_and_has_its_own`); its exit code. The same as
    /// `wait_until(WaitCondition::NotRunning).send()`.
    ///
    /// The integration test `lifecycle_operations` makes the same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let c = docker.containers().run("busybox").cmd(["sh", "-c", "exit 3"]).detach().await?;
    /// let code = c.wait().await?;
    /// assert_eq!(code, 3);
    /// # Ok(()) }
    /// ```
    pub async fn wait(&self) -> Result<i64> {
        self.wait_until(WaitCondition::NotRunning).send().await
    }

    /// `docker wait` for a condition, with a timeout of its own if wanted:
    /// `c.wait_until(WaitCondition::Removed).timeout(d).send()`
    /// (`wait_conditions_next_exit_removed_and_not_running`).
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// use std::time::Duration;
    /// use docker_engine::containers::WaitCondition;
    /// let c = docker.containers().handle("job");
    /// match c.wait_until(WaitCondition::Removed).timeout(Duration::from_secs(60)).send().await {
    ///     Ok(code) => println!("job exited with {code} and is gone"),
    ///     Err(docker_engine::Error::Timeout { .. }) => println!("job still runs"),
    ///     Err(e) => return Err(e),
    /// }
    /// # Ok(()) }
    /// ```
    pub fn wait_until(&self, condition: WaitCondition) -> Wait<'_> {
        Wait {
            container: self,
            condition,
            timeout: None,
        }
    }
}

/// Builder of `POST /containers/{id}/wait`.
#[derive(Debug)]
pub struct Wait<'a> {
    container: &'a ContainerHandle,
    condition: WaitCondition,
    timeout: Option<Duration>,
}

impl Wait<'_> {
    /// Give up after this long with [`Error::Timeout`] (the container keeps running). No
    /// timeout by default, whatever the client's request timeout is.
    pub fn timeout(mut self, after: Duration) -> Self {
        self.timeout = Some(after);
        self
    }

    /// Wait; the exit code (for `removed`, the one the container exited with).
    ///
    /// The integration test `wait_conditions_next_exit_removed_and_not_running` makes the same
    /// call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// use docker_engine::containers::WaitCondition;
    /// let c = docker.containers().create("busybox").cmd(["true"]).send().await?;
    /// let exit = c.wait_until(WaitCondition::NextExit);
    /// let (code, started) = tokio::join!(exit.send(), c.start());
    /// started?;
    /// assert_eq!(code?, 0);
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<i64> {
        let c = self.container;
        let call = c
            .docker
            .raw()
            .container_wait()
            .id(&c.id)
            .condition(self.condition.as_str())
            .send();
        let wait = async {
            let r = c.docker.call(call).await?;
            crate::session::wait_exit_code(&c.id, r)
        };
        match self.timeout {
            None => wait.await,
            Some(after) => tokio::time::timeout(after, wait).await.unwrap_or_else(|_| {
                Err(Error::Timeout {
                    address: c.docker.address().to_string(),
                    what: "the wait condition",
                    after,
                })
            }),
        }
    }
}

/// A wait registered with the daemon (its response head has come back), whose answer is
/// read later: what lets `run` wait for the next exit of a container it has yet to start.
struct Waiter {
    id: String,
    body: ByteSource,
}

impl Waiter {
    async fn register(docker: &Docker, id: &str, condition: WaitCondition) -> Result<Waiter> {
        let capture = docker.capture_stream();
        let call = capture
            .raw()
            .container_wait()
            .id(id)
            .condition(condition.as_str())
            .send();
        let response = capture.stream(call).await?;
        Ok(Waiter {
            id: id.to_string(),
            body: Box::pin(response.body),
        })
    }

    async fn exit_code(self) -> Result<i64> {
        let mut answers = JsonStream::<op::container_wait::Response>::new(self.body);
        match answers.next().await {
            Some(r) => crate::session::wait_exit_code(&self.id, r?),
            None => Err(Error::stream("the daemon ended the wait without an answer")),
        }
    }
}

/// A container `run` has started: its output on the way, its exit registered.
struct Running {
    container: Container,
    output: Session,
    waiter: Waiter,
    image: String,
    remove: bool,
    /// Which output is given back: stdout, stderr.
    wanted: (bool, bool),
    stderr: Vec<u8>,
    stderr_kept: usize,
}

impl Running {
    /// The next chunk of the output that was asked for.
    async fn next(&mut self) -> Option<Result<LogChunk>> {
        loop {
            let chunk = match self.output.next().await? {
                Ok(chunk) => chunk,
                Err(e) => return Some(Err(e)),
            };
            let wanted = match &chunk {
                LogChunk::StdOut(_) | LogChunk::Console(_) => self.wanted.0,
                LogChunk::StdErr(b) => {
                    self.stderr.extend_from_slice(b);
                    if self.stderr.len() > self.stderr_kept {
                        let cut = self.stderr.len() - self.stderr_kept;
                        self.stderr.drain(..cut);
                    }
                    self.wanted.1
                }
                LogChunk::StdIn(_) => false,
            };
            if wanted {
                return Some(Ok(chunk));
            }
        }
    }

    /// The output has ended: the exit code, the removal if asked, the error if it failed.
    async fn finish(self) -> Result<()> {
        let code = self.waiter.exit_code().await;
        if self.remove {
            remove(&self.container).await?;
        }
        let code = code?;
        if code == 0 {
            return Ok(());
        }
        let attrs = self.container.attrs();
        let command = attrs
            .path
            .iter()
            .chain(attrs.args.iter().flatten())
            .cloned()
            .collect();
        Err(Error::ContainerFailed {
            id: self.container.id().to_string(),
            exit_code: code,
            command,
            image: self.image,
            stderr: String::from_utf8_lossy(&self.stderr).into_owned(),
        })
    }

    /// Reading failed: remove the container if asked, and leave.
    async fn abandon(self) {
        if self.remove {
            let _ = remove(&self.container).await;
        }
    }
}

/// Remove a container `run` made; already gone (auto-removed) is done.
async fn remove(c: &ContainerHandle) -> Result<()> {
    match c.remove().force(true).send().await {
        Err(e) if matches!(e.status(), Some(404 | 409)) => Ok(()),
        other => other,
    }
}

impl CreateContainer {
    /// For `run` and `stream`: return standard output (default true; with a TTY, all
    /// output; `run_returns_stdout_stderr_or_both`).
    pub fn stdout(mut self, yes: bool) -> Self {
        self.output.0 = yes;
        self
    }

    /// For `run` and `stream`: return standard error (default false, as in docker-py;
    /// `run_returns_stdout_stderr_or_both`). Stderr is kept for
    /// [`Error::ContainerFailed`] either way.
    pub fn stderr(mut self, yes: bool) -> Self {
        self.output.1 = yes;
        self
    }

    /// docker-py's `containers.run(detach=True)`: create (pulling a missing image, as
    /// `run` does: `run_pulls_a_missing_image_with_credentials`) and start; the container
    /// as created.
    ///
    /// The integration test `run_returns_stdout_or_a_container_error` makes the same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let c = docker
    ///     .containers()
    ///     .run("nginx")
    ///     .name("web")
    ///     .publish("80", "127.0.0.1", "8080")
    ///     .detach()
    ///     .await?;
    /// println!("{} is {}", c.name(), c.status());
    /// # Ok(()) }
    /// ```
    pub async fn detach(self) -> Result<Container> {
        let docker = self.docker.clone();
        let id = self.create(true).await?;
        let c = Container::inspect(&docker, &id).await?;
        c.start().await?;
        Ok(c)
    }

    /// docker-py's `containers.run()`, `docker run` without `-d`: create (pulling the
    /// image when the daemon does not have it: `run_pulls_a_missing_image_with_credentials`),
    /// attach, start, read the output to its end, wait. The output asked for with
    /// [`stdout`](Self::stdout) and [`stderr`](Self::stderr) (stdout by default), in the
    /// order it came; a non-zero exit is [`Error::ContainerFailed`] naming the command, the
    /// image, the exit code and stderr (`run_failure_names_the_command_the_image_and_stderr`).
    /// The output comes from the container, not its log driver: also with `log_driver("none")`
    /// (`run_with_the_none_log_driver_returns_the_output`) and with `auto_remove`
    /// (`run_with_auto_remove_returns_the_output`). The container is removed afterwards when
    /// `remove` is true (its volumes are kept, as docker-py does), also when it could not
    /// start, which is the daemon's error
    /// (`run_that_cannot_start_is_the_daemons_error_and_leaves_nothing_with_remove`).
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let script = "echo out; echo err >&2; exit 2";
    /// let run = docker.containers().run("busybox").cmd(["sh", "-c", script]);
    /// match run.stderr(true).run(true).await {
    ///     Ok(output) => println!("{}", String::from_utf8_lossy(&output)),
    ///     Err(docker_engine::Error::ContainerFailed { exit_code, stderr, .. }) => {
    ///         eprintln!("exit {exit_code}: {stderr}")
    ///     }
    ///     Err(e) => return Err(e),
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn run(self, remove: bool) -> Result<Vec<u8>> {
        let mut running = self.launch(remove, usize::MAX).await?;
        let mut out = Vec::new();
        while let Some(chunk) = running.next().await {
            match chunk {
                Ok(chunk) => out.extend_from_slice(chunk.bytes()),
                Err(e) => {
                    running.abandon().await;
                    return Err(e);
                }
            }
        }
        running.finish().await?;
        Ok(out)
    }

    /// docker-py's `containers.run(stream=True)`: what [`run`](Self::run) does, the output
    /// as a `Stream` of chunks as the container writes them; a non-zero exit ends it with
    /// [`Error::ContainerFailed`] (its stderr: the last [`RUN_STREAM_STDERR_KEPT`] bytes).
    /// Nothing is sent until it is first polled; when it ends, the container is removed if
    /// `remove` is true. Dropped early, it leaves the container as it is (running, perhaps):
    /// `auto_remove(true)` lets the daemon remove it when it exits
    /// (`run_stream_yields_chunks_as_they_come`).
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// use futures_util::StreamExt;
    /// let script = "for i in 1 2 3; do echo $i; sleep 1; done";
    /// let run = docker.containers().run("busybox").cmd(["sh", "-c", script]);
    /// let mut output = run.stream(true);
    /// while let Some(chunk) = output.next().await {
    ///     print!("{}", chunk?);
    /// }
    /// # Ok(()) }
    /// ```
    #[inline]
    pub fn stream(self, remove: bool) -> RunStream {
        enum State {
            Start(Box<CreateContainer>, bool),
            Running(Box<Running>),
            Done,
        }
        let items = futures_util::stream::unfold(
            State::Start(Box::new(self), remove),
            |state| async move {
                let mut running = match state {
                    State::Start(b, remove) => {
                        match b.launch(remove, RUN_STREAM_STDERR_KEPT).await {
                            Ok(r) => Box::new(r),
                            Err(e) => return Some((Err(e), State::Done)),
                        }
                    }
                    State::Running(r) => r,
                    State::Done => return None,
                };
                match running.next().await {
                    Some(Ok(chunk)) => Some((Ok(chunk), State::Running(running))),
                    Some(Err(e)) => {
                        running.abandon().await;
                        Some((Err(e), State::Done))
                    }
                    None => running.finish().await.err().map(|e| (Err(e), State::Done)),
                }
            },
        );
        RunStream {
            inner: Box::pin(items),
        }
    }

    /// Create, register the wait, attach, start.
    async fn launch(self, remove: bool, stderr_kept: usize) -> Result<Running> {
        let docker = self.docker.clone();
        let tty = self.body.tty;
        let wanted = self.output;
        let image = self.body.image.clone().unwrap_or_default();
        let auto_remove = self
            .body
            .host_config
            .as_ref()
            .and_then(|h| h.auto_remove)
            .unwrap_or(false);
        let id = self.create(true).await?;
        let started = async {
            let container = Container::inspect(&docker, &id).await?;
            // As the docker CLI: the wait first (an auto-removed container is waited for
            // until it is gone), then the attach, then the start.
            let condition = if auto_remove {
                WaitCondition::Removed
            } else {
                WaitCondition::NextExit
            };
            let waiter = Waiter::register(&docker, &id, condition).await?;
            let output = Attach::new(docker.clone(), id.clone(), Some(tty))
                .start()
                .await?;
            container.start().await?;
            Ok::<_, Error>((container, waiter, output))
        }
        .await;
        match started {
            Ok((container, waiter, output)) => Ok(Running {
                container,
                output,
                waiter,
                image,
                remove,
                wanted,
                stderr: Vec::new(),
                stderr_kept,
            }),
            Err(e) => {
                if remove {
                    let _ = remove_id(&docker, &id).await;
                }
                Err(e)
            }
        }
    }
}

async fn remove_id(docker: &Docker, id: &str) -> Result<()> {
    remove(&ContainerHandle::new(docker, id.to_string())).await
}

/// The output of [`CreateContainer::stream`]: a `Stream` of [`LogChunk`]s, ended by
/// [`Error::ContainerFailed`] when the container exits with a non-zero code.
pub struct RunStream {
    inner: Pin<Box<dyn Stream<Item = Result<LogChunk>> + Send>>,
}

impl std::fmt::Debug for RunStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RunStream")
    }
}

impl Stream for RunStream {
    type Item = Result<LogChunk>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }
}
