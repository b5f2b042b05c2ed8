//! HTTP/1 connections polled by whoever waits on them.
//!
//! reqwest and bollard run each connection in a task of their own and hand every response
//! (and every body chunk) across tasks; on the default multi-thread runtime that is a
//! cross-thread wake-up per request and per log frame (`benches/RESULTS.md`, profile
//! notes). Here the request future polls the connection while it waits for the head, and
//! the response body polls it while it is read: nothing runs in the background, and
//! dropping a response closes its connection. A connection whose body was read to the end
//! goes back to a small idle pool for the next unary call.

use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use hyper::body::{Body, Frame, Incoming, SizeHint};
use hyper::client::conn::http1;
use hyper_util::rt::TokioIo;

use super::connect::Connector;
use crate::error::{Carried, Error, Result};

/// What a request body is: the generated client's.
pub(crate) type ReqBody = reqwest::Body;

/// How many idle connections are kept.
const MAX_IDLE: usize = 64;

/// The future that does a connection's I/O: hyper's `Connection`, or the same with upgrades.
type Io = Pin<Box<dyn Future<Output = hyper::Result<()>> + Send + Sync>>;

/// One HTTP/1 connection: the sending half and the connection future that does its I/O.
pub(crate) struct Conn {
    send: http1::SendRequest<ReqBody>,
    io: Io,
    closed: bool,
    /// It served a request before: a failure before any answer may mean the daemon had
    /// closed it while it sat idle.
    pub(crate) reused: bool,
    idle_since: Instant,
    /// The tokio runtime whose I/O driver its socket is registered with: only a task of
    /// that runtime is woken by it.
    runtime: Option<tokio::runtime::Id>,
}

/// The runtime the current task runs on.
fn current_runtime() -> Option<tokio::runtime::Id> {
    tokio::runtime::Handle::try_current().ok().map(|h| h.id())
}

impl Conn {
    /// Connect and handshake.
    pub(crate) async fn open(connector: &Connector, address: &str) -> Result<Conn> {
        Conn::handshake(connector, address, false).await
    }

    /// Connect and handshake a connection that can be switched to a raw byte stream (exec,
    /// attach); its I/O future ends when the upgrade takes the socket.
    pub(crate) async fn open_upgradeable(connector: &Connector, address: &str) -> Result<Conn> {
        Conn::handshake(connector, address, true).await
    }

    async fn handshake(connector: &Connector, address: &str, upgrades: bool) -> Result<Conn> {
        let socket = connector.connect(address).await?;
        let (send, io) = http1::Builder::new()
            .max_buf_size(super::RESPONSE_HEAD_LIMIT)
            .handshake(TokioIo::new(socket))
            .await
            .map_err(|e| Error::transport(address, e))?;
        let io: Io = if upgrades {
            Box::pin(io.with_upgrades())
        } else {
            Box::pin(io)
        };
        Ok(Conn {
            send,
            io,
            closed: false,
            reused: false,
            idle_since: Instant::now(),
            runtime: current_runtime(),
        })
    }

    /// Drive the connection until the upgrade of `response` (a 101) hands over its socket.
    pub(crate) async fn upgrade(
        mut self,
        response: &mut http::Response<Incoming>,
    ) -> std::result::Result<hyper::upgrade::Upgraded, hyper::Error> {
        let mut on_upgrade = hyper::upgrade::on(response);
        poll_fn(|cx| {
            if let Some(e) = self.drive(cx) {
                return Poll::Ready(Err(e));
            }
            Pin::new(&mut on_upgrade).poll(cx)
        })
        .await
    }

    /// Do the connection's pending I/O. `Some` when it failed.
    fn drive(&mut self, cx: &mut Context<'_>) -> Option<hyper::Error> {
        if self.closed {
            return None;
        }
        match self.io.as_mut().poll(cx) {
            Poll::Pending => None,
            Poll::Ready(r) => {
                self.closed = true;
                r.err()
            }
        }
    }

    /// Whether an idle connection can take a request: not closed by the daemon meanwhile.
    fn usable(&mut self, idle_timeout: Duration) -> bool {
        if self.idle_since.elapsed() >= idle_timeout {
            return false;
        }
        let mut cx = Context::from_waker(std::task::Waker::noop());
        self.drive(&mut cx);
        !self.closed && !self.send.is_closed()
    }

