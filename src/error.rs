//! The one error type of the crate, and the one place daemon responses become errors.

use std::sync::Mutex;
use std::time::Duration;

/// A boxed underlying failure, kept as an error's `source()`.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Everything that can go wrong talking to a Docker engine.
///
/// The daemon's own message is kept word for word in `message`; [`Error::status`] gives the
/// HTTP status the daemon answered with, and nothing else: a failure that did not come
/// from a daemon's answer has no status. Every variant that wraps another failure keeps it
/// as its `source()`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The daemon answered 404: no such container, image, network, volume, exec, ...
    #[error("{message}")]
    NotFound {
        /// The daemon's message, verbatim.
        message: String,
    },
    /// The daemon answered 409: a name in use, a container that is running, ...
    #[error("{message}")]
    Conflict {
        /// The daemon's message, verbatim.
        message: String,
    },
    /// Any other error status from the daemon.
    #[error("{message} (HTTP {status})")]
    Api {
        /// HTTP status code, as the daemon sent it.
        status: u16,
        /// The daemon's message, verbatim.
        message: String,
    },
    /// The daemon could not be reached, or the connection failed before an answer.
    #[error("cannot talk to the Docker daemon at {address}: {}", chain(source.as_ref()))]
    Transport {
        /// The address tried, as given (`unix:///var/run/docker.sock`, `tcp://host:2376`).
        address: String,
        /// The underlying failure.
        #[source]
        source: BoxError,
    },
    /// A timeout set on the [`crate::DockerBuilder`] ran out.
    #[error("timed out after {after:?} waiting for the Docker daemon at {address} ({what})")]
    Timeout {
        /// The address tried.
        address: String,
        /// What was waited for: `connecting`, `the response head`, `the whole request`.
        what: &'static str,
        /// The timeout.
        after: Duration,
    },
    /// The TLS handshake with the daemon failed (unknown CA, no or wrong client certificate).
    #[error("TLS with the Docker daemon at {address} failed: {message}")]
    Tls {
        /// The address tried.
        address: String,
        /// What TLS reported.
        message: String,
        /// The underlying failure.
        #[source]
        source: Option<BoxError>,
    },
    /// `DOCKER_HOST` (or the address given to `connect`) cannot be used.
    #[error("invalid Docker host {host:?}: {reason}")]
    InvalidHost {
        /// The host string as given.
        host: String,
        /// Why it was refused.
        reason: String,
    },
    /// TLS material (CA, certificate, key) could not be loaded.
    #[error("TLS configuration: {message}")]
    TlsConfig {
        /// What was wrong.
        message: String,
        /// The underlying failure.
        #[source]
        source: Option<BoxError>,
    },
    /// API version negotiation failed, or the daemon is older than this client supports.
    #[error("{0}")]
    Version(String),
    /// The daemon answered with a body this client could not decode.
    #[error("cannot decode the daemon's answer: {message}")]
    Decode {
        /// What failed, with the offending text where it is short.
        message: String,
        /// The underlying failure.
        #[source]
        source: Option<BoxError>,
    },
    /// A stream broke: the connection ended inside a frame, a frame was malformed, or the
    /// daemon reported an error inside a 200 stream.
    #[error("stream error: {message}")]
    Stream {
        /// What happened; the daemon's words when it reported the error.
        message: String,
        /// The underlying failure.
        #[source]
        source: Option<BoxError>,
    },
    /// The HTTP connection upgrade (exec, attach) failed.
    #[error("connection upgrade failed: {message}")]
    Upgrade {
        /// What happened.
        message: String,
        /// The underlying failure.
        #[source]
        source: Option<BoxError>,
    },
    /// A container run with `run()` exited with a non-zero code (docker-py's
    /// `ContainerError`, with its message: `Command 'sh -c exit 3' in image 'busybox'
    /// returned non-zero exit status 3: <stderr>`;
    /// `run_failure_names_the_command_the_image_and_stderr`).
    #[error(
        "Command '{}' in image '{image}' returned non-zero exit status {exit_code}: {stderr}",
        command.join(" ")
    )]
    ContainerFailed {
        /// The container's id.
        id: String,
        /// Its exit code.
        exit_code: i64,
        /// The command it ran: entrypoint and arguments, as the daemon resolved them
        /// (`Path` and `Args` of its inspect answer).
        command: Vec<String>,
        /// The image, as `run` was given it.
        image: String,
        /// What it wrote to stderr.
        stderr: String,
    },
    /// Registry credentials could not be found or read (config file, credential helper).
    #[error("registry credentials: {message}")]
    Credentials {
        /// What failed.
        message: String,
        /// The underlying failure.
        #[source]
        source: Option<BoxError>,
    },
    /// A docker context could not be used: it does not exist, its metadata is unreadable,
    /// or its TLS files are missing.
    #[error("docker context {name:?}: {message}")]
    Context {
        /// The context's name.
        name: String,
        /// What is wrong with it.
        message: String,
        /// The underlying failure.
        #[source]
        source: Option<BoxError>,
    },
    /// An argument this client refuses before sending anything.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// Local I/O (reading a build context, a certificate file, ...).
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
}

