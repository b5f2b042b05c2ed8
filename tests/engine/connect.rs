//! Connecting, version negotiation, errors and path safety, against the engine under test.

use std::time::Duration;

use docker_engine::{ApiVersion, Docker, Error};

use crate::common::{LABEL, docker, engine, unique};

#[tokio::test]
async fn negotiates_the_engines_api_version() {
    let e = engine();
    let docker = docker();
    assert_eq!(
        docker.api_version().await.unwrap(),
        e.api.min(ApiVersion::SPEC),
        "negotiated min(spec, server)"
    );
    let v = docker.version().await.unwrap();
    assert_eq!(v.api_version.as_deref(), Some(e.api.to_string().as_str()));
    docker.ping().await.unwrap();
}

#[tokio::test]
async fn concurrent_first_calls_negotiate_once_and_all_succeed() {
    let docker = docker();
    let calls = (0..16).map(|_| {
        let d = docker.clone();
        tokio::spawn(async move { d.version().await.map(|v| v.api_version) })
    });
    for c in calls {
        assert_eq!(
            c.await.unwrap().unwrap().as_deref(),
            Some(engine().api.to_string().as_str())
        );
    }
}

#[tokio::test]
async fn every_request_carries_the_version_prefix_and_a_pin_is_honoured() {
    let e = engine();
    let (proxy, seen) = crate::common::proxy::start(&e.dir, &crate::common::socket_path());
    let negotiated = Docker::connect(&format!("unix://{}", proxy.display())).unwrap();
    negotiated.version().await.unwrap();
    negotiated
        .containers()
        .list()
        .all(true)
        .send()
        .await
        .unwrap();
    let pinned = Docker::builder()
        .host(format!("unix://{}", proxy.display()))
        .api_version(ApiVersion::new(1, 41))
        .build()
        .unwrap();
    assert_eq!(pinned.api_version().await.unwrap(), ApiVersion::new(1, 41));
    pinned.version().await.unwrap();
    let lines = seen.request_lines();
    assert_eq!(
        lines,
        [
            "GET /_ping HTTP/1.1".to_string(),
            format!("GET /v{}/version HTTP/1.1", e.api.min(ApiVersion::SPEC)),
            format!(
                "GET /v{}/containers/json?all=true&size=false HTTP/1.1",
                e.api.min(ApiVersion::SPEC)
            ),
            "GET /v1.41/version HTTP/1.1".to_string(),
        ],
        "negotiation pings once unversioned; the pin skips it"
    );

    // The daemon refuses a version below its minimum and names the version it saw.
    let ancient = Docker::builder()
        .host(&e.host)
        .api_version(ApiVersion::new(1, 5))
        .build()
        .unwrap();
    if crate::common::is_podman() {
        // Podman reports MinAPIVersion 1.24 but serves any /vX.Y prefix, this one too.
        let v = ancient.version().await.unwrap();
        assert_eq!(v.min_api_version.as_deref(), Some("1.24"));
        return;
    }
    let err = ancient.version().await.unwrap_err();
    assert!(
        err.to_string().contains("1.5"),
        "daemon names the version it saw: {err}"
    );
    assert!(matches!(err.status(), Some(400..=499)), "{err:?}");
}

#[tokio::test]
async fn missing_objects_are_not_found_with_the_daemons_message() {
    let docker = docker();
    let name = unique("missing");
    match docker.containers().get(&name).await {
        Err(Error::NotFound { message }) => assert!(message.contains(&name), "{message}"),
        other => panic!("expected NotFound, got {other:?}"),
    }
    let err = docker
        .raw()
        .image_inspect()
        .name(&name)
        .send()
        .await
        .map_err(Error::from)
        .unwrap_err();
    assert!(
        matches!(&err, Error::NotFound { message } if message.to_lowercase().contains("no such image")),
        "{err:?}"
    );
    assert_eq!(err.status(), Some(404));
}

#[tokio::test]
async fn a_name_in_use_is_a_conflict() {
    let scope = crate::common::Scope::new();
    let e = engine();
    let docker = docker();
    let name = unique("conflict");
    let first = docker
        .containers()
        .create(&e.image)
        .name(&name)
        .label(LABEL, scope.value())
        .cmd(["true"])
        .send()
        .await
        .unwrap();
    let second = docker
        .containers()
        .create(&e.image)
        .name(&name)
        .label(LABEL, scope.value())
        .cmd(["true"])
        .send()
        .await;
    first
        .remove()
        .force(true)
        .volumes(true)
        .send()
        .await
        .unwrap();
    match second {
        Err(Error::Conflict { message }) => assert!(message.contains(&name), "{message}"),
        // Podman 4.3 answers a name in use with 500, not 409.
        Err(Error::Api {
            status: 500,
            message,
        }) if crate::common::is_podman() && message.contains("is already in use") => {
            assert!(message.contains(&name), "{message}")
        }
        other => panic!("expected Conflict, got {other:?}"),
    }
}

