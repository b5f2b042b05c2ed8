//! Docker contexts, stored and resolved the way the docker CLI does.
//!
//! A context names a daemon's address and the TLS material to reach it (Docker Desktop,
//! colima, rootless Docker and remote hosts are set up this way). The store is the docker
//! CLI's, under `$DOCKER_CONFIG` (default `~/.docker`):
//!
//! - `contexts/meta/<sha256 of the name>/meta.json`: the name, a description, and the
//!   `docker` endpoint's `Host` and `SkipTLSVerify`;
//! - `contexts/tls/<sha256 of the name>/docker/`: `ca.pem`, `cert.pem`, `key.pem`.
//!
//! Which context is used ([`current`]): `DOCKER_CONTEXT`, else `currentContext` in
//! `$DOCKER_CONFIG/config.json`, else `default` (the default socket, or `DOCKER_HOST`).
//! [`Docker::from_env`](crate::Docker::from_env) takes `DOCKER_HOST` before any context, as
//! the CLI does. Proven by `contexts_written_by_the_docker_cli_are_followed` (tests/contexts.rs),
//! with contexts the real docker CLI wrote (their directory names are SHA-256s this crate
//! computes).
//!
//! ```no_run
//! # fn f() -> docker_engine::Result<()> {
//! for c in docker_engine::contexts::list()? {
//!     println!("{}{} {}", c.name, if c.current { " *" } else { "" }, c.host);
//! }
//! let docker = docker_engine::Docker::from_context("remote")?;
//! # Ok(()) }
//! ```

use std::path::{Path, PathBuf};

use crate::client::{DEFAULT_HOST, DockerBuilder};
use crate::error::{Error, Result};
use crate::transport::TlsMaterial;

/// The context that stands for "no context": the default socket, or `DOCKER_HOST`.
pub const DEFAULT_CONTEXT: &str = "default";

/// A context of the docker CLI's store (or the `default` one).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Context {
    /// Its name.
    pub name: String,
    /// Its description, if it has one.
    pub description: Option<String>,
    /// The `docker` endpoint's address, in `DOCKER_HOST` form.
    pub host: String,
    /// Connect over TLS without verifying the daemon's certificate (`skip-tls-verify`).
    pub skip_tls_verify: bool,
    /// Where its TLS files are, if it has any.
    pub tls_dir: Option<PathBuf>,
    /// Whether it is the one [`current`] names.
    pub current: bool,
}

/// `$DOCKER_CONFIG`, else `~/.docker`.
fn config_dir() -> Option<PathBuf> {
    let var = |name| std::env::var_os(name).filter(|v| !v.is_empty());
    match (var("DOCKER_CONFIG"), var("HOME")) {
        (Some(dir), _) => Some(PathBuf::from(dir)),
        (None, Some(home)) => Some(Path::new(&home).join(".docker")),
        (None, None) => None,
    }
}

fn context_error(name: &str, message: impl Into<String>) -> Error {
    Error::Context {
        name: name.to_string(),
        message: message.into(),
        source: None,
    }
}

/// The name of the context in use, as the docker CLI picks it: `DOCKER_CONTEXT`, else
/// `currentContext` in `$DOCKER_CONFIG/config.json`, else [`DEFAULT_CONTEXT`]. (`DOCKER_HOST`,
/// which [`Docker::from_env`](crate::Docker::from_env) takes first, is not looked at here.)
///
/// The integration test `contexts_written_by_the_docker_cli_are_followed` makes the same call.
///
/// ```no_run
/// # fn f() -> docker_engine::Result<()> {
/// let name = docker_engine::contexts::current()?; // "default" unless one was chosen
/// let docker = docker_engine::Docker::from_context(&name)?;
/// # Ok(()) }
/// ```
pub fn current() -> Result<String> {
    if let Some(name) = std::env::var("DOCKER_CONTEXT")
        .ok()
        .filter(|v| !v.trim().is_empty())
    {
        return Ok(name.trim().to_string());
    }
    let Some(dir) = config_dir() else {
        return Ok(DEFAULT_CONTEXT.to_string());
    };
    let path = dir.join("config.json");
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(DEFAULT_CONTEXT.to_string());
        }
        Err(e) => {
            return Err(Error::Credentials {
                message: format!("cannot read {}", path.display()),
                source: Some(Box::new(e)),
            });
        }
    };
    if text.trim().is_empty() {
        return Ok(DEFAULT_CONTEXT.to_string());
    }
    let config: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| Error::Credentials {
            message: format!("{} is not JSON", path.display()),
            source: Some(Box::new(e)),
        })?;
    Ok(config
        .get("currentContext")
        .and_then(|c| c.as_str())
        .filter(|c| !c.is_empty())
        .unwrap_or(DEFAULT_CONTEXT)
        .to_string())
}

