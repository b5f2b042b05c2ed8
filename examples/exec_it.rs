//! `docker exec -it CONTAINER CMD...`: the local terminal in raw mode, stdin and stdout
//! proxied over the upgraded connection, window size forwarded, the terminal restored on
//! exit, and the remote exit code returned.
//!
//! ```sh
//! cargo run --example exec_it -- my-container sh
//! ```

use std::io::IsTerminal;

use docker_engine::Docker;
use futures_util::StreamExt;
use rustix::termios::{self, OptionalActions};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::signal::unix::{SignalKind, signal};

fn window_size() -> Option<(u16, u16)> {
    let ws = termios::tcgetwinsize(std::io::stdout()).ok()?;
    Some((ws.ws_col, ws.ws_row))
}

/// Puts the terminal in raw mode; puts it back when dropped.
struct RawMode(Option<termios::Termios>);

impl RawMode {
    fn enter() -> RawMode {
        let stdin = std::io::stdin();
        if !stdin.is_terminal() {
            return RawMode(None);
        }
        let saved = termios::tcgetattr(&stdin).expect("tcgetattr");
        let mut raw = saved.clone();
        raw.make_raw();
        termios::tcsetattr(&stdin, OptionalActions::Now, &raw).expect("tcsetattr");
        RawMode(Some(saved))
    }
}

impl Drop for RawMode {
    fn drop(&mut self) {
        if let Some(saved) = self.0.take() {
            let _ = termios::tcsetattr(std::io::stdin(), OptionalActions::Now, &saved);
        }
    }
}

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
    if let Some((w, h)) = window_size() {
        exec = exec.console_size(w, h);
    }
    let session = exec.start().await?;
    let control = session.control();
    let (mut output, mut input) = session.split();

    let raw = RawMode::enter();
    // stdin -> the process, until local EOF.
    let pump_in = tokio::spawn(async move {
        let mut stdin = tokio::io::stdin();
        let mut buf = vec![0u8; 4096];
        loop {
            match stdin.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if input.write_all(&buf[..n]).await.is_err() {
                        break;
                    }
                }
            }
        }
        let _ = input.shutdown().await;
    });
    // Window size changes -> resize.
    let resize_control = control.clone();
    let resizer = tokio::spawn(async move {
        let Ok(mut winch) = signal(SignalKind::window_change()) else {
            return;
        };
        while winch.recv().await.is_some() {
            if let Some((w, h)) = window_size() {
                let _ = resize_control.resize(w, h).await;
            }
        }
    });
    // The process's output -> stdout, until it ends.
    let mut stdout = tokio::io::stdout();
    let mut failure = None;
    while let Some(chunk) = output.next().await {
        match chunk {
            Ok(chunk) => {
                if stdout.write_all(chunk.bytes()).await.is_err() {
                    break;
                }
                let _ = stdout.flush().await;
            }
            Err(e) => {
                failure = Some(e);
                break;
            }
        }
    }
    drop(raw);
    pump_in.abort();
    resizer.abort();
    if let Some(e) = failure {
        return Err(e);
    }
    control.wait().await
}
