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

/// Wall and CPU (user + sys) seconds of one build.
#[derive(Clone, Copy, Default)]
struct Build {
    wall: f64,
    cpu: f64,
}

/// Run W7: `reps` clean builds and `rebuilds` incremental ones per clean build.
pub fn run(dir: &Path, scratch: &Path, reps: usize, rebuilds: usize) -> Result<Vec<Row>> {
    let mut clean: [Vec<Build>; 2] = Default::default();
    let mut again: [Vec<Build>; 2] = Default::default();
    let mut crates = [0.0; 2];
    for (i, name) in CRATES.iter().enumerate() {
        let manifest = dir.join(name).join("Cargo.toml");
        cargo(&manifest, &["fetch"])?;
        crates[i] = crate_count(&manifest)? as f64;
    }
    for rep in 0..reps {
        for (i, name) in CRATES.iter().enumerate() {
            let manifest = dir.join(name).join("Cargo.toml");
            let target = scratch.join(format!("{name}.{rep}"));
            let _ = std::fs::remove_dir_all(&target);
            eprintln!("W7: clean build of {name} ({}/{reps})", rep + 1);
            clean[i].push(timed_build(&manifest, &target)?);
            for _ in 0..rebuilds {
                touch(&dir.join(name).join("src/main.rs"))?;
                again[i].push(timed_build(&manifest, &target)?);
            }
            std::fs::remove_dir_all(&target)?;
        }
    }
    let stats = |f: fn(&Build) -> f64, v: &[Vec<Build>; 2]| -> [Option<Stats>; 3] {
        let of = |b: &Vec<Build>| Stats::of(&b.iter().map(f).collect::<Vec<_>>());
        [of(&v[0]), of(&v[1]), None]
    };
    let row = |metric: &str, stats: [Option<Stats>; 3]| Row {
        workload: "W7".into(),
        title: "hello-world `/_ping` binary, release".into(),
        metric: metric.into(),
        stats,
        target: Target::BollardTimesAtMost(1.0),
        error: None,
    };
    Ok(vec![
        row("clean build CPU-s", stats(|b| b.cpu, &clean)),
        row("clean build wall s", stats(|b| b.wall, &clean)),
        row("rebuild after touch CPU-s", stats(|b| b.cpu, &again)),
        row("rebuild after touch wall s", stats(|b| b.wall, &again)),
        row("crates (cargo tree)", [single(crates[0]), single(crates[1]), None]),
    ])
}

/// `cargo build --release` under `/usr/bin/time`, in `target`.
fn timed_build(manifest: &Path, target: &Path) -> Result<Build> {
    let times = target.with_extension("time");
    let status = Command::new("/usr/bin/time")
        .args(["-f", "%e %U %S", "-o"])
        .arg(&times)
        .args(["cargo", "build", "--release", "--quiet", "--manifest-path"])
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
fn crate_count(manifest: &Path) -> Result<usize> {
    let tree = cargo(manifest, &["tree", "-e", "normal,build", "--prefix", "none"])?;
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
