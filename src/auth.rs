//! Registry credentials for the `X-Registry-Auth` header, found the way the docker CLI finds them.
//!
//! [`RegistryAuth`] is the Engine API's `AuthConfig`, and [`RegistryAuth::header_value`] encodes
//! it for the header. [`DockerConfig`] reads the CLI's `config.json` and finds the credentials for
//! an image or a registry: from a credential helper (`credHelpers`, `credsStore`) or from an
//! inline `auths` entry.
//!
//! No password, token or `auth` value ever appears in an error, in `Debug` or in `Display`.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The key the docker CLI files Docker Hub credentials under, and the server URL it gives
/// credential helpers for Docker Hub.
pub const DOCKER_HUB_KEY: &str = "https://index.docker.io/v1/";

/// The host names that all mean Docker Hub; the second is the one they fold to.
const HUB_HOSTS: [&str; 2] = ["docker.io", "index.docker.io"];
/// How long a credential helper may take before it is killed.
const HELPER_TIMEOUT: Duration = Duration::from_secs(30);
/// What docker-credential-helpers print (with a failure status) when they hold nothing.
const HELPER_NOT_FOUND: &str = "credentials not found in native keychain";

/// An [`Error::Credentials`] with a formatted message. Never give it a secret.
macro_rules! creds_error {
    ($($arg:tt)*) => { Error::Credentials { message: format!($($arg)*), source: None } };
}

/// Credentials for one registry, as the Engine API's `AuthConfig`.
///
/// Serialises with the Engine's field names (`username`, `password`, `identitytoken`,
/// `registrytoken`, `serveraddress`), leaving out the fields that are `None`; deserialises
/// tolerating missing, `null` and unknown fields.
#[derive(Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default)]
pub struct RegistryAuth {
    /// User name, for basic authentication.
    #[serde(rename = "username", skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// Password (or an access token used as one), for basic authentication.
    #[serde(rename = "password", skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    /// An identity (refresh) token, used instead of a password.
    #[serde(rename = "identitytoken", skip_serializing_if = "Option::is_none")]
    pub identity_token: Option<String>,
    /// A bearer token for the registry, sent as it is.
    #[serde(rename = "registrytoken", skip_serializing_if = "Option::is_none")]
    pub registry_token: Option<String>,
    /// The registry these credentials are for (`127.0.0.1:5000`, [`DOCKER_HUB_KEY`]).
    #[serde(rename = "serveraddress", skip_serializing_if = "Option::is_none")]
    pub server_address: Option<String>,
}

impl RegistryAuth {
    /// User name and password.
    ///
    /// ```
    /// use docker_engine::auth::RegistryAuth;
    /// let auth = RegistryAuth::basic("ci", "s3cret").server("registry.example");
    /// assert_eq!(auth.to_string(), "user \"ci\" for registry.example");
    /// assert!(!format!("{auth:?}").contains("s3cret")); // never shown
    /// ```
    pub fn basic(username: impl Into<String>, password: impl Into<String>) -> Self {
        let (username, password) = (Some(username.into()), Some(password.into()));
        RegistryAuth {
            username,
            password,
            ..Self::default()
        }
    }

    /// An identity token (what a credential helper returns for the user `<token>`).
    ///
    /// ```
    /// use docker_engine::auth::RegistryAuth;
    /// let token = std::env::var("REGISTRY_TOKEN").unwrap_or_default();
    /// let auth = RegistryAuth::token(token).server("ghcr.io");
    /// assert_eq!(auth.to_string(), "identity token for ghcr.io");
    /// ```
    pub fn token(identity_token: impl Into<String>) -> Self {
        RegistryAuth {
            identity_token: Some(identity_token.into()),
            ..Self::default()
        }
    }

    /// The same credentials, naming the registry they are for.
    ///
    /// ```
    /// use docker_engine::auth::RegistryAuth;
    /// let auth = RegistryAuth::basic("ci", "s3cret").server("127.0.0.1:5000");
    /// assert_eq!(auth.server_address.as_deref(), Some("127.0.0.1:5000"));
    /// ```
    pub fn server(mut self, address: impl Into<String>) -> Self {
        self.server_address = Some(address.into());
        self
    }

    /// The `X-Registry-Auth` header value: the JSON in base64 with the URL-safe alphabet and
    /// padding, as the docker CLI's `registry.EncodeAuthConfig` makes it.
    ///
    /// ```
    /// use docker_engine::auth::RegistryAuth;
    /// let value = RegistryAuth::basic("ci", "s3cret").header_value();
    /// let mut headers = http::HeaderMap::new();
    /// headers.insert("X-Registry-Auth", value.parse().unwrap());
    /// ```
    pub fn header_value(&self) -> String {
        // A struct of strings always serialises.
        URL_SAFE.encode(serde_json::to_vec(self).unwrap_or_default())
    }
}

