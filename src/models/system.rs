//! The daemon itself: `docker version`, `docker info`, ping.

use crate::client::Docker;
use crate::error::Result;
use crate::raw::types::op;

impl Docker {
    /// `GET /_ping`: whether the daemon answers.
    pub async fn ping(&self) -> Result<()> {
        self.call(self.raw().system_ping().send()).await.map(drop)
    }

    /// `docker version`.
    pub async fn version(&self) -> Result<op::system_version::Response> {
        self.call(self.raw().system_version().send()).await
    }

    /// `docker info`.
    pub async fn info(&self) -> Result<op::system_info::Response> {
        self.call(self.raw().system_info().send()).await
    }
}
