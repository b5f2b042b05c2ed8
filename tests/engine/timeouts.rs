//! Timeouts and daemon faults through the one core: on a real engine (long streams and long
//! polls are not cut), and on a daemon stand-in for what a real engine cannot do on purpose
//! (accept a request and never answer, stall inside a body, send a huge error body, fail
//! `/_ping`).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use docker_engine::{Docker, Error};
use futures_util::StreamExt;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::common::{LABEL, Scope, engine, unique};

/// What the stand-in does with a request, by its request line.
pub(crate) enum Answer {
    /// Write these bytes (a whole response).
    Bytes(Vec<u8>),
    /// Write these bytes, then never write again (the connection stays open).
    ThenStall(Vec<u8>),
    /// Wait, then write these bytes.
    Late(Duration, Vec<u8>),
    /// Close the connection without an answer (the request was read).
    Close,
}

pub(crate) fn json(status: &str, body: &str) -> Answer {
    Answer::Bytes(
        format!(
            "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nApi-Version: 1.51\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .into_bytes(),
    )
}

pub(crate) fn ping_ok() -> Answer {
    Answer::Bytes(b"HTTP/1.1 200 OK\r\nApi-Version: 1.51\r\nContent-Length: 2\r\n\r\nOK".to_vec())
}

/// A daemon stand-in on a unix socket; its address.
pub(crate) fn stand_in(answer: impl Fn(&str) -> Answer + Send + Sync + 'static) -> String {
    let dir = PathBuf::from(engine().dir).join("stand-ins");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{}.sock", unique("standin")));
    let listener = tokio::net::UnixListener::bind(&path).unwrap();
    let answer = Arc::new(answer);
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            let answer = answer.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                loop {
                    // Read one request head (the tests send no bodies that matter here).
                    let mut chunk = [0u8; 4096];
                    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                        match sock.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                    }
                    let end = buf.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
                    let head = String::from_utf8_lossy(&buf[..end]).to_string();
                    let length = head
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length:")
                                .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                        })
                        .unwrap_or(0);
                    while buf.len() < end + length {
                        match sock.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                    }
                    buf.drain(..end + length);
                    let line = head.lines().next().unwrap_or_default().to_string();
                    match answer(&line) {
                        Answer::Bytes(b) => {
                            if sock.write_all(&b).await.is_err() {
                                return;
                            }
                        }
                        Answer::Late(after, b) => {
                            tokio::time::sleep(after).await;
                            if sock.write_all(&b).await.is_err() {
                                return;
                            }
                        }
                        Answer::Close => return,
                        Answer::ThenStall(b) => {
                            let _ = sock.write_all(&b).await;
                            tokio::time::sleep(Duration::from_secs(3600)).await;
                            return;
                        }
                    }
                }
            });
        }
    });
    format!("unix://{}", path.display())
}

fn with_timeout(host: &str, t: Duration) -> Docker {
    Docker::builder().host(host).timeout(t).build().unwrap()
}

const INSPECT: &str = r#"{"Id":"c0ffee","Name":"/standin","Config":{"Tty":false}}"#;

