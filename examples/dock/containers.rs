//! `ps`, `run`, `exec`, `logs`, `rm`, `stats`.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use clap::Args;
use docker_engine::containers::WaitCondition;
use docker_engine::stream::LogChunk;
use docker_engine::{Docker, Error};
use futures_util::StreamExt;
use serde_json::Value;
use tokio::io::AsyncWriteExt;

use crate::fmt::{self, Table};
use crate::{Failure, Outcome};

#[derive(Args)]
pub struct PsArgs {
    /// Show all containers (default shows just running).
    #[arg(short, long)]
    all: bool,
    /// Filter output based on conditions provided (key=value).
    #[arg(short, long)]
    filter: Vec<String>,
    /// Only display container IDs.
    #[arg(short, long)]
    quiet: bool,
    /// Display total file sizes.
    #[arg(short, long)]
    size: bool,
}

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or_default()
}

fn int(v: &Value, key: &str) -> i64 {
    v.get(key).and_then(Value::as_i64).unwrap_or_default()
}

/// The SIZE column of `ps --size`: the writable layer, and with it the whole file system
/// when the daemon counted it, `"0B (virtual 1.2MB)"`, as the docker CLI writes it.
fn size_column(rw: i64, root_fs: i64) -> String {
    let rw = fmt::human_size(rw as f64);
    if root_fs > 0 {
        format!("{rw} (virtual {})", fmt::human_size(root_fs as f64))
    } else {
        rw
    }
}

/// The PORTS column, as the docker CLI 20.10 writes it. The ports are sorted by their own
/// number, address, published number and protocol. A port not published, or published on
/// its own number, joins the run of consecutive ports of its address and protocol:
/// `6000-6001/tcp`, `127.0.0.1:8000-8002->8000-8002/tcp`. A port published on another
/// number is listed on its own after the runs, the address written as it is
/// (`:::8080->80/tcp`). `dock::output::ps_images_logs_inspect_version_match_the_docker_cli`
/// compares the column with the CLI's for unpublished ports, same-number ranges over two
/// protocols and other-number ports, on every engine.
fn ports(v: &Value) -> String {
    struct Run {
        address: String,
        kind: String,
        first: i64,
        last: i64,
    }
    impl Run {
        fn render(&self) -> String {
            let span = if self.first == self.last {
                self.first.to_string()
            } else {
                format!("{}-{}", self.first, self.last)
            };
            if self.address.is_empty() {
                format!("{span}/{}", self.kind)
            } else {
                format!("{}:{span}->{span}/{}", self.address, self.kind)
            }
        }
    }
    let mut list: Vec<(i64, &str, i64, &str)> = v
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            (
                int(p, "PrivatePort"),
                text(p, "IP"),
                int(p, "PublicPort"),
                text(p, "Type"),
            )
        })
        .collect();
    list.sort();
    // Runs in the order their address and protocol first appear; a run broken by a gap is
    // written out and a new one takes its place.
    let (mut runs, mut written, mut other) = (Vec::<Run>::new(), Vec::new(), Vec::new());
    for (private, address, public, kind) in list {
        if !address.is_empty() && public != private {
            other.push(format!("{address}:{public}->{private}/{kind}"));
            continue;
        }
        match runs
            .iter_mut()
            .find(|r| r.address == address && r.kind == kind)
        {
            Some(run) if private == run.last + 1 => run.last = private,
            Some(run) => {
                written.push(run.render());
                (run.first, run.last) = (private, private);
            }
            None => runs.push(Run {
                address: address.to_string(),
                kind: kind.to_string(),
                first: private,
                last: private,
            }),
        }
    }
    written.extend(runs.iter().map(Run::render));
    written.extend(other);
    written.join(", ")
}

/// The IMAGE column, as the docker CLI shortens it.
fn image_column(image: &str, image_id: &str) -> String {
    if image.is_empty() {
        return "<no image>".into();
    }
    if fmt::short_id(image_id) == fmt::short_id(image) {
        return fmt::short_id(image);
    }
    if image.starts_with("sha256:") {
        return fmt::short_id(image);
    }
    let (name, rest) = fmt::split_tag(image);
    // The CLI keeps a tag and drops a digest.
    let rest = if rest.starts_with('@') { "" } else { rest };
    format!("{}{rest}", fmt::familiar_name(name))
}