/// The `default` context: `DOCKER_HOST`, else the default socket.
fn default_context(current: bool) -> Context {
    Context {
        name: DEFAULT_CONTEXT.to_string(),
        description: Some("Current DOCKER_HOST based configuration".to_string()),
        host: std::env::var("DOCKER_HOST")
            .ok()
            .filter(|h| !h.trim().is_empty())
            .unwrap_or_else(|| DEFAULT_HOST.to_string()),
        skip_tls_verify: false,
        tls_dir: None,
        current,
    }
}

/// The context called `name` (`default` included).
///
/// The integration test `contexts_written_by_the_docker_cli_are_followed` makes the same call.
///
/// ```no_run
/// # fn f() -> docker_engine::Result<()> {
/// let remote = docker_engine::contexts::load("remote")?;
/// println!("{} at {} (TLS files: {:?})", remote.name, remote.host, remote.tls_dir);
/// # Ok(()) }
/// ```
pub fn load(name: &str) -> Result<Context> {
    let current = current().ok().as_deref() == Some(name);
    if name == DEFAULT_CONTEXT {
        return Ok(default_context(current));
    }
    let dir = config_dir().ok_or_else(|| {
        context_error(
            name,
            "neither DOCKER_CONFIG nor HOME is set, so there is no context store",
        )
    })?;
    let id = cache::sha256_hex(name.as_bytes());
    let meta = dir
        .join("contexts")
        .join("meta")
        .join(&id)
        .join("meta.json");
    let text = std::fs::read_to_string(&meta).map_err(|e| {
        let message = if e.kind() == std::io::ErrorKind::NotFound {
            format!(
                "no such context (looked for {}); `docker context ls` lists them",
                meta.display()
            )
        } else {
            format!("cannot read {}", meta.display())
        };
        Error::Context {
            name: name.to_string(),
            message,
            source: Some(Box::new(e)),
        }
    })?;
    let mut context = parse_meta(name, &text)?;
    context.current = current;
    let tls = dir.join("contexts").join("tls").join(&id).join("docker");
    if tls.is_dir() {
        context.tls_dir = Some(tls);
    }
    Ok(context)
}

fn parse_meta(name: &str, text: &str) -> Result<Context> {
    let meta: serde_json::Value = serde_json::from_str(text).map_err(|e| Error::Context {
        name: name.to_string(),
        message: "its meta.json is not JSON".into(),
        source: Some(Box::new(e)),
    })?;
    let stored = meta
        .get("Name")
        .and_then(|n| n.as_str())
        .unwrap_or_default();
    if stored != name {
        return Err(context_error(
            name,
            format!("its meta.json names another context ({stored:?})"),
        ));
    }
    let docker = meta
        .get("Endpoints")
        .and_then(|e| e.get("docker"))
        .ok_or_else(|| context_error(name, "it has no docker endpoint"))?;
    let host = docker
        .get("Host")
        .and_then(|h| h.as_str())
        .filter(|h| !h.is_empty())
        .ok_or_else(|| context_error(name, "its docker endpoint has no Host"))?;
    Ok(Context {
        name: name.to_string(),
        description: meta
            .get("Metadata")
            .and_then(|m| m.get("Description"))
            .and_then(|d| d.as_str())
            .filter(|d| !d.is_empty())
            .map(str::to_string),
        host: host.to_string(),
        skip_tls_verify: docker
            .get("SkipTLSVerify")
            .and_then(|s| s.as_bool())
            .unwrap_or(false),
        tls_dir: None,
        current: false,
    })
}

/// Every context: `default` first, then the store's, by name. A context whose metadata
/// cannot be read is an error naming it.
///
/// The integration test `contexts_written_by_the_docker_cli_are_followed` makes the same call.
///
/// ```no_run
/// # fn f() -> docker_engine::Result<()> {
/// for c in docker_engine::contexts::list()? {
///     let mark = if c.current { "*" } else { " " };
///     println!("{mark} {:<12} {}", c.name, c.host);
/// }
/// # Ok(()) }
/// ```
pub fn list() -> Result<Vec<Context>> {
    let current = current()?;
    let mut out = vec![default_context(current == DEFAULT_CONTEXT)];
    let Some(dir) = config_dir() else {
        return Ok(out);
    };
    let meta_dir = dir.join("contexts").join("meta");
    let entries = match std::fs::read_dir(&meta_dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(Error::Io(e)),
    };
    let mut stored = Vec::new();
    for entry in entries {
        let path = entry?.path().join("meta.json");
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let name = serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .and_then(|m| m.get("Name").and_then(|n| n.as_str()).map(str::to_string))
            .ok_or_else(|| {
                context_error(
                    &path.display().to_string(),
                    "a meta.json without a name in the context store",
                )
            })?;
        stored.push(load(&name)?);
    }
    stored.sort_by(|a, b| a.name.cmp(&b.name));
    out.extend(stored);
    Ok(out)
}

