//! Side-by-side benchmarks of docker-engine and bollard (and curl as the floor) against the
//! project's Docker 28.5 test engine. `scripts/bench.sh` is the one command; see
//! `benches/README.md`.
//!
//! ```text
//! bench-harness run [--only W1,W3b,...] [--clients engine,bollard,curl] [--reps N]
//!                   [--no-current-thread | --current-thread]
//! bench-harness compile [--reps N] [--rebuilds N]
//! bench-harness rss engine|bollard|none SOCK CONTAINER   (W8's child process)
//! ```
//!
//! `run` reads `DOCKER_ENGINE_TEST_V151_HOST` and `DOCKER_ENGINE_TEST_IMAGE` (from
//! `/tmp/docker-engine-test/env`) and prints a markdown table on stdout, progress on
//! stderr. The runs of each workload alternate between the clients (A B A B ...).

mod clients;
mod compile;
mod measure;
mod report;
mod workloads;

use anyhow::{Context, Result, bail};

use clients::Client;
use measure::{Sample, Stats};
use report::Row;
use workloads::{Fixtures, Workload};

#[derive(Default)]
struct Options {
    only: Option<Vec<String>>,
    clients: Option<Vec<String>>,
    reps: Option<usize>,
    rebuilds: Option<usize>,
    no_current_thread: bool,
    /// Run everything on a current-thread runtime (for comparison and profiling).
    current_thread: bool,
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["rss", kind, sock, id] => runtime()?.block_on(workloads::rss_main(kind, sock, id)),
        ["run", ref rest @ ..] => run(&parse(rest)?),
        ["compile", ref rest @ ..] => {
            let o = parse(rest)?;
            let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("compile");
            let target = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".into());
            let scratch = std::path::Path::new(&target).join("w7");
            std::fs::create_dir_all(&scratch)?;
            let (reps, rebuilds) = (o.reps.unwrap_or(1), o.rebuilds.unwrap_or(3));
            print!("{}", report::markdown(&compile::run(&dir, &scratch, reps, rebuilds)?));
            Ok(())
        }
        _ => bail!("usage: bench-harness run|compile|rss ... (see benches/README.md)"),
    }
}

fn parse(args: &[&str]) -> Result<Options> {
    let mut o = Options::default();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = || it.next().context("a value is missing");
        match *a {
            "--only" => o.only = Some(value()?.split(',').map(str::to_lowercase).collect()),
            "--clients" => o.clients = Some(value()?.split(',').map(str::to_string).collect()),
            "--reps" => o.reps = Some(value()?.parse()?),
            "--rebuilds" => o.rebuilds = Some(value()?.parse()?),
            "--no-current-thread" => o.no_current_thread = true,
            "--current-thread" => o.current_thread = true,
            other => bail!("unknown option {other:?}"),
        }
    }
    Ok(o)
}

/// The runtime `#[tokio::main]` builds: multi-thread, one worker per core, IO and timers.
fn runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread().enable_all().build()?)
}

