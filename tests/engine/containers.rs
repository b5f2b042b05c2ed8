//! The containers collection and the Container model, docker-py style.

use std::time::Duration;

use docker_engine::{Error, types};
use futures_util::StreamExt;

use crate::common::{LABEL, docker, engine, unique};

#[tokio::test]
async fn list_is_one_request_with_filters() {
    let scope = crate::common::Scope::new();
    let e = engine();
    let d = docker();
    let tag = unique("list");
    let mut ids = Vec::new();
    for i in 0..3 {
        let c = d
            .containers()
            .create(&e.image)
            .name(format!("{tag}-{i}"))
            .label(LABEL, scope.value())
            .label("dei.list", &tag)
            .cmd(["sleep", "600"])
            .send()
            .await
            .unwrap();
        if i < 2 {
            c.start().await.unwrap();
        }
        ids.push(c.id().to_string());
    }
    let running = d
        .containers()
        .list()
        .label(format!("dei.list={tag}"))
        .send()
        .await
        .unwrap();
    assert_eq!(running.len(), 2);
    let all = d
        .containers()
        .list()
        .all(true)
        .label(format!("dei.list={tag}"))
        .send()
        .await
        .unwrap();
    assert_eq!(all.len(), 3);
    let exited = d
        .containers()
        .list()
        .all(true)
        .label(format!("dei.list={tag}"))
        .status("created")
        .send()
        .await
        .unwrap();
    assert_eq!(exited.len(), 1);
    assert_eq!(exited[0].id(), ids[2]);
    assert_eq!(exited[0].name(), format!("{tag}-2"));
    assert_eq!(exited[0].short_id(), &ids[2][..12]);
    assert_eq!(exited[0].labels().get("dei.list"), Some(&tag));
    assert_eq!(exited[0].image(), crate::common::reported(&e.image));
    let by_name = d
        .containers()
        .list()
        .all(true)
        .name(format!("{tag}-1"))
        .send()
        .await
        .unwrap();
    assert_eq!(by_name.len(), 1);
    let by_ancestor = |image: String| {
        d.containers()
            .list()
            .all(true)
            .ancestor(image)
            .label(format!("dei.list={tag}"))
            .send()
    };
    let short = by_ancestor(e.image.clone()).await.unwrap();
    if crate::common::is_podman() {
        // Podman 4.3 matches `ancestor` against the image's full name (or id) only.
        assert_eq!(short.len(), 0);
        let full = by_ancestor(crate::common::reported(&e.image)).await;
        assert_eq!(full.unwrap().len(), 3);
    } else {
        assert_eq!(short.len(), 3);
    }
    let limited = d
        .containers()
        .list()
        .all(true)
        .limit(1)
        .send()
        .await
        .unwrap();
    assert_eq!(limited.len(), 1);
    let got = running[0].get().await.unwrap();
    assert_eq!(got.status(), "running");
    for id in ids {
        d.containers()
            .get(id)
            .await
            .unwrap()
            .remove()
            .force(true)
            .volumes(true)
            .send()
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn create_options_reach_the_container() {
    let scope = crate::common::Scope::new();
    let e = engine();
    let d = docker();
    let c = d
        .containers()
        .create(&e.image)
        .name(unique("opts"))
        .label(LABEL, scope.value())
        .cmd(["sh", "-c", "echo $A; pwd; id -u"])
        .env("A", "b=c")
        .working_dir("/tmp")
        .user("nobody")
        .memory(64 << 20)
        .cpus(0.5)
        .restart_policy("on-failure", 2)
        .stop_signal("SIGUSR1")
        .stop_timeout(3)
        .healthcheck("true", Duration::from_secs(30), 3)
        .send()
        .await
        .unwrap();
    let attrs = c.attrs();
    let hc = attrs.host_config.as_ref().unwrap();
    assert_eq!(hc.memory, 64 << 20);
    assert_eq!(hc.nano_cpus, Some(500_000_000));
    assert_eq!(
        hc.restart_policy.as_ref().unwrap().name.as_deref(),
        Some("on-failure")
    );
    let config = attrs.config.as_ref().unwrap();
    // `StopSignal` is a `String` in the v1.41 spec and optional later: read the wire form.
    // Podman 4.3 reports the signal's number.
    assert_eq!(
        serde_json::to_value(config).unwrap()["StopSignal"],
        if crate::common::is_podman() {
            "10"
        } else {
            "SIGUSR1"
        }
    );
    assert_eq!(config.user.as_deref(), Some("nobody"));
    c.start().await.unwrap();
    assert_eq!(c.wait().await.unwrap(), 0);
    let (out, _) = c.logs().stream().collect_output().await.unwrap();
    assert_eq!(out, b"b=c\n/tmp\n65534\n");
    c.remove().force(true).volumes(true).send().await.unwrap();
}

#[tokio::test]
async fn run_returns_stdout_or_a_container_error() {
    let scope = crate::common::Scope::new();
    let e = engine();
    let d = docker();
    let out = d
        .containers()
        .run(&e.image)
        .label(LABEL, scope.value())
        .cmd(["echo", "hello run"])
        .run(true)
        .await
        .unwrap();
    assert_eq!(out, b"hello run\n");
    let err = d
        .containers()
        .run(&e.image)
        .label(LABEL, scope.value())
        .cmd(["sh", "-c", "echo oops >&2; exit 3"])
        .run(true)
        .await
        .unwrap_err();
    match err {
        Error::ContainerFailed {
            exit_code, stderr, ..
        } => assert_eq!((exit_code, stderr.as_str()), (3, "oops\n")),
        other => panic!("expected ContainerFailed, got {other:?}"),
    }
    let c = d
        .containers()
        .run(&e.image)
        .label(LABEL, scope.value())
        .cmd(["sleep", "600"])
        .detach()
        .await
        .unwrap();
    let mut c2 = d.containers().get(c.id()).await.unwrap();
    c2.reload().await.unwrap();
    assert_eq!(c2.status(), "running");
    c.remove().force(true).volumes(true).send().await.unwrap();
    let gone = d.containers().get(c.id()).await.unwrap_err();
    assert!(matches!(gone, Error::NotFound { .. }));
}

#[tokio::test]
async fn lifecycle_operations() {
    let scope = crate::common::Scope::new();
    let e = engine();
    let d = docker();
    let c = d
        .containers()
        .create(&e.image)
        .name(unique("life"))
        .label(LABEL, scope.value())
        .cmd(["sh", "-c", "echo x > /tmp/made; exec sleep 600"])
        .send()
        .await
        .unwrap();
    c.start().await.unwrap();
    c.pause().await.unwrap();
    assert_eq!(d.containers().get(c.id()).await.unwrap().status(), "paused");
    let err = c.pause().await.unwrap_err();
    assert!(
        err.status().is_some_and(|s| s >= 400),
        "pausing twice is refused: {err:?}"
    );
    c.unpause().await.unwrap();
    c.restart().timeout(1).send().await.unwrap();
    let new_name = unique("renamed");
    c.rename(&new_name).await.unwrap();
    assert_eq!(d.containers().get(&new_name).await.unwrap().id(), c.id());
    let top = c.top().ps_args("-ef").send().await.unwrap();
    let processes = top.processes.unwrap_or_default();
    assert!(
        processes
            .iter()
            .flatten()
            .flatten()
            .any(|p| p.contains("sleep")),
        "{processes:?}"
    );
    let diff = c.diff().await.unwrap();
    assert!(
        diff.iter()
            .any(|ch| ch.path.as_deref() == Some("/tmp/made"))
    );
    let update = c
        .update(types::op::container_update::Body {
            memory: 128 << 20,
            memory_swap: Some(256 << 20),
            ..Default::default()
        })
        .await;
    let mut r = d.containers().get(c.id()).await.unwrap();
    if crate::common::is_podman() {
        // Podman 4.3 has `podman update` on its own API only: no POST /containers/{id}/update.
        let err = update.unwrap_err();
        assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
        crate::common::ledger::expected_error("container_update", 404);
    } else {
        let warnings = update.unwrap();
        assert!(warnings.is_empty() || !warnings[0].is_empty());
        assert_eq!(r.attrs().host_config.as_ref().unwrap().memory, 128 << 20);
    }

    // Files: stat, get and put an archive, export, commit.
    let stat = c.stat_path("/tmp/made").await.unwrap();
    assert_eq!((stat.name.as_str(), stat.size), ("made", 2));
    let (stat, tar) = c.get_archive("/tmp/made").await.unwrap();
    assert_eq!(stat.name, "made");
    let tar: Vec<u8> = tar.map(|b| b.unwrap().to_vec()).concat().await;
    assert!(tar.len() >= 1024 && tar.windows(2).any(|w| w == b"x\n"));
    let upload = tar.clone();
    c.put_archive(
        "/",
        futures_util::stream::once(async move { Ok(bytes::Bytes::from(upload)) }),
    )
    .await
    .unwrap();
    assert_eq!(
        c.exec_run(["cat", "/made"]).send().await.unwrap().stdout,
        b"x\n"
    );
    let missing = c.stat_path("/no/such/file").await.unwrap_err();
    assert!(matches!(missing, Error::NotFound { .. }), "{missing:?}");
    let exported: usize = c
        .export()
        .map(|b| b.unwrap().len())
        .fold(0, |a, n| async move { a + n })
        .await;
    assert!(
        exported > 1 << 20,
        "the export holds busybox: {exported} bytes"
    );
    let repo = unique("committed");
    let image = c
        .commit()
        .repo(&repo)
        .tag("v1")
        .comment("from a test")
        .author("docker-engine tests")
        .send()
        .await
        .unwrap();
    assert!(
        image
            .tags()
            .contains(&crate::common::reported(&format!("{repo}:v1")))
    );
    image.remove().force(true).send().await.unwrap();

    c.kill().signal("SIGKILL").send().await.unwrap();
    assert_eq!(c.wait().await.unwrap(), 137);
    r.reload().await.unwrap();
    assert_eq!(r.status(), "exited");
    c.remove().volumes(true).send().await.unwrap();
}

#[tokio::test]
async fn published_ports_and_prune() {
    let scope = crate::common::Scope::new();
    let e = engine();
    let d = docker();
    let tag = unique("prune");
    let c = d
        .containers()
        .create(&e.image)
        .label(LABEL, scope.value())
        .label("dei.prune", &tag)
        .publish("8080", "127.0.0.1", "")
        .cmd(["sleep", "600"])
        .send()
        .await
        .unwrap();
    c.start().await.unwrap();
    let mut c = d.containers().get(c.id()).await.unwrap();
    c.reload().await.unwrap();
    let ports = c.port("8080/tcp");
    assert_eq!(ports.len(), 1, "{ports:?}");
    assert_eq!(ports[0].0, "127.0.0.1");
    assert!(ports[0].1.parse::<u16>().unwrap() > 0);
    c.stop().timeout(1).send().await.unwrap();
    let pruned = d
        .containers()
        .prune()
        .label(format!("dei.prune={tag}"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        pruned.containers_deleted.unwrap_or_default(),
        vec![c.id().to_string()]
    );
}

#[tokio::test]
async fn name_conflicts_and_missing_images_are_typed() {
    let scope = crate::common::Scope::new();
    let d = docker();
    let err = d
        .containers()
        .create(unique("no-such-image"))
        .label(LABEL, scope.value())
        .send()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
}

#[tokio::test]
async fn start_on_a_running_and_stop_on_a_stopped_container_are_done() {
    // The daemon answers 304 Not Modified; docker-py and the docker CLI treat both as done.
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
    c.start().await.unwrap();
    c.stop().timeout(0).send().await.unwrap();
    c.stop().timeout(0).send().await.unwrap();
    // The raw client keeps the daemon's answer as it is.
    let r = docker()
        .raw()
        .container_stop()
        .id(c.id())
        .send()
        .await
        .map_err(Error::from);
    assert!(matches!(r, Err(ref e) if e.status() == Some(304)), "{r:?}");
}

#[tokio::test]
async fn a_forced_remove_kills_on_docker_and_stops_on_podman() {
    // A running container whose process ignores SIGTERM (`sleep` as PID 1), removed with
    // force: dockerd kills it at once; Podman stops it, the stop signal first and SIGKILL
    // after the container's stop timeout.
    let scope = crate::common::Scope::new();
    let c = docker()
        .containers()
        .create(engine().image)
        .label(LABEL, scope.value())
        .stop_timeout(2)
        .cmd(["sleep", "600"])
        .send()
        .await
        .unwrap();
    c.start().await.unwrap();
    let started = std::time::Instant::now();
    c.remove().force(true).send().await.unwrap();
    let took = started.elapsed();
    if crate::common::is_podman() {
        assert!(
            took >= Duration::from_secs(2),
            "stopped, then killed: {took:?}"
        );
    } else {
        assert!(took < Duration::from_secs(2), "killed at once: {took:?}");
    }
}
