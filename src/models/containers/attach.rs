//! `docker attach` and `docker stats` on a container.

use crate::client::Docker;
use crate::error::Result;
use crate::raw::types::op;
use crate::session::{Session, Upgraded};
use crate::stream::{JsonStream, LogChunk};
use futures_util::StreamExt;

/// Builder of `POST /containers/{id}/attach` on an upgraded connection.
#[derive(Debug)]
pub struct Attach {
    docker: Docker,
    id: String,
    tty: Option<bool>,
    stdin: bool,
    stdout: bool,
    stderr: bool,
    logs: bool,
    stream: bool,
    detach_keys: Option<String>,
}

impl Attach {
    pub(crate) fn new(docker: Docker, id: String, tty: Option<bool>) -> Attach {
        Attach {
            docker,
            id,
            tty,
            stdin: false,
            stdout: true,
            stderr: true,
            logs: false,
            stream: true,
            detach_keys: None,
        }
    }

    /// Attach stdin (the container must have been created with stdin open).
    pub fn stdin(mut self, yes: bool) -> Self {
        self.stdin = yes;
        self
    }

    /// Attach stdout (default true).
    pub fn stdout(mut self, yes: bool) -> Self {
        self.stdout = yes;
        self
    }

    /// Attach stderr (default true).
    pub fn stderr(mut self, yes: bool) -> Self {
        self.stderr = yes;
        self
    }

    /// Replay the output so far before the live output.
    pub fn logs(mut self, yes: bool) -> Self {
        self.logs = yes;
        self
    }

    /// Stream the live output (default true). With `false` and [`logs`](Self::logs), the
    /// daemon sends the output so far and ends the session: also on a container that has
    /// stopped (`attach_with_logs_and_no_stream_replays_a_stopped_container`).
    pub fn stream(mut self, yes: bool) -> Self {
        self.stream = yes;
        self
    }

    /// The key sequence that detaches (`ctrl-p,ctrl-q` by default in the daemon).
    pub fn detach_keys(mut self, keys: impl Into<String>) -> Self {
        self.detach_keys = Some(keys.into());
        self
    }

    /// Attach.
    ///
    /// The integration test `attach_to_cat` makes the same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// use futures_util::StreamExt;
    /// use tokio::io::AsyncWriteExt;
    /// let c = docker.containers().run("busybox").cmd(["cat"]).stdin_open(true).detach().await?;
    /// let mut session = c.attach().stdin(true).detach_keys("ctrl-x").start().await?;
    /// session.write_all(b"hello\n").await?;
    /// println!("{:?}", session.next().await);
    /// # Ok(()) }
    /// ```
    pub async fn start(self) -> Result<Session> {
        // API 1.41 sends no stream type: the container's TTY flag decides.
        let tty = match self.tty {
            Some(t) => t,
            None => super::ContainerHandle::new(&self.docker, self.id.clone())
                .inspect()
                .await?
                .tty(),
        };
        let capture = self.docker.capture_upgrade();
        let mut call = capture
            .raw()
            .container_attach()
            .id(&self.id)
            .stream(self.stream)
            .stdin(self.stdin)
            .stdout(self.stdout)
            .stderr(self.stderr)
            .logs(self.logs);
        if let Some(k) = self.detach_keys {
            call = call.detach_keys(k);
        }
        let (_, io) = capture.upgrade(call.send()).await?;
        Ok(Session::new(self.docker, io, !tty, None, &self.id))
    }

    /// Attach and read the session to its end: with `.logs(true).stream(false)`, what the
    /// container has printed so far (`attach_with_logs_and_no_stream_replays_a_stopped_container`);
    /// otherwise, its output until it stops.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// use docker_engine::stream::LogChunk;
    /// let job = docker.containers().handle("job");
    /// let output = job.attach().logs(true).stream(false).send().await?;
    /// let errors: Vec<_> = output.iter().filter(|c| matches!(c, LogChunk::StdErr(_))).collect();
    /// println!("{} chunks on stderr", errors.len());
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<Vec<LogChunk>> {
        let mut session = self.start().await?;
        let mut chunks = Vec::new();
        while let Some(chunk) = session.next().await {
            chunks.push(chunk?);
        }
        Ok(chunks)
    }