/// Shows `<redacted>` for a secret that is there, `None` for one that is not.
struct Redacted<'a>(&'a Option<String>);

impl fmt::Debug for Redacted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.as_ref().map_or("None", |_| "<redacted>"))
    }
}

/// Never shows the password or the tokens.
impl fmt::Debug for RegistryAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RegistryAuth")
            .field("username", &self.username)
            .field("password", &Redacted(&self.password))
            .field("identity_token", &Redacted(&self.identity_token))
            .field("registry_token", &Redacted(&self.registry_token))
            .field("server_address", &self.server_address)
            .finish()
    }
}

/// What kind of credentials, for which registry: `user "u" for ghcr.io`. Never a secret.
impl fmt::Display for RegistryAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.identity_token, &self.registry_token, &self.username) {
            (Some(_), _, _) => f.write_str("identity token")?,
            (_, Some(_), _) => f.write_str("registry token")?,
            (_, _, Some(user)) => write!(f, "user {user:?}")?,
            _ => f.write_str("no credentials")?,
        }
        let server = self.server_address.as_deref().unwrap_or("any registry");
        write!(f, " for {server}")
    }
}

/// The registry part of an image reference, split as the docker CLI splits it: the first path
/// component is a registry if it contains `.` or `:`, is `localhost`, or has upper-case
/// letters. Otherwise, and for Docker Hub's own names, the answer is `docker.io`.
///
/// ```
/// use docker_engine::auth::registry_of;
/// assert_eq!(registry_of("ubuntu:24.04"), "docker.io");
/// assert_eq!(registry_of("ghcr.io/owner/app:1"), "ghcr.io");
/// assert_eq!(registry_of("localhost:5000/app"), "localhost:5000");
/// ```
pub fn registry_of(image: &str) -> String {
    let first = image.trim().split_once('/').map_or("", |(first, _)| first);
    let named = first.contains(['.', ':']) || first == "localhost";
    if (named || first.chars().any(|c| c.is_ascii_uppercase())) && !is_hub(first) {
        first.to_string()
    } else {
        "docker.io".to_string()
    }
}

fn is_hub(host: &str) -> bool {
    HUB_HOSTS.iter().any(|h| h.eq_ignore_ascii_case(host))
}

/// The lower-cased `host[:port]` of a registry name or URL (scheme and path dropped); every
/// name of Docker Hub, and the empty name, become `index.docker.io`.
pub(crate) fn host_of(registry: &str) -> String {
    let r = registry.trim();
    let r = r.split_once("://").map_or(r, |(_, rest)| rest);
    let host = r.split('/').next().unwrap_or_default().to_ascii_lowercase();
    if host.is_empty() || is_hub(&host) {
        HUB_HOSTS[1].to_string()
    } else {
        host
    }
}

/// The key a registry's credentials are filed under and asked of helpers for: its
/// [`host_of`], or [`DOCKER_HUB_KEY`] for Docker Hub.
fn key_of(host: &str) -> &str {
    if host == HUB_HOSTS[1] {
        DOCKER_HUB_KEY
    } else {
        host
    }
}

/// An entry of a config map: under one of `keys` exactly, else the first whose host matches.
fn lookup<'a, V>(map: &'a BTreeMap<String, V>, keys: [&str; 2], host: &str) -> Option<&'a V> {
    keys.iter()
        .find_map(|k| map.get(*k))
        .or_else(|| map.iter().find(|(k, _)| host_of(k) == host).map(|(_, v)| v))
}

/// The parts of `config.json` that concern credentials; everything else is ignored.
#[derive(Clone, Default, Deserialize)]
#[serde(default)]
struct ConfigFile {
    auths: BTreeMap<String, AuthEntry>,
    #[serde(rename = "credsStore")]
    creds_store: Option<String>,
    #[serde(rename = "credHelpers")]
    cred_helpers: BTreeMap<String, String>,
    /// Proxy settings for containers and builds, by daemon host or `default`.
    proxies: BTreeMap<String, ProxyConfig>,
}

/// One entry of `proxies`.
#[derive(Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct ProxyConfig {
    http_proxy: Option<String>,
    https_proxy: Option<String>,
    no_proxy: Option<String>,
    ftp_proxy: Option<String>,
    all_proxy: Option<String>,
}

/// One entry of `auths`.
#[derive(Clone, Default, Deserialize)]
#[serde(default)]
struct AuthEntry {
    auth: Option<String>,
    username: Option<String>,
    password: Option<String>,
    identitytoken: Option<String>,
    registrytoken: Option<String>,
}

fn non_empty(s: &Option<String>) -> Option<String> {
    s.clone().filter(|s| !s.trim().is_empty())
}

