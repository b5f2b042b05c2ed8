//! A daemon restarted between two calls (its pooled connection closed under us) does not
//! fail the next call. Its own binary: it restarts the engine under test.

mod common;

use std::process::Command;

#[tokio::test]
async fn a_restarted_daemon_does_not_fail_the_next_call() {
    let e = common::engine();
    let docker = common::docker();
    docker.version().await.unwrap();
    docker.containers().list().send().await.unwrap();

    let status = Command::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scripts/test-engines.sh"
    ))
    .args(["restart", &e.name])
    .status()
    .expect("run scripts/test-engines.sh restart");
    assert!(status.success(), "restart {} failed", e.name);

    // The pooled connection is dead; the next calls must go through on a new one.
    let v = docker.version().await.unwrap();
    assert!(v.version.is_some());
    for _ in 0..5 {
        docker.containers().list().all(true).send().await.unwrap();
    }
}
