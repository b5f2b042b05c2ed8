//! The multiplexed stream of logs, attach and exec without a TTY.
//!
//! Each frame is an 8-byte header `[stream, 0, 0, 0, len as u32 big-endian]` followed by
//! `len` bytes of payload (Engine API documentation, "Attach to a container", section
//! "Stream format"). `stream` is 0 stdin, 1 stdout, 2 stderr, 3 a daemon error.
//! With a TTY there is no framing: the bytes pass through as [`LogChunk::Console`].

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use futures_core::Stream;

use crate::error::{Error, Result};

/// One piece of a container's output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LogChunk {
    /// Echoed standard input (attach with `stdin`).
    StdIn(Bytes),
    /// Standard output.
    StdOut(Bytes),
    /// Standard error.
    StdErr(Bytes),
    /// Output of a container or exec with a TTY: one stream, not framed.
    Console(Bytes),
}

impl LogChunk {
    /// The bytes, whichever stream they came from.
    ///
    /// ```
    /// use docker_engine::stream::LogChunk;
    /// let chunk = LogChunk::StdErr("oops\n".into());
    /// assert_eq!(chunk.bytes().as_ref(), b"oops\n");
    /// assert_eq!(chunk.to_string(), "oops\n");
    /// ```
    pub fn bytes(&self) -> &Bytes {
        match self {
            LogChunk::StdIn(b)
            | LogChunk::StdOut(b)
            | LogChunk::StdErr(b)
            | LogChunk::Console(b) => b,
        }
    }

    /// The bytes, owned.
    ///
    /// ```
    /// use docker_engine::stream::LogChunk;
    /// let chunks = [LogChunk::StdOut("a".into()), LogChunk::StdErr("b".into())];
    /// let all: Vec<u8> = chunks.into_iter().flat_map(|c| c.into_bytes()).collect();
    /// assert_eq!(all, b"ab");
    /// ```
    pub fn into_bytes(self) -> Bytes {
        match self {
            LogChunk::StdIn(b)
            | LogChunk::StdOut(b)
            | LogChunk::StdErr(b)
            | LogChunk::Console(b) => b,
        }
    }
}

impl AsRef<[u8]> for LogChunk {
    fn as_ref(&self) -> &[u8] {
        self.bytes()
    }
}

/// The bytes as text, with invalid UTF-8 replaced.
impl fmt::Display for LogChunk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&String::from_utf8_lossy(self.bytes()))
    }
}

/// Frames larger than this are taken for a corrupt stream. The daemon copies output in
/// 32 KiB buffers, so real frames are far smaller.
pub const MAX_FRAME: usize = 64 << 20;

/// An error frame's message is kept up to this many bytes (the same bound as an error
/// body, [`ERROR_BODY_LIMIT`](crate::ERROR_BODY_LIMIT)); the rest of the frame is read and
/// dropped, and the message says it was cut.
pub const ERROR_MESSAGE_LIMIT: usize = crate::ERROR_BODY_LIMIT;

#[derive(Debug)]
enum State {
    Header {
        buf: [u8; 8],
        have: usize,
    },
    Payload {
        stream: u8,
        remaining: usize,
    },
    DaemonError {
        remaining: usize,
        message: BytesMut,
        cut: bool,
    },
    Failed,
}

/// Pure decoder of the multiplexed format: [`push`](Demuxer::push) bytes in,
/// [`next_chunk`](Demuxer::next_chunk) chunks out. A payload split across reads comes out
/// as several chunks of the same stream, so no frame is ever buffered whole.
#[derive(Debug)]
pub struct Demuxer {
    state: State,
    input: Bytes,
}

impl Default for Demuxer {
    fn default() -> Self {
        Demuxer {
            state: State::Header {
                buf: [0; 8],
                have: 0,
            },
            input: Bytes::new(),
        }
    }
}