fn run(opts: &Options) -> Result<()> {
    let host = std::env::var("DOCKER_ENGINE_TEST_V151_HOST")
        .context("DOCKER_ENGINE_TEST_V151_HOST is not set: source /tmp/docker-engine-test/env")?;
    let sock = host.strip_prefix("unix://").context("not a unix:// host")?;
    let image = std::env::var("DOCKER_ENGINE_TEST_IMAGE")
        .unwrap_or_else(|_| "docker-engine-fixture:latest".into());
    let wanted = |w: &Workload| {
        let only = opts.only.as_ref();
        only.is_none_or(|o| o.contains(&w.name().to_lowercase()))
    };
    let selected: Vec<Workload> = Workload::ALL.into_iter().filter(wanted).collect();

    let mt = match opts.current_thread {
        true => tokio::runtime::Builder::new_current_thread().enable_all().build()?,
        false => runtime()?,
    };
    let setup = Client::connect("engine", sock)?;
    eprintln!("fixtures: 64 MiB and 256 MiB logs, a sleeper, 100 stopped containers");
    let fx = mt.block_on(Fixtures::create(&setup, sock, &image))?;
    let (mut rows, mut notes) = (Vec::new(), Vec::new());
    let result = (|| -> Result<()> {
        let clients = connect_all(sock, opts)?;
        for &w in &selected {
            rows.extend(mt.block_on(measure(w, &w.name(), &clients, &fx, opts.reps)));
        }
        if !opts.no_current_thread && !opts.current_thread {
            // The same on a current-thread runtime: what cross-thread wake-ups cost. Fresh
            // clients: pooled connections belong to the runtime that opened them.
            let ct = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
            let clients = connect_all(sock, opts)?;
            for w in selected.iter().filter(|w| Workload::CURRENT_THREAD.contains(w)) {
                let label = format!("{} current-thread", w.name());
                rows.extend(ct.block_on(measure(*w, &label, &clients, &fx, opts.reps)));
            }
        }
        if selected.contains(&Workload::W8) {
            let (kib, _) = mt.block_on(workloads::rss_child("none", sock, ""))?;
            let mib = kib as f64 / 1024.0;
            notes.push(format!("W8 floor: the same binary starting its runtime and reading nothing peaks at {mib:.1} MiB."));
        }
        Ok(())
    })();
    mt.block_on(workloads::sweep(&setup))?;
    result?;
    print!("{}", report::markdown(&rows));
    for n in notes {
        println!("\n{n}");
    }
    Ok(())
}

/// The clients to compare (`--clients`, for profiling one alone), in the table's order.
fn connect_all(sock: &str, opts: &Options) -> Result<Vec<Client>> {
    let wanted = |k: &&str| opts.clients.as_ref().is_none_or(|c| c.iter().any(|n| n == k));
    ["engine", "bollard", "curl"]
        .into_iter()
        .filter(wanted)
        .map(|k| Client::connect(k, sock))
        .collect()
}

/// Run `w` `reps` times per client, interleaved; one row per metric. A failure becomes a
/// row saying so, and the other workloads still run.
async fn measure(
    w: Workload,
    label: &str,
    clients: &[Client],
    fx: &Fixtures,
    reps: Option<usize>,
) -> Vec<Row> {
    let clients: Vec<&Client> =
        clients.iter().filter(|c| w.with_curl() || !matches!(c, Client::Curl(_))).collect();
    let spec = w.spec();
    let reps = reps.unwrap_or(spec.reps).max(1);
    let mut samples: Vec<Vec<Sample>> = vec![Vec::new(); clients.len()];
    let outcome = async {
        for c in &clients {
            w.warm_up(c).await?;
        }
        for rep in 1..=reps {
            for (i, c) in clients.iter().enumerate() {
                eprintln!("{label}: {} run {rep}/{reps}", c.name());
                samples[i].push(w.once(c, fx).await.with_context(|| c.name())?);
            }
        }
        anyhow::Ok(())
    };
    if let Err(e) = outcome.await {
        eprintln!("{label} FAILED: {e:#}");
        return vec![Row::failed(label, spec.title, format!("{e:#}"))];
    }
    let title = format!("{} ({reps} runs each)", spec.title);
    let row = |m: &workloads::Metric| {
        let mut stats = [None; 3];
        for (c, s) in clients.iter().zip(&samples) {
            let column = report::COLUMNS.iter().position(|n| *n == c.name());
            stats[column.expect("a known client")] =
                Stats::of(&s.iter().map(m.of).collect::<Vec<_>>());
        }
        let (workload, metric) = (label.to_string(), m.name.to_string());
        let (title, target) = (title.clone(), m.target);
        Row { workload, title, metric, stats, target, error: None }
    };
    spec.metrics.iter().map(row).collect()
}
