//! What dock prints, compared with the docker CLI's output on the same engine (see the
//! module docs of tests/dock/main.rs for the normalisation and the documented differences).

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use serde_json::Value;

use crate::common::{LABEL, Scope, docker, engine, is_podman, unique};
use crate::{TempDir, cli, dock, dock_bin, docker_cli, eventually, ok, run_with, stderr, stdout};

/// Every humanised duration replaced by `<T>` (see the module docs).
pub fn normalise_times(cell: &str) -> String {
    const UNITS: [&str; 14] = [
        "second", "seconds", "minute", "minutes", "hour", "hours", "day", "days", "week", "weeks",
        "month", "months", "year", "years",
    ];
    let words: Vec<&str> = cell.split(' ').collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let w = &words[i..];
        if w.len() >= 4 && w[..4] == ["Less", "than", "a", "second"] {
            out.push("<T>");
            i += 4;
        } else if w.len() >= 3
            && w[0] == "About"
            && matches!(w[1], "a" | "an")
            && matches!(w[2], "minute" | "hour")
        {
            out.push("<T>");
            i += 3;
        } else if w.len() >= 2 && w[0].parse::<u64>().is_ok() && UNITS.contains(&w[1]) {
            out.push("<T>");
            i += 2;
        } else {
            out.push(w[0]);
            i += 1;
        }
    }
    out.join(" ")
}

/// A table's cells, cut where its header's columns start (headers are separated by at
/// least two spaces; a header itself has at most single spaces).
pub fn cells(table: &str) -> Vec<Vec<String>> {
    let mut lines = table.lines();
    let header = lines.next().unwrap_or_default();
    let mut starts = vec![0];
    let chars: Vec<char> = header.chars().collect();
    for i in 2..chars.len() {
        if chars[i] != ' ' && chars[i - 1] == ' ' && chars[i - 2] == ' ' {
            starts.push(i);
        }
    }
    std::iter::once(header)
        .chain(lines)
        .map(|line| {
            let chars: Vec<char> = line.chars().collect();
            starts
                .iter()
                .enumerate()
                .map(|(n, &s)| {
                    let end = starts.get(n + 1).copied().unwrap_or(chars.len());
                    let cut: String = chars
                        .get(s.min(chars.len())..end.min(chars.len()))
                        .unwrap_or_default()
                        .iter()
                        .collect();
                    cut.trim_end().to_string()
                })
                .collect()
        })
        .collect()
}

/// The tables are the same, column for column (see the module docs for the times).
pub fn assert_same_table(what: &str, ours: &str, theirs: &str) {
    let (a, b) = (cells(ours), cells(theirs));
    assert_eq!(
        a[0], b[0],
        "{what}: headers differ\ndock:\n{ours}\ndocker:\n{theirs}"
    );
    assert_eq!(
        a.len(),
        b.len(),
        "{what}: row counts differ\ndock:\n{ours}\ndocker:\n{theirs}"
    );
    if a == b {
        assert_eq!(
            ours, theirs,
            "{what}: same cells, different layout\ndock:\n{ours}\ndocker:\n{theirs}"
        );
        return;
    }
    for (ra, rb) in a.iter().zip(&b) {
        let na: Vec<String> = ra.iter().map(|c| normalise_times(c)).collect();
        let nb: Vec<String> = rb.iter().map(|c| normalise_times(c)).collect();
        assert_eq!(
            na, nb,
            "{what}: a row differs (beyond humanised times)\ndock:\n{ours}\ndocker:\n{theirs}"
        );
    }
}