    /// Send a request and wait for the response head, polling the connection meanwhile.
    pub(crate) async fn roundtrip(
        &mut self,
        request: http::Request<ReqBody>,
    ) -> std::result::Result<http::Response<Incoming>, hyper::Error> {
        poll_fn(|cx| match self.drive(cx) {
            Some(e) => Poll::Ready(Err(e)),
            None => self.send.poll_ready(cx),
        })
        .await?;
        let mut response = std::pin::pin!(self.send.send_request(request));
        poll_fn(|cx| {
            let failure = self.drive(cx);
            match response.as_mut().poll(cx) {
                Poll::Ready(r) => Poll::Ready(r),
                Poll::Pending => match failure {
                    Some(e) => Poll::Ready(Err(e)),
                    None => Poll::Pending,
                },
            }
        })
        .await
    }
}

/// Idle connections, most recently used last.
pub(crate) struct Pool {
    idle: Mutex<Vec<Conn>>,
    idle_timeout: Duration,
}

impl Pool {
    pub(crate) fn new(idle_timeout: Duration) -> Arc<Pool> {
        Arc::new(Pool {
            idle: Mutex::new(Vec::new()),
            idle_timeout,
        })
    }

    /// An idle connection of the current runtime that still works, if there is one, the
    /// latest first. A connection made on another runtime is left for that runtime: its
    /// socket's readiness is reported by that runtime's I/O driver, which may not be
    /// running while this one waits (a `current_thread` runtime between its `block_on`s),
    /// and a request on it would wait forever
    /// (`a_client_moves_between_runtimes`, tests/engine/connect.rs).
    pub(crate) fn checkout(&self) -> Option<Conn> {
        let here = current_runtime();
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        let mut i = idle.len();
        while i > 0 {
            i -= 1;
            if idle[i].runtime != here {
                continue;
            }
            let mut conn = idle.remove(i);
            if conn.usable(self.idle_timeout) {
                conn.reused = true;
                return Some(conn);
            }
        }
        None
    }

    fn checkin(&self, mut conn: Conn) {
        if conn.closed || conn.send.is_closed() {
            return;
        }
        conn.idle_since = Instant::now();
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        // Those past their idle time go, whichever runtime they were made on.
        let timeout = self.idle_timeout;
        idle.retain(|c| c.idle_since.elapsed() < timeout);
        if idle.len() < MAX_IDLE {
            idle.push(conn);
        }
    }
}

/// A response body that drives its own connection, and gives the connection back to the
/// pool when it has been read to the end. Its errors are [`Error`]s ([`Carried`] through
/// the generated client).
pub(crate) struct PooledBody {
    body: Incoming,
    conn: Option<Conn>,
    pool: Option<Arc<Pool>>,
    /// The end of a whole-call timeout (unary calls only).
    deadline: Option<(Pin<Box<tokio::time::Sleep>>, Duration)>,
    address: Arc<str>,
    /// A whole answer's bound: (bytes still allowed, the limit).
    limit: Option<(usize, usize)>,
    done: bool,
}

impl PooledBody {
    pub(crate) fn new(
        body: Incoming,
        conn: Conn,
        pool: Option<Arc<Pool>>,
        deadline: Option<(Instant, Duration)>,
        address: Arc<str>,
    ) -> PooledBody {
        PooledBody {
            body,
            conn: Some(conn),
            pool,
            deadline: deadline.map(|(at, t)| (Box::pin(tokio::time::sleep_until(at.into())), t)),
            address,
            limit: None,
            done: false,
        }
    }

    /// Fail the body with [`Error::Stream`] once it is longer than `limit` bytes.
    pub(crate) fn bounded(mut self, limit: Option<usize>) -> PooledBody {
        self.limit = limit.map(|l| (l, l));
        self
    }

    fn release(&mut self) {
        self.done = true;
        if let (Some(conn), Some(pool)) = (self.conn.take(), self.pool.take()) {
            pool.checkin(conn);
        }
    }

    /// Poll for the next frame, with errors as [`Error`].
    pub(crate) fn poll_frame_err(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>>>> {
        if self.done {
            return Poll::Ready(None);
        }
        if let Some((sleep, after)) = &mut self.deadline
            && sleep.as_mut().poll(cx).is_ready()
        {
            self.done = true;
            self.conn = None;
            return Poll::Ready(Some(Err(Error::Timeout {
                address: self.address.to_string(),
                what: "the whole request",
                after: *after,
            })));
        }
        let failure = self.conn.as_mut().and_then(|c| c.drive(cx));
        match Pin::new(&mut self.body).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                if let (Some((left, limit)), Some(data)) = (&mut self.limit, frame.data_ref()) {
                    if data.len() > *left {
                        let limit = *limit;
                        self.done = true;
                        self.conn = None;
                        return Poll::Ready(Some(Err(Error::stream(format!(
                            "the answer from {} is longer than {limit} bytes, the limit for a whole answer (DockerBuilder::response_body_limit)",
                            self.address
                        )))));
                    }
                    *left -= data.len();
                }
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(Some(Err(e))) => {
                self.done = true;
                self.conn = None;
                Poll::Ready(Some(Err(Error::stream_from(
                    format!("reading the response from {} failed", self.address),
                    failure.map_or(e, |f| f),
                ))))
            }
            // The body's end and the connection's failure can come in one poll (the daemon
            // died inside a chunked body): that is not a clean end.
            Poll::Ready(None) if failure.is_some() => {
                self.done = true;
                self.conn = None;
                Poll::Ready(Some(Err(Error::stream_from(
                    format!("the connection to {} failed", self.address),
                    failure.expect("checked"),
                ))))
            }
            Poll::Ready(None) => {
                self.release();
                Poll::Ready(None)
            }
            Poll::Pending => match failure {
                Some(e) => {
                    self.done = true;
                    self.conn = None;
                    Poll::Ready(Some(Err(Error::stream_from(
                        format!("the connection to {} failed", self.address),
                        e,
                    ))))
                }
                None => Poll::Pending,
            },
        }
    }

