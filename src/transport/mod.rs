//! The one door to the daemon.
//!
//! Every request, whether a user calls the generated client through [`crate::Docker::raw`]
//! or the hand-written layer calls it on the user's behalf, is described by a generated
//! builder and carried by [`Shared`], the generated client's hook ([`ClientHooks::exec`]).
//! The core has three ways out:
//!
//! - **unary**: a pooled HTTP/1 connection polled by the request future itself, the
//!   response body read in the caller's task and the connection given back to the pool;
//! - **stream** (logs, events, stats, pull, build, archives, wait, ...): the same kind of
//!   connection, held by the response body for as long as it is read; the request timeout
//!   bounds only the wait for the response head;
//! - **upgrade** (exec, attach): a connection of its own switched to a raw byte stream.
//!
//! Path guard, version prefix, retry on a stale pooled connection, timeouts, tracing and
//! the bound on error bodies are all here, once.

mod answer;
mod connect;
mod guard;
mod host;
mod observe;
mod pool;
mod ssh;
#[cfg(feature = "tls")]
mod tls;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};

pub use answer::Answer;
pub use host::{Host, TlsMaterial};
pub use observe::CallRecord;
pub(crate) use observe::Observer;
pub use pool::BodyStream;

use crate::error::{Carried, Error, Result};
use crate::raw;
use crate::version::ApiVersion;
use connect::Connector;
use pool::{Conn, Pool, PooledBody, ReqBody};

/// Percent-encode one path parameter of a generated request: everything but RFC 3986's
/// unreserved characters (`A-Z a-z 0-9 - . _ ~`), so that no `/`, `\`, `%`, `?` or `#` a
/// caller (or a daemon, for ids it returns) passes can change the path. The generated
/// client calls this for every path parameter (the `strict-path-encoding` rule).
pub(crate) fn encode_segment(value: &str) -> String {
    const NOT_UNRESERVED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    percent_encoding::utf8_percent_encode(value, NOT_UNRESERVED).to_string()
}

/// The base URL the generated client formats its URLs on. Only the path and query are
/// sent; the `Host` header comes from the real address.
const BASE_URL: &str = "http://docker.invalid";

/// The most of an error body that is read: a hostile or broken daemon cannot make the
/// client buffer more. A longer message is cut and marked.
pub const ERROR_BODY_LIMIT: usize = 64 * 1024;

/// The most of a whole answer (any call that is not a stream or a long poll: an inspect, a
/// list, `system df`) that is read before the call fails with [`Error::Stream`], unless
/// [`DockerBuilder::response_body_limit`](crate::DockerBuilder::response_body_limit) sets
/// another. Streams (logs, events, pulls, exports, `save`) are read piece by piece and are
/// not bounded as a whole.
pub const RESPONSE_BODY_LIMIT: usize = 256 << 20;

/// The most of a response head (status line and headers: `X-Docker-Container-Path-Stat`,
/// say) that is read; a longer head fails the call (hyper's read buffer bound).
pub const RESPONSE_HEAD_LIMIT: usize = 256 * 1024;

/// The oldest API version this client is tested against.
pub const MINIMUM_API_VERSION: ApiVersion = ApiVersion::new(1, 41);

/// Operations whose response is long-lived (a stream, or a long poll): the request timeout
/// bounds the wait for their response head, never their body.
const LONG_LIVED: &[&str] = &[
    "container_wait",
    "container_logs",
    "container_attach",
    "container_stats",
    "container_export",
    "container_archive",
    "put_container_archive",
    "exec_start",
    "system_events",
    "image_create",
    "image_push",
    "image_build",
    "image_load",
    "image_get",
    "image_get_all",
    "plugin_pull",
    "plugin_upgrade",
    "plugin_push",
    "session",
    "task_logs",
    "service_logs",
];

