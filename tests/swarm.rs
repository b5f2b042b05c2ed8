//! Swarm mode and managed plugins on the engine under test: a single-node swarm made and
//! left by the test (on the engine's own bridge address, with its own manager and VXLAN
//! ports, so both engines can be swarms at once), its nodes, services, tasks, secrets and
//! configs, then a managed plugin built here, pushed to the loopback registry, installed
//! and upgraded from it.
//!
//! A binary of its own: the swarm is engine-wide state, so no other test runs beside it
//! (`cargo test` runs test binaries one after another). Run by `scripts/test.sh` once per
//! engine, like `tests/engine`. Podman has neither swarm mode nor plugins: there the test
//! asserts how it refuses each of their operations (see `podman_has_no_swarm_and_no_plugins`).

#[path = "engine/common/mod.rs"]
mod common;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use docker_engine::auth::RegistryAuth;
use docker_engine::{Docker, Error};
use futures_util::StreamExt;

use common::{LABEL, Scope, docker, engine, unique};

fn var(name: &str) -> String {
    let key = format!("DOCKER_ENGINE_TEST_{}_{name}", engine().name.to_uppercase());
    std::env::var(&key).unwrap_or_else(|_| panic!("{key} is not set: run scripts/test.sh"))
}

/// Polls `check` every 200 ms until it gives `Some`, for at most `limit`.
async fn eventually<T, F: std::future::Future<Output = Option<T>>>(
    what: &str,
    limit: Duration,
    mut check: impl FnMut() -> F,
) -> T {
    let start = Instant::now();
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(start.elapsed() < limit, "{what}: not within {limit:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Leaves the swarm when the test ends, also when it fails, and removes the engine's own
/// `docker_gwbridge`. It runs on a runtime of its own, with a client of its own: the test's
/// connections belong to the test's runtime, which is blocked in this `drop`.
struct LeaveOnDrop;

impl Drop for LeaveOnDrop {
    fn drop(&mut self) {
        let done = std::thread::spawn(move || {
            tokio::runtime::Runtime::new().unwrap().block_on(async {
                let d = docker();
                let left = d.swarm().leave(true).await;
                (left, remove_gwbridge(&d).await)
            })
        });
        let (left, removed) = done.join().unwrap();
        if let Err(e) = left.and(removed) {
            eprintln!("leaving the swarm failed: {e}");
        }
    }
}

/// The bridge swarm mode connects task containers to the host through: one per host,
/// named `docker_gwbridge`, which the first engine would create and a second one take over
/// (and re-address) when both engines are swarms. Made here first, under a Linux bridge
/// name of this engine's own, as the docker docs describe for a custom gwbridge.
async fn own_gwbridge(d: &Docker) {
    remove_gwbridge(d).await.unwrap();
    let bridge = format!("{}gw", var("BRIDGE"));
    d.networks()
        .create("docker_gwbridge")
        .option("com.docker.network.bridge.name", bridge)
        .option("com.docker.network.bridge.enable_icc", "false")
        .option("com.docker.network.bridge.enable_ip_masquerade", "true")
        .send()
        .await
        .unwrap();
}

/// Removes `docker_gwbridge` if it is there; its last endpoints go a moment after a leave.
async fn remove_gwbridge(d: &Docker) -> Result<(), Error> {
    for _ in 0..50 {
        match d.networks().handle("docker_gwbridge").remove().await {
            Ok(()) | Err(Error::NotFound { .. }) => return Ok(()),
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
    d.networks().handle("docker_gwbridge").remove().await
}

#[tokio::test]
async fn swarm_services_tasks_nodes_secrets_configs_and_plugins() {
    let d = docker();
    if common::is_podman() {
        eprintln!(
            "podman: no swarm mode and no managed plugins; asserting how Podman refuses each \
             of their operations, and its own secrets, instead"
        );
        return podman_has_no_swarm_and_no_plugins(&d).await;
    }
    let ip = var("BRIDGE_IP");
    own_gwbridge(&d).await;
    let init = || {
        d.swarm()
            .init()
            .listen_addr(format!("{ip}:{}", var("SWARM_PORT")))
            .advertise_addr(format!("{ip}:{}", var("SWARM_PORT")))
            .data_path_port(var("DATA_PATH_PORT").parse().unwrap())
            .default_addr_pool(var("SWARM_POOL"))
    };
    // The data path address reaches the daemon: one that is neither an address nor an
    // interface is refused, and the node stays out of a swarm.
    let bad = init()
        .data_path_addr("no-such-interface-0")
        .send()
        .await
        .unwrap_err();
    assert_eq!(bad.status(), Some(400), "{bad:?}");
    assert!(
        bad.message()
            .is_some_and(|m| m.contains("data path address")),
        "{bad:?}"
    );
    common::ledger::expected_error("swarm_init", 400);
    let node_id = init().data_path_addr(&ip).send().await.unwrap();
    let _leave = LeaveOnDrop;
    assert!(!node_id.is_empty());
    swarm(&d).await;
    services_secrets_configs_tasks(&d).await;
    nodes(&d, &node_id).await;
    plugins(&d).await;

    // `init` again is refused while in a swarm (`swarm`, above), unless it forces a new
    // cluster from this node's state: the same node, the only manager of a new cluster.
    let again = init().force_new_cluster(true).send().await.unwrap();
    assert_eq!(again, node_id);
    let managers = d.nodes().list().role("manager").send().await.unwrap();
    assert_eq!(managers.len(), 1);
    assert_eq!(managers[0].id(), node_id);
}

async fn swarm(d: &Docker) {
    let again = d.swarm().init().send().await.unwrap_err();
    assert_eq!(again.status(), Some(503), "already a swarm: {again:?}");
    let attrs = serde_json::to_value(d.swarm().inspect().await.unwrap()).unwrap();
    let tokens = &attrs["JoinTokens"];
    assert!(
        tokens["Worker"].as_str().unwrap().starts_with("SWMTKN-"),
        "{attrs}"
    );

    d.swarm()
        .update()
        .task_history_limit(3)
        .label("dei.swarm", "yes")
        .rotate_worker_token(true)
        .rotate_manager_token(true)
        .send()
        .await
        .unwrap();
    let after = serde_json::to_value(d.swarm().inspect().await.unwrap()).unwrap();
    assert_eq!(
        after["Spec"]["Orchestration"]["TaskHistoryRetentionLimit"],
        3
    );
    assert_eq!(after["Spec"]["Labels"]["dei.swarm"], "yes");
    assert_ne!(
        after["JoinTokens"]["Worker"], attrs["JoinTokens"]["Worker"],
        "rotated"
    );
    assert_ne!(
        after["JoinTokens"]["Manager"], attrs["JoinTokens"]["Manager"],
        "rotated"
    );

    // No autolock: the unlock key is empty, and unlocking an unlocked swarm is refused.
    assert_eq!(d.swarm().unlock_key().await.unwrap(), "");
    let unlock = d.swarm().unlock("SWMKEY-1-nothing").await.unwrap_err();
    assert!(unlock.status().is_some(), "{unlock:?}");
    common::ledger::expected_error("swarm_unlock", unlock.status().unwrap());
    // Joining another swarm while in one is refused.
    let join = d
        .swarm()
        .join(["127.0.0.1:1"], "SWMTKN-1-nothing")
        .send()
        .await
        .unwrap_err();
    assert_eq!(join.status(), Some(503), "{join:?}");
    common::ledger::expected_error("swarm_join", 503);
}

async fn nodes(d: &Docker, node_id: &str) {
    let listed = d.nodes().list().role("manager").send().await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id(), node_id);
    let mut node = d.nodes().get(node_id).await.unwrap();
    assert_eq!(node.role(), "manager");
    node.update()
        .label("dei.node", "one")
        .availability("pause")
        .send()
        .await
        .unwrap();
    node.reload().await.unwrap();
    assert_eq!(
        node.labels().get("dei.node").map(String::as_str),
        Some("one")
    );
    assert_eq!(node.availability(), "pause");
    node.update()
        .remove_label("dei.node")
        .availability("active")
        .send()
        .await
        .unwrap();
    node.reload().await.unwrap();
    assert_eq!(node.availability(), "active");
    // The only manager cannot be removed.
    let rm = node.remove(false).await.unwrap_err();
    assert!(rm.status().is_some(), "{rm:?}");
    common::ledger::expected_error("node_delete", rm.status().unwrap());
}

async fn services_secrets_configs_tasks(d: &Docker) {
    let scope = Scope::new();
    let e = engine();
    let secret = d
        .secrets()
        .create(unique("secret"), "s3cret-value")
        .label(LABEL, scope.value())
        .send()
        .await
        .unwrap();
    let config = d
        .configs()
        .create(unique("config"), "config-value")
        .label(LABEL, scope.value())
        .send()
        .await
        .unwrap();
    let (secret_m, config_m) = (
        secret.inspect().await.unwrap(),
        config.inspect().await.unwrap(),
    );
    let listed = d
        .secrets()
        .list()
        .label(format!("{LABEL}={}", scope.value()))
        .send()
        .await;
    assert_eq!(listed.unwrap().len(), 1);
    let listed = d
        .configs()
        .list()
        .name(config_m.name())
        .send()
        .await
        .unwrap();
    assert_eq!(listed[0].id(), config.id());
    let data = serde_json::to_value(config_m.attrs()).unwrap()["Spec"]["Data"].clone();
    assert_eq!(
        data, "Y29uZmlnLXZhbHVl",
        "a config's data comes back (base64)"
    );
    let labels = HashMap::from([
        (LABEL.to_string(), scope.value().to_string()),
        ("v".into(), "2".into()),
    ]);
    secret.set_labels(labels.clone()).await.unwrap();
    config.set_labels(labels).await.unwrap();
    assert_eq!(
        secret
            .inspect()
            .await
            .unwrap()
            .labels()
            .get("v")
            .map(String::as_str),
        Some("2")
    );
    assert_eq!(
        config
            .inspect()
            .await
            .unwrap()
            .labels()
            .get("v")
            .map(String::as_str),
        Some("2")
    );

    // A spec edited into a shape the API does not have is refused before it is sent.
    let bad = d
        .services()
        .create(&e.image)
        .edit(|spec| spec["Mode"] = "not a mode".into())
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&bad, Error::InvalidArgument(m) if m.contains("the service spec")),
        "{bad:?}"
    );

    let name = unique("svc");
    // By id: a tag would make each task try the image's registry first.
    let image = d.images().get(&e.image).await.unwrap().id().to_string();
    let service = d
        .services()
        .create(&image)
        .name(&name)
        .label(LABEL, scope.value())
        .container_label(LABEL, scope.value())
        .replicas(2)
        .env("GREETING=hello")
        .secret(secret.id(), &secret_m.name(), "the-secret")
        .config(config.id(), &config_m.name(), "/the-config")
        .command([
            "sh",
            "-c",
            "echo \"$GREETING $(cat /run/secrets/the-secret) $(cat /the-config)\"; exec sleep 300",
        ])
        .edit(|spec| {
            // Quick updates and rollbacks: all tasks at once, a short stop, an init that
            // passes SIGTERM on.
            let fast = serde_json::json!({ "Parallelism": 0, "Monitor": 1_000_000_000u64 });
            spec["UpdateConfig"] = fast.clone();
            spec["RollbackConfig"] = fast;
            spec["TaskTemplate"]["ContainerSpec"]["StopGracePeriod"] = 1_000_000_000u64.into();
            spec["TaskTemplate"]["ContainerSpec"]["Init"] = true.into();
        })
        .send()
        .await
        .unwrap();
    let running = |n: usize| {
        let service = service.clone();
        move || {
            let service = service.clone();
            async move {
                let tasks = service
                    .tasks()
                    .desired_state("running")
                    .send()
                    .await
                    .unwrap();
                let up = tasks.iter().filter(|t| t.state() == "running").count();
                (up == n).then_some(tasks)
            }
        }
    };
    let tasks = eventually("2 running tasks", Duration::from_secs(60), running(2)).await;
    let listed = d.services().list().name(&name).send().await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].name(), name);

    // The tasks read the secret and the config; their logs come through the demuxer.
    let task = d.tasks().get(tasks[0].id()).await.unwrap();
    let line = "hello s3cret-value config-value\n";
    let (out, _) = task.logs().stream().collect_output().await.unwrap();
    assert_eq!(String::from_utf8_lossy(&out), line);
    let (out, _) = service.logs().stream().collect_output().await.unwrap();
    assert_eq!(String::from_utf8_lossy(&out), line.repeat(2));

    // Update with the version index, scale, roll back, force.
    service
        .update()
        .env("GREETING=updated")
        .send()
        .await
        .unwrap();
    let env = |s: &docker_engine::models::swarm::services::Service| {
        serde_json::to_value(s.attrs()).unwrap()["Spec"]["TaskTemplate"]["ContainerSpec"]["Env"]
            .clone()
    };
    let updated = d.services().get(&name).await.unwrap();
    assert_eq!(
        env(&updated),
        serde_json::json!(["GREETING=hello", "GREETING=updated"])
    );
    service.rollback().await.unwrap();
    assert_eq!(
        env(&d.services().get(&name).await.unwrap()),
        serde_json::json!(["GREETING=hello"])
    );
    service.scale(1).await.unwrap();
    eventually("1 running task", Duration::from_secs(60), running(1)).await;
    service.force_update().await.unwrap();
    let forced = serde_json::to_value(d.services().get(&name).await.unwrap().attrs()).unwrap();
    assert_eq!(forced["Spec"]["TaskTemplate"]["ForceUpdate"], 1);

    service.remove().await.unwrap();
    let gone = d.services().get(&name).await.unwrap_err();
    assert!(matches!(gone, Error::NotFound { .. }), "{gone:?}");
    // A secret in use cannot be removed; once its service is gone it can.
    eventually(
        "the service's tasks gone",
        Duration::from_secs(60),
        || async { secret.delete().await.ok() },
    )
    .await;
    config.delete().await.unwrap();
    let gone = d.secrets().get(secret.id()).await.unwrap_err();
    assert!(matches!(gone, Error::NotFound { .. }), "{gone:?}");
}