#[tokio::test]
async fn bad_hosts_fail_at_construction_and_dead_ones_at_first_use() {
    // Malformed by the docker CLI's rules (`Host::parse` has the whole table).
    for bad in ["tcp://h:notaport", "tcp://h:+80", "ftp://h"] {
        assert!(
            matches!(Docker::connect(bad), Err(Error::InvalidHost { .. })),
            "{bad}"
        );
    }
    let path = format!("{}/no-such-daemon.sock", engine().dir);
    let docker = Docker::connect(&format!("unix://{path}")).unwrap();
    match docker.version().await {
        Err(e @ Error::Transport { .. }) => {
            assert!(e.to_string().contains(&path), "names the address: {e}")
        }
        other => panic!("expected Transport, got {other:?}"),
    }
    let docker = Docker::connect("tcp://127.0.0.1:1").unwrap();
    let err = docker.ping().await.unwrap_err();
    assert!(
        matches!(err, Error::Transport { .. }) && err.to_string().contains("127.0.0.1:1"),
        "{err}"
    );
}

#[tokio::test]
async fn ids_cannot_reach_another_endpoint() {
    let docker = docker();
    for id in [
        "x?force=1",
        "a/b",
        "%2e%2e",
        "..%2f..%2fimages%2fjson",
        "x#frag",
        " spaced ",
    ] {
        let r = docker.containers().get(id).await;
        assert!(
            matches!(r, Err(Error::NotFound { .. })),
            "{id:?} gave {r:?}"
        );
        let r = docker
            .raw()
            .container_inspect()
            .id(id)
            .send()
            .await
            .map_err(Error::from);
        assert!(
            matches!(r, Err(Error::NotFound { .. })),
            "raw {id:?} gave {r:?}"
        );
    }
    // `.` and `..` would be resolved by URL parsing into `/containers/json` (the list) and
    // `/json`, and the daemon decodes `%2F` and answers dot segments with a redirect to
    // another endpoint: they are refused before anything is sent.
    for id in [".", "..", "../../images/json", "a/../b", "../x"] {
        let r = docker.containers().get(id).await;
        assert!(
            matches!(r, Err(Error::InvalidArgument(_))),
            "{id:?} gave {r:?}"
        );
        let r = docker
            .raw()
            .container_delete()
            .id(id)
            .force(true)
            .send()
            .await
            .map_err(Error::from);
        assert!(
            matches!(r, Err(Error::InvalidArgument(_))),
            "raw {id:?} gave {r:?}"
        );
    }
}

#[tokio::test]
async fn sequential_requests_reuse_one_connection() {
    let e = engine();
    let (proxy, seen) = crate::common::proxy::start(&e.dir, &crate::common::socket_path());
    let docker = Docker::connect(&format!("unix://{}", proxy.display())).unwrap();
    for _ in 0..50 {
        docker.version().await.unwrap();
    }
    for _ in 0..20 {
        docker.ping().await.unwrap();
    }
    // A raw call whose small body is dropped unread: what has arrived is read on drop, and
    // the connection is kept.
    for _ in 0..10 {
        drop(docker.raw().system_ping().send().await.unwrap());
    }
    assert_eq!(seen.request_lines().len(), 81, "one ping and 80 requests");
    assert_eq!(seen.connections(), 1, "all over one pooled connection");
}

#[tokio::test]
async fn a_backslash_in_an_id_cannot_reach_another_container() {
    // URL parsing reads `\` as `/` in http URLs and then resolves `..`: an id such as
    // `x\..\victim` must not inspect, stop or remove `victim`.
    let scope = crate::common::Scope::new();
    let docker = docker();
    let victim = docker
        .containers()
        .create(engine().image)
        .name(unique("victim"))
        .label(LABEL, scope.value())
        .cmd(["true"])
        .send()
        .await
        .unwrap();
    for id in [
        format!("x\\..\\{}", victim.name()),
        format!("x\\..%5C..\\{}", victim.name()),
        format!("..\\{}", victim.name()),
    ] {
        let r = docker.containers().get(&id).await;
        assert!(
            matches!(
                r,
                Err(Error::InvalidArgument(_)) | Err(Error::NotFound { .. })
            ),
            "{id:?} reached {r:?}"
        );
        let r = docker
            .raw()
            .container_delete()
            .id(&id)
            .force(true)
            .send()
            .await
            .map_err(Error::from);
        assert!(r.is_err(), "{id:?} removed something: {r:?}");
    }
    // The victim is still there.
    docker.containers().get(victim.id()).await.unwrap();
}

/// A client made and used on one runtime keeps working from another: a `current_thread`
/// runtime that is not running (between two `block_on`s, the way `#[tokio::test]`s that
/// share a client go one after the other), then a multi-thread runtime on another thread.
/// Before connections were kept per runtime, the second call waited forever on a pooled
/// connection whose socket only the idle runtime's I/O driver would have woken.
#[test]
fn a_client_moves_between_runtimes() {
    let d = docker();
    let first = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let v = first.block_on(d.version()).unwrap();
    let d2 = d.clone();
    let elsewhere = std::thread::spawn(move || {
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async {
            let call = tokio::time::timeout(Duration::from_secs(20), d2.version());
            call.await.expect("no answer within 20 s").unwrap()
        })
    })
    .join()
    .unwrap();
    assert_eq!(elsewhere.version, v.version);
    // And back on the first runtime, whose pooled connection is still there.
    let again =
        first.block_on(async { tokio::time::timeout(Duration::from_secs(20), d.version()).await });
    assert_eq!(
        again.expect("no answer within 20 s").unwrap().version,
        v.version
    );
}
