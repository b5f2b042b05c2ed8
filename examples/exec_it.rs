//! `docker exec -it CONTAINER CMD...`: the local terminal in raw mode, stdin and stdout
//! proxied over the upgraded connection, window size forwarded, the terminal restored on
//! exit, and the remote exit code returned.
//!
//! The terminal handling is dock's (`examples/dock/term.rs`), shared rather than copied.
//!
//! ```sh
//! cargo run --example exec_it -- my-container sh
//! ```

#[path = "dock/term.rs"]
mod term;

use docker_engine::Docker;

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(container), cmd) = (args.next(), args.collect::<Vec<_>>()) else {
        eprintln!("usage: exec_it CONTAINER [CMD...]");
        std::process::exit(2);
    };
    let cmd = if cmd.is_empty() {
        vec!["sh".to_string()]
    } else {
        cmd
    };
    match run(&container, cmd).await {
        Ok(code) => std::process::exit(code as i32),
        Err(e) => {
            eprintln!("exec_it: {e}");
            std::process::exit(125);
        }
    }
}

async fn run(container: &str, cmd: Vec<String>) -> docker_engine::Result<i64> {
    let docker = Docker::from_env()?;
    let container = docker.containers().get(container).await?;
    let mut exec = container.exec(cmd).stdin(true).tty(true).env(
        "TERM",
        std::env::var("TERM").unwrap_or_else(|_| "xterm".into()),
    );
    if let Some((w, h)) = term::window_size() {
        exec = exec.console_size(w, h);
    }
    let session = exec.start().await?;
    let control = session.control();
    // Raw mode while it runs, stdin in, output out, the window size followed.
    term::proxy(session, true, true).await?;
    control.wait().await
}
