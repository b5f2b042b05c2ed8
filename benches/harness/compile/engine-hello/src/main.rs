//! W7: the smallest useful docker-engine program, `GET /_ping`.

#[tokio::main]
async fn main() -> Result<(), docker_engine::Error> {
    let docker = docker_engine::Docker::from_env()?;
    docker.ping().await?;
    println!("pong");
    Ok(())
}
