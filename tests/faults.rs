//! Faults on the real engines: dockerd killed with SIGKILL under five kinds of calls, the
//! registry killed under a push, and a TCP engine whose packets are dropped. Its own binary:
//! it kills and restarts the engine under test, so its tests take turns (`SERIAL`).

#[path = "engine/common/mod.rs"]
mod common;

use std::net::SocketAddr;
use std::process::Command;
use std::time::{Duration, Instant};

use docker_engine::auth::RegistryAuth;
use docker_engine::{Docker, Error, TlsMaterial};
use futures_util::StreamExt;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::Mutex;

use common::{LABEL, Scope, engine, unique};

static SERIAL: Mutex<()> = Mutex::const_new(());

fn script(args: &[&str]) {
    let status = Command::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scripts/test-engines.sh"
    ))
    .args(args)
    .status()
    .expect("run scripts/test-engines.sh");
    assert!(status.success(), "scripts/test-engines.sh {args:?} failed");
}

/// A loopback relay to `upstream` that carries at most `rate` bytes a second each way: a
/// slow link, so that a pull or push is still under way when something is killed. When the
/// upstream is gone, it accepts and closes, as a link to a dead host would end.
async fn slow_link(upstream: SocketAddr, rate: usize) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            tokio::spawn(async move {
                let Ok(server) = tokio::net::TcpStream::connect(upstream).await else {
                    return;
                };
                let (cr, cw) = client.into_split();
                let (sr, sw) = server.into_split();
                async fn pump(
                    mut from: tokio::net::tcp::OwnedReadHalf,
                    mut to: tokio::net::tcp::OwnedWriteHalf,
                    rate: usize,
                ) {
                    let mut buf = vec![0u8; 16 * 1024];
                    loop {
                        match from.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => {
                                if to.write_all(&buf[..n]).await.is_err() {
                                    return;
                                }
                                let pause = Duration::from_secs_f64(n as f64 / rate as f64);
                                tokio::time::sleep(pause).await;
                            }
                        }
                    }
                }
                // When either side ends, both halves go: a dead upstream closes the client.
                tokio::select! {
                    _ = pump(cr, sw, rate) => {}
                    _ = pump(sr, cw, rate) => {}
                }
            });
        }
    });
    addr
}

/// Build an image with an 8 MB layer of random bytes (a new digest every run) as `reference`.
async fn big_image(d: &Docker, scope: &Scope, reference: &str) {
    let e = engine();
    let dir = std::env::temp_dir().join(unique("faults-ctx"));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("Dockerfile"),
        format!(
            "FROM {}\nRUN head -c 8000000 /dev/urandom > /blob\n",
            e.image
        ),
    )
    .unwrap();
    scope.image(reference.to_string());
    d.images()
        .build(&dir)
        .tag(reference)
        .label(LABEL, scope.value())
        .send()
        .await
        .unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The big image in the registry, not on the engine: `repo:tag` at the registry's address.
async fn big_image_in_registry(d: &Docker, scope: &Scope, repo_tag: &str) {
    let e = engine();
    let reference = format!("{}/{repo_tag}", e.registry);
    big_image(d, scope, &reference).await;
    d.images()
        .push(&reference)
        .auth(RegistryAuth::basic(&e.registry_user, &e.registry_password).server(&e.registry))
        .send()
        .await
        .unwrap();
    d.images()
        .handle(&reference)
        .remove()
        .force(true)
        .send()
        .await
        .unwrap();
}

/// What a call left when it ended: `Ok(())` if it ended with an error, else what it did.
type Ended = Result<(), String>;

/// Read a stream to its end; it must end with an error.
async fn ends_in_error<T: std::fmt::Debug>(
    mut s: impl futures_util::Stream<Item = docker_engine::Result<T>> + Unpin,
) -> Ended {
    loop {
        match s.next().await {
            Some(Ok(_)) => continue,
            Some(Err(_)) => return Ok(()),
            None => return Err("the stream ended without an error".into()),
        }
    }
}

