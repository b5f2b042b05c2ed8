//! Opening a connection to the daemon: a unix socket, TCP, or TLS over TCP.
//!
//! Every way out of the core (unary, stream, upgrade) starts here, so the connect timeout
//! and the TLS settings apply to all of them alike.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use super::host::{Host, TlsMaterial};
use crate::error::{Error, Result};

/// A connected socket of any kind.
pub(crate) enum Socket {
    Unix(tokio::net::UnixStream),
    Tcp(tokio::net::TcpStream),
    #[cfg(feature = "tls")]
    Tls(Box<tokio_rustls::client::TlsStream<tokio::net::TcpStream>>),
    Ssh(Box<super::ssh::SshSocket>),
}

macro_rules! each_socket {
    ($self:expr, $s:ident => $e:expr) => {
        match $self.get_mut() {
            Socket::Unix($s) => $e,
            Socket::Tcp($s) => $e,
            #[cfg(feature = "tls")]
            Socket::Tls($s) => $e,
            Socket::Ssh($s) => $e,
        }
    };
}

impl AsyncRead for Socket {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        each_socket!(self, s => Pin::new(s).poll_read(cx, buf))
    }
}

impl AsyncWrite for Socket {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        each_socket!(self, s => Pin::new(s).poll_write(cx, buf))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        each_socket!(self, s => Pin::new(s).poll_flush(cx))
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        each_socket!(self, s => Pin::new(s).poll_shutdown(cx))
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        each_socket!(self, s => Pin::new(s).poll_write_vectored(cx, bufs))
    }

    fn is_write_vectored(&self) -> bool {
        match self {
            Socket::Unix(s) => s.is_write_vectored(),
            Socket::Tcp(s) => s.is_write_vectored(),
            #[cfg(feature = "tls")]
            Socket::Tls(s) => s.is_write_vectored(),
            Socket::Ssh(s) => s.is_write_vectored(),
        }
    }
}

/// How to reach the daemon: the parsed host and, for TLS, the client configuration.
pub(crate) struct Connector {
    host: Host,
    #[cfg(feature = "tls")]
    tls: Option<(
        tokio_rustls::TlsConnector,
        rustls::pki_types::ServerName<'static>,
    )>,
    timeout: Duration,
    /// For an `ssh://` host: how to run ssh.
    ssh: Option<super::ssh::SshTarget>,
    /// The `Host` header requests carry.
    pub(crate) authority: http::HeaderValue,
}

