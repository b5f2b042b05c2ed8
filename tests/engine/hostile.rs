//! Hostile values cannot bend a request: every id, name, query value and header value a
//! caller passes reaches the real engine as exactly one path segment of its operation's
//! template (or one query value, or stays inside one header), or the call is refused before
//! anything is sent. The requests are read as they leave the client, by a recording relay
//! between the client and the engine under test.

use std::sync::{Arc, Mutex};

use docker_engine::auth::RegistryAuth;
use docker_engine::{Docker, Error};
use futures_util::StreamExt;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::common::engine;

/// A loopback TCP relay to the engine's unix socket that keeps every byte the client sent.
struct Recorder {
    host: String,
    sent: Arc<Mutex<Vec<u8>>>,
}

impl Recorder {
    async fn start() -> Recorder {
        Recorder::with_prefix("").await
    }

    /// A relay that also plays a reverse proxy serving the engine under a path `prefix`
    /// (`/some/prefix`): it takes the prefix off each request line it forwards.
    async fn with_prefix(prefix: &'static str) -> Recorder {
        let socket = engine().host.strip_prefix("unix://").unwrap().to_string();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let host = format!("tcp://{}", listener.local_addr().unwrap());
        let sent = Arc::new(Mutex::new(Vec::new()));
        let log = sent.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let daemon = tokio::net::UnixStream::connect(&socket).await.unwrap();
                let (mut cr, mut cw) = client.into_split();
                let (mut dr, mut dw) = daemon.into_split();
                let log = log.clone();
                tokio::spawn(async move {
                    let mut buf = vec![0u8; 64 * 1024];
                    loop {
                        match cr.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => {
                                log.lock().unwrap().extend_from_slice(&buf[..n]);
                                let mut out = buf[..n].to_vec();
                                if !prefix.is_empty() {
                                    let text = String::from_utf8_lossy(&out)
                                        .replace(&format!(" {prefix}/"), " /");
                                    out = text.into_bytes();
                                }
                                if dw.write_all(&out).await.is_err() {
                                    return;
                                }
                            }
                        }
                    }
                });
                tokio::spawn(async move {
                    let _ = tokio::io::copy(&mut dr, &mut cw).await;
                });
            }
        });
        Recorder { host, sent }
    }

    /// What the client sent since the last call, as text.
    fn take(&self) -> String {
        String::from_utf8_lossy(&std::mem::take(&mut *self.sent.lock().unwrap())).into_owned()
    }
}

/// The request targets (`/v1.51/containers/x/json?...`) in what was sent, `/_ping` left out.
fn targets(sent: &str) -> Vec<String> {
    sent.split("\r\n")
        .filter_map(|line| {
            let (method, rest) = line.split_once(' ')?;
            let target = rest.strip_suffix(" HTTP/1.1")?;
            ["GET", "POST", "PUT", "DELETE", "HEAD"]
                .contains(&method)
                .then(|| target.to_string())
        })
        .filter(|t| t != "/_ping")
        .collect()
}

fn percent_decode(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = std::str::from_utf8(&b[i + 1..i + 3]).unwrap();
            out.push(u8::from_str_radix(hex, 16).unwrap());
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    out
}

/// A query's `key=value` pairs, form-decoded (`+` is a space).
fn query_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            let d = |s: &str| String::from_utf8(percent_decode(&s.replace('+', " "))).unwrap();
            (d(k), d(v))
        })
        .collect()
}

#[path = "../support/rng.rs"]
mod rng;
use rng::Rng;

const PIECES: &[&str] = &[
    "\\",
    "/",
    "%",
    "..",
    ".",
    "?",
    "#",
    "%2F",
    "%5C",
    "%2e%2e",
    "%252F",
    " ",
    "\t",
    "\n",
    "\r",
    "\0",
    "é",
    "☃",
    "\u{202e}",
    "&",
    "=",
    "+",
    ";",
    "@",
    ":",
    "'",
    "\"",
    "{",
    "}",
    "[",
    "]",
    "a",
    "Z",
    "0",
    "-",
    "_",
    "~",
    "..\\..\\_ping",
    "../../",
    "\u{7f}",
    "\u{1}",
    "json",
    "victim",
    "\u{fffd}",
    "𝄞",
    "*",
    "$",
    "!",
];