/// Connection settings, as [`crate::DockerBuilder`] collects them.
#[derive(Clone, Debug)]
pub(crate) struct Settings {
    pub host: Host,
    pub tls: Option<TlsMaterial>,
    pub version: Option<ApiVersion>,
    pub connect_timeout: Duration,
    pub request_timeout: Option<Duration>,
    pub pool_idle_timeout: Duration,
    pub response_body_limit: usize,
    pub ssh_options: Vec<String>,
    pub observer: Option<Observer>,
}

/// The core's handle, held by the generated client (its `inner`). Cheap to clone.
#[derive(Clone, Debug)]
pub struct Shared {
    core: Arc<Core>,
    /// Set on a client made for one stream or upgrade: the response is left here for the
    /// hand-written layer instead of being decoded by the generated code.
    capture: Option<Arc<Slot>>,
    /// Headers every request of this client also carries (ones the spec does not declare).
    headers: Option<Arc<http::HeaderMap>>,
    /// Query pairs every request of this client also carries: for a parameter the spec
    /// types as one value where the daemon reads several (`extrahosts` of `POST /build`).
    query: Option<Arc<Vec<(String, String)>>>,
    /// Members every JSON object body of this client also carries, unless the body has
    /// them: for fields an older API reads that the spec no longer describes
    /// (`CheckDuplicate` of `POST /networks/create` before API 1.44).
    body_fields: Option<Arc<serde_json::Map<String, serde_json::Value>>>,
}

struct Core {
    connector: Connector,
    address: Arc<str>,
    /// The host's base path (`tcp://host:port/some/prefix`), empty for none.
    base_path: String,
    pool: Arc<Pool>,
    pinned: Option<ApiVersion>,
    negotiation: Negotiation,
    request_timeout: Option<Duration>,
    response_body_limit: usize,
    observer: Option<Observer>,
    /// Only builds the generated client's `reqwest::Request`s; it never sends one.
    http: reqwest::Client,
}

impl std::fmt::Debug for Core {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Core")
            .field("address", &self.address)
            .field("connector", &self.connector)
            .field("pinned", &self.pinned)
            .field("request_timeout", &self.request_timeout)
            .finish_non_exhaustive()
    }
}

/// Version negotiation: the version once known, and one attempt at a time.
#[derive(Debug, Default)]
struct Negotiation {
    version: std::sync::OnceLock<ApiVersion>,
    turn: tokio::sync::Mutex<()>,
    /// How many attempts have ended.
    finished: std::sync::atomic::AtomicU64,
    last_error: Mutex<Option<Error>>,
}

/// What a capturing client leaves behind.
enum Captured {
    Response(Result<http::Response<PooledBody>>),
    Upgraded(Result<(http::HeaderMap, hyper::upgrade::Upgraded)>),
}

#[derive(Debug)]
enum Kind {
    Stream,
    Upgrade,
    /// A response read whole, as the generated code would read it (bounded, within the
    /// request timeout), kept as the daemon sent it.
    Whole,
}

struct Slot {
    kind: Kind,
    value: Mutex<Option<Captured>>,
}

impl std::fmt::Debug for Slot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Slot").field("kind", &self.kind).finish()
    }
}

/// A status no operation of the spec lists: what a capturing client answers the generated
/// code with, so that it stops without reading anything.
const CAPTURED: u16 = 999;

impl Shared {
    pub(crate) fn new(settings: Settings) -> Result<Shared> {
        let address = settings.host.display();
        let base_path = settings.host.base_path().to_string();
        let connector = Connector::new(
            settings.host,
            settings.tls.as_ref(),
            settings.connect_timeout,
            &settings.ssh_options,
        )?;
        let address: Arc<str> = match connector.host() {
            Host::Https { .. } => format!("{address} (TLS)").into(),
            _ => address.into(),
        };
        let http = reqwest::Client::builder()
            .build()
            .map_err(|e| Error::tls_config_from("cannot build the request builder", e))?;
        Ok(Shared {
            core: Arc::new(Core {
                connector,
                address,
                base_path,
                pool: Pool::new(settings.pool_idle_timeout),
                pinned: settings.version,
                negotiation: Negotiation::default(),
                request_timeout: settings.request_timeout,
                response_body_limit: settings.response_body_limit,
                observer: settings.observer,
                http,
            }),
            capture: None,
            headers: None,
            query: None,
            body_fields: None,
        })
    }

