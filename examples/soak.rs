//! Soak: many tasks share one client against a real engine for a long time, through the
//! crate's public API only, and the process must neither fail nor grow.
//!
//! ```sh
//! scripts/soak.sh                                  # 64 tasks, 600 s, against the 28.5 test engine
//! cargo run --release --example soak -- --tasks 8 --seconds 60 --sample 5   # DOCKER_HOST set
//! ```
//!
//! Each task loops over one round: create a container (labelled `dei-soak=<run id>`), start
//! it, follow its logs while two `exec_run`s are checked (output and exit code), stop it
//! with `SIGTERM` (its shell traps it and exits 3), `wait` for it, read its logs again
//! (collected), and remove it; every 10th round it also tags the fixture image, inspects the
//! tag and removes it. Every output and exit code is checked. Two followers run beside the
//! tasks for the whole run: the event stream filtered by the run's label, and the stats
//! stream of a long-running container; each reopens its stream if the stream ends.
//!
//! Every `--sample` seconds one line: elapsed time, operations done and per second, errors,
//! and the process's open fds, RSS and threads. At the end a table and a verdict, which
//! fails (exit 1) when an unexpected error happened or fds or RSS grew after warm-up (the
//! definitions are printed with it). Everything labelled with the run id is removed at the
//! end, also after Ctrl-C (a second Ctrl-C exits at once).
//!
//! Errors are counted by operation and kind (`Error` variant and HTTP status). An error is
//! *expected* only if it is listed in [`EXPECTED`] with the reason; the list is empty: in
//! this workload every error is a failure.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use docker_engine::stream::LogChunk;
use docker_engine::{Container, Docker, Error};
use futures_util::StreamExt;
use tokio::sync::watch;

/// The label every object of a run carries, with the run id as its value.
const LABEL: &str = "dei-soak";
/// The test suite's label too, so that `scripts/test-engines.sh sweep` is the backstop.
const TEST_LABEL: &str = "io.docker-engine.test";
/// An operation that takes longer than this is counted as a hang, and the round ends.
const WATCHDOG: Duration = Duration::from_secs(120);
/// Warm-up: this fraction of the run is left out of the flatness verdict.
const WARM_UP: f64 = 0.2;
/// Flat: the later half's peak is at most this much above the earlier half's peak.
const FLAT_TOLERANCE: f64 = 0.10;
/// ... or this many fds above it, whichever is more (fd counts are small integers).
const FD_SLACK: f64 = 4.0;

/// Errors that are not failures: (operation, kind, why). None in this workload.
const EXPECTED: &[(&str, &str, &str)] = &[];

struct Args {
    tasks: usize,
    seconds: u64,
    sample: u64,
    image: Option<String>,
}

fn args() -> Args {
    let mut a = Args {
        tasks: 64,
        seconds: 600,
        sample: 10,
        image: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .unwrap_or_else(|| usage(&format!("{name} needs a value")))
        };
        let number = |name: &str, v: String| -> u64 {
            v.parse()
                .ok()
                .filter(|n| *n > 0)
                .unwrap_or_else(|| usage(&format!("{name} takes a positive number, not {v:?}")))
        };
        match flag.as_str() {
            "--tasks" => a.tasks = number("--tasks", value("--tasks")) as usize,
            "--seconds" => a.seconds = number("--seconds", value("--seconds")),
            "--sample" => a.sample = number("--sample", value("--sample")),
            "--image" => a.image = Some(value("--image")),
            "-h" | "--help" => usage(""),
            other => usage(&format!("unknown argument {other:?}")),
        }
    }
    a
}

fn usage(problem: &str) -> ! {
    if !problem.is_empty() {
        eprintln!("soak: {problem}");
    }
    eprintln!(
        "usage: soak [--tasks N (64)] [--seconds S (600)] [--sample S (10)] [--image REF]\n\
         connects as the docker CLI does (DOCKER_HOST, ...); the image defaults to \
         $DOCKER_ENGINE_TEST_IMAGE, else the engine's docker-engine-fixture image"
    );
    std::process::exit(if problem.is_empty() { 0 } else { 2 })
}