impl AuthEntry {
    /// The credentials of this entry, filed under `key`; `None` for an empty entry (what the
    /// CLI writes when a credential store holds the secret).
    fn to_auth(&self, key: &str) -> Result<Option<RegistryAuth>> {
        let (mut username, mut password) = (non_empty(&self.username), non_empty(&self.password));
        if let Some(auth) = non_empty(&self.auth) {
            let bad = || {
                creds_error!(
                    "the `auth` of {key} in the Docker config is not base64 of user:password"
                )
            };
            let auth = auth.trim();
            let raw = STANDARD
                .decode(auth)
                .or_else(|_| STANDARD_NO_PAD.decode(auth));
            let text = String::from_utf8(raw.map_err(|_| bad())?).map_err(|_| bad())?;
            let (user, pass) = text.split_once(':').ok_or_else(bad)?;
            (username, password) = (Some(user.to_string()), Some(pass.to_string()));
        }
        let identity_token = non_empty(&self.identitytoken);
        let registry_token = non_empty(&self.registrytoken);
        let auth = RegistryAuth {
            username,
            password,
            identity_token,
            registry_token,
            server_address: None,
        };
        Ok((auth != RegistryAuth::default()).then(|| auth.server(key)))
    }
}

/// What a credential helper prints for `get` (its `ServerURL` is not needed).
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct HelperCredentials {
    username: Option<String>,
    secret: Option<String>,
}

/// The docker CLI's config file (`~/.docker/config.json`), for the credentials it names.
#[derive(Clone, Default)]
pub struct DockerConfig {
    file: ConfigFile,
    /// The `auths` of `DOCKER_AUTH_CONFIG`, taken before the file's.
    env_auths: Option<BTreeMap<String, AuthEntry>>,
    path: Option<PathBuf>,
    /// Where to find `docker-credential-*` instead of `PATH` (tests).
    helper_dir: Option<PathBuf>,
    /// How long a helper may take; [`HELPER_TIMEOUT`] when `None`.
    helper_timeout: Option<Duration>,
}

/// Shows the registries configured, never their credentials.
impl fmt::Debug for DockerConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DockerConfig")
            .field("path", &self.path)
            .field("auths", &self.file.auths.keys().collect::<Vec<_>>())
            .field("creds_store", &self.file.creds_store)
            .field("cred_helpers", &self.file.cred_helpers)
            .finish_non_exhaustive()
    }
}

impl DockerConfig {
    /// `$DOCKER_CONFIG/config.json`, else `$HOME/.docker/config.json`. A missing file is an
    /// empty config, not an error; an unreadable or malformed one is [`Error::Credentials`]
    /// naming the path.
    ///
    /// `DOCKER_AUTH_CONFIG`, when set, is a config's JSON (`{"auths": {...}}`) whose entries
    /// come before the file's, as in the docker CLI; a malformed one is
    /// [`Error::Credentials`] naming the variable (never quoting it).
    ///
    /// The integration test `pull_and_push_with_credentials_from_the_docker_config` reads the
    /// docker CLI's config the same way.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// use docker_engine::auth::DockerConfig;
    /// let config = DockerConfig::load()?;
    /// match config.credentials_for_image("ghcr.io/owner/app:1").await? {
    ///     Some(auth) => println!("{auth}"),
    ///     None => println!("no credentials for ghcr.io"),
    /// }
    /// # Ok(()) }
    /// ```
    pub fn load() -> Result<DockerConfig> {
        let var = |name| std::env::var_os(name).filter(|v| !v.is_empty());
        let mut config = match (var("DOCKER_CONFIG"), var("HOME")) {
            (Some(dir), _) => DockerConfig::from_path(PathBuf::from(dir).join("config.json"))?,
            (None, Some(home)) => {
                DockerConfig::from_path(Path::new(&home).join(".docker").join("config.json"))?
            }
            (None, None) => DockerConfig::default(),
        };
        if let Ok(text) = std::env::var("DOCKER_AUTH_CONFIG")
            && !text.trim().is_empty()
        {
            config.env_auths = Some(Self::parse(&text, "DOCKER_AUTH_CONFIG")?.file.auths);
        }
        Ok(config)
    }

    /// The config file at `path`: a missing file is an empty config; an unreadable or
    /// malformed one is [`Error::Credentials`] naming the path.
    ///
    /// ```
    /// use docker_engine::auth::DockerConfig;
    /// let missing = std::env::temp_dir().join("no-such-dir").join("config.json");
    /// let config = DockerConfig::from_path(missing)?; // a missing file is an empty config
    /// assert!(config.proxy_env("unix:///var/run/docker.sock").is_empty());
    /// # Ok::<(), docker_engine::Error>(())
    /// ```
    pub fn from_path(path: impl AsRef<Path>) -> Result<DockerConfig> {
        let path = path.as_ref();
        let mut config = match std::fs::read_to_string(path) {
            Ok(text) => Self::parse(&text, &path.display().to_string())?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => DockerConfig::default(),
            Err(e) => return Err(creds_error!("cannot read {}: {e}", path.display())),
        };
        config.path = Some(path.to_path_buf());
        Ok(config)
    }

