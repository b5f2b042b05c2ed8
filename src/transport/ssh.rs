//! `ssh://` hosts, the way the docker CLI reaches them: the system's `ssh` runs
//! `docker system dial-stdio` on the remote host, and HTTP goes over its stdin and stdout.
//!
//! One `ssh` process per connection: the pool keeps them like any other connection, and a
//! connection dropped (closed by the pool, or at the end of a stream or session) kills its
//! process and reaps it. What `ssh` prints on stderr is kept (the last 8 KiB), and when it
//! exits before the daemon has said anything (an unknown host key, a refused key, no
//! `docker` on the remote side), the connection's error is what it printed. Proven by
//! `ssh_carries_calls_streams_and_sessions_and_says_why_it_fails` (tests/ssh.rs).

use std::pin::Pin;
use std::process::{Child, Command, Stdio};
use std::task::{Context, Poll, ready};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::unix::pipe;
use tokio::sync::oneshot;

/// The most of ssh's stderr that is kept: its last lines say why it failed.
const STDERR_KEPT: usize = 8 * 1024;

/// Where and how to run ssh.
#[derive(Clone, Debug)]
pub(crate) struct SshTarget {
    pub user: Option<String>,
    pub host: String,
    pub port: Option<u16>,
    pub socket: Option<String>,
    /// Options put before the destination (`-F file`, `-i key`, `-o Name=value`).
    pub options: Vec<String>,
}

impl SshTarget {
    /// The arguments, as the docker CLI's `connhelper` builds them: `-l user`, `-p port`,
    /// the caller's options, `-o ConnectTimeout=30` and `-T` unless given, `--`, the host,
    /// and the remote command (`docker system dial-stdio`, with `--host=unix://PATH` when
    /// the URL has a path).
    pub(crate) fn args(&self) -> Vec<String> {
        let mut args = Vec::new();
        if let Some(user) = &self.user {
            args.extend(["-l".to_string(), user.clone()]);
        }
        if let Some(port) = self.port {
            args.extend(["-p".to_string(), port.to_string()]);
        }
        args.extend(self.options.iter().cloned());
        if !self.options.iter().any(|o| o.contains("ConnectTimeout")) {
            args.extend(["-o".to_string(), "ConnectTimeout=30".to_string()]);
        }
        if !self.options.iter().any(|o| o == "-T") {
            args.push("-T".to_string());
        }
        args.extend(["--".to_string(), self.host.clone()]);
        // The remote side reads one command line through its shell.
        let mut remote = vec!["docker".to_string()];
        if let Some(socket) = &self.socket {
            remote.push(shell_quote(&format!("--host=unix://{socket}")));
        }
        remote.extend(["system".to_string(), "dial-stdio".to_string()]);
        args.push(remote.join(" "));
        args
    }

    /// Start `ssh`. Its stdin and stdout are the connection.
    pub(crate) fn spawn(&self) -> std::io::Result<SshSocket> {
        let mut child = Command::new("ssh")
            .args(self.args())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| {
                if e.kind() == std::io::ErrorKind::NotFound {
                    std::io::Error::new(
                        e.kind(),
                        "cannot run `ssh`: it is not on PATH (ssh:// hosts need OpenSSH's client)",
                    )
                } else {
                    std::io::Error::new(e.kind(), format!("cannot run `ssh`: {e}"))
                }
            })?;
        let pipes = (|| {
            let stdin = pipe::Sender::from_owned_fd(child.stdin.take().expect("piped").into())?;
            let stdout = pipe::Receiver::from_owned_fd(child.stdout.take().expect("piped").into())?;
            let stderr = pipe::Receiver::from_owned_fd(child.stderr.take().expect("piped").into())?;
            Ok::<_, std::io::Error>((stdin, stdout, stderr))
        })();
        let (stdin, stdout, stderr) = match pipes {
            Ok(p) => p,
            Err(e) => {
                reap(child);
                return Err(e);
            }
        };
        let (tx, said) = oneshot::channel();
        tokio::spawn(async move {
            use tokio::io::AsyncReadExt;
            let mut stderr = stderr;
            let mut kept = Vec::new();
            let mut buf = [0u8; 4096];
            while let Ok(n) = stderr.read(&mut buf).await {
                if n == 0 {
                    break;
                }
                kept.extend_from_slice(&buf[..n]);
                if kept.len() > STDERR_KEPT {
                    kept.drain(..kept.len() - STDERR_KEPT);
                }
            }
            let _ = tx.send(String::from_utf8_lossy(&kept).trim().to_string());
        });
        Ok(SshSocket {
            stdin: Some(stdin),
            stdout,
            child: Some(child),
            said,
            answered: false,
        })
    }
}

