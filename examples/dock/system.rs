//! `inspect`, `events`, `version`, `info`.

use std::io::Write;

use docker_engine::{Docker, Error};
use futures_util::StreamExt;
use serde_json::Value;

use crate::fmt;
use crate::{Failure, Outcome};

/// JSON text indented with four spaces as the docker CLI indents it (Go's `json.Indent`):
/// the members in the order the daemon sent them, whitespace between tokens dropped, `{}`
/// and `[]` kept on one line, strings copied as they are.
fn indent(src: &str) -> String {
    let mut out = String::with_capacity(src.len() * 2);
    let mut depth = 0usize;
    // An opening bracket was written and nothing after it yet.
    let mut opened = false;
    let mut chars = src.chars();
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        out.push_str(&"    ".repeat(depth));
    };
    while let Some(c) = chars.next() {
        if c.is_ascii_whitespace() {
            continue;
        }
        if opened && c != '}' && c != ']' {
            newline(&mut out, depth);
        }
        match c {
            '{' | '[' => {
                out.push(c);
                depth += 1;
                opened = true;
                continue;
            }
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                if !opened {
                    newline(&mut out, depth);
                }
                out.push(c);
            }
            ',' => {
                out.push(',');
                newline(&mut out, depth);
            }
            ':' => out.push_str(": "),
            '"' => {
                out.push('"');
                while let Some(c) = chars.next() {
                    out.push(c);
                    match c {
                        '\\' => out.extend(chars.next()),
                        '"' => break,
                        _ => {}
                    }
                }
            }
            other => out.push(other),
        }
        opened = false;
    }
    out
}

/// `docker inspect NAME...`: each object's inspect answer as the daemon sent it (the
/// crate keeps it beside the typed model: `Model::answer`), in one array.
pub async fn inspect(docker: &Docker, names: Vec<String>) -> Outcome {
    let mut found: Vec<String> = Vec::new();
    let mut missing = Vec::new();
    for name in names {
        // A container first, then an image, as `docker inspect` without --type.
        match docker.containers().get(&name).await {
            Ok(c) => {
                found.push(c.answer().text().to_string());
                continue;
            }
            Err(Error::NotFound { .. }) => {}
            Err(e) => return Err(e.into()),
        }
        match docker.images().get(&name).await {
            Ok(i) => found.push(i.answer().text().to_string()),
            Err(Error::NotFound { .. }) => missing.push(name),
            Err(e) => return Err(e.into()),
        }
    }
    println!("{}", indent(&format!("[{}]", found.join(","))));
    if missing.is_empty() {
        return Ok(());
    }
    for name in missing {
        eprintln!("Error: No such object: {name}");
    }
    Err(Failure::Exit(1))
}

