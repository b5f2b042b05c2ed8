//! W7: what a user pays to build a hello-world `/_ping` binary with each client.
//!
//! For each crate in `compile/`: `cargo fetch` and `cargo tree` first (nothing downloaded or
//! resolved is timed), then `cargo build --release` in a fresh target dir, then `touch
//! src/main.rs` and build again, each under `/usr/bin/time -f '%e %U %S'`. Clean builds
//! alternate between the two crates.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;
use std::time::SystemTime;

use anyhow::{Context, Result, ensure};

use crate::measure::{Stats, Target};
use crate::report::{Row, single};

const CRATES: [&str; 2] = ["engine-hello", "bollard-hello"];

/// The feature pairs compared: each crate's default features, then TLS (docker-engine's
/// `tls` against bollard's `ssl`, both rustls).
const PAIRS: [(&str, &str, [&[&str]; 2]); 2] = [
    ("W7", "default features", [&[], &[]]),
    ("W7 tls", "`tls` vs bollard's `ssl`", [&["--features", "tls"], &["--features", "ssl"]]),
];

#[derive(Clone, Copy, Default)]
struct Build {
    wall: f64,
    cpu: f64,
}

pub fn run(dir: &Path, scratch: &Path, reps: usize, rebuilds: usize) -> Result<Vec<Row>> {
    let mut rows = Vec::new();
    for (workload, label, features) in PAIRS {
        let mut clean: [Vec<Build>; 2] = Default::default();
        let mut again: [Vec<Build>; 2] = Default::default();
        let mut crates = [0.0; 2];
        for (i, name) in CRATES.iter().enumerate() {
            let manifest = dir.join(name).join("Cargo.toml");
            cargo(&manifest, &["fetch"])?;
            crates[i] = crate_count(&manifest, features[i])? as f64;
        }
        for rep in 0..reps {
            for (i, name) in CRATES.iter().enumerate() {
                let manifest = dir.join(name).join("Cargo.toml");
                let target = scratch.join(format!("{name}.{rep}"));
                let _ = std::fs::remove_dir_all(&target);
                eprintln!("W7 ({label}): clean build of {name} ({}/{reps})", rep + 1);
                clean[i].push(timed_build(&manifest, &target, features[i])?);
                for _ in 0..rebuilds {
                    touch(&dir.join(name).join("src/main.rs"))?;
                    again[i].push(timed_build(&manifest, &target, features[i])?);
                }
                std::fs::remove_dir_all(&target)?;
            }
        }
        let stats = |f: fn(&Build) -> f64, v: &[Vec<Build>; 2]| -> [Option<Stats>; 3] {
            let of = |b: &Vec<Build>| Stats::of(&b.iter().map(f).collect::<Vec<_>>());
            [of(&v[0]), of(&v[1]), None]
        };
        let row = |metric: &str, stats: [Option<Stats>; 3], target: f64| Row {
            workload: workload.into(),
            title: format!("hello-world `/_ping` binary, release, {label}"),
            metric: metric.into(),
            stats,
            target: Target::BollardTimesAtMost(target),
            error: None,
        };
        rows.extend([
            row("clean build CPU-s", stats(|b| b.cpu, &clean), 1.3),
            row("clean build wall s", stats(|b| b.wall, &clean), 1.3),
            row("rebuild after touch CPU-s", stats(|b| b.cpu, &again), 1.0),
            row("rebuild after touch wall s", stats(|b| b.wall, &again), 1.0),
            row("crates (cargo tree)", [single(crates[0]), single(crates[1]), None], 1.3),
        ]);
    }
    Ok(rows)
}

fn timed_build(manifest: &Path, target: &Path, features: &[&str]) -> Result<Build> {
    let times = target.with_extension("time");
    let status = Command::new("/usr/bin/time")
        .args(["-f", "%e %U %S", "-o"])
        .arg(&times)
        .args(["cargo", "build", "--release", "--quiet"])
        .args(features)
        .arg("--manifest-path")
        .arg(manifest)
        .env("CARGO_TARGET_DIR", target)
        .env_remove("RUSTC_WRAPPER")
        .status()
        .context("running /usr/bin/time cargo build")?;
    ensure!(status.success(), "cargo build of {} failed", manifest.display());
    let text = std::fs::read_to_string(&times)?;
    std::fs::remove_file(&times)?;
    let v: Vec<f64> = text
        .lines()
        .last()
        .context("no output from /usr/bin/time")?
        .split_whitespace()
        .map(str::parse)
        .collect::<Result<_, _>>()?;
    ensure!(v.len() == 3, "unexpected /usr/bin/time output {text:?}");
    Ok(Build { wall: v[0], cpu: v[1] + v[2] })
}

/// Run cargo with `args` on `manifest`, not timed (`fetch`, `tree`: nothing is built).
fn cargo(manifest: &Path, args: &[&str]) -> Result<String> {
    let out = Command::new("cargo").args(args).arg("--manifest-path").arg(manifest).output()?;
    ensure!(out.status.success(), "cargo {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    Ok(String::from_utf8(out.stdout)?)
}

/// Distinct crates (name and version) built for the binary: normal and build dependencies.
fn crate_count(manifest: &Path, features: &[&str]) -> Result<usize> {
    let mut args = vec!["tree", "-e", "normal,build", "--prefix", "none"];
    args.extend_from_slice(features);
    let tree = cargo(manifest, &args)?;
    let names: BTreeSet<String> = tree
        .lines()
        .filter_map(|l| {
            let mut w = l.split_whitespace();
            Some(format!("{} {}", w.next()?, w.next()?))
        })
        .collect();
    Ok(names.len())
}

/// Set the mtime of `path` to now, as `touch` does.
fn touch(path: &Path) -> Result<()> {
    let f = std::fs::File::options().append(true).open(path)?;
    f.set_modified(SystemTime::now())?;
    Ok(())
}