impl Context {
    /// A builder connected the way this context says: its host, and its TLS files
    /// (`ca.pem`, `cert.pem`, `key.pem`) or `skip-tls-verify`. A missing or unreadable TLS
    /// file is [`Error::Context`] naming the context.
    ///
    /// The integration test `contexts_written_by_the_docker_cli_are_followed` makes the same call.
    ///
    /// ```no_run
    /// # fn f() -> docker_engine::Result<()> {
    /// use std::time::Duration;
    /// let context = docker_engine::contexts::load("remote")?;
    /// let docker = context.builder()?.timeout(Duration::from_secs(30)).build()?;
    /// # Ok(()) }
    /// ```
    pub fn builder(&self) -> Result<DockerBuilder> {
        let builder = DockerBuilder::default().host(self.host.clone());
        let Some(dir) = &self.tls_dir else {
            if self.skip_tls_verify {
                return Ok(builder.tls(TlsMaterial::without_verification()));
            }
            return Ok(builder);
        };
        let read = |file: &str| -> Result<Option<Vec<u8>>> {
            let path = dir.join(file);
            match std::fs::read(&path) {
                Ok(b) => Ok(Some(b)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(Error::Context {
                    name: self.name.clone(),
                    message: format!("cannot read {}", path.display()),
                    source: Some(Box::new(e)),
                }),
            }
        };
        let (ca, cert, key) = (read("ca.pem")?, read("cert.pem")?, read("key.pem")?);
        let missing = |file: &str| {
            context_error(
                &self.name,
                format!("{} is missing", dir.join(file).display()),
            )
        };
        let (cert_pem, key_pem) = match (cert, key) {
            (Some(c), Some(k)) => (Some(c), Some(k)),
            (None, None) => (None, None),
            (Some(_), None) => return Err(missing("key.pem")),
            (None, Some(_)) => return Err(missing("cert.pem")),
        };
        let ca_pem = match ca {
            Some(ca) => ca,
            None if self.skip_tls_verify => Vec::new(),
            None => {
                return Err(context_error(
                    &self.name,
                    format!(
                        "{} is missing: this client verifies a daemon only against a CA it is given (the docker CLI would fall back to the system's roots)",
                        dir.join("ca.pem").display()
                    ),
                ));
            }
        };
        Ok(builder.tls(TlsMaterial {
            ca_pem,
            cert_pem,
            key_pem,
            skip_verify: self.skip_tls_verify,
        }))
    }
}

/// SHA-256 for the store's directory names: the build script's own (FIPS 180-4, its test
/// vectors in that file), so the crate has one.
#[allow(dead_code)]
#[path = "codegen/cache.rs"]
mod cache;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meta_json_as_the_docker_cli_writes_it() {
        let c = parse_meta(
            "remote",
            r#"{"Name":"remote","Metadata":{"Description":"lab box"},"Endpoints":{"docker":{"Host":"tcp://10.0.0.2:2376","SkipTLSVerify":true}}}"#,
        )
        .unwrap();
        assert_eq!(c.host, "tcp://10.0.0.2:2376");
        assert_eq!(c.description.as_deref(), Some("lab box"));
        assert!(c.skip_tls_verify);
        for (bad, why) in [
            ("{", "not JSON"),
            (
                r#"{"Name":"other","Endpoints":{"docker":{"Host":"x"}}}"#,
                "another context",
            ),
            (r#"{"Name":"remote","Endpoints":{}}"#, "no docker endpoint"),
            (r#"{"Name":"remote","Endpoints":{"docker":{}}}"#, "no Host"),
        ] {
            match parse_meta("remote", bad) {
                Err(Error::Context { name, message, .. }) => {
                    assert_eq!(name, "remote");
                    assert!(message.contains(why), "{message}");
                }
                other => panic!("{bad}: {other:?}"),
            }
        }
    }
}