impl Demuxer {
    /// A decoder at the start of a stream.
    ///
    /// ```
    /// use docker_engine::stream::{Demuxer, LogChunk, demux::encode_frame};
    /// let mut wire = Vec::new();
    /// encode_frame(1, b"out\n", &mut wire);
    /// encode_frame(2, b"err\n", &mut wire);
    /// let mut demuxer = Demuxer::new();
    /// demuxer.push(wire.into());
    /// assert_eq!(demuxer.next_chunk()?, Some(LogChunk::StdOut("out\n".into())));
    /// assert_eq!(demuxer.next_chunk()?, Some(LogChunk::StdErr("err\n".into())));
    /// assert_eq!(demuxer.next_chunk()?, None);
    /// demuxer.finish()?;
    /// # Ok::<(), docker_engine::Error>(())
    /// ```
    pub fn new() -> Demuxer {
        Demuxer::default()
    }

    /// Add bytes read from the connection.
    ///
    /// ```
    /// use docker_engine::stream::{Demuxer, demux::encode_frame};
    /// let mut wire = Vec::new();
    /// encode_frame(1, b"hello", &mut wire);
    /// let mut demuxer = Demuxer::new();
    /// demuxer.push(bytes::Bytes::copy_from_slice(&wire[..6])); // a frame cut by the network
    /// assert_eq!(demuxer.next_chunk()?, None); // the header: nothing to give yet
    /// demuxer.push(bytes::Bytes::copy_from_slice(&wire[6..]));
    /// assert_eq!(demuxer.next_chunk()?.unwrap().bytes().as_ref(), b"hello");
    /// # Ok::<(), docker_engine::Error>(())
    /// ```
    pub fn push(&mut self, data: Bytes) {
        if self.input.is_empty() {
            self.input = data;
        } else {
            let mut joined = BytesMut::with_capacity(self.input.len() + data.len());
            joined.extend_from_slice(&self.input);
            joined.extend_from_slice(&data);
            self.input = joined.freeze();
        }
    }

    /// The next chunk, `Ok(None)` when more input is needed.
    ///
    /// ```
    /// use docker_engine::stream::{Demuxer, demux::encode_frame};
    /// let mut wire = Vec::new();
    /// encode_frame(2, b"warning\n", &mut wire);
    /// let mut demuxer = Demuxer::new();
    /// demuxer.push(wire.into());
    /// while let Some(chunk) = demuxer.next_chunk()? {
    ///     eprint!("{chunk}");
    /// }
    /// # Ok::<(), docker_engine::Error>(())
    /// ```
    pub fn next_chunk(&mut self) -> Result<Option<LogChunk>> {
        loop {
            match &mut self.state {
                State::Failed => return Err(Error::stream("the stream already failed")),
                State::Header { buf, have } => {
                    let n = (8 - *have).min(self.input.len());
                    buf[*have..*have + n].copy_from_slice(&self.input[..n]);
                    *have += n;
                    let _ = self.input.split_to(n);
                    if *have < 8 {
                        return Ok(None);
                    }
                    let header = *buf;
                    let len =
                        u32::from_be_bytes([header[4], header[5], header[6], header[7]]) as usize;
                    if header[0] > 3 || header[1..4] != [0, 0, 0] {
                        return Err(self.fail(format!(
                            "not a multiplexed stream: frame header {header:02x?}"
                        )));
                    }
                    if len > MAX_FRAME {
                        return Err(self.fail(format!("frame of {len} bytes exceeds the {MAX_FRAME}-byte limit: corrupt stream")));
                    }
                    self.state = match (header[0], len) {
                        // The daemon's own reader (stdcopy) takes an error frame as an
                        // error even when it is empty.
                        (3, 0) => {
                            return Err(self
                                .fail("the daemon reported an error with no message".to_string()));
                        }
                        (_, 0) => State::Header {
                            buf: [0; 8],
                            have: 0,
                        },
                        (3, _) => State::DaemonError {
                            remaining: len,
                            message: BytesMut::with_capacity(len.min(4096)),
                            cut: false,
                        },
                        (stream, _) => State::Payload {
                            stream,
                            remaining: len,
                        },
                    };
                }
                State::Payload { stream, remaining } => {
                    if self.input.is_empty() {
                        return Ok(None);
                    }
                    let n = (*remaining).min(self.input.len());
                    let piece = self.input.split_to(n);
                    let stream = *stream;
                    *remaining -= n;
                    if *remaining == 0 {
                        self.state = State::Header {
                            buf: [0; 8],
                            have: 0,
                        };
                    }
                    return Ok(Some(match stream {
                        0 => LogChunk::StdIn(piece),
                        1 => LogChunk::StdOut(piece),
                        _ => LogChunk::StdErr(piece),
                    }));
                }
                State::DaemonError {
                    remaining,
                    message,
                    cut,
                } => {
                    let n = (*remaining).min(self.input.len());
                    let piece = self.input.split_to(n);
                    // Kept up to ERROR_MESSAGE_LIMIT; the rest is read and dropped.
                    let room = ERROR_MESSAGE_LIMIT.saturating_sub(message.len());
                    message.extend_from_slice(&piece[..piece.len().min(room)]);
                    *cut |= piece.len() > room;
                    *remaining -= n;
                    if *remaining > 0 {
                        return Ok(None);
                    }
                    let cut = *cut;
                    let mut text = String::from_utf8_lossy(message).trim_end().to_string();
                    if cut {
                        text.push_str(" [cut at 64 KiB]");
                    }
                    return Err(self.fail(format!("the daemon reported: {text}")));
                }
            }
        }
    }