    /// The address requests go to, for messages.
    pub fn address(&self) -> &str {
        &self.core.address
    }

    /// The generated client, bound to this core.
    pub(crate) fn raw_client(&self) -> raw::Client {
        raw::Client::new_with_client(BASE_URL, self.core.http.clone(), self.clone())
    }

    /// The generated client, bound to this core, adding `headers` to every request.
    pub(crate) fn with_headers(&self, headers: http::HeaderMap) -> Shared {
        Shared {
            headers: Some(Arc::new(headers)),
            ..self.clone()
        }
    }

    /// The same client, every request also carrying these query pairs (encoded here).
    pub(crate) fn with_query(&self, pairs: Vec<(String, String)>) -> Shared {
        Shared {
            query: Some(Arc::new(pairs)),
            ..self.clone()
        }
    }

    /// The same client, every JSON object body also carrying these members where it has
    /// none of that name (or has it `null`).
    pub(crate) fn with_body_fields(
        &self,
        fields: serde_json::Map<String, serde_json::Value>,
    ) -> Shared {
        Shared {
            body_fields: Some(Arc::new(fields)),
            ..self.clone()
        }
    }

    /// A generated client for one streamed response (see [`Capture::stream`]).
    pub(crate) fn capture_stream(&self) -> Capture {
        self.capture(Kind::Stream)
    }

    /// A generated client for one upgraded connection (see [`Capture::upgrade`]). The
    /// upgrade asks for `tcp`, the raw stream exec and attach give, unless the client's
    /// headers name another protocol (`h2c` for `/session`, `websocket`).
    pub(crate) fn capture_upgrade(&self) -> Capture {
        self.capture(Kind::Upgrade)
    }

    /// A generated client for one answer read whole and kept as sent (see
    /// [`Capture::whole`]).
    pub(crate) fn capture_whole(&self) -> Capture {
        self.capture(Kind::Whole)
    }

    fn capture(&self, kind: Kind) -> Capture {
        let slot = Arc::new(Slot {
            kind,
            value: Mutex::new(None),
        });
        let shared = Shared {
            capture: Some(slot.clone()),
            ..self.clone()
        };
        Capture {
            raw: shared.raw_client(),
            slot,
            address: self.core.address.clone(),
        }
    }

    /// The API version in use: the pinned one, or negotiated with the daemon on first call.
    /// One attempt at a time, shared by every task that asks meanwhile: 16 concurrent first
    /// calls send one `/_ping`, and when it fails, all 16 get its error; the next call
    /// after that tries again.
    pub async fn api_version(&self) -> Result<ApiVersion> {
        if let Some(v) = self.core.pinned {
            return Ok(v);
        }
        let n = &self.core.negotiation;
        if let Some(v) = n.version.get() {
            return Ok(*v);
        }
        let seen = n.finished.load(std::sync::atomic::Ordering::Acquire);
        let _turn = n.turn.lock().await;
        if let Some(v) = n.version.get() {
            return Ok(*v);
        }
        if n.finished.load(std::sync::atomic::Ordering::Acquire) != seen {
            // An attempt ended while this call waited for its turn, and failed.
            let last = n.last_error.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(e) = last.as_ref() {
                return Err(e.duplicate());
            }
        }
        let outcome = self.negotiate().await;
        match &outcome {
            Ok(v) => {
                let _ = n.version.set(*v);
            }
            Err(e) => {
                *n.last_error.lock().unwrap_or_else(|p| p.into_inner()) = Some(e.duplicate());
            }
        }
        n.finished.fetch_add(1, std::sync::atomic::Ordering::AcqRel);
        outcome
    }

