//! `docker container|image|network|volume prune`: one builder for the four.

use std::future::Future;

use crate::client::Docker;
use crate::error::Result;
use crate::filters::Filters;
use crate::models::model::Kind;

/// A kind whose stopped, dangling or unused objects can be pruned.
pub trait Prunable: Kind {
    /// What the daemon reports: what was deleted and the space reclaimed.
    type Report;

    /// Send the prune request with these filters (JSON, as the daemon takes them).
    fn prune(
        docker: &Docker,
        filters: Option<String>,
    ) -> impl Future<Output = Result<Self::Report>> + Send;
}

/// Builder of a prune: `.label(..)`, `.until(..)`, `.filter(..)`, then `.send()`.
#[derive(Debug)]
pub struct Prune<K: Prunable> {
    docker: Docker,
    filters: Filters,
    kind: std::marker::PhantomData<fn() -> K>,
}

impl<K: Prunable> Prune<K> {
    pub(crate) fn new(docker: &Docker) -> Prune<K> {
        Prune {
            docker: docker.clone(),
            filters: Filters::default(),
            kind: std::marker::PhantomData,
        }
    }

    crate::models::filter_setters! {
        /// Only objects with this label (`key`, `key=value`).
        label => "label",
        /// Only objects created before this time (a UNIX time or a duration such as `24h`).
        until => "until",
    }

    /// Prune; the daemon's report.
    ///
    /// The integration test `published_ports_and_prune` makes the same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let report = docker.containers().prune().until("24h").label("ci").send().await?;
    /// let gone = report.containers_deleted.unwrap_or_default();
    /// println!("{} containers, {} bytes", gone.len(), report.space_reclaimed.unwrap_or_default());
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<K::Report> {
        K::prune(&self.docker, self.filters.to_query()).await
    }
}
