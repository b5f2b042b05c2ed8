//! How bytes reach the daemon: `DOCKER_HOST` parsing, unix socket / TCP / TLS, one pooled
//! `reqwest::Client`, API version negotiation, and the hooks every generated call passes
//! through (version prefix, path guard, tracing).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use tokio::sync::OnceCell;

use crate::error::{Error, PATH_PREFIX, Result, VERSION_PREFIX};
use crate::raw;
use crate::version::ApiVersion;

/// Where the daemon listens, parsed from a `DOCKER_HOST`-style string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Host {
    /// `unix:///path/to/docker.sock`
    Unix(PathBuf),
    /// `tcp://host:port` or `http://host:port`: plain HTTP (TLS when TLS material is given).
    Tcp {
        /// Host name or address.
        host: String,
        /// Port.
        port: u16,
    },
    /// `https://host:port`, or `tcp://` with TLS.
    Https {
        /// Host name or address.
        host: String,
        /// Port.
        port: u16,
    },
}

impl Host {
    /// Parse the forms the docker CLI accepts in `DOCKER_HOST`.
    pub fn parse(s: &str) -> Result<Host> {
        let invalid = |reason: &str| Error::InvalidHost {
            host: s.to_string(),
            reason: reason.to_string(),
        };
        let (scheme, rest) = s.split_once("://").ok_or_else(|| {
            invalid(
                "expected scheme://address, e.g. unix:///var/run/docker.sock or tcp://host:2376",
            )
        })?;
        match scheme {
            "unix" => {
                if rest.is_empty() || !rest.starts_with('/') {
                    return Err(invalid(
                        "a unix socket needs an absolute path: unix:///path/to/docker.sock",
                    ));
                }
                Ok(Host::Unix(PathBuf::from(rest)))
            }
            "tcp" | "http" | "https" => {
                let authority = rest.trim_end_matches('/');
                if authority.contains('/')
                    || authority.contains('?')
                    || authority.contains('#')
                    || authority.contains('@')
                {
                    return Err(invalid("a TCP address is host:port with nothing after it"));
                }
                let (host, port) =
                    split_host_port(authority).ok_or_else(|| invalid("expected host:port"))?;
                let default_port = if scheme == "https" { 2376 } else { 2375 };
                let port = match port {
                    None => default_port,
                    Some(p) => p
                        .parse::<u16>()
                        .ok()
                        .filter(|p| *p != 0)
                        .ok_or_else(|| invalid("the port is not a number from 1 to 65535"))?,
                };
                if host.is_empty() {
                    return Err(invalid("the host name is empty"));
                }
                Ok(if scheme == "https" {
                    Host::Https { host, port }
                } else {
                    Host::Tcp { host, port }
                })
            }
            "ssh" => Err(invalid(
                "ssh:// hosts are not supported yet; forward the socket (ssh -L) and use unix:// or tcp://",
            )),
            "npipe" => Err(invalid("named pipes exist only on Windows")),
            _ => Err(invalid(
                "unknown scheme; use unix://, tcp://, http:// or https://",
            )),
        }
    }

    /// The base URL requests are built on. For a unix socket the host part is only what the
    /// `Host` header says.
    fn base_url(&self) -> String {
        match self {
            Host::Unix(_) => "http://localhost".to_string(),
            Host::Tcp { host, port } => format!("http://{}:{port}", bracket(host)),
            Host::Https { host, port } => format!("https://{}:{port}", bracket(host)),
        }
    }

    fn display(&self) -> String {
        match self {
            Host::Unix(p) => format!("unix://{}", p.display()),
            Host::Tcp { host, port } => format!("tcp://{}:{port}", bracket(host)),
            Host::Https { host, port } => format!("tcp://{}:{port} (TLS)", bracket(host)),
        }
    }
}

fn bracket(host: &str) -> String {
    if host.contains(':') {
        format!("[{host}]")
    } else {
        host.to_string()
    }
}

fn split_host_port(authority: &str) -> Option<(String, Option<&str>)> {
    if let Some(rest) = authority.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        let port = match after {
            "" => None,
            p => Some(p.strip_prefix(':')?),
        };
        return Some((host.to_string(), port));
    }
    match authority.rsplit_once(':') {
        Some((h, p)) if !h.contains(':') => Some((h.to_string(), Some(p))),
        Some(_) => None,
        None => Some((authority.to_string(), None)),
    }
}