    /// `GET /_ping`, unversioned, like the Go SDK: min(server's version, the spec's).
    async fn negotiate(&self) -> Result<ApiVersion> {
        let request = http::Request::get(format!("{}/_ping", self.core.base_path))
            .body(ReqBody::from(bytes::Bytes::new()))
            .expect("a static request builds");
        let response = self.send(request, "negotiate", false).await?;
        let address = &self.core.address;
        let status = response.status().as_u16();
        let header = response
            .headers()
            .get("api-version")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        if status >= 400 {
            return Err(error_response(response).await);
        }
        // Read the `OK` to its end, so that the connection goes back to the pool.
        response.into_body().read_bounded(ERROR_BODY_LIMIT).await?;
        let server = match header {
            Some(h) => h.parse::<ApiVersion>().map_err(|_| {
                Error::Version(format!(
                    "the daemon at {address} sent an unreadable API-Version header {h:?}"
                ))
            })?,
            None => {
                return Err(Error::Version(format!(
                    "the daemon at {address} sent no API-Version header on /_ping (HTTP {status}): is this a Docker engine?"
                )));
            }
        };
        if server < MINIMUM_API_VERSION {
            return Err(Error::Version(format!(
                "the daemon at {address} speaks API {server}, older than {MINIMUM_API_VERSION}, the oldest this client supports"
            )));
        }
        Ok(server.min(ApiVersion::SPEC))
    }

    /// The door: check, prefix and carry one generated request.
    async fn carry(&self, request: reqwest::Request, operation: &str) -> Result<CarryOutcome> {
        let Some(observer) = &self.core.observer else {
            return self.carry_unobserved(request, operation).await;
        };
        let start = std::time::Instant::now();
        let outcome = self.carry_unobserved(request, operation).await;
        let status = match &outcome {
            Ok(CarryOutcome::Response(r)) => Some(r.status().as_u16()),
            Ok(CarryOutcome::Upgraded(_)) => Some(101),
            Err(e) => e.status(),
        };
        let elapsed = start.elapsed();
        (observer.0)(&CallRecord {
            operation,
            status,
            elapsed,
        });
        outcome
    }

    async fn carry_unobserved(
        &self,
        mut request: reqwest::Request,
        operation: &str,
    ) -> Result<CarryOutcome> {
        if let Some(extra) = &self.headers {
            for (name, value) in extra.iter() {
                request.headers_mut().insert(name, value.clone());
            }
        }
        guard::check(operation, request.url().path()).map_err(Error::InvalidArgument)?;
        if let Some(fields) = &self.body_fields {
            add_body_fields(&mut request, fields)?;
        }
        let version = self.api_version().await?;
        let mut path = format!("{}/v{version}{}", self.core.base_path, request.url().path());
        if let Some(q) = request.url().query() {
            path.push('?');
            path.push_str(q);
        }
        for (key, value) in self.query.iter().flat_map(|q| q.iter()) {
            path.push(if path.contains('?') { '&' } else { '?' });
            path.push_str(&encode_segment(key));
            path.push('=');
            path.push_str(&encode_segment(value));
        }
        if matches!(
            self.capture.as_deref(),
            Some(Slot {
                kind: Kind::Upgrade,
                ..
            })
        ) {
            let mut request = into_http(request, &path)?;
            let h = request.headers_mut();
            h.insert(
                http::header::CONNECTION,
                http::HeaderValue::from_static("Upgrade"),
            );
            if !h.contains_key(http::header::UPGRADE) {
                h.insert(http::header::UPGRADE, http::HeaderValue::from_static("tcp"));
            }
            return Ok(CarryOutcome::Upgraded(
                self.upgrade(request, operation).await?,
            ));
        }
        // What the hand-written layer streams, and the operations that stream or long-poll,
        // are not cut by the whole-call timeout.
        let long_lived = self
            .capture
            .as_ref()
            .is_some_and(|slot| !matches!(slot.kind, Kind::Whole))
            || LONG_LIVED.contains(&operation);
        let response = self
            .send_with_retry(request, &path, operation, long_lived)
            .await?;
        Ok(CarryOutcome::Response(response))
    }

