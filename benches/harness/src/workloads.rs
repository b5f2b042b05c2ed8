//! The workloads (W1–W6, W8; W7 is in `compile.rs`), their fixtures, and what each reports.

use anyhow::{Context, Result, bail, ensure};

use crate::clients::{BENCH_LABEL, Client};
use crate::measure::{Meter, Sample, Target};

const MIB: f64 = (1u64 << 20) as f64;
const GIB: f64 = (1u64 << 30) as f64;
/// W3: 64 MiB of 79-byte lines.
const LINES_BYTES: u64 = 64 << 20;
/// W3b, W8: 256 MiB without newlines, which the daemon logs in 16 KiB frames.
const BLOCKS_BYTES: u64 = 256 << 20;
/// W3c: 1 GiB through an exec session.
const EXEC_BYTES: u64 = 1 << 30;
/// W5: stopped containers to list.
const LIST_SIZE: usize = 100;

/// Containers made once and shared by the workloads, all labelled for the sweep.
pub struct Fixtures {
    pub sock: String,
    pub image: String,
    /// Exited container whose log is 64 MiB of 79-byte lines (W3).
    lines: String,
    /// Exited container whose log is 256 MiB in 16 KiB frames (W3b, W8).
    pub blocks: String,
    /// Running `sleep` to exec in (W3c, W4).
    sleeper: String,
}

impl Fixtures {
    /// Create the fixtures with `c` (containers of the previous run are swept first).
    pub async fn create(c: &Client, sock: &str, image: &str) -> Result<Fixtures> {
        sweep(c).await?;
        let line: String = "docker-engine benchmark line 0123456789 ".repeat(2)[..78].to_string();
        let lines = format!("yes {line} | head -c {LINES_BYTES}");
        let blocks = format!("head -c {BLOCKS_BYTES} /dev/zero | tr '\\0' a");
        let fx = Fixtures {
            sock: sock.to_string(),
            image: image.to_string(),
            lines: run_to_end(c, image, &lines, "w3").await?,
            blocks: run_to_end(c, image, &blocks, "w3b").await?,
            sleeper: c.create(image, &["sleep", "86400"], "sleeper").await?,
        };
        c.start(&fx.sleeper).await?;
        for _ in 0..LIST_SIZE {
            c.create(image, &["true"], "w5").await?;
        }
        // Let the daemon's 320 MiB of fresh log files reach the disk before any timing.
        // SAFETY: sync(2) takes no arguments and cannot fail.
        unsafe { libc::sync() };
        tokio::time::sleep(std::time::Duration::from_secs(5)).await;
        Ok(fx)
    }
}

/// Create and start `sh -c script`, and wait until it has exited 0.
async fn run_to_end(c: &Client, image: &str, script: &str, workload: &str) -> Result<String> {
    let id = c.create(image, &["sh", "-c", script], workload).await?;
    c.start(&id).await?;
    let code = c.wait(&id).await?;
    ensure!(code == 0, "fixture {script:?} exited {code}");
    Ok(id)
}

/// Remove every container the harness made (by its label).
pub async fn sweep(c: &Client) -> Result<()> {
    let Client::Engine(d) = c else { bail!("sweep with docker-engine") };
    for s in d.containers().list().all(true).label(BENCH_LABEL).send().await? {
        // Gone already if the test engines' own sweep ran meanwhile.
        if let Err(e) = c.remove(s.id()).await {
            eprintln!("sweep: {e:#}");
        }
    }
    Ok(())
}

/// One metric of a workload: how to compute it from a sample, and its target.
pub struct Metric {
    pub name: &'static str,
    pub of: fn(&Sample) -> f64,
    pub target: Target,
}

/// A workload as the report shows it.
pub struct Spec {
    pub title: &'static str,
    /// Repetitions per client unless `--reps` says otherwise (at least 3 everywhere).
    pub reps: usize,
    pub metrics: Vec<Metric>,
}

const fn m(name: &'static str, of: fn(&Sample) -> f64, target: Target) -> Metric {
    Metric { name, of, target }
}

