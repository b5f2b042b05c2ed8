//! `docker logs`: [`Logs`], carried as a stream by the core.

use super::container::ContainerHandle;
use crate::error::Result;
use crate::stream::{LogChunk, LogLines, LogStream};

/// Builder of `GET /containers/{id}/logs`. Each setting is sent once, as last set.
#[derive(Debug)]
pub struct Logs {
    container: ContainerHandle,
    tty: Option<bool>,
    follow: Option<bool>,
    stdout: bool,
    stderr: bool,
    since: Option<i64>,
    until: Option<i64>,
    tail: Option<String>,
    timestamps: Option<bool>,
}

impl Logs {
    pub(crate) fn new(container: ContainerHandle, tty: Option<bool>) -> Logs {
        Logs {
            container,
            tty,
            follow: None,
            stdout: true,
            stderr: true,
            since: None,
            until: None,
            tail: None,
            timestamps: None,
        }
    }

    /// Keep the stream open and follow new output (`-f`).
    pub fn follow(mut self, follow: bool) -> Self {
        self.follow = Some(follow);
        self
    }

    /// Include stdout (default true).
    pub fn stdout(mut self, yes: bool) -> Self {
        self.stdout = yes;
        self
    }

    /// Include stderr (default true).
    pub fn stderr(mut self, yes: bool) -> Self {
        self.stderr = yes;
        self
    }

    /// Only output since this UNIX time, in seconds.
    pub fn since(mut self, since: i64) -> Self {
        self.since = Some(since);
        self
    }

    /// Only output before this UNIX time, in seconds.
    pub fn until(mut self, until: i64) -> Self {
        self.until = Some(until);
        self
    }

    /// Only the last `n` lines.
    pub fn tail(mut self, n: u64) -> Self {
        self.tail = Some(n.to_string());
        self
    }

    /// Prefix each line with its RFC 3339 timestamp.
    pub fn timestamps(mut self, yes: bool) -> Self {
        self.timestamps = Some(yes);
        self
    }

    /// The output as a `Stream` of chunks. Nothing is sent until it is first polled.
    ///
    /// The integration test `logs_are_byte_exact_with_binary_data_and_interleaving` makes the same
    /// call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// use futures_util::StreamExt;
    /// use docker_engine::stream::LogChunk;
    /// let web = docker.containers().handle("web");
    /// let mut logs = web.logs().stdout(false).since(1_700_000_000).stream();
    /// while let Some(chunk) = logs.next().await {
    ///     if let LogChunk::StdErr(bytes) = chunk? {
    ///         eprint!("{}", String::from_utf8_lossy(&bytes));
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    #[inline]
    pub fn stream(self) -> LogStream {
        LogStream::connecting(Box::pin(async move {
            let c = &self.container;
            let capture = c.docker.capture_stream();
            let mut call = capture
                .raw()
                .container_logs()
                .id(c.id())
                .stdout(self.stdout)
                .stderr(self.stderr);
            if let Some(v) = self.follow {
                call = call.follow(v);
            }
            if let Some(v) = self.since {
                call = call.since(v);
            }
            if let Some(v) = self.until {
                call = call.until(v);
            }
            if let Some(v) = self.tail {
                call = call.tail(v);
            }
            if let Some(v) = self.timestamps {
                call = call.timestamps(v);
            }
            let response = capture.stream(call.send()).await?;
            // Below API 1.42 the stream type is not told (or told wrong): the container's TTY
            // flag decides.
            let api = c.docker.api_version().await?;
            let multiplexed = match (crate::stream::multiplexed(&response.headers, api), self.tty) {
                (Some(m), _) => m,
                (None, Some(tty)) => !tty,
                (None, None) => !c.inspect().await?.tty(),
            };
            Ok((
                Box::pin(response.body) as crate::stream::demux::ByteSource,
                multiplexed,
            ))
        }))
    }

    /// The output as lines, each with the daemon's timestamp taken off into
    /// [`LogLine::timestamp`](crate::stream::LogLine) (sets `timestamps`).
    ///
    /// The integration test `timestamps_are_parsed_off_each_line` makes the same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// use futures_util::StreamExt;
    /// let mut lines = docker.containers().handle("web").logs().tail(100).lines();
    /// while let Some(line) = lines.next().await {
    ///     let line = line?;
    ///     print!("{} {}", line.timestamp, line.chunk);
    /// }
    /// # Ok(()) }
    /// ```
    #[inline]
    pub fn lines(self) -> LogLines {
        LogLines::new(self.timestamps(true).stream())
    }

    /// Collect the output (with `follow`, until the container stops).
    ///
    /// The integration test `create_options_reach_the_container` makes the same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let logs = docker.containers().handle("web").logs().timestamps(true).until(1_700_000_000);
    /// for chunk in logs.send().await? {
    ///     print!("{chunk}");
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<Vec<LogChunk>> {
        self.stream().collect_chunks().await
    }
}