    /// Send on a pooled connection (or a new one); when the pooled one turns out to have
    /// been closed by the daemon before any answer, send once more on a new connection: any
    /// request whose write failed (the daemon cannot have acted on it), an idempotent one
    /// also when the connection closed before the answer. A request with a streaming body (a
    /// build context) cannot be replayed and is not retried.
    async fn send_with_retry(
        &self,
        request: reqwest::Request,
        path: &str,
        operation: &str,
        long_lived: bool,
    ) -> Result<http::Response<PooledBody>> {
        let idempotent = matches!(
            *request.method(),
            http::Method::GET | http::Method::HEAD | http::Method::PUT | http::Method::DELETE
        );
        let pooled = self.core.pool.checkout();
        // Only a reused connection can be stale: only then is a copy kept to send again.
        let replay = pooled.as_ref().and_then(|_| request.try_clone());
        let request = into_http(request, path)?;
        let conn = match pooled {
            Some(c) => c,
            None => self.open().await?,
        };
        match self.send_on(conn, request, operation, long_lived).await {
            Err(Failure::Stale(e, write_failed)) => match replay {
                Some(replay) if idempotent || write_failed => {
                    tracing::debug!(error = %e, operation, "pooled connection was closed by the daemon; retrying once on a new one");
                    let again = into_http(replay, path)?;
                    let conn = self.open().await?;
                    self.send_on(conn, again, operation, long_lived)
                        .await
                        .map_err(|f| self.failure(f))
                }
                _ => Err(Error::transport(&self.core.address, e)),
            },
            other => other.map_err(|f| self.failure(f)),
        }
    }

    /// Send on a pooled or new connection, without a retry (version negotiation).
    async fn send(
        &self,
        request: http::Request<ReqBody>,
        operation: &str,
        long_lived: bool,
    ) -> Result<http::Response<PooledBody>> {
        let conn = match self.core.pool.checkout() {
            Some(c) => c,
            None => self.open().await?,
        };
        self.send_on(conn, request, operation, long_lived)
            .await
            .map_err(|f| self.failure(f))
    }

    async fn open(&self) -> Result<Conn> {
        Conn::open(&self.core.connector, &self.core.address).await
    }

    fn failure(&self, f: Failure) -> Error {
        match f {
            Failure::Stale(e, _) => Error::transport(&self.core.address, e),
            Failure::Other(e) => e,
        }
    }

    /// Wait for a response head within the request timeout, if one is set.
    async fn head_within_timeout<T>(
        &self,
        head: impl std::future::Future<Output = T>,
    ) -> Result<T> {
        match self.core.request_timeout {
            Some(t) => tokio::time::timeout(t, head)
                .await
                .map_err(|_| Error::Timeout {
                    address: self.core.address.to_string(),
                    what: "the response head",
                    after: t,
                }),
            None => Ok(head.await),
        }
    }

    async fn send_on(
        &self,
        mut conn: Conn,
        mut request: http::Request<ReqBody>,
        operation: &str,
        long_lived: bool,
    ) -> std::result::Result<http::Response<PooledBody>, Failure> {
        let started = Instant::now();
        self.add_headers(request.headers_mut());
        let method = request.method().clone();
        let head = self
            .head_within_timeout(conn.roundtrip(request))
            .await
            .map_err(Failure::Other)?;
        let response = match head {
            Ok(r) => r,
            Err(e) => {
                tracing::debug!(%method, operation, error = %e, "docker request failed");
                let write_failed = stale(&e);
                return Err(if conn.reused && write_failed.is_some() {
                    Failure::Stale(e, write_failed == Some(true))
                } else {
                    Failure::Other(Error::transport(&self.core.address, e))
                });
            }
        };
        tracing::debug!(%method, operation, status = response.status().as_u16(), latency_us = started.elapsed().as_micros() as u64, "docker request");
        let deadline = match (long_lived, self.core.request_timeout) {
            (false, Some(t)) => Some((started + t, t)),
            _ => None,
        };
        let limit = (!long_lived).then_some(self.core.response_body_limit);
        Ok(response.map(|body: Incoming| {
            PooledBody::new(
                body,
                conn,
                Some(self.core.pool.clone()),
                deadline,
                self.core.address.clone(),
            )
            .bounded(limit)
        }))
    }

