//! The operations no other area needs: `HEAD /_ping`, image export one and several at a
//! time, the build cache prune, the login check and the registry's view of an image (both
//! against the loopback registry), TTY resize, cluster-volume update and image search (the
//! errors an engine gives here, asserted), the attach websocket and the `/session` upgrade.

use std::io::Read;
use std::time::Duration;

use docker_engine::auth::RegistryAuth;
use docker_engine::{Error, types};
use futures_util::{SinkExt, StreamExt};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::common::{LABEL, Scope, docker, engine, is_podman, is_v151, ledger, unique};

fn registry_auth() -> RegistryAuth {
    let e = engine();
    RegistryAuth::basic(e.registry_user, e.registry_password).server(e.registry)
}

/// The entry names of a tar archive and the text of its `manifest.json`.
fn tar_listing(archive: &[u8]) -> (Vec<String>, String) {
    let (mut names, mut manifest) = (Vec::new(), String::new());
    for entry in tar::Archive::new(archive).entries().unwrap() {
        let mut entry = entry.unwrap();
        let name = entry.path().unwrap().to_string_lossy().into_owned();
        if name == "manifest.json" {
            entry.read_to_string(&mut manifest).unwrap();
        }
        names.push(name);
    }
    (names, manifest)
}

#[tokio::test]
async fn ping_head_reports_the_daemons_headers() {
    let e = engine();
    let info = docker().ping_info().await.unwrap();
    assert_eq!(info.api_version, Some(e.api), "{info:?}");
    if is_podman() {
        // Podman 4.3 sends no OSType, an empty Builder-Version, and Docker-Experimental.
        assert_eq!(info.os_type, None, "{info:?}");
        assert_eq!(info.builder_version.as_deref(), Some(""), "{info:?}");
        assert_eq!((info.swarm, info.experimental), (None, true));
        return;
    }
    assert_eq!(info.os_type.as_deref(), Some("linux"), "{info:?}");
    if is_v151() {
        assert_eq!(info.swarm.as_deref(), Some("inactive"), "{info:?}");
        assert_eq!(info.builder_version.as_deref(), Some("2"), "{info:?}");
    } else {
        // 20.10 sends neither header on HEAD (nor a builder version, its default builder
        // being the classic one).
        assert_eq!(
            (&info.swarm, &info.builder_version),
            (&None, &None),
            "{info:?}"
        );
    }
}

#[tokio::test]
async fn images_export_one_and_several() {
    let scope = Scope::new();
    let e = engine();
    let image = docker().images().get(&e.image).await.unwrap();
    let one: Vec<u8> = image.save().map(|b| b.unwrap().to_vec()).concat().await;
    let (names, manifest) = tar_listing(&one);
    assert!(names.iter().any(|n| n == "manifest.json"), "{names:?}");
    // Saved by id, as docker-py's `Image.save()` does: the config is named by it.
    let hex = image.id().trim_start_matches("sha256:");
    assert!(manifest.contains(hex), "{manifest}");

    let repo = unique("export");
    let (a, b) = (format!("{repo}:a"), format!("{repo}:b"));
    for tag in [&a, &b] {
        crate::common::tag_fixture(tag).await;
        scope.image(tag.clone());
    }
    let both: Vec<u8> = docker()
        .images()
        .save([a.clone(), b.clone()])
        .map(|b| b.unwrap().to_vec())
        .concat()
        .await;
    let (_, manifest) = tar_listing(&both);
    assert!(manifest.contains(&a) && manifest.contains(&b), "{manifest}");
}

#[tokio::test]
async fn build_cache_prune_reports_what_it_reclaimed() {
    let report = docker()
        .images()
        .prune_builds()
        .until("240h")
        .keep_storage(0)
        .send()
        .await;
    if is_podman() {
        // Podman 4.3 has no build cache of its own (buildah's layers are images) and no
        // POST /build/prune.
        let err = report.unwrap_err();
        assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
        ledger::expected_error("build_prune", 404);
        return;
    }
    let report = report.unwrap();
    assert!(report.space_reclaimed.is_some_and(|n| n >= 0), "{report:?}");
}

