//! The daemon itself: `docker version`, `docker info`, ping.

use crate::client::Docker;
use crate::error::{Error, Result};
use crate::raw::types::op;

impl Docker {
    /// `GET /_ping`: whether the daemon answers (it says `OK`).
    pub async fn ping(&self) -> Result<()> {
        use futures_util::StreamExt;
        let mut body = self
            .call(self.raw().system_ping().send())
            .await?
            .into_inner();
        // Read the `OK` to its end: the connection then goes back to the pool.
        while let Some(chunk) = body.next().await {
            chunk.map_err(|e| Error::from_raw(self.address(), e.into()))?;
        }
        Ok(())
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