    /// The connection ended: an error if it ended inside a frame.
    ///
    /// ```
    /// use docker_engine::stream::Demuxer;
    /// let mut demuxer = Demuxer::new();
    /// demuxer.push(bytes::Bytes::from_static(&[1, 0, 0, 0, 0, 0, 0, 9, b'h']));
    /// while demuxer.next_chunk()?.is_some() {}
    /// assert!(demuxer.finish().is_err()); // the stream ended inside a frame
    /// # Ok::<(), docker_engine::Error>(())
    /// ```
    pub fn finish(&mut self) -> Result<()> {
        match &self.state {
            State::Header { have: 0, .. } if self.input.is_empty() => Ok(()),
            State::Failed => Ok(()),
            State::Header { have, .. } => Err(self.fail(format!(
                "the stream ended inside a frame header ({have} of 8 bytes)"
            ))),
            State::Payload { remaining, .. } | State::DaemonError { remaining, .. } => {
                let r = *remaining;
                Err(self.fail(format!(
                    "the stream ended inside a frame ({r} bytes missing)"
                )))
            }
        }
    }

    fn fail(&mut self, message: String) -> Error {
        self.state = State::Failed;
        Error::stream(message)
    }
}

/// Frame a chunk the way the daemon does; for tests and tools that produce streams.
///
/// ```
/// use docker_engine::stream::demux::encode_frame;
/// let mut wire = Vec::new();
/// encode_frame(1, b"hi", &mut wire);
/// assert_eq!(wire, [1, 0, 0, 0, 0, 0, 0, 2, b'h', b'i']);
/// ```
pub fn encode_frame(stream: u8, payload: &[u8], out: &mut Vec<u8>) {
    out.push(stream);
    out.extend_from_slice(&[0, 0, 0]);
    out.extend_from_slice(&(payload.len() as u32).to_be_bytes());
    out.extend_from_slice(payload);
}

pub(crate) type ByteSource = Pin<Box<dyn Stream<Item = std::result::Result<Bytes, Error>> + Send>>;
/// A request on its way: the body, and whether it is multiplexed (decided from the
/// response's `Content-Type`, or the container's or exec's TTY flag where the daemon sends
/// no such type).
pub(crate) type Connecting = Pin<Box<dyn Future<Output = Result<(ByteSource, bool)>> + Send>>;

/// What every output stream (logs, exec, attach) does with the bytes it reads:
/// demultiplex them, or pass them through as console output, and end exactly once, with an
/// error if the input ended inside a frame.
#[derive(Debug)]
pub(crate) struct Framing {
    demux: Option<Demuxer>,
    done: bool,
}

impl Framing {
    pub(crate) fn new(multiplexed: bool) -> Framing {
        Framing {
            demux: multiplexed.then(Demuxer::new),
            done: false,
        }
    }

    /// An item decoded from what was pushed (`Some(None)`: the stream has ended), or
    /// `None` when more input is needed.
    pub(crate) fn next(&mut self) -> Option<Option<Result<LogChunk>>> {
        if self.done {
            return Some(None);
        }
        match self.demux.as_mut().map(Demuxer::next_chunk) {
            Some(Ok(Some(chunk))) => Some(Some(Ok(chunk))),
            Some(Err(e)) => Some(self.end(Some(e))),
            Some(Ok(None)) | None => None,
        }
    }

