//! `docker attach` and `docker stats` on a container.

use crate::docker::{Docker, segment};
use crate::error::Result;
use crate::raw::types;
use crate::session::{Session, upgrade};
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
            None => self.docker.containers().get(&self.id).await?.tty(),
        };
        let mut query = vec![
            ("stream", "true".to_string()),
            ("stdin", self.stdin.to_string()),
            ("stdout", self.stdout.to_string()),
            ("stderr", self.stderr.to_string()),
            ("logs", self.logs.to_string()),
        ];
        query.extend(self.detach_keys.map(|k| ("detachKeys", k)));
        let path = format!("/containers/{}/attach", segment(&self.id)?);
        let io = upgrade(&self.docker, &path, &query, None).await?;
        Ok(Session::new(self.docker, io, !tty, None, &self.id))
    }
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
    pub async fn send(self) -> Result<types::ContainerStatsResponse> {
        self.docker
            .call(
                self.docker
                    .raw()
                    .container_stats()
                    .id(&self.id)
                    .stream(false)
                    .one_shot(true)
                    .send(),
            )
            .await
    }

    /// A sample about every second for as long as the stream is read.
    pub fn stream(self) -> JsonStream<types::ContainerStatsResponse> {
        let Stats { docker, id } = self;
        let body = async move {
            let path = format!("/containers/{}/stats", segment(&id)?);
            let (_, body) = docker
                .stream_get(&path, &[("stream", "true".to_string())])
                .await?;
            Ok::<_, crate::Error>(body)
        };
        JsonStream::connecting(body)
    }
}
