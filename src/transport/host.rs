//! `DOCKER_HOST` parsing and TLS material in the docker CLI's layout.

use std::path::PathBuf;

use crate::error::{Error, Result};

/// Where the daemon listens, parsed from a `DOCKER_HOST`-style string by the docker CLI's
/// rules ([`Host::parse`]).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Host {
    /// `unix:///path/to/docker.sock`
    Unix(PathBuf),
    /// `tcp://host:port[/base/path]` or `http://...`: plain HTTP (TLS when TLS material is
    /// given).
    Tcp {
        /// Host name or address.
        host: String,
        /// Port.
        port: u16,
        /// A path every request goes under (`tcp://host:2376/some/prefix` gives
        /// `/some/prefix`; empty for none), as the Go client uses it.
        base_path: String,
    },
    /// `https://host:port[/base/path]`, or `tcp://` with TLS.
    Https {
        /// Host name or address.
        host: String,
        /// Port.
        port: u16,
        /// As for [`Host::Tcp`].
        base_path: String,
    },
    /// `ssh://[user@]host[:port][/path/to/remote.sock]`: the daemon reached through the
    /// system's `ssh` and `docker system dial-stdio` on the remote host.
    Ssh {
        /// The remote user (`-l`), else ssh's configuration decides.
        user: Option<String>,
        /// The remote host, as ssh resolves it (a name from `~/.ssh/config` works).
        host: String,
        /// The remote port (`-p`), else ssh's configuration decides.
        port: Option<u16>,
        /// The daemon's socket on the remote host, if not the remote CLI's default.
        socket: Option<String>,
    },
}

/// The socket the docker CLI uses when nothing else is configured.
const DEFAULT_UNIX_SOCKET: &str = "/var/run/docker.sock";
/// The docker CLI's `defaultHTTPHost` and `defaultHTTPPort` (`opts/hosts.go`): a host or
/// port left out of a `tcp://` address is filled from these, with or without TLS.
const DEFAULT_TCP_HOST: &str = "localhost";
const DEFAULT_TCP_PORT: u16 = 2375;
const DEFAULT_TLS_PORT: u16 = 2376;

