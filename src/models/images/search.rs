//! `docker search`: the registry index's search (Docker Hub's, for the daemon's default).

use super::Images;
use crate::client::Docker;
use crate::error::Result;
use crate::filters::Filters;
use crate::raw::types::op;

impl Images {
    /// `docker search TERM` (docker-py's `images.search`): a builder; `.send()` asks the
    /// daemon, which asks the registry index. A daemon that cannot reach the index answers
    /// with an error, here an [`Error::Api`](crate::Error::Api) with its status and words.
    /// Proven by `image_search_and_model_equality`.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// for hit in docker.images().search("nginx").limit(5).is_official("true").send().await? {
    ///     let stars = hit.star_count.unwrap_or_default();
    ///     println!("{} ({stars} stars)", hit.name.unwrap_or_default());
    /// }
    /// # Ok(()) }
    /// ```
    pub fn search(&self, term: impl Into<String>) -> Search {
        Search {
            docker: self.docker.clone(),
            term: term.into(),
            limit: None,
            filters: Filters::default(),
        }
    }
}

/// Builder of `GET /images/search`.
#[derive(Debug)]
pub struct Search {
    docker: Docker,
    term: String,
    limit: Option<i64>,
    filters: Filters,
}

impl Search {
    /// At most this many results.
    pub fn limit(mut self, n: i64) -> Self {
        self.limit = Some(n);
        self
    }

    crate::models::filter_setters! {
        /// Only official images (`true`) or only others (`false`).
        is_official => "is-official",
        /// Only images with at least this many stars.
        stars => "stars",
    }

    /// Search.
    ///
    /// The integration test `image_search_and_model_equality` makes the same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let hits = docker.images().search("redis").stars("100").send().await?;
    /// println!("{} images with 100 stars or more", hits.len());
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<Vec<op::image_search::Item>> {
        let mut call = self.docker.raw().image_search().term(self.term);
        if let Some(n) = self.limit {
            call = call.limit(n);
        }
        if let Some(f) = self.filters.to_query() {
            call = call.filters(f);
        }
        Ok(op::image_search::items(
            self.docker.call(call.send()).await?,
        ))
    }
}
