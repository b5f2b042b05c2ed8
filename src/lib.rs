//! A typed, async client for the Docker Engine API.
//!
//! Start from [`Docker`]: [`Docker::from_env`] connects as the docker CLI does. From there:
//!
//! - [`Docker::containers`], [`Docker::images`], [`Docker::networks`], [`Docker::volumes`]
//!   for docker-py style collections and models ([`containers::Container`],
//!   [`images::Image`], ...), and [`Docker::events`];
//! - [`Docker::raw`] for every endpoint of the API, generated from the Engine's own spec,
//!   with the models in [`types`];
//! - [`stream`] for the decoders of logs, attach and exec output and of JSON progress.
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

mod attach;
pub mod auth;
mod build_context;
mod container_ops;
pub mod containers;
mod direct;
mod docker;
mod error;
pub mod events;
pub mod exec;
pub mod filters;
pub mod images;
pub mod networks;
mod operations;
pub mod raw;
pub mod session;
pub mod stream;
pub mod transport;
mod version;
pub mod volumes;

pub use attach::{Attach, Stats};
pub use build_context::{BuildContext, DockerIgnore};
pub use container_ops::PathStat;
pub use docker::{DEFAULT_HOST, Docker, DockerBuilder};
pub use error::{Error, Result};
pub use images::Images;
pub use networks::Networks;
pub use raw::types;
pub use transport::{Host, MINIMUM_API_VERSION, TlsMaterial};
pub use version::ApiVersion;
pub use volumes::Volumes;

/// Every operation of the spec: (operationId, generated method, HTTP method, path template).
pub use operations::OPERATIONS;
/// The API version of the spec the raw client was generated from.
pub use operations::SPEC_API_VERSION;
