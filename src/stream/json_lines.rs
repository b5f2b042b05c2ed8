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
    ///
    /// ```
    /// use docker_engine::stream::JsonLines;
    /// let mut lines = JsonLines::new();
    /// lines.push(b"{\"status\":\"Pulling\"}\r\n\n{\"sta");
    /// assert_eq!(lines.next_line()?.as_deref(), Some(&b"{\"status\":\"Pulling\"}"[..]));
    /// assert_eq!(lines.next_line()?, None); // the rest of the line is still on its way
    /// lines.push(b"tus\":\"Done\"}");
    /// assert_eq!(lines.finish().as_deref(), Some(&b"{\"status\":\"Done\"}"[..]));
    /// # Ok::<(), docker_engine::Error>(())
    /// ```
    pub fn new() -> JsonLines {
        JsonLines::default()
    }

    /// Add bytes read from the connection.
    ///
    /// ```
    /// use docker_engine::stream::JsonLines;
    /// let mut lines = JsonLines::new();
    /// for piece in [&b"{\"a\""[..], b":1}\n{\"a\":2}\n"] {
    ///     lines.push(piece);
    ///     while let Some(line) = lines.next_line()? {
    ///         println!("{}", String::from_utf8_lossy(&line));
    ///     }
    /// }
    /// # Ok::<(), docker_engine::Error>(())
    /// ```
    pub fn push(&mut self, data: &[u8]) {
        self.buf.extend_from_slice(data);
    }

    /// The next non-blank line, `Ok(None)` when more input is needed.
    ///
    /// ```
    /// use docker_engine::stream::JsonLines;
    /// let mut lines = JsonLines::new();
    /// lines.push(b"\n\n{\"id\":\"abc\"}\n");
    /// assert_eq!(lines.next_line()?.as_deref(), Some(&b"{\"id\":\"abc\"}"[..])); // blanks skipped
    /// assert_eq!(lines.next_line()?, None);
    /// # Ok::<(), docker_engine::Error>(())
    /// ```
    pub fn next_line(&mut self) -> Result<Option<Bytes>> {
        loop {
            match self.buf[self.scanned..].iter().position(|b| *b == b'\n') {
                Some(i) => {
                    let end = self.scanned + i;
                    if line_too_long(&self.buf[..end]) {
                        return Err(Self::too_long());
                    }
                    let mut line = self.buf.split_to(end + 1);
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
                    if line_too_long(&self.buf) {
                        return Err(Self::too_long());
                    }
                    return Ok(None);
                }
            }
        }
    }

    fn too_long() -> Error {
        Error::stream(format!(
            "a JSON line longer than {MAX_LINE} bytes: corrupt stream"
        ))
    }

    /// The stream ended: the last line, if it had no newline.
    ///
    /// ```
    /// use docker_engine::stream::JsonLines;
    /// let mut lines = JsonLines::new();
    /// lines.push(b"{\"last\":true}");
    /// assert_eq!(lines.next_line()?, None);
    /// assert_eq!(lines.finish().as_deref(), Some(&b"{\"last\":true}"[..]));
    /// # Ok::<(), docker_engine::Error>(())
    /// ```
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

/// Whether a line, or the start of one, is over [`MAX_LINE`] without its `\r` (which may be
/// the first half of its `\r\n`). The same test whether its newline came in the same read
/// or a later one.
fn line_too_long(line: &[u8]) -> bool {
    line.len() - usize::from(line.last() == Some(&b'\r')) > MAX_LINE
}

