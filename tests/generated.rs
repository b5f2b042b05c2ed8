//! The committed copy in `generated/` matches what build.rs generates, and the generated
//! client covers every operation of the spec.

use std::collections::BTreeSet;
use std::path::Path;

const FILES: [(&str, &str); 4] = [
    (
        "engine.rs",
        include_str!(concat!(env!("OUT_DIR"), "/engine.rs")),
    ),
    (
        "operations.rs",
        include_str!(concat!(env!("OUT_DIR"), "/operations.rs")),
    ),
    (
        "openapi.json",
        include_str!(concat!(env!("OUT_DIR"), "/openapi.json")),
    ),
    (
        "rules.log",
        include_str!(concat!(env!("OUT_DIR"), "/rules.log")),
    ),
];

const REFRESH: &str = "scripts/refresh-generated.sh";

#[test]
fn generated_copy_is_fresh() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("generated");
    let bless = std::env::var_os("DOCKER_ENGINE_BLESS").is_some();
    let mut stale = Vec::new();
    for (name, fresh) in FILES {
        let path = dir.join(name);
        if bless {
            std::fs::write(&path, fresh).unwrap();
            continue;
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        if committed != fresh {
            stale.push(name);
        }
    }
    assert!(
        stale.is_empty(),
        "generated/{stale:?} differ from what build.rs generates; refresh with `{REFRESH}` and commit"
    );
}

fn spec_operation_ids() -> Vec<String> {
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("spec/engine-api.yaml"))
            .unwrap();
    let spec: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
    let mut ids = Vec::new();
    for (_, item) in spec["paths"].as_mapping().unwrap() {
        for (_, op) in item.as_mapping().unwrap() {
            if let Some(id) = op.get("operationId").and_then(|v| v.as_str()) {
                ids.push(id.to_string());
            }
        }
    }
    ids
}

#[test]
fn every_operation_of_the_spec_is_a_typed_method() {
    let ids = spec_operation_ids();
    let unique: BTreeSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "operationIds are unique");
    let code = FILES[0].1;
    let mut missing = Vec::new();
    for id in &ids {
        let Some((_, method, _, _)) = docker_engine::OPERATIONS.iter().find(|(op, ..)| op == id)
        else {
            missing.push(format!("{id} (not in OPERATIONS)"));
            continue;
        };
        let signature = format!("pub fn {method}(&self) -> builder::");
        if !code.contains(&signature) {
            missing.push(format!("{id} (no `{signature}`)"));
        }
    }
    assert!(
        missing.is_empty(),
        "operations without a typed method: {missing:?}"
    );
    assert_eq!(docker_engine::OPERATIONS.len(), ids.len());
    println!(
        "{} of {} operations have a typed method",
        ids.len() - missing.len(),
        ids.len()
    );
    if docker_engine::SPEC_API_VERSION == "1.51" {
        assert_eq!(ids.len(), 107, "Engine API v1.51 has 107 operations");
    }
}

/// With the `schemars` feature every generated model describes itself as JSON Schema.
#[cfg(feature = "schemars")]
#[test]
fn models_implement_json_schema_with_the_schemars_feature() {
    let schema = schemars::schema_for!(docker_engine::types::ContainerInspectResponse);
    let json = serde_json::to_value(&schema).unwrap();
    let props = json["properties"].as_object().expect("an object schema");
    for field in ["Id", "State", "Config", "HostConfig", "NetworkSettings"] {
        assert!(
            props.contains_key(field),
            "{field} in {:?}",
            props.keys().collect::<Vec<_>>()
        );
    }
}
