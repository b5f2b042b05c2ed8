//! Observers: a callback the core runs for every request it carried, with the operation and
//! the daemon's status. The integration suite builds its operation ledger with one
//! (`tests/engine/common/ledger.rs`); a program can count calls or export metrics with one.

use std::sync::Arc;
use std::time::Duration;

/// One request the core carried, seen when the daemon's answer (its head) arrived or the
/// call failed.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct CallRecord<'a> {
    /// The operation, by its generated method's name: `container_inspect` for the spec's
    /// `ContainerInspect` ([`OPERATIONS`](crate::OPERATIONS) maps one to the other), or
    /// `negotiate` for the version ping.
    pub operation: &'a str,
    /// The daemon's status (101 for an upgrade); `None` when no answer came (no
    /// connection, a timeout, a refused path).
    pub status: Option<u16>,
    /// From the call entering the core to its answer or failure.
    pub elapsed: Duration,
}

/// A shared callback; see [`DockerBuilder::observe`](crate::DockerBuilder::observe).
#[derive(Clone)]
pub(crate) struct Observer(pub(crate) Arc<dyn Fn(&CallRecord<'_>) + Send + Sync>);

impl std::fmt::Debug for Observer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Observer")
    }
}
