//! `docker build` with the classic builder.

use std::collections::HashMap;

use futures_util::StreamExt;

use super::{BuildContext, Image};
use crate::client::Docker;
use crate::error::{Error, Result};
use crate::raw::types::op;
use crate::stream::JsonStream;

pub(super) enum BuildSource {
    Dir(std::path::PathBuf),
    Tar(reqwest::Body),
}

impl std::fmt::Debug for BuildSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BuildSource::Dir(d) => write!(f, "Dir({})", d.display()),
            BuildSource::Tar(_) => f.write_str("Tar(..)"),
        }
    }
}

/// Builder of `POST /build` (the classic builder).
#[derive(Debug)]
pub struct Build {
    docker: Docker,
    source: BuildSource,
    dockerfile: String,
    tags: Vec<String>,
    target: Option<String>,
    nocache: Option<bool>,
    pull: Option<bool>,
    forcerm: Option<bool>,
    buildargs: HashMap<String, String>,
    labels: HashMap<String, String>,
}

impl Build {
    pub(super) fn new(docker: Docker, source: BuildSource) -> Build {
        Build {
            docker,
            source,
            dockerfile: "Dockerfile".into(),
            tags: Vec::new(),
            target: None,
            nocache: None,
            pull: None,
            forcerm: None,
            buildargs: HashMap::new(),
            labels: HashMap::new(),
        }
    }

    /// Name and tag the result (`-t`); may be given several times (the daemon applies the
    /// first, [`send`](Self::send) the others once the build succeeded).
    pub fn tag(mut self, reference: impl Into<String>) -> Self {
        self.tags.push(reference.into());
        self
    }

    /// The Dockerfile's path within the context (default `Dockerfile`).
    pub fn dockerfile(mut self, path: impl Into<String>) -> Self {
        self.dockerfile = path.into();
        self
    }

    /// A build argument (`--build-arg`).
    pub fn build_arg(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.buildargs.insert(key.into(), value.into());
        self
    }

    /// A label on the image.
    pub fn label(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.labels.insert(key.into(), value.into());
        self
    }

    /// Build up to this stage of a multi-stage Dockerfile.
    pub fn target(mut self, stage: impl Into<String>) -> Self {
        self.target = Some(stage.into());
        self
    }

    /// Do not use the build cache.
    pub fn no_cache(mut self, yes: bool) -> Self {
        self.nocache = Some(yes);
        self
    }

    /// Always try to pull newer base images.
    pub fn pull(mut self, yes: bool) -> Self {
        self.pull = Some(yes);
        self
    }

    /// Remove intermediate containers even when the build fails.
    pub fn force_rm(mut self, yes: bool) -> Self {
        self.forcerm = Some(yes);
        self
    }

    /// Build output as a `Stream`: `stream` lines of the steps, `aux` with the image id,
    /// and an error of a failing step ends it with `Err` carrying the step's message.
    #[inline]
    pub fn stream(self) -> JsonStream<op::image_build::Item> {
        let Build {
            docker,
            source,
            dockerfile,
            tags,
            target,
            nocache,
            pull,
            forcerm,
            buildargs,
            labels,
        } = self;
        // A directory is checked now, before any request: a missing context is an error
        // of the first poll, not a half-sent upload.
        let body = match source {
            BuildSource::Tar(body) => Ok(body),
            BuildSource::Dir(dir) => BuildContext::from_dir(&dir, &dockerfile)
                .map(|c| reqwest::Body::wrap_stream(c.into_stream())),
        };
        JsonStream::connecting(async move {
            let body = body?;
            let capture = docker.capture_stream();
            let mut call = capture
                .raw()
                .image_build()
                .rm(true)
                .dockerfile(dockerfile)
                .body(body);
            if let Some(t) = tags.into_iter().next() {
                call = call.t(t);
            }
            if let Some(v) = target {
                call = call.target(v);
            }
            if let Some(v) = nocache {
                call = call.nocache(v);
            }
            if let Some(v) = pull {
                call = call.pull(v.to_string());
            }
            if let Some(v) = forcerm {
                call = call.forcerm(v);
            }
            if !buildargs.is_empty() {
                call =
                    call.buildargs(serde_json::to_string(&buildargs).expect("strings serialize"));
            }
            if !labels.is_empty() {
                call = call.labels(serde_json::to_string(&labels).expect("strings serialize"));
            }
            let body: crate::stream::demux::ByteSource =
                Box::pin(capture.stream(call.send()).await?.body);
            Ok(body)
        })
    }

    /// Build to the end; the image.
    pub async fn send(self) -> Result<Image> {
        let docker = self.docker.clone();
        let more_tags: Vec<String> = self.tags.iter().skip(1).cloned().collect();
        let mut output = self.stream();
        let mut id = None;
        while let Some(item) = output.next().await {
            let item = item?;
            if let Some(aux) = item.aux.and_then(|a| a.id) {
                id = Some(aux);
            } else if let Some(line) = item
                .stream
                .as_deref()
                .and_then(|s| s.strip_prefix("Successfully built "))
            {
                id.get_or_insert_with(|| line.trim().to_string());
            }
        }
        let id = id.ok_or_else(|| Error::stream("the build ended without an image id"))?;
        for tag in more_tags {
            docker.images().tag(&id, tag).await?;
        }
        Image::inspect(&docker, &id).await
    }
}
