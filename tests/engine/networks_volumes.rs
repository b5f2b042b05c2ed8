//! Networks and volumes.

use docker_engine::Error;

use crate::common::{LABEL, docker, engine, unique};

#[tokio::test]
async fn network_lifecycle_connect_and_dns_aliases() {
    let scope = crate::common::Scope::new();
    let e = engine();
    let d = docker();
    let name = unique("net");
    // A subnet of this engine's own pool (scripts/engines): 10.141.x / 10.151.x / 10.161.x,
    // third octets 20..220, the first free one from a place this process picks.
    let (prefix, net) = crate::common::network_on_free_subnet(
        crate::common::octets_from(20, 200, std::process::id()),
        &name,
        &scope,
    )
    .await;
    let subnet = format!("{prefix}.0/24");
    assert_eq!(net.name(), name);
    assert_eq!(
        net.labels().get(LABEL).map(String::as_str),
        Some(scope.value())
    );
    // IPAM configs are maps in the v1.41 spec and structs later: read the wire form.
    let ipam = serde_json::to_value(net.attrs()).unwrap();
    assert_eq!(ipam["IPAM"]["Config"][0]["Subnet"], subnet.as_str());
    assert_eq!(
        d.networks().list().name(&name).send().await.unwrap().len(),
        1
    );

    // The server starts on the default bridge and joins the network with an alias; the
    // client starts on the network (so it uses the network's DNS) and finds the alias.
    let server = d
        .containers()
        .create(&e.image)
        .label(LABEL, scope.value())
        .cmd(["sh", "-c", "while true; do echo pong | nc -l -p 7777; done"])
        .send()
        .await
        .unwrap();
    server.start().await.unwrap();
    let client = d
        .containers()
        .create(&e.image)
        .label(LABEL, scope.value())
        .network(&name)
        .cmd(["sleep", "600"])
        .send()
        .await
        .unwrap();
    client.start().await.unwrap();
    net.connect(server.id())
        .alias("pong-server")
        .send()
        .await
        .unwrap();
    let mut net2 = d.networks().get(&name).await.unwrap();
    net2.reload().await.unwrap();
    assert!(net2.containers().contains(&server.id().to_string()));
    assert!(net2.containers().contains(&client.id().to_string()));

    let mut answer = Vec::new();
    for _ in 0..30 {
        let r = client
            .exec_run(["sh", "-c", "sleep 1 | timeout 5 nc pong-server 7777"])
            .send()
            .await
            .unwrap();
        if r.stdout == b"pong\n" {
            answer = r.stdout;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert_eq!(
        answer, b"pong\n",
        "the alias given at connect resolves on the network"
    );

    net.disconnect(server.id()).send().await.unwrap();
    let mut net3 = d.networks().get(&name).await.unwrap();
    net3.reload().await.unwrap();
    assert!(!net3.containers().contains(&server.id().to_string()));
    if crate::common::is_podman() {
        // Podman 4.3 refuses to remove a network in use when it is named (500), but removes
        // it when it is given by id, as `remove()` does: the client stays on a network that
        // is gone.
        let by_name = d.raw().network_delete().id(&name).send().await;
        let by_name = by_name.map_err(Error::from).unwrap_err();
        assert!(
            matches!(&by_name, Error::Api { status: 500, message } if message.contains("network is being used")),
            "{by_name:?}"
        );
        net.remove().await.unwrap();
        let mut again = net.clone();
        assert!(matches!(again.reload().await, Err(Error::NotFound { .. })));
    } else {
        let err = net.remove().await.unwrap_err();
        assert!(
            err.status().is_some_and(|s| s >= 400),
            "a network in use cannot be removed: {err:?}"
        );
    }
    server
        .remove()
        .force(true)
        .volumes(true)
        .send()
        .await
        .unwrap();
    client
        .remove()
        .force(true)
        .volumes(true)
        .send()
        .await
        .unwrap();
    if !crate::common::is_podman() {
        net.remove().await.unwrap();
    }
    assert!(matches!(
        d.networks().get(&name).await,
        Err(Error::NotFound { .. })
    ));

    let internal = d
        .networks()
        .create(unique("internal"))
        .label(LABEL, scope.value())
        .label("dei.prune", &name)
        .internal(true)
        .send()
        .await
        .unwrap();
    assert_eq!(
        serde_json::to_value(internal.attrs()).unwrap()["Internal"],
        true
    );
    let pruned = d
        .networks()
        .prune()
        .label(format!("dei.prune={name}"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        pruned.networks_deleted.unwrap_or_default(),
        vec![internal.name().to_string()]
    );
}

/// A network asked for on a subnet another network holds is refused, with a message
/// `common::network_on_free_subnet` knows; that helper then takes the next subnet it is
/// offered.
#[tokio::test]
async fn a_subnet_another_network_holds_is_refused() {
    let scope = crate::common::Scope::new();
    // Half-way round from where network_lifecycle_connect_and_dns_aliases starts.
    let octets = crate::common::octets_from(20, 200, std::process::id() + 100);
    let (held, _) = crate::common::network_on_free_subnet(octets, &unique("held"), &scope).await;
    let err = crate::common::network_on_subnet(&unique("clash"), &scope, &held)
        .await
        .unwrap_err();
    assert!(
        err.message()
            .is_some_and(|m| m.contains("already used") || m.contains("overlaps")),
        "{err:?}"
    );
    let octet: u32 = held.rsplit('.').next().unwrap().parse().unwrap();
    let offered = std::iter::once(octet).chain(20..220);
    let (next, net) = crate::common::network_on_free_subnet(offered, &unique("next"), &scope).await;
    assert_ne!(next, held);
    let wire = serde_json::to_value(net.attrs()).unwrap();
    assert_eq!(wire["IPAM"]["Config"][0]["Subnet"], format!("{next}.0/24"));
}

#[tokio::test]
async fn a_volume_written_by_one_container_is_read_by_another() {
    let scope = crate::common::Scope::new();
    let e = engine();
    let d = docker();
    let name = unique("vol");
    let vol = d
        .volumes()
        .create()
        .name(&name)
        .label(LABEL, scope.value())
        .send()
        .await
        .unwrap();
    assert_eq!(vol.name(), name);
    assert_eq!(
        vol.labels().get(LABEL).map(String::as_str),
        Some(scope.value())
    );
    let out = d
        .containers()
        .run(&e.image)
        .label(LABEL, scope.value())
        .volume(&name, "/data", false)
        .cmd(["sh", "-c", "echo shared > /data/f"])
        .run(true)
        .await
        .unwrap();
    assert!(out.is_empty());
    let out = d
        .containers()
        .run(&e.image)
        .label(LABEL, scope.value())
        .volume(&name, "/data", true)
        .cmd(["cat", "/data/f"])
        .run(true)
        .await
        .unwrap();
    assert_eq!(out, b"shared\n");
    assert_eq!(
        d.volumes().list().name(&name).send().await.unwrap().len(),
        1
    );
    let mut v = d.volumes().get(&name).await.unwrap();
    v.reload().await.unwrap();
    assert!(!v.mountpoint().is_empty());
    v.remove().send().await.unwrap();
    assert!(matches!(
        d.volumes().get(&name).await,
        Err(Error::NotFound { .. })
    ));

    let anon = d
        .volumes()
        .create()
        .label(LABEL, scope.value())
        .label("dei.prune", &name)
        .send()
        .await
        .unwrap();
    let mut prune = d.volumes().prune().label(format!("dei.prune={name}"));
    if crate::common::is_v151() {
        // Since API 1.42 prune takes only anonymous volumes unless `all=true`.
        prune = prune.filter("all", "true");
    }
    let pruned = prune.send().await.unwrap();
    assert_eq!(
        pruned.volumes_deleted.unwrap_or_default(),
        vec![anon.name().to_string()]
    );
}
