//! The quick tour: `docker version`, `info`, `ps -a`, `images`, then run a container and
//! print what it says.
//!
//! Connects as the docker CLI does (`DOCKER_HOST`, ...). `scripts/tour.sh` runs it against
//! the project's own test engine when no `DOCKER_HOST` is set. The image comes from
//! `TOUR_IMAGE` (default `busybox:latest`).

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
    container.remove(true, true).await?;
    println!(
        "exit code {code}; container {} removed",
        container.short_id()
    );
    Ok(())
}
