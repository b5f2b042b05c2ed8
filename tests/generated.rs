//! The committed copy in `generated/` is what build.rs puts in `OUT_DIR`, it names the spec
//! it was made from, and the generated client covers every operation of the spec.
//!
//! In a default build `OUT_DIR` holds the committed files themselves (build.rs takes them
//! only when their header carries the spec's SHA-256); with `--features regenerate` it holds
//! what the generator made from the spec, and this test compares all four files.

use std::collections::BTreeSet;
use std::path::Path;

#[allow(dead_code)]
#[path = "../src/codegen/cache.rs"]
mod cache;

const ENGINE: &str = include_str!(concat!(env!("OUT_DIR"), "/engine.rs"));

const FILES: &[(&str, &str)] = &[
    ("engine.rs", ENGINE),
    (
        "operations.rs",
        include_str!(concat!(env!("OUT_DIR"), "/operations.rs")),
    ),
    // The review copies: only the generator writes them.
    #[cfg(feature = "regenerate")]
    (
        "openapi.json",
        include_str!(concat!(env!("OUT_DIR"), "/openapi.json")),
    ),
    #[cfg(feature = "regenerate")]
    (
        "rules.log",
        include_str!(concat!(env!("OUT_DIR"), "/rules.log")),
    ),
];

const REFRESH: &str = "scripts/refresh-generated.sh";

fn spec() -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("spec/engine-api.yaml")).unwrap()
}

#[test]
fn generated_copy_is_fresh() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("generated");
    let mut stale = Vec::new();
    for (name, fresh) in FILES {
        let committed = std::fs::read_to_string(dir.join(name)).unwrap_or_default();
        if committed != *fresh {
            stale.push(name);
        }
    }
    assert!(
        stale.is_empty(),
        "generated/{stale:?} differ from what build.rs generates; refresh with `{REFRESH}` and commit"
    );
}

#[test]
fn generated_code_names_the_spec_it_was_made_from() {
    let sha = cache::sha256_hex(&spec());
    for (name, text) in &FILES[..2] {
        let (made_from, version) = cache::parse_header(text)
            .unwrap_or_else(|| panic!("{name} has no spec-sha256 / api-version header"));
        assert_eq!(made_from, sha, "{name} was generated from another spec");
        assert_eq!(version, docker_engine::SPEC_API_VERSION);
    }
}

/// build.rs sets `engine_api_1_NN` for every NN from 12 to the spec's minor version.
#[test]
fn cfg_flags_follow_the_spec_version() {
    let minor = cache::api_minor(docker_engine::SPEC_API_VERSION).unwrap();
    let flags = [
        (12, cfg!(engine_api_1_12)),
        (40, cfg!(engine_api_1_40)),
        (41, cfg!(engine_api_1_41)),
        (42, cfg!(engine_api_1_42)),
        (45, cfg!(engine_api_1_45)),
        (46, cfg!(engine_api_1_46)),
        (51, cfg!(engine_api_1_51)),
        (52, cfg!(engine_api_1_52)),
        (99, cfg!(engine_api_1_99)),
    ];
    for (n, set) in flags {
        assert_eq!(
            set,
            n <= minor,
            "engine_api_1_{n} with the spec at 1.{minor}"
        );
    }
}

/// The names the hand-written layer may use exist whatever the spec's version: they are
/// derived from operations (`types::op`), not from definition names.
#[test]
fn operation_keyed_names_exist() {
    use docker_engine::types::op;
    fn named<T>() -> &'static str {
        std::any::type_name::<T>()
    }
    let names = [
        named::<op::ErrorBody>(),
        named::<op::container_create::Body>(),
        named::<op::container_create::body::HostConfig>(),
        named::<op::container_create::body::host_config::Mounts>(),
        named::<op::container_create::Response>(),
        named::<op::container_list::Item>(),
        named::<op::container_inspect::Response>(),
        named::<op::image_list::Item>(),
        named::<op::image_history::Item>(),
        named::<op::image_create::Item>(),
        named::<op::image_push::Item>(),
        named::<op::image_build::Item>(),
        named::<op::system_events::Item>(),
        named::<op::network_create::Body>(),
        named::<op::volume_create::Body>(),
        named::<op::container_exec::Body>(),
    ];
    assert!(names.iter().all(|n| n.contains("types")), "{names:?}");
    // A list's items, whatever shape the spec gives the list.
    let items: fn(op::container_list::Response) -> Vec<op::container_list::Item> =
        op::container_list::items;
    let _ = items;
}

fn spec_operation_ids() -> Vec<String> {
    let spec: serde_yaml::Value = serde_yaml::from_slice(&spec()).unwrap();
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
    let mut missing = Vec::new();
    for id in &ids {
        let Some((_, method, _, _)) = docker_engine::OPERATIONS.iter().find(|(op, ..)| op == id)
        else {
            missing.push(format!("{id} (not in OPERATIONS)"));
            continue;
        };
        let signature = format!("pub fn {method}(&self) -> builder::");
        if !ENGINE.contains(&signature) {
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
    let schema = schemars::schema_for!(docker_engine::types::op::container_inspect::Response);
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