#[tokio::test]
async fn a_killed_daemon_ends_pull_build_exec_events_and_wait_within_a_second() {
    let _turn = SERIAL.lock().await;
    let scope = Scope::new();
    let e = engine();
    let d = common::docker();
    let auth = |server: &str| {
        RegistryAuth::basic(&e.registry_user, &e.registry_password).server(server.to_string())
    };

    // A pull: an 8 MB layer in the registry, behind a 512 KiB/s link (16 s); started last.
    let repo_tag = format!("dei-faults:pull-{}", unique(&e.name));
    big_image_in_registry(&d, &scope, &repo_tag).await;
    let link = slow_link(e.registry.parse().unwrap(), 512 << 10).await;
    let slow_ref = format!("{link}/{repo_tag}");
    scope.image(slow_ref.clone());

    // A build under way: its RUN step has started.
    let dir = std::env::temp_dir().join(unique("faults-build"));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("Dockerfile"),
        format!("FROM {}\nRUN echo started-building && sleep 60\n", e.image),
    )
    .unwrap();
    let mut build = d
        .images()
        .build(&dir)
        .no_cache(true)
        .label(LABEL, scope.value())
        .stream();
    loop {
        let item = build.next().await.unwrap().unwrap();
        if item
            .stream
            .as_deref()
            .unwrap_or_default()
            .contains("started-building")
        {
            break;
        }
    }

    // An attached exec session that has printed.
    let c = d
        .containers()
        .create(&e.image)
        .label(LABEL, scope.value())
        .cmd(["sleep", "300"])
        .send()
        .await
        .unwrap();
    c.start().await.unwrap();
    let mut session = c
        .exec(["sh", "-c", "echo ready; sleep 60"])
        .start()
        .await
        .unwrap();
    let first = session.next().await.unwrap().unwrap();
    assert_eq!(first.to_string(), "ready\n");
    let control = session.control();

    // An events stream that has delivered an event: connected first (its request goes out
    // when it is first polled), then a container made for it to report. (Podman has nothing
    // else to report meanwhile: a stream connected after the create waits for the build.)
    let mut events = d.events().stream();
    let (first, other) = tokio::join!(events.next(), async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let created = d.containers().create(&e.image).label(LABEL, scope.value());
        created.send().await.unwrap()
    });
    first.unwrap().unwrap();

    // A wait on a running container, sent.
    let waiting = {
        let c = c.clone();
        tokio::spawn(async move { c.wait().await })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    drop(other);

    // The pull last, so that it is surely under way at the kill.
    let mut pull = d
        .images()
        .pull(&slow_ref)
        .auth(auth(&link.to_string()))
        .stream();
    loop {
        let item = pull.next().await.unwrap().unwrap();
        if item.status.as_deref() == Some("Downloading") {
            break;
        }
    }

    script(&["kill", &e.name]);
    // Whatever happens below, the engine is started again for the tests after this one.
    let restart = scopeguard(|| script(&["restart", &e.name]));
    let killed = Instant::now();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(1);
    let within =
        |what: &'static str,
         f: std::pin::Pin<Box<dyn std::future::Future<Output = Ended> + Send>>| async move {
            match tokio::time::timeout_at(deadline, f).await {
                Ok(Ok(())) => (what, Ok(())),
                Ok(Err(e)) => (what, Err(e)),
                Err(_) => (
                    what,
                    Err("still running a second after the kill".to_string()),
                ),
            }
        };
    let results = futures_util::future::join_all([
        within("pull", Box::pin(ends_in_error(pull))),
        within("build", Box::pin(ends_in_error(build))),
        within(
            "exec session",
            Box::pin(async move {
                // The output ends (with an error, or at a frame boundary), and the exit code
                // cannot be had: the session ends with an error either way.
                while let Some(Ok(_)) = session.next().await {}
                drop(session);
                match control.wait().await {
                    Err(_) => Ok(()),
                    Ok(code) => Err(format!("exit code {code} from a dead daemon")),
                }
            }),
        ),
        within("events", Box::pin(ends_in_error(events))),
        within(
            "wait",
            Box::pin(async move {
                match waiting.await.unwrap() {
                    Err(_) => Ok(()),
                    Ok(code) => Err(format!("exit code {code} from a dead daemon")),
                }
            }),
        ),
    ])
    .await;
    let took = killed.elapsed();
    for (what, r) in &results {
        assert!(r.is_ok(), "{what}: {r:?}");
    }
    eprintln!("all five calls ended with an error {took:?} after the kill");

    drop(restart);
    // The same handle, its pooled connections dead: the next calls work.
    let v = d.version().await.unwrap();
    assert!(v.api_version.is_some());
    d.containers().list().all(true).send().await.unwrap();
    assert_eq!(c.inspect().await.unwrap().id(), c.id());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn a_registry_killed_during_a_push_ends_it_with_an_error_naming_the_registry() {
    let _turn = SERIAL.lock().await;
    let scope = Scope::new();
    let e = engine();
    let d = common::docker();
    // An image whose big layer the registry has never seen, pushed through a slow link.
    let link = slow_link(e.registry.parse().unwrap(), 1 << 20).await;
    let target = format!("{link}/dei-faults:pushed-{}", unique(&e.name));
    big_image(&d, &scope, &target).await;
    let mut push = d
        .images()
        .push(&target)
        .auth(RegistryAuth::basic(&e.registry_user, &e.registry_password).server(link.to_string()))
        .stream();
    if common::is_podman() {
        // Podman 4.3 reports no layer progress on a push, only its start and its digest: the
        // upload (8 MB at 1 MB/s) is under way two seconds after the start.
        push.next().await.unwrap().unwrap();
        tokio::time::sleep(Duration::from_secs(2)).await;
    } else {
        loop {
            let item = push.next().await.unwrap().unwrap();
            if item.status.as_deref() == Some("Pushing") {
                break;
            }
        }
    }
    script(&["kill-registry"]);
    let restart = scopeguard(|| script(&["start-registry"]));
    // The daemon retries an upload four times, 5 to 20 s apart, before it gives up.
    let ended = tokio::time::timeout(Duration::from_secs(120), async {
        loop {
            match push.next().await {
                Some(Ok(_)) => continue,
                other => return other,
            }
        }
    })
    .await
    .expect("the push ends within two minutes of the registry's death");
    match ended {
        Some(Err(err)) => {
            let text = err.to_string();
            assert!(
                text.contains(&format!("pushing {target} to registry {link}: ")),
                "{text}"
            );
        }
        other => panic!("the push ended with {other:?}"),
    }
    drop(restart);
}

/// Runs `f` when dropped, also when the test panics.
fn scopeguard(f: impl FnOnce()) -> impl Drop {
    struct Guard<F: FnOnce()>(Option<F>);
    impl<F: FnOnce()> Drop for Guard<F> {
        fn drop(&mut self) {
            if let Some(f) = self.0.take() {
                f();
            }
        }
    }
    Guard(Some(f))
}

/// `iptables` rules that drop every packet to and from a loopback port, removed on drop.
struct Blackhole(u16);

impl Blackhole {
    fn rules(port: u16) -> [Vec<String>; 2] {
        let p = port.to_string();
        [
            ["-p", "tcp", "-i", "lo", "--dport", &p, "-j", "DROP"]
                .map(String::from)
                .to_vec(),
            ["-p", "tcp", "-i", "lo", "--sport", &p, "-j", "DROP"]
                .map(String::from)
                .to_vec(),
        ]
    }

    fn new(port: u16) -> Blackhole {
        for rule in Blackhole::rules(port) {
            let ok = Command::new("iptables")
                .args(["-w", "-I", "INPUT"])
                .args(&rule)
                .status()
                .expect("run iptables")
                .success();
            assert!(ok, "iptables -I INPUT {rule:?}");
        }
        Blackhole(port)
    }
}

impl Drop for Blackhole {
    fn drop(&mut self) {
        for rule in Blackhole::rules(self.0) {
            let _ = Command::new("iptables")
                .args(["-w", "-D", "INPUT"])
                .args(&rule)
                .status();
        }
    }
}

#[tokio::test]
async fn a_tcp_engine_whose_packets_are_dropped_times_out_or_is_cancelled() {
    let _turn = SERIAL.lock().await;
    let e = engine();
    let port: u16 = e.tls_host.rsplit(':').next().unwrap().parse().unwrap();
    let client = |timeout: Option<Duration>| {
        let mut b = Docker::builder()
            .host(&e.tls_host)
            .tls(TlsMaterial::from_dir(&e.certs).unwrap());
        if let Some(t) = timeout {
            b = b.timeout(t);
        }
        b.build().unwrap()
    };
    let with_timeout = client(Some(Duration::from_secs(2)));
    let without = client(None);
    // Both have a pooled connection before the packets start to drop.
    with_timeout.version().await.unwrap();
    without.version().await.unwrap();

    let hole = Blackhole::new(port);
    let started = Instant::now();
    let r = with_timeout.containers().list().send().await;
    let took = started.elapsed();
    assert!(matches!(r, Err(Error::Timeout { .. })), "{r:?}");
    assert!(
        took >= Duration::from_secs(2) && took < Duration::from_secs(3),
        "ended after {took:?}, the timeout is 2 s"
    );

    let call = tokio::spawn(async move { without.containers().list().send().await });
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(
        !call.is_finished(),
        "a call without a timeout ended on its own"
    );
    let dropped = Instant::now();
    call.abort();
    let gone = tokio::time::timeout(Duration::from_secs(1), call)
        .await
        .expect("a dropped call goes at once");
    assert!(gone.unwrap_err().is_cancelled());
    assert!(dropped.elapsed() < Duration::from_millis(500));

    drop(hole);
    // With the packets flowing again, a new client gets through.
    client(Some(Duration::from_secs(5)))
        .version()
        .await
        .unwrap();
}
