//! Logs byte for byte, follow, events, stats, and what happens when streams are dropped.

use std::time::Duration;

use docker_engine::stream::LogChunk;
use futures_util::StreamExt;

use crate::common::{LABEL, docker, engine, is_podman, unique};

async fn run_to_end(
    scope: &crate::common::Scope,
    cmd: &str,
    tty: bool,
) -> docker_engine::containers::Container {
    run_with_driver(scope, cmd, tty, "json-file").await
}

async fn run_with_driver(
    scope: &crate::common::Scope,
    cmd: &str,
    tty: bool,
    driver: &str,
) -> docker_engine::containers::Container {
    let c = docker()
        .containers()
        .create(engine().image)
        .name(unique("logs"))
        .label(LABEL, scope.value())
        .tty(tty)
        .log_driver(driver)
        .cmd(["sh", "-c", cmd])
        .send()
        .await
        .unwrap();
    c.start().await.unwrap();
    assert_eq!(c.wait().await.unwrap(), 0);
    c
}

#[tokio::test]
async fn logs_are_byte_exact_with_binary_data_and_interleaving() {
    let scope = crate::common::Scope::new();
    // The `local` driver keeps bytes as they are; `json-file` stores JSON text (see below).
    let binary =
        r#"printf 'a\000b\377\r'; printf 'err1' >&2; printf '\nno-newline'; printf 'e2\n' >&2"#;
    let c = if is_podman() {
        // Podman has no `local` driver. Its own, k8s-file (which it also takes as
        // `json-file`), keeps bytes as they are.
        let err = docker()
            .containers()
            .create(engine().image)
            .label(LABEL, scope.value())
            .log_driver("local")
            .send()
            .await
            .unwrap_err();
        assert!(
            matches!(&err, docker_engine::Error::Api { status: 500, message } if message.contains("invalid log driver")),
            "{err:?}"
        );
        run_with_driver(&scope, binary, false, "k8s-file").await
    } else {
        run_with_driver(&scope, binary, false, "local").await
    };
    let chunks = c.logs().send().await.unwrap();
    let mut out = Vec::new();
    let mut err = Vec::new();
    for ch in &chunks {
        match ch {
            LogChunk::StdOut(b) => out.extend_from_slice(b),
            LogChunk::StdErr(b) => err.extend_from_slice(b),
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(out, b"a\x00b\xff\r\nno-newline");
    assert_eq!(err, b"err1e2\n");
    let json = run_to_end(&scope, binary, false).await;
    let (out, err) = json.logs().stream().collect_output().await.unwrap();
    if is_podman() {
        assert_eq!(
            out, b"a\x00b\xff\r\nno-newline",
            "Podman's json-file is k8s-file"
        );
    } else {
        assert_eq!(
            out,
            "a\0b\u{fffd}\r\nno-newline".as_bytes(),
            "json-file replaces invalid UTF-8"
        );
    }
    assert_eq!(err, b"err1e2\n");
    json.remove()
        .force(true)
        .volumes(true)
        .send()
        .await
        .unwrap();
    let only_err = c.logs().stdout(false).send().await.unwrap();
    assert!(only_err.iter().all(|c| matches!(c, LogChunk::StdErr(_))));

    let big = run_to_end(&scope, "seq 1 20000", false).await;
    let (out, _) = big.logs().stream().collect_output().await.unwrap();
    let want: String = (1..=20000).map(|i| format!("{i}\n")).collect();
    assert!(out == want.as_bytes(), "20000 lines intact");
    let tail = big.logs().tail(2).send().await.unwrap();
    assert_eq!(
        tail.iter().map(|c| c.to_string()).collect::<String>(),
        "19999\n20000\n"
    );
    c.remove().force(true).volumes(true).send().await.unwrap();
    big.remove().force(true).volumes(true).send().await.unwrap();
}

#[tokio::test]
async fn timestamps_are_parsed_off_each_line() {
    let scope = crate::common::Scope::new();
    let c = run_to_end(&scope, "echo one; echo two >&2; printf 'three'", false).await;
    let lines: Vec<_> = c
        .logs()
        .lines()
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert_eq!(lines.len(), 3, "{lines:?}");
    let mut texts: Vec<String> = lines.iter().map(|l| l.chunk.to_string()).collect();
    texts.sort();
    assert_eq!(texts, ["one\n", "three", "two\n"]);
    for l in &lines {
        assert!(
            l.timestamp.ends_with('Z') && l.timestamp.len() >= 20,
            "{l:?}"
        );
    }
    assert!(lines.iter().any(|l| matches!(l.chunk, LogChunk::StdErr(_))));
    // `since` and `until` (UNIX seconds) select a window.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    assert!(c.logs().since(now + 3600).send().await.unwrap().is_empty());
    assert!(c.logs().until(1).send().await.unwrap().is_empty());
    assert_eq!(
        c.logs()
            .since(now - 3600)
            .until(now + 3600)
            .send()
            .await
            .unwrap()
            .len(),
        3
    );
    c.remove().force(true).volumes(true).send().await.unwrap();
}

#[tokio::test]
async fn tty_logs_are_console_output() {
    let scope = crate::common::Scope::new();
    let c = run_to_end(&scope, "echo tty-out; echo tty-err >&2", true).await;
    let chunks = c.logs().send().await.unwrap();
    assert!(chunks.iter().all(|c| matches!(c, LogChunk::Console(_))));
    let text: String = chunks.iter().map(|c| c.to_string()).collect();
    assert_eq!(text, "tty-out\r\ntty-err\r\n");
    // A container got by name knows its TTY from its inspect answer.
    let fresh = docker().containers().get(c.name()).await.unwrap();
    assert!(
        fresh
            .logs()
            .send()
            .await
            .unwrap()
            .iter()
            .all(|c| matches!(c, LogChunk::Console(_)))
    );
    c.remove().force(true).volumes(true).send().await.unwrap();
}

#[tokio::test]
async fn follow_waits_on_a_quiet_container_and_ends_when_it_exits() {
    let scope = crate::common::Scope::new();
    let c = docker()
        .containers()
        .create(engine().image)
        .label(LABEL, scope.value())
        .cmd(["sh", "-c", "echo early; sleep 3; echo late"])
        .send()
        .await
        .unwrap();
    c.start().await.unwrap();
    let started = std::time::Instant::now();
    let text: String = c
        .logs()
        .follow(true)
        .send()
        .await
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(text, "early\nlate\n");
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "followed the quiet period"
    );
    c.remove().force(true).volumes(true).send().await.unwrap();
}

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").unwrap().count()
}