#[tokio::test]
async fn a_request_timeout_bounds_the_head_of_a_stream_and_of_an_upgrade() {
    let host = stand_in(|line| match line {
        l if l.contains("/_ping") => ping_ok(),
        l if l.contains("/containers/c0ffee/json") => json("200 OK", INSPECT),
        l if l.contains("/exec") && l.contains("/start") => Answer::ThenStall(Vec::new()),
        l if l.contains("/exec") => json("201 Created", r#"{"Id":"e1"}"#),
        _ => Answer::ThenStall(Vec::new()),
    });
    let d = with_timeout(&host, Duration::from_millis(300));
    let c = d.containers().get("c0ffee").await.unwrap();

    let started = Instant::now();
    let first = c.logs().follow(true).stream().next().await;
    assert!(
        matches!(
            first,
            Some(Err(Error::Timeout {
                what: "the response head",
                ..
            }))
        ),
        "{first:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );

    let started = Instant::now();
    let session = c.exec(["sh"]).stdin(true).start().await;
    assert!(
        matches!(
            session,
            Err(Error::Timeout {
                what: "the response head",
                ..
            })
        ),
        "{:?}",
        session.err()
    );
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn a_request_timeout_bounds_a_whole_unary_call() {
    // The head comes at once; the body never ends.
    let host = stand_in(|line| {
        match line {
        l if l.contains("/_ping") => ping_ok(),
        _ => Answer::ThenStall(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"Version\""
                .to_vec(),
        ),
    }
    });
    let d = with_timeout(&host, Duration::from_millis(300));
    let started = Instant::now();
    let r = d.version().await;
    assert!(
        matches!(
            r,
            Err(Error::Timeout {
                what: "the whole request",
                ..
            })
        ),
        "{r:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(3));
    // The raw client is the same door.
    let r = d.raw().system_info().send().await.map_err(Error::from);
    assert!(matches!(r, Err(Error::Timeout { .. })), "{r:?}");
}

#[tokio::test]
async fn without_a_timeout_a_stalled_call_can_be_cancelled_by_dropping_it() {
    let host = stand_in(|line| match line {
        l if l.contains("/_ping") => ping_ok(),
        _ => Answer::ThenStall(Vec::new()),
    });
    let d = Docker::connect(&host).unwrap();
    let r = tokio::time::timeout(Duration::from_millis(300), d.version()).await;
    assert!(
        r.is_err(),
        "still waiting: no client-wide timeout by default"
    );
}

#[tokio::test]
async fn error_bodies_are_read_up_to_a_bound_and_marked_where_cut() {
    let huge = format!("{{\"message\":\"{}\"}}", "x".repeat(4 << 20));
    let host = stand_in(move |line| {
        match line {
        l if l.contains("/_ping") => ping_ok(),
        _ => Answer::Bytes(
            format!(
                "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{huge}",
                huge.len()
            )
            .into_bytes(),
        ),
    }
    });
    let d = Docker::connect(&host).unwrap();
    for r in [
        d.containers().get("nope").await.map(drop),
        d.raw()
            .container_inspect()
            .id("nope")
            .send()
            .await
            .map(drop)
            .map_err(Error::from),
    ] {
        match r {
            Err(Error::NotFound { message }) => {
                let limit = docker_engine::ERROR_BODY_LIMIT;
                assert!(message.len() <= limit + 64, "{} bytes", message.len());
                assert!(message.ends_with(&format!("[... cut at {limit} bytes]")));
            }
            other => panic!("{other:?}"),
        }
    }
    // The connection was not reused after the cut; the next call works.
    assert!(matches!(
        d.containers().get("again").await,
        Err(Error::NotFound { .. })
    ));
}

/// A whole answer (a list, an inspect) is read up to `response_body_limit`; a body one byte
/// longer fails with a stream error naming the limit, and a `Content-Length` of a terabyte is
/// not taken as a size to allocate.
#[tokio::test]
async fn a_whole_answer_longer_than_the_limit_fails_and_one_at_the_limit_does_not() {
    const LIMIT: usize = 1 << 20;
    let host = stand_in(|line| {
        match line {
        l if l.contains("/_ping") => ping_ok(),
        // An empty JSON array padded with spaces to the length asked for in the label filter.
        l if l.contains("/containers/json") => {
            let n: usize = l.split("size%3D").nth(1).unwrap().split('%').next().unwrap().parse().unwrap();
            json("200 OK", &format!("[{}]", " ".repeat(n - 2)))
        }
        _ => Answer::Bytes(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1099511627776\r\n\r\n[]"
                .to_vec(),
        ),
    }
    });
    let d = Docker::builder()
        .host(&host)
        .response_body_limit(LIMIT)
        .build()
        .unwrap();
    let list = |n: usize| d.containers().list().label(format!("size={n}")).send();
    assert!(list(LIMIT).await.unwrap().is_empty());
    match list(LIMIT + 1).await {
        Err(Error::Stream { message, .. }) => {
            assert!(
                message.contains(&format!("longer than {LIMIT} bytes")),
                "{message}"
            )
        }
        other => panic!("{other:?}"),
    }
    // The raw client goes through the same door.
    assert!(matches!(
        d.raw()
            .container_list()
            .filters(r#"{"label":["size=1048577"]}"#)
            .send()
            .await
            .map_err(Error::from),
        Err(Error::Stream { .. })
    ));
    // The next call works (the cut connection was not pooled).
    assert!(list(64).await.unwrap().is_empty());
    // A terabyte announced, two bytes sent, the connection left open: the read waits for the
    // rest (no allocation of the announced size); the whole-call timeout ends it.
    let d = Docker::builder()
        .host(&host)
        .timeout(Duration::from_millis(500))
        .build()
        .unwrap();
    assert!(matches!(
        d.images().list().send().await,
        Err(Error::Timeout { .. })
    ));
}

/// A response head is read up to `RESPONSE_HEAD_LIMIT`: a path-stat header just under it
/// decodes, one over it fails the call (no buffer grows with what the daemon sends).
#[tokio::test]
async fn a_response_head_is_read_up_to_its_limit() {
    use base64::Engine as _;
    let header = |name_len: usize| {
        let json = format!(
            r#"{{"name":"{}","size":1,"mode":420,"mtime":"2026-11-29T00:00:00Z","linkTarget":""}}"#,
            "n".repeat(name_len)
        );
        base64::engine::general_purpose::STANDARD.encode(json)
    };
    let limit = docker_engine::RESPONSE_HEAD_LIMIT;
    // base64 grows 4/3: these names give a header of 3/4 of the limit, and of the limit + 64 KiB.
    let (small, large) = (header(limit * 9 / 16), header((limit + 64 * 1024) * 3 / 4));
    assert!(small.len() < limit - 1024 && large.len() > limit);
    let host = stand_in(move |line| {
        match line {
        l if l.contains("/_ping") => ping_ok(),
        l if l.contains("/containers/small/archive") => Answer::Bytes(
            format!("HTTP/1.1 200 OK\r\nX-Docker-Container-Path-Stat: {small}\r\nContent-Length: 0\r\n\r\n").into_bytes(),
        ),
        _ => Answer::Bytes(
            format!("HTTP/1.1 200 OK\r\nX-Docker-Container-Path-Stat: {large}\r\nContent-Length: 0\r\n\r\n").into_bytes(),
        ),
    }
    });
    let d = Docker::connect(&host).unwrap();
    let stat = d
        .containers()
        .handle("small")
        .stat_path("/x")
        .await
        .unwrap();
    assert_eq!(stat.name.len(), limit * 9 / 16);
    let err = d
        .containers()
        .handle("large")
        .stat_path("/x")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert!(err.to_string().contains("too large"), "{err}");
}

#[tokio::test]
async fn a_failing_ping_gives_the_same_error_as_any_other_call() {
    let host = stand_in(|line| match line {
        l if l.contains("/_ping") => {
            json("500 Internal Server Error", r#"{"message":"ping boom"}"#)
        }
        _ => json("500 Internal Server Error", r#"{"message":"other boom"}"#),
    });
    let d = Docker::connect(&host).unwrap();
    for r in [
        d.version().await.map(drop),
        d.raw()
            .system_info()
            .send()
            .await
            .map(drop)
            .map_err(Error::from),
        d.containers().list().send().await.map(drop),
    ] {
        assert!(
            matches!(&r, Err(Error::Api { status: 500, message }) if message == "ping boom"),
            "{r:?}"
        );
    }
    // A daemon that is not there: the address is named, and it is a transport error.
    let gone = Docker::connect("unix:///nonexistent/docker.sock").unwrap();
    let e = gone.version().await.unwrap_err();
    assert!(
        matches!(e, Error::Transport { .. }) && e.to_string().contains("/nonexistent/docker.sock"),
        "{e}"
    );
    assert!(std::error::Error::source(&e).is_some(), "the cause is kept");
}

#[tokio::test]
async fn long_streams_and_long_polls_outlive_the_request_timeout_on_a_real_engine() {
    let scope = Scope::new();
    // The objects are made by a client without a timeout: on a loaded machine a create
    // or a start alone can take longer than the one under test. The client with the 1 s
    // timeout does the long calls, each well past it.
    let setup = crate::common::docker();
    let d = Docker::builder()
        .host(engine().host)
        .timeout(Duration::from_secs(1))
        .build()
        .unwrap();
    let c = setup
        .containers()
        .create(engine().image)
        .name(unique("timeouts"))
        .label(LABEL, scope.value())
        .cmd([
            "sh",
            "-c",
            "for i in 1 2 3 4 5 6 7 8 9 10; do echo tick; sleep 0.3; done",
        ])
        .send()
        .await
        .unwrap();
    c.start().await.unwrap();
    let started = Instant::now();
    let mut ticks = 0;
    let mut logs = d.containers().handle(c.id()).logs().follow(true).stream();
    while let Some(chunk) = logs.next().await {
        chunk.unwrap();
        ticks += 1;
    }
    assert_eq!(ticks, 10, "the whole follow stream");
    assert!(
        started.elapsed() > Duration::from_secs(2),
        "it streamed past the timeout"
    );
    // `wait` is a long poll: 3 s against a 1 s timeout.
    let sleeper = setup
        .containers()
        .create(engine().image)
        .label(LABEL, scope.value())
        .cmd(["sleep", "3"])
        .send()
        .await
        .unwrap();
    sleeper.start().await.unwrap();
    assert_eq!(d.containers().handle(sleeper.id()).wait().await.unwrap(), 0);
    // An interactive session outlives it too.
    let long = scope.sleeper().await;
    let session = d
        .containers()
        .handle(long.id())
        .exec(["sh", "-c", "sleep 2; echo late"])
        .start()
        .await
        .unwrap();
    let out: Vec<String> = session.map(|c| c.unwrap().to_string()).collect().await;
    assert_eq!(out.concat(), "late\n");
}

#[tokio::test]
async fn concurrent_first_calls_share_one_failing_ping() {
    let pings = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = pings.clone();
    let host = stand_in(move |line| {
        if line.contains("/_ping") {
            counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let body = r#"{"message":"not yet"}"#;
            return Answer::Late(
                Duration::from_millis(300),
                format!(
                    "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                    body.len()
                )
                .into_bytes(),
            );
        }
        json("200 OK", "{}")
    });
    let d = Docker::connect(&host).unwrap();
    let calls = (0..16).map(|_| {
        let d = d.clone();
        tokio::spawn(async move { d.version().await })
    });
    for r in futures_util::future::join_all(calls).await {
        let r = r.unwrap();
        assert!(
            matches!(&r, Err(Error::Api { status: 503, message }) if message == "not yet"),
            "{r:?}"
        );
    }
    assert_eq!(
        pings.load(std::sync::atomic::Ordering::SeqCst),
        1,
        "one attempt, shared"
    );
    // The next call tries again.
    assert!(d.version().await.is_err());
    assert_eq!(pings.load(std::sync::atomic::Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_pooled_connection_closed_before_the_answer_retries_only_idempotent_requests() {
    use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
    let prunes = Arc::new(AtomicUsize::new(0));
    let infos = Arc::new(AtomicUsize::new(0));
    let (p, i) = (prunes.clone(), infos.clone());
    let host = stand_in(move |line| match line {
        l if l.contains("/_ping") => ping_ok(),
        l if l.contains("/containers/prune") => {
            p.fetch_add(1, SeqCst);
            Answer::Close
        }
        l if l.contains("/info") => {
            if i.fetch_add(1, SeqCst) == 0 {
                Answer::Close
            } else {
                json("200 OK", "{}")
            }
        }
        _ => json("200 OK", r#"{"Version":"standin"}"#),
    });
    let d = Docker::connect(&host).unwrap();
    // A POST on a pooled connection that the daemon closes after reading it: it may have
    // acted on it, so it is not sent again.
    d.version().await.unwrap();
    let r = d.raw().container_prune().send().await.map_err(Error::from);
    assert!(matches!(r, Err(Error::Transport { .. })), "{r:?}");
    assert_eq!(prunes.load(SeqCst), 1, "a POST is not retried");
    // A GET in the same situation is sent once more, on a new connection.
    d.version().await.unwrap();
    d.info().await.unwrap();
    assert_eq!(infos.load(SeqCst), 2, "a GET is retried once");
}