pub async fn ps(docker: &Docker, a: PsArgs) -> Outcome {
    let mut list = docker.containers().list().all(a.all).size(a.size);
    for f in &a.filter {
        let Some((k, v)) = f.split_once('=') else {
            return Err(Failure::Other(format!("invalid filter '{f}'")));
        };
        list = list.filter(k, v);
    }
    let containers = list.send().await?;
    if a.quiet {
        for c in &containers {
            println!("{}", c.short_id());
        }
        return Ok(());
    }
    let mut headers = vec![
        "CONTAINER ID",
        "IMAGE",
        "COMMAND",
        "CREATED",
        "STATUS",
        "PORTS",
        "NAMES",
    ];
    if a.size {
        headers.push("SIZE");
    }
    let mut table = Table::new(&headers);
    for c in &containers {
        let v = serde_json::to_value(c.attrs()).unwrap_or_default();
        let names: Vec<&str> = v
            .get("Names")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(|n| n.trim_start_matches('/'))
            .filter(|n| !n.contains('/'))
            .collect();
        let mut row = vec![
            c.short_id().to_string(),
            image_column(text(&v, "Image"), text(&v, "ImageID")),
            fmt::go_quote(&fmt::ellipsis(text(&v, "Command"), 20)),
            fmt::ago(int(&v, "Created")),
            c.status().to_string(),
            ports(v.get("Ports").unwrap_or(&Value::Null)),
            names.join(","),
        ];
        if a.size {
            row.push(size_column(int(&v, "SizeRw"), int(&v, "SizeRootFs")));
        }
        table.row(row);
    }
    print!("{}", table.render());
    Ok(())
}

#[derive(Args)]
pub struct RunArgs {
    /// Automatically remove the container when it exits.
    #[arg(long)]
    rm: bool,
    /// Run in the background and print the container ID.
    #[arg(short, long)]
    detach: bool,
    /// Keep STDIN open.
    #[arg(short, long)]
    interactive: bool,
    /// Allocate a pseudo-TTY.
    #[arg(short, long)]
    tty: bool,
    /// Set environment variables (K=V).
    #[arg(short, long)]
    env: Vec<String>,
    /// Bind mount a volume (SRC:DST[:OPTS]).
    #[arg(short, long)]
    volume: Vec<String>,
    /// Publish a container's port to the host ([IP:]HOST:CONTAINER[/PROTO]).
    #[arg(short, long)]
    publish: Vec<String>,
    /// Assign a name to the container.
    #[arg(long)]
    name: Option<String>,
    image: String,
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    command: Vec<String>,
}

fn create(docker: &Docker, a: &RunArgs) -> docker_engine::containers::CreateContainer {
    let mut create = docker
        .containers()
        .create(&a.image)
        .tty(a.tty)
        .stdin_open(a.interactive)
        .auto_remove(a.rm);
    if !a.command.is_empty() {
        create = create.cmd(a.command.clone());
    }
    if let Some(n) = &a.name {
        create = create.name(n);
    }
    for e in &a.env {
        let (k, v) = match e.split_once('=') {
            Some((k, v)) => (k.to_string(), v.to_string()),
            // `-e NAME` takes the value from the local environment, as docker does.
            None => (e.clone(), std::env::var(e).unwrap_or_default()),
        };
        create = create.env(k, v);
    }
    for v in &a.volume {
        create = create.bind(v.clone());
    }
    for p in &a.publish {
        let parts: Vec<&str> = p.split(':').collect();
        let (ip, host, container) = match parts.as_slice() {
            [c] => ("", "", *c),
            [h, c] => ("", *h, *c),
            [ip, h, c] => (*ip, *h, *c),
            _ => ("", "", p.as_str()),
        };
        create = create.publish(container, ip, host);
    }
    if a.interactive {
        // Attach stdin, and close it when the client detaches, as `docker run -i` does.
        let body = create.body_mut();
        body.attach_stdin = true;
        body.stdin_once = true;
    }
    create
}

pub async fn run(docker: &Docker, a: RunArgs) -> Outcome {
    let container = match create(docker, &a).send().await {
        Ok(c) => c,
        Err(Error::NotFound { message }) if message.contains("image") => {
            eprintln!("Unable to find image '{}' locally", a.image);
            crate::images::pull(docker, &a.image)
                .await
                .map_err(|f| match f {
                    Failure::Daemon(e) => Failure::Run(e),
                    other => other,
                })?;
            create(docker, &a).send().await.map_err(Failure::Run)?
        }
        Err(e) => return Err(Failure::Run(e)),
    };
    if a.detach {
        container.start().await.map_err(Failure::Run)?;
        println!("{}", container.id());
        return Ok(());
    }
    // Attach and register for the exit before the start, so nothing is missed.
    let session = container
        .attach()
        .stdin(a.interactive)
        .stdout(true)
        .stderr(true)
        .stream(true)
        .start()
        .await
        .map_err(Failure::Run)?;
    let handle = docker.containers().handle(container.id());
    // The next exit, also with --rm (Podman answers a wait for "removed" with 0 at once).
    let wait = tokio::spawn(async move { handle.wait_until(WaitCondition::NextExit).send().await });
    container.start().await.map_err(Failure::Run)?;
    crate::term::proxy(session, a.interactive, a.tty).await?;
    match wait.await {
        Ok(Ok(code)) => Err(exit(code)),
        Ok(Err(e)) => Err(Failure::Run(e)),
        Err(e) => Err(Failure::Other(e.to_string())),
    }
}