    /// A config from its JSON text (an empty text is an empty config).
    ///
    /// ```
    /// use docker_engine::auth::DockerConfig;
    /// // base64 of `ci:s3cret`
    /// let text = r#"{"auths": {"registry.example": {"auth": "Y2k6czNjcmV0"}}}"#;
    /// let config = DockerConfig::from_json(text)?;
    /// println!("{config:?}"); // the registries, never the credentials
    /// # Ok::<(), docker_engine::Error>(())
    /// ```
    pub fn from_json(text: &str) -> Result<DockerConfig> {
        Self::parse(text, "Docker config JSON")
    }

    fn parse(text: &str, what: &str) -> Result<DockerConfig> {
        if text.trim().is_empty() {
            return Ok(DockerConfig::default());
        }
        // serde_json's messages can quote the offending value (an `auth` string, say): tell
        // only the kind of error and where it is.
        let file = serde_json::from_str(text).map_err(|e| {
            let kind = if e.is_data() {
                "a field has the wrong type"
            } else {
                "not valid JSON"
            };
            creds_error!(
                "malformed {what}: {kind} at line {} column {}",
                e.line(),
                e.column()
            )
        })?;
        Ok(DockerConfig {
            file,
            ..DockerConfig::default()
        })
    }

    /// The `proxies` of the config for the daemon at `host` (the entry named by the host as
    /// `DOCKER_HOST` gives it, else `default`) as environment variables, each in upper and
    /// lower case (`HTTP_PROXY`, `http_proxy`, ...), as the docker CLI and docker-py
    /// (`use_config_proxy`) add them to a container's environment and a build's arguments.
    ///
    /// ```
    /// use docker_engine::auth::DockerConfig;
    /// let text = r#"{"proxies": {"default": {"httpProxy": "http://proxy:3128"}}}"#;
    /// let config = DockerConfig::from_json(text)?;
    /// let env = config.proxy_env("unix:///var/run/docker.sock");
    /// assert!(env.contains(&("HTTP_PROXY".into(), "http://proxy:3128".into())));
    /// assert!(env.contains(&("http_proxy".into(), "http://proxy:3128".into())));
    /// # Ok::<(), docker_engine::Error>(())
    /// ```
    pub fn proxy_env(&self, host: &str) -> Vec<(String, String)> {
        let Some(p) = self
            .file
            .proxies
            .get(host)
            .or_else(|| self.file.proxies.get("default"))
        else {
            return Vec::new();
        };
        let mut env = Vec::new();
        for (name, value) in [
            ("HTTP_PROXY", &p.http_proxy),
            ("HTTPS_PROXY", &p.https_proxy),
            ("NO_PROXY", &p.no_proxy),
            ("FTP_PROXY", &p.ftp_proxy),
            ("ALL_PROXY", &p.all_proxy),
        ] {
            if let Some(v) = value.as_ref().filter(|v| !v.is_empty()) {
                env.push((name.to_string(), v.clone()));
                env.push((name.to_ascii_lowercase(), v.clone()));
            }
        }
        env
    }

