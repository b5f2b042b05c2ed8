//! `ssh://` hosts against a real loopback `sshd` (Debian's openssh-server, its own port,
//! host key and authorized key, made at test time) whose `docker system dial-stdio` (the
//! Debian docker CLI on the "remote" side) reaches the engine under test. One test in its
//! own binary: it starts sshd, counts this process's ssh children and file descriptors, and
//! changes PATH at the end.

#[path = "engine/common/mod.rs"]
mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::Duration;

use docker_engine::{Docker, Error};

use common::{Scope, engine, unique};

struct Sshd {
    child: Child,
    dir: PathBuf,
    port: u16,
}

impl Drop for Sshd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn run(program: &str, args: &[&str]) {
    let out = Command::new(program).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn keygen(path: &Path) {
    run(
        "ssh-keygen",
        &[
            "-q",
            "-t",
            "ed25519",
            "-N",
            "",
            "-f",
            path.to_str().unwrap(),
        ],
    );
}

/// sshd on a free loopback port, letting in `client_key` as root, with `DOCKER_HOST` set
/// to the engine under test in its sessions.
fn start_sshd() -> Sshd {
    let e = engine();
    let dir = std::env::temp_dir().join(unique("sshd"));
    std::fs::create_dir_all(&dir).unwrap();
    for key in ["host_key", "client_key", "other_key"] {
        keygen(&dir.join(key));
    }
    std::fs::copy(dir.join("client_key.pub"), dir.join("authorized_keys")).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let d = dir.display();
    std::fs::write(
        dir.join("sshd_config"),
        format!(
            "Port {port}\nListenAddress 127.0.0.1\nHostKey {d}/host_key\nPidFile {d}/sshd.pid\n\
             AuthorizedKeysFile {d}/authorized_keys\nPasswordAuthentication no\n\
             KbdInteractiveAuthentication no\nPubkeyAuthentication yes\n\
             PermitRootLogin prohibit-password\nStrictModes no\nUsePAM no\nLogLevel ERROR\n\
             MaxStartups 100\nSetEnv DOCKER_HOST={}\n",
            e.host
        ),
    )
    .unwrap();
    // sshd's privilege-separation directory.
    std::fs::create_dir_all("/run/sshd").unwrap();
    let child = Command::new("/usr/sbin/sshd")
        .args(["-D", "-e", "-f"])
        .arg(dir.join("sshd_config"))
        .spawn()
        .expect("sshd (Debian's openssh-server, installed by scripts/test-engines.sh up)");
    let sshd = Sshd { child, dir, port };
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return sshd;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("sshd did not listen on 127.0.0.1:{port}");
}

impl Sshd {
    /// An ssh client configuration for this sshd: `key` as the identity, `known` as the
    /// known hosts; no agent, no prompts.
    fn client_config(&self, name: &str, key: &str, known: bool) -> PathBuf {
        let d = self.dir.display();
        let known_hosts = self.dir.join(format!("{name}.known_hosts"));
        let host_key = std::fs::read_to_string(self.dir.join("host_key.pub")).unwrap();
        std::fs::write(
            &known_hosts,
            if known {
                format!("[127.0.0.1]:{} {host_key}", self.port)
            } else {
                String::new()
            },
        )
        .unwrap();
        let path = self.dir.join(format!("{name}.ssh_config"));
        std::fs::write(
            &path,
            format!(
                "Host dei-test 127.0.0.1\n  HostName 127.0.0.1\n  Port {}\n  User root\n  \
                 IdentityFile {d}/{key}\n  IdentitiesOnly yes\n  IdentityAgent none\n  \
                 UserKnownHostsFile {}\n  GlobalKnownHostsFile /dev/null\n  \
                 StrictHostKeyChecking yes\n  BatchMode yes\n  LogLevel ERROR\n",
                self.port,
                known_hosts.display()
            ),
        )
        .unwrap();
        path
    }
}

fn client(host: &str, config: &Path) -> Docker {
    Docker::builder()
        .host(host)
        .ssh_options(["-F".to_string(), config.display().to_string()])
        .build()
        .unwrap()
}

/// This process's children called `ssh`: (alive, zombies).
fn ssh_children() -> (usize, usize) {
    let me = std::process::id().to_string();
    let (mut alive, mut zombies) = (0, 0);
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // pid (comm) state ppid ...
        let Some((head, rest)) = stat.rsplit_once(") ") else {
            continue;
        };
        let comm = head.split_once(" (").map(|(_, c)| c).unwrap_or_default();
        let mut fields = rest.split(' ');
        let state = fields.next().unwrap_or_default();
        let ppid = fields.next().unwrap_or_default();
        if ppid == me && comm == "ssh" {
            if state == "Z" {
                zombies += 1;
            } else {
                alive += 1;
            }
        }
    }
    (alive, zombies)
}

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").unwrap().count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ssh_carries_calls_streams_and_sessions_and_says_why_it_fails() {
    let e = engine();
    let scope = Scope::new();
    let sshd = start_sshd();
    let good = sshd.client_config("good", "client_key", true);

    // The remote side's DOCKER_HOST (sshd's SetEnv), and an explicit socket path in the URL.
    let d = client("ssh://dei-test", &good);
    assert_eq!(d.address(), "ssh://dei-test");
    assert_eq!(
        d.api_version().await.unwrap(),
        e.api.min(docker_engine::ApiVersion::SPEC)
    );
    let socket = e.host.strip_prefix("unix://").unwrap();
    let by_path = client(
        &format!("ssh://root@127.0.0.1:{}{socket}", sshd.port),
        &good,
    );
    by_path.version().await.unwrap();
    drop(by_path);

    // A stream and two sessions over ssh; the exec session's half-close reaches the
    // daemon through dial-stdio (cat ends).
    let c = common::stream_and_session_over(&d, &scope, "over-ssh").await;
    let out = c.exec_run(["echo", "exec-over-ssh"]).send().await.unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "exec-over-ssh\n");
    assert_eq!(out.exit_code, Some(0));

    // Concurrent calls: one ssh process per connection.
    let calls: Vec<_> = (0..16)
        .map(|_| {
            let d = d.clone();
            tokio::spawn(async move { d.containers().list().all(true).send().await })
        })
        .collect();
    for call in calls {
        call.await.unwrap().unwrap();
    }
    // A killed process is a zombie until its reaper thread has waited for it: a moment.
    let (mut alive, mut zombies) = ssh_children();
    for _ in 0..20 {
        if zombies == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        (alive, zombies) = ssh_children();
    }
    assert!(
        (1..=16 + 4).contains(&alive) && zombies == 0,
        "{alive} ssh processes, {zombies} zombies"
    );

    // 1,000 calls, in bursts of 10: no fd growth, no zombie.
    let warm = open_fds();
    for _ in 0..100 {
        let burst: Vec<_> = (0..10)
            .map(|_| {
                let d = d.clone();
                tokio::spawn(async move { d.ping().await })
            })
            .collect();
        for call in burst {
            call.await.unwrap().unwrap();
        }
    }
    let after = open_fds();
    assert!(after <= warm + 4, "fds {warm} -> {after} over 1000 calls");
    c.remove().force(true).send().await.unwrap();
    drop(c);
    drop(d);
    // Dropping the client kills its ssh processes and reaps them.
    let mut left = ssh_children();
    for _ in 0..50 {
        if left == (0, 0) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        left = ssh_children();
    }
    assert_eq!(
        left,
        (0, 0),
        "ssh processes (alive, zombies) after the client went"
    );

    // Failures say what ssh said.
    let unknown = sshd.client_config("unknown", "client_key", false);
    let err = client("ssh://dei-test", &unknown)
        .version()
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert!(
        err.to_string().contains("Host key verification failed"),
        "{err}"
    );
    let refused = sshd.client_config("refused", "other_key", true);
    let err = client("ssh://dei-test", &refused)
        .version()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("Permission denied"), "{err}");
    let no_daemon = client(
        &format!("ssh://root@127.0.0.1:{}/nonexistent/docker.sock", sshd.port),
        &good,
    );
    let err = no_daemon.version().await.unwrap_err();
    assert!(
        err.to_string().contains("/nonexistent/docker.sock"),
        "{err}"
    );

    // No ssh at all.
    let empty = std::env::temp_dir().join(unique("no-ssh"));
    std::fs::create_dir_all(&empty).unwrap();
    // SAFETY: this binary runs this one test; the calls above are done, and nothing else
    // reads the environment now.
    unsafe { std::env::set_var("PATH", &empty) };
    let err = client("ssh://dei-test", &good).version().await.unwrap_err();
    assert!(err.to_string().contains("not on PATH"), "{err}");
    std::fs::remove_dir_all(&empty).unwrap();
}