fn exit(code: i64) -> Failure {
    Failure::Exit(code as i32)
}

#[derive(Args)]
pub struct ExecArgs {
    /// Keep STDIN open.
    #[arg(short, long)]
    interactive: bool,
    /// Allocate a pseudo-TTY.
    #[arg(short, long)]
    tty: bool,
    container: String,
    #[arg(required = true, trailing_var_arg = true, allow_hyphen_values = true)]
    command: Vec<String>,
}

pub async fn exec(docker: &Docker, a: ExecArgs) -> Outcome {
    let container = docker.containers().get(&a.container).await?;
    let mut exec = container.exec(a.command).stdin(a.interactive).tty(a.tty);
    if a.tty {
        exec = exec.env(
            "TERM",
            std::env::var("TERM").unwrap_or_else(|_| "xterm".into()),
        );
        if let Some((w, h)) = crate::term::window_size() {
            exec = exec.console_size(w, h);
        }
    }
    let session = exec.start().await?;
    let control = session.control();
    crate::term::proxy(session, a.interactive, a.tty).await?;
    Err(exit(control.wait().await?))
}

#[derive(Args)]
pub struct LogsArgs {
    /// Follow log output.
    #[arg(short, long)]
    follow: bool,
    /// Number of lines to show from the end of the logs.
    #[arg(short = 'n', long)]
    tail: Option<u64>,
    /// Show timestamps.
    #[arg(short, long)]
    timestamps: bool,
    container: String,
}

pub async fn logs(docker: &Docker, a: LogsArgs) -> Outcome {
    let container = docker.containers().get(&a.container).await?;
    let mut logs = container
        .logs()
        .stdout(true)
        .stderr(true)
        .follow(a.follow)
        .timestamps(a.timestamps);
    if let Some(n) = a.tail {
        logs = logs.tail(n);
    }
    let mut stream = logs.stream();
    let mut stdout = tokio::io::stdout();
    let mut stderr = tokio::io::stderr();
    // Ctrl-C ends a follow at once (the terminal was never changed).
    let interrupted = tokio::signal::ctrl_c();
    tokio::pin!(interrupted);
    loop {
        tokio::select! {
            chunk = stream.next() => {
                let Some(chunk) = chunk else { break };
                let written = match chunk? {
                    LogChunk::StdErr(b) => stderr.write_all(&b).await,
                    other => stdout.write_all(other.bytes()).await,
                };
                if written.is_err() {
                    break;
                }
            }
            _ = &mut interrupted => {
                let _ = stdout.flush().await;
                // 130 = 128 + SIGINT, what a shell reports for a program ended by Ctrl-C.
                return Err(Failure::Exit(130));
            }
        }
    }
    let _ = stdout.flush().await;
    let _ = stderr.flush().await;
    Ok(())
}

#[derive(Args)]
pub struct RmArgs {
    /// Force the removal of a running container.
    #[arg(short, long)]
    force: bool,
    /// Remove anonymous volumes associated with the container.
    #[arg(short, long)]
    volumes: bool,
    #[arg(required = true)]
    containers: Vec<String>,
}

pub async fn rm(docker: &Docker, a: RmArgs) -> Outcome {
    let mut failed = false;
    for name in &a.containers {
        let done = docker
            .containers()
            .handle(name.clone())
            .remove()
            .force(a.force)
            .volumes(a.volumes)
            .send()
            .await;
        match done {
            Ok(()) => println!("{name}"),
            Err(e) => {
                eprintln!("{}", crate::describe(&e));
                failed = true;
            }
        }
    }
    crate::exit_if_any_failed(failed)
}

#[derive(Args)]
pub struct StatsArgs {
    /// Disable streaming stats and only pull the first result.
    #[arg(long)]
    no_stream: bool,
    /// Show all containers (default shows just running).
    #[arg(short, long)]
    all: bool,
    /// Containers (default: all running ones).
    containers: Vec<String>,
}