impl Host {
    /// Parse a `DOCKER_HOST` value the way the docker CLI does (`ParseHost` in its
    /// `opts/hosts.go`), with the differences listed below. Each row is a case of the unit
    /// test `parses_docker_host_as_the_docker_cli_does`.
    ///
    /// | input | result |
    /// |---|---|
    /// | surrounding whitespace | trimmed |
    /// | empty | `unix:///var/run/docker.sock` |
    /// | `unix://` | `unix:///var/run/docker.sock` |
    /// | `unix:///path`, `unix://relative` | that socket |
    /// | `/path/docker.sock` (no scheme, absolute) | `unix:///path/docker.sock` |
    /// | `host:port`, `host:`, `:port` (no scheme) | as `tcp://` |
    /// | `tcp://`, `tcp://host`, `tcp://host:`, `tcp://:port` | host `localhost`, port 2375 filled in |
    /// | `tcp://host:port/some/prefix/` | requests go to `/some/prefix/v1.xx/...` |
    /// | `tcp://[::1]:2376` | IPv6 |
    /// | `http://...` | as `tcp://` (the CLI refuses it; the Go client takes it) |
    /// | `https://...` | TLS, default port 2376 (the CLI refuses it; the Go client takes it) |
    /// | `ssh://[user@]host[:port][/socket]` | SSH; a password, query or fragment is refused |
    /// | `tcp://host:+80`, `tcp://host:x`, `tcp://[::1]` | refused, as by the CLI |
    /// | `fd://`, `npipe://`, other schemes | refused (no such transport here) |
    ///
    /// Stricter than the CLI on purpose: a port of 0 or above 65535 (the CLI takes it and
    /// fails to dial), user information in a `tcp://` address (the CLI drops it silently:
    /// credentials the user believes are sent would not be), and a query or fragment (the
    /// CLI drops them). An error never repeats a password: `user:secret@` shows as
    /// `user:***@`.
    ///
    /// ```
    /// use docker_engine::Host;
    /// let host = Host::parse("tcp://10.0.0.5")?;
    /// assert!(matches!(host, Host::Tcp { ref host, port: 2375, .. } if host == "10.0.0.5"));
    /// assert!(matches!(Host::parse("")?, Host::Unix(p) if p.ends_with("docker.sock")));
    /// assert!(Host::parse("tcp://deploy:secret@10.0.0.5:2375").is_err()); // never sends them
    /// # Ok::<(), docker_engine::Error>(())
    /// ```
    pub fn parse(s: &str) -> Result<Host> {
        let trimmed = s.trim();
        let invalid = |reason: &str| Error::InvalidHost {
            host: redact(trimmed),
            reason: reason.to_string(),
        };
        let (scheme, rest) = match trimmed.split_once("://") {
            Some(split) => split,
            None if trimmed.is_empty() => ("unix", ""),
            None if trimmed.starts_with('/') => ("unix", trimmed),
            None => ("tcp", trimmed),
        };
        match scheme {
            "unix" => {
                if rest.contains(['?', '#']) {
                    return Err(invalid(
                        "a unix socket path cannot have a query or fragment",
                    ));
                }
                Ok(Host::Unix(PathBuf::from(if rest.is_empty() {
                    DEFAULT_UNIX_SOCKET
                } else {
                    rest
                })))
            }
            "tcp" | "http" | "https" => {
                let (authority, path) = match rest.find(['/', '?', '#']) {
                    Some(i) => rest.split_at(i),
                    None => (rest, ""),
                };
                if path.contains(['?', '#']) {
                    return Err(invalid(
                        "a TCP address cannot have a query or fragment (the docker CLI drops them; this client refuses)",
                    ));
                }
                if authority.contains('@') {
                    return Err(invalid(
                        "user information in a TCP address is not sent to the daemon (the docker CLI drops it; this client refuses)",
                    ));
                }
                if path
                    .chars()
                    .any(|c| c.is_control() || c == ' ' || c == '\\')
                {
                    return Err(invalid(
                        "the base path has a space, a backslash or a control character",
                    ));
                }
                let (host, port) = split_host_port(authority).ok_or_else(|| {
                    invalid("expected host:port, with an IPv6 address in brackets and its port: tcp://[::1]:2375")
                })?;
                if host
                    .chars()
                    .any(|c| c.is_control() || " /\\?#@%\"<>[]{}|^`".contains(c))
                {
                    return Err(invalid("invalid character in the host name"));
                }
                let host = if host.is_empty() {
                    DEFAULT_TCP_HOST.to_string()
                } else {
                    host
                };
                let default_port = if scheme == "https" {
                    DEFAULT_TLS_PORT
                } else {
                    DEFAULT_TCP_PORT
                };
                let port = match port {
                    None | Some("") => default_port,
                    Some(p) => parse_port(p)
                        .ok_or_else(|| invalid("the port is not a number from 1 to 65535"))?,
                };
                let base_path = path.to_string();
                Ok(if scheme == "https" {
                    Host::Https {
                        host,
                        port,
                        base_path,
                    }
                } else {
                    Host::Tcp {
                        host,
                        port,
                        base_path,
                    }
                })
            }
            "ssh" => parse_ssh(rest).map_err(|reason| invalid(&reason)),
            "npipe" => Err(invalid("named pipes exist only on Windows")),
            "fd" => Err(invalid(
                "fd:// is a daemon's listener (socket activation), not an address a client can dial",
            )),
            _ => Err(invalid(
                "unknown scheme; use unix://, tcp://, http://, https:// or ssh://",
            )),
        }
    }

    /// The prefix every request path goes under (empty for none), without a trailing `/`.
    pub(crate) fn base_path(&self) -> &str {
        match self {
            Host::Tcp { base_path, .. } | Host::Https { base_path, .. } => {
                base_path.trim_end_matches('/')
            }
            _ => "",
        }
    }

    pub(crate) fn display(&self) -> String {
        match self {
            Host::Unix(p) => format!("unix://{}", p.display()),
            Host::Tcp {
                host,
                port,
                base_path,
            } => format!("tcp://{}:{port}{base_path}", bracket(host)),
            Host::Https {
                host,
                port,
                base_path,
            } => format!("tcp://{}:{port}{base_path} (TLS)", bracket(host)),
            Host::Ssh {
                user,
                host,
                port,
                socket,
            } => format!(
                "ssh://{}{}{}{}",
                user.as_deref().map(|u| format!("{u}@")).unwrap_or_default(),
                bracket(host),
                port.map(|p| format!(":{p}")).unwrap_or_default(),
                socket.as_deref().unwrap_or_default()
            ),
        }
    }
}