    /// Credentials for the registry that serves `image` (`127.0.0.1:5000/x:tag`, `ubuntu`,
    /// `ghcr.io/a/b@sha256:...`); see [`DockerConfig::credentials_for_registry`].
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> docker_engine::Result<()> {
    /// use docker_engine::auth::DockerConfig;
    /// let text = r#"{"auths": {"127.0.0.1:5000": {"auth": "Y2k6czNjcmV0"}}}"#;
    /// let config = DockerConfig::from_json(text)?;
    /// let auth = config.credentials_for_image("127.0.0.1:5000/app:1").await?.unwrap();
    /// assert_eq!(auth.username.as_deref(), Some("ci"));
    /// assert!(config.credentials_for_image("busybox").await?.is_none());
    /// # Ok(()) }
    /// ```
    pub async fn credentials_for_image(&self, image: &str) -> Result<Option<RegistryAuth>> {
        self.credentials_for_registry(&registry_of(image)).await
    }

    /// Credentials for `registry` (`127.0.0.1:5000`, `docker.io`, `https://ghcr.io`), found
    /// as the docker CLI finds them (its `configfile.GetCredentialsStore`):
    ///
    /// 1. `DOCKER_AUTH_CONFIG`: its `auths` entry for the registry, if the variable is set
    ///    (read by [`DockerConfig::load`]);
    /// 2. the helper `credHelpers` names for the registry's key, looked up by that exact
    ///    key (`127.0.0.1:5000`; [`DOCKER_HUB_KEY`] for Docker Hub), else the `credsStore`
    ///    helper: what it answers, and nothing when it has nothing (the CLI's native store
    ///    does not fall back to `auths`);
    /// 3. without a helper, the `auths` entry (its `auth` field, base64 of
    ///    `user:password`, or `username`/`password`, or `identitytoken`), by exact key,
    ///    else by host as the CLI's file store converts old keys (`https://host/v1/`).
    ///
    /// Docker Hub is `docker.io` and `index.docker.io`; `registry-1.docker.io` is a registry
    /// of its own, as in the CLI's reference parsing. `Ok(None)` when nothing is
    /// configured for the registry.
    ///
    /// The integration test `pull_and_push_with_credentials_from_the_docker_config` finds
    /// credentials the same way.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// use docker_engine::auth::DockerConfig;
    /// let config = DockerConfig::load()?; // may run a credential helper (`credsStore`)
    /// if let Some(auth) = config.credentials_for_registry("docker.io").await? {
    ///     docker.login(auth).await?;
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn credentials_for_registry(&self, registry: &str) -> Result<Option<RegistryAuth>> {
        let host = host_of(registry);
        let key = key_of(&host);
        if let Some(env) = &self.env_auths
            && let Some(entry) = lookup(env, [registry, key], &host)
            && let Some(auth) = entry.to_auth(key)?
        {
            return Ok(Some(auth));
        }
        let helper = self
            .file
            .cred_helpers
            .get(key)
            .or(self.file.creds_store.as_ref())
            .filter(|h| !h.is_empty());
        if let Some(helper) = helper {
            return self.run_helper(helper, key).await;
        }
        self.inline_credentials(registry)
    }

    /// The `auths` entry for `registry`, as [`DockerConfig::credentials_for_registry`] takes
    /// it when no helper is configured.
    pub(crate) fn inline_credentials(&self, registry: &str) -> Result<Option<RegistryAuth>> {
        let host = host_of(registry);
        let key = key_of(&host);
        match lookup(&self.file.auths, [registry, key], &host) {
            Some(entry) => entry.to_auth(key),
            None => Ok(None),
        }
    }

    /// `docker-credential-<name> get` for `server`, killed after the timeout.
    async fn run_helper(&self, name: &str, server: &str) -> Result<Option<RegistryAuth>> {
        let bin = format!("docker-credential-{name}");
        if name.contains(['/', '\\']) {
            return Err(creds_error!("invalid credential helper name {name:?}"));
        }
        let program = self
            .helper_dir
            .as_ref()
            .map_or(PathBuf::from(&bin), |d| d.join(&bin));
        let limit = self.helper_timeout.unwrap_or(HELPER_TIMEOUT);
        let output = tokio::time::timeout(limit, helper_output(&program, server))
            .await
            .map_err(|_| creds_error!("{bin} did not answer within {limit:?}"))?
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::NotFound => {
                    creds_error!("credential helper {bin} not found (is it installed and on PATH?)")
                }
                _ => creds_error!("cannot run {bin}: {e}"),
            })?;
        let failed = (!output.status.success()).then_some(output.status);
        helper_answer(&bin, server, failed, &output.stdout, &output.stderr)
    }
}

/// What helper `bin` answered for `server`: credentials, `None` when it holds nothing, or an
/// error. `failed` is its exit status when that was not success.
pub(crate) fn helper_answer(
    bin: &str,
    server: &str,
    failed: Option<impl fmt::Display>,
    stdout: &[u8],
    stderr: &[u8],
) -> Result<Option<RegistryAuth>> {
    let text = String::from_utf8_lossy(stdout);
    if let Some(status) = failed {
        if text.contains(HELPER_NOT_FOUND) {
            return Ok(None);
        }
        let said = describe_failure(stderr, stdout);
        return Err(creds_error!("{bin} get failed ({status}): {said}"));
    }
    let creds: HelperCredentials = serde_json::from_str(&text)
        .map_err(|_| creds_error!("{bin} get printed something other than credentials"))?;
    let username = creds.username.unwrap_or_default();
    let secret = creds.secret.unwrap_or_default();
    Ok(match username.as_str() {
        "" if secret.is_empty() => None,
        "<token>" => Some(RegistryAuth::token(secret).server(server)),
        _ => Some(RegistryAuth::basic(username, secret).server(server)),
    })
}