#[tokio::test]
async fn dropping_follow_streams_closes_their_connections() {
    let scope = crate::common::Scope::new();
    let c = docker()
        .containers()
        .create(engine().image)
        .label(LABEL, scope.value())
        .cmd(["sh", "-c", "echo hi; sleep 600"])
        .send()
        .await
        .unwrap();
    c.start().await.unwrap();
    let docker = docker();
    let c = docker.containers().get(c.id()).await.unwrap();
    // Warm up the pool, then measure.
    let mut s = c.logs().follow(true).stream();
    s.next().await.unwrap().unwrap();
    drop(s);
    tokio::time::sleep(Duration::from_millis(100)).await;
    let before = open_fds();
    for _ in 0..1000 {
        let mut s = c.logs().follow(true).stream();
        assert_eq!(s.next().await.unwrap().unwrap().to_string(), "hi\n");
        drop(s);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let after = open_fds();
    // Other tests of this binary run at the same time and hold a few connections of their
    // own; a leak here would be one descriptor per cycle, a thousand.
    assert!(
        after < before + 50,
        "1000 open/drop cycles: fds {before} -> {after}"
    );
    c.remove().force(true).volumes(true).send().await.unwrap();
}

#[tokio::test]
async fn events_show_a_container_created_here() {
    let scope = crate::common::Scope::new();
    let label = unique("events");
    let docker = docker();
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        - 1;
    let mut events = docker
        .events()
        .since(since)
        .label(format!("{LABEL}.events={label}"))
        .object_type("container")
        .stream();
    let c = docker
        .containers()
        .create(engine().image)
        .label(LABEL, scope.value())
        .label(format!("{LABEL}.events"), &label)
        .cmd(["true"])
        .send()
        .await
        .unwrap();
    c.start().await.unwrap();
    let mut actions = Vec::new();
    while !actions.iter().any(|a| a == "die") {
        let e = tokio::time::timeout(Duration::from_secs(30), events.next())
            .await
            .expect("events within 30 s")
            .unwrap()
            .unwrap();
        let actor = e.actor.as_ref().unwrap();
        assert_eq!(actor.id.as_deref(), Some(c.id()));
        actions.push(e.action.unwrap_or_default());
    }
    // Podman reports the container's init (its OCI create) between create and start.
    let want: &[&str] = if is_podman() {
        &["create", "init", "start", "die"]
    } else {
        &["create", "start", "die"]
    };
    assert_eq!(&actions[..want.len()], want, "{actions:?}");
    c.remove().force(true).volumes(true).send().await.unwrap();
}

#[tokio::test]
async fn stats_one_shot_and_streaming() {
    let scope = crate::common::Scope::new();
    let c = docker()
        .containers()
        .create(engine().image)
        .label(LABEL, scope.value())
        .cmd(["sleep", "600"])
        .send()
        .await
        .unwrap();
    c.start().await.unwrap();
    // Read through the wire names: the stats type is a struct in the v1.51 spec and a JSON
    // map in the v1.41 and v1.45 specs, and the suite is also built from those.
    let one = serde_json::to_value(c.stats().send().await.unwrap()).unwrap();
    assert!(
        one["memory_stats"].is_object() && one["cpu_stats"].is_object(),
        "{one:?}"
    );
    let mut stream = c.stats().stream();
    for _ in 0..2 {
        let s = tokio::time::timeout(Duration::from_secs(10), stream.next())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        let s = serde_json::to_value(s).unwrap();
        assert!(s["read"].is_string(), "{s:?}");
    }
    drop(stream);
    c.remove().force(true).volumes(true).send().await.unwrap();
}

#[tokio::test]
async fn logs_pinned_to_api_1_41_are_demultiplexed_although_labelled_raw_stream() {
    // Docker 28.5 answering an API 1.41 request labels a multiplexed log `raw-stream`:
    // below 1.42 the TTY flag decides, not the header.
    let scope = crate::common::Scope::new();
    let d = docker_engine::Docker::builder()
        .host(engine().host)
        .api_version(docker_engine::ApiVersion::new(1, 41))
        .build()
        .unwrap();
    let c = d
        .containers()
        .create(engine().image)
        .label(LABEL, scope.value())
        .cmd(["sh", "-c", "echo out; echo err >&2"])
        .send()
        .await
        .unwrap();
    c.start().await.unwrap();
    assert_eq!(c.wait().await.unwrap(), 0);
    let mut chunks = c.logs().send().await.unwrap();
    chunks.sort_by_key(|c| matches!(c, LogChunk::StdErr(_)));
    assert!(
        matches!(&chunks[..], [LogChunk::StdOut(o), LogChunk::StdErr(e)] if &o[..] == b"out\n" && &e[..] == b"err\n"),
        "{chunks:?}"
    );
    // The same through a handle that was never inspected (the TTY flag fetched on demand).
    let chunks = d.containers().handle(c.id()).logs().send().await.unwrap();
    assert_eq!(chunks.len(), 2, "{chunks:?}");
}
