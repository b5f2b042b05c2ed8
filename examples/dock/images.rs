//! `images`, `pull`, `push`, `build`, `rmi`, `login`.

use std::collections::HashMap;
use std::io::{IsTerminal, Read};
use std::path::PathBuf;

use clap::Args;
use docker_engine::Docker;
use docker_engine::auth::RegistryAuth;
use futures_util::{Stream, StreamExt};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};
use serde::Serialize;
use serde_json::Value;

use crate::fmt::{self, Table};
use crate::{Failure, Outcome};

#[derive(Args)]
pub struct ImagesArgs {
    /// Only show image IDs.
    #[arg(short, long)]
    quiet: bool,
    /// Show all images (default hides intermediate images).
    #[arg(short, long)]
    all: bool,
    /// Filter output based on conditions provided (key=value).
    #[arg(short, long)]
    filter: Vec<String>,
}

fn strings(v: &Value, key: &str) -> Vec<String> {
    v.get(key)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect()
}

/// The rows of one image as `docker images` makes them: one per repository and tag, a
/// `<none>` tag for a repository known only by digest, `<none> <none>` for a dangling one.
fn image_rows(v: &Value) -> Vec<(String, String)> {
    let tags: Vec<String> = strings(v, "RepoTags")
        .into_iter()
        .filter(|t| t != "<none>:<none>")
        .collect();
    let digests: Vec<String> = strings(v, "RepoDigests")
        .into_iter()
        .filter(|d| d != "<none>@<none>")
        .collect();
    let mut rows = Vec::new();
    let mut repos_with_tags = Vec::new();
    for t in &tags {
        let (name, tag) = fmt::split_tag(t);
        let repo = fmt::familiar_name(name);
        rows.push((repo.clone(), tag.trim_start_matches(':').to_string()));
        repos_with_tags.push(repo);
    }
    for d in &digests {
        let (name, _) = fmt::split_tag(d);
        let repo = fmt::familiar_name(name);
        if !repos_with_tags.contains(&repo) && !rows.iter().any(|(r, _)| *r == repo) {
            rows.push((repo, "<none>".into()));
        }
    }
    if rows.is_empty() {
        rows.push(("<none>".into(), "<none>".into()));
    }
    rows
}

pub async fn images(docker: &Docker, a: ImagesArgs) -> Outcome {
    let mut list = docker.images().list().all(a.all);
    for f in &a.filter {
        let Some((k, v)) = f.split_once('=') else {
            return Err(Failure::Other(format!("invalid filter '{f}'")));
        };
        list = list.filter(k, v);
    }
    let images = list.send().await?;
    let mut table = Table::new(&["REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"]);
    let mut quiet = Vec::new();
    for image in &images {
        let v = serde_json::to_value(image.attrs()).unwrap_or_default();
        let id = fmt::short_id(image.id());
        let created = v.get("Created").and_then(Value::as_i64).unwrap_or_default();
        let size = v.get("Size").and_then(Value::as_f64).unwrap_or_default();
        for (repo, tag) in image_rows(&v) {
            quiet.push(id.clone());
            table.row(vec![
                repo,
                tag,
                id.clone(),
                fmt::ago(created),
                fmt::human_size(size),
            ]);
        }
    }
    if a.quiet {
        for id in quiet {
            println!("{id}");
        }
    } else {
        print!("{}", table.render());
    }
    Ok(())
}

/// Draws a pull's or push's JSON progress messages as the docker CLI does in a terminal:
/// one line per layer id (an indicatif bar: `id: Downloading [====>   ]  1.2MB/4.3MB`),
/// other messages as lines in the order they came. Off a terminal, one line per change of
/// a layer's status, without the bars.
struct Progress {
    multi: MultiProgress,
    lines: HashMap<String, (ProgressBar, String)>,
    terminal: bool,
    plain: ProgressStyle,
    bar: ProgressStyle,
}

