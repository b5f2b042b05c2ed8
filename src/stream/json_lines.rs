//! Newline-delimited JSON: the progress of pull, push, build, load and import, and the
//! streams of events and stats.
//!
//! The framing tolerates what real daemons and proxies do: lines split across reads,
//! `\r\n` split between two reads, blank lines, and a last line without a newline. An
//! object with an `error` or `errorDetail` key inside a 200 stream is the daemon reporting
//! failure (a pull of a missing tag, a failing build step): it ends the stream with
//! [`Error::Stream`] carrying the daemon's message.

use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use futures_core::Stream;
use serde::de::DeserializeOwned;

use crate::error::{Error, Result};

/// Pure line framer: push bytes, take complete lines (without their `\n` / `\r\n`).
#[derive(Debug, Default)]
pub struct JsonLines {
    buf: BytesMut,
    /// How far `buf` is known to hold no newline.
    scanned: usize,
}

/// Lines longer than this are taken for a corrupt stream (a build's longest lines are
/// kilobytes).
pub const MAX_LINE: usize = 16 << 20;

impl JsonLines {
    /// A framer at the start of a stream.
    pub fn new() -> JsonLines {
        JsonLines::default()
    }

    /// Add bytes read from the connection.
    pub fn push(&mut self, data: &[u8]) {
        self.buf.extend_from_slice(data);
    }

    /// The next non-blank line, `Ok(None)` when more input is needed.
    pub fn next_line(&mut self) -> Result<Option<Bytes>> {
        loop {
            match self.buf[self.scanned..].iter().position(|b| *b == b'\n') {
                Some(i) => {
                    let mut line = self.buf.split_to(self.scanned + i + 1);
                    self.scanned = 0;
                    line.truncate(line.len() - 1);
                    if line.last() == Some(&b'\r') {
                        line.truncate(line.len() - 1);
                    }
                    if line.iter().all(u8::is_ascii_whitespace) {
                        continue;
                    }
                    return Ok(Some(line.freeze()));
                }
                None => {
                    self.scanned = self.buf.len();
                    if self.buf.len() > MAX_LINE {
                        return Err(Error::stream(format!(
                            "a JSON line longer than {MAX_LINE} bytes: corrupt stream"
                        )));
                    }
                    return Ok(None);
                }
            }
        }
    }

    /// The stream ended: the last line, if it had no newline.
    pub fn finish(&mut self) -> Option<Bytes> {
        let mut rest = std::mem::take(&mut self.buf);
        self.scanned = 0;
        if rest.last() == Some(&b'\r') {
            rest.truncate(rest.len() - 1);
        }
        if rest.iter().all(u8::is_ascii_whitespace) {
            None
        } else {
            Some(rest.freeze())
        }
    }
}

/// Decode one line: the daemon's in-stream error, or an item.
pub fn decode_line<T: DeserializeOwned>(line: &[u8]) -> Result<T> {
    let shown = || {
        format!(
            "JSON line {:?}",
            String::from_utf8_lossy(&line[..line.len().min(200)])
        )
    };
    let value: serde_json::Value =
        serde_json::from_slice(line).map_err(|e| Error::decode(shown(), e))?;
    if let Some(message) = stream_error(&value) {
        return Err(Error::stream(message));
    }
    serde_json::from_value(value).map_err(|e| Error::decode(shown(), e))
}

/// The daemon's message when a line reports an error (`error`, or `errorDetail.message`).
fn stream_error(v: &serde_json::Value) -> Option<String> {
    let detail = v
        .get("errorDetail")
        .and_then(|d| d.get("message"))
        .and_then(|m| m.as_str());
    let error = v.get("error").and_then(|m| m.as_str());
    match (error, detail) {
        (Some(e), _) if !e.is_empty() => Some(e.to_string()),
        (_, Some(d)) if !d.is_empty() => Some(d.to_string()),
        _ => None,
    }
}

use crate::stream::demux::ByteSource;

/// A `Stream` of typed items from a newline-delimited JSON response body. The first error
/// (transport, decode, or one the daemon reported) is its last item.
pub struct JsonStream<T> {
    source: ByteSource,
    lines: JsonLines,
    done: bool,
    _item: PhantomData<fn() -> T>,
}

impl<T> JsonStream<T> {
    /// A stream whose request is sent when it is first polled: `body` sends it and gives
    /// the response body.
    pub(crate) fn connecting(
        body: impl std::future::Future<Output = Result<ByteSource>> + Send + 'static,
    ) -> JsonStream<T> {
        use futures_util::TryStreamExt;
        JsonStream::new(Box::pin(futures_util::stream::once(body).try_flatten()))
    }

    pub(crate) fn new(source: ByteSource) -> JsonStream<T> {
        JsonStream {
            source,
            lines: JsonLines::new(),
            done: false,
            _item: PhantomData,
        }
    }
}

impl<T: DeserializeOwned> Stream for JsonStream<T> {
    type Item = Result<T>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            if this.done {
                return Poll::Ready(None);
            }
            match this.lines.next_line() {
                Ok(Some(line)) => {
                    let item = decode_line(&line);
                    this.done = item.is_err();
                    return Poll::Ready(Some(item));
                }
                Ok(None) => {}
                Err(e) => {
                    this.done = true;
                    return Poll::Ready(Some(Err(e)));
                }
            }
            match this.source.as_mut().poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Some(Ok(bytes))) => this.lines.push(&bytes),
                Poll::Ready(Some(Err(e))) => {
                    this.done = true;
                    return Poll::Ready(Some(Err(e)));
                }
                Poll::Ready(None) => {
                    this.done = true;
                    return Poll::Ready(this.lines.finish().map(|line| decode_line(&line)));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(input: &[u8], cuts: &[usize]) -> Vec<String> {
        let mut f = JsonLines::new();
        let mut out = Vec::new();
        let mut start = 0;
        for &end in cuts.iter().chain(std::iter::once(&input.len())) {
            f.push(&input[start..end]);
            start = end;
            while let Some(l) = f.next_line().unwrap() {
                out.push(String::from_utf8(l.to_vec()).unwrap());
            }
        }
        out.extend(f.finish().map(|l| String::from_utf8(l.to_vec()).unwrap()));
        out
    }

    #[test]
    fn crlf_split_blank_lines_and_missing_final_newline() {
        let input = b"{\"a\":1}\r\n\r\n  \n{\"b\":2}\n{\"c\":3}";
        let want = vec!["{\"a\":1}", "{\"b\":2}", "{\"c\":3}"];
        for cut in 0..=input.len() {
            assert_eq!(lines(input, &[cut]), want, "cut at {cut}");
        }
        let every: Vec<usize> = (1..input.len()).collect();
        assert_eq!(lines(input, &every), want);
    }

    #[test]
    fn error_lines_become_errors_with_the_daemons_message() {
        let e = decode_line::<serde_json::Value>(
            br#"{"errorDetail":{"message":"manifest unknown"},"error":"manifest unknown"}"#,
        )
        .unwrap_err();
        assert!(matches!(e, Error::Stream { message: m, .. } if m == "manifest unknown"));
        let e = decode_line::<serde_json::Value>(
            br#"{"errorDetail":{"code":1,"message":"step failed"}}"#,
        )
        .unwrap_err();
        assert!(matches!(e, Error::Stream { message: m, .. } if m == "step failed"));
        assert!(decode_line::<serde_json::Value>(br#"{"status":"Pulling","error":""}"#).is_ok());
        assert!(matches!(
            decode_line::<serde_json::Value>(b"{nope"),
            Err(Error::Decode { .. })
        ));
    }
}