/// Crate-wide result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// The HTTP status the daemon answered with, if this error is the daemon's answer.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::NotFound { .. } => Some(404),
            Error::Conflict { .. } => Some(409),
            Error::Api { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The daemon's message, if the daemon sent one.
    ///
    /// ```no_run
    /// use docker_engine::Error;
    /// let missing = Error::NotFound { message: "No such container: web".into() };
    /// assert_eq!(missing.message(), Some("No such container: web"));
    /// assert_eq!(missing.status(), Some(404));
    /// assert_eq!(Error::InvalidArgument("bad port".into()).message(), None);
    /// ```
    pub fn message(&self) -> Option<&str> {
        match self {
            Error::NotFound { message }
            | Error::Conflict { message }
            | Error::Api { message, .. } => Some(message),
            _ => None,
        }
    }

    /// Map an error status and body from the daemon to a variant. The one place this is
    /// done: every error answer of every call, and of version negotiation, comes here.
    pub(crate) fn from_status(status: u16, body: &[u8]) -> Error {
        Error::from_message(status, daemon_message(body))
    }

    fn from_message(status: u16, message: String) -> Error {
        match status {
            404 => Error::NotFound { message },
            409 => Error::Conflict { message },
            _ => Error::Api { status, message },
        }
    }

    /// An error equal to this one, for sharing one failure among several callers: the
    /// variant, status, address and messages are kept; a source becomes its text.
    pub(crate) fn duplicate(&self) -> Error {
        fn text(e: &Option<BoxError>) -> Option<BoxError> {
            e.as_ref().map(|e| e.to_string().into())
        }
        match self {
            Error::NotFound { message } => Error::NotFound {
                message: message.clone(),
            },
            Error::Conflict { message } => Error::Conflict {
                message: message.clone(),
            },
            Error::Api { status, message } => Error::Api {
                status: *status,
                message: message.clone(),
            },
            Error::Transport { address, source } => Error::Transport {
                address: address.clone(),
                source: chain(source.as_ref()).into(),
            },
            Error::Timeout {
                address,
                what,
                after,
            } => Error::Timeout {
                address: address.clone(),
                what,
                after: *after,
            },
            Error::Tls {
                address,
                message,
                source,
            } => Error::Tls {
                address: address.clone(),
                message: message.clone(),
                source: text(source),
            },
            Error::InvalidHost { host, reason } => Error::InvalidHost {
                host: host.clone(),
                reason: reason.clone(),
            },
            Error::TlsConfig { message, source } => Error::TlsConfig {
                message: message.clone(),
                source: text(source),
            },
            Error::Version(m) => Error::Version(m.clone()),
            Error::Decode { message, source } => Error::Decode {
                message: message.clone(),
                source: text(source),
            },
            Error::Stream { message, source } => Error::Stream {
                message: message.clone(),
                source: text(source),
            },
            Error::Upgrade { message, source } => Error::Upgrade {
                message: message.clone(),
                source: text(source),
            },
            Error::ContainerFailed {
                id,
                exit_code,
                command,
                image,
                stderr,
            } => Error::ContainerFailed {
                id: id.clone(),
                exit_code: *exit_code,
                command: command.clone(),
                image: image.clone(),
                stderr: stderr.clone(),
            },
            Error::Credentials { message, source } => Error::Credentials {
                message: message.clone(),
                source: text(source),
            },
            Error::Context {
                name,
                message,
                source,
            } => Error::Context {
                name: name.clone(),
                message: message.clone(),
                source: text(source),
            },
            Error::InvalidArgument(m) => Error::InvalidArgument(m.clone()),
            Error::Io(e) => Error::Io(std::io::Error::new(e.kind(), e.to_string())),
        }
    }

    /// Mark the daemon's message as cut at `limit` bytes.
    pub(crate) fn mark_cut(&mut self, limit: usize) {
        if let Error::NotFound { message }
        | Error::Conflict { message }
        | Error::Api { message, .. } = self
        {
            message.push_str(&format!(" [... cut at {limit} bytes]"));
        }
    }

    /// A failed connection or request; TLS failures get their own variant.
    pub(crate) fn transport(address: &str, source: impl Into<BoxError>) -> Error {
        let source = source.into();
        match tls_message(source.as_ref()) {
            Some(message) => Error::Tls {
                address: address.to_string(),
                message,
                source: Some(source),
            },
            None => Error::Transport {
                address: address.to_string(),
                source,
            },
        }
    }

    /// A broken stream, without an underlying error.
    pub(crate) fn stream(message: impl Into<String>) -> Error {
        Error::Stream {
            message: message.into(),
            source: None,
        }
    }

    /// A broken stream, caused by `source`.
    pub(crate) fn stream_from(message: impl Into<String>, source: impl Into<BoxError>) -> Error {
        let source = source.into();
        Error::Stream {
            message: format!("{}: {source}", message.into()),
            source: Some(source),
        }
    }

    /// A body that did not decode.
    pub(crate) fn decode(message: impl Into<String>, source: impl Into<BoxError>) -> Error {
        let source = source.into();
        Error::Decode {
            message: format!("{source} in {}", message.into()),
            source: Some(source),
        }
    }

    /// Unusable TLS material.
    pub(crate) fn tls_config(message: impl Into<String>) -> Error {
        Error::TlsConfig {
            message: message.into(),
            source: None,
        }
    }

    /// Unusable TLS material, because of `source`.
    pub(crate) fn tls_config_from(
        message: impl Into<String>,
        source: impl Into<BoxError>,
    ) -> Error {
        let source = source.into();
        Error::TlsConfig {
            message: format!("{}: {source}", message.into()),
            source: Some(source),
        }
    }

    /// Convert an error of the generated client, naming the daemon's address.
    pub(crate) fn from_raw(
        address: &str,
        e: progenitor_client::Error<crate::raw::ErrorBody>,
    ) -> Error {
        use progenitor_client::Error as P;
        match e {
            // The core rewrote the daemon's (bounded) error body to `{"message": ...}`.
            P::ErrorResponse(rv) => {
                let status = rv.status().as_u16();
                Error::from_message(status, rv.into_inner().message.unwrap_or_default())
            }
            P::CommunicationError(source)
            | P::ResponseBodyError(source)
            | P::InvalidUpgrade(source) => match Carried::take_from(&source) {
                Some(e) => e,
                None => Error::transport(address, source),
            },
            P::InvalidResponsePayload(bytes, err) => Error::Decode {
                message: format!(
                    "{err}; body starts {:?}",
                    String::from_utf8_lossy(&bytes[..bytes.len().min(200)])
                ),
                source: Some(Box::new(err)),
            },
            // A status the spec does not list for the operation (304 on start and stop).
            // The core has already rewritten error bodies; others carry no message.
            P::UnexpectedResponse(response) => {
                Error::from_message(response.status().as_u16(), String::new())
            }
            P::InvalidRequest(message) => Error::InvalidArgument(message),
            P::Custom(message) => Error::InvalidArgument(message),
        }
    }
}

