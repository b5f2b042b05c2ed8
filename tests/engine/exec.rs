//! exec_run, interactive exec and attach over the upgraded connection.

use std::time::Duration;

use docker_engine::containers::Container;
use docker_engine::stream::LogChunk;
use futures_util::StreamExt;
use tokio::io::AsyncWriteExt;

use crate::common::{LABEL, docker, engine, unique};

async fn sleeper(scope: &crate::common::Scope, name: &str) -> Container {
    let c = docker()
        .containers()
        .create(engine().image)
        .name(unique(name))
        .label(LABEL, scope.value())
        .cmd(["sleep", "600"])
        .send()
        .await
        .unwrap();
    c.start().await.unwrap();
    c
}

/// Read a session's output to the end, keeping what it says.
async fn read_all(
    mut s: impl futures_core::Stream<Item = docker_engine::Result<LogChunk>> + Unpin,
) -> (Vec<u8>, Vec<u8>) {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    while let Some(chunk) = tokio::time::timeout(Duration::from_secs(30), s.next())
        .await
        .expect("output within 30 s")
    {
        match chunk.unwrap() {
            LogChunk::StdErr(b) => err.extend_from_slice(&b),
            other => out.extend_from_slice(other.bytes()),
        }
    }
    (out, err)
}

/// Read until the output contains `needle`.
async fn read_until(
    s: &mut (impl futures_core::Stream<Item = docker_engine::Result<LogChunk>> + Unpin),
    needle: &str,
) -> String {
    let mut seen = String::new();
    while !seen.contains(needle) {
        let chunk = tokio::time::timeout(Duration::from_secs(30), s.next())
            .await
            .unwrap_or_else(|_| panic!("{needle:?} within 30 s; saw {seen:?}"))
            .unwrap_or_else(|| panic!("stream ended before {needle:?}; saw {seen:?}"))
            .unwrap();
        seen.push_str(&chunk.to_string());
    }
    seen
}

