//! Log output as lines with the daemon's timestamps (`docker logs --timestamps`).
//!
//! With `timestamps=true` the daemon starts every line with an RFC 3339 time and a space
//! (`2025-01-02T03:04:05.123456789Z hello`). [`LogLines`] splits each stream into lines and
//! takes that prefix off into [`LogLine::timestamp`].

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use futures_core::Stream;

use crate::error::Result;
use crate::stream::{LogChunk, LogStream};

/// One line of a container's output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogLine {
    /// The daemon's timestamp (RFC 3339, nanoseconds), empty if the line had none.
    pub timestamp: String,
    /// The line, with its `\n` if it had one, as the stream it came from.
    pub chunk: LogChunk,
}

/// Lines of logs, from [`crate::containers::Logs::lines`].
pub struct LogLines {
    inner: LogStream,
    /// Partial lines by stream: stdin, stdout, stderr, console.
    partial: [BytesMut; 4],
    ready: std::collections::VecDeque<LogLine>,
    done: bool,
}

fn slot(chunk: &LogChunk) -> usize {
    match chunk {
        LogChunk::StdIn(_) => 0,
        LogChunk::StdOut(_) => 1,
        LogChunk::StdErr(_) => 2,
        LogChunk::Console(_) => 3,
    }
}

fn rebuild(slot: usize, bytes: Bytes) -> LogChunk {
    match slot {
        0 => LogChunk::StdIn(bytes),
        1 => LogChunk::StdOut(bytes),
        2 => LogChunk::StdErr(bytes),
        _ => LogChunk::Console(bytes),
    }
}

/// Split `2025-01-02T03:04:05.1Z rest` into the time and the rest.
pub(crate) fn split_timestamp(line: Bytes) -> (String, Bytes) {
    let Some(space) = line.iter().take(40).position(|b| *b == b' ') else {
        return (String::new(), line);
    };
    let head = &line[..space];
    let looks_like_time = head.len() >= 20
        && head[..4].iter().all(u8::is_ascii_digit)
        && head[4] == b'-'
        && head[10] == b'T'
        && head
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b':' | b'.' | b'+'));
    if !looks_like_time {
        return (String::new(), line);
    }
    let time = String::from_utf8_lossy(head).into_owned();
    (time, line.slice(space + 1..))
}

impl LogLines {
    pub(crate) fn new(inner: LogStream) -> LogLines {
        LogLines {
            inner,
            partial: Default::default(),
            ready: Default::default(),
            done: false,
        }
    }

    fn take_lines(&mut self, slot: usize) {
        let buf = &mut self.partial[slot];
        while let Some(i) = buf.iter().position(|b| *b == b'\n') {
            let line = buf.split_to(i + 1).freeze();
            let (timestamp, rest) = split_timestamp(line);
            self.ready.push_back(LogLine {
                timestamp,
                chunk: rebuild(slot, rest),
            });
        }
    }

    fn flush(&mut self) {
        for slot in 0..4 {
            if !self.partial[slot].is_empty() {
                let line = self.partial[slot].split().freeze();
                let (timestamp, rest) = split_timestamp(line);
                self.ready.push_back(LogLine {
                    timestamp,
                    chunk: rebuild(slot, rest),
                });
            }
        }
    }
}

impl Stream for LogLines {
    type Item = Result<LogLine>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            if let Some(line) = this.ready.pop_front() {
                return Poll::Ready(Some(Ok(line)));
            }
            if this.done {
                return Poll::Ready(None);
            }
            match Pin::new(&mut this.inner).poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Some(Ok(chunk))) => {
                    let s = slot(&chunk);
                    this.partial[s].extend_from_slice(chunk.bytes());
                    this.take_lines(s);
                }
                Poll::Ready(Some(Err(e))) => {
                    this.done = true;
                    return Poll::Ready(Some(Err(e)));
                }
                Poll::Ready(None) => {
                    this.done = true;
                    this.flush();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_come_off_the_front() {
        let (t, rest) = split_timestamp(Bytes::from_static(
            b"2025-01-02T03:04:05.123456789Z hello world\n",
        ));
        assert_eq!(
            (t.as_str(), &rest[..]),
            ("2025-01-02T03:04:05.123456789Z", &b"hello world\n"[..])
        );
        let (t, rest) = split_timestamp(Bytes::from_static(b"no time here\n"));
        assert_eq!((t.as_str(), &rest[..]), ("", &b"no time here\n"[..]));
        let (t, rest) = split_timestamp(Bytes::from_static(b"2025-01-02T03:04:05Z "));
        assert_eq!((t.as_str(), &rest[..]), ("2025-01-02T03:04:05Z", &b""[..]));
    }
}
