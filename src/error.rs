//! The one error type of the crate, and the one place daemon responses become errors.

use crate::raw::types::ErrorResponse;

/// Everything that can go wrong talking to a Docker engine.
///
/// The daemon's own message is kept word for word in `message`; [`Error::status`] gives the
/// HTTP status where there was one.
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
        /// HTTP status code.
        status: u16,
        /// The daemon's message, verbatim.
        message: String,
    },
    /// The daemon could not be reached, or the connection failed.
    #[error("cannot talk to the Docker daemon at {address}: {}", chain(source))]
    Transport {
        /// The address tried, as given (`unix:///var/run/docker.sock`, `tcp://host:2376`).
        address: String,
        /// The underlying failure.
        #[source]
        source: reqwest::Error,
    },
    /// The TLS handshake with the daemon failed (unknown CA, no or wrong client certificate).
    #[error("TLS with the Docker daemon at {address} failed: {message}")]
    Tls {
        /// The address tried.
        address: String,
        /// What TLS reported.
        message: String,
        /// The underlying failure, when it came from a request.
        #[source]
        source: Option<reqwest::Error>,
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
    #[error("TLS configuration: {0}")]
    TlsConfig(String),
    /// API version negotiation failed, or the daemon is older than this client supports.
    #[error("{0}")]
    Version(String),
    /// The daemon answered with a body this client could not decode.
    #[error("cannot decode the daemon's answer: {message}")]
    Decode {
        /// What failed, with the offending text where it is short.
        message: String,
    },
    /// A stream broke: the connection ended inside a frame, a frame was malformed, or the
    /// daemon reported an error inside a 200 stream.
    #[error("stream error: {0}")]
    Stream(String),
    /// The HTTP connection upgrade (exec, attach) failed.
    #[error("connection upgrade failed: {0}")]
    Upgrade(String),
    /// A container run with `run()` exited with a non-zero code (docker-py's `ContainerError`).
    #[error("container {id} exited with code {exit_code}: {stderr}")]
    ContainerFailed {
        /// The container's id.
        id: String,
        /// Its exit code.
        exit_code: i64,
        /// What it wrote to stderr.
        stderr: String,
    },
    /// Registry credentials could not be found or read (config file, credential helper).
    #[error("registry credentials: {0}")]
    Credentials(String),
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
    /// The HTTP status of a daemon error, if this is one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::NotFound { .. } => Some(404),
            Error::Conflict { .. } => Some(409),
            Error::Api { status, .. } => Some(*status),
            Error::Transport { source, .. } => source.status().map(|s| s.as_u16()),
            _ => None,
        }
    }

    /// The daemon's message, if the daemon sent one.
    pub fn message(&self) -> Option<&str> {
        match self {
            Error::NotFound { message }
            | Error::Conflict { message }
            | Error::Api { message, .. } => Some(message),
            _ => None,
        }
    }

    /// Map an error status and body from the daemon to a variant. The one place this is done.
    pub(crate) fn from_status(status: u16, body: &[u8]) -> Error {
        let message = serde_json::from_slice::<ErrorResponse>(body)
            .ok()
            .and_then(|e| e.message)
            .unwrap_or_else(|| String::from_utf8_lossy(body).trim().to_string());
        match status {
            404 => Error::NotFound { message },
            409 => Error::Conflict { message },
            _ => Error::Api { status, message },
        }
    }

    /// Classify a failed request: TLS failures get their own variant.
    pub(crate) fn transport(address: &str, source: reqwest::Error) -> Error {
        match tls_message(&source) {
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

    /// Convert an error of the generated client, naming the daemon's address.
    pub(crate) fn from_raw(address: &str, e: progenitor_client::Error<ErrorResponse>) -> Error {
        use progenitor_client::Error as P;
        match e {
            P::ErrorResponse(rv) => {
                let status = rv.status().as_u16();
                let inner = rv.into_inner();
                match (status, inner.message) {
                    (404, Some(message)) => Error::NotFound { message },
                    (409, Some(message)) => Error::Conflict { message },
                    (status, message) => Error::Api {
                        status,
                        message: message.unwrap_or_default(),
                    },
                }
            }
            P::CommunicationError(source)
            | P::ResponseBodyError(source)
            | P::InvalidUpgrade(source) => Error::transport(address, source),
            P::InvalidResponsePayload(bytes, err) => Error::Decode {
                message: format!(
                    "{err}; body starts {:?}",
                    String::from_utf8_lossy(&bytes[..bytes.len().min(200)])
                ),
            },
            P::UnexpectedResponse(response) => {
                let status = response.status().as_u16();
                Error::Api {
                    status,
                    message: format!("unexpected response {status} from the daemon"),
                }
            }
            P::InvalidRequest(message) => Error::InvalidArgument(message),
            P::Custom(message) => custom_to_error(message),
        }
    }
}

/// Messages that cross the generated client's hooks as `progenitor_client::Error::Custom`
/// carry a kind prefix, so that they come back as the variant they started as.
pub(crate) const VERSION_PREFIX: &str = "version: ";
pub(crate) const PATH_PREFIX: &str = "path: ";

fn custom_to_error(message: String) -> Error {
    if let Some(m) = message.strip_prefix(VERSION_PREFIX) {
        Error::Version(m.to_string())
    } else if let Some(m) = message.strip_prefix(PATH_PREFIX) {
        Error::InvalidArgument(m.to_string())
    } else {
        Error::Api { status: 0, message }
    }
}

/// For users of [`crate::raw`]: `?` on a generated call gives an [`Error`]. The address is
/// not known here; calls made through the hand-written layer name it.
impl From<progenitor_client::Error<ErrorResponse>> for Error {
    fn from(e: progenitor_client::Error<ErrorResponse>) -> Self {
        Error::from_raw("the Docker daemon", e)
    }
}

/// The whole source chain of an error on one line.
fn chain(e: &dyn std::error::Error) -> String {
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

#[cfg(feature = "tls")]
fn tls_message(e: &reqwest::Error) -> Option<String> {
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
fn tls_message(_: &reqwest::Error) -> Option<String> {
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
    }

    #[test]
    fn custom_hook_errors_keep_their_kind() {
        assert!(
            matches!(custom_to_error(format!("{VERSION_PREFIX}too old")), Error::Version(m) if m == "too old")
        );
        assert!(
            matches!(custom_to_error(format!("{PATH_PREFIX}bad")), Error::InvalidArgument(m) if m == "bad")
        );
    }
}
