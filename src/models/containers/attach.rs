//! `docker attach` and `docker stats` on a container.

use crate::client::Docker;
use crate::error::Result;
use crate::raw::types::op;
use crate::session::{Session, Upgraded};
use crate::stream::JsonStream;

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

    /// The key sequence that detaches (`ctrl-p,ctrl-q` by default in the daemon).
    pub fn detach_keys(mut self, keys: impl Into<String>) -> Self {
        self.detach_keys = Some(keys.into());
        self
    }

    /// Attach.
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
            .stream(true)
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

    /// The same attach through the daemon's websocket, `GET /containers/{id}/attach/ws`, for
    /// a program that relays it to a websocket peer (a terminal in a browser). The handshake
    /// is done here (`Upgrade: websocket`, a fresh `Sec-WebSocket-Key`, version 13, and an
    /// `Origin`, which the daemon requires); what comes back is the connection after the
    /// daemon's `101`, for a websocket library in the client role. Each message carries
    /// output as the daemon copies it, not multiplexed (`attach_websocket_carries_data_both_ways`).
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
        use futures_util::StreamExt;
        match items.next().await {
            Some(sample) => sample,
            None => Err(crate::Error::stream(
                "the daemon ended the stats without a sample",
            )),
        }
    }

    /// A sample about every second for as long as the stream is read.
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