    /// The next chunk of data (trailers skipped).
    pub(crate) fn poll_data(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<Bytes>>> {
        loop {
            match self.poll_frame_err(cx) {
                Poll::Ready(Some(Ok(frame))) => match frame.into_data() {
                    Ok(data) => return Poll::Ready(Some(Ok(data))),
                    Err(_) => continue,
                },
                Poll::Ready(Some(Err(e))) => return Poll::Ready(Some(Err(e))),
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Pending => return Poll::Pending,
            }
        }
    }

    /// Read the body to its end, or up to `limit` bytes: `cut` says whether it was longer.
    /// A cut body is not read further, and its connection is closed.
    pub(crate) async fn read_bounded(mut self, limit: usize) -> Result<(Vec<u8>, bool)> {
        let mut out = Vec::new();
        let mut cut = false;
        while let Some(chunk) = poll_fn(|cx| self.poll_data(cx)).await {
            let chunk = chunk?;
            let room = limit.saturating_sub(out.len());
            if chunk.len() > room {
                cut = true;
                out.extend_from_slice(&chunk[..room]);
            } else {
                out.extend_from_slice(&chunk);
            }
            if cut {
                break;
            }
        }
        Ok((out, cut))
    }
}

/// How much of an unread body a drop reads, without waiting, to save its connection.
const DRAIN_ON_DROP: usize = 64 * 1024;

impl Drop for PooledBody {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        // An empty body (204, HEAD, Content-Length: 0) needs no read to be at its end; a
        // small one the caller did not read (`/_ping`'s `OK`, the empty bodies of many raw
        // calls) has usually arrived with the head: read what is there without waiting, and
        // if that is the end, the connection goes back to the pool. Otherwise it is closed.
        let mut cx = Context::from_waker(std::task::Waker::noop());
        let mut read = 0;
        while !self.body.is_end_stream() && read <= DRAIN_ON_DROP {
            match Pin::new(&mut self.body).poll_frame(&mut cx) {
                Poll::Ready(Some(Ok(frame))) => {
                    read += frame.data_ref().map_or(0, |d| d.len());
                }
                Poll::Ready(None) => break,
                Poll::Ready(Some(Err(_))) | Poll::Pending => return,
            }
        }
        if read <= DRAIN_ON_DROP {
            self.release();
        }
    }
}

impl Body for PooledBody {
    type Data = Bytes;
    type Error = Carried;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<std::result::Result<Frame<Bytes>, Carried>>> {
        self.get_mut()
            .poll_frame_err(cx)
            .map(|o| o.map(|r| r.map_err(Carried::new)))
    }

    fn is_end_stream(&self) -> bool {
        self.done || self.body.is_end_stream()
    }

    /// The daemon's `Content-Length` as an upper bound only: a reader that sizes a buffer
    /// by the lower bound gets at most 64 KiB from a number the daemon sent.
    fn size_hint(&self) -> SizeHint {
        let mut hint = SizeHint::new();
        if let Some(upper) = self.body.size_hint().upper() {
            hint.set_upper(upper);
        }
        hint.set_lower(
            self.body
                .size_hint()
                .lower()
                .min(64 * 1024)
                .min(hint.upper().unwrap_or(u64::MAX)),
        );
        hint
    }
}

/// A response body as a `Stream` of byte chunks that end with an [`Error`] if it breaks.
pub struct BodyStream(pub(crate) PooledBody);

impl futures_core::Stream for BodyStream {
    type Item = Result<Bytes>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().0.poll_data(cx)
    }
}

impl std::fmt::Debug for BodyStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BodyStream")
            .field("address", &self.0.address)
            .finish_non_exhaustive()
    }
}
