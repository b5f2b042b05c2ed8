//! The `filters` query parameter: a JSON object of string lists, `{"label":["a=b"]}`.

use std::collections::BTreeMap;

/// Filters for list, prune and events endpoints.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filters(BTreeMap<String, Vec<String>>);

impl Filters {
    /// Add `value` under `key`; several values of one key are alternatives.
    ///
    /// ```
    /// use docker_engine::filters::Filters;
    /// let mut filters = Filters::default();
    /// filters.add("label", "app=web");
    /// filters.add("label", "app=api"); // either label
    /// assert_eq!(filters.to_query().unwrap(), r#"{"label":["app=web","app=api"]}"#);
    /// ```
    pub fn add(&mut self, key: impl Into<String>, value: impl Into<String>) {
        self.0.entry(key.into()).or_default().push(value.into());
    }

    /// Whether no filter is set.
    ///
    /// ```
    /// use docker_engine::filters::Filters;
    /// let mut filters = Filters::default();
    /// assert!(filters.is_empty());
    /// filters.add("dangling", "true");
    /// assert!(!filters.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The JSON text the daemon expects, or `None` when there is no filter.
    ///
    /// For a raw call (here the same request as `docker.containers().list().status("exited")`):
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let mut filters = docker_engine::filters::Filters::default();
    /// filters.add("status", "exited");
    /// let mut call = docker.raw().container_list().all(true);
    /// if let Some(query) = filters.to_query() {
    ///     call = call.filters(query);
    /// }
    /// let exited = call.send().await?.into_inner();
    /// # Ok(()) }
    /// ```
    pub fn to_query(&self) -> Option<String> {
        (!self.0.is_empty())
            .then(|| serde_json::to_string(&self.0).expect("strings always serialize"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_as_json_lists() {
        let mut f = Filters::default();
        assert_eq!(f.to_query(), None);
        f.add("label", "a=b");
        f.add("label", "c");
        f.add("status", "running");
        assert_eq!(
            f.to_query().unwrap(),
            r#"{"label":["a=b","c"],"status":["running"]}"#
        );
    }
}