/// A managed plugin's directory: the fixture image's filesystem as `rootfs/` (with a file
/// of its own: two plugins with the same rootfs cannot both exist), and a `config.json`.
async fn plugin_dir(d: &Docker, tag: &str) -> std::path::PathBuf {
    let scope = Scope::new();
    let dir = std::env::temp_dir().join(unique("plugin-dir"));
    let c = d
        .containers()
        .create(&engine().image)
        .label(LABEL, scope.value())
        .cmd(["true"])
        .send()
        .await
        .unwrap();
    let tar: Vec<u8> = c.export().map(|b| b.unwrap().to_vec()).concat().await;
    tar::Archive::new(&tar[..])
        .unpack(dir.join("rootfs"))
        .unwrap();
    std::fs::write(dir.join("rootfs/dei-plugin-id"), unique(tag)).unwrap();
    // The daemon dials the plugin's socket before enable returns, whatever its interface:
    // the test serves it (see `PluginSocket`). A log driver is never called on its own.
    let config = serde_json::json!({
        "description": "docker-engine test plugin",
        "documentation": "https://example.invalid/docker-engine",
        "entrypoint": ["/bin/sh", "-c", "trap 'exit 0' TERM INT; sleep 2147483647 & wait"],
        "interface": { "types": ["docker.logdriver/1.0"], "socket": "dei.sock" },
        "network": { "type": "none" },
        "env": [{ "name": "DEI_MODE", "description": "a setting", "settable": ["value"], "value": "one" }],
    });
    std::fs::write(dir.join("config.json"), config.to_string()).unwrap();
    dir
}