#[cfg(test)]
mod tests {
    #[test]
    fn security_options_are_read_as_the_docker_cli_reads_them() {
        let ok = [
            "name=seccomp,profile=builtin".to_string(),
            "name=cgroupns".to_string(),
        ];
        assert_eq!(
            super::security_options(&ok),
            Ok(vec![
                ("seccomp".to_string(), Some("builtin".to_string())),
                ("cgroupns".to_string(), None)
            ])
        );
        for bad in ["seccomp", "name=", "name=x,profile"] {
            assert!(
                super::security_options(&[bad.to_string()]).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn indents_as_the_docker_cli() {
        let src = "{\"A\":[1,{\"B\":\"x, \\\"y\\\": {[\"}],\"C\":{},\"D\":[]}\n";
        assert_eq!(
            super::indent(src),
            "{\n    \"A\": [\n        1,\n        {\n            \"B\": \"x, \\\"y\\\": {[\"\n        }\n    ],\n    \"C\": {},\n    \"D\": []\n}"
        );
    }
}

#[derive(clap::Args)]
pub struct EventsArgs {
    /// Show events created since this timestamp (Unix seconds, or a duration like 10m).
    #[arg(long)]
    since: Option<String>,
    /// Stream events until this timestamp (then end).
    #[arg(long)]
    until: Option<String>,
    /// Filter output based on conditions provided (key=value).
    #[arg(short, long)]
    filter: Vec<String>,
}

pub async fn events(docker: &Docker, a: EventsArgs) -> Outcome {
    let mut events = docker.events();
    if let Some(s) = a.since {
        events = events.since(s);
    }
    if let Some(u) = a.until {
        events = events.until(u);
    }
    for f in &a.filter {
        let Some((k, v)) = f.split_once('=') else {
            return Err(Failure::Other(format!("invalid filter '{f}'")));
        };
        events = events.filter(k, v);
    }
    let mut events = events.stream();
    let interrupted = tokio::signal::ctrl_c();
    tokio::pin!(interrupted);
    loop {
        tokio::select! {
            event = events.next() => {
                let Some(event) = event else { return Ok(()) };
                let v = serde_json::to_value(event?).unwrap_or_default();
                // A reader that went away (`dock events | head`) ends it quietly.
                let mut out = std::io::stdout().lock();
                if writeln!(out, "{}", event_line(&v)).and_then(|()| out.flush()).is_err() {
                    return Ok(());
                }
            }
            _ = &mut interrupted => return Err(Failure::Exit(130)),
        }
    }
}

/// `2026-11-29T22:00:00.123456789Z container start 3f2a... (image=busybox, name=web)`.
fn event_line(v: &Value) -> String {
    let nanos = v
        .get("timeNano")
        .and_then(Value::as_i64)
        .map(i128::from)
        .unwrap_or_else(|| {
            i128::from(v.get("time").and_then(Value::as_i64).unwrap_or_default()) * 1_000_000_000
        });
    let text = |p: &str| v.pointer(p).and_then(Value::as_str).unwrap_or_default();
    let mut line = format!(
        "{} {} {} {}",
        fmt::rfc3339_nano(nanos),
        text("/Type"),
        text("/Action"),
        text("/Actor/ID")
    );
    if let Some(attrs) = v.pointer("/Actor/Attributes").and_then(Value::as_object) {
        let mut pairs: Vec<String> = attrs
            .iter()
            .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
            .collect();
        pairs.sort();
        if !pairs.is_empty() {
            line.push_str(&format!(" ({})", pairs.join(", ")));
        }
    }
    line
}

/// `key:` padded so that values start where the docker CLI's do (the 21st column).
fn field(indent: &str, key: &str, value: impl std::fmt::Display) -> String {
    let pad = 19usize.saturating_sub(indent.len() + key.len()).max(1);
    format!("{indent}{key}:{}{value}\n", " ".repeat(pad))
}

pub async fn version(docker: &Docker, context: Option<&str>) -> Outcome {
    let api = docker.api_version().await?;
    let mut out = String::from("Client:\n");
    out += &field(
        " ",
        "Version",
        format!("dock {}", env!("CARGO_PKG_VERSION")),
    );
    out += &field(" ", "API version", api);
    out += &field(
        " ",
        "OS/Arch",
        format!(
            "{}/{}",
            std::env::consts::OS,
            go_arch(std::env::consts::ARCH)
        ),
    );
    let context = context
        .map(str::to_string)
        .or_else(|| std::env::var("DOCKER_CONTEXT").ok())
        .unwrap_or_else(|| "default".into());
    out += &field(" ", "Context", context);
    print!("{out}");
    let v = serde_json::to_value(docker.version().await?).unwrap_or_default();
    print!("\n{}", server_version(&v));
    Ok(())
}

fn go_arch(arch: &str) -> &str {
    match arch {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    }
}

/// The Server section of `docker version` (the docker CLI 20.10's template).
fn server_version(v: &Value) -> String {
    let text = |v: &Value, p: &str| -> String {
        match v.pointer(p) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Bool(b)) => b.to_string(),
            Some(Value::Number(n)) => n.to_string(),
            _ => String::new(),
        }
    };
    let mut out = String::from("Server:");
    let platform = text(v, "/Platform/Name");
    if !platform.is_empty() {
        out += &format!(" {platform}");
    }
    out.push('\n');
    let mut components: Vec<Value> = v
        .get("Components")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    // Like the docker CLI: a daemon that lists no "Engine" component (Podman) gets one made
    // of the answer's top-level fields, last.
    if !components
        .iter()
        .any(|c| c.get("Name") == Some(&Value::from("Engine")))
    {
        let experimental = v
            .get("Experimental")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        components.push(serde_json::json!({
            "Name": "Engine",
            "Version": text(v, "/Version"),
            "Details": {
                "ApiVersion": text(v, "/ApiVersion"),
                "MinAPIVersion": text(v, "/MinAPIVersion"),
                "GitCommit": text(v, "/GitCommit"),
                "GoVersion": text(v, "/GoVersion"),
                "Os": text(v, "/Os"),
                "Arch": text(v, "/Arch"),
                "BuildTime": text(v, "/BuildTime"),
                "KernelVersion": text(v, "/KernelVersion"),
                "Experimental": experimental.to_string(),
            }
        }));
    }
    for c in &components {
        let name = text(c, "/Name");
        out += &format!(" {name}:\n");
        if name == "Engine" {
            let built = text(c, "/Details/BuildTime");
            let built = fmt::parse_rfc3339(&built).map(fmt::ansic).unwrap_or(built);
            out += &field("  ", "Version", text(c, "/Version"));
            out += &field(
                "  ",
                "API version",
                format!(
                    "{} (minimum version {})",
                    text(c, "/Details/ApiVersion"),
                    text(c, "/Details/MinAPIVersion")
                ),
            );
            out += &field("  ", "Go version", text(c, "/Details/GoVersion"));
            out += &field("  ", "Git commit", text(c, "/Details/GitCommit"));
            out += &field("  ", "Built", built);
            out += &field(
                "  ",
                "OS/Arch",
                format!("{}/{}", text(c, "/Details/Os"), text(c, "/Details/Arch")),
            );
            out += &field("  ", "Experimental", text(c, "/Details/Experimental"));
        } else {
            out += &field("  ", "Version", text(c, "/Version"));
            let mut keys: Vec<&String> = c
                .get("Details")
                .and_then(Value::as_object)
                .map(|d| d.keys().collect())
                .unwrap_or_default();
            keys.sort();
            for k in keys {
                out += &field("  ", k, text(c, &format!("/Details/{k}")));
            }
        }
    }
    out
}

pub async fn info(docker: &Docker) -> Outcome {
    let v = serde_json::to_value(docker.info().await?).unwrap_or_default();
    let (out, warnings) = server_info(&v);
    print!("{out}");
    for w in warnings {
        eprintln!("{w}");
    }
    Ok(())
}

/// The Server section of `docker info` from the daemon's answer, as the docker CLI 20.10
/// prints it (the lines, their order, the rules for leaving one out), and the warnings it
/// prints to stderr. `dock::output::info_matches_the_docker_cli` compares it with the CLI's
/// on every engine. Where the CLI prints a Go map in its random
/// order (runtimes, insecure registries by name), dock sorts. Left out: a swarm manager's
/// cluster details (the CLI prints the cluster's settings after `Is Manager: true`), the
/// `Username:` the CLI reads from its own config file, and a component's `(expected: ...)`
/// version, which the typed answer does not carry.
fn server_info(v: &Value) -> (String, Vec<String>) {
    let text = |p: &str| match v.pointer(p) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    };
    let list = |p: &str| -> Vec<String> {
        match v.pointer(p) {
            Some(Value::Array(items)) => items
                .iter()
                .map(|i| {
                    i.as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| i.to_string())
                })
                .collect(),
            _ => Vec::new(),
        }
    };
    let mut out = String::from("Server:\n");
    let mut warnings = Vec::new();
    let mut line = |s: String| {
        out.push_str(&s);
        out.push('\n');
    };
    // Lines `label value`, with one space as the CLI writes them: some always, some only
    // when their value is not empty.
    const ALWAYS: bool = true;
    const IF_SET: bool = false;
    let fields = |line: &mut dyn FnMut(String), rows: &[(&str, &str, bool)]| {
        for &(label, path, always) in rows {
            let value = text(path);
            if always || !value.is_empty() {
                line(format!("{label} {value}"));
            }
        }
    };
    fields(
        &mut line,
        &[
            (" Containers:", "/Containers", ALWAYS),
            ("  Running:", "/ContainersRunning", ALWAYS),
            ("  Paused:", "/ContainersPaused", ALWAYS),
            ("  Stopped:", "/ContainersStopped", ALWAYS),
            (" Images:", "/Images", ALWAYS),
            (" Server Version:", "/ServerVersion", IF_SET),
            (" Storage Driver:", "/Driver", IF_SET),
        ],
    );
    if let Some(Value::Array(pairs)) = v.pointer("/DriverStatus") {
        for pair in pairs {
            let at = |i: usize| pair.get(i).and_then(Value::as_str).unwrap_or_default();
            line(format!("  {}: {}", at(0), at(1)));
        }
    }
    fields(
        &mut line,
        &[
            (" Logging Driver:", "/LoggingDriver", IF_SET),
            (" Cgroup Driver:", "/CgroupDriver", IF_SET),
            (" Cgroup Version:", "/CgroupVersion", IF_SET),
        ],
    );
    line(" Plugins:".into());
    line(format!("  Volume: {}", list("/Plugins/Volume").join(" ")));
    line(format!("  Network: {}", list("/Plugins/Network").join(" ")));
    let authorization = list("/Plugins/Authorization");
    if !authorization.is_empty() {
        line(format!("  Authorization: {}", authorization.join(" ")));
    }
    line(format!("  Log: {}", list("/Plugins/Log").join(" ")));
    let swarm = text("/Swarm/LocalNodeState");
    line(format!(" Swarm: {swarm}"));
    if swarm != "inactive" && swarm != "locked" {
        fields(
            &mut line,
            &[
                ("  NodeID:", "/Swarm/NodeID", ALWAYS),
                ("  Error:", "/Swarm/Error", IF_SET),
                ("  Is Manager:", "/Swarm/ControlAvailable", ALWAYS),
                ("  Node Address:", "/Swarm/NodeAddr", ALWAYS),
            ],
        );
        let mut managers: Vec<String> = match v.pointer("/Swarm/RemoteManagers") {
            Some(Value::Array(m)) => m
                .iter()
                .filter_map(|m| m.get("Addr").and_then(Value::as_str).map(str::to_string))
                .collect(),
            _ => Vec::new(),
        };
        if !managers.is_empty() {
            managers.sort();
            line("  Manager Addresses:".into());
            for m in managers {
                line(format!("   {m}"));
            }
        }
    }
    if let Some(Value::Object(runtimes)) = v.pointer("/Runtimes")
        && !runtimes.is_empty()
    {
        let mut names: Vec<&String> = runtimes.keys().collect();
        names.sort();
        let names: Vec<&str> = names.into_iter().map(String::as_str).collect();
        line(format!(" Runtimes: {}", names.join(" ")));
        fields(
            &mut line,
            &[(" Default Runtime:", "/DefaultRuntime", ALWAYS)],
        );
    }
    let os_type = text("/OSType");
    if os_type == "linux" {
        fields(&mut line, &[(" Init Binary:", "/InitBinary", ALWAYS)]);
        for (name, path) in [
            ("containerd", "/ContainerdCommit/ID"),
            ("runc", "/RuncCommit/ID"),
            ("init", "/InitCommit/ID"),
        ] {
            line(format!(" {name} version: {}", text(path)));
        }
        let options = list("/SecurityOptions");
        if !options.is_empty() {
            match security_options(&options) {
                Ok(decoded) => {
                    line(" Security Options:".into());
                    for (name, profile) in decoded {
                        line(format!("  {name}"));
                        if let Some(profile) = profile {
                            line(format!("   Profile: {profile}"));
                        }
                    }
                }
                Err(e) => warnings.push(e),
            }
        }
    }
    if os_type == "windows" {
        fields(&mut line, &[(" Default Isolation:", "/Isolation", ALWAYS)]);
    }
    fields(
        &mut line,
        &[
            (" Kernel Version:", "/KernelVersion", IF_SET),
            (" Operating System:", "/OperatingSystem", IF_SET),
            (" OSType:", "/OSType", IF_SET),
            (" Architecture:", "/Architecture", IF_SET),
            (" CPUs:", "/NCPU", ALWAYS),
        ],
    );
    let memory = v
        .pointer("/MemTotal")
        .and_then(Value::as_f64)
        .unwrap_or(0.0);
    line(format!(" Total Memory: {}", fmt::bytes_size(memory)));
    fields(
        &mut line,
        &[
            (" Name:", "/Name", IF_SET),
            (" ID:", "/ID", IF_SET),
            (" Docker Root Dir:", "/DockerRootDir", ALWAYS),
            (" Debug Mode:", "/Debug", ALWAYS),
        ],
    );
    if v.pointer("/Debug") == Some(&Value::Bool(true)) {
        fields(
            &mut line,
            &[
                ("  File Descriptors:", "/NFd", ALWAYS),
                ("  Goroutines:", "/NGoroutines", ALWAYS),
                ("  System Time:", "/SystemTime", ALWAYS),
                ("  EventsListeners:", "/NEventsListener", ALWAYS),
            ],
        );
    }
    fields(
        &mut line,
        &[
            (" HTTP Proxy:", "/HttpProxy", IF_SET),
            (" HTTPS Proxy:", "/HttpsProxy", IF_SET),
            (" No Proxy:", "/NoProxy", IF_SET),
            (" Registry:", "/IndexServerAddress", IF_SET),
        ],
    );
    if let Some(Value::Array(labels)) = v.pointer("/Labels") {
        line(" Labels:".into());
        for l in labels {
            line(format!("  {}", l.as_str().unwrap_or_default()));
        }
    }
    fields(
        &mut line,
        &[(" Experimental:", "/ExperimentalBuild", ALWAYS)],
    );
    let cidrs = list("/RegistryConfig/InsecureRegistryCIDRs");
    let indexes = v
        .pointer("/RegistryConfig/IndexConfigs")
        .and_then(Value::as_object);
    if !cidrs.is_empty() || indexes.is_some_and(|i| !i.is_empty()) {
        line(" Insecure Registries:".into());
        let mut insecure: Vec<&str> = indexes
            .into_iter()
            .flat_map(|i| i.values())
            .filter(|c| c.get("Secure") != Some(&Value::Bool(true)))
            .filter_map(|c| c.get("Name").and_then(Value::as_str))
            .collect();
        insecure.sort();
        for name in insecure {
            line(format!("  {name}"));
        }
        for cidr in cidrs {
            line(format!("  {cidr}"));
        }
    }
    let mirrors = list("/RegistryConfig/Mirrors");
    if !mirrors.is_empty() {
        line(" Registry Mirrors:".into());
        for m in mirrors {
            line(format!("  {m}"));
        }
    }
    fields(
        &mut line,
        &[
            (" Live Restore Enabled:", "/LiveRestoreEnabled", ALWAYS),
            (" Product License:", "/ProductLicense", IF_SET),
        ],
    );
    if let Some(Value::Array(pools)) = v.pointer("/DefaultAddressPools")
        && !pools.is_empty()
    {
        line(" Default Address Pools:".into());
        for p in pools {
            let base = p.get("Base").and_then(Value::as_str).unwrap_or_default();
            let size = p.get("Size").and_then(Value::as_i64).unwrap_or_default();
            line(format!("   Base: {base}, Size: {size}"));
        }
    }
    line(String::new());
    warnings.extend(list("/Warnings"));
    (out, warnings)
}

/// The daemon's security options (`name=seccomp,profile=default`) as names with their
/// profile, as the docker CLI reads them: a part that is not `key=value` is an error, and
/// the section is left out.
fn security_options(options: &[String]) -> Result<Vec<(String, Option<String>)>, String> {
    let mut decoded = Vec::new();
    for option in options {
        let (mut name, mut profile) = (String::new(), None);
        for pair in option.split(',') {
            match pair.split_once('=') {
                Some((k, v)) if !k.is_empty() && !v.is_empty() => match k {
                    "name" => name = v.to_string(),
                    "profile" => profile = Some(v.to_string()),
                    _ => {}
                },
                _ => return Err(format!("invalid security option {pair:?}")),
            }
        }
        decoded.push((name, profile));
    }
    Ok(decoded)
}
