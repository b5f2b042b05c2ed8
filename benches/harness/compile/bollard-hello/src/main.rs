//! W7: the smallest useful bollard program, `GET /_ping`.

#[tokio::main]
async fn main() -> Result<(), bollard::errors::Error> {
    let docker = bollard::Docker::connect_with_defaults()?;
    docker.ping().await?;
    println!("pong");
    Ok(())
}
