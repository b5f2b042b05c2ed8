//! The `dock` example (examples/dock), used as a user would: its output compared with the
//! real docker CLI's on the same engine, and its terminal behaviour read off a tmux screen.
//!
//! The docker CLI is the project's: Debian's `/usr/bin/docker` (docker.io 20.10), named by
//! `DOCKER_ENGINE_TEST_DOCKER_CLI` in the env file `scripts/test-engines.sh up` writes. Both
//! talk to the engine under test through its socket (`DOCKER_HOST`), with no context, TLS or
//! API version from the environment. `dock` is the binary `cargo build --examples` leaves
//! next to this test's directory (`target/<profile>/examples/dock`).
//!
//! What is compared with the docker CLI: `ps` (`-a`, `--filter`, `-q`), `images`
//! (`--filter`, `-q`), `logs` (plain, `--tail`, `-t`), `inspect`, `version` (the Server
//! section), `events` (followed live, both in UTC) and the columns of `stats --no-stream`
//! that do not move (id, name).
//!
//! Normalisation, stated once:
//! - Times: the CREATED and STATUS columns are humanised from "now", which moves between
//!   the two calls; every humanised duration ("Less than a second", "About a minute",
//!   "5 seconds", ...) is replaced by `<T>` before the cells are compared. When no cell
//!   differs in anything but such a duration, the two outputs must be byte-identical
//!   (alignment included); otherwise the cells are compared column by column.
//!
//! Documented differences (what dock prints differently from the docker CLI, on purpose or
//! because the crate gives it something else):
//! - `version`: the Client section is dock's own (its version, the API version it
//!   negotiated, OS/Arch, context); only the Server section is compared, byte for byte.
//! - `info`: dock prints the Server section only; `info_matches_the_docker_cli` sorts what
//!   the CLI prints in a Go map's order and masks what changes between two calls.
//! - `inspect`: dock speaks the engine's API version, the docker CLI 20.10 at most 1.41, and
//!   a daemon answers each version with its own fields. Pinned to 1.41
//!   (`DOCKER_API_VERSION`), dock prints the CLI's bytes: the daemon's answers as sent,
//!   indented as the CLI indents them; unpinned, the test compares the objects' ids.
//! - `push` on Podman: its push lines name no layer (only the repository and the digest).
//! - Podman: its pull progress has no `Pulling from`, `Digest:` or `Status:` lines and no
//!   byte counts, only `<layer>: Pulling fs layer` and `<layer>: Download complete`;
//!   `pull_draws_a_line_per_layer_in_a_terminal` asserts that on Podman.
//!
//! `output` holds the comparisons with the docker CLI, `terminal` the tmux tests; the exit
//! codes are checked here.

#[path = "../engine/common/mod.rs"]
mod common;
mod output;
mod terminal;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{Scope, engine, unique};

/// `target/<profile>/examples/dock`, built by `cargo build --examples --features tls`.
pub fn dock_bin() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let bin = exe
        .parent()
        .and_then(Path::parent)
        .unwrap()
        .join("examples")
        .join("dock");
    assert!(
        bin.exists(),
        "{} is missing: build it with `cargo build --examples --features tls` \
         (scripts/test.sh does) before running tests/dock",
        bin.display()
    );
    bin
}

/// Debian's docker CLI (20.10), the one the engine scripts name.
pub fn docker_cli() -> String {
    let cli = std::env::var("DOCKER_ENGINE_TEST_DOCKER_CLI").unwrap_or_else(|_| {
        panic!("DOCKER_ENGINE_TEST_DOCKER_CLI is not set: run scripts/test-engines.sh up and source its env file")
    });
    let out = Command::new(&cli)
        .arg("--version")
        .output()
        .unwrap_or_else(|e| panic!("the docker CLI {cli} does not run: {e}"));
    let version = String::from_utf8_lossy(&out.stdout);
    assert!(
        version.contains("20.10"),
        "{cli} is not Debian's docker CLI 20.10: {version}"
    );
    cli
}

