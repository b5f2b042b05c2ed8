//! `DOCKER_HOST` parsing and TLS material in the docker CLI's layout.

use std::path::PathBuf;

use crate::error::{Error, Result};

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
    #[allow(dead_code)]
    fn base_url(&self) -> String {
        match self {
            Host::Unix(_) => "http://localhost".to_string(),
            Host::Tcp { host, port } => format!("http://{}:{port}", bracket(host)),
            Host::Https { host, port } => format!("https://{}:{port}", bracket(host)),
        }
    }

    pub(crate) fn display(&self) -> String {
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
                Error::tls_config_from(format!("cannot read {}", dir.join(name).display()), e)
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
}