impl Progress {
    fn new() -> Progress {
        let terminal = std::io::stdout().is_terminal();
        // 60 redraws a second at most: a pull from a registry nearby is over in a second.
        let multi = MultiProgress::with_draw_target(if terminal {
            ProgressDrawTarget::stdout_with_hz(60)
        } else {
            ProgressDrawTarget::hidden()
        });
        let bar = ProgressStyle::with_template("{prefix}: {msg} [{bar:50}] {sizes}")
            .expect("template")
            .with_key("sizes", |s: &ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = write!(
                    w,
                    "{:>8}/{}",
                    fmt::human_size(s.pos() as f64),
                    fmt::human_size(s.len().unwrap_or_default() as f64)
                );
            })
            .progress_chars("=> ");
        Progress {
            multi,
            lines: HashMap::new(),
            terminal,
            plain: ProgressStyle::with_template("{prefix}: {msg}").expect("template"),
            bar,
        }
    }

    /// A line that is not a layer's.
    fn line(&mut self, text: String) {
        if self.terminal {
            let line = self.multi.add(ProgressBar::new_spinner());
            line.set_style(ProgressStyle::with_template("{msg}").expect("template"));
            line.finish_with_message(text);
        } else {
            println!("{text}");
        }
    }

    fn message(&mut self, m: &Value) {
        let status = m.get("status").and_then(Value::as_str).unwrap_or_default();
        let id = m.get("id").and_then(Value::as_str).unwrap_or_default();
        if id.is_empty() {
            if !status.is_empty() {
                self.line(status.to_string());
            } else if let Some(text) = m.get("stream").and_then(Value::as_str) {
                self.line(text.trim_end().to_string());
            }
            return;
        }
        let current = m.pointer("/progressDetail/current").and_then(Value::as_u64);
        let total = m.pointer("/progressDetail/total").and_then(Value::as_u64);
        if !self.terminal {
            let changed = self.lines.get(id).is_none_or(|(_, s)| s != status);
            if changed {
                println!("{id}: {status}");
            }
            self.lines
                .insert(id.to_string(), (ProgressBar::hidden(), status.to_string()));
            return;
        }
        let (bar, last) = self.lines.entry(id.to_string()).or_insert_with(|| {
            let bar = self.multi.add(ProgressBar::new(0));
            bar.set_style(self.plain.clone());
            bar.set_prefix(id.to_string());
            (bar, String::new())
        });
        match (current, total) {
            (Some(current), Some(total)) if total > 0 => {
                if last.as_str() != status || bar.length() != Some(total) {
                    bar.set_style(self.bar.clone());
                    bar.set_length(total);
                }
                bar.set_position(current.min(total));
            }
            _ => bar.set_style(self.plain.clone()),
        }
        bar.set_message(status.to_string());
        *last = status.to_string();
    }

    fn finish(&self) {
        for (bar, _) in self.lines.values() {
            bar.finish();
        }
    }
}

/// Shows a pull or push to its end; the first error the daemon reports ends it.
async fn show<S, T>(mut stream: S) -> docker_engine::Result<()>
where
    S: Stream<Item = docker_engine::Result<T>> + Unpin,
    T: Serialize,
{
    let mut progress = Progress::new();
    let mut result = Ok(());
    while let Some(item) = stream.next().await {
        match item {
            Ok(item) => progress.message(&serde_json::to_value(item).unwrap_or_default()),
            Err(e) => {
                result = Err(e);
                break;
            }
        }
    }
    progress.finish();
    result
}

/// The reference as the docker CLI prints it after a pull: fully qualified, with a tag.
fn canonical(reference: &str) -> String {
    let (name, rest) = fmt::split_tag(reference);
    let rest = if rest.is_empty() { ":latest" } else { rest };
    let first = name.split('/').next().unwrap_or_default();
    let has_domain =
        name.contains('/') && (first.contains('.') || first.contains(':') || first == "localhost");
    if has_domain {
        format!("{name}{rest}")
    } else if name.contains('/') {
        format!("docker.io/{name}{rest}")
    } else {
        format!("docker.io/library/{name}{rest}")
    }
}

pub async fn pull(docker: &Docker, reference: &str) -> Outcome {
    show(docker.images().pull(reference).stream()).await?;
    println!("{}", canonical(reference));
    Ok(())
}

pub async fn push(docker: &Docker, reference: &str) -> Outcome {
    // Read as JSON: the daemon's push lines carry the layer ids the typed items lack.
    let lines = docker
        .images()
        .push(reference)
        .stream()
        .decode_as::<Value>();
    show(lines).await?;
    Ok(())
}

#[derive(Args)]
pub struct BuildArgs {
    /// Name and optionally a tag in the 'name:tag' format.
    #[arg(short, long)]
    tag: Vec<String>,
    /// Name of the Dockerfile (default: 'DIR/Dockerfile').
    #[arg(short, long)]
    file: Option<String>,
    /// Do not use cache when building the image.
    #[arg(long)]
    no_cache: bool,
    dir: PathBuf,
}

