//! The quick tour: `docker version`, `info`, `ps -a`, `images`, then run a container and
//! print what it says.
//!
//! Connects as the docker CLI does (`DOCKER_HOST`, ...). `scripts/tour.sh` runs it against
//! the project's own test engine when no `DOCKER_HOST` is set. The image comes from
//! `TOUR_IMAGE` (default `busybox:latest`); `TOUR_PULL` names an image to pull first
//! (with `TOUR_REGISTRY_USER` / `TOUR_REGISTRY_PASSWORD` if the registry wants them).

use docker_engine::auth::RegistryAuth;
use docker_engine::{Docker, Result};
use futures_util::StreamExt;

#[tokio::main]
async fn main() -> Result<()> {
    let image = std::env::var("TOUR_IMAGE").unwrap_or_else(|_| "busybox:latest".to_string());
    let docker = Docker::from_env()?;

    // docker version: the API version is negotiated on this first call.
    let v = docker.version().await?;
    println!(
        "engine {} on {}/{}, API {} (negotiated {})",
        v.version.as_deref().unwrap_or("?"),
        v.os.as_deref().unwrap_or("?"),
        v.arch.as_deref().unwrap_or("?"),
        v.api_version.as_deref().unwrap_or("?"),
        docker.api_version().await?
    );

    // docker info, one line.
    let info = docker.info().await?;
    println!(
        "{} containers ({} running), {} images, storage driver {}",
        info.containers.unwrap_or_default(),
        info.containers_running.unwrap_or_default(),
        info.images.unwrap_or_default(),
        info.driver.as_deref().unwrap_or("?")
    );

    // docker ps -a: one request.
    println!("\n$ docker ps -a");
    for c in docker.containers().list().all(true).send().await? {
        println!(
            "{:<12}  {:<24}  {:<28}  {}",
            c.short_id(),
            c.image(),
            c.status(),
            c.name()
        );
    }

    // docker images, through the generated client: every endpoint is one call away.
    println!("\n$ docker images");
    for i in docker
        .raw()
        .image_list()
        .send()
        .await?
        .into_inner()
        .unwrap_or_default()
    {
        let id =
            i.id.as_deref()
                .unwrap_or_default()
                .trim_start_matches("sha256:");
        for tag in i.repo_tags.unwrap_or_default() {
            println!(
                "{:<40}  {}  {:>8} KiB",
                tag,
                &id[..id.len().min(12)],
                i.size.unwrap_or_default() / 1024
            );
        }
    }

    // docker pull, with progress.
    if let Ok(reference) = std::env::var("TOUR_PULL") {
        println!("\n$ docker pull {reference}");
        let mut pull = docker.images().pull(&reference);
        if let (Ok(user), Ok(password)) = (
            std::env::var("TOUR_REGISTRY_USER"),
            std::env::var("TOUR_REGISTRY_PASSWORD"),
        ) {
            pull = pull.auth(RegistryAuth::basic(user, password));
        }
        let mut progress = pull.stream();
        while let Some(item) = progress.next().await {
            let item = item?;
            println!(
                "  {} {}",
                item.id.unwrap_or_default(),
                item.status.unwrap_or_default()
            );
        }
        let image = docker.images().get(&reference).await?;
        println!("pulled {} ({})", image.tags().join(", "), image.short_id());
    }

    // docker run IMAGE sh -c '...': create, start, follow the logs, wait, remove.
    println!("\n$ docker run --rm {image} sh -c 'echo hello from $(hostname); echo to stderr >&2'");
    let container = docker
        .containers()
        .create(&image)
        .cmd([
            "sh",
            "-c",
            "echo hello from $(hostname); echo to stderr >&2",
        ])
        .label("io.docker-engine.tour", "1")
        .send()
        .await?;
    container.start().await?;
    let mut logs = container.logs().follow(true).stream();
    while let Some(chunk) = logs.next().await {
        print!("{}", chunk?);
    }
    let code = container.wait().await?;
    container.remove().force(true).volumes(true).send().await?;
    println!(
        "exit code {code}; container {} removed",
        container.short_id()
    );

    // docker exec, on a container that keeps running; get it back by id; top through the
    // generated client.
    let sleeper = docker
        .containers()
        .run(&image)
        .cmd(["sleep", "60"])
        .label("io.docker-engine.tour", "1")
        .detach()
        .await?;
    let found = docker.containers().get(sleeper.id()).await?;
    println!(
        "\n$ docker exec {} uname -a   # {} is {}",
        found.short_id(),
        found.name(),
        found.status()
    );
    let r = found.exec_run(["uname", "-a"]).send().await?;
    print!("{}", String::from_utf8_lossy(&r.stdout));
    println!("exit code {:?}", r.exit_code);
    let top = docker
        .raw()
        .container_top()
        .id(found.id())
        .send()
        .await?
        .into_inner();
    println!(
        "\n$ docker top {}   # through docker.raw()",
        found.short_id()
    );
    for p in top.processes.unwrap_or_default() {
        println!("  {}", p.unwrap_or_default().join("  "));
    }
    found.remove().force(true).volumes(true).send().await?;
    Ok(())
}