#[tokio::test]
async fn exec_run_collects_stdout_stderr_and_exit_code() {
    let scope = crate::common::Scope::new();
    let c = sleeper(&scope, "exec-run").await;
    let r = c
        .exec_run(["sh", "-c", "echo out; echo err >&2; exit 7"])
        .send()
        .await
        .unwrap();
    assert_eq!(r.exit_code, Some(7));
    assert_eq!(r.stdout, b"out\n");
    assert_eq!(r.stderr, b"err\n");

    let r = c
        .exec_run(["sh", "-c", "echo $FOO; pwd; id -u"])
        .env("FOO", "bar baz")
        .working_dir("/tmp")
        .user("nobody")
        .send()
        .await
        .unwrap();
    assert_eq!(
        (r.exit_code, String::from_utf8_lossy(&r.stdout).as_ref()),
        (Some(0), "bar baz\n/tmp\n65534\n")
    );

    let r = c
        .exec_run(["sh", "-c", "echo tty; echo err >&2"])
        .tty(true)
        .send()
        .await
        .unwrap();
    assert_eq!(r.stdout, b"tty\r\nerr\r\n", "a TTY merges the streams");
    assert!(r.stderr.is_empty());

    let r = c
        .exec_run(["sh", "-c", "sleep 1; touch /tmp/detached"])
        .detach(true)
        .send()
        .await
        .unwrap();
    assert_eq!(r.exit_code, None);
    let mut ok = false;
    for _ in 0..50 {
        if c.exec_run(["test", "-e", "/tmp/detached"])
            .send()
            .await
            .unwrap()
            .exit_code
            == Some(0)
        {
            ok = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(ok, "the detached exec ran");

    let missing = c.exec_run(["/no/such/binary"]).send().await.unwrap();
    assert_ne!(missing.exit_code, Some(0));
    c.remove().force(true).volumes(true).send().await.unwrap();
}

#[tokio::test]
async fn ten_mib_through_cat_and_back() {
    let scope = crate::common::Scope::new();
    let c = sleeper(&scope, "exec-cat").await;
    let session = c.exec(["cat"]).stdin(true).start().await.unwrap();
    let control = session.control();
    let (output, mut input) = session.split();
    let data: Vec<u8> = (0..10u32 << 20)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    let sent = data.clone();
    let writer = tokio::spawn(async move {
        input.write_all(&sent).await.unwrap();
        input.shutdown().await.unwrap();
    });
    let (out, err) = read_all(output).await;
    writer.await.unwrap();
    assert_eq!(out.len(), data.len());
    assert!(out == data, "cat returned the same 10 MiB");
    assert!(err.is_empty());
    assert_eq!(control.wait().await.unwrap(), 0);
    c.remove().force(true).volumes(true).send().await.unwrap();
}

#[tokio::test]
async fn stdin_eof_ends_cat_and_output_keeps_flowing_after_shutdown() {
    let scope = crate::common::Scope::new();
    let c = sleeper(&scope, "exec-eof").await;
    let mut s = c
        .exec(["sh", "-c", "cat; echo after-eof"])
        .stdin(true)
        .start()
        .await
        .unwrap();
    s.write_all(b"abc").await.unwrap();
    s.shutdown().await.unwrap();
    let mut out = Vec::new();
    while let Some(chunk) = tokio::time::timeout(Duration::from_secs(30), s.next())
        .await
        .unwrap()
    {
        out.extend_from_slice(chunk.unwrap().bytes());
    }
    assert_eq!(out, b"abcafter-eof\n");
    assert_eq!(s.wait().await.unwrap(), 0);
    c.remove().force(true).volumes(true).send().await.unwrap();
}

#[tokio::test]
async fn interactive_shell_with_tty_and_resize() {
    let scope = crate::common::Scope::new();
    let c = sleeper(&scope, "exec-tty").await;
    let mut sh = c.exec(["sh"]).stdin(true).tty(true).start().await.unwrap();
    sh.resize(100, 40).await.unwrap();
    sh.write_all(b"stty size; echo marker-$((6*7))\n")
        .await
        .unwrap();
    let seen = read_until(&mut sh, "marker-42").await;
    assert!(seen.contains("40 100"), "stty sees the resize: {seen:?}");
    sh.write_all(b"exit 3\n").await.unwrap();
    while let Some(chunk) = tokio::time::timeout(Duration::from_secs(30), sh.next())
        .await
        .unwrap()
    {
        assert!(
            matches!(chunk.unwrap(), LogChunk::Console(_)),
            "a TTY stream is console output"
        );
    }
    assert_eq!(sh.wait().await.unwrap(), 3);
    c.remove().force(true).volumes(true).send().await.unwrap();
}

#[tokio::test]
async fn attach_to_cat() {
    let scope = crate::common::Scope::new();
    let c = docker()
        .containers()
        .create(engine().image)
        .name(unique("attach-cat"))
        .label(LABEL, scope.value())
        .stdin_open(true)
        .cmd(["cat"])
        .send()
        .await
        .unwrap();
    let mut s = c.attach().stdin(true).start().await.unwrap();
    c.start().await.unwrap();
    s.write_all(b"hello attach\n").await.unwrap();
    let seen = read_until(&mut s, "hello attach\n").await;
    assert_eq!(seen, "hello attach\n");
    s.shutdown().await.unwrap();
    let (rest, _) = read_all(s).await;
    assert!(rest.is_empty());
    assert_eq!(c.wait().await.unwrap(), 0, "closing stdin ended cat");
    c.remove().force(true).volumes(true).send().await.unwrap();
}

#[tokio::test]
async fn attach_to_an_interactive_shell_with_tty() {
    let scope = crate::common::Scope::new();
    let c = docker()
        .containers()
        .create(engine().image)
        .name(unique("attach-sh"))
        .label(LABEL, scope.value())
        .stdin_open(true)
        .tty(true)
        .cmd(["sh", "-i"])
        .send()
        .await
        .unwrap();
    c.start().await.unwrap();
    let mut s = c.attach().stdin(true).logs(true).start().await.unwrap();
    s.write_all(b"echo attached-$((40+2))\n").await.unwrap();
    read_until(&mut s, "attached-42").await;
    s.write_all(b"exit 5\n").await.unwrap();
    let _ = read_all(s).await;
    assert_eq!(c.wait().await.unwrap(), 5);
    c.remove().force(true).volumes(true).send().await.unwrap();
}

#[tokio::test]
async fn exec_in_a_missing_container_is_not_found() {
    // A container removed after it was inspected: the exec calls get the daemon's 404.
    let scope = crate::common::Scope::new();
    let c = sleeper(&scope, "exec-gone").await;
    c.remove().force(true).send().await.unwrap();
    let err = c.exec_run(["true"]).send().await.unwrap_err();
    assert!(
        matches!(&err, docker_engine::Error::NotFound { message } if message.contains(c.id())),
        "{err:?}"
    );
    let err = c.exec(["true"]).start().await.err().unwrap();
    assert!(
        matches!(err, docker_engine::Error::NotFound { .. }),
        "{err:?}"
    );
}
