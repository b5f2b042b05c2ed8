//! The `filters` query parameter: a JSON object of string lists, `{"label":["a=b"]}`.

use std::collections::BTreeMap;

/// Filters for list, prune and events endpoints.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filters(BTreeMap<String, Vec<String>>);

impl Filters {
    /// Add `value` under `key`; several values of one key are alternatives.
    pub fn add(&mut self, key: impl Into<String>, value: impl Into<String>) {
        self.0.entry(key.into()).or_default().push(value.into());
    }

    /// Whether no filter is set.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The JSON text the daemon expects, or `None` when there is no filter.
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