/// The daemon's message from an error body: `{"message": ...}`, or the text as it is.
fn daemon_message(body: &[u8]) -> String {
    #[derive(serde::Deserialize)]
    struct Message {
        message: Option<String>,
    }
    serde_json::from_slice::<Message>(body)
        .ok()
        .and_then(|m| m.message)
        .unwrap_or_else(|| String::from_utf8_lossy(body).trim().to_string())
}

/// For users of [`crate::raw`]: `?` on a generated call gives an [`Error`]. Failures the
/// core met (a refused connection, a timeout, a bad path) come back as the variant they
/// were; the address is then named by the error itself.
impl From<progenitor_client::Error<crate::raw::ErrorBody>> for Error {
    fn from(e: progenitor_client::Error<crate::raw::ErrorBody>) -> Self {
        Error::from_raw("the Docker daemon", e)
    }
}

/// An [`Error`] carried through the generated client, which only passes `reqwest::Error`s
/// on: it travels as the `source()` of one and is taken back out on the other side.
#[derive(Debug)]
pub(crate) struct Carried {
    /// Boxed: a body's error type stays small however large [`Error`] is.
    error: Mutex<Option<Box<Error>>>,
    text: String,
}

impl Carried {
    pub(crate) fn new(error: Error) -> Carried {
        Carried {
            text: error.to_string(),
            error: Mutex::new(Some(Box::new(error))),
        }
    }

