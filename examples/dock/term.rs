//! The local terminal around an exec or attach session: raw mode (restored on drop), the
//! window size and its changes, stdin and stdout proxied; without a TTY, the output demuxed
//! to stdout and stderr. `examples/exec_it.rs` uses this module too.

use std::io::IsTerminal;

use docker_engine::session::{Session, SessionControl};
use docker_engine::stream::LogChunk;
use futures_util::StreamExt;
use rustix::termios::{self, OptionalActions};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::signal::unix::{SignalKind, signal};

/// The terminal's (columns, rows), if stdout is one.
pub fn window_size() -> Option<(u16, u16)> {
    let ws = termios::tcgetwinsize(std::io::stdout()).ok()?;
    Some((ws.ws_col, ws.ws_row))
}

/// Puts the terminal in raw mode; puts it back when dropped.
pub struct RawMode(Option<termios::Termios>);

impl RawMode {
    pub fn enter() -> RawMode {
        let stdin = std::io::stdin();
        if !stdin.is_terminal() {
            return RawMode(None);
        }
        let Ok(saved) = termios::tcgetattr(&stdin) else {
            return RawMode(None);
        };
        let mut raw = saved.clone();
        raw.make_raw();
        if termios::tcsetattr(&stdin, OptionalActions::Now, &raw).is_err() {
            return RawMode(None);
        }
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

/// Gives the remote TTY the local window's size, retrying a few times as the docker CLI
/// does (a process that has just started may not take it yet). Done before any input is
/// forwarded, so the first command typed already sees the size.
pub async fn initial_resize(control: &SessionControl) {
    let Some((w, h)) = window_size() else { return };
    let mut delay = std::time::Duration::from_millis(10);
    for _ in 0..5 {
        if control.resize(w, h).await.is_ok() {
            return;
        }
        tokio::time::sleep(delay).await;
        delay *= 2;
    }
}

/// Resizes the remote TTY whenever the local window changes, until aborted.
pub fn follow_window(control: SessionControl) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let Ok(mut winch) = signal(SignalKind::window_change()) else {
            return;
        };
        while winch.recv().await.is_some() {
            if let Some((w, h)) = window_size() {
                let _ = control.resize(w, h).await;
            }
        }
    })
}

/// Proxies a session: local stdin to it when `stdin`, its output to stdout (and stderr,
/// for a multiplexed stream), the terminal raw while `tty` and stdin is a terminal, the
/// window size followed while `tty`. Returns when the output ends.
pub async fn proxy(session: Session, stdin: bool, tty: bool) -> docker_engine::Result<()> {
    let control = session.control();
    let (mut output, mut input) = session.split();
    let raw = if tty && stdin {
        Some(RawMode::enter())
    } else {
        None
    };
    if tty {
        initial_resize(&control).await;
    }
    let resizer = tty.then(|| follow_window(control.clone()));
    let pump_in = stdin.then(|| {
        tokio::spawn(async move {
            let mut local = tokio::io::stdin();
            let mut buf = vec![0u8; 4096];
            loop {
                match local.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        if input.write_all(&buf[..n]).await.is_err() {
                            break;
                        }
                    }
                }
            }
            let _ = input.shutdown().await;
        })
    });
    let mut stdout = tokio::io::stdout();
    let mut stderr = tokio::io::stderr();
    let mut failure = None;
    while let Some(chunk) = output.next().await {
        let written = match &chunk {
            Ok(LogChunk::StdErr(b)) => stderr.write_all(b).await.and(stderr.flush().await),
            Ok(other) => stdout
                .write_all(other.bytes())
                .await
                .and(stdout.flush().await),
            Err(_) => Ok(()),
        };
        if let Err(e) = chunk {
            failure = Some(e);
            break;
        }
        if written.is_err() {
            break;
        }
    }
    drop(raw);
    if let Some(t) = pump_in {
        t.abort();
    }
    if let Some(t) = resizer {
        t.abort();
    }
    match failure {
        Some(e) => Err(e),
        None => Ok(()),
    }
}
