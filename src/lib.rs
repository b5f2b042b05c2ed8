//! A typed, async client for the Docker Engine API.
//!
//! Start from [`Docker`]: [`Docker::from_env`] connects as the docker CLI does. From there:
//!
//! - [`Docker::containers`], [`Docker::images`], [`Docker::networks`], [`Docker::volumes`]
//!   and [`Docker::events`]: docker-py style collections, whose objects are [`Model`]s
//!   ([`Container`], [`Image`], [`Network`], [`Volume`]);
//! - [`Docker::raw`]: every endpoint of the API, generated from the Engine's own spec,
//!   with the models in [`types`];
//! - [`stream`]: the decoders of logs, attach and exec output and of JSON progress, and
//!   [`session`]: interactive exec and attach sessions.
//!
//! The layers, from the bottom: the transport core (private: every request, typed or raw,
//! passes through it), [`raw`] (generated), [`stream`] and [`session`], then [`models`].
//! A layer uses only those below it.
//!
//! ```no_run
//! # async fn tour() -> docker_engine::Result<()> {
//! use docker_engine::Docker;
//!
//! let docker = Docker::from_env()?;
//! let v = docker.version().await?;
//! println!("engine {} (API {})", v.version.unwrap_or_default(), docker.api_version().await?);
//! for c in docker.containers().list().all(true).send().await? {
//!     println!("{} {} {}", c.short_id(), c.name(), c.status());
//! }
//! # Ok(()) }
//! ```
//!
//! New here? The [`guide`] walks from connecting to containers, logs, exec sessions,
//! images and registry credentials. Coming from docker-py or bollard:
//! [`migrating_from_docker_py`], [`coming_from_bollard`].
//!
//! Connecting (the `DOCKER_HOST` forms, docker contexts, SSH, TLS) is in [`contexts`] and
//! [`Host::parse`]; every bound on what is read from a daemon is a constant of this crate
//! ([`ERROR_BODY_LIMIT`], [`RESPONSE_BODY_LIMIT`], [`RESPONSE_HEAD_LIMIT`], and the
//! decoders' in [`stream`]).
//!
//! Features (none is on by default):
//!
//! - `tls`: TLS for `tcp://` and `https://` hosts, with rustls and ring;
//! - `schemars`: `schemars::JsonSchema` on every generated type;
//! - `regenerate`: run the generator in `build.rs` instead of using the committed
//!   `generated/`.
#![cfg_attr(docsrs, feature(doc_cfg))]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod auth;
mod client;
pub mod contexts;
mod error;
pub mod filters;
pub mod models;
mod operations;
pub mod raw;
pub mod session;
pub mod stream;
mod transport;
mod version;

pub use client::{DEFAULT_HOST, Docker, DockerBuilder};
pub use error::{BoxError, Error, Result};
pub use models::containers::{Container, Containers};
pub use models::images::{Image, Images};
pub use models::networks::{Network, Networks};
pub use models::volumes::{Volume, Volumes};
pub use models::{Handle, Model, PingInfo};
pub use models::{containers, events, images, networks, volumes};
pub use raw::types;
pub use transport::{
    BodyStream, CallRecord, ERROR_BODY_LIMIT, Host, MINIMUM_API_VERSION, RESPONSE_BODY_LIMIT,
    RESPONSE_HEAD_LIMIT, TlsMaterial,
};
pub use version::ApiVersion;

/// Every operation of the spec: (operationId, generated method, HTTP method, path template).
pub use operations::OPERATIONS;
/// The API version of the spec the raw client was generated from.
pub use operations::SPEC_API_VERSION;

/// The guide: connecting, containers, logs, exec sessions, images and build, registry
/// credentials, and when to use [`Docker::raw`].
#[doc = include_str!("docs/guide.md")]
pub mod guide {}

/// Coming from docker-py: every member of docker-py 7.1's client and models, and the
/// arguments of `containers.run`, with the call that does the same here.
#[doc = include_str!("docs/migrating-from-docker-py.md")]
pub mod migrating_from_docker_py {}

/// Coming from bollard: each of bollard's `Docker` methods, with the call that does the
/// same here.
#[doc = include_str!("docs/coming-from-bollard.md")]
pub mod coming_from_bollard {}

/// The README's Rust example, compiled with the doc tests so that it stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

#[doc(hidden)]
pub mod __fuzz {
    //! Not part of the API; for the parser fuzz harness. Thin wrappers over private parsers,
    //! free to change or go in any release.

    use crate::auth::{DockerConfig, RegistryAuth};
    use crate::models::containers::PathStat;

    /// The value of an `X-Docker-Container-Path-Stat` header, decoded.
    pub fn path_stat_header(value: &[u8]) -> crate::Result<PathStat> {
        crate::models::containers::path_stat_header(value)
    }

    /// What a credential helper's `get` printed, taken as `DockerConfig` takes it; `failed`
    /// is its exit status when that was not success.
    pub fn helper_output(
        failed: Option<&str>,
        stdout: &[u8],
        stderr: &[u8],
    ) -> crate::Result<Option<RegistryAuth>> {
        crate::auth::helper_answer(
            "docker-credential-fuzz",
            "fuzz.example",
            failed,
            stdout,
            stderr,
        )
    }

    /// The `auths` entry of `config` for `registry` (its `auth` decoded), running no helper.
    pub fn inline_credentials(
        config: &DockerConfig,
        registry: &str,
    ) -> crate::Result<Option<RegistryAuth>> {
        config.inline_credentials(registry)
    }
}