    /// A `reqwest::Error` whose source is `error` (reqwest has no public constructor: the
    /// error comes from reading a body that fails with it).
    pub(crate) async fn into_reqwest(error: Error) -> reqwest::Error {
        let failing =
            futures_util::stream::once(
                async move { Err::<bytes::Bytes, Carried>(Carried::new(error)) },
            );
        let response =
            reqwest::Response::from(http::Response::new(reqwest::Body::wrap_stream(failing)));
        match response.bytes().await {
            Err(e) => e,
            Ok(_) => unreachable!("a body whose only item is an error fails"),
        }
    }

    /// The carried error in `e`'s source chain, if there is one.
    pub(crate) fn take_from(e: &(dyn std::error::Error + 'static)) -> Option<Error> {
        let mut next = Some(e);
        while let Some(err) = next {
            if let Some(c) = err.downcast_ref::<Carried>() {
                return Some(
                    c.error
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .take()
                        .map_or_else(|| Error::stream(c.text.clone()), |e| *e),
                );
            }
            next = err.source();
        }
        None
    }
}

impl std::fmt::Display for Carried {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

impl std::error::Error for Carried {}

/// The whole source chain of an error on one line.
fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut next = e.source();
    while let Some(s) = next {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        next = s.source();
    }
    out
}

/// What rustls reported, if `e` is (or wraps) a TLS failure.
#[cfg(feature = "tls")]
pub(crate) fn tls_message(e: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut next: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = next {
        if let Some(t) = err.downcast_ref::<rustls::Error>() {
            return Some(t.to_string());
        }
        // `io::Error::source` skips the error it wraps; step into it instead.
        next = match err
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
            None => err.source(),
        };
    }
    None
}

#[cfg(not(feature = "tls"))]
pub(crate) fn tls_message(_: &(dyn std::error::Error + 'static)) -> Option<String> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn daemon_statuses_map_to_variants_with_the_message_verbatim() {
        let e = Error::from_status(404, br#"{"message":"No such container: x"}"#);
        assert!(matches!(&e, Error::NotFound { message } if message == "No such container: x"));
        assert_eq!(e.to_string(), "No such container: x");
        assert_eq!(e.status(), Some(404));
        let e = Error::from_status(
            409,
            br#"{"message":"Conflict. The container name \"/a\" is already in use"}"#,
        );
        assert!(matches!(e, Error::Conflict { .. }));
        let e = Error::from_status(500, b"plain text\n");
        assert!(matches!(&e, Error::Api { status: 500, message } if message == "plain text"));
        // A 404 with no message is still NotFound, with the status kept.
        let e = Error::from_status(404, b"");
        assert!(matches!(&e, Error::NotFound { message } if message.is_empty()));
    }

    #[tokio::test]
    async fn carried_errors_come_back_as_the_variant_they_were() {
        let e = Error::Timeout {
            address: "unix:///x".into(),
            what: "connecting",
            after: Duration::from_secs(1),
        };
        let r = Carried::into_reqwest(e).await;
        let back = Carried::take_from(&r).expect("carried");
        assert!(
            matches!(
                back,
                Error::Timeout {
                    what: "connecting",
                    ..
                }
            ),
            "{back:?}"
        );
        // Taken twice: the second time it is a stream error with the same text.
        assert!(
            Carried::take_from(&r)
                .unwrap()
                .to_string()
                .contains("timed out")
        );
        let raw: progenitor_client::Error<crate::raw::ErrorBody> =
            progenitor_client::Error::CommunicationError(
                Carried::into_reqwest(Error::from_status(500, b"boom")).await,
            );
        assert!(
            matches!(Error::from(raw), Error::Api { status: 500, message } if message == "boom")
        );
    }
}