/// TLS material in the docker CLI's layout: a CA to trust and a client certificate and key.
#[derive(Clone)]
pub struct TlsMaterial {
    /// PEM of the CA certificates that sign the daemon's certificate.
    pub ca_pem: Vec<u8>,
    /// PEM of the client certificate chain (optional if the daemon does not verify clients).
    pub cert_pem: Option<Vec<u8>>,
    /// PEM of the client private key.
    pub key_pem: Option<Vec<u8>>,
}

impl std::fmt::Debug for TlsMaterial {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsMaterial")
            .field("ca_pem", &format_args!("{} bytes", self.ca_pem.len()))
            .field("client_cert", &self.cert_pem.is_some())
            .field("key_pem", &"<redacted>")
            .finish()
    }
}

impl TlsMaterial {
    /// Read `ca.pem`, `cert.pem` and `key.pem` from a directory (`DOCKER_CERT_PATH`).
    pub fn from_dir(dir: impl Into<PathBuf>) -> Result<TlsMaterial> {
        let dir = dir.into();
        let read = |name: &str| {
            std::fs::read(dir.join(name)).map_err(|e| {
                Error::TlsConfig(format!("cannot read {}: {e}", dir.join(name).display()))
            })
        };
        let cert = dir.join("cert.pem");
        let (cert_pem, key_pem) = if cert.exists() {
            (Some(read("cert.pem")?), Some(read("key.pem")?))
        } else {
            (None, None)
        };
        Ok(TlsMaterial {
            ca_pem: read("ca.pem")?,
            cert_pem,
            key_pem,
        })
    }
}

#[cfg(feature = "tls")]
fn rustls_config(tls: &TlsMaterial) -> Result<rustls::ClientConfig> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};

    let bad = |what: &str, e: &dyn std::fmt::Display| Error::TlsConfig(format!("{what}: {e}"));
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(&tls.ca_pem) {
        roots
            .add(cert.map_err(|e| bad("CA certificate", &e))?)
            .map_err(|e| bad("CA certificate", &e))?;
    }
    if roots.is_empty() {
        return Err(Error::TlsConfig("the CA file holds no certificate".into()));
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| bad("TLS versions", &e))?
        .with_root_certificates(roots);
    let mut config = match (&tls.cert_pem, &tls.key_pem) {
        (Some(cert), Some(key)) => {
            let chain = CertificateDer::pem_slice_iter(cert)
                .collect::<std::result::Result<Vec<_>, _>>()
                .map_err(|e| bad("client certificate", &e))?;
            let key = PrivateKeyDer::from_pem_slice(key).map_err(|e| bad("client key", &e))?;
            builder
                .with_client_auth_cert(chain, key)
                .map_err(|e| bad("client certificate and key", &e))?
        }
        (None, None) => builder.with_no_client_auth(),
        _ => {
            return Err(Error::TlsConfig(
                "a client certificate needs its key, and a key its certificate".into(),
            ));
        }
    };
    // The daemon speaks HTTP/1.1; exec and attach upgrade the connection.
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

/// The configuration of a client that never speaks TLS: ring, and an empty root store.
#[cfg(feature = "tls")]
fn no_tls_config() -> Result<rustls::ClientConfig> {
    Ok(rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| Error::TlsConfig(e.to_string()))?
    .with_root_certificates(rustls::RootCertStore::empty())
    .with_no_client_auth())
}

/// Connection settings.
#[derive(Clone, Debug)]
pub(crate) struct Settings {
    pub host: Host,
    pub tls: Option<TlsMaterial>,
    pub version: Option<ApiVersion>,
    pub connect_timeout: Duration,
    pub request_timeout: Option<Duration>,
    pub pool_idle_timeout: Duration,
}

/// State shared by every handle on one daemon: the HTTP client, the address, and the API
/// version (pinned, or negotiated once on first use).
#[derive(Clone, Debug)]
pub struct Shared(Arc<Inner>);