    /// The same attach through the daemon's websocket, `GET /containers/{id}/attach/ws`, for
    /// a program that relays it to a websocket peer (a terminal in a browser). The handshake
    /// is done here (`Upgrade: websocket`, a fresh `Sec-WebSocket-Key`, version 13, and an
    /// `Origin`, which the daemon requires); what comes back is the connection after the
    /// daemon's `101`, for a websocket library in the client role. Each message carries
    /// output as the daemon copies it, not multiplexed (`attach_websocket_carries_data_both_ways`).
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// use tokio::io::AsyncWriteExt;
    /// let mut ws = docker.containers().handle("web").attach().stdin(true).websocket().await?;
    /// // Hand `ws` to a websocket library in the client role; it is plain bytes here.
    /// ws.shutdown().await?;
    /// # Ok(()) }
    /// ```
    pub async fn websocket(self) -> Result<Upgraded> {
        let mut headers = http::HeaderMap::new();
        let key = http::HeaderValue::from_str(&websocket_key()).expect("base64 is a header value");
        headers.insert(
            http::header::UPGRADE,
            http::HeaderValue::from_static("websocket"),
        );
        headers.insert(http::header::SEC_WEBSOCKET_KEY, key);
        headers.insert(
            http::header::SEC_WEBSOCKET_VERSION,
            http::HeaderValue::from_static("13"),
        );
        headers.insert(
            http::header::ORIGIN,
            http::HeaderValue::from_static("http://localhost"),
        );
        let capture = self.docker.capture_upgrade_with(headers);
        let mut call = capture
            .raw()
            .container_attach_websocket()
            .id(&self.id)
            .stream(true)
            .stdin(self.stdin)
            .stdout(self.stdout)
            .stderr(self.stderr)
            .logs(self.logs);
        if let Some(k) = self.detach_keys {
            call = call.detach_keys(k);
        }
        let (_, io) = capture.upgrade(call.send()).await?;
        Ok(Upgraded::new(io))
    }
}

/// 16 bytes no other handshake of this process uses, in base64 (RFC 6455, 4.1): std's
/// hasher keys are random per process and distinct per `RandomState`.
fn websocket_key() -> String {
    use base64::Engine as _;
    use std::hash::{BuildHasher, Hasher};
    let mut bytes = [0u8; 16];
    for half in bytes.chunks_mut(8) {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u64(0);
        half.copy_from_slice(&h.finish().to_le_bytes());
    }
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Builder of `GET /containers/{id}/stats`.
#[derive(Debug)]
pub struct Stats {
    docker: Docker,
    id: String,
}

impl Stats {
    pub(crate) fn new(docker: Docker, id: String) -> Stats {
        Stats { docker, id }
    }

    /// One sample now (`stream=false`, `one-shot=true`: no wait for a second CPU sample).
    ///
    /// The integration test `stats_one_shot_and_streaming` makes the same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let s = docker.containers().handle("web").stats().send().await?;
    /// let cpu = s.cpu_stats.and_then(|c| c.cpu_usage).and_then(|u| u.total_usage);
    /// println!("{} ns of CPU so far", cpu.unwrap_or_default());
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<op::container_stats::Item> {
        let Stats { docker, id } = self;
        let capture = docker.capture_stream();
        let call = capture
            .raw()
            .container_stats()
            .id(id)
            .stream(false)
            .one_shot(true)
            .send();
        let body: crate::stream::demux::ByteSource = Box::pin(capture.stream(call).await?.body);
        let mut items = JsonStream::<op::container_stats::Item>::new(body);
        match items.next().await {
            Some(sample) => sample,
            None => Err(crate::Error::stream(
                "the daemon ended the stats without a sample",
            )),
        }
    }

    /// A sample about every second for as long as the stream is read.
    ///
    /// The integration test `stats_one_shot_and_streaming` makes the same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// use futures_util::StreamExt;
    /// let mut samples = docker.containers().handle("web").stats().stream().take(5);
    /// while let Some(s) = samples.next().await {
    ///     let memory = s?.memory_stats.and_then(|m| m.usage).unwrap_or_default();
    ///     println!("{} MiB", memory >> 20);
    /// }
    /// # Ok(()) }
    /// ```
    #[inline]
    pub fn stream(self) -> JsonStream<op::container_stats::Item> {
        let Stats { docker, id } = self;
        let body = async move {
            let capture = docker.capture_stream();
            let call = capture.raw().container_stats().id(id).stream(true).send();
            let body: crate::stream::demux::ByteSource = Box::pin(capture.stream(call).await?.body);
            Ok::<_, crate::Error>(body)
        };
        JsonStream::connecting(body)
    }
}