    /// Bytes read from the connection; raw output comes straight back as console output.
    pub(crate) fn push(&mut self, bytes: Bytes) -> Option<Result<LogChunk>> {
        match &mut self.demux {
            Some(d) => {
                d.push(bytes);
                None
            }
            None if bytes.is_empty() => None,
            None => Some(Ok(LogChunk::Console(bytes))),
        }
    }

    /// The input failed (`Some`) or ended (`None`): the stream's last item, if any.
    pub(crate) fn end(&mut self, error: Option<Error>) -> Option<Result<LogChunk>> {
        self.done = true;
        match error {
            Some(e) => Some(Err(e)),
            None => self.demux.as_mut().and_then(|d| d.finish().err()).map(Err),
        }
    }
}

enum Source {
    Connecting(Connecting),
    Reading(ByteSource),
}

/// Output of logs, attach or exec: a `Stream` of [`LogChunk`]s that ends with an error if
/// the connection breaks inside a frame. Dropping it closes the connection.
pub struct LogStream {
    source: Source,
    framing: Framing,
}

impl LogStream {
    /// Decode a body already on its way: demultiplexed when `multiplexed`.
    pub(crate) fn reading(source: ByteSource, multiplexed: bool) -> LogStream {
        LogStream {
            source: Source::Reading(source),
            framing: Framing::new(multiplexed),
        }
    }

    /// A stream whose request is sent when it is first polled.
    pub(crate) fn connecting(fut: Connecting) -> LogStream {
        LogStream {
            source: Source::Connecting(fut),
            framing: Framing::new(false),
        }
    }

    /// Read to the end, separating stdout and stderr (console output counts as stdout).
    ///
    /// The integration test `logs_are_byte_exact_with_binary_data_and_interleaving` reads logs.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let logs = docker.containers().handle("web").logs().stream();
    /// let (stdout, stderr) = logs.collect_output().await?;
    /// println!("{} bytes out, {} bytes err", stdout.len(), stderr.len());
    /// # Ok(()) }
    /// ```
    pub async fn collect_output(mut self) -> Result<(Vec<u8>, Vec<u8>)> {
        use futures_util::StreamExt;
        let (mut out, mut err) = (Vec::new(), Vec::new());
        while let Some(chunk) = self.next().await {
            match chunk? {
                LogChunk::StdErr(b) => err.extend_from_slice(&b),
                other => out.extend_from_slice(other.bytes()),
            }
        }
        Ok((out, err))
    }

    /// Read to the end, keeping every chunk in order.
    ///
    /// The integration test `logs_are_byte_exact_with_binary_data_and_interleaving` reads logs.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let logs = docker.containers().handle("web").logs().tail(5).stream();
    /// let chunks = logs.collect_chunks().await?;
    /// for chunk in chunks {
    ///     print!("{chunk}");
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn collect_chunks(mut self) -> Result<Vec<LogChunk>> {
        use futures_util::StreamExt;
        let mut chunks = Vec::new();
        while let Some(chunk) = self.next().await {
            chunks.push(chunk?);
        }
        Ok(chunks)
    }
}

impl Stream for LogStream {
    type Item = Result<LogChunk>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            if let Some(item) = this.framing.next() {
                return Poll::Ready(item);
            }
            let source = match &mut this.source {
                Source::Connecting(fut) => match fut.as_mut().poll(cx) {
                    Poll::Pending => return Poll::Pending,
                    Poll::Ready(Ok((source, multiplexed))) => {
                        this.framing = Framing::new(multiplexed);
                        this.source = Source::Reading(source);
                        continue;
                    }
                    Poll::Ready(Err(e)) => return Poll::Ready(this.framing.end(Some(e))),
                },
                Source::Reading(source) => source,
            };
            match source.as_mut().poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Some(Ok(bytes))) => {
                    if let Some(item) = this.framing.push(bytes) {
                        return Poll::Ready(Some(item));
                    }
                }
                Poll::Ready(Some(Err(e))) => return Poll::Ready(this.framing.end(Some(e))),
                Poll::Ready(None) => return Poll::Ready(this.framing.end(None)),
            }
        }
    }
}

