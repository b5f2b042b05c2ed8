//! A transparent pipe between the client and the real engine's socket that records what
//! the client sent and counts connections: to see the request line the daemon received
//! and whether connections are reused. The engine behind it is the real one.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{UnixListener, UnixStream};

#[derive(Clone, Default)]
pub struct Recording {
    pub sent: Arc<Mutex<Vec<u8>>>,
    pub connections: Arc<Mutex<usize>>,
}

impl Recording {
    /// Request lines (`GET /v1.51/version HTTP/1.1`) seen so far.
    pub fn request_lines(&self) -> Vec<String> {
        let sent = self.sent.lock().unwrap();
        String::from_utf8_lossy(&sent)
            .lines()
            .filter(|l| l.ends_with(" HTTP/1.1"))
            .map(str::to_string)
            .collect()
    }

    pub fn connections(&self) -> usize {
        *self.connections.lock().unwrap()
    }
}

/// Listen on a fresh socket under `dir`, forwarding to the engine socket `target`.
pub fn start(dir: &str, target: &Path) -> (PathBuf, Recording) {
    let path = PathBuf::from(dir).join(format!(
        "proxy-{}-{}.sock",
        std::process::id(),
        crate::common::unique("p")
    ));
    let _ = std::fs::remove_file(&path);
    let listener = UnixListener::bind(&path).expect("bind proxy socket");
    let recording = Recording::default();
    let rec = recording.clone();
    let target = target.to_path_buf();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            *rec.connections.lock().unwrap() += 1;
            let Ok(server) = UnixStream::connect(&target).await else {
                continue;
            };
            let rec = rec.clone();
            tokio::spawn(async move {
                let (mut cr, mut cw) = client.into_split();
                let (mut sr, mut sw) = server.into_split();
                let up = async {
                    let mut buf = vec![0u8; 64 * 1024];
                    loop {
                        let n = match cr.read(&mut buf).await {
                            Ok(0) | Err(_) => break,
                            Ok(n) => n,
                        };
                        rec.sent.lock().unwrap().extend_from_slice(&buf[..n]);
                        if sw.write_all(&buf[..n]).await.is_err() {
                            break;
                        }
                    }
                    let _ = sw.shutdown().await;
                };
                let down = async {
                    let _ = tokio::io::copy(&mut sr, &mut cw).await;
                    let _ = cw.shutdown().await;
                };
                tokio::join!(up, down);
            });
        }
    });
    (path, recording)
}
