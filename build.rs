//! Puts the raw Engine API client into `$OUT_DIR`, from `spec/engine-api.yaml`.
//!
//! Two ways, same output:
//!
//! - **Default**: `generated/engine.rs` and `generated/operations.rs` are the committed
//!   output of the generator, and their header carries the SHA-256 of the spec they were
//!   made from. When it matches `spec/engine-api.yaml`, they are copied to `$OUT_DIR` and
//!   no generator crate is compiled. When it does not, the build stops and says how to
//!   regenerate.
//! - **`--features regenerate`**: the generator in `src/codegen/` runs (Swagger 2.0 ->
//!   OpenAPI 3.0.3 -> progenitor, by the rules there) and writes `engine.rs`,
//!   `operations.rs`, `openapi.json` and `rules.log` to `$OUT_DIR`.
//!   `scripts/refresh-generated.sh` copies them to `generated/`, byte for byte.
//!
//! Either way it tells rustc the spec's API version as `cfg` flags: `engine_api_1_NN` for
//! every NN from 12 to the spec's minor version, so `#[cfg(engine_api_1_44)]` reads "the
//! spec is API 1.44 or newer".

#[cfg(not(feature = "regenerate"))]
#[allow(dead_code)]
#[path = "src/codegen/cache.rs"]
mod cache;

#[cfg(feature = "regenerate")]
#[allow(dead_code)]
#[path = "src/codegen/mod.rs"]
mod codegen;
#[cfg(feature = "regenerate")]
use codegen::cache;

use std::path::Path;

const SPEC: &str = "spec/engine-api.yaml";
const COMMITTED: [&str; 2] = ["generated/engine.rs", "generated/operations.rs"];

/// The oldest and newest minor versions the `engine_api_1_NN` flags can name.
const CFG_MINORS: std::ops::RangeInclusive<u32> = 12..=99;

fn main() {
    println!("cargo::rerun-if-changed={SPEC}");
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=src/codegen/cache.rs");
    let out_dir = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    let out = Path::new(&out_dir);

    let spec = std::fs::read(SPEC).unwrap_or_else(|e| fail(&format!("cannot read {SPEC}: {e}")));
    let sha = cache::sha256_hex(&spec);

    let api_version = if cfg!(feature = "regenerate") {
        regenerate(&spec, out)
    } else {
        use_committed(&sha, out)
    };

    let minor = cache::api_minor(&api_version).unwrap_or_else(|| {
        fail(&format!(
            "{SPEC} describes API version {api_version:?}, not 1.N"
        ))
    });
    for n in CFG_MINORS {
        println!("cargo::rustc-check-cfg=cfg(engine_api_1_{n})");
    }
    for n in *CFG_MINORS.start()..=minor.min(*CFG_MINORS.end()) {
        println!("cargo::rustc-cfg=engine_api_1_{n}");
    }
}

/// The committed files, when they were made from this spec: copied to `$OUT_DIR`.
/// Returns the API version their header names.
fn use_committed(sha: &str, out: &Path) -> String {
    let mut version = None;
    for path in COMMITTED {
        println!("cargo::rerun-if-changed={path}");
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let made_from = cache::parse_header(&text);
        match made_from {
            Some((made_sha, made_version)) if made_sha == sha => {
                version = Some(made_version.to_string());
            }
            _ => {
                let problem = match made_from {
                    Some((made_sha, made_version)) => format!(
                        "{path} was generated from another spec (SHA-256 {made_sha}, API \
                         {made_version}) than {SPEC} (SHA-256 {sha})"
                    ),
                    None if text.is_empty() => format!("{path} is missing"),
                    None => format!("{path} has no spec-sha256 header"),
                };
                fail(&format!(
                    "{problem}. Either build with `cargo build --features regenerate` \
                     (generates the client from the spec at build time), or run \
                     `scripts/refresh-generated.sh` to refresh generated/ and commit it."
                ));
            }
        }
        let name = Path::new(path).file_name().expect("a file name");
        std::fs::write(out.join(name), &text).unwrap_or_else(|e| {
            fail(&format!(
                "cannot write {} to {}: {e}",
                name.display(),
                out.display()
            ))
        });
    }
    version.expect("COMMITTED is not empty")
}

/// Runs the generator over the spec into `$OUT_DIR`. Returns the spec's API version.
#[cfg(feature = "regenerate")]
fn regenerate(spec: &[u8], out: &Path) -> String {
    println!("cargo::rerun-if-changed=src/codegen");
    let text =
        std::str::from_utf8(spec).unwrap_or_else(|e| fail(&format!("{SPEC} is not UTF-8: {e}")));
    let generated = codegen::generate(text)
        .unwrap_or_else(|e| fail(&format!("cannot generate the client from {SPEC}: {e}")));
    for (name, contents) in [
        ("engine.rs", &generated.engine_rs),
        ("operations.rs", &generated.operations_rs),
        ("openapi.json", &generated.openapi),
        ("rules.log", &generated.log),
    ] {
        std::fs::write(out.join(name), contents)
            .unwrap_or_else(|e| fail(&format!("cannot write {name} to {}: {e}", out.display())));
    }
    generated.api_version
}

#[cfg(not(feature = "regenerate"))]
fn regenerate(_: &[u8], _: &Path) -> String {
    unreachable!("only with the regenerate feature")
}

/// Fails the build with `message`. cargo prints a `cargo::error` as one error line and
/// fails the build; exiting with 0 keeps it from dumping the script's whole output after it.
fn fail(message: &str) -> ! {
    println!("cargo::error={message}");
    std::process::exit(0);
}
