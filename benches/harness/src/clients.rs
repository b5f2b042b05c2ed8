//! The clients under test, behind one enum: each operation a workload needs, written the
//! way a user of that client would write it.

use std::collections::HashMap;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use bollard::exec::{CreateExecOptions, StartExecResults};
use bollard::models::ContainerCreateBody;
use bollard::query_parameters::{
    ListContainersOptionsBuilder, LogsOptionsBuilder, RemoveContainerOptionsBuilder,
};
use futures_util::StreamExt;

/// Label on every container the harness creates; the test engines' sweep removes them too.
pub const TEST_LABEL: &str = "io.docker-engine.test";
/// Label naming the workload a container belongs to; the harness sweeps by it.
pub const BENCH_LABEL: &str = "io.docker-engine.bench";
/// The API version both clients speak: the newest the 28.5 engine accepts.
const API: bollard::ClientVersion = bollard::ClientVersion { major_version: 1, minor_version: 51 };

/// A client under test.
#[derive(Clone)]
pub enum Client {
    Engine(docker_engine::Docker),
    Bollard(bollard::Docker),
    /// `curl --unix-socket`: the floor for log streaming (W3, W3b), nothing else.
    Curl(String),
}

impl Client {
    /// Connect `kind` (`engine`, `bollard`, `curl`) to the unix socket at `sock`.
    pub fn connect(kind: &str, sock: &str) -> Result<Client> {
        Ok(match kind {
            "engine" => Client::Engine(docker_engine::Docker::connect(&format!("unix://{sock}"))?),
            // bollard's own default; 120 s is its request timeout.
            "bollard" => Client::Bollard(bollard::Docker::connect_with_unix(sock, 120, &API)?),
            "curl" => Client::Curl(sock.to_string()),
            other => bail!("unknown client {other:?}"),
        })
    }