#[tokio::test]
async fn login_check_against_the_registry() {
    let e = engine();
    let mut body = types::op::system_auth::Body {
        username: Some(e.registry_user.clone()),
        password: Some(e.registry_password.clone()),
        serveraddress: Some(e.registry.clone()),
        ..Default::default()
    };
    if is_podman() {
        // Podman 4.3's login check speaks HTTPS to every registry but `localhost:*`, whatever
        // registries.conf says (pull and push honour its `insecure`): the loopback registry,
        // plain HTTP, is checked under the name localhost.
        let refused = docker().raw().system_auth().body(body.clone()).send().await;
        let refused = refused.map_err(Error::from).unwrap_err();
        assert!(
            refused
                .to_string()
                .contains("server gave HTTP response to HTTPS client"),
            "{refused:?}"
        );
        let port = e.registry.rsplit(':').next().unwrap();
        body.serveraddress = Some(format!("localhost:{port}"));
    }
    let ok = docker()
        .raw()
        .system_auth()
        .body(body.clone())
        .send()
        .await
        .unwrap()
        .into_inner();
    // Fields read through JSON here and below: their shapes differ between spec versions.
    assert_eq!(
        serde_json::to_value(&ok).unwrap()["Status"],
        "Login Succeeded"
    );

    body.password = Some("wrong-password".into());
    let refused = docker().raw().system_auth().body(body).send().await;
    let refused = refused.map_err(Error::from);
    // The daemon reports the registry's refusal as its own failure, a 500 that quotes it.
    match refused {
        Err(Error::Api {
            status: 500,
            ref message,
        }) => assert!(message.contains("401 Unauthorized"), "{message}"),
        other => panic!("a refused login is the registry's answer, relayed: {other:?}"),
    }
}

#[tokio::test]
async fn registry_data_with_and_without_credentials() {
    let scope = Scope::new();
    let e = engine();
    let reference = format!("{}/{}:t1", e.registry, unique("regdata"));
    crate::common::tag_fixture(&reference).await;
    scope.image(reference.clone());
    docker()
        .images()
        .push(&reference)
        .auth(registry_auth())
        .send()
        .await
        .unwrap();
    let data = docker()
        .images()
        .registry_data(&reference)
        .auth(registry_auth())
        .send()
        .await;
    if is_podman() {
        // Podman 4.3 has no GET /distribution/{name}/json.
        let err = data.unwrap_err();
        assert!(
            matches!(&err, Error::NotFound { message } if message.contains("is not supported")),
            "{err:?}"
        );
        ledger::expected_error("distribution_inspect", 404);
        return;
    }
    let data = data.unwrap();
    // docker-py's RegistryData members, read from the whole answer: the same on every
    // spec the client is generated from.
    let digest = data.attrs_json()["Descriptor"]["digest"].as_str().unwrap();
    assert!(digest.starts_with("sha256:"), "{:#}", data.attrs_json());
    assert_eq!(data.id(), digest);
    assert_eq!(data.short_id(), &digest["sha256:".len()..][..12]);
    let version = docker().version().await.unwrap();
    let here = format!(
        "{}/{}",
        version.os.as_deref().unwrap(),
        version.arch.as_deref().unwrap()
    );
    assert_eq!(data.platforms(), std::slice::from_ref(&here));
    assert!(data.has_platform(&here).await.unwrap());
    assert!(data.has_platform("linux").await.unwrap());
    assert!(!data.has_platform("windows").await.unwrap());
    assert!(!data.has_platform(&format!("{here}/v9")).await.unwrap());
    let bad = data.has_platform("a/b/c/d").await.unwrap_err();
    assert!(matches!(bad, Error::InvalidArgument(_)), "{bad:?}");
    let data = serde_json::to_value(data.attrs()).unwrap();
    // The API 1.41 spec names the descriptor's fields `Digest`, `Size`, where the daemon
    // writes `digest`, `size` (OCI's names, which later specs use): a client generated
    // from it gets an empty descriptor.
    if cfg!(engine_api_1_42) {
        let digest = data["Descriptor"]["digest"].as_str().unwrap_or_default();
        assert!(digest.starts_with("sha256:"), "{data}");
        assert!(data["Descriptor"]["size"].as_i64() > Some(0), "{data}");
    } else {
        assert_eq!(data["Descriptor"], serde_json::json!({}), "{data}");
    }

    let anonymous = docker()
        .images()
        .registry_data(&reference)
        .anonymous()
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&anonymous, Error::Api { .. }),
        "the registry refuses an anonymous look: {anonymous:?}"
    );
    assert!(anonymous.to_string().contains("auth"), "{anonymous}");
}

