//! The `exec_it` example driven as a user would: in a real terminal (tmux), typing keys
//! and reading the screen.

use std::path::PathBuf;
use std::time::Duration;

use crate::common::tmux::Tmux;
use crate::common::{engine, unique};

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

#[tokio::test]
async fn exec_it_in_a_real_terminal() {
    let scope = crate::common::Scope::new();
    let e = engine();
    let c = scope.sleeper().await;

    let dir = std::env::temp_dir().join(unique("exec-it"));
    std::fs::create_dir_all(&dir).unwrap();
    let script = format!(
        "stty -g > {d}/before; DOCKER_HOST={host} {bin} {id} sh; echo EXIT=$?; stty -g > {d}/after; \
         cmp -s {d}/before {d}/after && echo TERMINAL-RESTORED; sleep 600",
        d = dir.display(),
        host = e.host,
        bin = example_binary().display(),
        id = c.id()
    );
    // One argument: tmux runs it with the shell.
    let term = Tmux::new(120, 40, &script);

    // The initial size reached the exec, and the new one is forwarded.
    term.assert_stty_size(120, 40);
    term.resize(100, 30);
    term.assert_stty_size(100, 30);

    // Raw mode: ctrl-c goes to the remote shell, not to the example.
    term.keys(&["sleep 100", "Enter"]);
    std::thread::sleep(Duration::from_millis(300));
    term.keys(&["C-c"]);
    term.keys(&["echo still-$((40+2))", "Enter"]);
    term.wait_for("still-42", Duration::from_secs(30));

    term.keys(&["exit 4", "Enter"]);
    let s = term.wait_for("TERMINAL-RESTORED", Duration::from_secs(30));
    assert!(s.contains("EXIT=4"), "the remote exit code came back:\n{s}");

    drop(term);
    let _ = std::fs::remove_dir_all(&dir);
    c.remove().force(true).volumes(true).send().await.unwrap();
}