/// Run `program get` with `server` and a newline on its stdin, and collect what it prints.
///
/// The pipes are served by blocking threads (a helper is a short-lived process; tokio's
/// `process` feature would cost every user's build its signal driver). Dropping the future,
/// as the timeout does, kills the helper and reaps it, which ends those threads too.
async fn helper_output(program: &Path, server: &str) -> std::io::Result<std::process::Output> {
    use std::io::{Read, Write};
    let child = std::process::Command::new(program)
        .arg("get")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let mut child = KillOnDrop(Some(child));
    let proc = child.0.as_mut().expect("just spawned");
    let (stdin, stdout, stderr) = (proc.stdin.take(), proc.stdout.take(), proc.stderr.take());
    let line = format!("{server}\n");
    let read = |pipe: Option<Box<dyn Read + Send>>| {
        tokio::task::spawn_blocking(move || {
            let mut out = Vec::new();
            if let Some(pipe) = pipe {
                pipe.take(HELPER_OUTPUT_LIMIT).read_to_end(&mut out)?;
            }
            Ok::<_, std::io::Error>(out)
        })
    };
    let stdout = read(stdout.map(|p| Box::new(p) as Box<dyn Read + Send>));
    let stderr = read(stderr.map(|p| Box::new(p) as Box<dyn Read + Send>));
    let wrote = tokio::task::spawn_blocking(move || {
        // A helper that exits without reading is judged by its status, not by this write.
        stdin.map(|mut pipe| pipe.write_all(line.as_bytes()))
    });
    let joined = |r: std::result::Result<std::io::Result<Vec<u8>>, tokio::task::JoinError>| {
        r.map_err(std::io::Error::other)?
    };
    let (stdout, stderr) = (joined(stdout.await)?, joined(stderr.await)?);
    let _ = wrote.await;
    if [&stdout, &stderr]
        .iter()
        .any(|o| o.len() as u64 >= HELPER_OUTPUT_LIMIT)
    {
        // Killed on return, by the guard.
        return Err(std::io::Error::other("printed more than 1 MiB"));
    }
    // Both pipes are closed: the helper has exited or is about to.
    let status = loop {
        let proc = child.0.as_mut().expect("held until reaped");
        if let Some(status) = proc.try_wait()? {
            child.0 = None;
            break status;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    };
    Ok(std::process::Output {
        status,
        stdout,
        stderr,
    })
}

/// Most a helper's stdout or stderr is read (credentials are a few hundred bytes).
const HELPER_OUTPUT_LIMIT: u64 = 1 << 20;

/// A helper process that is killed and reaped when its future is dropped before it ended.
struct KillOnDrop(Option<std::process::Child>);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        if let Some(mut child) = self.0.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A failed helper's message: its stderr, else its stdout, cut to 300 characters; withheld
/// when it looks like credentials JSON, which may carry a secret.
fn describe_failure(stderr: &[u8], stdout: &[u8]) -> String {
    let said = [stderr, stdout]
        .into_iter()
        .map(|b| String::from_utf8_lossy(b).trim().to_string())
        .find(|t| !t.is_empty());
    match said {
        None => "no output".to_string(),
        Some(t) if t.starts_with('{') || t.contains("Secret") => "(output withheld)".to_string(),
        Some(t) => t.chars().take(300).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Every secret in these tests contains this, so one check covers them all.
    const SECRET: &str = "s3cret";

    fn assert_hidden(text: &str) {
        assert!(!text.contains(SECRET), "secret leaked: {text}");
        assert!(!text.contains("czNjcmV0"), "base64 secret leaked: {text}"); // base64 "s3cret"
    }

    fn assert_credentials_error(e: Error, needle: &str) {
        let (shown, debug) = (e.to_string(), format!("{e:?}"));
        assert!(matches!(e, Error::Credentials { .. }), "{debug}");
        assert!(shown.contains(needle), "{shown:?} lacks {needle:?}");
        assert_hidden(&shown);
        assert_hidden(&debug);
    }

    fn scratch_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("docker-auth-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn decode(header: &str) -> serde_json::Value {
        serde_json::from_slice(&URL_SAFE.decode(header).unwrap()).unwrap()
    }

    /// Basic credentials for `server`, as the lookups answer them.
    fn basic(user: &str, password: &str, server: &str) -> Option<RegistryAuth> {
        Some(RegistryAuth::basic(user, password).server(server))
    }

    #[test]
    fn header_value_round_trip() {
        let password = format!("{SECRET}~~~>>>???");
        let auth = RegistryAuth::basic("me", &password).server("127.0.0.1:5000");
        let standard = STANDARD.encode(serde_json::to_vec(&auth).unwrap());
        assert!(standard.contains('+') && standard.contains('/'));
        let header = auth.header_value();
        assert!(!header.contains(['+', '/']));
        assert!(header.len().is_multiple_of(4), "padded");
        let expected = json!({
            "username": "me", "password": password, "serveraddress": "127.0.0.1:5000"
        });
        assert_eq!(decode(&header), expected);

        let token = RegistryAuth::token("tok").server("ghcr.io").header_value();
        let expected = json!({"identitytoken": "tok", "serveraddress": "ghcr.io"});
        assert_eq!(decode(&token), expected);

        let back: RegistryAuth =
            serde_json::from_str(r#"{"username":"u","password":null,"x":1}"#).expect("tolerant");
        assert_eq!((back.username.as_deref(), back.password), (Some("u"), None));
    }

    #[test]
    fn registry_of_splits_like_the_cli() {
        for (image, registry) in [
            ("ubuntu", "docker.io"),
            ("ubuntu:22.04", "docker.io"),
            ("library/ubuntu", "docker.io"),
            ("docker.io/library/ubuntu", "docker.io"),
            ("index.docker.io/library/ubuntu", "docker.io"),
            ("localhost/x", "localhost"),
            ("localhost:5000/x", "localhost:5000"),
            ("127.0.0.1:5000/x:tag", "127.0.0.1:5000"),
            ("ghcr.io/a/b@sha256:abc", "ghcr.io"),
            ("a/b/c", "docker.io"),
        ] {
            assert_eq!(registry_of(image), registry, "{image}");
        }
    }

    #[tokio::test]
    async fn auths_entries() {
        let encode = |u: &str, p: &str| STANDARD.encode(format!("{u}:{p}"));
        let text = json!({
            "auths": {
                "https://index.docker.io/v1/": {"auth": encode("hub", "s3cret-hub")},
                "127.0.0.1:5000": {"username": "local", "password": "s3cret-local"},
                "https://ghcr.io": {"identitytoken": "s3cret-gh"},
                "http://reg.example.com/v2/": {"auth": encode("reg", "s3cret-reg")},
                "empty.example": {},
                "bad.example": {"auth": "czNjcmV0 not base64"},
            },
            "HttpHeaders": {"User-Agent": "x"}
        });
        let config = DockerConfig::from_json(&text.to_string()).unwrap();
        assert_hidden(&format!("{config:?}"));
        let hub = basic("hub", "s3cret-hub", DOCKER_HUB_KEY);
        let ghcr = Some(RegistryAuth::token("s3cret-gh").server("ghcr.io"));
        for (image, expected) in [
            ("ubuntu", &hub),
            ("docker.io/library/ubuntu", &hub),
            ("index.docker.io/a/b", &hub),
            // A registry of its own to the docker CLI's reference parser, not Docker Hub.
            ("registry-1.docker.io/a/b", &None),
            (
                "127.0.0.1:5000/x:tag",
                &basic("local", "s3cret-local", "127.0.0.1:5000"),
            ),
            ("ghcr.io/a/b@sha256:abc", &ghcr),
            (
                "reg.example.com/x",
                &basic("reg", "s3cret-reg", "reg.example.com"),
            ),
            ("empty.example/x", &None),
            ("quay.io/x", &None),
        ] {
            let got = config.credentials_for_image(image).await.unwrap();
            assert_eq!(&got, expected, "{image}");
        }
        let got = config.credentials_for_registry("https://ghcr.io/v2/").await;
        assert_eq!(got.unwrap(), ghcr);
        let got = config.credentials_for_image("bad.example/x").await;
        assert_credentials_error(got.unwrap_err(), "bad.example");

        // Docker Hub filed under another of its names.
        let text = json!({"auths": {"docker.io": {"auth": encode("hub", "s3cret-hub")}}});
        let config = DockerConfig::from_json(&text.to_string()).unwrap();
        let got = config.credentials_for_image("library/ubuntu").await;
        assert_eq!(got.unwrap(), hub);
    }

    #[tokio::test]
    async fn config_files() {
        let dir = scratch_dir("files");
        let missing = DockerConfig::from_path(dir.join("nope.json")).unwrap();
        assert_eq!(missing.credentials_for_image("ubuntu").await.unwrap(), None);

        let path = dir.join("config.json");
        // An `auths` entry that is a string: serde_json would quote it in its message.
        std::fs::write(&path, r#"{"auths": {"x.io": "czNjcmV0LXZhbHVl"}}"#).unwrap();
        let e = DockerConfig::from_path(&path).unwrap_err();
        assert_credentials_error(e, &path.display().to_string());
        std::fs::write(&path, r#"{"auths": {"x.io": {"auth": "s3cret"#).unwrap();
        let e = DockerConfig::from_path(&path).unwrap_err();
        assert_credentials_error(e, "not valid JSON");
        std::fs::write(&path, "").unwrap();
        assert!(DockerConfig::from_path(&path).is_ok());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn credential_helpers() {
        use std::os::unix::fs::PermissionsExt;
        const SCRIPT: &str = r#"#!/bin/sh
[ "$1" = get ] || exit 2
read -r server
case "$server" in
  found.example) printf '{"ServerURL":"%s","Username":"alice","Secret":"s3cret-a"}\n' "$server" ;;
  token.example) echo '{"ServerURL":"token.example","Username":"<token>","Secret":"s3cret-t"}' ;;
  https://index.docker.io/v1/) echo '{"Username":"hub","Secret":"s3cret-hub"}' ;;
  missing.example|absent.example) echo "credentials not found in native keychain"; exit 1 ;;
  fail.example) echo '{"Username":"alice","Secret":"s3cret-leak"}'; exit 3 ;;
  locked.example) echo "keychain locked" >&2; exit 1 ;;
  hang.example) exec sleep 30 ;;
  big.example) printf '{"Username":"u","Secret":"'; head -c 1000000 /dev/zero | tr '\0' x; printf '"}\n' ;;
  flood.example) head -c 2000000 /dev/zero ;;
  *) echo "unexpected server $server" >&2; exit 4 ;;
