//! What every model shares, written once: docker-py's `Model` base class.
//!
//! A [`Handle`] names an object the daemon has (a container, an image, a network, a
//! volume) by id or name, and carries the verbs on it (`start`, `remove()`, ...): making
//! one sends nothing. A [`Model`] is the object as it was last inspected: its handle (it
//! derefs to it), its whole inspect answer in [`Model::attrs`], and [`Model::reload`] to
//! inspect again. A model is never made without inspecting, so every accessor answers from
//! what the daemon said; a handle has no such accessors, and [`Handle::inspect`] fetches
//! them.
//!
//! The typed attrs hold what the crate's API version describes. The daemon may say more (an
//! older engine's fields that a newer spec dropped, a newer engine's fields), and
//! [`Model::attrs_json`] keeps all of it: the answer as `docker inspect` prints it,
//! docker-py's `attrs`. What is particular to one kind (a container's `status`, an image's `tags`) is
//! added by that kind's module.

use std::collections::HashMap;
use std::future::Future;
use std::marker::PhantomData;
use std::ops::Deref;

use crate::client::Docker;
use crate::error::Result;
pub use crate::transport::Answer;

/// A kind of object the daemon keeps: how to inspect one and where its id and labels are.
pub trait Kind: Sized + 'static {
    /// The inspect answer.
    type Attrs: Clone + std::fmt::Debug + Send + Sync + 'static;

    /// `container`, `image`, ...: for messages.
    const NAME: &'static str;

    /// Inspect one by id or name: the typed answer, and the answer as the daemon sent it.
    fn inspect(
        docker: &Docker,
        id: &str,
    ) -> impl Future<Output = Result<(Self::Attrs, Answer)>> + Send;

    /// The id in an inspect answer.
    fn id(attrs: &Self::Attrs) -> Option<&str>;

    /// The labels in an inspect answer.
    fn labels(attrs: &Self::Attrs) -> Option<&HashMap<String, String>>;
}

/// An object of kind `K` by id or name, not inspected: the verbs, without the data.
/// [`crate::containers::ContainerHandle`] and its siblings are handles.
pub struct Handle<K: Kind> {
    pub(crate) docker: Docker,
    pub(crate) id: String,
    kind: PhantomData<fn() -> K>,
}

impl<K: Kind> Clone for Handle<K> {
    fn clone(&self) -> Self {
        Handle::new(&self.docker, self.id.clone())
    }
}

impl<K: Kind> std::fmt::Debug for Handle<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct(K::NAME)
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl<K: Kind> Handle<K> {
    pub(crate) fn new(docker: &Docker, id: String) -> Handle<K> {
        Handle {
            docker: docker.clone(),
            id,
            kind: PhantomData,
        }
    }

    /// The id or name this handle was made with (a model's handle: the full id).
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let c = docker.containers().handle("web");
    /// assert_eq!(c.id(), "web"); // as made; a model's handle has the full id
    /// let full = c.inspect().await?;
    /// println!("{} = {}", full.id(), full.short_id());
    /// # Ok(()) }
    /// ```
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The id's first 12 characters, without a `sha256:` prefix.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let image = docker.images().get("busybox").await?;
    /// println!("{}", image.short_id()); // 12 hex digits, no sha256:
    /// # Ok(()) }
    /// ```
    pub fn short_id(&self) -> &str {
        short(&self.id)
    }

    /// The connection this handle talks through.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let c = docker.containers().get("web").await?;
    /// let same_engine = c.docker().clone();
    /// println!("{}", same_engine.address());
    /// # Ok(()) }
    /// ```
    pub fn docker(&self) -> &Docker {
        &self.docker
    }

    /// Inspect the object: a [`Model`] with the daemon's answer.
    ///
    /// The integration test `inspect_and_run` inspects through a handle.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let handle = docker.containers().handle("web");
    /// handle.start().await?;
    /// let web = handle.inspect().await?;
    /// println!("{} is {}", web.name(), web.status());
    /// # Ok(()) }
    /// ```
    pub async fn inspect(&self) -> Result<Model<K>> {
        Model::inspect(&self.docker, &self.id).await
    }
}

/// An object of kind `K` as the daemon last described it. [`crate::Container`],
/// [`crate::Image`], [`crate::Network`] and [`crate::Volume`] are models. It derefs to its
/// [`Handle`], which has the verbs.
pub struct Model<K: Kind> {
    handle: Handle<K>,
    pub(crate) attrs: K::Attrs,
    answer: Answer,
}

impl<K: Kind> Clone for Model<K> {
    fn clone(&self) -> Self {
        Model {
            handle: self.handle.clone(),
            attrs: self.attrs.clone(),
            answer: self.answer.clone(),
        }
    }
}

/// Models from a list answer: `typed` is the list the generated code decoded, `answer` the
/// same list as sent; the array is the answer itself, or its member `key` (`Volumes`).
pub(crate) fn list_models<K: Kind>(
    docker: &Docker,
    typed: Vec<K::Attrs>,
    answer: &Answer,
    key: Option<&str>,
) -> Result<Vec<Model<K>>> {
    let items = answer.items(key)?;
    if items.len() != typed.len() {
        return Err(crate::error::Error::stream(format!(
            "the daemon's list of {} items decoded to {}",
            items.len(),
            typed.len()
        )));
    }
    Ok(typed
        .into_iter()
        .zip(items)
        .map(|(attrs, answer)| Model::from_answer(docker, attrs, answer, ""))
        .collect())
}

