//! A daemon restarted between two calls (its pooled connection closed under us) does not
//! fail the next call. Its own binary: it restarts the engine under test.

#[path = "engine/common/mod.rs"]
mod common;

use std::process::Command;

use futures_util::StreamExt;

#[tokio::test]
async fn a_restarted_daemon_does_not_fail_the_next_call() {
    let scope = common::Scope::new();
    let e = common::engine();
    let docker = common::docker();
    docker.version().await.unwrap();
    docker.containers().list().send().await.unwrap();

    // A stream open across the restart ends promptly, not a hang.
    let c = docker
        .containers()
        .create(&e.image)
        .label(common::LABEL, scope.value())
        .cmd(["sh", "-c", "while true; do echo tick; sleep 0.2; done"])
        .send()
        .await
        .unwrap();
    c.start().await.unwrap();
    let mut logs = c.logs().follow(true).stream();
    assert_eq!(logs.next().await.unwrap().unwrap().to_string(), "tick\n");

    let status = Command::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scripts/test-engines.sh"
    ))
    .args(["restart", &e.name])
    .status()
    .expect("run scripts/test-engines.sh restart");
    assert!(status.success(), "restart {} failed", e.name);
    let ended = tokio::time::timeout(std::time::Duration::from_secs(1), async {
        loop {
            match logs.next().await {
                Some(Ok(_)) => continue,
                other => return other,
            }
        }
    })
    .await
    .expect("the stream ends within a second of the daemon going away");
    // The engines run without live-restore (swarm mode refuses it), so the daemon stops the
    // container on its way down: the stream ends with its end (the container exited) or
    // with an error (the connection went first), but it ends.
    assert!(matches!(ended, None | Some(Err(_))), "ends: {ended:?}");

    // The pooled connection is dead; the next calls must go through on a new one.
    let v = docker.version().await.unwrap();
    assert!(v.version.is_some());
    for _ in 0..5 {
        docker.containers().list().all(true).send().await.unwrap();
    }
    c.remove().force(true).volumes(true).send().await.unwrap();
}