#[tokio::test]
async fn resize_sets_the_containers_tty_size() {
    let scope = Scope::new();
    let e = engine();
    let c = docker()
        .containers()
        .create(&e.image)
        .label(LABEL, scope.value())
        .tty(true)
        .cmd(["sh", "-c", "while true; do stty size; sleep 0.1; done"])
        .send()
        .await
        .unwrap();
    c.start().await.unwrap();
    c.resize(100, 30).await.unwrap();
    let mut lines = c.logs().follow(true).lines();
    let seen = tokio::time::timeout(Duration::from_secs(20), async {
        while let Some(line) = lines.next().await {
            if String::from_utf8_lossy(line.unwrap().chunk.bytes()).trim() == "30 100" {
                return true;
            }
        }
        false
    })
    .await;
    assert_eq!(seen, Ok(true), "the TTY takes 30 rows, 100 columns");
    let missing = docker()
        .containers()
        .handle(unique("absent"))
        .resize(80, 24)
        .await;
    assert!(
        matches!(missing, Err(Error::NotFound { .. })),
        "{missing:?}"
    );
}

/// Built from a spec of API 1.42 or later, which has the operation.
#[cfg(engine_api_1_42)]
#[tokio::test]
async fn volume_update_needs_a_cluster_volume() {
    let scope = Scope::new();
    let volume = docker()
        .volumes()
        .create()
        .name(unique("upd"))
        .label(LABEL, scope.value())
        .send()
        .await
        .unwrap();
    let body = types::op::volume_update::Body::default();
    let sent = docker()
        .raw()
        .volume_update()
        .name(volume.name())
        .version(1)
        .body(body)
        .send()
        .await;
    let Err(err) = sent else {
        panic!("there is no cluster volume to update")
    };
    let err = Error::from(err);
    if is_podman() {
        // Podman 4.3 routes GET and DELETE /volumes/{name}, not PUT.
        assert_eq!(err.status(), Some(405), "{err:?}");
        ledger::expected_error("volume_update", 405);
    } else if is_v151() {
        // Cluster volumes live in a swarm; this engine is not in one.
        assert_eq!(err.status(), Some(503), "{err:?}");
        assert!(err.to_string().contains("swarm"), "{err}");
        ledger::expected_error("volume_update", 503);
    } else {
        // API 1.41 has no such endpoint (it came with 1.42).
        assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
    }
}

#[tokio::test]
async fn image_search_without_an_index_is_a_typed_error() {
    let d = docker();
    let search = |term: &'static str| d.raw().image_search().term(term).limit(1).send();
    if is_podman() {
        // Podman searches a short name in registries.conf's unqualified-search registries
        // (the test engine has none), not on Docker Hub: nothing to ask, 404.
        let err = Error::from(search("busybox").await.unwrap_err());
        assert!(
            matches!(&err, Error::NotFound { message } if message == "image not known"),
            "{err:?}"
        );
    }
    // Podman asks Docker Hub for a name that says so.
    let sent = search(if is_podman() {
        "docker.io/busybox"
    } else {
        "busybox"
    })
    .await;
    let Err(err) = sent else {
        panic!("no index is reachable, yet the search succeeded")
    };
    let err = Error::from(err);
    assert_eq!(err.status(), Some(500), "{err:?}");
    assert!(err.to_string().contains("index.docker.io"), "{err}");
    ledger::expected_error("image_search", 500);
}

#[tokio::test]
async fn attach_websocket_carries_data_both_ways() {
    use tokio_tungstenite::tungstenite::protocol::{Message, Role};
    let scope = Scope::new();
    let e = engine();
    let c = docker()
        .containers()
        .create(&e.image)
        .label(LABEL, scope.value())
        .stdin_open(true)
        .cmd(["sh", "-c", "read line; echo \"got $line\"; sleep 5"])
        .send()
        .await
        .unwrap();
    c.start().await.unwrap();
    let io = c.attach().stdin(true).websocket().await;
    if is_podman() {
        // Podman 4.3 has no GET /containers/{id}/attach/ws.
        let err = io.unwrap_err();
        assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
        ledger::expected_error("container_attach_websocket", 404);
        return;
    }
    let io = io.unwrap();
    let mut ws = tokio_tungstenite::WebSocketStream::from_raw_socket(io, Role::Client, None).await;
    ws.send(Message::binary(&b"hello\n"[..])).await.unwrap();
    let mut got = Vec::new();
    let seen = tokio::time::timeout(Duration::from_secs(20), async {
        while let Some(msg) = ws.next().await {
            got.extend_from_slice(&msg.unwrap().into_data());
            if String::from_utf8_lossy(&got).contains("got hello") {
                return true;
            }
        }
        false
    })
    .await;
    assert_eq!(seen, Ok(true), "{:?}", String::from_utf8_lossy(&got));
}