esac
"#;
        // Helpers are found in `dir` through `helper_dir`: PATH is left alone.
        let dir = scratch_dir("helpers");
        let script = dir.join("docker-credential-fake");
        std::fs::write(&script, SCRIPT).unwrap();
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        let text = json!({
            "credsStore": "fake",
            "credHelpers": {"other.example": "absent", "evil.example": "../fake"},
            "auths": {"missing.example": {"auth": STANDARD.encode("file:s3cret-f")}},
        });
        let mut config = DockerConfig::from_json(&text.to_string()).unwrap();
        config.helper_dir = Some(dir.clone());
        config.helper_timeout = Some(Duration::from_millis(500));

        let token = Some(RegistryAuth::token("s3cret-t").server("token.example"));
        for (image, expected) in [
            (
                "found.example/x",
                basic("alice", "s3cret-a", "found.example"),
            ),
            ("ubuntu", basic("hub", "s3cret-hub", DOCKER_HUB_KEY)),
            ("token.example/x", token),
            // Not found by the helper: nothing, as in the docker CLI (no fallback to the
            // inline entry the config also has).
            ("missing.example/x", None),
            ("absent.example/x", None),
            // Just under the 1 MiB bound on a helper's output.
            (
                "big.example/x",
                basic("u", &"x".repeat(1_000_000), "big.example"),
            ),
        ] {
            let got = config.credentials_for_image(image).await.unwrap();
            assert_hidden(&format!("{got:?} {got:#?}"));
            assert_eq!(got, expected, "{image}");
        }
        // DOCKER_AUTH_CONFIG comes first: its entry, and the helper is not run (hang.example
        // would time out).
        config.env_auths = DockerConfig::from_json(
            &json!({"auths": {"hang.example": {"auth": STANDARD.encode("env:s3cret-e")}}})
                .to_string(),
        )
        .unwrap()
        .file
        .auths
        .into();
        let got = config
            .credentials_for_image("hang.example/x")
            .await
            .unwrap();
        assert_eq!(got, basic("env", "s3cret-e", "hang.example"));
        config.env_auths = None;
        for (image, needle) in [
            ("fail.example/x", "docker-credential-fake get failed"),
            ("locked.example/x", "keychain locked"),
            ("other.example/x", "docker-credential-absent not found"),
            ("evil.example/x", "invalid credential helper"),
            ("hang.example/x", "did not answer"),
            ("flood.example/x", "more than 1 MiB"),
        ] {
            let start = std::time::Instant::now();
            let e = config.credentials_for_image(image).await.unwrap_err();
            assert_credentials_error(e, needle);
            assert!(start.elapsed() < Duration::from_secs(10), "{image}");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn debug_and_display_hide_secrets() {
        let auth = RegistryAuth {
            username: Some("u".into()),
            password: Some("s3cret-p".into()),
            identity_token: Some("s3cret-i".into()),
            registry_token: Some("s3cret-r".into()),
            server_address: Some("r.example".into()),
        };
        let expected = "RegistryAuth { username: Some(\"u\"), password: <redacted>, \
            identity_token: <redacted>, registry_token: <redacted>, \
            server_address: Some(\"r.example\") }";
        assert_eq!(format!("{auth:?}"), expected);
        assert_eq!(auth.to_string(), "identity token for r.example");
        let basic = RegistryAuth::basic("u", "s3cret");
        assert_eq!(basic.to_string(), "user \"u\" for any registry");
        assert_hidden(&format!("{auth:#?} {auth} {basic:?}"));
        assert!(format!("{:?}", RegistryAuth::default()).contains("password: None"));
    }
}
