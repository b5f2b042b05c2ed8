//! Decoders for what the daemon streams: the 8-byte-framed stdout/stderr multiplex
//! ([`demux`]) and newline-delimited JSON ([`json_lines`]). Both are pure: bytes in, items
//! out, no HTTP; [`LogStream`] and [`JsonStream`] put them on top of a response body.

pub mod demux;
pub mod json_lines;
pub mod lines;

pub use demux::{Demuxer, LogChunk, LogStream};
pub use json_lines::{JsonLines, JsonStream};
pub use lines::{LogLine, LogLines};
