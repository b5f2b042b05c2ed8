//! An answer kept as the daemon sent it, beside its typed form: what a model's
//! `attrs_json` reads. Made by the core (`Capture::whole`), read by the models.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use bytes::Bytes;

use crate::error::Result;

/// One object's description as the daemon sent it: its JSON text, parsed on first use.
/// Clones share both.
#[derive(Clone, Default)]
pub struct Answer {
    text: Bytes,
    parsed: Arc<OnceLock<serde_json::Value>>,
}

impl Answer {
    /// Keep `text`, the JSON the daemon sent about one object.
    pub(crate) fn new(text: Bytes) -> Answer {
        Answer {
            text,
            parsed: Arc::default(),
        }
    }

    /// The JSON text, byte for byte as the daemon sent it.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let net = docker.networks().get("bridge").await?;
    /// println!("{}", net.answer().text());
    /// # Ok(()) }
    /// ```
    pub fn text(&self) -> &str {
        // Only text the typed decoding accepted is kept: it is JSON, so UTF-8.
        std::str::from_utf8(&self.text).unwrap_or_default()
    }

    /// The items of a list answer, each kept as sent: the answer's array, or the array
    /// that is its member `key`. `null` is an empty list.
    pub(crate) fn items(&self, key: Option<&str>) -> Result<Vec<Answer>> {
        use serde_json::value::RawValue;
        let decode = |e| crate::error::Error::decode("the daemon's list", e);
        let mut array: &str = self.text();
        if let Some(key) = key {
            let object: HashMap<String, &RawValue> = serde_json::from_str(array).map_err(decode)?;
            array = object.get(key).map_or("null", |raw| raw.get());
        }
        let items: Option<Vec<&RawValue>> = serde_json::from_str(array).map_err(decode)?;
        Ok(items
            .unwrap_or_default()
            .into_iter()
            .map(|raw| Answer::new(self.text.slice_ref(raw.get().as_bytes())))
            .collect())
    }

    /// The text parsed (once); `Null` for an answer that was not kept (none is empty).
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let net = docker.networks().get("bridge").await?;
    /// println!("{}", net.answer().json()["IPAM"]["Config"]);
    /// # Ok(()) }
    /// ```
    pub fn json(&self) -> &serde_json::Value {
        self.parsed
            .get_or_init(|| serde_json::from_slice(&self.text).unwrap_or_default())
    }
}

impl std::fmt::Debug for Answer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Answer")
            .field("bytes", &self.text.len())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::Answer;

    #[test]
    fn list_answers_are_cut_into_their_items_as_sent() {
        let text = r#"[{"Id":"a", "Extra" : [1,2]} ,{"Id":"b"}]"#;
        let items = Answer::new(text.into()).items(None).unwrap();
        let texts: Vec<&str> = items.iter().map(Answer::text).collect();
        assert_eq!(texts, [r#"{"Id":"a", "Extra" : [1,2]}"#, r#"{"Id":"b"}"#]);
        assert_eq!(items[0].json()["Extra"][1], 2);

        let object = r#"{"Volumes":[{"Name":"v"}],"Warnings":null}"#;
        let items = Answer::new(object.into()).items(Some("Volumes")).unwrap();
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].text(), r#"{"Name":"v"}"#);

        // `null`, or no such member: an empty list. Not a list: an error.
        assert!(Answer::new("null".into()).items(None).unwrap().is_empty());
        let none = r#"{"Volumes":null}"#;
        assert!(
            Answer::new(none.into())
                .items(Some("Volumes"))
                .unwrap()
                .is_empty()
        );
        assert!(
            Answer::new("{}".into())
                .items(Some("Volumes"))
                .unwrap()
                .is_empty()
        );
        assert!(Answer::new("{}".into()).items(None).is_err());
        assert_eq!(Answer::default().json(), &serde_json::Value::Null);
    }
}
