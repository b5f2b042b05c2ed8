//! Decoders for what the daemon streams: the 8-byte-framed stdout/stderr multiplex
//! ([`demux`]) and newline-delimited JSON ([`json_lines`]). Both are pure: bytes in, items
//! out, no HTTP; [`LogStream`] and [`JsonStream`] put them on top of a response body.

pub mod demux;
pub mod json_lines;
pub mod lines;

pub use demux::{Demuxer, LogChunk, LogStream};
pub use json_lines::{JsonLines, JsonStream};
pub use lines::{LogLine, LogLines};

/// Whether a logs or attach response is multiplexed, from its `Content-Type`, which means
/// it only from API 1.42 on: Docker 20.10 sends none, and Docker 28.5 answering an API 1.41
/// request labels a multiplexed stream `raw-stream` (seen on the test engines, pinned by
/// the suite built from the v1.41 spec). `None` when the header cannot say: the
/// container's or exec's TTY flag decides then; the first byte never does.
pub(crate) fn multiplexed(headers: &http::HeaderMap, api: crate::ApiVersion) -> Option<bool> {
    if api < crate::ApiVersion::new(1, 42) {
        return None;
    }
    let t = headers.get(http::header::CONTENT_TYPE)?.to_str().ok()?;
    if t.starts_with("application/vnd.docker.multiplexed-stream") {
        Some(true)
    } else if t.starts_with("application/vnd.docker.raw-stream") {
        Some(false)
    } else {
        None
    }
}