/// One row of `docker stats`, computed from two samples as the docker CLI computes it.
#[derive(Clone, Default)]
struct Row {
    id: String,
    name: String,
    cpu: f64,
    mem: f64,
    limit: f64,
    mem_percent: f64,
    net: (f64, f64),
    block: (f64, f64),
    pids: u64,
    samples: u32,
}

fn num(v: &Value, path: &[&str]) -> f64 {
    let mut v = v;
    for p in path {
        match v.get(p) {
            Some(next) => v = next,
            None => return 0.0,
        }
    }
    v.as_f64().unwrap_or_default()
}

fn row_from(sample: &Value, previous: Option<&Value>, samples: u32) -> Row {
    let pre = previous
        .map(|p| p.get("cpu_stats").cloned().unwrap_or_default())
        .unwrap_or_else(|| sample.get("precpu_stats").cloned().unwrap_or_default());
    let cpu_delta = num(sample, &["cpu_stats", "cpu_usage", "total_usage"])
        - num(&pre, &["cpu_usage", "total_usage"]);
    let system_delta =
        num(sample, &["cpu_stats", "system_cpu_usage"]) - num(&pre, &["system_cpu_usage"]);
    let mut online = num(sample, &["cpu_stats", "online_cpus"]);
    if online == 0.0 {
        online = sample
            .pointer("/cpu_stats/cpu_usage/percpu_usage")
            .and_then(Value::as_array)
            .map(|a| a.len() as f64)
            .unwrap_or_default();
    }
    let cpu = if system_delta > 0.0 && cpu_delta > 0.0 {
        cpu_delta / system_delta * online * 100.0
    } else {
        0.0
    };
    // Memory without the page cache: cgroup v1's total_inactive_file, v2's inactive_file.
    let usage = num(sample, &["memory_stats", "usage"]);
    let cache = [
        num(sample, &["memory_stats", "stats", "total_inactive_file"]),
        num(sample, &["memory_stats", "stats", "inactive_file"]),
    ]
    .into_iter()
    .find(|c| *c > 0.0 && *c < usage)
    .unwrap_or_default();
    let mem = usage - cache;
    let limit = num(sample, &["memory_stats", "limit"]);
    let mem_percent = if limit > 0.0 {
        mem / limit * 100.0
    } else {
        0.0
    };
    let mut net = (0.0, 0.0);
    if let Some(nets) = sample.get("networks").and_then(Value::as_object) {
        for n in nets.values() {
            net.0 += num(n, &["rx_bytes"]);
            net.1 += num(n, &["tx_bytes"]);
        }
    }
    let mut block = (0.0, 0.0);
    for e in sample
        .pointer("/blkio_stats/io_service_bytes_recursive")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let value = num(e, &["value"]);
        match text(e, "op").to_ascii_lowercase().as_str() {
            "read" => block.0 += value,
            "write" => block.1 += value,
            _ => {}
        }
    }
    Row {
        id: text(sample, "id").chars().take(12).collect(),
        name: text(sample, "name").trim_start_matches('/').to_string(),
        cpu,
        mem,
        limit,
        mem_percent,
        net,
        block,
        pids: num(sample, &["pids_stats", "current"]) as u64,
        samples,
    }
}

fn stats_table(rows: &[Row]) -> String {
    let mut table = Table::new(&[
        "CONTAINER ID",
        "NAME",
        "CPU %",
        "MEM USAGE / LIMIT",
        "MEM %",
        "NET I/O",
        "BLOCK I/O",
        "PIDS",
    ]);
    for r in rows {
        table.row(vec![
            r.id.clone(),
            r.name.clone(),
            format!("{:.2}%", r.cpu),
            format!("{} / {}", fmt::bytes_size(r.mem), fmt::bytes_size(r.limit)),
            format!("{:.2}%", r.mem_percent),
            format!(
                "{} / {}",
                fmt::human_size(r.net.0),
                fmt::human_size(r.net.1)
            ),
            format!(
                "{} / {}",
                fmt::human_size(r.block.0),
                fmt::human_size(r.block.1)
            ),
            r.pids.to_string(),
        ]);
    }
    table.render()
}

