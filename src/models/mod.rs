//! Collections and models: docker-py's `client.containers`, `client.images`, ... in Rust.
//!
//! Each area adds its collection to [`Docker`](crate::Docker) (`docker.containers()`,
//! `docker.images()`, `docker.networks()`, `docker.volumes()`, `docker.events()`); the
//! objects they return are [`Model`]s, which share `id`, `short_id`, `labels`, `attrs` and
//! `reload`. Models use the layers below them (the client, sessions, streams); nothing
//! below names a model.
//!
//! The methods that start a stream (`logs().stream()`, `stats().stream()`, `pull().stream()`,
//! `build().stream()`, `events().stream()`, `export`, `save`, ...) are `#[inline]`. They box
//! a future into the stream they return, and a boxed future is compiled, with the typed
//! decoding of everything it reaches (`ContainerInspectResponse`, `ContainerStatsResponse`,
//! ...), wherever the function itself is. Marked `#[inline]`, each is compiled in the crate
//! that calls it and nowhere else, so a program pays only for the streams it uses: the
//! crate's own LLVM IR goes from 376k to 131k lines (`cargo llvm-lines --release --lib`)
//! and a clean build of a `/_ping` program gets about 15 CPU-s cheaper (W7 in
//! `benches/RESULTS.md`).

pub mod containers;
pub mod events;
pub mod images;
pub mod model;
pub mod networks;
pub mod plugins;
mod prune;
pub mod swarm;
mod system;
pub mod volumes;

pub use model::{Answer, Handle, Kind, Model};
pub use system::PingInfo;

/// Filter setters, written once for every builder with a `filters: Filters` field: each
/// `method => "key"` makes a method that adds a value under that key (several values of one
/// key are alternatives), and `filter` adds any key the daemon takes.
macro_rules! filter_setters {
    ($($(#[$doc:meta])* $method:ident => $key:literal),* $(,)?) => {
        $(
            $(#[$doc])*
            pub fn $method(mut self, value: impl Into<String>) -> Self {
                self.filters.add($key, value);
                self
            }
        )*

        /// Any other filter the daemon takes for this request (its key, then the value).
        pub fn filter(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
            self.filters.add(key, value);
            self
        }
    };
}
pub(crate) use filter_setters;
pub use prune::{Prunable, Prune};

/// Assign `value` to a field of a generated type that is `T` in some Engine API versions
/// and `Option<T>` in others (the spec gives some fields a default in one version and not
/// in another): the hand-written layer compiles against either.
pub(crate) fn set<F: From<V>, V>(field: &mut F, value: V) {
    *field = F::from(value);
}

/// Build a generated value from its JSON form, for values whose Rust shape differs between
/// Engine API versions while the wire format does not (IPAM configs are maps in API 1.41
/// and structs later). The JSON is the daemon's own format, so this cannot fail for the
/// types it is used with.
pub(crate) fn from_json<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> T {
    serde_json::from_value(value).expect("the wire form of a generated type deserializes")
}

/// A generated request body from JSON that a caller may have shaped (a spec changed with
/// `edit`, a daemon's answer passed on): one that does not fit the API's shape is
/// [`Error::InvalidArgument`](crate::Error::InvalidArgument) naming `what`, not a panic.
pub(crate) fn body_from_json<T: serde::de::DeserializeOwned>(
    value: serde_json::Value,
    what: &str,
) -> crate::Result<T> {
    serde_json::from_value(value)
        .map_err(|e| crate::Error::InvalidArgument(format!("{what} does not fit the API: {e}")))
}