    /// The headers every request carries: `Host` (the daemon's address, `localhost` for a
    /// unix socket) and `User-Agent`.
    fn add_headers(&self, headers: &mut http::HeaderMap) {
        headers.insert(http::header::HOST, self.core.connector.authority.clone());
        headers.insert(
            http::header::USER_AGENT,
            http::HeaderValue::from_static(concat!("docker-engine-rs/", env!("CARGO_PKG_VERSION"))),
        );
    }

    /// Send asking for an upgrade on a connection of its own; the switched connection.
    async fn upgrade(
        &self,
        mut request: http::Request<ReqBody>,
        operation: &str,
    ) -> Result<(http::HeaderMap, hyper::upgrade::Upgraded)> {
        self.add_headers(request.headers_mut());
        let address = &self.core.address;
        let mut conn = Conn::open_upgradeable(&self.core.connector, address).await?;
        let started = Instant::now();
        let mut response = self
            .head_within_timeout(conn.roundtrip(request))
            .await?
            .map_err(|e| Error::transport(address, e))?;
        let status = response.status().as_u16();
        tracing::debug!(
            operation,
            status,
            latency_us = started.elapsed().as_micros() as u64,
            "docker upgrade"
        );
        if status != 101 {
            // What the daemon said instead; the connection is not reused.
            let response = response
                .map(|body| PooledBody::new(body, conn, None, None, self.core.address.clone()));
            return Err(if is_error(response.status()) {
                error_response(response).await
            } else {
                Error::Upgrade {
                    message: format!(
                        "the daemon answered {status} instead of 101 Switching Protocols to {operation}"
                    ),
                    source: None,
                }
            });
        }
        let headers = response.headers().clone();
        let upgraded = conn
            .upgrade(&mut response)
            .await
            .map_err(|e| Error::Upgrade {
                message: format!("the upgrade of the connection to {address} failed"),
                source: Some(Box::new(e)),
            })?;
        Ok((headers, upgraded))
    }
}

enum CarryOutcome {
    Response(http::Response<PooledBody>),
    Upgraded((http::HeaderMap, hyper::upgrade::Upgraded)),
}

enum Failure {
    /// A pooled connection failed before any answer; `true` when the write itself failed
    /// (the daemon cannot have acted on the request).
    Stale(hyper::Error, bool),
    Other(Error),
}

/// Whether a failure before the response head looks like a connection the daemon had
/// already closed: `Some(true)` when writing the request failed, `Some(false)` when the
/// connection closed before an answer, `None` otherwise.
fn stale(e: &hyper::Error) -> Option<bool> {
    if e.is_canceled() || e.is_incomplete_message() {
        return Some(false);
    }
    let mut next: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = next {
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            use std::io::ErrorKind::*;
            match io.kind() {
                BrokenPipe | ConnectionReset | ConnectionAborted => return Some(true),
                UnexpectedEof => return Some(false),
                _ => {}
            }
        }
        next = err.source();
    }
    None
}

/// The generated client's request as an `http::Request` with an origin-form target.
fn into_http(request: reqwest::Request, path: &str) -> Result<http::Request<ReqBody>> {
    let mut request = http::Request::<ReqBody>::try_from(request)
        .map_err(|e| Error::InvalidArgument(format!("cannot build the request: {e}")))?;
    *request.uri_mut() = path
        .parse()
        .map_err(|e| Error::InvalidArgument(format!("cannot send the path {path:?}: {e}")))?;
    let headers = request.headers_mut();
    // progenitor sends the spec's version as a header; the daemon reads the path.
    headers.remove("api-version");
    Ok(request)
}

/// An error status, or a redirect (never followed). `304 Not Modified` is an answer some
/// operations list (start a running container); it stays the generated code's to map.
fn is_error(status: http::StatusCode) -> bool {
    status.as_u16() >= 400 || (status.is_redirection() && status != http::StatusCode::NOT_MODIFIED)
}