/// Runs `program args` against the engine under test, killed (and the test failed) after
/// `limit`.
pub fn run_with(
    program: &Path,
    args: &[&str],
    env: &[(&str, &str)],
    stdin: Option<&str>,
    limit: Duration,
) -> Output {
    let mut cmd = Command::new(program);
    cmd.args(args)
        .env("DOCKER_HOST", engine().host)
        .env_remove("DOCKER_CONTEXT")
        .env_remove("DOCKER_TLS_VERIFY")
        .env_remove("DOCKER_CERT_PATH")
        .env_remove("DOCKER_API_VERSION")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap_or_else(|e| panic!("{program:?}: {e}"));
    if let Some(text) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!(
                "{program:?} {args:?} did not end within {limit:?}; stdout:\n{}\nstderr:\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

pub fn dock(args: &[&str]) -> Output {
    run_with(&dock_bin(), args, &[], None, Duration::from_secs(120))
}

pub fn cli(args: &[&str]) -> Output {
    run_with(
        Path::new(&docker_cli()),
        args,
        &[],
        None,
        Duration::from_secs(120),
    )
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Succeeded, or the test fails with what it printed.
pub fn ok(what: &str, o: Output) -> Output {
    assert!(
        o.status.success(),
        "{what} failed ({:?}):\nstdout:\n{}\nstderr:\n{}",
        o.status,
        stdout(&o),
        stderr(&o)
    );
    o
}

/// Waits until `check` holds, for at most `limit`.
pub async fn eventually(what: &str, limit: Duration, mut check: impl AsyncFnMut() -> bool) {
    let start = Instant::now();
    while !check().await {
        assert!(start.elapsed() < limit, "{what}: not within {limit:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A directory of this test's own, removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    fn new(prefix: &str) -> TempDir {
        let dir = std::env::temp_dir().join(unique(prefix));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn path(&self) -> &str {
        self.0.to_str().unwrap()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Removes the container named `name` when dropped (a `run` the test started by name).
pub fn scopeguard_container(name: &str, _scope: &Scope) -> impl Drop {
    struct Guard(String);
    impl Drop for Guard {
        fn drop(&mut self) {
            let _ = run_with(
                &dock_bin(),
                &["rm", "-f", &self.0],
                &[],
                None,
                Duration::from_secs(60),
            );
        }
    }
    Guard(name.to_string())
}

#[tokio::test]
async fn exit_codes_are_the_docker_clis() {
    let scope = Scope::new();
    let e = engine();
    // The remote code of an attached run.
    let run = dock(&[
        "run",
        "--rm",
        &e.image,
        "sh",
        "-c",
        "echo out; echo err >&2; exit 3",
    ]);
    assert_eq!(run.status.code(), Some(3), "{}", stderr(&run));
    assert_eq!(stdout(&run), "out\n");
    assert_eq!(stderr(&run), "err\n");
    // An image that is not there and cannot be pulled (nothing listens on port 1): 125.
    let missing = dock(&["run", "--rm", "127.0.0.1:1/dei-missing:x"]);
    assert_eq!(missing.status.code(), Some(125), "{}", stderr(&missing));
    assert!(
        stderr(&missing).contains("Unable to find image '127.0.0.1:1/dei-missing:x' locally"),
        "{}",
        stderr(&missing)
    );
    // A reference the daemon refuses: 125, in the daemon's words.
    let bad = dock(&["run", "--rm", "Bad//Ref"]);
    assert_eq!(bad.status.code(), Some(125), "{}", stderr(&bad));
    assert!(
        stderr(&bad).starts_with("Error response from daemon: ")
            && stderr(&bad).contains("invalid reference format"),
        "{}",
        stderr(&bad)
    );
    // -e and -v reach the container.
    let shared = TempDir::new("dock-volume");
    std::fs::write(shared.0.join("greeting"), "from the host\n").unwrap();
    let volume = format!("{}:/mnt/shared", shared.path());
    let run = dock(&[
        "run",
        "--rm",
        "-e",
        "WHO=dock",
        "-v",
        &volume,
        &e.image,
        "sh",
        "-c",
        "cat /mnt/shared/greeting; echo $WHO",
    ]);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));
    assert_eq!(stdout(&run), "from the host\ndock\n");
    // -i: local stdin reaches the process, and its end closes the process's stdin.
    let piped = run_with(
        &dock_bin(),
        &["run", "--rm", "-i", &e.image, "sh", "-c", "wc -l; exit 4"],
        &[],
        Some("one\ntwo\nthree\n"),
        Duration::from_secs(60),
    );
    assert_eq!(piped.status.code(), Some(4), "{}", stderr(&piped));
    assert_eq!(stdout(&piped).trim(), "3");
    // -d prints the id, exec gives the remote code.
    let name = unique("dock-exec");
    let _gone = scopeguard_container(&name, &scope);
    let started = ok(
        "dock run -d",
        dock(&[
            "run",
            "-d",
            "--name",
            &name,
            "-e",
            "GREETING=hi there",
            &e.image,
            "sleep",
            "600",
        ]),
    );
    let id = stdout(&started).trim().to_string();
    assert_eq!(id.len(), 64, "{id}");
    let exec = dock(&["exec", &name, "sh", "-c", "echo $GREETING; exit 7"]);
    assert_eq!(exec.status.code(), Some(7), "{}", stderr(&exec));
    assert_eq!(stdout(&exec), "hi there\n");
    let exec0 = dock(&["exec", &name, "true"]);
    assert_eq!(exec0.status.code(), Some(0), "{}", stderr(&exec0));
    let piped = run_with(
        &dock_bin(),
        &["exec", "-i", &name, "sh", "-c", "tr a-z A-Z; exit 6"],
        &[],
        Some("shout\n"),
        Duration::from_secs(60),
    );
    assert_eq!(piped.status.code(), Some(6), "{}", stderr(&piped));
    assert_eq!(stdout(&piped), "SHOUT\n");
    // A container that is not there: 1, in the daemon's words.
    let nothing = dock(&["exec", "dei-no-such-container", "true"]);
    assert_eq!(nothing.status.code(), Some(1));
    assert!(
        stderr(&nothing).starts_with("Error response from daemon: "),
        "{}",
        stderr(&nothing)
    );
    let rm = ok("dock rm -f", dock(&["rm", "-f", &name]));
    assert_eq!(stdout(&rm), format!("{name}\n"));
    let again = dock(&["rm", &name]);
    assert_eq!(again.status.code(), Some(1));
    assert!(
        stderr(&again).starts_with("Error response from daemon: "),
        "{}",
        stderr(&again)
    );
}
