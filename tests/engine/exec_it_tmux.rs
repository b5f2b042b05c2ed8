//! The `exec_it` example driven as a user would: in a real terminal (tmux), typing keys
//! and reading the screen.

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::common::{LABEL, docker, engine, unique};

fn example_binary() -> PathBuf {
    // target/debug/deps/<this test> -> target/debug/examples/exec_it (built by `cargo test`).
    let exe = std::env::current_exe().unwrap();
    let bin = exe
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("examples")
        .join("exec_it");
    assert!(
        bin.exists(),
        "{} is missing: run through `cargo test`, which builds examples",
        bin.display()
    );
    bin
}

fn tmux(args: &[&str]) -> String {
    let out = Command::new("tmux")
        .args(args)
        .output()
        .expect("tmux is installed by scripts/test-engines.sh up");
    assert!(
        out.status.success(),
        "tmux {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn screen(session: &str) -> String {
    tmux(&["capture-pane", "-p", "-t", session])
}

fn wait_for(session: &str, needle: &str) -> String {
    let start = Instant::now();
    loop {
        let s = screen(session);
        if s.contains(needle) {
            return s;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "{needle:?} not on screen within 30 s:\n{s}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[tokio::test]
async fn exec_it_in_a_real_terminal() {
    let scope = crate::common::Scope::new();
    let e = engine();
    let c = docker()
        .containers()
        .create(&e.image)
        .name(unique("exec-it"))
        .label(LABEL, scope.value())
        .cmd(["sleep", "600"])
        .send()
        .await
        .unwrap();
    c.start().await.unwrap();

    let session = unique("tmux");
    let dir = std::env::temp_dir().join(&session);
    std::fs::create_dir_all(&dir).unwrap();
    let script = format!(
        "stty -g > {d}/before; DOCKER_HOST={host} {bin} {id} sh; echo EXIT=$?; stty -g > {d}/after; \
         cmp -s {d}/before {d}/after && echo TERMINAL-RESTORED; sleep 600",
        d = dir.display(),
        host = e.host,
        bin = example_binary().display(),
        id = c.id()
    );
    tmux(&[
        "new-session",
        "-d",
        "-s",
        &session,
        "-x",
        "120",
        "-y",
        "40",
        "sh",
        "-c",
        &script,
    ]);

    tmux(&[
        "send-keys",
        "-t",
        &session,
        "stty size; echo ready-$((6*7))",
        "Enter",
    ]);
    let s = wait_for(&session, "ready-42");
    assert!(
        s.contains("40 120"),
        "the initial size reached the exec:\n{s}"
    );

    tmux(&["resize-window", "-t", &session, "-x", "100", "-y", "30"]);
    std::thread::sleep(Duration::from_millis(500));
    tmux(&[
        "send-keys",
        "-t",
        &session,
        "clear; stty size; echo resized-$((2*21))",
        "Enter",
    ]);
    let s = wait_for(&session, "resized-42");
    assert!(s.contains("30 100"), "the new size was forwarded:\n{s}");

    // Raw mode: ctrl-c goes to the remote shell, not to the example.
    tmux(&["send-keys", "-t", &session, "sleep 100", "Enter"]);
    std::thread::sleep(Duration::from_millis(300));
    tmux(&["send-keys", "-t", &session, "C-c"]);
    tmux(&["send-keys", "-t", &session, "echo still-$((40+2))", "Enter"]);
    wait_for(&session, "still-42");

    tmux(&["send-keys", "-t", &session, "exit 4", "Enter"]);
    let s = wait_for(&session, "TERMINAL-RESTORED");
    assert!(s.contains("EXIT=4"), "the remote exit code came back:\n{s}");

    let _ = Command::new("tmux")
        .args(["kill-session", "-t", &session])
        .status();
    let _ = std::fs::remove_dir_all(&dir);
    c.remove().force(true).volumes(true).send().await.unwrap();
}