#[tokio::test]
async fn session_connection_upgrades_to_h2c() {
    let io = docker().session_connection(&unique("session")).await;
    if is_podman() {
        // Podman builds with buildah, not BuildKit: there is no POST /session.
        let err = io.unwrap_err();
        assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
        ledger::expected_error("session", 404);
        return;
    }
    let mut io = io.unwrap();
    // On a session the daemon is the gRPC client of the services the caller offers: it
    // opens HTTP/2 with the client connection preface (RFC 9113, 3.4).
    let mut preface = [0u8; 24];
    tokio::time::timeout(Duration::from_secs(10), io.read_exact(&mut preface))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(&preface, b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
    io.shutdown().await.unwrap();

    let bad = docker().session_connection("bad\nid").await.unwrap_err();
    assert!(matches!(bad, Error::InvalidArgument(_)), "{bad:?}");
}

/// Reads JSON lines from a raw byte stream until `n` items decoded or it ends.
async fn json_items<T: serde::de::DeserializeOwned>(
    body: docker_engine::raw::ByteStream,
    n: usize,
) -> Vec<T> {
    json_items_until(body, |items: &[T]| items.len() >= n).await
}

/// Reads JSON lines from a raw byte stream until `done` says so or it ends.
async fn json_items_until<T: serde::de::DeserializeOwned>(
    mut body: docker_engine::raw::ByteStream,
    done: impl Fn(&[T]) -> bool,
) -> Vec<T> {
    let (mut buf, mut items) = (Vec::new(), Vec::new());
    while !done(&items) {
        let Some(chunk) = body.next().await else {
            break;
        };
        buf.extend_from_slice(&chunk.unwrap());
        while let Some(end) = buf.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = buf.drain(..=end).collect();
            if !line.iter().all(u8::is_ascii_whitespace) {
                items.push(serde_json::from_slice(&line).unwrap());
            }
        }
    }
    items
}

#[tokio::test]
async fn raw_events_and_stats_are_streams_of_items() {
    let scope = Scope::new();
    let e = engine();
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let c = docker()
        .containers()
        .create(&e.image)
        .label(LABEL, scope.value())
        .cmd(["sleep", "30"])
        .send()
        .await
        .unwrap();
    c.start().await.unwrap();

    let d = docker();
    let stats = d.raw().container_stats().id(c.id()).stream(true).send();
    let stats = tokio::time::timeout(Duration::from_secs(20), async {
        json_items::<serde_json::Value>(stats.await.unwrap().into_inner(), 2).await
    })
    .await
    .unwrap();
    assert_eq!(stats.len(), 2, "two samples, each its own object");
    for s in &stats {
        serde_json::from_value::<types::op::container_stats::Item>(s.clone()).unwrap();
    }
    // Fields read from the JSON: the item type's shape differs between spec versions.
    // Podman 4.3 names the container's id `Id`, not `id`.
    let key = if is_podman() { "Id" } else { "id" };
    let ids: Vec<_> = stats.iter().map(|s| s[key].clone()).collect();
    assert!(ids.iter().all(|id| id == c.id()), "{ids:?}");

    c.remove().force(true).send().await.unwrap();
    let filter = format!(r#"{{"label":["{LABEL}={}"]}}"#, scope.value());
    let events = d
        .raw()
        .system_events()
        .since(since.to_string())
        .until((since + 3600).to_string())
        .filters(filter)
        .send();
    // Docker: create, start, kill, die, destroy. Podman: create, init, start, died, cleanup,
    // remove (its name for destroy), and at times more between. Read to the last.
    let removed = if is_podman() { "remove" } else { "destroy" };
    let action = |e: &types::op::system_events::Item| {
        serde_json::to_value(e).unwrap()["Action"]
            .as_str()
            .map(str::to_string)
    };
    let events = tokio::time::timeout(Duration::from_secs(20), async {
        let body = events.await.unwrap().into_inner();
        json_items_until(body, |items: &[types::op::system_events::Item]| {
            items.iter().any(|e| action(e).as_deref() == Some(removed))
        })
        .await
    })
    .await
    .unwrap();
    let actions: Vec<String> = events.iter().filter_map(action).collect();
    assert!(
        ["create", "start", removed]
            .iter()
            .all(|a| actions.iter().any(|x| x == a)),
        "{actions:?}"
    );
}