/// `ssh://[user@]host[:port][/path]`, as the docker CLI's `connhelper/ssh` reads it.
fn parse_ssh(rest: &str) -> std::result::Result<Host, String> {
    if let Some(i) = rest.find('?') {
        return Err(format!(
            "query parameters are not allowed in an ssh:// address: {:?}",
            &rest[i + 1..]
        ));
    }
    if rest.contains('#') {
        return Err("fragments are not allowed in an ssh:// address".into());
    }
    let (authority, path) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let (user, hostport) = match authority.rsplit_once('@') {
        Some((u, h)) => {
            if u.contains(':') {
                return Err("a plain-text password is not supported in an ssh:// address: use a key or an agent".into());
            }
            if u.is_empty() {
                return Err("the user name before @ is empty".into());
            }
            (
                Some(
                    percent_encoding::percent_decode_str(u)
                        .decode_utf8_lossy()
                        .into_owned(),
                ),
                h,
            )
        }
        None => (None, authority),
    };
    let (host, port) = split_host_port(hostport).ok_or("expected host or host:port")?;
    if host.is_empty() {
        return Err("the host name is empty".into());
    }
    if host.starts_with('-') || user.as_deref().is_some_and(|u| u.starts_with('-')) {
        return Err(
            "a host or user name cannot start with '-' (it would reach ssh as an option)".into(),
        );
    }
    if host.chars().any(|c| c.is_control() || c == ' ') {
        return Err("invalid character in the host name".into());
    }
    let port = match port {
        None | Some("") => None,
        Some(p) => Some(parse_port(p).ok_or("the port is not a number from 1 to 65535")?),
    };
    let socket = (!path.trim_matches('/').is_empty()).then(|| path.to_string());
    Ok(Host::Ssh {
        user,
        host,
        port,
        socket,
    })
}

/// Digits only (no sign, as Go's URL parser insists), 1 to 65535.
fn parse_port(p: &str) -> Option<u16> {
    if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    p.parse::<u16>().ok().filter(|p| *p != 0)
}

/// The host string with any password in its user information replaced by `***`.
pub(crate) fn redact(s: &str) -> String {
    let Some((scheme, rest)) = s.split_once("://") else {
        return redact_authority(s);
    };
    format!("{scheme}://{}", redact_authority(rest))
}

fn redact_authority(rest: &str) -> String {
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split_once(':').map_or(userinfo, |(u, _)| u);
            let hidden = if userinfo.contains(':') { ":***" } else { "" };
            format!("{user}{hidden}@{host}{tail}")
        }
        None => rest.to_string(),
    }
}

fn bracket(host: &str) -> String {
    if host.contains(':') {
        format!("[{host}]")
    } else {
        host.to_string()
    }
}

/// `host`, `host:port`, `host:`, `:port`, `[v6]:port`, `[v6]:`; a bracketed address needs
/// its `:port` (as in the docker CLI, where `tcp://[::1]` is refused).
fn split_host_port(authority: &str) -> Option<(String, Option<&str>)> {
    if let Some(rest) = authority.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        if host.is_empty() || !host.contains(':') {
            return None;
        }
        let port = after.strip_prefix(':')?;
        return Some((host.to_string(), Some(port)));
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
    /// Encrypt, but do not verify the daemon's certificate (a context's `skip-tls-verify`):
    /// anyone between the client and the daemon can read and change the traffic. `ca_pem`
    /// is not used then.
    pub skip_verify: bool,
}

impl std::fmt::Debug for TlsMaterial {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsMaterial")
            .field("ca_pem", &format_args!("{} bytes", self.ca_pem.len()))
            .field("client_cert", &self.cert_pem.is_some())
            .field("key_pem", &"<redacted>")
            .field("skip_verify", &self.skip_verify)
            .finish()
    }
}