const CPU_US: fn(&Sample) -> f64 = |s| s.cpu.as_secs_f64() * 1e6 / s.units;
const WALL_US: fn(&Sample) -> f64 = |s| s.wall.as_secs_f64() * 1e6 / s.units;
const CPU_MS: fn(&Sample) -> f64 = |s| s.cpu.as_secs_f64() * 1e3 / s.units;
const WALL_MS: fn(&Sample) -> f64 = |s| s.wall.as_secs_f64() * 1e3 / s.units;
const PER_S: fn(&Sample) -> f64 = |s| s.units / s.wall.as_secs_f64();
const MIB_S: fn(&Sample) -> f64 = |s| s.units / MIB / s.wall.as_secs_f64();
const CPU_S_GIB: fn(&Sample) -> f64 = |s| s.cpu.as_secs_f64() / (s.units / GIB);
const RSS_MIB: fn(&Sample) -> f64 = |s| s.value / 1024.0;

/// At or ahead of bollard: DESIGN.md section 8's goal where the issue names no number.
const NOT_SLOWER: Target = Target::BollardTimesAtMost(1.0);
const NOT_LESS: Target = Target::BollardTimes(1.0);

/// The workloads, in the order they run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Workload {
    W1,
    W2,
    W3,
    W3b,
    W3c,
    W4,
    W5,
    W6,
    W8,
}

impl Workload {
    pub const ALL: [Workload; 9] = {
        use Workload::*;
        [W1, W2, W3, W3b, W3c, W4, W5, W6, W8]
    };

    /// Run again on a current-thread runtime.
    pub const CURRENT_THREAD: [Workload; 3] = [Workload::W1, Workload::W3, Workload::W3b];

    pub fn name(self) -> String {
        format!("{self:?}")
    }

    /// Whether curl runs it too (as the floor).
    pub fn with_curl(self) -> bool {
        matches!(self, Workload::W3 | Workload::W3b)
    }

    #[rustfmt::skip]
    pub fn spec(self) -> Spec {
        use Target::*;
        let (title, reps, metrics) = match self {
            Workload::W1 => ("2000 sequential GET /_ping", 5, vec![
                m("client CPU µs/req", CPU_US, AtMost(100.0)),
                m("wall µs/req", WALL_US, NOT_SLOWER),
            ]),
            Workload::W2 => ("32 tasks x 100 GET /_ping, one shared client", 5, vec![
                m("req/s", PER_S, BollardTimes(1.2)),
                m("client CPU µs/req", CPU_US, NOT_SLOWER),
            ]),
            Workload::W3 => ("64 MiB log of 79-byte lines, demuxed", 3, vec![
                m("client CPU-s/GiB", CPU_S_GIB, AtMost(60.0)),
                m("MiB/s", MIB_S, NOT_LESS),
            ]),
            Workload::W3b => ("256 MiB log in 16 KiB frames, demuxed", 5, vec![
                m("MiB/s", MIB_S, CurlTimes(0.95)),
                m("client CPU-s/GiB", CPU_S_GIB, AtMost(2.0)),
            ]),
            Workload::W3c => ("1 GiB through an attached exec session", 3, vec![
                m("MiB/s", MIB_S, NOT_LESS),
                m("client CPU-s/GiB", CPU_S_GIB, NOT_SLOWER),
            ]),
            Workload::W4 => ("100 sequential exec_run([\"true\"])", 3, vec![
                m("wall ms/exec", WALL_MS, NOT_SLOWER),
                m("client CPU ms/exec", CPU_MS, NOT_SLOWER),
            ]),
            Workload::W5 => ("list 100 containers (all, label filter), x10", 5, vec![
                m("wall ms/list", WALL_MS, NOT_SLOWER),
                m("client CPU ms/list", CPU_MS, NOT_SLOWER),
            ]),
            Workload::W6 => ("30 x create+start+wait+remove of `true`", 3, vec![
                m("wall ms/cycle", WALL_MS, NOT_SLOWER),
                m("client CPU ms/cycle", CPU_MS, NOT_SLOWER),
            ]),
            Workload::W8 => ("peak RSS streaming the W3b log, fresh process", 3, vec![
                m("peak RSS MiB (VmHWM)", RSS_MIB, AtMost(8.0)),
            ]),
        };
        Spec { title, reps, metrics }
    }

    /// Warm the client up (pooled connection, negotiated version) before any timing.
    pub async fn warm_up(self, c: &Client) -> Result<()> {
        if !matches!(c, Client::Curl(_)) {
            for _ in 0..100 {
                c.ping().await?;
            }
        }
        Ok(())
    }