#[derive(Debug)]
struct Inner {
    host: Host,
    connect_timeout: Duration,
    address: String,
    base: String,
    http: reqwest::Client,
    pinned: Option<ApiVersion>,
    negotiated: OnceCell<ApiVersion>,
}

/// The oldest API version this client is tested against.
pub const MINIMUM_API_VERSION: ApiVersion = ApiVersion::new(1, 41);

impl Shared {
    pub(crate) fn new(settings: Settings) -> Result<Shared> {
        let mut builder = reqwest::Client::builder()
            .connect_timeout(settings.connect_timeout)
            .pool_idle_timeout(settings.pool_idle_timeout)
            .http1_only()
            .no_proxy()
            .tcp_nodelay(true)
            .user_agent(concat!("docker-engine-rs/", env!("CARGO_PKG_VERSION")));
        // No whole-request timeout by default: logs, events, attach and wait stream for as
        // long as the caller reads.
        if let Some(t) = settings.request_timeout {
            builder = builder.timeout(t);
        }
        let mut host = settings.host.clone();
        match (&settings.host, &settings.tls) {
            (Host::Unix(path), None) => builder = builder.unix_socket(path.clone()),
            (Host::Unix(_), Some(_)) => {
                return Err(Error::InvalidHost {
                    host: settings.host.display(),
                    reason: "TLS over a unix socket is not supported".into(),
                });
            }
            (Host::Tcp { .. }, None) => {}
            (Host::Https { .. }, None) => {
                return Err(Error::TlsConfig(
                    "an https:// host needs TLS material: set DOCKER_CERT_PATH (ca.pem, cert.pem, key.pem) or pass it to the builder".into(),
                ));
            }
            (Host::Tcp { host: h, port } | Host::Https { host: h, port }, Some(tls)) => {
                #[cfg(feature = "tls")]
                {
                    builder = builder.tls_backend_preconfigured(rustls_config(tls)?);
                    host = Host::Https {
                        host: h.clone(),
                        port: *port,
                    };
                }
                #[cfg(not(feature = "tls"))]
                {
                    let _ = (h, port, tls);
                    return Err(Error::TlsConfig(
                        "this build of docker-engine has no TLS: enable the `tls` feature".into(),
                    ));
                }
            }
        }
        // reqwest with `rustls-no-provider` wants a TLS configuration on every client,
        // even one that never speaks TLS; give it one that trusts nothing.
        #[cfg(feature = "tls")]
        if settings.tls.is_none() {
            builder = builder.tls_backend_preconfigured(no_tls_config()?);
        }
        let http = builder
            .build()
            .map_err(|e| Error::TlsConfig(format!("cannot build the HTTP client: {e}")))?;
        Ok(Shared(Arc::new(Inner {
            connect_timeout: settings.connect_timeout,
            address: host.display(),
            base: host.base_url(),
            http,
            pinned: settings.version,
            negotiated: OnceCell::new(),
            host,
        })))
    }

    /// The address requests go to, for messages.
    pub fn address(&self) -> &str {
        &self.0.address
    }

    /// Where the daemon listens (after TLS settings are applied) and how long to wait to connect.
    pub(crate) fn endpoint(&self) -> (&Host, Duration) {
        (&self.0.host, self.0.connect_timeout)
    }

    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.0.http
    }

    /// The API version in use: the pinned one, or negotiated with the daemon on first call
    /// (once, however many tasks ask at the same time).
    pub async fn api_version(&self) -> Result<ApiVersion> {
        if let Some(v) = self.0.pinned {
            return Ok(v);
        }
        self.0
            .negotiated
            .get_or_try_init(|| self.negotiate())
            .await
            .copied()
    }

    async fn negotiate(&self) -> Result<ApiVersion> {
        let url = format!("{}/_ping", self.0.base);
        let started = Instant::now();
        let response = self
            .0
            .http
            .get(&url)
            .send()
            .await
            .map_err(|e| Error::transport(&self.0.address, e))?;
        tracing::debug!(
            method = "GET",
            path = "/_ping",
            status = response.status().as_u16(),
            latency_us = started.elapsed().as_micros() as u64,
            "negotiate API version"
        );
        let header = response
            .headers()
            .get("api-version")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let server = match header {
            Some(h) => h.parse::<ApiVersion>().map_err(|_| {
                Error::Version(format!(
                    "the daemon at {} sent an unreadable API-Version header {h:?}",
                    self.0.address
                ))
            })?,
            None => {
                let status = response.status().as_u16();
                let body = response.bytes().await.unwrap_or_default();
                if status >= 400 {
                    return Err(Error::from_status(status, &body));
                }
                return Err(Error::Version(format!(
                    "the daemon at {} sent no API-Version header on /_ping (HTTP {status}): is this a Docker engine?",
                    self.0.address
                )));
            }
        };
        if server < MINIMUM_API_VERSION {
            return Err(Error::Version(format!(
                "the daemon at {} speaks API {server}, older than {MINIMUM_API_VERSION}, the oldest this client supports",
                self.0.address
            )));
        }
        Ok(server.min(ApiVersion::SPEC))
    }

    /// The URL of an API path under the version prefix in use.
    pub(crate) async fn url(&self, path: &str) -> Result<String> {
        let v = self.api_version().await?;
        Ok(format!("{}/v{v}{path}", self.0.base))
    }

    /// The generated client, bound to this transport.
    pub(crate) fn raw_client(&self) -> raw::Client {
        raw::Client::new_with_client(&self.0.base, self.0.http.clone(), self.clone())
    }
}

