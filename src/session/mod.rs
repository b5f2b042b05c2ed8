//! An interactive session over the upgraded connection of exec and attach.
//!
//! The daemon answers `101 Switching Protocols` to a request sent with `Connection: Upgrade`
//! and `Upgrade: tcp`, and the connection then carries the process's output one way
//! (multiplexed, or raw with a TTY) and its stdin the other. [`Session`] is both: a
//! `Stream` of [`LogChunk`]s and an `AsyncWrite`. No task runs behind it; dropping it
//! closes the connection.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::BytesMut;
use futures_core::Stream;
use tokio::io::{AsyncWrite, ReadHalf, WriteHalf};

use crate::client::Docker;
use crate::error::{Error, Result};
use crate::stream::LogChunk;
use crate::stream::demux::Framing;
use crate::transport::Upgraded as Io;

/// Read buffer size: the daemon copies output in 32 KiB pieces.
const READ_CHUNK: usize = 64 * 1024;

/// What the session is attached to, for `resize` and `wait`.
#[derive(Clone, Debug)]
enum Target {
    Exec(String),
    Container(String),
}

/// Control of a session that outlives [`Session::split`]: resize the TTY, wait for the exit code.
#[derive(Clone, Debug)]
pub struct SessionControl {
    docker: Docker,
    target: Target,
}

impl SessionControl {
    /// Resize the TTY to `width` columns and `height` rows.
    ///
    /// The integration test `interactive_shell_with_tty_and_resize` makes the same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let c = docker.containers().handle("web");
    /// let sh = c.exec(["sh"]).stdin(true).tty(true).start().await?;
    /// let control = sh.control();
    /// let (output, input) = sh.split();
    /// control.resize(132, 43).await?; // the terminal was resized
    /// # drop((output, input));
    /// # Ok(()) }
    /// ```
    pub async fn resize(&self, width: u16, height: u16) -> Result<()> {
        let (w, h) = (i64::from(width), i64::from(height));
        let done = match &self.target {
            Target::Exec(id) => self
                .docker
                .call(self.docker.raw().exec_resize().id(id).w(w).h(h).send())
                .await
                .map(drop),
            Target::Container(id) => self
                .docker
                .call(self.docker.raw().container_resize().id(id).w(w).h(h).send())
                .await
                .map(drop),
        };
        match done {
            // A success the spec does not list: Podman answers an exec resize with 201.
            Err(Error::Api {
                status: 200..=299, ..
            }) => Ok(()),
            other => other,
        }
    }

    /// Resize as soon as the process runs: a resize sent a moment too early is refused.
    pub(crate) async fn resize_when_started(&self, width: u16, height: u16) {
        let mut delay = Duration::from_millis(5);
        for _ in 0..8 {
            match self.resize(width, height).await {
                Ok(()) => return,
                Err(e) => tracing::debug!(error = %e, "resize right after start failed; retrying"),
            }
            tokio::time::sleep(delay).await;
            delay *= 2;
        }
    }

    /// Wait until the process ends; its exit code.
    ///
    /// The integration test `ten_mib_through_cat_and_back` waits after a split.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// use futures_util::StreamExt;
    /// let job = docker.containers().handle("web").exec(["make", "test"]).start().await?;
    /// let control = job.control();
    /// let (mut output, _input) = job.split();
    /// while let Some(chunk) = output.next().await {
    ///     print!("{}", chunk?);
    /// }
    /// println!("exit code {}", control.wait().await?);
    /// # Ok(()) }
    /// ```
    pub async fn wait(&self) -> Result<i64> {
        match &self.target {
            Target::Exec(id) => exec_exit_code(&self.docker, id).await,
            Target::Container(id) => container_exit_code(&self.docker, id).await,
        }
    }
}

/// Poll exec inspect until the process has ended (the output stream can end a moment
/// before the daemon records the exit code).
pub(crate) async fn exec_exit_code(docker: &Docker, id: &str) -> Result<i64> {
    let mut delay = Duration::from_millis(5);
    loop {
        let inspect = docker
            .call(docker.raw().exec_inspect().id(id).send())
            .await?;
        if inspect.running != Some(true) {
            return inspect.exit_code.ok_or_else(|| Error::Decode {
                message: "exec inspect has no ExitCode for an ended process".into(),
                source: None,
            });
        }
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(Duration::from_millis(200));
    }
}

/// `POST /containers/{id}/wait`: the exit code once the container stops. Waits as long as
/// the container runs (a long poll: the request timeout bounds only the response head).
pub(crate) async fn container_exit_code(docker: &Docker, id: &str) -> Result<i64> {
    let r = docker
        .call(docker.raw().container_wait().id(id).send())
        .await?;
    wait_exit_code(id, r)
}

/// The exit code in a wait's answer; a failure the daemon reports in it is [`Error::Stream`].
pub(crate) fn wait_exit_code(
    id: &str,
    r: crate::raw::types::op::container_wait::Response,
) -> Result<i64> {
    match r.error.and_then(|e| e.message) {
        Some(message) if !message.is_empty() => Err(Error::Stream {
            message: format!("waiting for container {id} failed: {message}"),
            source: None,
        }),
        _ => Ok(r.status_code.unwrap_or_default()),
    }
}

/// The output half of a session: a `Stream` of [`LogChunk`]s.
pub struct SessionOutput {
    reader: ReadHalf<Io>,
    framing: Framing,
    buf: BytesMut,
}