// The suite's one deterministic generator (tests/support/rng.rs).
#[cfg(test)]
#[path = "../../tests/support/rng.rs"]
mod rng;

#[cfg(test)]
mod tests {
    use super::*;

    fn frames() -> Vec<u8> {
        let mut v = Vec::new();
        encode_frame(1, b"hello\n", &mut v);
        encode_frame(2, b"", &mut v);
        encode_frame(2, b"oops", &mut v);
        encode_frame(0, b"in", &mut v);
        encode_frame(1, &[0, 255, 10], &mut v);
        v
    }

    /// Decode `input` fed in pieces cut at `cuts`, merging adjacent chunks of one stream.
    fn decode(input: &[u8], cuts: &[usize]) -> Result<Vec<(u8, Vec<u8>)>> {
        let mut d = Demuxer::new();
        let mut out: Vec<(u8, Vec<u8>)> = Vec::new();
        let mut start = 0;
        for &end in cuts.iter().chain(std::iter::once(&input.len())) {
            d.push(Bytes::copy_from_slice(&input[start..end]));
            start = end;
            while let Some(c) = d.next_chunk()? {
                let k = match c {
                    LogChunk::StdIn(_) => 0,
                    LogChunk::StdOut(_) => 1,
                    LogChunk::StdErr(_) => 2,
                    LogChunk::Console(_) => 9,
                };
                match out.last_mut() {
                    Some((lk, buf)) if *lk == k => buf.extend_from_slice(c.bytes()),
                    _ => out.push((k, c.bytes().to_vec())),
                }
            }
        }
        d.finish()?;
        Ok(out)
    }

    fn expected() -> Vec<(u8, Vec<u8>)> {
        vec![
            (1, b"hello\n".to_vec()),
            (2, b"oops".to_vec()),
            (0, b"in".to_vec()),
            (1, vec![0, 255, 10]),
        ]
    }

    #[test]
    fn many_frames_in_one_read() {
        assert_eq!(decode(&frames(), &[]).unwrap(), expected());
    }

    #[test]
    fn every_single_split_point() {
        let input = frames();
        for cut in 0..=input.len() {
            assert_eq!(decode(&input, &[cut]).unwrap(), expected(), "cut at {cut}");
        }
    }

    #[test]
    fn every_pair_of_split_points_and_byte_by_byte() {
        let input = frames();
        for a in 0..=input.len() {
            for b in a..=input.len() {
                assert_eq!(decode(&input, &[a, b]).unwrap(), expected(), "cuts {a} {b}");
            }
        }
        let all: Vec<usize> = (1..input.len()).collect();
        assert_eq!(decode(&input, &all).unwrap(), expected());
    }

    #[test]
    fn eof_inside_a_header_or_payload_is_an_error() {
        let input = frames();
        for end in 1..input.len() {
            let boundary = [0usize, 14, 22, 34, 44, 55].contains(&end);
            let r = decode(&input[..end], &[]);
            assert_eq!(r.is_ok(), boundary, "truncated at {end}: {r:?}");
            if let Err(e) = r {
                assert!(matches!(e, Error::Stream { .. }));
            }
        }
    }

    #[test]
    fn absurd_length_and_bad_header_are_errors_not_allocations() {
        let mut d = Demuxer::new();
        d.push(Bytes::from_static(&[1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]));
        assert!(
            matches!(d.next_chunk(), Err(Error::Stream { message: m, .. }) if m.contains("exceeds"))
        );
        assert!(d.next_chunk().is_err(), "a failed decoder stays failed");
        let mut d = Demuxer::new();
        d.push(Bytes::from_static(b"hello world\n"));
        assert!(
            matches!(d.next_chunk(), Err(Error::Stream { message: m, .. }) if m.contains("not a multiplexed"))
        );
    }

    #[test]
    fn daemon_error_frame_ends_the_stream_with_its_message() {
        let mut v = Vec::new();
        encode_frame(1, b"ok", &mut v);
        encode_frame(3, b"exec failed: boom\n", &mut v);
        let err = decode(&v, &[13]).unwrap_err();
        assert!(err.to_string().contains("exec failed: boom"), "{err}");
    }