/// The classic attacks, then arbitrary strings made of the pieces above and of any char.
fn values(n: usize) -> Vec<String> {
    let mut out: Vec<String> = [
        "x\\..\\victim",
        "..\\..\\_ping",
        "../../_ping",
        "..%2F..%2F_ping",
        "%2e%2e/%2e%2e/_ping",
        "a/b",
        "a?b=c",
        "a#b",
        "a b",
        "a\r\nX-Evil: 1",
        "\\..\\..\\plugins\\x\\enable",
        "x/../../containers/json",
        "..;",
        "%00",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let mut rng = Rng(0x5eed_cafe_f00d_d00d);
    while out.len() < n {
        let mut s = String::new();
        for _ in 0..1 + rng.below(8) {
            if rng.below(4) == 0 {
                let c = char::from_u32(rng.below(0x11_0000) as u32).unwrap_or('\u{fffd}');
                s.push(c);
            } else {
                s.push_str(PIECES[rng.below(PIECES.len())]);
            }
        }
        // A value of hex digits only could be a prefix of a real object's id (the daemon
        // resolves those): every value has a character no id has.
        if s.chars().all(|c| c.is_ascii_hexdigit()) {
            s.push('~');
        }
        out.push(s);
    }
    out
}

/// What a call left on the wire, checked against its operation's templates (a call may
/// send more than one request: logs inspects the container too): `{}` is the value, every
/// other segment literal.
fn check_sent(
    what: &str,
    templates: &[&str],
    value: &str,
    exact: bool,
    result: &Result<(), Error>,
    sent: &str,
    prefix: &str,
) {
    let targets = targets(sent);
    if let Err(Error::InvalidArgument(_)) = result {
        assert!(
            targets.is_empty(),
            "{what}({value:?}) was refused but sent {targets:?}"
        );
        return;
    }
    assert!(
        result.is_err(),
        "{what}({value:?}) succeeded on a value no object has"
    );
    assert!(!targets.is_empty(), "{what}({value:?}) sent nothing");
    for target in &targets {
        assert!(
            target.bytes().all(|b| (0x21..0x7f).contains(&b)),
            "{what}({value:?}): raw byte in the request target {target:?}"
        );
        let path = target.split('?').next().unwrap();
        let path = path
            .strip_prefix(prefix)
            .unwrap_or_else(|| panic!("{what}({value:?}): {target:?} is not under {prefix}"));
        let fits = |template: &str| {
            let want: Vec<&str> = template.split('/').collect();
            let got: Vec<&str> = path.split('/').collect();
            want.len() == got.len()
                && want.iter().zip(&got).all(|(w, g)| {
                    if *w == "{}" {
                        !g.contains('\\') && (!exact || percent_decode(g) == value.as_bytes())
                    } else {
                        w == g
                    }
                })
        };
        assert!(
            templates.iter().any(|t| fits(t)),
            "{what}({value:?}): {path:?} is not one segment of {templates:?}"
        );
    }
}

fn unit<T>(r: Result<T, Error>) -> Result<(), Error> {
    r.map(drop)
}

#[tokio::test]
async fn no_value_a_caller_passes_bends_a_path_query_or_header() {
    let e = engine();
    let recorder = Recorder::start().await;
    let d = Docker::connect(&recorder.host).unwrap();
    let prefix = format!("/v{}", d.api_version().await.unwrap());
    recorder.take();
    let cases = values(400);
    let mut sent_count = 0;
    let mut refused = 0;
    for v in &cases {
        let v = v.as_str();
        let c = d.containers().handle(v);
        let i = d.images().handle(v);
        let _ = recorder.take();
        macro_rules! one {
            ($what:expr, $template:expr, $exact:expr, $call:expr) => {{
                let result = $call;
                let sent = recorder.take();
                check_sent($what, $template, v, $exact, &result, &sent, &prefix);
                match result {
                    Err(Error::InvalidArgument(_)) => refused += 1,
                    _ => sent_count += 1,
                }
            }};
        }
        one!(
            "containers().get",
            &["/containers/{}/json"],
            true,
            unit(d.containers().get(v).await)
        );
        one!(
            "images().get",
            &["/images/{}/json"],
            true,
            unit(d.images().get(v).await)
        );
        one!(
            "networks().get",
            &["/networks/{}"],
            true,
            unit(d.networks().get(v).await)
        );
        one!(
            "volumes().get",
            &["/volumes/{}"],
            true,
            unit(d.volumes().get(v).await)
        );
        one!("start", &["/containers/{}/start"], true, c.start().await);
        one!(
            "stop",
            &["/containers/{}/stop"],
            true,
            c.stop().send().await
        );
        one!(
            "kill",
            &["/containers/{}/kill"],
            true,
            c.kill().send().await
        );
        one!("remove", &["/containers/{}"], true, c.remove().send().await);
        one!("wait", &["/containers/{}/wait"], true, unit(c.wait().await));
        one!(
            "top",
            &["/containers/{}/top"],
            true,
            unit(c.top().send().await)
        );
        one!(
            "diff",
            &["/containers/{}/changes"],
            true,
            unit(c.diff().await)
        );
        one!(
            "logs",
            &["/containers/{}/logs", "/containers/{}/json"],
            true,
            match c.logs().stream().next().await {
                Some(Err(e)) => Err(e),
                other => panic!("logs({v:?}) gave {other:?}"),
            }
        );
        one!(
            "history",
            &["/images/{}/history"],
            true,
            unit(i.history().await)
        );
        one!(
            "image remove",
            &["/images/{}"],
            true,
            unit(i.remove().send().await)
        );
        one!(
            "exec_inspect",
            &["/exec/{}/json"],
            true,
            unit(
                d.raw()
                    .exec_inspect()
                    .id(v)
                    .send()
                    .await
                    .map_err(Error::from)
            )
        );
        one!(
            "plugin_inspect",
            &["/plugins/{}/json"],
            true,
            unit(
                d.raw()
                    .plugin_inspect()
                    .name(v)
                    .send()
                    .await
                    .map_err(Error::from)
            )
        );
        one!(
            "container_delete",
            &["/containers/{}"],
            true,
            unit(
                d.raw()
                    .container_delete()
                    .id(v)
                    .send()
                    .await
                    .map_err(Error::from)
            )
        );
        // A push of a reference built to climb out of /images/{name}/push: one segment,
        // whatever the daemon then says of the reference.
        one!(
            "push",
            &["/images/{}/push"],
            false,
            unit(
                d.images()
                    .push(format!("127.0.0.1:1/{v}"))
                    .auth(RegistryAuth::basic("u", "p"))
                    .send()
                    .await
            )
        );

        // A query value: the label filter decodes to exactly the value.
        let result = d.containers().list().all(true).label(v).send().await;
        let sent = recorder.take();
        let targets = targets(&sent);
        match result {
            // Podman (containers/common's label filter) takes a `*` in the key as a
            // wildcard: such a value matches what has a label of that pattern.
            Ok(list)
                if crate::common::is_podman() && v.split('=').next().unwrap().contains('*') =>
            {
                assert!(list.iter().all(|c| !c.labels().is_empty()), "{list:?}")
            }
            Ok(list) => assert!(list.is_empty(), "label {v:?} matched {list:?}"),
            Err(e) => panic!("label {v:?}: {e}"),
        }
        assert_eq!(targets.len(), 1, "{targets:?}");
        let target = &targets[0];
        assert!(
            target.bytes().all(|b| (0x21..0x7f).contains(&b)),
            "{target:?}"
        );
        let (path, query) = target.split_once('?').unwrap();
        assert_eq!(path, format!("{prefix}/containers/json"));
        let filters = query_pairs(query)
            .into_iter()
            .find(|(k, _)| k == "filters")
            .unwrap()
            .1;
        let filters: serde_json::Value = serde_json::from_str(&filters).unwrap();
        assert_eq!(filters["label"], serde_json::json!([v]), "{query}");
        sent_count += 1;

        // A rename: the new name is one query value, the id one segment.
        one!(
            "rename",
            &["/containers/{}/rename"],
            true,
            c.rename(v).await
        );
    }
    // A header value made of caller input cannot start a header of its own.
    let result = d
        .images()
        .pull(format!("{}/dei-hostile:none", e.registry))
        .auth(RegistryAuth::basic("u\r\nX-Evil: 1", "p\nX-Evil: 2"))
        .send()
        .await;
    assert!(result.is_err());
    let sent = recorder.take();
    assert!(!sent.contains("X-Evil"), "{sent}");
    eprintln!(
        "{} values: {sent_count} calls sent, each one segment of its template; {refused} refused before sending",
        cases.len()
    );
    assert!(sent_count > refused, "most values are sent, not refused");
}

/// Ids the daemon returns are encoded the same way: a hostile daemon that answers an exec
/// create with an id built to climb out of `/exec/{id}/start` gets that id back as one
/// segment, or the call is refused; no request reaches another endpoint.
#[tokio::test]
async fn an_id_the_daemon_returns_cannot_bend_the_next_request() {
    use crate::timeouts::{Answer, json, ping_ok, stand_in};
    let seen = Arc::new(Mutex::new(Vec::<String>::new()));
    let log = seen.clone();
    let host = stand_in(move |line| {
        log.lock().unwrap().push(line.to_string());
        match line {
            l if l.contains("/_ping") => ping_ok(),
            l if l.contains("/containers/c0ffee/json") => json(
                "200 OK",
                r#"{"Id":"c0ffee","Name":"/c","Config":{"Tty":false}}"#,
            ),
            l if l.contains("/containers/c0ffee/exec") => json(
                "201 Created",
                r#"{"Id":"..\\..\\containers\\victim\\kill?signal=KILL#"}"#,
            ),
            _ => Answer::Bytes(
                b"HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: 21\r\n\r\n{\"message\":\"nothing\"}"
                    .to_vec(),
            ),
        }
    });
    let d = Docker::connect(&host).unwrap();
    let c = d.containers().get("c0ffee").await.unwrap();
    let result = c.exec_run(["true"]).send().await;
    assert!(result.is_err(), "{result:?}");
    // The version the client speaks: 1.51, or older when built from an older spec
    // (scripts/regen-check.sh).
    let v = d.api_version().await.unwrap();
    let seen = seen.lock().unwrap().clone();
    for line in &seen {
        let target = line.split(' ').nth(1).unwrap();
        assert!(
            target == "/_ping"
                || target.starts_with(&format!("/v{v}/containers/c0ffee/"))
                || target.starts_with(&format!(
                    "/v{v}/exec/..%5C..%5Ccontainers%5Cvictim%5Ckill%3Fsignal%3DKILL%23/"
                )),
            "{line}"
        );
    }
}

/// `tcp://host:port/some/prefix/` puts every request under `/some/prefix` (the Go client's
/// base path), unary calls, streams and upgrades alike: through a prefix-stripping relay to
/// the real engine.
#[tokio::test]
async fn a_base_path_in_the_host_prefixes_every_request() {
    let e = engine();
    let recorder = Recorder::with_prefix("/some/prefix").await;
    let d = Docker::connect(&format!("{}/some/prefix/", recorder.host)).unwrap();
    assert!(d.address().ends_with("/some/prefix/"), "{}", d.address());
    d.version().await.unwrap();
    let c = d
        .containers()
        .create(&e.image)
        .label(crate::common::LABEL, crate::common::unique("prefix"))
        .cmd(["sh", "-c", "echo hi; sleep 30"])
        .send()
        .await
        .unwrap();
    c.start().await.unwrap();
    let first = c
        .logs()
        .follow(true)
        .stream()
        .next()
        .await
        .unwrap()
        .unwrap();
    assert_eq!(first.to_string(), "hi\n");
    let out = c.exec_run(["echo", "via-upgrade"]).send().await.unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "via-upgrade");
    c.remove().force(true).send().await.unwrap();
    let sent = recorder.take();
    let targets = targets(&sent);
    assert!(targets.len() >= 6, "{targets:?}");
    for t in &targets {
        assert!(
            t.starts_with("/some/prefix/v1.") || t == "/some/prefix/_ping",
            "{t}"
        );
    }
    assert!(sent.contains("GET /some/prefix/_ping HTTP/1.1"));
}