impl std::fmt::Debug for Connector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connector")
            .field("host", &self.host)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl Connector {
    /// Check that `host` and `tls` fit together and prepare the TLS configuration.
    pub(crate) fn new(
        host: Host,
        tls: Option<&TlsMaterial>,
        timeout: Duration,
        ssh_options: &[String],
    ) -> Result<Self> {
        let ssh = match &host {
            Host::Ssh {
                user,
                host,
                port,
                socket,
            } => Some(super::ssh::SshTarget {
                user: user.clone(),
                host: host.clone(),
                port: *port,
                socket: socket.clone(),
                options: ssh_options.to_vec(),
            }),
            _ => None,
        };
        let authority = match &host {
            Host::Unix(_) | Host::Ssh { .. } => http::HeaderValue::from_static("localhost"),
            Host::Tcp { host, port, .. } | Host::Https { host, port, .. } => {
                let h = if host.contains(':') {
                    format!("[{host}]:{port}")
                } else {
                    format!("{host}:{port}")
                };
                http::HeaderValue::from_str(&h).map_err(|_| Error::InvalidHost {
                    host: h.clone(),
                    reason: "the host name cannot be sent in a Host header".into(),
                })?
            }
        };
        match (&host, tls) {
            (Host::Unix(_) | Host::Ssh { .. }, Some(_)) => Err(Error::InvalidHost {
                host: host.display(),
                reason: "TLS over a unix socket or ssh is not supported (ssh encrypts already)"
                    .into(),
            }),
            (Host::Https { .. }, None) => Err(Error::tls_config(
                "an https:// host needs TLS material: set DOCKER_CERT_PATH (ca.pem, cert.pem, key.pem) or pass it to the builder",
            )),
            (Host::Unix(_) | Host::Tcp { .. } | Host::Ssh { .. }, None) => Ok(Connector {
                host,
                #[cfg(feature = "tls")]
                tls: None,
                timeout,
                ssh,
                authority,
            }),
            #[cfg(feature = "tls")]
            (
                Host::Tcp {
                    host: name,
                    port,
                    base_path,
                }
                | Host::Https {
                    host: name,
                    port,
                    base_path,
                },
                Some(material),
            ) => {
                let config = super::tls::client_config(material)?;
                let server =
                    rustls::pki_types::ServerName::try_from(name.clone()).map_err(|e| {
                        Error::tls_config_from(
                            format!("{name:?} is not a valid TLS server name"),
                            e,
                        )
                    })?;
                let host = Host::Https {
                    host: name.clone(),
                    port: *port,
                    base_path: base_path.clone(),
                };
                Ok(Connector {
                    host,
                    tls: Some((
                        tokio_rustls::TlsConnector::from(std::sync::Arc::new(config)),
                        server,
                    )),
                    timeout,
                    ssh: None,
                    authority,
                })
            }
            #[cfg(not(feature = "tls"))]
            (Host::Tcp { .. } | Host::Https { .. }, Some(_)) => Err(Error::tls_config(
                "this build of docker-engine has no TLS: enable the crate's `tls` feature",
            )),
        }
    }

    /// The host after TLS settings are applied (a `tcp://` host with TLS is `Https`).
    pub(crate) fn host(&self) -> &Host {
        &self.host
    }

    /// Open a new connection, within the connect timeout; the TLS handshake counts toward it.
    pub(crate) async fn connect(&self, address: &str) -> Result<Socket> {
        match tokio::time::timeout(self.timeout, self.open()).await {
            Ok(Ok(socket)) => Ok(socket),
            Ok(Err(e)) => Err(e.into_error(address)),
            Err(_) => Err(Error::Timeout {
                address: address.to_string(),
                what: "connecting",
                after: self.timeout,
            }),
        }
    }

    async fn open(&self) -> std::result::Result<Socket, ConnectError> {
        match &self.host {
            Host::Unix(path) => Ok(Socket::Unix(
                tokio::net::UnixStream::connect(path)
                    .await
                    .map_err(ConnectError::Io)?,
            )),
            Host::Tcp { host, port, .. } => Ok(Socket::Tcp(tcp(host, *port).await?)),
            Host::Ssh { .. } => {
                let target = self.ssh.as_ref().expect("ssh hosts carry their target");
                Ok(Socket::Ssh(Box::new(
                    target.spawn().map_err(ConnectError::Io)?,
                )))
            }
            #[cfg(feature = "tls")]
            Host::Https { host, port, .. } => {
                let tcp = tcp(host, *port).await?;
                let (connector, server) = self.tls.as_ref().expect("Https hosts carry TLS");
                let tls = connector
                    .connect(server.clone(), tcp)
                    .await
                    .map_err(ConnectError::Tls)?;
                Ok(Socket::Tls(Box::new(tls)))
            }
            #[cfg(not(feature = "tls"))]
            Host::Https { .. } => unreachable!("Connector::new refuses TLS without the feature"),
        }
    }
}

async fn tcp(host: &str, port: u16) -> std::result::Result<tokio::net::TcpStream, ConnectError> {
    let s = tokio::net::TcpStream::connect((host, port))
        .await
        .map_err(ConnectError::Io)?;
    s.set_nodelay(true).map_err(ConnectError::Io)?;
    Ok(s)
}

enum ConnectError {
    Io(std::io::Error),
    #[cfg(feature = "tls")]
    Tls(std::io::Error),
}

impl ConnectError {
    fn into_error(self, address: &str) -> Error {
        match self {
            ConnectError::Io(e) => Error::transport(address, e),
            #[cfg(feature = "tls")]
            ConnectError::Tls(e) => {
                let message = crate::error::tls_message(&e).unwrap_or_else(|| e.to_string());
                Error::Tls {
                    address: address.to_string(),
                    message,
                    source: Some(Box::new(e)),
                }
            }
        }
    }
}
