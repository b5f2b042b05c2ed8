//! The experiment behind RESULTS.md's profile notes: hyper's HTTP/1 connection driven in a
//! spawned task (what reqwest and bollard do) or polled by the reader itself, on the default
//! multi-thread runtime.
//!
//! ```text
//! same_task SOCK CONTAINER spawn|same     read CONTAINER's log, demultiplexed: CPU-s/GiB
//! same_task SOCK - ping-spawn|ping-same   2000 GET /_ping on one connection: CPU µs/request
//! ```

use std::future::{Future, poll_fn};
use std::pin::{Pin, pin};
use std::time::Instant;

use http_body_util::{BodyExt, Empty};
use hyper::body::{Body, Bytes};
use hyper_util::rt::TokioIo;

type Error = Box<dyn std::error::Error + Send + Sync>;

fn cpu_secs() -> f64 {
    // SAFETY: getrusage only writes the struct it is given.
    let ru = unsafe {
        let mut ru: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_SELF, &mut ru);
        ru
    };
    let tv = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    tv(ru.ru_utime) + tv(ru.ru_stime)
}

/// Counts the payload bytes of the multiplexed stream format.
#[derive(Default)]
struct Demux {
    header: usize,
    len: usize,
    payload: u64,
}

impl Demux {
    fn push(&mut self, mut b: &[u8]) {
        while !b.is_empty() {
            if self.len == 0 {
                let n = (8 - self.header).min(b.len());
                for &x in &b[..n] {
                    if self.header >= 4 {
                        self.len = self.len << 8 | x as usize;
                    }
                    self.header += 1;
                }
                b = &b[n..];
                if self.header == 8 {
                    self.header = 0;
                }
            } else {
                let n = self.len.min(b.len());
                (self.payload, self.len, b) = (self.payload + n as u64, self.len - n, &b[n..]);
            }
        }
    }
}

fn get(path: &str) -> hyper::Request<Empty<Bytes>> {
    let r = hyper::Request::get(path).header("host", "localhost");
    r.body(Empty::new()).expect("a valid request")
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let args: Vec<String> = std::env::args().collect();
    let [_, sock, id, mode] = &args[..] else {
        return Err("usage: same_task SOCK CONTAINER|- spawn|same|ping-spawn|ping-same".into());
    };
    let io = TokioIo::new(tokio::net::UnixStream::connect(sock).await?);
    let (mut send, conn) = hyper::client::conn::http1::handshake(io).await?;
    // Either a task of its own drives the connection, or whoever waits on it polls it first.
    let mut conn = Some(Box::pin(conn));
    if mode.ends_with("spawn") {
        tokio::spawn(conn.take().expect("just made"));
    }
    let mut drive = |cx: &mut std::task::Context<'_>| {
        if let Some(c) = &mut conn
            && c.as_mut().poll(cx).is_ready()
        {
            conn = None;
        }
    };
    let (wall, cpu) = (Instant::now(), cpu_secs());
    if mode.starts_with("ping") {
        for _ in 0..2000 {
            poll_fn(|cx| (drive(cx), send.poll_ready(cx)).1).await?;
            let mut response = pin!(send.send_request(get("/v1.51/_ping")));
            let r = poll_fn(|cx| (drive(cx), response.as_mut().poll(cx)).1).await?;
            let mut body = pin!(r.into_body().collect());
            poll_fn(|cx| (drive(cx), body.as_mut().poll(cx)).1).await?;
        }
        let (c, w) = (cpu_secs() - cpu, wall.elapsed().as_secs_f64());
        println!("{mode}: {:.0} µs CPU/request, {:.0} µs wall/request", c * 5e2, w * 5e2);
        return Ok(());
    }
    let mut response =
        pin!(send.send_request(get(&format!("/v1.51/containers/{id}/logs?stdout=1&stderr=1"))));
    let mut body = poll_fn(|cx| (drive(cx), response.as_mut().poll(cx)).1).await?.into_body();
    let mut demux = Demux::default();
    while let Some(frame) = poll_fn(|cx| (drive(cx), Pin::new(&mut body).poll_frame(cx)).1).await {
        if let Ok(data) = frame?.into_data() {
            demux.push(&data);
        }
    }
    let (c, w) = (cpu_secs() - cpu, wall.elapsed().as_secs_f64());
    let gib = demux.payload as f64 / (1u64 << 30) as f64;
    println!(
        "{mode}: {} bytes, {:.1} MiB/s, {:.1} CPU-s/GiB",
        demux.payload,
        gib * 1024.0 / w,
        c / gib
    );
    Ok(())
}
