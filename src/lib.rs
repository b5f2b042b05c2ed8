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
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod auth;
mod client;
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
    BodyStream, CallRecord, ERROR_BODY_LIMIT, Host, MINIMUM_API_VERSION, TlsMaterial,
};
pub use version::ApiVersion;

/// Every operation of the spec: (operationId, generated method, HTTP method, path template).
pub use operations::OPERATIONS;
/// The API version of the spec the raw client was generated from.
pub use operations::SPEC_API_VERSION;