pub async fn stats(docker: &Docker, a: StatsArgs) -> Outcome {
    let ids: Vec<String> = if a.containers.is_empty() {
        docker
            .containers()
            .list()
            .all(a.all)
            .send()
            .await?
            .iter()
            .map(|c| c.id().to_string())
            .collect()
    } else {
        // Names to ids: the table shows ids, and Podman's stats carry none.
        let mut ids = Vec::new();
        for name in &a.containers {
            ids.push(docker.containers().get(name).await?.id().to_string());
        }
        ids
    };
    let rows: Arc<Mutex<BTreeMap<usize, Row>>> = Arc::default();
    let mut tasks = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        let handle = docker.containers().handle(id.clone());
        let rows = rows.clone();
        let id = id.clone();
        tasks.push(tokio::spawn(async move {
            let mut stream = handle.stats().stream();
            let mut previous: Option<Value> = None;
            let mut n = 0;
            while let Some(sample) = stream.next().await {
                let sample = serde_json::to_value(sample?).unwrap_or_default();
                n += 1;
                let mut row = row_from(&sample, previous.as_ref(), n);
                if row.id.is_empty() {
                    row.id = fmt::short_id(&id);
                }
                rows.lock().unwrap().insert(i, row);
                previous = Some(sample);
            }
            Ok::<(), Error>(())
        }));
    }
    let snapshot = |rows: &Arc<Mutex<BTreeMap<usize, Row>>>| -> Vec<Row> {
        rows.lock().unwrap().values().cloned().collect()
    };
    if a.no_stream {
        // Two samples per container, so the CPU column has a delta (as `docker stats
        // --no-stream`, which asks the daemon for one sample with its predecessor).
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let done = {
                let r = rows.lock().unwrap();
                r.len() == ids.len() && r.values().all(|row| row.samples >= 2)
            } || tasks.iter().all(|t| t.is_finished());
            if done || tokio::time::Instant::now() > deadline {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        for t in &tasks {
            t.abort();
        }
        print!("{}", stats_table(&snapshot(&rows)));
        return Ok(());
    }
    let mut out = std::io::stdout();
    let interrupted = tokio::signal::ctrl_c();
    tokio::pin!(interrupted);
    loop {
        // Clear the screen and draw the table again, as `docker stats` does.
        let screen = format!("\x1b[2J\x1b[H{}", stats_table(&snapshot(&rows)));
        {
            use std::io::Write;
            let _ = out.write_all(screen.as_bytes());
            let _ = out.flush();
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_millis(500)) => {}
            _ = &mut interrupted => break,
        }
    }
    for t in &tasks {
        t.abort();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    /// What the 20.10 engine answered for `-p 127.0.0.1:28000-28002:28000-28002
    /// -p 29000-29001:7000-7001 -p 28010:28010/udp --expose 6000-6001`, in its order, and
    /// what Debian's docker CLI 20.10 printed for it.
    #[test]
    fn ports_are_merged_into_runs_as_the_docker_cli_merges_them() {
        let answer = json!([
            {"PrivatePort": 6000, "Type": "tcp"}, {"PrivatePort": 6001, "Type": "tcp"},
            {"IP": "0.0.0.0", "PrivatePort": 7000, "PublicPort": 29000, "Type": "tcp"},
            {"IP": "::", "PrivatePort": 7000, "PublicPort": 29000, "Type": "tcp"},
            {"IP": "0.0.0.0", "PrivatePort": 7001, "PublicPort": 29001, "Type": "tcp"},
            {"IP": "::", "PrivatePort": 7001, "PublicPort": 29001, "Type": "tcp"},
            {"IP": "127.0.0.1", "PrivatePort": 28002, "PublicPort": 28002, "Type": "tcp"},
            {"IP": "127.0.0.1", "PrivatePort": 28000, "PublicPort": 28000, "Type": "tcp"},
            {"IP": "127.0.0.1", "PrivatePort": 28001, "PublicPort": 28001, "Type": "tcp"},
            {"IP": "0.0.0.0", "PrivatePort": 28010, "PublicPort": 28010, "Type": "udp"},
            {"IP": "::", "PrivatePort": 28010, "PublicPort": 28010, "Type": "udp"}
        ]);
        assert_eq!(
            super::ports(&answer),
            "6000-6001/tcp, 127.0.0.1:28000-28002->28000-28002/tcp, \
             0.0.0.0:28010->28010/udp, :::28010->28010/udp, 0.0.0.0:29000->7000/tcp, \
             :::29000->7000/tcp, 0.0.0.0:29001->7001/tcp, :::29001->7001/tcp"
        );
        // Sorted by number first: 53/udp opens its run before 80/tcp. A gap ends a run,
        // written at once; the port after it opens the next, written with the others.
        let gap = json!([
            {"PrivatePort": 80, "Type": "tcp"}, {"PrivatePort": 81, "Type": "tcp"},
            {"PrivatePort": 83, "Type": "tcp"}, {"PrivatePort": 53, "Type": "udp"}
        ]);
        assert_eq!(super::ports(&gap), "80-81/tcp, 53/udp, 83/tcp");
        assert_eq!(super::ports(&json!([])), "");
    }
}