/// The socket an enabled plugin serves, made on the host side where the daemon looks for
/// it (`/run/docker/plugins/<id>/`, which `disable` removes): the daemon only dials it.
struct PluginSocket(#[allow(dead_code)] std::os::unix::net::UnixListener);

impl PluginSocket {
    fn serve(plugin: &docker_engine::models::plugins::Plugin) -> PluginSocket {
        let id = serde_json::to_value(plugin.attrs()).unwrap()["Id"]
            .as_str()
            .unwrap()
            .to_string();
        let dir = std::path::Path::new("/run/docker/plugins").join(id);
        std::fs::create_dir_all(&dir).unwrap();
        let _ = std::fs::remove_file(dir.join("dei.sock"));
        PluginSocket(std::os::unix::net::UnixListener::bind(dir.join("dei.sock")).unwrap())
    }
}

async fn plugins(d: &Docker) {
    let e = engine();
    let base = format!("{}/{}", e.registry, unique("plugin"));
    let (v1, v2) = (format!("{base}:v1"), format!("{base}:v2"));

    let dir = plugin_dir(d, "v1").await;
    let mut plugin = d.plugins().create(&v1, &dir).await.unwrap();
    assert!(!plugin.enabled());
    assert_eq!(plugin.name(), v1);
    let _socket = PluginSocket::serve(&plugin);
    plugin.enable(10).await.unwrap();
    plugin.reload().await.unwrap();
    assert!(plugin.enabled());
    let listed = d
        .plugins()
        .list()
        .enabled("true")
        .capability("logdriver")
        .send()
        .await
        .unwrap();
    assert!(listed.iter().any(|p| p.name() == v1), "{listed:?}");
    let busy = plugin.configure(["DEI_MODE=two"]).await.unwrap_err();
    assert!(
        busy.to_string().contains("disable"),
        "an enabled plugin is not set: {busy}"
    );
    plugin.disable(false).await.unwrap();
    plugin.configure(["DEI_MODE=two"]).await.unwrap();
    plugin.reload().await.unwrap();
    assert!(
        plugin.env().contains(&"DEI_MODE=two".to_string()),
        "{:?}",
        plugin.env()
    );
    plugin.push(Some(registry_auth())).await.expect("push v1");
    plugin.remove(false).await.expect("remove v1");
    std::fs::remove_dir_all(&dir).unwrap();

    // A second version, pushed, for the upgrade.
    let dir = plugin_dir(d, "v2").await;
    let second = d.plugins().create(&v2, &dir).await.unwrap();
    second.push(Some(registry_auth())).await.unwrap();
    second.remove(true).await.unwrap();
    std::fs::remove_dir_all(&dir).unwrap();

    // Install from the registry, with the privileges it asks for, under a local name.
    let local = format!("{}:latest", unique("plugin"));
    let installed = d
        .plugins()
        .install(&v1)
        .name(&local)
        .auth(registry_auth())
        .send()
        .await
        .unwrap();
    assert_eq!(installed.name(), local);
    assert!(!installed.enabled(), "a pull installs the plugin disabled");
    let upgraded = installed
        .upgrade(&v2)
        .auth(registry_auth())
        .send()
        .await
        .unwrap();
    let reference = serde_json::to_value(upgraded.attrs()).unwrap()["PluginReference"].clone();
    assert_eq!(reference, v2.as_str());
    upgraded.remove(true).await.unwrap();
    let gone = d.plugins().get(&local).await.unwrap_err();
    assert!(matches!(gone, Error::NotFound { .. }), "{gone:?}");

    // Installing what the registry does not have fails, with the registry's answer.
    let missing = d
        .plugins()
        .install(format!("{base}:nope"))
        .auth(registry_auth())
        .send()
        .await
        .unwrap_err();
    assert!(
        missing.status().is_some() || matches!(missing, Error::Stream { .. }),
        "{missing:?}"
    );
}

fn registry_auth() -> RegistryAuth {
    let e = engine();
    RegistryAuth::basic(e.registry_user, e.registry_password).server(e.registry)
}

/// Podman (4.3) has no swarm mode and no managed plugins. Its Docker-compatible API answers
/// the swarm's operations with 503 "Podman does not support service: <path>" (the list
/// operations, `GET /swarm`, `/nodes`, `/services`, `/tasks`, `/configs`, with 404) and the
/// plugin operations with 404. Secrets it has, without a swarm: podman's own, kept by the
/// engine (create, inspect, list and delete; no update, 501). Each answer is asserted, and
/// counted by the operation ledger as what Podman gives (tests/ledger.rs).
async fn podman_has_no_swarm_and_no_plugins(d: &Docker) {
    use docker_engine::types::op;
    let raw = d.raw();
    // (operation, status, message it contains), for one call each.
    macro_rules! refused {
        ($op:literal, $status:literal, $call:expr) => {{
            let err = Error::from($call.send().await.map(drop).unwrap_err());
            assert_eq!(err.status(), Some($status), "{}: {err:?}", $op);
            if $status == 503 {
                assert!(
                    err.to_string().contains("Podman does not support service"),
                    "{}: {err}",
                    $op
                );
            }
            common::ledger::expected_error($op, $status);
        }};
    }
    refused!("swarm_inspect", 404, raw.swarm_inspect());
    refused!(
        "swarm_init",
        503,
        raw.swarm_init().body(op::swarm_init::Body::default())
    );
    refused!(
        "swarm_join",
        503,
        raw.swarm_join().body(op::swarm_join::Body::default())
    );
    refused!("swarm_leave", 503, raw.swarm_leave());
    refused!(
        "swarm_update",
        503,
        raw.swarm_update()
            .version(1)
            .body(op::swarm_update::Body::default())
    );
    refused!("swarm_unlockkey", 503, raw.swarm_unlockkey());
    refused!(
        "swarm_unlock",
        503,
        raw.swarm_unlock().body(op::swarm_unlock::Body::default())
    );
    refused!("node_list", 404, raw.node_list());
    refused!("node_inspect", 503, raw.node_inspect().id("x"));
    refused!("node_delete", 503, raw.node_delete().id("x"));
    refused!(
        "node_update",
        503,
        raw.node_update()
            .id("x")
            .version(1)
            .body(op::node_update::Body::default())
    );
    refused!("service_list", 404, raw.service_list());
    refused!(
        "service_create",
        503,
        raw.service_create()
            .body(op::service_create::Body::default())
    );
    refused!("service_inspect", 503, raw.service_inspect().id("x"));
    refused!("service_delete", 503, raw.service_delete().id("x"));
    refused!(
        "service_update",
        503,
        raw.service_update()
            .id("x")
            .version(1)
            .body(op::service_update::Body::default())
    );
    refused!("service_logs", 503, raw.service_logs().id("x").stdout(true));
    refused!("task_list", 404, raw.task_list());
    refused!("task_inspect", 503, raw.task_inspect().id("x"));
    refused!("task_logs", 503, raw.task_logs().id("x").stdout(true));
    refused!("config_list", 404, raw.config_list());
    refused!(
        "config_create",
        503,
        raw.config_create().body(op::config_create::Body::default())
    );
    refused!("config_inspect", 503, raw.config_inspect().id("x"));
    refused!("config_delete", 503, raw.config_delete().id("x"));
    refused!(
        "config_update",
        503,
        raw.config_update()
            .id("x")
            .version(1)
            .body(op::config_update::Body::default())
    );
    refused!("plugin_list", 404, raw.plugin_list());
    refused!(
        "get_plugin_privileges",
        404,
        raw.get_plugin_privileges().remote("x")
    );
    refused!(
        "plugin_pull",
        404,
        raw.plugin_pull().remote("x").body(Vec::new())
    );
    refused!("plugin_inspect", 404, raw.plugin_inspect().name("x"));
    refused!("plugin_delete", 404, raw.plugin_delete().name("x"));
    refused!("plugin_enable", 404, raw.plugin_enable().name("x"));
    refused!("plugin_disable", 404, raw.plugin_disable().name("x"));
    refused!(
        "plugin_upgrade",
        404,
        raw.plugin_upgrade().name("x").remote("x").body(Vec::new())
    );
    refused!(
        "plugin_create",
        404,
        raw.plugin_create().name("x").body(Vec::<u8>::new())
    );
    refused!("plugin_push", 404, raw.plugin_push().name("x"));
    refused!(
        "plugin_set",
        404,
        raw.plugin_set().name("x").body(Vec::<String>::new())
    );

    // Secrets: Podman's own, no swarm needed.
    let scope = Scope::new();
    let name = unique("secret");
    let secret = d
        .secrets()
        .create(&name, "s3cret-value")
        .label(LABEL, scope.value())
        .send()
        .await
        .unwrap();
    let model = secret.inspect().await.unwrap();
    assert_eq!(model.name(), name);
    let listed = d.secrets().list().name(&name).send().await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id(), secret.id());
    let update = secret.set_labels(HashMap::new()).await.unwrap_err();
    assert_eq!(update.status(), Some(501), "{update:?}");
    assert!(
        update.to_string().contains("update is not supported"),
        "{update}"
    );
    common::ledger::expected_error("secret_update", 501);
    secret.delete().await.unwrap();
    let gone = d.secrets().get(secret.id()).await.unwrap_err();
    assert!(matches!(gone, Error::NotFound { .. }), "{gone:?}");
}