    /// One measured run of the workload by `c`.
    pub async fn once(self, c: &Client, fx: &Fixtures) -> Result<Sample> {
        let curl = matches!(c, Client::Curl(_));
        match self {
            Workload::W1 => {
                let n = 2000;
                let m = Meter::start();
                for _ in 0..n {
                    c.ping().await?;
                }
                Ok(m.stop(n as f64))
            }
            Workload::W2 => {
                let (tasks, each) = (32, 100);
                let m = Meter::start();
                let handles: Vec<_> = (0..tasks)
                    .map(|_| {
                        let c = c.clone();
                        tokio::spawn(async move {
                            for _ in 0..each {
                                c.ping().await?;
                            }
                            anyhow::Ok(())
                        })
                    })
                    .collect();
                for h in handles {
                    h.await??;
                }
                Ok(m.stop((tasks * each) as f64))
            }
            Workload::W3 | Workload::W3b => {
                let (id, want) = match self {
                    Workload::W3 => (&fx.lines, LINES_BYTES),
                    _ => (&fx.blocks, BLOCKS_BYTES),
                };
                // curl's CPU is its own (RUSAGE_CHILDREN), not the harness's.
                let m = if curl { Meter::children() } else { Meter::start() };
                let got = c.read_logs(id).await?;
                let s = m.stop(want as f64);
                // curl counts bytes on the wire, frame headers included.
                ensure!(
                    got == want || (curl && got > want),
                    "{} read {got} bytes of log, expected {want}",
                    c.name()
                );
                Ok(s)
            }
            Workload::W3c => {
                let cmd = ["head", "-c", &EXEC_BYTES.to_string(), "/dev/zero"];
                let m = Meter::start();
                let (got, code) = c.exec_stream(&fx.sleeper, &cmd).await?;
                let s = m.stop(got as f64);
                ensure!(got == EXEC_BYTES && code == 0, "exec: {got} bytes, exit {code}");
                Ok(s)
            }
            Workload::W4 => {
                let n = 100;
                let m = Meter::start();
                for _ in 0..n {
                    let (_, code) = c.exec_run(&fx.sleeper, &["true"]).await?;
                    ensure!(code == 0, "`true` exited {code}");
                }
                Ok(m.stop(n as f64))
            }
            Workload::W5 => {
                let n = 10;
                let label = format!("{BENCH_LABEL}=w5");
                let m = Meter::start();
                for _ in 0..n {
                    let got = c.count_labelled(&label).await?;
                    ensure!(got == LIST_SIZE, "listed {got} containers");
                }
                Ok(m.stop(n as f64))
            }
            Workload::W6 => {
                let n = 30;
                let m = Meter::start();
                for _ in 0..n {
                    let id = c.create(&fx.image, &["true"], "w6").await?;
                    c.start(&id).await?;
                    let code = c.wait(&id).await?;
                    c.remove(&id).await?;
                    ensure!(code == 0, "`true` exited {code}");
                }
                Ok(m.stop(n as f64))
            }
            Workload::W8 => {
                let kind = match c {
                    Client::Engine(_) => "engine",
                    _ => "bollard",
                };
                let m = Meter::children();
                let (hwm_kib, got) = rss_child(kind, &fx.sock, &fx.blocks).await?;
                ensure!(got == BLOCKS_BYTES, "the child read {got} bytes");
                let mut s = m.stop(got as f64);
                s.value = hwm_kib as f64;
                Ok(s)
            }
        }
    }
}

/// Run `bench-harness rss KIND SOCK ID` (a fresh process): its peak RSS in KiB and the
/// bytes it read.
pub async fn rss_child(kind: &str, sock: &str, id: &str) -> Result<(u64, u64)> {
    let exe = std::env::current_exe()?;
    let out = tokio::process::Command::new(exe).args(["rss", kind, sock, id]).output().await?;
    let text = String::from_utf8_lossy(&out.stdout);
    ensure!(
        out.status.success(),
        "rss child failed: {text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let field = |key: &str| -> Result<u64> {
        let v = text.split_whitespace().find_map(|w| w.strip_prefix(key));
        Ok(v.context("rss child output")?.parse()?)
    };
    Ok((field("hwm_kib=")?, field("bytes=")?))
}

/// The child side of W8: stream the log of `id` with `kind` (`none`: only start the
/// runtime), then print VmHWM.
pub async fn rss_main(kind: &str, sock: &str, id: &str) -> Result<()> {
    let bytes = match kind {
        "none" => 0,
        _ => Client::connect(kind, sock)?.read_logs(id).await?,
    };
    let status = std::fs::read_to_string("/proc/self/status")?;
    let hwm = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .context("no VmHWM in /proc/self/status")?;
    let kib: u64 = hwm.trim().trim_end_matches("kB").trim().parse()?;
    println!("hwm_kib={kib} bytes={bytes}");
    Ok(())
}