/// The bounded body of an error response as the daemon's error.
async fn error_response(response: http::Response<PooledBody>) -> Error {
    let status = response.status().as_u16();
    if response.status().is_redirection() && status != 304 {
        // The daemon redirects a path that is not canonical once decoded (`a%2F%2Fb`,
        // a trailing `%2F`). A redirect is never followed: what the caller named was not
        // found where it was asked for.
        let location = response
            .headers()
            .get(http::header::LOCATION)
            .map(|l| String::from_utf8_lossy(l.as_bytes()).into_owned())
            .unwrap_or_default();
        return Error::Api {
            status,
            message: format!(
                "the daemon redirected the request to {location:?} (not followed): an id or name decodes to a path that is not canonical"
            ),
        };
    }
    match response.into_body().read_bounded(ERROR_BODY_LIMIT).await {
        Ok((body, cut)) => {
            let mut e = Error::from_status(status, &body);
            if cut {
                e.mark_cut(ERROR_BODY_LIMIT);
            }
            e
        }
        Err(e) => e,
    }
}

/// Add `fields` to the request's JSON object body, where it has no member of that name
/// (or has it `null`).
fn add_body_fields(
    request: &mut reqwest::Request,
    fields: &serde_json::Map<String, serde_json::Value>,
) -> Result<()> {
    let Some(bytes) = request.body().and_then(|b| b.as_bytes()) else {
        return Ok(());
    };
    let mut body: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(bytes)
        .map_err(|e| Error::InvalidArgument(format!("a request body is not a JSON object: {e}")))?;
    for (key, value) in fields {
        if body.get(key).is_none_or(serde_json::Value::is_null) {
            body.insert(key.clone(), value.clone());
        }
    }
    let bytes = serde_json::to_vec(&body).expect("a JSON map always serializes");
    request.headers_mut().insert(
        http::header::CONTENT_LENGTH,
        http::HeaderValue::from(bytes.len()),
    );
    *request.body_mut() = Some(bytes.into());
    Ok(())
}

/// Error statuses whose message crossed the generated code: its JSON body, bounded.
async fn json_error(response: http::Response<PooledBody>) -> reqwest::Response {
    let (mut parts, _) = http::Response::new(()).into_parts();
    parts.status = response.status();
    let e = error_response(response).await;
    let message = e
        .message()
        .map(str::to_string)
        .unwrap_or_else(|| e.to_string());
    let json = serde_json::json!({ "message": message }).to_string();
    parts.headers.insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    reqwest::Response::from(http::Response::from_parts(parts, json))
}

/// Every generated call passes through here.
impl ClientHooks<Shared> for raw::Client {
    async fn exec(
        &self,
        request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        exec(self.inner(), request, info.operation_id).await
    }
}

/// The door's whole path, boxed in a plain function: it is compiled once, in this crate.
/// As an `async fn` called from the generated `send()`s, its body (the connection pool,
/// hyper's handshake and I/O) would be compiled again in every crate that makes a call,
/// and again at each rebuild of a program (W7's rebuild after touch).
fn exec<'a>(
    shared: &'a Shared,
    request: reqwest::Request,
    operation: &'a str,
) -> std::pin::Pin<
    Box<dyn std::future::Future<Output = reqwest::Result<reqwest::Response>> + Send + 'a>,