/// Every generated call passes through here.
impl ClientHooks<Shared> for raw::Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        info: &OperationInfo,
    ) -> Result<(), progenitor_client::Error<E>> {
        let shared = self.inner();
        guard_path(info.operation_id, request.url().path())
            .map_err(|m| progenitor_client::Error::Custom(format!("{PATH_PREFIX}{m}")))?;
        let version = shared.api_version().await.map_err(|e| match e {
            Error::Transport { source, .. }
            | Error::Tls {
                source: Some(source),
                ..
            } => progenitor_client::Error::CommunicationError(source),
            Error::Version(m) => progenitor_client::Error::Custom(format!("{VERSION_PREFIX}{m}")),
            other => progenitor_client::Error::Custom(other.to_string()),
        })?;
        let path = format!("/v{version}{}", request.url().path());
        request.url_mut().set_path(&path);
        // progenitor sends the spec's version as a header; the daemon reads the path.
        request.headers_mut().remove("api-version");
        Ok(())
    }

    async fn exec(
        &self,
        request: reqwest::Request,
        _info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let method = request.method().clone();
        let path = request.url().path().to_string();
        let started = Instant::now();
        let result = execute(self.client(), request).await;
        let latency_us = started.elapsed().as_micros() as u64;
        match result {
            Ok(r) => {
                tracing::debug!(%method, %path, status = r.status().as_u16(), latency_us, "docker request");
                Ok(json_error_body(r).await)
            }
            Err(e) => {
                tracing::debug!(%method, %path, error = %e, latency_us, "docker request failed");
                Err(e)
            }
        }
    }
}

/// Send a request; if it failed on a pooled connection the daemon had already closed (it
/// was restarted, or dropped the idle connection) before any answer, send it once more on
/// a new connection. Idempotent requests are retried on any such failure; others only when
/// writing the request failed (`EPIPE`/`ECONNRESET`: the daemon was not reading it). A
/// request with a streaming body (a build context) cannot be replayed and is not retried.
pub(crate) async fn execute(
    http: &reqwest::Client,
    request: reqwest::Request,
) -> reqwest::Result<reqwest::Response> {
    let idempotent = matches!(
        request.method().as_str(),
        "GET" | "HEAD" | "PUT" | "DELETE" | "OPTIONS"
    );
    let replay = request.try_clone();
    match http.execute(request).await {
        Err(e) if replay.is_some() && stale_connection(&e, idempotent) => {
            tracing::debug!(error = %e, "pooled connection was closed by the daemon; retrying once on a new one");
            http.execute(replay.expect("checked")).await
        }
        other => other,
    }
}

fn stale_connection(e: &reqwest::Error, idempotent: bool) -> bool {
    if e.is_connect() || e.is_timeout() {
        return false;
    }
    let mut next: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = next {
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            use std::io::ErrorKind::*;
            match io.kind() {
                BrokenPipe | ConnectionReset | ConnectionAborted => return true,
                UnexpectedEof => return idempotent,
                _ => {}
            }
        }
        if let Some(h) = err.downcast_ref::<hyper::Error>()
            && (h.is_canceled() || h.is_incomplete_message())
        {
            return idempotent;
        }
        next = err.source();
    }
    false
}