#[tokio::test]
async fn ps_images_logs_inspect_version_match_the_docker_cli() {
    let scope = Scope::new();
    let e = engine();
    let d = docker();
    let running = d
        .containers()
        .create(&e.image)
        .name(unique("dock-ps"))
        .label(LABEL, scope.value())
        .cmd([
            "sh",
            "-c",
            "echo out-1; echo err-1 >&2; echo out-2; echo \"quotes \\\"here\\\"\"; sleep 600",
        ])
        .send()
        .await
        .unwrap();
    running.start().await.unwrap();
    let exited = d
        .containers()
        .create(&e.image)
        .name(unique("dock-ps"))
        .label(LABEL, scope.value())
        .cmd(["sh", "-c", "echo bye; exit 2"])
        .send()
        .await
        .unwrap();
    exited.start().await.unwrap();
    assert_eq!(exited.wait().await.unwrap(), 2);
    // Created, never started; its published port shows in PORTS once it runs, so this one
    // runs too. Its ports are what the CLI's PORTS column merges into runs and what it
    // does not: two exposed ports, a range of tcp ports and a udp port published on their
    // own numbers on loopback (from a place this process picks, below the kernel's
    // ephemeral ports), and a port the daemon publishes on a number it picks.
    let base = 24_000 + (std::process::id() % 1_000) * 4;
    let range = format!("{base}-{}", base + 2);
    let udp = (base + 3).to_string();
    let created = d
        .containers()
        .create(&e.image)
        .name(unique("dock-ps"))
        .label(LABEL, scope.value())
        .send()
        .await
        .unwrap();
    let published = d
        .containers()
        .create(&e.image)
        .name(unique("dock-ps"))
        .label(LABEL, scope.value())
        .cmd(["sleep", "600"])
        .publish("80", "127.0.0.1", "")
        .publish(&range, "127.0.0.1", &range)
        .publish(&format!("{udp}/udp"), "127.0.0.1", &udp)
        .expose("6000")
        .expose("6001")
        .send()
        .await
        .unwrap();
    published.start().await.unwrap();
    eventually(
        "the running container's output",
        Duration::from_secs(20),
        async || {
            let (out, _) = running
                .logs()
                .stdout(true)
                .stderr(true)
                .stream()
                .collect_output()
                .await
                .unwrap();
            String::from_utf8_lossy(&out).contains("quotes")
        },
    )
    .await;

    // ps: all of this test's containers, then only the running one, then with the sizes
    // the daemon counts on request (`--size`).
    let filter = format!("label={LABEL}={}", scope.value());
    for args in [
        vec!["ps", "-a", "--filter", &filter],
        vec!["ps", "--filter", &filter],
        vec!["ps", "-a", "--size", "--filter", &filter],
    ] {
        let ours = stdout(&ok("dock ps", dock(&args)));
        let theirs = stdout(&ok("docker ps", cli(&args)));
        assert_same_table(&format!("{args:?}"), &ours, &theirs);
        let rows = if args.contains(&"-a") { 5 } else { 3 };
        assert!(ours.contains("127.0.0.1:"), "the published port:\n{ours}");
        if crate::common::is_podman() {
            // Podman 4.3 lists a published range by its first port, and no port that is
            // only exposed (README.md, "Known differences on Podman").
            let first = format!("127.0.0.1:{base}->{base}/tcp");
            assert!(ours.contains(&first), "the range's first port:\n{ours}");
            assert!(!ours.contains("6000"), "no exposed port:\n{ours}");
        } else {
            let run = format!("127.0.0.1:{range}->{range}/tcp");
            assert!(ours.contains(&run), "the tcp ports as one run:\n{ours}");
            assert!(ours.contains("6000-6001/tcp"), "the exposed ports:\n{ours}");
        }
        let udp = format!("{udp}/udp");
        assert!(ours.contains(&udp), "the udp port:\n{ours}");
        assert_eq!(ours.lines().count(), rows, "{args:?}:\n{ours}");
        if args.contains(&"--size") {
            assert!(ours.contains(" (virtual "), "the sizes:\n{ours}");
        }
    }
    let quiet = stdout(&ok("dock ps -q", dock(&["ps", "-aq", "--filter", &filter])));
    let theirs = stdout(&ok(
        "docker ps -q",
        cli(&["ps", "-aq", "--filter", &filter]),
    ));
    assert_eq!(quiet, theirs);
    assert!(quiet.contains(&running.id()[..12]), "{quiet}");

    // images: two tags of the fixture under a name of this test.
    let repo = unique("dock-img");
    for tag in ["a", "b"] {
        d.images()
            .tag(&e.image, format!("{repo}:{tag}"))
            .await
            .unwrap();
        scope.image(format!("{repo}:{tag}"));
    }
    let reference = format!("reference={repo}");
    // The docker CLI lists the rows of an image with several repositories in Go's map
    // order, which is random: both tables are compared with their rows sorted.
    let sorted = |o: Output| {
        let text = stdout(&o);
        let mut lines: Vec<&str> = text.lines().collect();
        lines[1..].sort();
        lines.iter().map(|l| format!("{l}\n")).collect::<String>()
    };
    let ours = sorted(ok("dock images", dock(&["images", "--filter", &reference])));
    let theirs = sorted(ok(
        "docker images",
        cli(&["images", "--filter", &reference]),
    ));
    assert_same_table("images", &ours, &theirs);
    // A row per tag. Podman's reference filter keeps whole images, so the fixture's own
    // tag is listed too (by both CLIs).
    assert_eq!(ours.matches(&repo).count(), 2, "a row per tag:\n{ours}");
    let rows = if is_podman() { 4 } else { 3 };
    assert_eq!(ours.lines().count(), rows, "{ours}");
    assert!(ours.contains(&repo), "{ours}");
    let ours = stdout(&ok(
        "dock images -q",
        dock(&["images", "-q", "--filter", &reference]),
    ));
    let theirs = stdout(&ok(
        "docker images -q",
        cli(&["images", "-q", "--filter", &reference]),
    ));
    assert_eq!(ours, theirs);

    // logs: stdout and stderr each, also the last line only and with timestamps.
    for extra in [vec![], vec!["--tail", "1"], vec!["-t"]] {
        let mut args = vec!["logs"];
        args.extend(extra.iter().copied());
        args.push(running.id());
        let ours = ok("dock logs", dock(&args));
        let theirs = ok("docker logs", cli(&args));
        assert_eq!(stdout(&ours), stdout(&theirs), "{args:?} stdout");
        assert_eq!(stderr(&ours), stderr(&theirs), "{args:?} stderr");
        assert!(
            !stdout(&ours).is_empty() || !stderr(&ours).is_empty(),
            "{args:?} printed nothing"
        );
    }
    assert_eq!(
        stdout(&dock(&["logs", running.id()])),
        "out-1\nout-2\nquotes \"here\"\n"
    );
    assert_eq!(stderr(&dock(&["logs", running.id()])), "err-1\n");

    // inspect: a container, an exited one and an image, in one array.
    // dock prints the daemon's answers as sent (`Model::answer`), indented as the CLI
    // indents them: byte for byte the CLI's when both speak its API version (20.10's CLI
    // speaks at most 1.41, so dock is pinned to it with DOCKER_API_VERSION).
    let args = ["inspect", running.id(), exited.id(), created.id(), &e.image];
    let theirs = stdout(&ok("docker inspect", cli(&args)));
    let pinned = [("DOCKER_API_VERSION", "1.41")];
    let limit = Duration::from_secs(120);
    let ours = stdout(&ok(
        "dock inspect",
        run_with(&dock_bin(), &args, &pinned, None, limit),
    ));
    assert_eq!(ours, theirs);
    // Unpinned, dock speaks the engine's own version: the same objects, whatever fields
    // that version has.
    let ours = stdout(&ok("dock inspect", dock(&args)));
    assert!(ours.starts_with("[\n    {\n"), "four-space indent:\n{ours}");
    let ids = |text: &str| -> Vec<Value> {
        let v: Value = serde_json::from_str(text).unwrap();
        v.as_array()
            .unwrap()
            .iter()
            .map(|o| o["Id"].clone())
            .collect()
    };
    assert_eq!(ids(&ours), ids(&theirs));
    let missing = dock(&["inspect", "dei-no-such-object"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        stderr(&missing).contains("No such object: dei-no-such-object"),
        "{}",
        stderr(&missing)
    );

    // version: the Server section, byte for byte.
    let server = |o: &Output| {
        let text = stdout(o);
        let at = text
            .find("\nServer:")
            .unwrap_or_else(|| panic!("no Server section:\n{text}"));
        text[at..].to_string()
    };
    let ours = ok("dock version", dock(&["version"]));
    let theirs = ok("docker version", cli(&["version"]));
    assert_eq!(server(&ours), server(&theirs));
    assert!(
        stdout(&ours).contains(&format!(
            " API version:       {}\n",
            e.api.to_string().trim_start_matches('v')
        )),
        "dock negotiated the engine's version:\n{}",
        stdout(&ours)
    );
}

/// `docker info`'s Server section with what changes from one call to the next, or comes in
/// a Go map's random order, made comparable: the counts of containers and images (the
/// suite's other tests make and remove them meanwhile) become `<N>`; the runtimes on their
/// line, and the registries named under `Insecure Registries:`, are sorted; on Podman, the
/// `ID` (a new one each call) becomes `<ID>`, and the storage driver's status lines (in no
/// fixed order) are sorted.
fn comparable_info(text: &str) -> String {
    let at = text
        .find("Server:\n")
        .unwrap_or_else(|| panic!("no Server section:\n{text}"));
    let mut out: Vec<String> = Vec::new();
    // The lines of a block whose order is random, sorted when it ends.
    let mut block: Vec<String> = Vec::new();
    let mut in_block = false;
    for line in text[at..].lines() {
        if in_block {
            if line.starts_with("  ") && !line.starts_with("   ") {
                block.push(line.to_string());
                continue;
            }
            block.sort();
            out.append(&mut block);
        }
        let counted = [
            " Containers:",
            "  Running:",
            "  Paused:",
            "  Stopped:",
            " Images:",
        ];
        let line = if let Some(label) = counted.iter().find(|l| line.starts_with(**l)) {
            let n = &line[label.len()..];
            assert!(n.trim().parse::<u64>().is_ok(), "a count: {line:?}");
            format!("{label} <N>")
        } else if let Some(names) = line.strip_prefix(" Runtimes:") {
            let mut names: Vec<&str> = names.split_whitespace().collect();
            names.sort();
            format!(" Runtimes: {}", names.join(" "))
        } else if is_podman() && line.starts_with(" ID: ") {
            " ID: <ID>".to_string()
        } else {
            line.to_string()
        };
        in_block = line == " Insecure Registries:"
            || (is_podman() && line.starts_with(" Storage Driver:"));
        out.push(line);
    }
    block.sort();
    out.append(&mut block);
    out.join("\n")
}

/// dock's `info` prints the docker CLI's Server section, line for line, on every engine:
/// at the CLI's own API version (1.41, `DOCKER_API_VERSION`) and at the engine's, which
/// dock speaks unpinned. Podman answers `info` with a new `ID` each time, and its storage
/// driver's status in no fixed order; Docker with the same ones.
#[tokio::test]
async fn info_matches_the_docker_cli() {
    let theirs = comparable_info(&stdout(&ok("docker info", cli(&["info"]))));
    for pin in [None, Some("1.41")] {
        let env: Vec<(&str, &str)> = pin.map(|v| ("DOCKER_API_VERSION", v)).into_iter().collect();
        let ours = run_with(&dock_bin(), &["info"], &env, None, Duration::from_secs(30));
        let ours = comparable_info(&stdout(&ok("dock info", ours)));
        assert_eq!(ours, theirs, "dock info at {pin:?}");
    }
    for label in [" Insecure Registries:", " Runtimes: ", " Security Options:"] {
        assert!(theirs.contains(label), "{label} is compared:\n{theirs}");
    }
    let id = |o: Output| {
        stdout(&o)
            .lines()
            .find_map(|l| l.strip_prefix(" ID: ").map(str::to_string))
            .unwrap()
    };
    let (a, b) = (id(dock(&["info"])), id(dock(&["info"])));
    assert_eq!(a == b, !is_podman(), "{a} {b}");
}

#[tokio::test]
async fn events_follow_as_the_docker_cli_prints_them() {
    let scope = Scope::new();
    let e = engine();
    let name = unique("dock-events");
    let dir = TempDir::new("dock-events");
    // Both follow the events of a container of this name, in UTC, writing to files.
    let filter = format!("container={name}");
    let follow = |program: &Path, file: &str| {
        let out = std::fs::File::create(dir.0.join(file)).unwrap();
        Command::new(program)
            .args(["events", "--filter", &filter])
            .env("DOCKER_HOST", &e.host)
            .env("TZ", "UTC")
            .env_remove("DOCKER_CONTEXT")
            .env_remove("DOCKER_TLS_VERIFY")
            .env_remove("DOCKER_CERT_PATH")
            .env_remove("DOCKER_API_VERSION")
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let mut ours = follow(&dock_bin(), "dock");
    let mut theirs = follow(Path::new(&docker_cli()), "docker");
    struct Kill<'a>(&'a mut std::process::Child);
    impl Drop for Kill<'_> {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let (ours_guard, theirs_guard) = (Kill(&mut ours), Kill(&mut theirs));
    // Time for both to subscribe.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let c = docker()
        .containers()
        .create(&e.image)
        .name(&name)
        .label(LABEL, scope.value())
        .cmd(["true"])
        .send()
        .await
        .unwrap();
    c.start().await.unwrap();
    c.wait().await.unwrap();
    c.remove().force(true).send().await.unwrap();
    let read = |file: &str| std::fs::read_to_string(dir.0.join(file)).unwrap_or_default();
    let removed = if is_podman() {
        " container remove "
    } else {
        " container destroy "
    };
    eventually(
        "both printed the removal",
        Duration::from_secs(20),
        async || read("dock").contains(removed) && read("docker").contains(removed),
    )
    .await;
    // Still following: neither ended by itself.
    assert!(
        ours_guard.0.try_wait().unwrap().is_none(),
        "dock events ended"
    );
    assert!(
        theirs_guard.0.try_wait().unwrap().is_none(),
        "docker events ended"
    );
    drop((ours_guard, theirs_guard));
    let (a, b) = (read("dock"), read("docker"));
    assert_eq!(a, b, "events, line for line");
    for action in ["create", "start", "die"] {
        assert!(
            a.contains(&format!(" container {action} {} (", c.id())),
            "{action}:\n{a}"
        );
    }
    assert!(a.contains(&format!("name={name}")), "{a}");
}

#[tokio::test]
async fn connects_by_flag_context_and_tls_as_the_docker_cli_does() {
    let e = engine();
    let server = |o: &Output| {
        let text = stdout(o);
        text[text.find("\nServer:").unwrap_or(0)..].to_string()
    };
    let reference = server(&ok("dock version", dock(&["version"])));
    assert!(reference.contains("Server:"), "{reference}");
    let none = [("DOCKER_HOST", "")];
    let long = Duration::from_secs(60);
    // -H, with no DOCKER_HOST at all.
    let mut cmd = Command::new(dock_bin());
    cmd.args(["-H", &e.host, "version"])
        .env_remove("DOCKER_HOST")
        .env_remove("DOCKER_CONTEXT")
        .stdin(Stdio::null());
    let by_flag = cmd.output().unwrap();
    assert_eq!(server(&ok("dock -H", by_flag)), reference);
    // --context: a context the docker CLI made, in a config directory of this test.
    let config = TempDir::new("dock-context");
    let context = unique("dock-ctx");
    let env = [("DOCKER_CONFIG", config.path())];
    ok(
        "docker context create",
        run_with(
            Path::new(&docker_cli()),
            &[
                "context",
                "create",
                &context,
                "--docker",
                &format!("host={}", e.host),
            ],
            &env,
            None,
            long,
        ),
    );
    let env = [("DOCKER_CONFIG", config.path()), none[0]];
    let by_context = run_with(
        &dock_bin(),
        &["--context", &context, "version"],
        &env,
        None,
        long,
    );
    let by_context = ok("dock --context", by_context);
    assert_eq!(server(&by_context), reference);
    assert!(
        stdout(&by_context)
            .lines()
            .any(|l| l.strip_prefix(" Context:").map(str::trim) == Some(context.as_str())),
        "{}",
        stdout(&by_context)
    );
    // TLS, from the environment, to the engine's TLS port.
    let tls = run_with(
        &dock_bin(),
        &["version"],
        &[
            ("DOCKER_HOST", &e.tls_host),
            ("DOCKER_TLS_VERIFY", "1"),
            ("DOCKER_CERT_PATH", &e.certs),
        ],
        None,
        long,
    );
    assert_eq!(server(&ok("dock over TLS", tls)), reference);
    // A client certificate of another CA: refused, exit 1, no Server section.
    let rogue = run_with(
        &dock_bin(),
        &["version"],
        &[
            ("DOCKER_HOST", &e.tls_host),
            ("DOCKER_TLS_VERIFY", "1"),
            ("DOCKER_CERT_PATH", &e.rogue_certs),
        ],
        None,
        long,
    );
    assert_eq!(rogue.status.code(), Some(1), "{}", stderr(&rogue));
    assert!(!stdout(&rogue).contains("Server:"), "{}", stdout(&rogue));
    assert!(stderr(&rogue).contains("TLS"), "{}", stderr(&rogue));
    // info: the engine's version, as `version` reports it.
    let info = stdout(&ok("dock info", dock(&["info"])));
    let version = reference
        .lines()
        .find_map(|l| l.trim().strip_prefix("Version:"))
        .unwrap()
        .trim();
    assert!(
        info.contains(&format!(" Server Version: {version}\n")),
        "{info}"
    );
}