/// An error's kind: its variant and, when the daemon answered, the status.
fn kind(e: &Error) -> String {
    let name = match e {
        Error::NotFound { .. } => "NotFound",
        Error::Conflict { .. } => "Conflict",
        Error::Api { .. } => "Api",
        Error::Transport { .. } => "Transport",
        Error::Timeout { .. } => "Timeout",
        Error::Tls { .. } => "Tls",
        Error::InvalidHost { .. } => "InvalidHost",
        Error::TlsConfig { .. } => "TlsConfig",
        Error::Version(_) => "Version",
        Error::Decode { .. } => "Decode",
        Error::Stream { .. } => "Stream",
        Error::Upgrade { .. } => "Upgrade",
        Error::ContainerFailed { .. } => "ContainerFailed",
        Error::Credentials { .. } => "Credentials",
        Error::InvalidArgument(_) => "InvalidArgument",
        Error::Io(_) => "Io",
        _ => "Other",
    };
    match e.status() {
        Some(s) => format!("{name} {s}"),
        None => name.to_string(),
    }
}

#[derive(Default)]
struct OpStat {
    count: u64,
    total: Duration,
    max: Duration,
}

struct ErrStat {
    count: u64,
    first: String,
    expected: Option<&'static str>,
}

#[derive(Default)]
struct Tally {
    ops: BTreeMap<&'static str, OpStat>,
    errors: BTreeMap<(&'static str, String), ErrStat>,
    /// Stream items: `events`, `events <action>`, `stats`.
    items: BTreeMap<String, u64>,
}

/// What every task shares.
struct Ctx {
    docker: Docker,
    run: String,
    image: String,
    image_id: String,
    tally: Mutex<Tally>,
    ops: AtomicU64,
    errors: AtomicU64,
    unexpected: AtomicU64,
    rounds: AtomicU64,
    stop: watch::Receiver<bool>,
}

impl Ctx {
    fn stopping(&self) -> bool {
        *self.stop.borrow()
    }

    /// Run one operation under the watchdog; count it, or its error.
    async fn op<T>(
        &self,
        name: &'static str,
        fut: impl Future<Output = docker_engine::Result<T>>,
    ) -> Option<T> {
        let start = Instant::now();
        match tokio::time::timeout(WATCHDOG, fut).await {
            Ok(Ok(v)) => {
                self.done(name, start.elapsed());
                Some(v)
            }
            Ok(Err(e)) => {
                self.error(name, kind(&e), e.to_string());
                None
            }
            Err(_) => {
                self.error(
                    name,
                    "Hang".into(),
                    format!("no answer within the {} s watchdog", WATCHDOG.as_secs()),
                );
                None
            }
        }
    }

    fn done(&self, name: &'static str, took: Duration) {
        self.ops.fetch_add(1, Ordering::Relaxed);
        let mut t = self.tally.lock().unwrap();
        let s = t.ops.entry(name).or_default();
        s.count += 1;
        s.total += took;
        s.max = s.max.max(took);
    }

    fn error(&self, op: &'static str, kind: String, message: String) {
        let expected = EXPECTED
            .iter()
            .find(|(o, k, _)| *o == op && *k == kind)
            .map(|(_, _, why)| *why);
        self.errors.fetch_add(1, Ordering::Relaxed);
        if expected.is_none() {
            self.unexpected.fetch_add(1, Ordering::Relaxed);
        }
        let mut t = self.tally.lock().unwrap();
        let e = t.errors.entry((op, kind)).or_insert(ErrStat {
            count: 0,
            first: message,
            expected,
        });
        e.count += 1;
    }

    /// A check on what an operation returned; a failed one is an error of kind `Check`.
    fn check(&self, op: &'static str, ok: bool, what: impl FnOnce() -> String) -> bool {
        if !ok {
            self.error(op, "Check".into(), what());
        }
        ok
    }

