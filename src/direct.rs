//! A streaming GET on a connection of its own, driven by the task that reads it.
//!
//! reqwest runs every pooled connection in a task of its own and hands each body chunk to
//! the reader through a channel: on a multi-thread runtime that is a cross-thread wake-up
//! per chunk, and the daemon sends a log line per chunk (`benches/RESULTS.md`, profile
//! notes: about 2.4 futex calls per frame). Long streams (logs, events, stats) therefore
//! take a connection of their own here, handshaken with hyper (the HTTP/1 implementation
//! under reqwest) and polled from the stream's own `poll_next`: the body wakes only its
//! reader. TLS hosts keep reqwest's path.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_core::Stream;
use http_body_util::Empty;
use hyper::body::{Body, Incoming};
use hyper::client::conn::http1::{self, Connection};
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite};

use crate::error::{Error, Result};
use crate::transport::Host;

/// A socket of either kind, for one connection.
enum Socket {
    Unix(tokio::net::UnixStream),
    Tcp(tokio::net::TcpStream),
}

impl AsyncRead for Socket {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Socket::Unix(s) => Pin::new(s).poll_read(cx, buf),
            Socket::Tcp(s) => Pin::new(s).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Socket {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        match self.get_mut() {
            Socket::Unix(s) => Pin::new(s).poll_write(cx, buf),
            Socket::Tcp(s) => Pin::new(s).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Socket::Unix(s) => Pin::new(s).poll_flush(cx),
            Socket::Tcp(s) => Pin::new(s).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Socket::Unix(s) => Pin::new(s).poll_shutdown(cx),
            Socket::Tcp(s) => Pin::new(s).poll_shutdown(cx),
        }
    }
}

type Conn = Connection<TokioIo<Socket>, Empty<Bytes>>;

/// The body of a response on its own connection; polling it drives the connection.
pub(crate) struct DirectBody {
    conn: Pin<Box<Conn>>,
    conn_done: bool,
    body: Incoming,
    address: String,
}

impl DirectBody {
    /// Drive the connection's I/O; an error ends the body.
    fn drive(&mut self, cx: &mut Context<'_>) -> Option<Error> {
        if self.conn_done {
            return None;
        }
        match self.conn.as_mut().poll(cx) {
            Poll::Pending => None,
            Poll::Ready(Ok(())) => {
                self.conn_done = true;
                None
            }
            Poll::Ready(Err(e)) => {
                self.conn_done = true;
                Some(Error::Stream(format!(
                    "the connection to {} failed: {e}",
                    self.address
                )))
            }
        }
    }
}

impl Stream for DirectBody {
    type Item = Result<Bytes>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            let failure = this.drive(cx);
            match Pin::new(&mut this.body).poll_frame(cx) {
                Poll::Ready(Some(Ok(frame))) => match frame.into_data() {
                    Ok(data) => return Poll::Ready(Some(Ok(data))),
                    Err(_) => continue, // trailers
                },
                Poll::Ready(Some(Err(e))) => {
                    return Poll::Ready(Some(Err(Error::Stream(format!(
                        "reading from {} failed: {e}",
                        this.address
                    )))));
                }
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Pending => {
                    return match failure {
                        Some(e) => Poll::Ready(Some(Err(e))),
                        None => Poll::Pending,
                    };
                }
            }
        }
    }
}

/// Whether `host` can take a direct connection (TLS hosts stay on reqwest).
pub(crate) fn supported(host: &Host) -> bool {
    matches!(host, Host::Unix(_) | Host::Tcp { .. })
}

/// `GET path_and_query` on a new connection; the status, headers, and the body as a stream.
pub(crate) async fn get(
    host: &Host,
    address: &str,
    connect_timeout: std::time::Duration,
    path_and_query: &str,
) -> Result<(u16, http::HeaderMap, DirectBody)> {
    let transport = |e: std::io::Error| {
        Error::Stream(format!(
            "cannot connect to the Docker daemon at {address}: {e}"
        ))
    };
    let connect = async {
        Ok::<_, std::io::Error>(match host {
            Host::Unix(path) => Socket::Unix(tokio::net::UnixStream::connect(path).await?),
            Host::Tcp { host, port } => {
                let s = tokio::net::TcpStream::connect((host.as_str(), *port)).await?;
                s.set_nodelay(true)?;
                Socket::Tcp(s)
            }
            Host::Https { .. } => {
                return Err(std::io::Error::other("TLS hosts are not served here"));
            }
        })
    };
    let socket = tokio::time::timeout(connect_timeout, connect)
        .await
        .map_err(|_| {
            transport(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "connect timed out",
            ))
        })?
        .map_err(transport)?;
    let (mut send, conn) = http1::handshake::<_, Empty<Bytes>>(TokioIo::new(socket))
        .await
        .map_err(|e| Error::Stream(format!("HTTP handshake with {address} failed: {e}")))?;
    let mut conn = Box::pin(conn);
    let request = http::Request::get(path_and_query)
        .header(http::header::HOST, "localhost")
        .header(
            http::header::USER_AGENT,
            concat!("docker-engine-rs/", env!("CARGO_PKG_VERSION")),
        )
        .body(Empty::new())
        .map_err(|e| Error::InvalidArgument(format!("cannot build the request: {e}")))?;
    let mut response = std::pin::pin!(send.send_request(request));
    let mut conn_done = false;
    let response = std::future::poll_fn(|cx| {
        if !conn_done && let Poll::Ready(r) = conn.as_mut().poll(cx) {
            conn_done = true;
            if let Err(e) = r {
                return Poll::Ready(Err(Error::Stream(format!(
                    "the connection to {address} failed: {e}"
                ))));
            }
        }
        response
            .as_mut()
            .poll(cx)
            .map_err(|e| Error::Stream(format!("request to {address} failed: {e}")))
    })
    .await?;
    let (parts, body) = response.into_parts();
    Ok((
        parts.status.as_u16(),
        parts.headers,
        DirectBody {
            conn,
            conn_done,
            body,
            address: address.to_string(),
        },
    ))
}