/// Two models are equal when they are the same object: the same id (docker-py's
/// `Model.__eq__`), whatever their attributes were when each was inspected. Proven by
/// `image_search_and_model_equality`.
impl<K: Kind> PartialEq for Model<K> {
    fn eq(&self, other: &Self) -> bool {
        self.handle.id == other.handle.id
    }
}

impl<K: Kind> Eq for Model<K> {}

/// By id, as [`PartialEq`].
impl<K: Kind> std::hash::Hash for Model<K> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.handle.id.hash(state);
    }
}

impl<K: Kind> std::fmt::Debug for Model<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct(K::NAME)
            .field("id", &self.handle.id)
            .field("attrs", &self.attrs)
            .finish()
    }
}

impl<K: Kind> Deref for Model<K> {
    type Target = Handle<K>;

    fn deref(&self) -> &Handle<K> {
        &self.handle
    }
}

impl<K: Kind> Model<K> {
    /// Inspect `id_or_name` and hold the answer.
    pub(crate) async fn inspect(docker: &Docker, id_or_name: &str) -> Result<Model<K>> {
        let (attrs, answer) = K::inspect(docker, id_or_name).await?;
        Ok(Model::from_answer(docker, attrs, answer, id_or_name))
    }

    /// Hold an answer already at hand: typed, and as the daemon sent it.
    pub(crate) fn from_answer(
        docker: &Docker,
        attrs: K::Attrs,
        answer: Answer,
        asked: &str,
    ) -> Model<K> {
        let id = K::id(&attrs).unwrap_or(asked).to_string();
        Model {
            handle: Handle::new(docker, id),
            attrs,
            answer,
        }
    }

    /// The labels.
    ///
    /// The integration test `network_lifecycle_connect_and_dns_aliases` reads labels.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let c = docker.containers().get("web").await?;
    /// if c.labels().get("app").map(String::as_str) == Some("web") {
    ///     println!("{} belongs to web", c.name());
    /// }
    /// # Ok(()) }
    /// ```
    pub fn labels(&self) -> HashMap<String, String> {
        K::labels(&self.attrs).cloned().unwrap_or_default()
    }

    /// The daemon's answer as of the last [`reload`](Self::reload), typed by the API
    /// version the crate was generated from: a field that version does not describe is
    /// not here, [`attrs_json`](Self::attrs_json) has it.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let c = docker.containers().get("web").await?;
    /// let restarts = c.attrs().restart_count.unwrap_or_default();
    /// let pid = c.attrs().state.as_ref().and_then(|s| s.pid);
    /// println!("restarted {restarts} times, pid {pid:?}");
    /// # Ok(()) }
    /// ```
    pub fn attrs(&self) -> &K::Attrs {
        &self.attrs
    }

    /// The daemon's whole answer, every field it sent, as `docker inspect` prints it
    /// (docker-py's `attrs`): an image inspected on Docker 20.10 keeps its
    /// `ContainerConfig`, which API 1.51 no longer describes. Parsed on first use. Proven
    /// equal to `docker inspect`'s output by `attrs_json_is_what_docker_inspect_prints`.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let image = docker.images().get("busybox").await?;
    /// let config = &image.attrs_json()["ContainerConfig"];
    /// # Ok(()) }
    /// ```
    pub fn attrs_json(&self) -> &serde_json::Value {
        self.answer.json()
    }

    /// The daemon's answer, as it sent it.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let image = docker.images().get("busybox").await?;
    /// std::fs::write("busybox.json", image.answer().text())?; // as `docker inspect` gets it
    /// # Ok(()) }
    /// ```
    pub fn answer(&self) -> &Answer {
        &self.answer
    }

    /// Inspect again.
    ///
    /// The integration test `lifecycle_operations` reloads after each verb.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let mut c = docker.containers().get("web").await?;
    /// c.stop().send().await?;
    /// c.reload().await?;
    /// assert_eq!(c.status(), "exited");
    /// # Ok(()) }
    /// ```
    pub async fn reload(&mut self) -> Result<()> {
        (self.attrs, self.answer) = K::inspect(&self.handle.docker, &self.handle.id).await?;
        Ok(())
    }

    /// The handle, for the verbs without the data.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let c = docker.containers().get("web").await?;
    /// let handle = c.handle().clone(); // the verbs, without the data
    /// tokio::spawn(async move { handle.restart().send().await });
    /// # Ok(()) }
    /// ```
    pub fn handle(&self) -> &Handle<K> {
        &self.handle
    }
}

/// The short form of an id: its first 12 characters, without a `sha256:` prefix. An id
/// that is shorter, or not ASCII where it would be cut, is given whole.
pub(crate) fn short(id: &str) -> &str {
    let id = id.strip_prefix("sha256:").unwrap_or(id);
    id.get(..12).unwrap_or(id)
}

#[cfg(test)]
mod tests {
    use super::short;

    #[test]
    fn short_ids_never_cut_inside_a_character() {
        assert_eq!(short("sha256:0123456789abcdef"), "0123456789ab");
        assert_eq!(short("abc"), "abc");
        assert_eq!(short("0123456789aé0000"), "0123456789aé0000");
    }
}