pub async fn build(docker: &Docker, a: BuildArgs) -> Outcome {
    let mut build = docker.images().build(&a.dir).no_cache(a.no_cache);
    if let Some(f) = &a.file {
        build = build.dockerfile(f.clone());
    }
    for t in &a.tag {
        build = build.tag(t.clone());
    }
    let terminal = std::io::stdout().is_terminal();
    // The progress line: the step running and the time so far, under the build's output.
    let line = if terminal {
        let p = ProgressBar::with_draw_target(None, ProgressDrawTarget::stdout());
        p.set_style(
            ProgressStyle::with_template("{spinner} [{elapsed_precise}] {msg}").expect("template"),
        );
        p.enable_steady_tick(std::time::Duration::from_millis(100));
        p.set_message("sending the build context");
        p
    } else {
        ProgressBar::hidden()
    };
    let say = |text: &str| {
        if terminal {
            line.println(text);
        } else {
            println!("{text}");
        }
    };
    let mut stream = build.stream();
    let mut steps = 0;
    let mut failure = None;
    while let Some(item) = stream.next().await {
        let v = match item {
            Ok(item) => serde_json::to_value(item).unwrap_or_default(),
            Err(e) => {
                failure = Some(e);
                break;
            }
        };
        if let Some(text) = v.get("stream").and_then(Value::as_str) {
            for l in text.lines().filter(|l| !l.is_empty()) {
                if l.starts_with("Step ") || l.starts_with("STEP ") {
                    steps += 1;
                    line.set_message(l.to_string());
                }
                say(l);
            }
        } else if let Some(status) = v.get("status").and_then(Value::as_str) {
            say(status);
        }
    }
    line.finish_and_clear();
    if let Some(e) = failure {
        return Err(e.into());
    }
    if terminal {
        println!("{steps} steps done");
    }
    Ok(())
}

pub async fn rmi(docker: &Docker, force: bool, names: Vec<String>) -> Outcome {
    let mut failed = false;
    for name in names {
        match docker.images().remove(name).force(force).send().await {
            Ok(items) => {
                for item in items {
                    let v = serde_json::to_value(item).unwrap_or_default();
                    for (key, word) in [("Untagged", "Untagged"), ("Deleted", "Deleted")] {
                        if let Some(s) = v.get(key).and_then(Value::as_str) {
                            println!("{word}: {s}");
                        }
                    }
                }
            }
            Err(e) => {
                eprintln!("{}", crate::describe(&e));
                failed = true;
            }
        }
    }
    crate::exit_if_any_failed(failed)
}

#[derive(Args)]
pub struct LoginArgs {
    /// Username.
    #[arg(short, long)]
    username: Option<String>,
    /// Password.
    #[arg(short, long)]
    password: Option<String>,
    /// Take the password from stdin.
    #[arg(long)]
    password_stdin: bool,
    /// The registry (default: Docker Hub).
    server: Option<String>,
}

/// Where the docker CLI keeps its configuration: `$DOCKER_CONFIG/config.json`, else
/// `~/.docker/config.json`.
fn config_path() -> PathBuf {
    match std::env::var_os("DOCKER_CONFIG") {
        Some(dir) => PathBuf::from(dir).join("config.json"),
        None => PathBuf::from(std::env::var_os("HOME").unwrap_or_default())
            .join(".docker")
            .join("config.json"),
    }
}

pub async fn login(docker: &Docker, a: LoginArgs) -> Outcome {
    let Some(user) = a.username else {
        return Err(Failure::Other(
            "Error: dock login needs --username (it does not prompt)".into(),
        ));
    };
    let password = match (a.password, a.password_stdin) {
        (Some(_), true) => {
            return Err(Failure::Other(
                "--password and --password-stdin are mutually exclusive".into(),
            ));
        }
        (Some(p), false) => {
            eprintln!("WARNING! Using --password via the CLI is insecure. Use --password-stdin.");
            p
        }
        (None, true) => {
            let mut s = String::new();
            std::io::stdin()
                .read_to_string(&mut s)
                .map_err(|e| Failure::Other(e.to_string()))?;
            s.trim_end_matches(['\n', '\r']).to_string()
        }
        (None, false) => {
            return Err(Failure::Other(
                "Error: dock login needs --password or --password-stdin".into(),
            ));
        }
    };
    let server = a
        .server
        .unwrap_or_else(|| "https://index.docker.io/v1/".into());
    let answer = docker
        .login(RegistryAuth::basic(user.clone(), password.clone()).server(server.clone()))
        .await?;
    // Kept where the docker CLI keeps it (plain `auths`, no credential helper), so later
    // pulls and pushes, by dock or by the crate, find it.
    let path = config_path();
    let mut config: Value = std::fs::read_to_string(&path)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_else(|| serde_json::json!({}));
    use base64::Engine;
    let auth = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    if !config.get("auths").is_some_and(Value::is_object) {
        config["auths"] = serde_json::json!({});
    }
    config["auths"][server.as_str()] = serde_json::json!({ "auth": auth });
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Failure::Other(e.to_string()))?;
    }
    let text = serde_json::to_string_pretty(&config).unwrap_or_default();
    std::fs::write(&path, text + "\n").map_err(|e| Failure::Other(e.to_string()))?;
    println!(
        "{}",
        answer.status.unwrap_or_else(|| "Login Succeeded".into())
    );
    Ok(())
}
