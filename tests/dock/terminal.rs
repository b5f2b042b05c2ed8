//! dock in a real terminal (tmux): what the screen shows, and what the keys do.

use std::time::{Duration, Instant};

use crate::common::tmux::{Tmux, tmux};
use crate::common::{LABEL, Scope, docker, engine, is_podman, unique};
use crate::output::cells;
use crate::{TempDir, cli, dock, dock_bin, ok, run_with, scopeguard_container, stderr, stdout};

/// `DOCKER_HOST=... <dock>`, for a shell line in tmux.
fn dock_line(extra_env: &str) -> String {
    format!(
        "env -u DOCKER_CONTEXT -u DOCKER_TLS_VERIFY -u DOCKER_CERT_PATH DOCKER_HOST={} {extra_env} {}",
        engine().host,
        dock_bin().display()
    )
}

#[tokio::test]
async fn pull_draws_a_line_per_layer_in_a_terminal() {
    let scope = Scope::new();
    let e = engine();
    let reference = format!("{}/{}:1", e.registry, unique("dock-pull"));
    scope.image(reference.clone());

    // An image of four layers (the fixture's and three of 40 MB of random bytes each, which
    // do not compress), built and pushed by dock, then removed here.
    let context = TempDir::new("dock-ctx");
    std::fs::write(
        context.0.join("Dockerfile"),
        format!(
            "FROM {}\nRUN head -c 40000000 /dev/urandom > /one\nRUN head -c 40000000 /dev/urandom > /two\nRUN head -c 40000000 /dev/urandom > /three\n",
            e.image
        ),
    )
    .unwrap();
    let config = TempDir::new("dock-config");
    let env = [("DOCKER_CONFIG", config.path())];
    let long = Duration::from_secs(300);
    let built = ok(
        "dock build",
        run_with(
            &dock_bin(),
            &["build", "-t", &reference, context.path()],
            &env,
            None,
            long,
        ),
    );
    assert!(
        stdout(&built).contains(&format!("Successfully tagged {reference}")),
        "{}",
        stdout(&built)
    );
    let login = run_with(
        &dock_bin(),
        &[
            "login",
            "-u",
            &e.registry_user,
            "--password-stdin",
            &e.registry,
        ],
        &env,
        Some(&format!("{}\n", e.registry_password)),
        long,
    );
    if is_podman() {
        // Podman checks a login over HTTPS to every registry but localhost (README, "Known
        // differences on Podman"): dock reports the daemon's refusal, and the credentials
        // are written as the docker CLI keeps them.
        assert_eq!(login.status.code(), Some(1), "{}", stdout(&login));
        assert!(
            stderr(&login).starts_with("Error response from daemon: ")
                && stderr(&login).contains("server gave HTTP response to HTTPS client"),
            "{}",
            stderr(&login)
        );
        use base64::Engine;
        let auth = base64::engine::general_purpose::STANDARD
            .encode(format!("{}:{}", e.registry_user, e.registry_password));
        std::fs::write(
            config.0.join("config.json"),
            serde_json::json!({ "auths": { &e.registry: { "auth": auth } } }).to_string(),
        )
        .unwrap();
    } else {
        let login = ok("dock login", login);
        assert!(
            stdout(&login).contains("Login Succeeded"),
            "{}",
            stdout(&login)
        );
        let saved = std::fs::read_to_string(config.0.join("config.json")).unwrap();
        assert!(
            saved.contains(&e.registry),
            "kept as the docker CLI keeps it: {saved}"
        );
    }
    let pushed = ok(
        "dock push",
        run_with(&dock_bin(), &["push", &reference], &env, None, long),
    );
    assert!(
        stdout(&pushed).contains("digest: sha256:"),
        "{}",
        stdout(&pushed)
    );
    // Off a terminal, a line per layer and status, as the docker CLI prints them: each of
    // the four layers ends `Pushed` (or, one the registry holds already, `Layer already
    // exists` or `Mounted from ...`). Podman's push lines name no layer.
    if !is_podman() {
        let text = stdout(&pushed);
        let done: std::collections::BTreeSet<&str> = text
            .lines()
            .filter_map(|l| l.split_once(": "))
            .filter(|(id, status)| {
                id.len() == 12
                    && id.bytes().all(|b| b.is_ascii_hexdigit())
                    && (*status == "Pushed"
                        || *status == "Layer already exists"
                        || status.starts_with("Mounted from "))
            })
            .map(|(id, _)| id)
            .collect();
        assert_eq!(done.len(), 4, "{text}");
        assert!(text.contains(": Pushed\n"), "{text}");
    }
    let removed = ok(
        "dock rmi",
        run_with(&dock_bin(), &["rmi", &reference], &env, None, long),
    );
    assert!(
        stdout(&removed).contains(&format!("Untagged: {reference}")),
        "{}",
        stdout(&removed)
    );

    // The pull, in a terminal; everything written to it is also logged, to see the bars
    // that were drawn between two looks at the screen.
    let log = context.0.join("pane.log");
    let go = context.0.join("go");
    let script = format!(
        "while [ ! -e {go} ]; do sleep 0.05; done; {dock} pull {reference}; echo EXIT=$?; sleep 600",
        go = go.display(),
        dock = dock_line(&format!("DOCKER_CONFIG={}", config.path())),
    );
    let term = Tmux::new(150, 40, &script);
    tmux(&[
        "pipe-pane",
        "-o",
        "-t",
        &term.session,
        &format!("cat >> {}", log.display()),
    ]);
    std::fs::write(&go, "").unwrap();
    // Looks at the screen until the pull ends, keeping a look taken while a bar was drawn
    // (printed with --nocapture: README.md shows one; the log below is what is asserted).
    let start = Instant::now();
    let mut midway = None;
    let screen = loop {
        let s = term.screen();
        if s.contains("EXIT=") {
            break s;
        }
        if midway.is_none() && s.contains("ing [") {
            midway = Some(s.clone());
        }
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "the pull did not end in 120 s:\n{s}"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    println!(
        "dock pull, on {}, midway:\n{}\nat the end:\n{screen}",
        e.name,
        midway.unwrap_or_default()
    );
    assert!(screen.contains("EXIT=0"), "the pull failed:\n{screen}");
    assert!(
        screen.contains(&format!("\n{reference}\n")),
        "the reference, last:\n{screen}"
    );
    let drawn = String::from_utf8_lossy(&std::fs::read(&log).unwrap()).into_owned();
    if is_podman() {
        // Podman: one line per layer, "Pulling fs layer" then "Download complete".
        let complete = screen
            .lines()
            .filter(|l| l.ends_with(": Download complete"))
            .count();
        assert!(complete >= 3, "a finished line per new layer:\n{screen}");
        assert!(drawn.contains(": Pulling fs layer"), "{drawn}");
    } else {
        let complete: Vec<&str> = screen
            .lines()
            .filter(|l| l.ends_with(": Pull complete"))
            .collect();
        assert_eq!(
            complete.len(),
            3,
            "a finished line per new layer:\n{screen}"
        );
        assert!(
            screen.contains(": Already exists"),
            "the fixture's layer:\n{screen}"
        );
        let tag_line = format!(
            "1: Pulling from {}",
            reference[e.registry.len() + 1..].trim_end_matches(":1")
        );
        assert!(screen.contains(&tag_line), "{tag_line:?}:\n{screen}");
        let digest = screen.find("Digest: sha256:").expect("the digest line");
        let status = screen
            .find(&format!("Status: Downloaded newer image for {reference}"))
            .expect("the status line");
        let last_layer = screen.rfind(": Pull complete").unwrap();
        assert!(
            last_layer < digest && digest < status,
            "in order:\n{screen}"
        );
        // The bars were drawn while the layers came in: a download bar with its byte
        // counts (of the 40 MB layers), and an extraction bar.
        assert!(
            drawn.contains(": Downloading [") && drawn.contains("MB/40MB"),
            "no download bar was drawn:\n{drawn}"
        );
        assert!(
            drawn.contains(": Extracting ["),
            "no extraction bar was drawn:\n{drawn}"
        );
        // A bar drawn at two positions or more in one phase: it advanced on screen.
        let mut positions: std::collections::BTreeMap<
            (&str, &str),
            std::collections::BTreeSet<&str>,
        > = Default::default();
        for phase in ["Downloading", "Extracting"] {
            let marker = format!(": {phase} [");
            for (n, piece) in drawn.split(&marker).enumerate().skip(1) {
                let before = drawn.split(&marker).nth(n - 1).unwrap_or_default();
                let layer = before
                    .get(before.len().saturating_sub(12)..)
                    .unwrap_or_default();
                if let Some(at) = piece.split(']').nth(1).and_then(|s| s.split('/').next()) {
                    positions
                        .entry((layer, phase))
                        .or_default()
                        .insert(at.trim());
                }
            }
        }
        println!("positions drawn: {positions:?}");
        let advanced: std::collections::BTreeSet<&str> = positions
            .iter()
            .filter(|(_, at)| at.len() >= 2)
            .map(|((layer, _), _)| *layer)
            .collect();
        assert_eq!(
            advanced.len(),
            3,
            "each new layer's bar advanced on screen (positions drawn: {positions:?})"
        );
    }
}

#[tokio::test]
async fn stats_refreshes_its_table() {
    let scope = Scope::new();
    let e = engine();
    let name = unique("dock-stats");
    let c = docker()
        .containers()
        .create(&e.image)
        .name(&name)
        .label(LABEL, scope.value())
        // Memory that grows (a file on the tmpfs /dev/shm) and a little CPU.
        .cmd([
            "sh",
            "-c",
            "while :; do head -c 200000 /dev/urandom >> /dev/shm/grow; sleep 0.2; done",
        ])
        .send()
        .await
        .unwrap();
    c.start().await.unwrap();

    let term = Tmux::new(
        160,
        20,
        &format!("{} stats {name}; sleep 600", dock_line("")),
    );
    let header = "CONTAINER ID   NAME";
    let row = |screen: &str| -> String {
        screen
            .lines()
            .find(|l| l.contains(&name))
            .unwrap_or_default()
            .to_string()
    };
    term.wait_for(&name, Duration::from_secs(30));
    let first = term.screen();
    assert!(first.starts_with(header), "the header on top:\n{first}");
    let first_row = row(&first);
    let start = Instant::now();
    let second = loop {
        std::thread::sleep(Duration::from_millis(300));
        let s = term.screen();
        if row(&s) != first_row && !row(&s).is_empty() {
            break s;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the table did not change in 20 s:\n{s}"
        );
    };
    assert!(second.starts_with(header), "the header stays:\n{second}");
    println!("dock stats, on {}:\n{first}\n...\n{second}", e.name);
    for s in [&first, &second] {
        let r = row(s);
        assert!(r.starts_with(&c.id()[..12]), "id then name:\n{s}");
        assert!(
            r.contains('%') && r.contains("iB / "),
            "CPU % and MEM USAGE:\n{s}"
        );
    }
    // Exactly one table on screen, not one under the other.
    assert_eq!(second.matches("CONTAINER ID").count(), 1, "{second}");
    drop(term);

    // --no-stream: one table, the same columns as the docker CLI's.
    let ours = stdout(&ok(
        "dock stats --no-stream",
        dock(&["stats", "--no-stream", &name]),
    ));
    let theirs = stdout(&ok(
        "docker stats --no-stream",
        cli(&["stats", "--no-stream", &name]),
    ));
    assert_eq!(
        cells(&ours)[0],
        cells(&theirs)[0],
        "headers:\n{ours}\n{theirs}"
    );
    let (a, b) = (cells(&ours), cells(&theirs));
    assert_eq!(a[1][0], b[1][0], "id:\n{ours}\n{theirs}");
    assert_eq!(a[1][1], name, "{ours}");
    if is_podman() {
        // Podman's stats name has no leading '/', which the docker CLI cuts all the same:
        // it shows the name without its first letter; dock shows it whole.
        assert_eq!(b[1][1], name[1..], "{theirs}");
    } else {
        assert_eq!(b[1][1], name, "{theirs}");
    }
    assert_eq!(ours.lines().count(), 2, "{ours}");
}

#[tokio::test]
async fn run_it_gives_a_shell_that_follows_the_window() {
    let scope = Scope::new();
    let e = engine();
    let name = unique("dock-run-it");
    let dir = TempDir::new("dock-run-it");
    let script = format!(
        "stty -g > {d}/before; {dock} run --rm -it --name {name} {image} sh; echo EXIT=$?; \
         stty -g > {d}/after; cmp -s {d}/before {d}/after && echo TERMINAL-RESTORED; sleep 600",
        d = dir.path(),
        dock = dock_line(""),
        image = e.image,
    );
    let term = Tmux::new(120, 40, &script);
    // In case the test fails before `exit`: dock's `run` has no --label, so the container
    // is removed by name.
    let _cleanup = scopeguard_container(&name, &scope);
    // The shell's prompt first: what is typed before it is echoed by the local terminal.
    term.wait_for("/ #", Duration::from_secs(30));
    term.assert_stty_size(120, 40);
    term.resize(100, 30);
    term.assert_stty_size(100, 30);

    term.keys(&["exit 5", "Enter"]);
    let s = term.wait_for("TERMINAL-RESTORED", Duration::from_secs(30));
    assert!(s.contains("EXIT=5"), "the shell's exit code:\n{s}");
}

#[tokio::test]
async fn ctrl_c_ends_logs_follow_and_restores_the_terminal() {
    let scope = Scope::new();
    let e = engine();
    let c = docker()
        .containers()
        .create(&e.image)
        .name(unique("dock-logs-f"))
        .label(LABEL, scope.value())
        .cmd([
            "sh",
            "-c",
            "i=0; while :; do echo tick-$i; i=$((i+1)); sleep 0.2; done",
        ])
        .send()
        .await
        .unwrap();
    c.start().await.unwrap();
    let dir = TempDir::new("dock-logs-f");
    // An interactive shell, as a user has: its prompt must come back.
    let term = Tmux::new(120, 40, "env PS1='dock-prompt$ ' sh -i");
    term.wait_for("dock-prompt$", Duration::from_secs(10));
    term.keys(&[
        &format!(
            "stty -a > {d}/before; {dock} logs -f {id}; echo EXIT=$?; stty -a > {d}/after; \
             cmp -s {d}/before {d}/after && echo TERMINAL-$((1+1))-RESTORED",
            d = dir.path(),
            dock = dock_line(""),
            id = c.id()
        ),
        "Enter",
    ]);
    term.wait_for("tick-5", Duration::from_secs(30));
    let pressed = Instant::now();
    term.keys(&["C-c"]);
    let s = term.wait_for("TERMINAL-2-RESTORED", Duration::from_secs(10));
    let took = pressed.elapsed();
    assert!(
        took < Duration::from_secs(3),
        "Ctrl-C took {took:?} to end it:\n{s}"
    );
    assert!(s.contains("EXIT=130"), "ended by SIGINT's code:\n{s}");
    let after = &s[s.find("TERMINAL-2-RESTORED").unwrap()..];
    assert!(after.contains("dock-prompt$"), "the prompt came back:\n{s}");
    // Nothing follows any more: the ticks stop.
    std::thread::sleep(Duration::from_millis(600));
    let later = term.screen();
    let ticks = |s: &str| s.matches("tick-").count();
    assert_eq!(
        ticks(&later),
        ticks(&s),
        "output went on after Ctrl-C:\n{later}"
    );
}

#[tokio::test]
async fn build_shows_its_steps_under_a_progress_line() {
    let scope = Scope::new();
    let e = engine();
    let tag = format!("{}:1", unique("dock-build"));
    scope.image(tag.clone());
    let context = TempDir::new("dock-build");
    std::fs::create_dir_all(context.0.join("sub")).unwrap();
    // A Dockerfile elsewhere than at the top (-f), and a step slow enough to be seen.
    std::fs::write(
        context.0.join("sub/Build.file"),
        format!(
            "FROM {}\nRUN echo first-step-ran\nRUN sleep 3 && echo slow-step-ran\n",
            e.image
        ),
    )
    .unwrap();
    let script = format!(
        "{} build --no-cache -t {tag} -f sub/Build.file {}; echo EXIT=$?; sleep 600",
        dock_line(""),
        context.path()
    );
    let term = Tmux::new(150, 40, &script);
    // While the slow step runs: the steps so far, and under them the progress line with
    // the step and the time so far.
    let step = if is_podman() { "STEP 3/3" } else { "Step 3/3" };
    let midway = term.wait_for(&format!("] {step}"), Duration::from_secs(120));
    assert!(
        midway.contains("first-step-ran"),
        "the output so far:\n{midway}"
    );
    let progress = midway
        .lines()
        .rfind(|l| l.contains(&format!("] {step}")))
        .unwrap();
    assert!(
        progress.contains("[00:00:0"),
        "elapsed time on the progress line: {progress:?}"
    );
    let screen = term.wait_for("EXIT=", Duration::from_secs(120));
    assert!(screen.contains("EXIT=0"), "{screen}");
    assert!(screen.contains("slow-step-ran"), "{screen}");
    assert!(screen.contains("3 steps done"), "{screen}");
    // The progress line is gone at the end.
    assert!(!screen.contains("[00:00:"), "{screen}");
    // (Podman also names it in full first: `docker.io/library/<tag>`.)
    let tagged = format!("Successfully tagged {tag}\n");
    assert!(screen.contains(&tagged), "{tagged:?}:\n{screen}");
    println!(
        "dock build, on {}, midway:\n{midway}\nat the end:\n{screen}",
        e.name
    );
}