/// Some daemon errors are plain text (`client version 1.5 is too old...`, from the version
/// middleware), not the `{"message": ...}` the spec promises. Error responses that are not
/// JSON are rewritten to it, so the generated client decodes them and keeps the message.
async fn json_error_body(response: reqwest::Response) -> reqwest::Response {
    let is_json = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/json"));
    if response.status().as_u16() < 400 || is_json {
        return response;
    }
    let status = response.status();
    let body = response.bytes().await.unwrap_or_default();
    let message = String::from_utf8_lossy(&body).trim().to_string();
    let json = serde_json::json!({ "message": message }).to_string();
    let rebuilt = http::Response::builder()
        .status(status)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(json)
        .expect("a status and a header always build");
    reqwest::Response::from(rebuilt)
}

/// Refuse a request whose path is not the shape of its operation's template. Path
/// parameters are percent-encoded, but a parameter that is exactly `.` or `..` is a dot
/// segment that URL parsing resolves away (`/containers/./json` becomes the list endpoint);
/// nothing a caller passes may reach another endpoint.
fn guard_path(operation_id: &str, path: &str) -> std::result::Result<(), String> {
    let Some(template) = crate::operations::path_of(operation_id) else {
        return Err(format!("unknown operation {operation_id}"));
    };
    let want: Vec<&str> = template.split('/').collect();
    let got: Vec<&str> = path.split('/').collect();
    let fits = want.len() == got.len()
        && want.iter().zip(&got).all(|(w, g)| {
            if w.starts_with('{') {
                !g.is_empty()
            } else {
                w == g
            }
        });
    if fits {
        Ok(())
    } else {
        Err(format!(
            "a path parameter of {operation_id} changed the request path to {path:?} (template {template}): ids and names cannot be empty, \".\" or \"..\""
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_docker_cli_host_forms() {
        assert_eq!(
            Host::parse("unix:///var/run/docker.sock").unwrap(),
            Host::Unix("/var/run/docker.sock".into())
        );
        assert_eq!(
            Host::parse("tcp://127.0.0.1:2376").unwrap(),
            Host::Tcp {
                host: "127.0.0.1".into(),
                port: 2376
            }
        );
        assert_eq!(
            Host::parse("tcp://example").unwrap(),
            Host::Tcp {
                host: "example".into(),
                port: 2375
            }
        );
        assert_eq!(
            Host::parse("https://h").unwrap(),
            Host::Https {
                host: "h".into(),
                port: 2376
            }
        );
        assert_eq!(
            Host::parse("http://[::1]:80/").unwrap(),
            Host::Tcp {
                host: "::1".into(),
                port: 80
            }
        );
    }

    #[test]
    fn refuses_bad_hosts_with_a_reason() {
        for bad in [
            "",
            "/var/run/docker.sock",
            "unix://",
            "unix://relative",
            "tcp://:1",
            "tcp://h:99999",
            "tcp://h:0",
            "tcp://h:1/path",
            "ftp://h",
            "ssh://u@h",
            "tcp://a:b:c",
        ] {
            match Host::parse(bad) {
                Err(Error::InvalidHost { host, reason }) => {
                    assert!(host == bad && !reason.is_empty())
                }
                other => panic!("{bad:?} gave {other:?}"),
            }
        }
    }

    #[test]
    fn path_guard_refuses_dot_segments_and_accepts_encoded_names() {
        assert!(guard_path("container_inspect", "/containers/abc/json").is_ok());
        assert!(
            guard_path(
                "container_inspect",
                "/containers/..%2F..%2Fimages%2Fjson/json"
            )
            .is_ok()
        );
        assert!(
            guard_path("container_inspect", "/containers/json").is_err(),
            "`.` resolved away"
        );
        assert!(
            guard_path("container_inspect", "/json").is_err(),
            "`..` resolved away"
        );
        assert!(
            guard_path("container_inspect", "/containers//json").is_err(),
            "empty id"
        );
        assert!(guard_path("container_list", "/containers/json").is_ok());
    }
}