impl TlsMaterial {
    /// Read `ca.pem`, `cert.pem` and `key.pem` from a directory (`DOCKER_CERT_PATH`).
    ///
    /// The integration test `the_right_client_certificate_connects` makes the same call.
    ///
    /// ```no_run
    /// # fn f() -> docker_engine::Result<()> {
    /// use docker_engine::{Docker, TlsMaterial};
    /// let tls = TlsMaterial::from_dir("/etc/docker/client")?; // ca.pem, cert.pem, key.pem
    /// let docker = Docker::builder().host("tcp://docker.internal:2376").tls(tls).build()?;
    /// # Ok(()) }
    /// ```
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
            skip_verify: false,
        })
    }

    /// TLS that does not verify the daemon, and presents no client certificate.
    ///
    /// The integration test `skip_verify_connects_without_checking_the_daemon` makes the same call.
    ///
    /// ```no_run
    /// # fn f() -> docker_engine::Result<()> {
    /// use docker_engine::{Docker, TlsMaterial};
    /// let tls = TlsMaterial::without_verification(); // a throwaway test daemon only
    /// let docker = Docker::builder().host("https://127.0.0.1:2376").tls(tls).build()?;
    /// # Ok(()) }
    /// ```
    pub fn without_verification() -> TlsMaterial {
        TlsMaterial {
            ca_pem: Vec::new(),
            cert_pem: None,
            key_pem: None,
            skip_verify: true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tcp(host: &str, port: u16, base_path: &str) -> Host {
        Host::Tcp {
            host: host.into(),
            port,
            base_path: base_path.into(),
        }
    }

    /// The table of `Host::parse`'s documentation; the docker CLI's results are from its
    /// `opts/hosts.go` and `opts/hosts_test.go` (`ParseHost`, `ParseTCPAddr`).
    #[test]
    fn parses_docker_host_as_the_docker_cli_does() {
        let unix = |p: &str| Host::Unix(p.into());
        let cases: Vec<(&str, Host)> = vec![
            ("", unix("/var/run/docker.sock")),
            ("   ", unix("/var/run/docker.sock")),
            ("unix://", unix("/var/run/docker.sock")),
            ("unix:///var/run/docker.sock", unix("/var/run/docker.sock")),
            ("  unix:///tmp/d.sock \n", unix("/tmp/d.sock")),
            ("unix://relative.sock", unix("relative.sock")),
            (
                "/run/user/1000/docker.sock",
                unix("/run/user/1000/docker.sock"),
            ),
            ("  tcp://h:1  ", tcp("h", 1, "")),
            ("myhost:2375", tcp("myhost", 2375, "")),
            ("localhost:", tcp("localhost", 2375, "")),
            (":6666", tcp("localhost", 6666, "")),
            ("tcp://", tcp("localhost", 2375, "")),
            ("tcp://host", tcp("host", 2375, "")),
            ("tcp://host:", tcp("host", 2375, "")),
            ("tcp://:2376", tcp("localhost", 2376, "")),
            (" tcp://:7777/path ", tcp("localhost", 7777, "/path")),
            (
                "tcp://host:2376/some/prefix/",
                tcp("host", 2376, "/some/prefix/"),
            ),
            ("tcp://127.0.0.1:2376", tcp("127.0.0.1", 2376, "")),
            ("tcp://[::1]:2376", tcp("::1", 2376, "")),
            ("tcp://[::1]:", tcp("::1", 2375, "")),
            ("http://[::1]:80/", tcp("::1", 80, "/")),
            ("http://example", tcp("example", 2375, "")),
            (
                "https://h",
                Host::Https {
                    host: "h".into(),
                    port: 2376,
                    base_path: String::new(),
                },
            ),
            (
                "ssh://user@host:22",
                Host::Ssh {
                    user: Some("user".into()),
                    host: "host".into(),
                    port: Some(22),
                    socket: None,
                },
            ),
            (
                "ssh://host",
                Host::Ssh {
                    user: None,
                    host: "host".into(),
                    port: None,
                    socket: None,
                },
            ),
            (
                "ssh://me@h/run/docker.sock",
                Host::Ssh {
                    user: Some("me".into()),
                    host: "h".into(),
                    port: None,
                    socket: Some("/run/docker.sock".into()),
                },
            ),
            (
                "ssh://me@h/",
                Host::Ssh {
                    user: Some("me".into()),
                    host: "h".into(),
                    port: None,
                    socket: None,
                },
            ),
        ];
        for (input, want) in cases {
            assert_eq!(Host::parse(input).unwrap(), want, "{input:?}");
        }
        assert_eq!(tcp("h", 1, "/p/").base_path(), "/p");
    }

    #[test]
    fn refuses_what_the_docker_cli_refuses_and_more_on_purpose_with_a_reason() {
        for bad in [
            "tcp://host:+80",
            "tcp://host:abc",
            "tcp://[::1]",
            "tcp://h ost:1",
            "tcp://a:b:c",
            "tcp://h:0",
            "tcp://h:65536",
            "tcp://h:1?x=1",
            "tcp://h:1#f",
            "tcp://u@h:1",
            "ftp://h",
            "TCP://h:1",
            "://",
            "fd://",
            "npipe:////./pipe/docker_engine",
            "ssh://",
            "ssh:///x",
            "ssh://h?x",
            "ssh://h#f",
            "ssh://-oProxyCommand=x",
            "ssh://h:+22",
            "something with spaces",
        ] {
            match Host::parse(bad) {
                Err(Error::InvalidHost { host, reason }) => {
                    assert!(
                        host == bad.trim() && !reason.is_empty(),
                        "{bad:?}: {host} {reason}"
                    )
                }
                other => panic!("{bad:?} gave {other:?}"),
            }
        }
    }

    #[test]
    fn a_password_in_a_host_never_reaches_an_error() {
        for (bad, shown) in [
            ("tcp://user:s3cr3t-pw@host:2375", "tcp://user:***@host:2375"),
            ("ssh://user:s3cr3t-pw@host", "ssh://user:***@host"),
            ("user:s3cr3t-pw@host:1", "user:***@host:1"),
            ("tcp://a:b:s3cr3t-pw@host/p", "tcp://a:***@host/p"),
        ] {
            let e = Host::parse(bad).unwrap_err();
            let text = format!("{e} {e:?}");
            assert!(!text.contains("s3cr3t"), "{text}");
            match e {
                Error::InvalidHost { host, .. } => assert_eq!(host, shown),
                other => panic!("{other:?}"),
            }
        }
    }
}
