//! The operation ledger's check, run by `scripts/test.sh` after the integration suite has
//! run on every engine (it is `test = false`: `cargo test --test ledger` runs it). Every
//! operation of the spec must have been called on each engine and answered with a success
//! (2xx, 101 for an upgrade, 304 for a no-op start or stop), or with the error a test
//! asserted as what that engine gives when the feature cannot work here.

use std::collections::{BTreeMap, BTreeSet};

use docker_engine::{ApiVersion, OPERATIONS};

/// Operations the spec has that older engines do not: (operationId, first API version).
/// From the Engine's API version history (`docs/api/version-history.md` in moby).
const ADDED: &[(&str, ApiVersion)] = &[("VolumeUpdate", ApiVersion::new(1, 42))];

/// Operations no test calls yet. The check fails when one of them is exercised, so that
/// this list only shrinks; a new spec's operations fail the check until a test calls them.
const PENDING: &[&str] = &[];

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
        let done = |method: &str| {
            expected.contains(method)
                || seen
                    .get(method)
                    .is_some_and(|s| s.iter().any(|s| succeeded(s)))
        };
        let exercised = ops.iter().filter(|(_, m)| done(m)).count();
        println!(
            "operations exercised on {engine}: {exercised}/{}",
            ops.len()
        );
        for (op, method) in &ops {
            let pending = PENDING.contains(op);
            match (done(method), pending) {
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
