//! What every model shares, written once: docker-py's `Model` base class.
//!
//! A [`Handle`] names an object the daemon has (a container, an image, a network, a
//! volume) by id or name, and carries the verbs on it (`start`, `remove()`, ...): making
//! one sends nothing. A [`Model`] is the object as it was last inspected: its handle (it
//! derefs to it), its whole inspect answer in [`Model::attrs`], and [`Model::reload`] to
//! inspect again. A model is never made without inspecting, so every accessor answers from
//! what the daemon said; a handle has no such accessors, and [`Handle::inspect`] fetches
//! them. What is particular to one kind (a container's `status`, an image's `tags`) is
//! added by that kind's module.

use std::collections::HashMap;
use std::future::Future;
use std::marker::PhantomData;
use std::ops::Deref;

use crate::client::Docker;
use crate::error::Result;

/// A kind of object the daemon keeps: how to inspect one and where its id and labels are.
pub trait Kind: Sized + 'static {
    /// The inspect answer.
    type Attrs: Clone + std::fmt::Debug + Send + Sync + 'static;

    /// `container`, `image`, ...: for messages.
    const NAME: &'static str;

    /// Inspect one by id or name.
    fn inspect(docker: &Docker, id: &str) -> impl Future<Output = Result<Self::Attrs>> + Send;

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
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The id's first 12 characters, without a `sha256:` prefix.
    pub fn short_id(&self) -> &str {
        short(&self.id)
    }

    /// The connection this handle talks through.
    pub fn docker(&self) -> &Docker {
        &self.docker
    }

    /// Inspect the object: a [`Model`] with the daemon's answer.
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
}

impl<K: Kind> Clone for Model<K> {
    fn clone(&self) -> Self {
        Model {
            handle: self.handle.clone(),
            attrs: self.attrs.clone(),
        }
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
        let attrs = K::inspect(docker, id_or_name).await?;
        Ok(Model::from_attrs(docker, attrs, id_or_name))
    }

    /// Hold an inspect answer already at hand.
    pub(crate) fn from_attrs(docker: &Docker, attrs: K::Attrs, asked: &str) -> Model<K> {
        let id = K::id(&attrs).unwrap_or(asked).to_string();
        Model {
            handle: Handle::new(docker, id),
            attrs,
        }
    }

    /// The labels.
    pub fn labels(&self) -> HashMap<String, String> {
        K::labels(&self.attrs).cloned().unwrap_or_default()
    }

    /// Everything the daemon said in its inspect answer, as of the last
    /// [`reload`](Self::reload).
    pub fn attrs(&self) -> &K::Attrs {
        &self.attrs
    }

    /// Inspect again.
    pub async fn reload(&mut self) -> Result<()> {
        self.attrs = K::inspect(&self.handle.docker, &self.handle.id).await?;
        Ok(())
    }

    /// The handle, for the verbs without the data.
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