    pub fn name(&self) -> &'static str {
        match self {
            Client::Engine(_) => "docker-engine",
            Client::Bollard(_) => "bollard",
            Client::Curl(_) => "curl",
        }
    }

    /// `GET /_ping`.
    pub async fn ping(&self) -> Result<()> {
        match self {
            Client::Engine(d) => d.ping().await?,
            Client::Bollard(d) => drop(d.ping().await?),
            Client::Curl(_) => bail!("curl only reads logs"),
        }
        Ok(())
    }

    /// `docker ps -a --filter label=LABEL`: how many containers.
    pub async fn count_labelled(&self, label: &str) -> Result<usize> {
        Ok(match self {
            Client::Engine(d) => d.containers().list().all(true).label(label).send().await?.len(),
            Client::Bollard(d) => {
                let filters = HashMap::from([("label", vec![label])]);
                let options =
                    ListContainersOptionsBuilder::new().all(true).filters(&filters).build();
                d.list_containers(Some(options)).await?.len()
            }
            Client::Curl(_) => bail!("curl only reads logs"),
        })
    }

    /// `docker create` with the harness's labels; the new container's id.
    pub async fn create(&self, image: &str, cmd: &[&str], workload: &str) -> Result<String> {
        Ok(match self {
            Client::Engine(d) => d
                .containers()
                .create(image)
                .cmd(cmd.iter().copied())
                .label(TEST_LABEL, "1")
                .label(BENCH_LABEL, workload)
                .tty(false)
                .send()
                .await?
                .id()
                .to_string(),
            Client::Bollard(d) => {
                let labels = HashMap::from([
                    (TEST_LABEL.to_string(), "1".to_string()),
                    (BENCH_LABEL.to_string(), workload.to_string()),
                ]);
                let body = ContainerCreateBody {
                    image: Some(image.into()),
                    cmd: Some(cmd.iter().map(|s| s.to_string()).collect()),
                    labels: Some(labels),
                    tty: Some(false),
                    ..Default::default()
                };
                d.create_container(None, body).await?.id
            }
            Client::Curl(_) => bail!("curl only reads logs"),
        })
    }

    pub async fn start(&self, id: &str) -> Result<()> {
        match self {
            Client::Engine(d) => d.containers().handle(id).start().await?,
            Client::Bollard(d) => d.start_container(id, None).await?,
            Client::Curl(_) => bail!("curl only reads logs"),
        }
        Ok(())
    }

    /// `docker wait`: the exit code.
    pub async fn wait(&self, id: &str) -> Result<i64> {
        match self {
            Client::Engine(d) => Ok(d.containers().handle(id).wait().await?),
            Client::Bollard(d) => match d.wait_container(id, None).next().await {
                Some(Ok(r)) => Ok(r.status_code),
                // bollard turns a non-zero exit into this error.
                Some(Err(bollard::errors::Error::DockerContainerWaitError { code, .. })) => {
                    Ok(code)
                }
                Some(Err(e)) => Err(e.into()),
                None => bail!("wait answered nothing"),
            },
            Client::Curl(_) => bail!("curl only reads logs"),
        }
    }

    /// `docker rm -f`.
    pub async fn remove(&self, id: &str) -> Result<()> {
        match self {
            Client::Engine(d) => {
                d.containers().handle(id).remove().force(true).volumes(true).send().await?
            }
            Client::Bollard(d) => {
                let o = RemoveContainerOptionsBuilder::new().force(true).v(true).build();
                d.remove_container(id, Some(o)).await?
            }
            Client::Curl(_) => bail!("curl only reads logs"),
        }
        Ok(())
    }

    /// Read the whole log of a stopped container (stdout and stderr, not following),
    /// demultiplexed: how many payload bytes.
    pub async fn read_logs(&self, id: &str) -> Result<u64> {
        let mut n = 0u64;
        match self {
            Client::Engine(d) => {
                let c = d.containers().handle(id);
                let mut logs = c.logs().stdout(true).stderr(true).follow(false).stream();
                while let Some(chunk) = logs.next().await {
                    n += chunk?.bytes().len() as u64;
                }
            }
            Client::Bollard(d) => {
                let o = LogsOptionsBuilder::new().stdout(true).stderr(true).build();
                let mut logs = d.logs(id, Some(o));
                while let Some(chunk) = logs.next().await {
                    n += chunk?.as_ref().len() as u64;
                }
            }
            Client::Curl(sock) => n = curl_logs(sock, id).await?,
        }
        Ok(n)
    }

    /// Run `cmd` in container `id` on an attached (upgraded) exec connection and read its
    /// output to the end: payload bytes and exit code. docker-engine: a `Session`.
    pub async fn exec_stream(&self, id: &str, cmd: &[&str]) -> Result<(u64, i64)> {
        let Client::Engine(d) = self else {
            return self.exec_run(id, cmd).await;
        };
        let mut session = d.containers().handle(id).exec(cmd.to_vec()).start().await?;
        let mut n = 0;
        while let Some(chunk) = session.next().await {
            n += chunk?.bytes().len() as u64;
        }
        Ok((n, session.wait().await?))
    }

    /// docker-py's `exec_run(cmd)`: create, start attached, read the output, exit code.
    /// docker-engine: its `exec_run`; bollard: the same steps by hand.
    pub async fn exec_run(&self, id: &str, cmd: &[&str]) -> Result<(u64, i64)> {
        match self {
            Client::Engine(d) => {
                let r = d.containers().handle(id).exec_run(cmd.to_vec()).send().await?;
                let n = (r.stdout.len() + r.stderr.len()) as u64;
                Ok((n, r.exit_code.context("exec_run gave no exit code")?))
            }
            Client::Bollard(d) => {
                let config = CreateExecOptions {
                    cmd: Some(cmd.to_vec()),
                    attach_stdout: Some(true),
                    attach_stderr: Some(true),
                    ..Default::default()
                };
                let exec_id = d.create_exec(id, config).await?.id;
                let StartExecResults::Attached { mut output, .. } =
                    d.start_exec(&exec_id, None).await?
                else {
                    bail!("start_exec did not attach");
                };
                let mut n = 0;
                while let Some(chunk) = output.next().await {
                    n += chunk?.as_ref().len() as u64;
                }
                Ok((n, bollard_exit_code(d, &exec_id).await?))
            }
            Client::Curl(_) => bail!("curl only reads logs"),
        }
    }
}

/// Exec inspect until the process has ended, with the same back-off docker-engine uses
/// (the output can end a moment before the daemon records the exit code).
async fn bollard_exit_code(d: &bollard::Docker, exec_id: &str) -> Result<i64> {
    let mut delay = Duration::from_millis(5);
    loop {
        let r = d.inspect_exec(exec_id).await?;
        if r.running != Some(true) {
            return r.exit_code.context("exec inspect has no exit code");
        }
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(Duration::from_millis(200));
    }
}

/// `curl -s --unix-socket SOCK .../logs -o /dev/null`: bytes on the wire (frames and
/// headers included). Its CPU is measured by the caller with `RUSAGE_CHILDREN`.
async fn curl_logs(sock: &str, id: &str) -> Result<u64> {
    let url = format!("http://localhost/v1.51/containers/{id}/logs?stdout=1&stderr=1");
    let out = tokio::process::Command::new("curl")
        .args(["-sS", "--fail", "--unix-socket", sock, &url])
        .args(["-o", "/dev/null", "-w", "%{size_download}"])
        .output()
        .await
        .context("running curl")?;
    if !out.status.success() {
        bail!("curl: {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().parse()?)
}
