//! The operation ledger's check, run by `scripts/test.sh` after the integration suite has
//! run on every engine (it is `test = false`: `cargo test --test ledger` runs it). Every
//! operation of the spec must have been called on each engine and answered with a success
//! (2xx, 101 for an upgrade, 304 for a no-op start or stop), or with the error a test
//! asserted as what that engine gives when the feature cannot work here. Podman has its own
//! table of what it does not serve (`PODMAN_ABSENT`).

use std::collections::{BTreeMap, BTreeSet};

use docker_engine::{ApiVersion, OPERATIONS};

/// Operations the spec has that older engines do not: (operationId, first API version).
/// From the Engine's API version history (`docs/api/version-history.md` in moby).
const ADDED: &[(&str, ApiVersion)] = &[("VolumeUpdate", ApiVersion::new(1, 42))];

/// Operations no test calls yet. The check fails when one of them is exercised, so that
/// this list only shrinks; a new spec's operations fail the check until a test calls them.
const PENDING: &[&str] = &[];

/// Podman's own table: the operations its Docker-compatible API (Podman 4.3, API 1.41) does
/// not serve, with the status it answers (asserted by the test that calls each; README.md,
/// "Known differences on Podman"). On Podman these count as exercised only with that status,
/// and the check fails when one of them succeeds: take it off then. Every other operation is
/// held to the same rule as on Docker.
const PODMAN_ABSENT: &[(&str, u16, &str)] = &[
    ("ContainerUpdate", 404, "`podman update` only"),
    ("ContainerAttachWebsocket", 404, "no attach websocket"),
    ("BuildPrune", 404, "no build cache of its own"),
    ("Session", 404, "builds use buildah, not BuildKit"),
    ("DistributionInspect", 404, "no registry lookup endpoint"),
    ("VolumeUpdate", 405, "cluster volumes are swarm's"),
    ("SecretUpdate", 501, "podman's secrets cannot be updated"),
    ("SwarmInspect", 404, "no swarm mode"),
    ("SwarmInit", 503, "no swarm mode"),
    ("SwarmJoin", 503, "no swarm mode"),
    ("SwarmLeave", 503, "no swarm mode"),
    ("SwarmUpdate", 503, "no swarm mode"),
    ("SwarmUnlockkey", 503, "no swarm mode"),
    ("SwarmUnlock", 503, "no swarm mode"),
    ("NodeList", 404, "no swarm mode"),
    ("NodeInspect", 503, "no swarm mode"),
    ("NodeDelete", 503, "no swarm mode"),
    ("NodeUpdate", 503, "no swarm mode"),
    ("ServiceList", 404, "no swarm mode"),
    ("ServiceCreate", 503, "no swarm mode"),
    ("ServiceInspect", 503, "no swarm mode"),
    ("ServiceDelete", 503, "no swarm mode"),
    ("ServiceUpdate", 503, "no swarm mode"),
    ("ServiceLogs", 503, "no swarm mode"),
    ("TaskList", 404, "no swarm mode"),
    ("TaskInspect", 503, "no swarm mode"),
    ("TaskLogs", 503, "no swarm mode"),
    ("ConfigList", 404, "no swarm mode"),
    ("ConfigCreate", 503, "no swarm mode"),
    ("ConfigInspect", 503, "no swarm mode"),
    ("ConfigDelete", 503, "no swarm mode"),
    ("ConfigUpdate", 503, "no swarm mode"),
    ("PluginList", 404, "no managed plugins"),
    ("GetPluginPrivileges", 404, "no managed plugins"),
    ("PluginPull", 404, "no managed plugins"),
    ("PluginInspect", 404, "no managed plugins"),
    ("PluginDelete", 404, "no managed plugins"),
    ("PluginEnable", 404, "no managed plugins"),
    ("PluginDisable", 404, "no managed plugins"),
    ("PluginUpgrade", 404, "no managed plugins"),
    ("PluginCreate", 404, "no managed plugins"),
    ("PluginPush", 404, "no managed plugins"),
    ("PluginSet", 404, "no managed plugins"),
];

fn var(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set: run scripts/test.sh"))
}