> {
    Box::pin(async move {
        let outcome = shared.carry(request, operation).await;
        if let Some(slot) = &shared.capture {
            let captured = match outcome {
                Ok(CarryOutcome::Response(r)) => Captured::Response(Ok(r)),
                Ok(CarryOutcome::Upgraded(u)) => Captured::Upgraded(Ok(u)),
                Err(e) => match slot.kind {
                    Kind::Stream | Kind::Whole => Captured::Response(Err(e)),
                    Kind::Upgrade => Captured::Upgraded(Err(e)),
                },
            };
            *slot.value.lock().unwrap_or_else(|p| p.into_inner()) = Some(captured);
            let marker = http::Response::builder()
                .status(CAPTURED)
                .body(reqwest::Body::from(bytes::Bytes::new()))
                .expect("a status always builds");
            return Ok(reqwest::Response::from(marker));
        }
        match outcome {
            Ok(CarryOutcome::Response(response)) if is_error(response.status()) => {
                Ok(json_error(response).await)
            }
            Ok(CarryOutcome::Response(response)) => {
                Ok(reqwest::Response::from(response.map(reqwest::Body::wrap)))
            }
            Ok(CarryOutcome::Upgraded(_)) => unreachable!("only a capturing client upgrades"),
            Err(e) => Err(Carried::into_reqwest(e).await),
        }
    })
}

/// A generated client for one call whose response the hand-written layer takes whole: a
/// stream it reads itself, or an upgraded connection.
pub(crate) struct Capture {
    raw: raw::Client,
    slot: Arc<Slot>,
    address: Arc<str>,
}

/// A streamed response: its status, headers and body.
pub(crate) struct StreamResponse {
    pub headers: http::HeaderMap,
    pub body: BodyStream,
}

impl Capture {
    /// The generated client to describe the request with.
    pub(crate) fn raw(&self) -> &raw::Client {
        &self.raw
    }

    fn take(&self) -> Option<Captured> {
        self.slot
            .value
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
    }

    /// Await the generated call; the response it was carried to. Error statuses are errors.
    pub(crate) async fn stream<T>(
        &self,
        call: impl std::future::Future<Output = raw::CallResult<T>>,
    ) -> Result<StreamResponse> {
        let sent = call.await;
        match self.take() {
            Some(Captured::Response(Ok(response))) => {
                if is_error(response.status()) {
                    return Err(error_response(response).await);
                }
                let (parts, body) = response.into_parts();
                Ok(StreamResponse {
                    headers: parts.headers,
                    body: BodyStream(body),
                })
            }
            Some(Captured::Response(Err(e))) => Err(e),
            _ => Err(never_carried(sent, &self.address)),
        }
    }

    /// Await the generated call; its answer as the daemon sent it, read whole (within the
    /// response body limit and the request timeout, as every answer the generated code
    /// reads), and decoded to the call's type as the generated code would decode it.
    /// Error statuses are errors.
    pub(crate) async fn whole<T: serde::de::DeserializeOwned>(
        &self,
        call: impl std::future::Future<Output = raw::CallResult<T>>,
    ) -> Result<(T, Answer)> {
        // The body is bounded by the response body limit already (not long-lived).
        let (body, _) = self
            .stream(call)
            .await?
            .body
            .0
            .read_bounded(usize::MAX)
            .await?;
        let value =
            serde_json::from_slice(&body).map_err(|e| Error::decode("the daemon's answer", e))?;
        Ok((value, Answer::new(body.into())))
    }

    /// Await the generated call sent with `Connection: Upgrade`; the switched connection.
    pub(crate) async fn upgrade<T>(
        &self,
        call: impl std::future::Future<Output = raw::CallResult<T>>,
    ) -> Result<(http::HeaderMap, Upgraded)> {
        let sent = call.await;
        match self.take() {
            Some(Captured::Upgraded(Ok((headers, io)))) => Ok((headers, TokioIo::new(io))),
            Some(Captured::Upgraded(Err(e))) => Err(e),
            _ => Err(never_carried(sent, &self.address)),
        }
    }
}

/// An upgraded connection, as tokio's `AsyncRead + AsyncWrite`.
pub(crate) type Upgraded = TokioIo<hyper::upgrade::Upgraded>;

/// The generated call failed before it reached the core (a missing argument, a body that
/// did not convert).
fn never_carried<T>(sent: raw::CallResult<T>, address: &str) -> Error {
    match sent {
        Err(e) => Error::from_raw(address, e),
        Ok(_) => Error::InvalidArgument("the request was not sent".into()),
    }
}