/// Decode one line: the daemon's in-stream error, or an item.
///
/// ```
/// use docker_engine::stream::json_lines::decode_line;
/// use docker_engine::types::op::image_create::Item;
/// let item: Item = decode_line(br#"{"status":"Downloading","id":"a1b2"}"#)?;
/// assert_eq!(item.status.as_deref(), Some("Downloading"));
/// let failed = decode_line::<Item>(br#"{"error":"manifest unknown"}"#);
/// assert!(failed.unwrap_err().to_string().contains("manifest unknown"));
/// # Ok::<(), docker_engine::Error>(())
/// ```
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
    /// Put before the message of an error the daemon reports in the stream.
    context: Option<Box<str>>,
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
            context: None,
            done: false,
            _item: PhantomData,
        }
    }

    /// Name what the stream is doing in the errors the daemon reports in it (`pushing
    /// 127.0.0.1:5000/app:1 to registry 127.0.0.1:5000: EOF`): the daemon's own words
    /// often name neither the image nor the registry.
    pub(crate) fn context(mut self, context: String) -> JsonStream<T> {
        self.context = Some(context.into());
        self
    }

    /// The same stream, each line decoded as `U` instead: a type of your own, or
    /// [`serde_json::Value`] for what the spec's item does not name. The daemon's push
    /// lines carry the layer `id` (`{"status":"Pushed","id":"5f70bf18a086"}`) and its
    /// last line the manifest's digest in `aux`; the spec's push item has neither field.
    /// The daemon's in-stream errors still end the stream with `Err`. It may be called
    /// midway: the lines not yet returned are decoded as `U`.
    ///
    /// The integration test `push_progress_lines_carry_their_layer_ids` reads a push so.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// use futures_util::StreamExt;
    /// let mut lines = docker
    ///     .images()
    ///     .push("registry.example/myapp:1.0")
    ///     .stream()
    ///     .decode_as::<serde_json::Value>();
    /// while let Some(line) = lines.next().await {
    ///     let line = line?;
    ///     println!("{}: {}", line["id"].as_str().unwrap_or("-"), line["status"]);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn decode_as<U>(self) -> JsonStream<U> {
        JsonStream {
            source: self.source,
            lines: self.lines,
            context: self.context,
            done: self.done,
            _item: PhantomData,
        }
    }

    fn decode(&self, line: &[u8]) -> Result<T>
    where
        T: DeserializeOwned,
    {
        match (decode_line(line), &self.context) {
            (Err(Error::Stream { message, source }), Some(context)) => Err(Error::Stream {
                message: format!("{context}: {message}"),
                source,
            }),
            (other, _) => other,
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
                    let item = this.decode(&line);
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
                    let last = this.lines.finish();
                    return Poll::Ready(last.map(|line| this.decode(&line)));
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

    #[tokio::test]
    async fn decode_as_keeps_what_the_typed_item_has_no_field_for() {
        use crate::types::op::image_push::Item;
        use futures_util::StreamExt;
        let body = b"{\"status\":\"Preparing\",\"id\":\"5f70bf18a086\"}\n\
            {\"status\":\"Pushed\",\"id\":\"5f70bf18a086\"}\n\
            {\"errorDetail\":{\"message\":\"unauthorized\"},\"error\":\"unauthorized\"}\n\
            {\"status\":\"never read\"}\n";
        // The first read ends inside the second line.
        let cut = body.iter().position(|&b| b == b'\n').unwrap() + 10;
        let chunks: Vec<Result<bytes::Bytes>> = vec![
            Ok(bytes::Bytes::from_static(&body[..cut])),
            Ok(bytes::Bytes::from_static(&body[cut..])),
        ];
        let source: ByteSource = Box::pin(futures_util::stream::iter(chunks));
        let mut typed = JsonStream::<Item>::new(source).context("pushing x".into());
        let first = typed.next().await.unwrap().unwrap();
        assert_eq!(first.status.as_deref(), Some("Preparing"));
        // The spec's push item has no field for the layer id.
        assert!(serde_json::to_value(&first).unwrap().get("id").is_none());
        // Retyped midway: the buffered half line is kept and decoded as the new type.
        let items: Vec<Result<serde_json::Value>> =
            typed.decode_as::<serde_json::Value>().collect().await;
        assert_eq!(items.len(), 2, "the error line ends the stream: {items:?}");
        let pushed = items[0].as_ref().unwrap();
        assert_eq!(
            (&pushed["id"], &pushed["status"]),
            (&"5f70bf18a086".into(), &"Pushed".into())
        );
        assert!(
            matches!(&items[1], Err(Error::Stream { message, .. }) if message == "pushing x: unauthorized"),
            "{:?}",
            items[1]
        );
    }
}