/// Operation -> statuses seen, and operations whose error a test asserted.
fn read(dir: &std::path::Path) -> (BTreeMap<String, BTreeSet<String>>, BTreeSet<String>) {
    let (mut seen, mut expected) = (BTreeMap::new(), BTreeSet::new());
    let entries = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("no ledger at {}: {e}; did the suite run?", dir.display()));
    for entry in entries {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        for line in text.lines() {
            let mut f = line.split('\t');
            let (op, status) = (f.next().unwrap().to_string(), f.next().unwrap_or("-"));
            if f.next() == Some("expected") {
                expected.insert(op.clone());
            }
            seen.entry(op)
                .or_insert_with(BTreeSet::new)
                .insert(status.to_string());
        }
    }
    (seen, expected)
}

fn succeeded(status: &str) -> bool {
    matches!(status.parse::<u16>(), Ok(200..=299 | 101 | 304))
}

#[test]
fn every_operation_is_exercised() {
    let state = std::path::PathBuf::from(var("DOCKER_ENGINE_TEST_DIR"));
    let mut failures = Vec::new();
    for (op, _, _) in PODMAN_ABSENT {
        assert!(
            OPERATIONS.iter().any(|o| o.0 == *op),
            "PODMAN_ABSENT names {op}, which the spec does not have"
        );
    }
    for engine in var("DOCKER_ENGINE_TEST_ENGINES").split_whitespace() {
        let api: ApiVersion = var(&format!(
            "DOCKER_ENGINE_TEST_{}_API_VERSION",
            engine.to_uppercase()
        ))
        .parse()
        .unwrap();
        let (seen, expected) = read(&state.join("ledger").join(engine));
        let applies = |op: &str| ADDED.iter().all(|(o, v)| *o != op || api >= *v);
        // The ledger names operations by generated method; messages use the operationId.
        let ops: Vec<(&str, &str)> = OPERATIONS
            .iter()
            .map(|o| (o.0, o.1))
            .filter(|o| applies(o.0))
            .collect();
        let absent = |op: &str| {
            PODMAN_ABSENT
                .iter()
                .find(|a| engine == "podman" && a.0 == op)
        };
        let statuses = |method: &str| seen.get(method).cloned().unwrap_or_default();
        let done = |op: &str, method: &str| match absent(op) {
            Some((_, status, _)) => {
                expected.contains(method) && statuses(method).contains(&status.to_string())
            }
            None => expected.contains(method) || statuses(method).iter().any(|s| succeeded(s)),
        };
        let exercised = ops.iter().filter(|(o, m)| done(o, m)).count();
        let refused = ops.iter().filter(|(o, _)| absent(o).is_some()).count();
        println!(
            "operations exercised on {engine}: {exercised}/{}{}",
            ops.len(),
            if refused > 0 {
                format!(" ({refused} of them answered as absent: PODMAN_ABSENT)")
            } else {
                String::new()
            }
        );
        for (op, method) in &ops {
            if let Some((_, status, why)) = absent(op)
                && statuses(method).iter().any(|s| succeeded(s))
            {
                failures.push(format!(
                    "{engine}: {op} succeeded, but PODMAN_ABSENT says {status} ({why}): take it off"
                ));
            }
            let pending = PENDING.contains(op);
            match (done(op, method), pending) {
                (false, false) => failures.push(format!(
                    "{engine}: {op} was not exercised (statuses seen: {:?})",
                    seen.get(*method)
                        .map(|s| s.iter().collect::<Vec<_>>())
                        .unwrap_or_default()
                )),
                (true, true) => failures.push(format!(
                    "{engine}: {op} is exercised now: take it off PENDING in tests/ledger.rs"
                )),
                _ => {}
            }
        }
        let unknown: Vec<&String> = seen
            .keys()
            .filter(|m| *m != "negotiate" && !OPERATIONS.iter().any(|o| o.1 == m.as_str()))
            .collect();
        assert!(
            unknown.is_empty(),
            "{engine}: operations not in the spec: {unknown:?}"
        );
    }
    if !PENDING.is_empty() {
        println!("pending (no test yet): {}", PENDING.join(", "));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