/// Quote for a POSIX shell: `'...'`, with `'` written as `'\''`.
fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// Kill and reap, without blocking the caller: ssh exits at once on SIGKILL, and a short
/// thread waits for it, so no zombie is left.
fn reap(mut child: Child) {
    let _ = child.kill();
    if let Ok(Some(_)) = child.try_wait() {
        return;
    }
    let _ = std::thread::Builder::new()
        .name("docker-engine-ssh-reap".into())
        .spawn(move || {
            let _ = child.wait();
        });
}

/// One `ssh ... docker system dial-stdio` process as a connection.
pub(crate) struct SshSocket {
    /// `None` once shut down: closing it is how ssh learns of the half-close.
    stdin: Option<pipe::Sender>,
    stdout: pipe::Receiver,
    child: Option<Child>,
    /// What ssh printed on stderr, once it has closed it (it exited).
    said: oneshot::Receiver<String>,
    /// Whether the daemon has sent anything: an end before that is ssh failing.
    answered: bool,
}

impl SshSocket {
    /// The connection ended before the daemon answered: wait for ssh to finish saying why.
    fn failure(&mut self, cx: &mut Context<'_>, what: &str) -> Poll<std::io::Error> {
        let said = ready!(Pin::new(&mut self.said).poll(cx)).unwrap_or_default();
        let status = self
            .child
            .as_mut()
            .and_then(|c| c.try_wait().ok().flatten())
            .map(|s| format!(" ({s})"))
            .unwrap_or_default();
        let said = if said.is_empty() {
            "it printed nothing".to_string()
        } else {
            format!("ssh said: {said}")
        };
        Poll::Ready(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            format!("ssh {what} before the daemon answered{status}; {said}"),
        ))
    }
}

use std::future::Future;

impl Drop for SshSocket {
    fn drop(&mut self) {
        if let Some(child) = self.child.take() {
            reap(child);
        }
    }
}

impl AsyncRead for SshSocket {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        ready!(Pin::new(&mut self.stdout).poll_read(cx, buf))?;
        if buf.filled().len() > before {
            self.answered = true;
        } else if !self.answered {
            return self.failure(cx, "ended").map(Err);
        } else if let Some(child) = self.child.as_mut()
            && let Ok(Some(_)) = child.try_wait()
        {
            // ssh is done (the daemon closed the connection): reaped now, not left a
            // zombie for as long as the connection is held.
            self.child = None;
        }
        Poll::Ready(Ok(()))
    }
}

impl AsyncWrite for SshSocket {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let Some(stdin) = self.stdin.as_mut() else {
            return Poll::Ready(Err(std::io::ErrorKind::BrokenPipe.into()));
        };
        match ready!(Pin::new(stdin).poll_write(cx, data)) {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe && !self.answered => {
                self.failure(cx, "exited").map(Err)
            }
            other => Poll::Ready(other),
        }
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.stdin.as_mut() {
            Some(stdin) => Pin::new(stdin).poll_flush(cx),
            None => Poll::Ready(Ok(())),
        }
    }

    /// A half-close: ssh's stdin is closed, ssh passes the end on, and dial-stdio closes
    /// its write side to the daemon (an exec's stdin ends).
    fn poll_shutdown(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        self.stdin = None;
        Poll::Ready(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_is_the_docker_clis() {
        let t = SshTarget {
            user: Some("me".into()),
            host: "box".into(),
            port: Some(2222),
            socket: None,
            options: vec![],
        };
        assert_eq!(
            t.args(),
            [
                "-l",
                "me",
                "-p",
                "2222",
                "-o",
                "ConnectTimeout=30",
                "-T",
                "--",
                "box",
                "docker system dial-stdio"
            ]
        );
        let t = SshTarget {
            user: None,
            host: "box".into(),
            port: None,
            socket: Some("/run/user/1000/it's docker.sock".into()),
            options: vec![
                "-F".into(),
                "/cfg".into(),
                "-o".into(),
                "ConnectTimeout=5".into(),
            ],
        };
        assert_eq!(
            t.args(),
            [
                "-F",
                "/cfg",
                "-o",
                "ConnectTimeout=5",
                "-T",
                "--",
                "box",
                r"docker '--host=unix:///run/user/1000/it'\''s docker.sock' system dial-stdio"
            ]
        );
    }
}
