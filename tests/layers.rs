//! The tree's layering, checked on the source: models -> session/stream -> client ->
//! transport -> raw, never back up; every request built by a generated builder; the
//! generated types named by operation, never by definition name.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out.sort();
    out
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The lines of `file` that are code (not comments).
fn code_lines(file: &Path) -> Vec<(usize, String)> {
    std::fs::read_to_string(file)
        .unwrap()
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim_start().starts_with("//"))
        .map(|(i, l)| (i + 1, l.to_string()))
        .collect()
}

fn offenders(files: &[PathBuf], bad: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for f in files {
        for (n, line) in code_lines(f) {
            for b in bad {
                if line.contains(b) {
                    found.push(format!("{}:{n}: {}", f.display(), line.trim()));
                }
            }
        }
    }
    found
}

#[test]
fn no_layer_below_the_models_names_a_model() {
    let root = src();
    let mut below: Vec<PathBuf> = ["transport", "stream", "session"]
        .iter()
        .flat_map(|d| rust_files(&root.join(d)))
        .collect();
    for f in [
        "client.rs",
        "raw.rs",
        "error.rs",
        "auth.rs",
        "filters.rs",
        "version.rs",
    ] {
        below.push(root.join(f));
    }
    let found = offenders(
        &below,
        &[
            "crate::models",
            "crate::containers",
            "crate::images",
            "crate::networks",
            "crate::volumes",
            ".containers()",
            ".images()",
            ".networks()",
            ".volumes()",
        ],
    );
    assert!(
        found.is_empty(),
        "lower layers name models:\n{}",
        found.join("\n")
    );
}

#[test]
fn no_request_is_built_by_hand_outside_the_core() {
    let outside: Vec<PathBuf> = rust_files(&src())
        .into_iter()
        .filter(|p| !p.starts_with(src().join("transport")))
        .collect();
    let found = offenders(
        &outside,
        &[
            "reqwest::Method",
            "reqwest::Request",
            "http::Request",
            "Url::parse",
            "query_pairs",
            "hyper::",
            ".execute(",
            "format!(\"/v",
            "format!(\"/containers",
            "format!(\"/images",
            "format!(\"/exec",
        ],
    );
    assert!(
        found.is_empty(),
        "hand-built requests:\n{}",
        found.join("\n")
    );
}

#[test]
fn generated_types_are_named_by_operation_not_by_definition() {
    // `types::op::...` is derived from operations and stays when Docker renames a
    // definition; `types::SomeDefinition` would break on a spec bump.
    let mut files = rust_files(&src());
    files.retain(|p| !p.ends_with("raw.rs"));
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    files.extend(rust_files(&root.join("tests")));
    files.extend(rust_files(&root.join("examples")));
    let mut found = Vec::new();
    for f in &files {
        for (n, line) in code_lines(f) {
            let mut rest = line.as_str();
            while let Some(i) = rest.find("types::") {
                let after = &rest[i + "types::".len()..];
                if rest[..i].ends_with("pki_") {
                    rest = after;
                    continue;
                }
                if after.starts_with(|c: char| c.is_ascii_uppercase()) {
                    found.push(format!("{}:{n}: {}", f.display(), line.trim()));
                    break;
                }
                rest = after;
            }
        }
    }
    found.retain(|l| !l.contains("tests/layers.rs"));
    assert!(found.is_empty(), "definition names:\n{}", found.join("\n"));
}