    fn item(&self, key: String) {
        *self.tally.lock().unwrap().items.entry(key).or_default() += 1;
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// stdout (console output included) and stderr of collected chunks.
fn split(chunks: Vec<LogChunk>) -> (Vec<u8>, Vec<u8>) {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    for c in chunks {
        match c {
            LogChunk::StdErr(b) => err.extend_from_slice(&b),
            other => out.extend_from_slice(other.bytes()),
        }
    }
    (out, err)
}

/// One task: rounds until the deadline or Ctrl-C.
async fn task(ctx: Arc<Ctx>, task: usize, deadline: Instant) {
    let mut n = 0u64;
    while !ctx.stopping() && Instant::now() < deadline {
        let errors = ctx.errors.load(Ordering::Relaxed);
        round(&ctx, task, n).await;
        ctx.rounds.fetch_add(1, Ordering::Relaxed);
        n += 1;
        // After a failure (here or in another task) a pause, so that a daemon that went
        // away is not hammered with thousands of refused connections.
        if ctx.errors.load(Ordering::Relaxed) != errors {
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }
}

async fn round(ctx: &Ctx, task: usize, n: u64) {
    let tag = format!("{task}-{n}");
    // The trap is set before the first line: once `out-..` is in the logs, SIGTERM is
    // handled (PID 1 ignores a signal it has no handler for).
    let script = format!(
        "trap 'echo bye-{tag}; exit 3' TERM; echo out-{tag}; echo err-{tag} >&2; sleep 600 & wait"
    );
    let created = ctx
        .op(
            "container_create",
            ctx.docker
                .containers()
                .create(&ctx.image)
                .cmd(["sh", "-c", &script])
                .label(LABEL, &ctx.run)
                .label(TEST_LABEL, "soak")
                .network_mode("none")
                .send(),
        )
        .await;
    if let Some(c) = created
        && !lifecycle(ctx, &c, &tag).await
    {
        ctx.op(
            "container_remove_after_failure",
            c.remove().force(true).volumes(true).send(),
        )
        .await;
    }
    if n.is_multiple_of(10) {
        image_tag(ctx, &tag).await;
    }
}

/// Start, follow, exec, stop, wait, read, remove; whether the container was removed.
async fn lifecycle(ctx: &Ctx, c: &Container, tag: &str) -> bool {
    if ctx.op("container_start", c.start()).await.is_none() {
        return false;
    }
    let want_out = format!("out-{tag}\nbye-{tag}\n");
    let want_err = format!("err-{tag}\n");
    let first_line = format!("out-{tag}\n");
    let (ready_tx, ready_rx) = tokio::sync::oneshot::channel::<()>();
    let follow = ctx.op("logs_follow", async {
        let mut logs = c.logs().follow(true).stream();
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let mut ready = Some(ready_tx);
        while let Some(chunk) = logs.next().await {
            match chunk? {
                LogChunk::StdErr(b) => err.extend_from_slice(&b),
                other => out.extend_from_slice(other.bytes()),
            }
            if out.starts_with(first_line.as_bytes())
                && let Some(r) = ready.take()
            {
                let _ = r.send(());
            }
        }
        Ok((out, err))
    });
    let drive = async {
        let code = drive(ctx, c, tag, ready_rx).await;
        if code.is_none() {
            // Let the follower end: the container must stop.
            ctx.op("container_kill_after_failure", c.kill().send())
                .await;
        }
        code
    };
    let (logs, code) = tokio::join!(follow, drive);
    if let Some((out, err)) = logs {
        ctx.check("logs_follow", out == want_out.as_bytes(), || {
            format!("stdout {:?}, want {want_out:?}", text(&out))
        });
        ctx.check("logs_follow", err == want_err.as_bytes(), || {
            format!("stderr {:?}, want {want_err:?}", text(&err))
        });
    }
    if code.is_some()
        && let Some(chunks) = ctx.op("logs_collect", c.logs().send()).await
    {
        let (out, err) = split(chunks);
        ctx.check("logs_collect", out == want_out.as_bytes(), || {
            format!("stdout {:?}, want {want_out:?}", text(&out))
        });
        ctx.check("logs_collect", err == want_err.as_bytes(), || {
            format!("stderr {:?}, want {want_err:?}", text(&err))
        });
    }
    ctx.op("container_remove", c.remove().volumes(true).send())
        .await
        .is_some()
}

/// Once the container is ready: two checked execs, SIGTERM, wait; its exit code (3).
async fn drive(
    ctx: &Ctx,
    c: &Container,
    tag: &str,
    ready: tokio::sync::oneshot::Receiver<()>,
) -> Option<i64> {
    match tokio::time::timeout(WATCHDOG, ready).await {
        Ok(Ok(())) => {}
        // The follower failed (its error is counted) before the first line.
        Ok(Err(_)) => return None,
        Err(_) => {
            ctx.error(
                "logs_follow",
                "Hang".into(),
                format!("no first line within {} s", WATCHDOG.as_secs()),
            );
            return None;
        }
    }
    let r = ctx
        .op("exec_run", c.exec_run(["sh", "-c", "exit 7"]).send())
        .await?;
    let ok = ctx.check(
        "exec_run",
        r.exit_code == Some(7) && r.stdout.is_empty() && r.stderr.is_empty(),
        || format!("`exit 7` gave {r:?}"),
    );
    let cmd = format!("echo exec-{tag}; echo exec-err-{tag} >&2");
    let r = ctx
        .op("exec_run", c.exec_run(["sh", "-c", &cmd]).send())
        .await?;
    let ok = ok
        && ctx.check(
            "exec_run",
            r.exit_code == Some(0)
                && r.stdout == format!("exec-{tag}\n").as_bytes()
                && r.stderr == format!("exec-err-{tag}\n").as_bytes(),
            || {
                format!(
                    "exit {:?}, stdout {:?}, stderr {:?}",
                    r.exit_code,
                    text(&r.stdout),
                    text(&r.stderr)
                )
            },
        );
    if !ok {
        return None;
    }
    ctx.op("container_kill", c.kill().signal("TERM").send())
        .await?;
    let code = ctx.op("container_wait", c.wait()).await?;
    ctx.check("container_wait", code == 3, || {
        format!("exit code {code}, want 3")
    })
    .then_some(code)
}

/// Tag the fixture, inspect the tag, remove the tag.
async fn image_tag(ctx: &Ctx, tag: &str) {
    let images = ctx.docker.images();
    let reference = format!("{LABEL}-{}:{tag}", ctx.run);
    if ctx
        .op("image_tag", images.tag(&ctx.image, &reference))
        .await
        .is_none()
    {
        return;
    }
    if let Some(image) = ctx.op("image_inspect", images.get(&reference)).await {
        ctx.check("image_inspect", image.id() == ctx.image_id, || {
            format!("{reference} is {}, want {}", image.id(), ctx.image_id)
        });
    }
    if let Some(items) = ctx
        .op("image_remove", images.remove(&reference).send())
        .await
    {
        ctx.check(
            "image_remove",
            items.len() == 1 && items[0].untagged.as_deref() == Some(reference.as_str()),
            || format!("removing {reference} answered {items:?}"),
        );
    }
}

/// The event stream of the run's label, reopened if it ends.
async fn follow_events(ctx: Arc<Ctx>) {
    let mut stop = ctx.stop.clone();
    while !ctx.stopping() {
        ctx.done("events_open", Duration::ZERO);
        let mut events = ctx
            .docker
            .events()
            .label(format!("{LABEL}={}", ctx.run))
            .stream();
        loop {
            let item = tokio::select! {
                _ = stop.wait_for(|s| *s) => return,
                item = events.next() => item,
            };
            match item {
                Some(Ok(e)) => {
                    // Exec actions carry the command (`exec_start: sh -c ...`): keep the verb.
                    let action = e.action.unwrap_or_default();
                    let verb = action.split(':').next().unwrap_or_default();
                    ctx.item("events".into());
                    ctx.item(format!("events {verb}"));
                }
                Some(Err(e)) => {
                    ctx.error("events_stream", kind(&e), e.to_string());
                    break;
                }
                None => {
                    ctx.error("events_stream", "Ended".into(), "the stream ended".into());
                    break;
                }
            }
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// The stats stream of one long-running container, reopened if it ends.
async fn follow_stats(ctx: Arc<Ctx>, c: Container) {
    let mut stop = ctx.stop.clone();
    while !ctx.stopping() {
        ctx.done("stats_open", Duration::ZERO);
        let mut stats = c.stats().stream();
        loop {
            let item = tokio::select! {
                _ = stop.wait_for(|s| *s) => return,
                item = stats.next() => item,
            };
            match item {
                Some(Ok(s)) => {
                    ctx.item("stats".into());
                    // Through the wire name: the sample is a struct in the v1.51 spec and a
                    // JSON map in the v1.41 and v1.45 ones (scripts/regen-check.sh builds all).
                    if serde_json::to_value(&s).map_or(true, |v| v["read"].is_null()) {
                        ctx.error(
                            "stats_stream",
                            "Check".into(),
                            "a sample without `read`".into(),
                        );
                    }
                }
                Some(Err(e)) => {
                    ctx.error("stats_stream", kind(&e), e.to_string());
                    break;
                }
                None => {
                    ctx.error("stats_stream", "Ended".into(), "the stream ended".into());
                    break;
                }
            }
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

#[derive(Clone, Copy, Debug)]
struct Proc {
    fds: u64,
    rss_kib: u64,
    threads: u64,
}

fn proc_self() -> Proc {
    // read_dir holds one fd of its own while it lists.
    let fds = std::fs::read_dir("/proc/self/fd")
        .map(|d| d.count().saturating_sub(1) as u64)
        .unwrap_or(0);
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| -> u64 {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    Proc {
        fds,
        rss_kib: field("VmRSS:"),
        threads: field("Threads:"),
    }
}

struct Sample {
    t: f64,
    proc: Proc,
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

/// Remove everything labelled with the run id, and the run's tags; how many of each.
async fn cleanup(docker: &Docker, run: &str) -> (usize, usize, Vec<String>) {
    let mut problems = Vec::new();
    let mut containers = 0;
    match docker
        .containers()
        .list()
        .all(true)
        .label(format!("{LABEL}={run}"))
        .send()
        .await
    {
        Ok(list) => {
            for c in list {
                match docker
                    .containers()
                    .handle(c.id())
                    .remove()
                    .force(true)
                    .volumes(true)
                    .send()
                    .await
                {
                    Ok(()) => containers += 1,
                    Err(e) => problems.push(format!("removing container {}: {e}", c.short_id())),
                }
            }
        }
        Err(e) => problems.push(format!("listing containers: {e}")),
    }
    let mut tags = 0;
    let repo = format!("{LABEL}-{run}");
    match docker.images().list().reference(&repo).send().await {
        Ok(list) => {
            for t in list.iter().flat_map(|i| i.tags()) {
                if t.starts_with(&format!("{repo}:")) {
                    match docker.images().remove(&t).send().await {
                        Ok(_) => tags += 1,
                        Err(e) => problems.push(format!("removing tag {t}: {e}")),
                    }
                }
            }
        }
        Err(e) => problems.push(format!("listing images: {e}")),
    }
    (containers, tags, problems)
}

/// The image to run: `--image`, `$DOCKER_ENGINE_TEST_IMAGE`, or the engine's fixture.
async fn find_image(docker: &Docker, flag: Option<String>) -> docker_engine::Result<String> {
    if let Some(i) = flag.or_else(|| std::env::var("DOCKER_ENGINE_TEST_IMAGE").ok()) {
        return Ok(i);
    }
    let list = docker
        .images()
        .list()
        .reference("docker-engine-fixture")
        .send()
        .await?;
    list.iter().flat_map(|i| i.tags()).next().ok_or_else(|| {
        Error::InvalidArgument("no docker-engine-fixture image on this engine: pass --image".into())
    })
}

/// Peak of the later half of the post-warm-up samples against the earlier half's.
struct Flat {
    early_peak: f64,
    late_peak: f64,
    limit: f64,
    slope_per_min: f64,
}

impl Flat {
    fn ok(&self) -> bool {
        self.late_peak <= self.limit
    }
}

fn flatness(window: &[(f64, f64)], slack: f64) -> Option<Flat> {
    if window.len() < 4 {
        return None;
    }
    let mid = window.len() / 2;
    let peak = |s: &[(f64, f64)]| s.iter().map(|p| p.1).fold(f64::MIN, f64::max);
    let early_peak = peak(&window[..mid]);
    let late_peak = peak(&window[mid..]);
    let limit = early_peak + (early_peak * FLAT_TOLERANCE).max(slack);
    // Least-squares slope, for information.
    let n = window.len() as f64;
    let mt = window.iter().map(|p| p.0).sum::<f64>() / n;
    let mv = window.iter().map(|p| p.1).sum::<f64>() / n;
    let cov: f64 = window.iter().map(|p| (p.0 - mt) * (p.1 - mv)).sum();
    let var: f64 = window.iter().map(|p| (p.0 - mt).powi(2)).sum();
    Some(Flat {
        early_peak,
        late_peak,
        limit,
        slope_per_min: if var > 0.0 { cov / var * 60.0 } else { 0.0 },
    })
}

#[tokio::main]
async fn main() {
    std::process::exit(run(args()).await)
}

async fn run(args: Args) -> i32 {
    let docker = match Docker::from_env() {
        Ok(d) => d,
        Err(e) => {
            eprintln!("soak: {e}");
            return 2;
        }
    };
    let version = match docker.version().await {
        Ok(v) => v,
        Err(e) => {
            eprintln!("soak: {e}");
            return 2;
        }
    };
    let image = match find_image(&docker, args.image).await {
        Ok(i) => i,
        Err(e) => {
            eprintln!("soak: {e}");
            return 2;
        }
    };
    let image_id = match docker.images().get(&image).await {
        Ok(i) => i.id().to_string(),
        Err(e) => {
            eprintln!("soak: image {image}: {e}");
            return 2;
        }
    };
    let started_at = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    let run = format!("{}-{started_at}", std::process::id());
    println!(
        "soak {run}: {} tasks for {} s against {} (engine {}, API {}), image {image}; \
         a sample every {} s",
        args.tasks,
        args.seconds,
        docker.address(),
        version.version.as_deref().unwrap_or("?"),
        docker
            .api_version()
            .await
            .map(|v| v.to_string())
            .unwrap_or_default(),
        args.sample
    );
    let before = proc_self();
    println!(
        "before: fds {}  rss {:.1} MiB  threads {}",
        before.fds,
        mib(before.rss_kib),
        before.threads
    );

    let (stop_tx, stop_rx) = watch::channel(false);
    let ctx = Arc::new(Ctx {
        docker: docker.clone(),
        run: run.clone(),
        image: image.clone(),
        image_id,
        tally: Mutex::default(),
        ops: AtomicU64::new(0),
        errors: AtomicU64::new(0),
        unexpected: AtomicU64::new(0),
        rounds: AtomicU64::new(0),
        stop: stop_rx,
    });
    let interrupted = Arc::new(std::sync::atomic::AtomicBool::new(false));
    {
        let (stop_tx, interrupted) = (stop_tx.clone(), interrupted.clone());
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                eprintln!(
                    "\nsoak: interrupted; finishing rounds and cleaning up (Ctrl-C again to quit now)"
                );
                interrupted.store(true, Ordering::SeqCst);
                let _ = stop_tx.send(true);
                let _ = tokio::signal::ctrl_c().await;
                std::process::exit(130);
            }
        });
    }

    let t0 = Instant::now();
    let deadline = t0 + Duration::from_secs(args.seconds);

    // The stats follower's container: runs until removed.
    let mut followers = tokio::task::JoinSet::new();
    followers.spawn(follow_events(ctx.clone()));
    let sleeper = ctx
        .op(
            "stats_container_create",
            docker
                .containers()
                .create(&image)
                .cmd(["sh", "-c", "trap 'exit 0' TERM; sleep 86400 & wait"])
                .label(LABEL, &run)
                .label(TEST_LABEL, "soak")
                .network_mode("none")
                .send(),
        )
        .await;
    if let Some(s) = &sleeper
        && ctx.op("stats_container_start", s.start()).await.is_some()
    {
        followers.spawn(follow_stats(ctx.clone(), s.clone()));
    }

    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..args.tasks {
        tasks.spawn(task(ctx.clone(), i, deadline));
    }

    // Sample until the deadline (or Ctrl-C).
    let mut samples: Vec<Sample> = Vec::new();
    let mut stop = ctx.stop.clone();
    let mut last = (0.0f64, 0u64);
    let mut tick = tokio::time::interval_at(
        tokio::time::Instant::from_std(t0 + Duration::from_secs(args.sample)),
        Duration::from_secs(args.sample),
    );
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stop.wait_for(|s| *s) => break,
        }
        let t = t0.elapsed().as_secs_f64();
        let ops = ctx.ops.load(Ordering::Relaxed);
        let proc = proc_self();
        println!(
            "[{t:>5.0} s] ops {ops:>7} ({:>6.1}/s; last {:>6.1}/s)  rounds {:>6}  errors {} (unexpected {})  \
             fds {:>4}  rss {:>6.1} MiB  threads {}",
            ops as f64 / t,
            (ops - last.1) as f64 / (t - last.0),
            ctx.rounds.load(Ordering::Relaxed),
            ctx.errors.load(Ordering::Relaxed),
            ctx.unexpected.load(Ordering::Relaxed),
            proc.fds,
            mib(proc.rss_kib),
            proc.threads
        );
        samples.push(Sample { t, proc });
        last = (t, ops);
        if Instant::now() + Duration::from_millis(100) >= deadline {
            break;
        }
    }
    let run_secs = t0.elapsed().as_secs_f64();

    // The tasks end their current round; one that does not within the grace is a hang.
    let grace = if interrupted.load(Ordering::SeqCst) {
        Duration::from_secs(15)
    } else {
        WATCHDOG * 2
    };
    let joined = tokio::time::timeout(grace, async {
        while let Some(r) = tasks.join_next().await {
            if let Err(e) = r {
                ctx.error("task", "Panic".into(), e.to_string());
            }
        }
    })
    .await;
    if joined.is_err() && !interrupted.load(Ordering::SeqCst) {
        ctx.error(
            "task",
            "Hang".into(),
            format!(
                "{} tasks still in a round {} s after the deadline",
                tasks.len(),
                grace.as_secs()
            ),
        );
    }
    tasks.abort_all();
    let drain_secs = t0.elapsed().as_secs_f64() - run_secs;
    // Every container a round removed was destroyed: give the event follower up to 10 s to
    // read the last `destroy` events before it stops.
    let (destroyed, removed_by_rounds) = {
        let until = Instant::now() + Duration::from_secs(10);
        loop {
            let (d, r) = {
                let t = ctx.tally.lock().unwrap();
                let removed = ["container_remove", "container_remove_after_failure"]
                    .iter()
                    .filter_map(|o| t.ops.get(o).map(|s| s.count))
                    .sum::<u64>();
                (t.items.get("events destroy").copied().unwrap_or(0), removed)
            };
            if d >= r || Instant::now() >= until {
                break (d, r);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    };
    let _ = stop_tx.send(true);
    while let Some(r) = followers.join_next().await {
        if let Err(e) = r {
            ctx.error("follower", "Panic".into(), e.to_string());
        }
    }
    if let Some(s) = sleeper {
        ctx.op(
            "stats_container_remove",
            s.remove().force(true).volumes(true).send(),
        )
        .await;
    }
    let after_run = proc_self();
    let (removed, untagged, problems) = cleanup(&docker, &run).await;
    let after_cleanup = proc_self();

    // The summary.
    let tally = std::mem::take(&mut *ctx.tally.lock().unwrap());
    let total: u64 = tally.ops.values().map(|s| s.count).sum();
    println!(
        "\n== soak {run}: {} tasks, {run_secs:.0} s (+{drain_secs:.1} s to finish the last rounds), {} rounds",
        args.tasks,
        ctx.rounds.load(Ordering::Relaxed)
    );
    println!("| operation | count | per s | mean ms | max ms |\n|---|---:|---:|---:|---:|");
    for (name, s) in &tally.ops {
        let mean = if s.count > 0 {
            s.total.as_secs_f64() * 1e3 / s.count as f64
        } else {
            0.0
        };
        println!(
            "| {name} | {} | {:.1} | {mean:.1} | {:.1} |",
            s.count,
            s.count as f64 / run_secs,
            s.max.as_secs_f64() * 1e3
        );
    }
    println!(
        "| **total** | {total} | {:.1} | | |",
        total as f64 / run_secs
    );
    let items: Vec<String> = tally
        .items
        .iter()
        .map(|(k, v)| format!("{k} {v}"))
        .collect();
    println!("stream items: {}", items.join(", "));
    println!(
        "events: {destroyed} `destroy` events for {removed_by_rounds} containers the rounds removed{}",
        if destroyed == removed_by_rounds {
            String::new()
        } else {
            format!(" ({} missing)", removed_by_rounds.saturating_sub(destroyed))
        }
    );
    if tally.errors.is_empty() {
        println!("errors: none");
    } else {
        println!(
            "| operation | error kind | count | expected | first message |\n|---|---|---:|---|---|"
        );
        for ((op, kind), e) in &tally.errors {
            println!(
                "| {op} | {kind} | {} | {} | {} |",
                e.count,
                e.expected.unwrap_or("no"),
                e.first.replace('|', "\\|").replace('\n', " ")
            );
        }
    }
    println!(
        "after the run (tasks and streams ended): fds {}  rss {:.1} MiB  threads {}",
        after_run.fds,
        mib(after_run.rss_kib),
        after_run.threads
    );
    println!(
        "cleanup: {removed} containers and {untagged} tags left behind, removed{}; \
         then fds {}  rss {:.1} MiB  threads {}",
        if problems.is_empty() {
            String::new()
        } else {
            format!(" ({})", problems.join("; "))
        },
        after_cleanup.fds,
        mib(after_cleanup.rss_kib),
        after_cleanup.threads
    );

    if interrupted.load(Ordering::SeqCst) {
        println!("interrupted: no verdict");
        return 130;
    }

    // The verdict.
    let unexpected = ctx.unexpected.load(Ordering::Relaxed);
    let warm = run_secs * WARM_UP;
    let window: Vec<&Sample> = samples.iter().filter(|s| s.t > warm).collect();
    let fds: Vec<(f64, f64)> = window.iter().map(|s| (s.t, s.proc.fds as f64)).collect();
    let rss: Vec<(f64, f64)> = window.iter().map(|s| (s.t, mib(s.proc.rss_kib))).collect();
    let thr: Vec<(f64, f64)> = window
        .iter()
        .map(|s| (s.t, s.proc.threads as f64))
        .collect();
    let half = window.len() / 2;
    let (early_end, late_start) = match (window.get(half.wrapping_sub(1)), window.get(half)) {
        (Some(a), Some(b)) => (a.t, b.t),
        _ => (run_secs, run_secs),
    };
    println!(
        "\nverdict: unexpected errors must be 0; fds and RSS must be flat after warm-up.\n  \
         warm-up = the first {:.0}% of the run ({warm:.0} s); the {} samples after it are split in \
         two halves (to {early_end:.0} s, from {late_start:.0} s);\n  \
         flat = the later half's peak <= the earlier half's peak + {:.0}% (fds: + max({:.0}%, {FD_SLACK} fds)); \
         slope (least squares over both halves) for information",
        WARM_UP * 100.0,
        window.len(),
        FLAT_TOLERANCE * 100.0,
        FLAT_TOLERANCE * 100.0
    );
    let mut pass = true;
    let errors_ok = unexpected == 0;
    pass &= errors_ok;
    println!(
        "  unexpected errors: {unexpected} (all errors {}) .. {}",
        ctx.errors.load(Ordering::Relaxed),
        if errors_ok { "PASS" } else { "FAIL" }
    );
    for (name, series, slack, unit, judged) in [
        ("fds", &fds, FD_SLACK, "", true),
        ("rss", &rss, 0.0, " MiB", true),
        ("threads", &thr, 0.0, "", false),
    ] {
        match flatness(series, slack) {
            Some(f) => {
                let ok = f.ok();
                if judged {
                    pass &= ok;
                }
                println!(
                    "  {name}: earlier peak {:.1}{unit}, later peak {:.1}{unit}, limit {:.1}{unit}, \
                     slope {:+.2}{unit}/min .. {}",
                    f.early_peak,
                    f.late_peak,
                    f.limit,
                    f.slope_per_min,
                    match (judged, ok) {
                        (false, _) => "(information)",
                        (true, true) => "PASS",
                        (true, false) => "FAIL",
                    }
                );
            }
            None if judged => {
                pass = false;
                println!(
                    "  {name}: {} samples after warm-up, at least 4 needed (lower --sample) .. FAIL",
                    series.len()
                );
            }
            None => {}
        }
    }
    if !problems.is_empty() {
        pass = false;
        println!("  cleanup problems .. FAIL");
    }
    println!("VERDICT: {}", if pass { "PASS" } else { "FAIL" });
    if pass { 0 } else { 1 }
}