    #[test]
    fn an_empty_daemon_error_frame_is_an_error_not_a_skipped_frame() {
        let mut v = Vec::new();
        encode_frame(1, b"ok", &mut v);
        encode_frame(3, b"", &mut v);
        encode_frame(1, b"after", &mut v);
        let err = decode(&v, &[]).unwrap_err();
        assert!(err.to_string().contains("no message"), "{err}");
    }

    #[test]
    fn a_daemon_error_frame_is_kept_up_to_the_limit_and_marked_cut() {
        for (len, cut) in [
            (ERROR_MESSAGE_LIMIT, false),
            (ERROR_MESSAGE_LIMIT + 1, true),
        ] {
            let mut v = Vec::new();
            encode_frame(3, &vec![b'e'; len], &mut v);
            let Error::Stream { message, .. } = decode(&v, &[100, 60_000]).unwrap_err() else {
                panic!("not a stream error");
            };
            let mut want = format!(
                "the daemon reported: {}",
                "e".repeat(ERROR_MESSAGE_LIMIT.min(len))
            );
            if cut {
                want.push_str(" [cut at 64 KiB]");
            }
            assert!(message == want, "{len}: {} bytes", message.len());
        }
    }

    use super::rng::Rng;

    /// Property: arbitrary bytes, cut anywhere, never panic; the decoder ends in an error or
    /// at a frame boundary. 1,000,000 cases.
    #[test]
    fn arbitrary_input_never_panics() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for _ in 0..1_000_000 {
            let len = rng.below(40);
            let mut input: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
            // Bias toward plausible headers so that payload paths are reached too.
            if len >= 8 && rng.below(2) == 0 {
                input[0] = rng.below(4) as u8;
                input[1..4].fill(0);
                input[4..8].copy_from_slice(&(rng.below(48) as u32).to_be_bytes());
            }
            let cut = rng.below(len + 1);
            let mut d = Demuxer::new();
            d.push(Bytes::copy_from_slice(&input[..cut]));
            let mut failed = false;
            while let Ok(Some(_)) = d.next_chunk() {}
            d.push(Bytes::copy_from_slice(&input[cut..]));
            loop {
                match d.next_chunk() {
                    Ok(Some(_)) => {}
                    Ok(None) => break,
                    Err(_) => {
                        failed = true;
                        break;
                    }
                }
            }
            if !failed {
                // EOF now: fine at a frame boundary, else a stream error (never a panic).
                assert!(matches!(d.finish(), Ok(()) | Err(Error::Stream { .. })));
            }
        }
    }

    /// Property: random frames, encoded and cut at random points, decode to the same
    /// bytes per stream. 100,000 cases.
    #[test]
    fn encoded_frames_round_trip() {
        let mut rng = Rng(0x1234_5678_9abc_def1);
        for _ in 0..100_000 {
            let mut wire = Vec::new();
            let mut want: Vec<(u8, Vec<u8>)> = Vec::new();
            for _ in 0..rng.below(6) {
                let stream = rng.below(3) as u8;
                let payload: Vec<u8> = (0..rng.below(20)).map(|_| rng.next() as u8).collect();
                encode_frame(stream, &payload, &mut wire);
                if payload.is_empty() {
                    continue;
                }
                match want.last_mut() {
                    Some((s, buf)) if *s == stream => buf.extend_from_slice(&payload),
                    _ => want.push((stream, payload)),
                }
            }
            let mut cuts: Vec<usize> = (0..rng.below(4))
                .map(|_| rng.below(wire.len() + 1))
                .collect();
            cuts.sort_unstable();
            assert_eq!(decode(&wire, &cuts).unwrap(), want);
        }
    }

    #[test]
    fn whole_payloads_are_slices_of_the_input_not_copies() {
        let mut v = Vec::new();
        encode_frame(1, b"abcdef", &mut v);
        let input = Bytes::from(v);
        let mut d = Demuxer::new();
        d.push(input.clone());
        let c = d.next_chunk().unwrap().unwrap();
        assert_eq!(c.bytes().as_ptr(), input[8..].as_ptr());
    }
}
