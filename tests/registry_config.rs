//! Credentials from the docker CLI's config: `auths` entries, a credential helper, and
//! `DOCKER_AUTH_CONFIG` before them. One test in its own binary: it sets DOCKER_CONFIG,
//! DOCKER_AUTH_CONFIG and PATH.

#[path = "engine/common/mod.rs"]
mod common;

use std::os::unix::fs::PermissionsExt;

use base64::Engine as _;
use futures_util::StreamExt;

use common::{engine, unique};

#[tokio::test]
async fn pull_and_push_with_credentials_from_the_docker_config() {
    let e = engine();
    let images = common::docker().images();
    let dir = std::env::temp_dir().join(unique("docker-config"));
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    // SAFETY: this binary runs this one test; no other thread reads the environment now.
    unsafe {
        std::env::set_var("DOCKER_CONFIG", &dir);
        std::env::set_var(
            "PATH",
            format!("{}:{}", bin.display(), std::env::var("PATH").unwrap()),
        );
    }

    // 1. `auths` with a base64 `auth` entry.
    let auth = base64::engine::general_purpose::STANDARD
        .encode(format!("{}:{}", e.registry_user, e.registry_password));
    std::fs::write(
        dir.join("config.json"),
        format!(
            r#"{{"auths":{{"http://{}":{{"auth":"{auth}"}}}}}}"#,
            e.registry
        ),
    )
    .unwrap();
    let name = format!("{}/{}", e.registry, unique("cfg"));
    images.tag(&e.image, format!("{name}:a")).await.unwrap();
    images.push(format!("{name}:a")).send().await.unwrap();
    images.remove(format!("{name}:a")).send().await.unwrap();
    images.pull(format!("{name}:a")).send().await.unwrap();

    // 2. A credential helper: `docker-credential-dei get` answers with the password.
    let log = dir.join("helper.log");
    let helper = bin.join("docker-credential-dei");
    std::fs::write(
        &helper,
        format!(
            "#!/bin/sh\n[ \"$1\" = get ] || exit 1\nread server\necho \"$server\" >> {log}\nprintf '{{\"ServerURL\":\"%s\",\"Username\":\"{}\",\"Secret\":\"{}\"}}' \"$server\"\n",
            e.registry_user,
            e.registry_password,
            log = log.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&helper, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::write(
        dir.join("config.json"),
        format!(r#"{{"credHelpers":{{"{}":"dei"}}}}"#, e.registry),
    )
    .unwrap();
    images.tag(&e.image, format!("{name}:b")).await.unwrap();
    let mut push = images.push(format!("{name}:b")).stream();
    while let Some(item) = push.next().await {
        item.unwrap();
    }
    images.remove(format!("{name}:b")).send().await.unwrap();
    images.pull(format!("{name}:b")).send().await.unwrap();
    let asked = std::fs::read_to_string(&log).unwrap();
    assert_eq!(
        asked.lines().collect::<Vec<_>>(),
        [e.registry.as_str(), e.registry.as_str()],
        "the helper was asked for the registry"
    );

    // 3. A helper that fails: a credentials error naming it, without any secret.
    std::fs::write(&helper, "#!/bin/sh\necho 'backend exploded' >&2\nexit 3\n").unwrap();
    let err = images.pull(format!("{name}:b")).send().await.unwrap_err();
    assert!(
        matches!(&err, docker_engine::Error::Credentials { message: m, .. } if m.contains("docker-credential-dei")),
        "{err:?}"
    );
    assert!(!format!("{err:?}").contains(&e.registry_password));

    // 4. DOCKER_AUTH_CONFIG comes before the file (the failing helper is not run).
    // SAFETY: as above.
    unsafe {
        std::env::set_var(
            "DOCKER_AUTH_CONFIG",
            format!(r#"{{"auths":{{"{}":{{"auth":"{auth}"}}}}}}"#, e.registry),
        )
    };
    images.pull(format!("{name}:b")).send().await.unwrap();
    unsafe { std::env::set_var("DOCKER_AUTH_CONFIG", "{not json") };
    let err = images.pull(format!("{name}:b")).send().await.unwrap_err();
    assert!(err.to_string().contains("DOCKER_AUTH_CONFIG"), "{err}");
    unsafe { std::env::remove_var("DOCKER_AUTH_CONFIG") };

    for t in ["a", "b"] {
        images.remove(format!("{name}:{t}")).send().await.unwrap();
    }

    // 5. The config's proxies reach containers' environment and builds' arguments.
    config_proxies_reach_containers_and_builds(&dir).await;
    std::fs::remove_dir_all(&dir).unwrap();
}

/// docker-py's `use_config_proxy` (on by default) and the docker CLI: the `proxies` of the
/// config become `HTTP_PROXY`/`http_proxy`, ... in a container's environment and a build's
/// arguments; a variable set by the caller wins; `use_config_proxy(false)` leaves them out.
async fn config_proxies_reach_containers_and_builds(dir: &std::path::Path) {
    let e = engine();
    let d = common::docker();
    let scope = common::Scope::new();
    std::fs::write(
        dir.join("config.json"),
        r#"{"proxies":{"default":{"httpProxy":"http://proxy.invalid:3128","noProxy":"localhost,127.0.0.1"}}}"#,
    )
    .unwrap();
    let env = |use_proxy: bool| {
        d.containers()
            .run(&e.image)
            .label(common::LABEL, scope.value())
            .cmd(["env"])
            .env("NO_PROXY", "mine")
            .use_config_proxy(use_proxy)
            .run(true)
    };
    let out = String::from_utf8(env(true).await.unwrap()).unwrap();
    for line in [
        "HTTP_PROXY=http://proxy.invalid:3128",
        "http_proxy=http://proxy.invalid:3128",
        "no_proxy=localhost,127.0.0.1",
        "NO_PROXY=mine",
    ] {
        assert!(out.lines().any(|l| l == line), "{line} in:\n{out}");
    }
    let out = String::from_utf8(env(false).await.unwrap()).unwrap();
    assert!(!out.contains("proxy.invalid"), "{out}");

    let ctx = dir.join("proxy-ctx");
    std::fs::create_dir_all(&ctx).unwrap();
    std::fs::write(
        ctx.join("Dockerfile"),
        format!("FROM {}\nRUN echo \"proxy=[$HTTP_PROXY]\"\n", e.image),
    )
    .unwrap();
    let mut s = d
        .images()
        .build(&ctx)
        .no_cache(true)
        .label(common::LABEL, scope.value())
        .stream();
    let mut said = String::new();
    while let Some(item) = s.next().await {
        said.push_str(item.unwrap().stream.as_deref().unwrap_or_default());
    }
    assert!(said.contains("proxy=[http://proxy.invalid:3128]"), "{said}");
}
