//! Docker contexts written by the real docker CLI (`docker context create`, `use`) are
//! followed: by name, as the current context, under `DOCKER_CONTEXT`, and behind
//! `DOCKER_HOST`; broken ones fail naming the context. One test in its own binary: it sets
//! process environment variables.

#[path = "engine/common/mod.rs"]
mod common;

use std::path::Path;
use std::process::Command;

use docker_engine::{Docker, Error, contexts};

use common::{engine, unique};

/// Run the docker CLI with this config dir and no host of its own.
fn docker_cli(config: &Path, args: &[&str]) -> String {
    let out = Command::new("docker")
        .env("DOCKER_CONFIG", config)
        .env_remove("DOCKER_HOST")
        .env_remove("DOCKER_CONTEXT")
        .env_remove("DOCKER_TLS_VERIFY")
        .env_remove("DOCKER_CERT_PATH")
        .args(args)
        .output()
        .expect("the docker CLI (Debian's docker.io) is installed by scripts/test-engines.sh");
    assert!(
        out.status.success(),
        "docker {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[tokio::test]
async fn contexts_written_by_the_docker_cli_are_followed() {
    let e = engine();
    // SAFETY: this binary runs this one test; no other thread reads the environment now.
    let set = |k: &str, v: &str| unsafe { std::env::set_var(k, v) };
    let unset = |k: &str| unsafe { std::env::remove_var(k) };
    for k in [
        "DOCKER_HOST",
        "DOCKER_CONTEXT",
        "DOCKER_TLS_VERIFY",
        "DOCKER_CERT_PATH",
        "DOCKER_API_VERSION",
    ] {
        unset(k);
    }
    let config = std::env::temp_dir().join(unique("contexts"));
    std::fs::create_dir_all(&config).unwrap();
    set("DOCKER_CONFIG", config.to_str().unwrap());
    let certs = Path::new(&e.certs);
    let pem = |f: &str| certs.join(f).display().to_string();
    let tls_port = e.tls_host.rsplit(':').next().unwrap();

    docker_cli(
        &config,
        &[
            "context",
            "create",
            "dei-unix",
            "--description",
            "the test engine's socket",
            "--docker",
            &format!("host={}", e.host),
        ],
    );
    docker_cli(
        &config,
        &[
            "context",
            "create",
            "dei-tls",
            "--docker",
            &format!(
                "host=tcp://127.0.0.1:{tls_port},ca={},cert={},key={}",
                pem("ca.pem"),
                pem("cert.pem"),
                pem("key.pem")
            ),
        ],
    );
    docker_cli(
        &config,
        &[
            "context",
            "create",
            "dei-skip",
            "--docker",
            &format!(
                "host=tcp://127.0.0.1:{tls_port},cert={},key={},skip-tls-verify=true",
                pem("cert.pem"),
                pem("key.pem")
            ),
        ],
    );

    // Listed as the CLI lists them.
    let listed = contexts::list().unwrap();
    let names: Vec<&str> = listed.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["default", "dei-skip", "dei-tls", "dei-unix"]);
    let cli = docker_cli(
        &config,
        &["context", "ls", "--format", "{{.Name}} {{.DockerEndpoint}}"],
    );
    for c in &listed {
        let line = format!("{} {}", c.name, c.host);
        assert!(
            cli.lines()
                .any(|l| l.trim_end_matches(" *") == line || l.replace(" *", "") == line),
            "{line:?} not in the CLI's list:\n{cli}"
        );
    }
    let unix = &listed[3];
    assert_eq!(
        unix.description.as_deref(),
        Some("the test engine's socket")
    );
    assert!(unix.tls_dir.is_none() && !unix.skip_tls_verify);
    assert!(listed[2].tls_dir.is_some());
    assert!(listed[1].skip_tls_verify);
    assert!(listed[0].current, "no context chosen: default");

    // By name.
    let d = Docker::from_context("dei-unix").unwrap();
    assert_eq!(d.address(), e.host);
    d.version().await.unwrap();
    let d = Docker::from_context("dei-tls").unwrap();
    assert!(d.address().contains("(TLS)"), "{}", d.address());
    d.containers().list().send().await.unwrap();
    let d = Docker::from_context("dei-skip").unwrap();
    d.version().await.unwrap();

    // The current context (`docker context use`), then DOCKER_CONTEXT over it, then
    // DOCKER_HOST over both.
    docker_cli(&config, &["context", "use", "dei-tls"]);
    assert_eq!(contexts::current().unwrap(), "dei-tls");
    let d = Docker::from_env().unwrap();
    assert!(d.address().contains(tls_port), "{}", d.address());
    d.version().await.unwrap();
    set("DOCKER_CONTEXT", "dei-unix");
    assert_eq!(Docker::from_env().unwrap().address(), e.host);
    set("DOCKER_HOST", &e.tls_host);
    set("DOCKER_TLS_VERIFY", "1");
    set("DOCKER_CERT_PATH", &e.certs);
    let d = Docker::from_env().unwrap();
    assert!(d.address().contains(tls_port), "{}", d.address());
    d.version().await.unwrap();
    unset("DOCKER_HOST");
    unset("DOCKER_TLS_VERIFY");
    unset("DOCKER_CERT_PATH");

    // Broken: a context that does not exist, and one whose key is gone.
    set("DOCKER_CONTEXT", "dei-missing");
    match Docker::from_env() {
        Err(Error::Context { name, message, .. }) => {
            assert_eq!(name, "dei-missing");
            assert!(message.contains("no such context"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    unset("DOCKER_CONTEXT");
    let tls_dir = contexts::load("dei-tls").unwrap().tls_dir.unwrap();
    std::fs::remove_file(tls_dir.join("key.pem")).unwrap();
    match Docker::from_context("dei-tls") {
        Err(e @ Error::Context { .. }) => {
            let text = e.to_string();
            assert!(
                text.contains("\"dei-tls\"") && text.contains("key.pem"),
                "{text}"
            );
        }
        other => panic!("{other:?}"),
    }
    // ... and from_env, whose current context it is, says the same.
    assert!(matches!(Docker::from_env(), Err(Error::Context { .. })));
    docker_cli(&config, &["context", "use", "default"]);
    assert_eq!(contexts::current().unwrap(), "default");
    std::fs::remove_dir_all(&config).unwrap();
}
