//! Tolerance: the generated types decode what both real engines send.

use docker_engine::Error;

use crate::common::{LABEL, docker, engine, unique};

#[tokio::test]
async fn system_endpoints_decode() {
    let docker = docker();
    let raw = docker.raw();
    let v = docker.version().await.unwrap();
    assert!(v.version.is_some());
    let info = docker.info().await.unwrap();
    assert!(
        info.containers.is_some() && info.driver.is_some(),
        "{info:?}"
    );
    let df = crate::common::podman_race(|| async {
        raw.system_data_usage().send().await.map_err(Error::from)
    })
    .await
    .unwrap()
    .into_inner();
    let images = df.images.unwrap_or_default();
    if crate::common::is_podman() {
        // Podman 4.3's data usage names an image by its tag alone (`latest`), and its id
        // without the `sha256:` prefix.
        let fixture = docker.images().get(engine().image).await.unwrap();
        let listed = images
            .iter()
            .find(|i| i.id.as_deref() == fixture.id().strip_prefix("sha256:"))
            .unwrap();
        assert_eq!(
            listed.repo_tags.as_deref(),
            Some(&["latest".to_string()][..])
        );
    } else {
        assert!(
            images
                .iter()
                .any(|i| i.repo_tags.iter().flatten().any(|t| *t == engine().image))
        );
    }
}

#[tokio::test]
async fn containers_running_and_exited_decode() {
    let scope = crate::common::Scope::new();
    let e = engine();
    let docker = docker();
    let raw = docker.raw();
    let running = docker
        .containers()
        .create(&e.image)
        .name(unique("decode-running"))
        .label(LABEL, scope.value())
        .cmd(["sh", "-c", "echo x > /tmp/f; sleep 300"])
        .send()
        .await
        .unwrap();
    running.start().await.unwrap();
    let exited = docker
        .containers()
        .create(&e.image)
        .label(LABEL, scope.value())
        .cmd(["true"])
        .send()
        .await
        .unwrap();
    exited.start().await.unwrap();
    assert_eq!(exited.wait().await.unwrap(), 0);

    let list = raw
        .container_list()
        .all(true)
        .size(true)
        .send()
        .await
        .map_err(Error::from)
        .unwrap()
        .into_inner();
    let list = docker_engine::types::op::container_list::items(list);
    for c in [&running, &exited] {
        assert!(
            list.iter().any(|s| s.id.as_deref() == Some(c.id())),
            "listed"
        );
        let inspect = raw
            .container_inspect()
            .id(c.id())
            .size(true)
            .send()
            .await
            .map_err(Error::from)
            .unwrap()
            .into_inner();
        assert_eq!(inspect.id.as_deref(), Some(c.id()));
    }
    let mut r = docker.containers().get(running.id()).await.unwrap();
    r.reload().await.unwrap();
    assert_eq!(r.status(), "running");
    let mut x = docker.containers().get(exited.id()).await.unwrap();
    x.reload().await.unwrap();
    assert_eq!(x.status(), "exited");

    // Wait until the file exists, then the changes list shows it.
    let mut seen = false;
    for _ in 0..50 {
        let changes = raw
            .container_changes()
            .id(running.id())
            .send()
            .await
            .map_err(Error::from)
            .unwrap()
            .into_inner();
        if changes
            .unwrap_or_default()
            .iter()
            .any(|c| c.path.as_deref() == Some("/tmp/f"))
        {
            seen = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(seen, "changes show /tmp/f");
    let top = raw
        .container_top()
        .id(running.id())
        .send()
        .await
        .map_err(Error::from)
        .unwrap()
        .into_inner();
    assert!(
        top.processes
            .unwrap_or_default()
            .iter()
            .flatten()
            .flatten()
            .any(|p| p.contains("sleep")),
        "top shows sleep"
    );
    // Changes of a container that changed nothing: the daemon sends `null`. Podman counts
    // /etc as modified: it makes the mount points of /etc/hosts, /etc/hostname and
    // /etc/resolv.conf in the container's own layer, where Docker has an init layer for them.
    let none = raw
        .container_changes()
        .id(exited.id())
        .send()
        .await
        .map_err(Error::from)
        .unwrap()
        .into_inner()
        .unwrap_or_default();
    if crate::common::is_podman() {
        // Read through the wire names: `Kind` is a number in the v1.41 spec, a type later.
        let paths: Vec<_> = none
            .iter()
            .map(|c| {
                let c = serde_json::to_value(c).unwrap();
                (c["Path"].as_str().map(str::to_string), c["Kind"].as_u64())
            })
            .collect();
        assert_eq!(paths, [(Some("/etc".to_string()), Some(0))], "{none:?}");
    } else {
        assert!(none.is_empty(), "{none:?}");
    }

    running
        .remove()
        .force(true)
        .volumes(true)
        .send()
        .await
        .unwrap();
    exited
        .remove()
        .force(true)
        .volumes(true)
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn images_networks_volumes_decode() {
    let e = engine();
    let docker = docker();
    let raw = docker.raw();
    let images = raw
        .image_list()
        .all(true)
        .send()
        .await
        .map_err(Error::from)
        .unwrap()
        .into_inner()
        .unwrap();
    assert!(images.iter().any(|i| {
        i.repo_tags
            .iter()
            .flatten()
            .any(|t| *t == crate::common::reported(&e.image))
    }));
    let image = raw
        .image_inspect()
        .name(&e.image)
        .send()
        .await
        .map_err(Error::from)
        .unwrap()
        .into_inner();
    assert!(
        image
            .id
            .as_deref()
            .is_some_and(|id| id.starts_with("sha256:"))
    );
    let history = raw
        .image_history()
        .name(&e.image)
        .send()
        .await
        .map_err(Error::from)
        .unwrap()
        .into_inner();
    assert!(!history.unwrap_or_default().is_empty());
    let networks = raw
        .network_list()
        .send()
        .await
        .map_err(Error::from)
        .unwrap()
        .into_inner()
        .unwrap();
    let bridge = networks
        .iter()
        .find(|n| n.name.as_deref() == Some("bridge"))
        .expect("bridge network");
    let inspect = raw
        .network_inspect()
        .id(bridge.id.as_deref().unwrap())
        .send()
        .await
        .map_err(Error::from)
        .unwrap()
        .into_inner();
    // Podman lists its default network as `bridge` but inspects it, by id, under its own
    // name (scripts/engines/podman.sh names it).
    let own = if crate::common::is_podman() {
        std::env::var("DOCKER_ENGINE_TEST_PODMAN_NETWORK").unwrap()
    } else {
        "bridge".to_string()
    };
    assert_eq!(inspect.name.as_deref(), Some(own.as_str()));
    let volumes = raw
        .volume_list()
        .send()
        .await
        .map_err(Error::from)
        .unwrap()
        .into_inner();
    let _ = volumes.volumes.unwrap_or_default();
}