/// The input half of a session: an `AsyncWrite` to the process's stdin.
/// `shutdown()` closes stdin (a half-close); output keeps flowing.
pub struct SessionInput {
    writer: WriteHalf<Io>,
}

/// An exec or attach session: output as a `Stream`, stdin as an `AsyncWrite`.
pub struct Session {
    output: SessionOutput,
    input: SessionInput,
    control: SessionControl,
}

impl Session {
    pub(crate) fn new(
        docker: Docker,
        io: Io,
        multiplexed: bool,
        exec_id: Option<String>,
        container: &str,
    ) -> Session {
        let (reader, writer) = tokio::io::split(io);
        let target = match exec_id {
            Some(id) => Target::Exec(id),
            None => Target::Container(container.to_string()),
        };
        Session {
            output: SessionOutput {
                reader,
                framing: Framing::new(multiplexed),
                buf: BytesMut::new(),
            },
            input: SessionInput { writer },
            control: SessionControl { docker, target },
        }
    }

    /// Resize the TTY.
    ///
    /// The integration test `interactive_shell_with_tty_and_resize` makes the same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let c = docker.containers().handle("web");
    /// let sh = c.exec(["sh"]).stdin(true).tty(true).start().await?;
    /// sh.resize(100, 30).await?;
    /// # Ok(()) }
    /// ```
    pub async fn resize(&self, width: u16, height: u16) -> Result<()> {
        self.control.resize(width, height).await
    }

    /// Wait for the process to end; its exit code. Read the output first if there is much
    /// of it: a process blocked writing to a full pipe does not end.
    ///
    /// The integration test `stdin_eof_ends_cat_and_output_keeps_flowing_after_shutdown` makes the
    /// same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// use tokio::io::AsyncWriteExt;
    /// let c = docker.containers().handle("web");
    /// let mut sh = c.exec(["sh"]).stdin(true).start().await?;
    /// sh.write_all(b"exit 7\n").await?;
    /// assert_eq!(sh.wait().await?, 7);
    /// # Ok(()) }
    /// ```
    pub async fn wait(&self) -> Result<i64> {
        self.control.wait().await
    }

    /// A handle for `resize` and `wait` that outlives [`split`](Self::split).
    ///
    /// The integration test `interactive_shell_with_tty_and_resize` makes the same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let c = docker.containers().handle("web");
    /// let sh = c.exec(["sh"]).tty(true).stdin(true).start().await?;
    /// let control = sh.control();
    /// tokio::spawn(async move { control.resize(80, 24).await });
    /// # Ok(()) }
    /// ```
    pub fn control(&self) -> SessionControl {
        self.control.clone()
    }

    /// The output and input halves, to read and write from different tasks.
    ///
    /// The integration test `ten_mib_through_cat_and_back` makes the same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// use futures_util::StreamExt;
    /// use tokio::io::AsyncWriteExt;
    /// let cat = docker.containers().handle("web").exec(["cat"]).stdin(true).start().await?;
    /// let (mut output, mut input) = cat.split();
    /// let writer = tokio::spawn(async move {
    ///     input.write_all(b"some input\n").await?;
    ///     input.shutdown().await // stdin closed: cat ends
    /// });
    /// while let Some(chunk) = output.next().await {
    ///     print!("{}", chunk?);
    /// }
    /// # writer.await.ok();
    /// # Ok(()) }
    /// ```
    pub fn split(self) -> (SessionOutput, SessionInput) {
        (self.output, self.input)
    }
}

impl Stream for SessionOutput {
    type Item = Result<LogChunk>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            if let Some(item) = this.framing.next() {
                return Poll::Ready(item);
            }
            if this.buf.capacity() - this.buf.len() < 4096 {
                this.buf.reserve(READ_CHUNK);
            }
            match tokio_util::io::poll_read_buf(Pin::new(&mut this.reader), cx, &mut this.buf) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Err(e)) => {
                    let e = Error::stream_from("reading the session failed", e);
                    return Poll::Ready(this.framing.end(Some(e)));
                }
                Poll::Ready(Ok(0)) => return Poll::Ready(this.framing.end(None)),
                Poll::Ready(Ok(_)) => {
                    if let Some(item) = this.framing.push(this.buf.split().freeze()) {
                        return Poll::Ready(Some(item));
                    }
                }
            }
        }
    }
}

impl AsyncWrite for SessionInput {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.writer).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.writer).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.writer).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.writer).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.writer.is_write_vectored()
    }
}

impl Stream for Session {
    type Item = Result<LogChunk>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        Pin::new(&mut self.output).poll_next(cx)
    }
}

impl AsyncWrite for Session {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.input).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.input).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.input).poll_shutdown(cx)
    }
}

/// A connection the daemon switched to another protocol and handed over as it is: the
/// attach websocket ([`Attach::websocket`](crate::containers::Attach::websocket)) and
/// `/session` ([`Docker::session_connection`]). Tokio's `AsyncRead` and `AsyncWrite`: speak
/// the protocol on it with a library for it.
pub struct Upgraded {
    io: Io,
}

impl Upgraded {
    pub(crate) fn new(io: Io) -> Upgraded {
        Upgraded { io }
    }
}

impl std::fmt::Debug for Upgraded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Upgraded")
    }
}

impl tokio::io::AsyncRead for Upgraded {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_read(cx, buf)
    }
}

impl AsyncWrite for Upgraded {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.get_mut().io).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_shutdown(cx)
    }
}
