//! Swarm mode: [`Swarm`] (`docker.swarm()`), and the collections of a swarm's objects,
//! [`Nodes`](nodes::Nodes), [`Services`](services::Services), [`Tasks`](tasks::Tasks),
//! [`Secrets`](data::Secrets) and [`Configs`](data::Configs), docker-py's `client.swarm`,
//! `client.nodes`, `client.services`, `client.secrets` and `client.configs`.
//!
//! Specs the daemon versions (the swarm's, a node's, a service's, a secret's) are updated
//! the way the docker CLI does it: inspect for the current spec and its version index,
//! change what was asked, send the whole spec back with that index. A concurrent change to
//! the spec in between makes the daemon refuse the update (`Error::Api`, "update out of
//! sequence"). An index moved by the daemon's own bookkeeping alone (a rolling update's
//! status) does not: the update is sent again with the new index.
//!
//! Specs are read and edited in their JSON form, with the wire names of the Engine API
//! (`TaskTemplate.ContainerSpec.Env`): those are stable across API versions where the
//! generated Rust shapes are not.

pub mod data;
pub mod nodes;
pub mod services;
pub mod tasks;

use serde_json::Value;

use crate::client::Docker;
use crate::error::{Error, Result};
use crate::models::body_from_json;
use crate::models::model::Answer;
use crate::raw::types::op;

impl Docker {
    /// The swarm this engine is part of: init, join, leave, inspect, update, unlock.
    ///
    /// The integration test `swarm_services_tasks_nodes_secrets_configs_and_plugins` goes through
    /// it.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let node_id = docker.swarm().init().advertise_addr("10.0.0.1").send().await?;
    /// let tokens = docker.swarm().inspect().await?.join_tokens;
    /// println!("node {node_id}; workers join with {:?}", tokens.and_then(|t| t.worker));
    /// # Ok(()) }
    /// ```
    pub fn swarm(&self) -> Swarm {
        Swarm {
            docker: self.clone(),
        }
    }
}

/// `docker.swarm()`.
#[derive(Clone, Debug)]
pub struct Swarm {
    docker: Docker,
}

impl Swarm {
    /// `docker swarm init`: a builder.
    ///
    /// The integration test `swarm_services_tasks_nodes_secrets_configs_and_plugins` makes the same
    /// call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let node_id = docker.swarm().init().listen_addr("0.0.0.0:2377").send().await?;
    /// println!("this node is {node_id}");
    /// # Ok(()) }
    /// ```
    pub fn init(&self) -> InitSwarm {
        InitSwarm {
            docker: self.docker.clone(),
            body: serde_json::Map::new(),
        }
    }

    /// `docker swarm join`: a builder, with a manager's address and the join token.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let manager = "10.0.0.1:2377";
    /// let token = std::env::var("SWARM_WORKER_TOKEN").unwrap_or_default();
    /// docker.swarm().join([manager], token).advertise_addr("10.0.0.2").send().await?;
    /// # Ok(()) }
    /// ```
    pub fn join(
        &self,
        remote_addrs: impl IntoIterator<Item = impl Into<String>>,
        join_token: impl Into<String>,
    ) -> JoinSwarm {
        let addrs: Vec<String> = remote_addrs.into_iter().map(Into::into).collect();
        let mut body = serde_json::Map::new();
        body.insert("RemoteAddrs".into(), addrs.into());
        body.insert("JoinToken".into(), join_token.into().into());
        JoinSwarm {
            docker: self.docker.clone(),
            body,
        }
    }

    /// `docker swarm leave`; `force` is needed on the last manager.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// docker.swarm().leave(true).await?; // force: this is the last manager
    /// # Ok(()) }
    /// ```
    pub async fn leave(&self, force: bool) -> Result<()> {
        let call = self.docker.raw().swarm_leave().force(force).send();
        self.docker.call(call).await.map(drop)
    }

    /// `docker swarm inspect` (docker-py's `swarm.attrs` after `reload()`): the spec, its
    /// version, the join tokens. Only a manager answers.
    ///
    /// The integration test `swarm_services_tasks_nodes_secrets_configs_and_plugins` makes the same
    /// call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let swarm = docker.swarm().inspect().await?;
    /// println!("swarm {:?}, version {:?}", swarm.id, swarm.version.and_then(|v| v.index));
    /// # Ok(()) }
    /// ```
    pub async fn inspect(&self) -> Result<op::swarm_inspect::Response> {
        self.docker
            .call(self.docker.raw().swarm_inspect().send())
            .await
    }

    /// `docker swarm update`: a builder; the spec is read, changed and sent back with its
    /// version index.
    ///
    /// The integration test `swarm_services_tasks_nodes_secrets_configs_and_plugins` makes the same
    /// call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// docker.swarm().update().task_history_limit(2).rotate_worker_token(true).send().await?;
    /// # Ok(()) }
    /// ```
    pub fn update(&self) -> UpdateSwarm {
        UpdateSwarm {
            docker: self.docker.clone(),
            edits: Vec::new(),
            rotate_worker_token: None,
            rotate_manager_token: None,
            rotate_manager_unlock_key: None,
        }
    }

    /// `docker swarm unlock-key`: the key that unlocks a manager of an autolocked swarm
    /// (empty when autolock is off).
    ///
    /// The integration test `swarm_services_tasks_nodes_secrets_configs_and_plugins` makes the same
    /// call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// docker.swarm().update().autolock(true).send().await?;
    /// let key = docker.swarm().unlock_key().await?;
    /// println!("keep this safe: {key}");
    /// # Ok(()) }
    /// ```
    pub async fn unlock_key(&self) -> Result<String> {
        let key = self
            .docker
            .call(self.docker.raw().swarm_unlockkey().send())
            .await?;
        let key = serde_json::to_value(&key).map_err(|e| Error::decode("unlock key", e))?;
        Ok(key["UnlockKey"].as_str().unwrap_or_default().to_string())
    }

    /// `docker swarm unlock`: unlock a manager of an autolocked swarm after a restart.
    ///
    /// The integration test `swarm_services_tasks_nodes_secrets_configs_and_plugins` makes the same
    /// call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let key = std::env::var("SWARM_UNLOCK_KEY").unwrap_or_default();
    /// docker.swarm().unlock(key).await?;
    /// # Ok(()) }
    /// ```
    pub async fn unlock(&self, key: impl Into<String>) -> Result<()> {
        let body: op::swarm_unlock::Body = body_from_json(
            serde_json::json!({ "UnlockKey": key.into() }),
            "the unlock key",
        )?;
        let call = self.docker.raw().swarm_unlock().body(body).send();
        self.docker.call(call).await.map(drop)
    }
}

/// Builder of `POST /swarm/init`.
#[derive(Debug)]
pub struct InitSwarm {
    docker: Docker,
    body: serde_json::Map<String, Value>,
}

impl InitSwarm {
    fn set(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.body.insert(key.into(), value.into());
        self
    }

    /// Where managers listen for each other (`0.0.0.0:2377` by default): `ip[:port]` or an
    /// interface name.
    pub fn listen_addr(self, addr: impl Into<String>) -> Self {
        self.set("ListenAddr", addr.into())
    }

    /// The address other nodes reach this one at.
    pub fn advertise_addr(self, addr: impl Into<String>) -> Self {
        self.set("AdvertiseAddr", addr.into())
    }

    /// The address overlay traffic of the swarm uses.
    ///
    /// The integration test `swarm_services_tasks_nodes_secrets_configs_and_plugins` makes the same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let node_id = docker
    ///     .swarm()
    ///     .init()
    ///     .listen_addr("10.0.0.1:2377")
    ///     .advertise_addr("10.0.0.1:2377")
    ///     .data_path_addr("eth1") // overlay traffic on another interface
    ///     .data_path_port(4789)
    ///     .default_addr_pool("10.20.0.0/16")
    ///     .subnet_size(24)
    ///     .send()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn data_path_addr(self, addr: impl Into<String>) -> Self {
        self.set("DataPathAddr", addr.into())
    }

    /// The UDP port of overlay (VXLAN) traffic, 4789 by default (API 1.40).
    pub fn data_path_port(self, port: u16) -> Self {
        self.set("DataPathPort", port)
    }

    /// Address pools, in CIDR form, that overlay networks take their subnets from.
    pub fn default_addr_pool(mut self, cidr: impl Into<String>) -> Self {
        let pools = self
            .body
            .entry("DefaultAddrPool")
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(pools) = pools {
            pools.push(cidr.into().into());
        }
        self
    }

    /// The size of the subnets taken from the pools (a prefix length, 24 by default).
    pub fn subnet_size(self, bits: u32) -> Self {
        self.set("SubnetSize", bits)
    }

    /// Start a new one-node cluster from this node's state (`--force-new-cluster`).
    ///
    /// The integration test `swarm_services_tasks_nodes_secrets_configs_and_plugins` makes the same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// // The other managers are gone: this node becomes the only manager of a new cluster.
    /// let node_id = docker.swarm().init().force_new_cluster(true).send().await?;
    /// # Ok(()) }
    /// ```
    pub fn force_new_cluster(self, yes: bool) -> Self {
        self.set("ForceNewCluster", yes)
    }

    /// Lock managers' keys with a key of their own after a restart (`--autolock`).
    pub fn autolock(mut self, yes: bool) -> Self {
        let spec = self
            .body
            .entry("Spec")
            .or_insert_with(|| Value::Object(Default::default()));
        spec["EncryptionConfig"] = serde_json::json!({ "AutoLockManagers": yes });
        self
    }

    /// Create the swarm; the id of this node.
    ///
    /// Several settings together; the integration test
    /// `swarm_services_tasks_nodes_secrets_configs_and_plugins` initialises a swarm.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let node_id = docker
    ///     .swarm()
    ///     .init()
    ///     .advertise_addr("10.0.0.1")
    ///     .data_path_port(4789)
    ///     .default_addr_pool("10.100.0.0/16")
    ///     .subnet_size(26)
    ///     .autolock(false)
    ///     .send()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn send(mut self) -> Result<String> {
        // The generated body always carries `SubnetSize`, and the daemon's allocator fails
        // on pools of size 0: the docker CLI's default, as the CLI sends it.
        self.body.entry("SubnetSize").or_insert(24.into());
        let body: op::swarm_init::Body = body_from_json(Value::Object(self.body), "swarm init")?;
        let id = self
            .docker
            .call(self.docker.raw().swarm_init().body(body).send())
            .await?;
        Ok(id.to_string())
    }
}

/// Builder of `POST /swarm/join`.
#[derive(Debug)]
pub struct JoinSwarm {
    docker: Docker,
    body: serde_json::Map<String, Value>,
}

impl JoinSwarm {
    /// Where this node listens for the swarm's managers.
    pub fn listen_addr(mut self, addr: impl Into<String>) -> Self {
        self.body.insert("ListenAddr".into(), addr.into().into());
        self
    }

    /// The address the other nodes reach this one at.
    pub fn advertise_addr(mut self, addr: impl Into<String>) -> Self {
        self.body.insert("AdvertiseAddr".into(), addr.into().into());
        self
    }

    /// Join.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let token = std::env::var("SWARM_MANAGER_TOKEN").unwrap_or_default();
    /// let join = docker.swarm().join(["10.0.0.1:2377", "10.0.0.3:2377"], token);
    /// join.listen_addr("0.0.0.0:2377").advertise_addr("10.0.0.2").send().await?;
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<()> {
        let body: op::swarm_join::Body = body_from_json(Value::Object(self.body), "swarm join")?;
        let call = self.docker.raw().swarm_join().body(body).send();
        self.docker.call(call).await.map(drop)
    }
}

/// A change to a spec in its JSON form.
pub(crate) type Edit = Box<dyn FnOnce(&mut Value) + Send>;

/// Builder of `POST /swarm/update`.
pub struct UpdateSwarm {
    docker: Docker,
    edits: Vec<Edit>,
    rotate_worker_token: Option<bool>,
    rotate_manager_token: Option<bool>,
    rotate_manager_unlock_key: Option<bool>,
}

impl std::fmt::Debug for UpdateSwarm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UpdateSwarm")
            .field("edits", &self.edits.len())
            .finish_non_exhaustive()
    }
}

impl UpdateSwarm {
    /// Change the spec in its JSON form (`spec["Raft"]["SnapshotInterval"] = ...`).
    pub fn edit(mut self, f: impl FnOnce(&mut Value) + Send + 'static) -> Self {
        self.edits.push(Box::new(f));
        self
    }

    /// How many finished tasks each service keeps (`--task-history-limit`).
    pub fn task_history_limit(self, n: i64) -> Self {
        self.edit(move |spec| spec["Orchestration"]["TaskHistoryRetentionLimit"] = n.into())
    }

    /// Turn autolock on or off (`--autolock`).
    pub fn autolock(self, yes: bool) -> Self {
        self.edit(move |spec| spec["EncryptionConfig"]["AutoLockManagers"] = yes.into())
    }

    /// A label on the swarm.
    pub fn label(self, key: impl Into<String>, value: impl Into<String>) -> Self {
        let (key, value) = (key.into(), value.into());
        self.edit(move |spec| spec["Labels"][key] = value.into())
    }

    /// Issue a new worker join token.
    pub fn rotate_worker_token(mut self, yes: bool) -> Self {
        self.rotate_worker_token = Some(yes);
        self
    }

    /// Issue a new manager join token.
    ///
    /// The integration test `swarm_services_tasks_nodes_secrets_configs_and_plugins` makes the same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// docker
    ///     .swarm()
    ///     .update()
    ///     .rotate_worker_token(true)
    ///     .rotate_manager_token(true)
    ///     .send()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn rotate_manager_token(mut self, yes: bool) -> Self {
        self.rotate_manager_token = Some(yes);
        self
    }

    /// Issue a new unlock key.
    pub fn rotate_manager_unlock_key(mut self, yes: bool) -> Self {
        self.rotate_manager_unlock_key = Some(yes);
        self
    }

    /// Read the spec, apply the changes, send it back with its version index.
    ///
    /// The integration test `swarm_services_tasks_nodes_secrets_configs_and_plugins` updates the
    /// swarm.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// docker
    ///     .swarm()
    ///     .update()
    ///     .label("env", "staging")
    ///     .edit(|spec| spec["Raft"]["SnapshotInterval"] = 20_000.into())
    ///     .rotate_manager_unlock_key(true)
    ///     .send()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<()> {
        let d = &self.docker;
        let send = |version, body: op::swarm_update::Body| {
            let mut call = d.raw().swarm_update().version(version).body(body);
            if let Some(v) = self.rotate_worker_token {
                call = call.rotate_worker_token(v);
            }
            if let Some(v) = self.rotate_manager_token {
                call = call.rotate_manager_token(v);
            }
            if let Some(v) = self.rotate_manager_unlock_key {
                call = call.rotate_manager_unlock_key(v);
            }
            async move { d.call(call.send()).await.map(drop) }
        };
        let inspect = || async {
            let c = d.capture_whole();
            c.whole(c.raw().swarm_inspect().send()).await
        };
        update_versioned(inspect, self.edits, send).await
    }
}

/// How often [`update_versioned`] sends again when only the version index moved.
const OUT_OF_SEQUENCE_RETRIES: usize = 5;

/// Read a swarm object with `inspect`, apply `edits` to its spec and `send` the result with
/// its version index.
///
/// The index moves with the daemon's own bookkeeping too: a rolling update's status, a
/// node's state. The daemon then refuses the update as "update out of sequence" though
/// nobody changed the spec. So when it does and the spec read again is still the one that
/// was edited, the same body goes again with the new index, up to
/// [`OUT_OF_SEQUENCE_RETRIES`] times. A spec that changed in between is a concurrent change:
/// the daemon's error is returned. Tested by `swarm_services_tasks_nodes_secrets_configs_and_plugins`
/// (tests/swarm.rs), which rolls a service back while its update is rolling out, and by
/// `an_update_refused_as_out_of_sequence_is_sent_again_only_if_the_spec_is_unchanged`.
pub(crate) async fn update_versioned<A, B, FI, FS>(
    inspect: impl Fn() -> FI,
    edits: Vec<Edit>,
    send: impl Fn(i64, B) -> FS,
) -> Result<()>
where
    B: serde::de::DeserializeOwned + Clone,
    FI: Future<Output = Result<(A, Answer)>>,
    FS: Future<Output = Result<()>>,
{
    let read = || async { Ok::<_, Error>(inspect().await?.1.json().clone()) };
    let current = read().await?;
    let (mut version, body): (_, B) = edited(&current, edits)?;
    let mut retries = 0;
    loop {
        match send(version, body.clone()).await {
            Err(e) if retries < OUT_OF_SEQUENCE_RETRIES && is_out_of_sequence(&e) => {
                retries += 1;
                let now = read().await?;
                if now["Spec"] != current["Spec"] {
                    return Err(e);
                }
                version = version_index(&now)?;
            }
            done => return done,
        }
    }
}

/// The daemon's refusal of an update sent with a version index that is no longer current.
fn is_out_of_sequence(e: &Error) -> bool {
    e.message()
        .is_some_and(|m| m.contains("update out of sequence"))
}

fn version_index(attrs: &Value) -> Result<i64> {
    attrs["Version"]["Index"]
        .as_i64()
        .ok_or_else(|| Error::stream("the daemon's answer has no version index"))
}

/// The version index of an inspected swarm object (as JSON), and its spec with `edits`
/// applied, as the body `B` of its update. Edits see the spec as JSON, an object wherever
/// they may index into one.
fn edited<B: serde::de::DeserializeOwned>(attrs: &Value, edits: Vec<Edit>) -> Result<(i64, B)> {
    let version = version_index(attrs)?;
    let mut spec = attrs["Spec"].clone();
    if !spec.is_object() {
        spec = Value::Object(Default::default());
    }
    for edit in edits {
        edit(&mut spec);
    }
    Ok((version, body_from_json(spec, "the edited spec")?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::sync::Mutex;

    /// A daemon in a closure: inspect answers come from `reads`, each send is recorded
    /// and refused as out of sequence while `refusals` lasts.
    async fn run(reads: Vec<Value>, refusals: usize) -> (Result<()>, Vec<(i64, Value)>) {
        let reads = Mutex::new(reads.into_iter());
        let sent = Mutex::new(Vec::new());
        let refusals = Mutex::new(refusals);
        let edit: Edit = Box::new(|spec| spec["Labels"] = json!({"k": "v"}));
        let result = update_versioned(
            || {
                let next = reads.lock().unwrap().next().expect("an inspect answer");
                async move { Ok(((), Answer::new(next.to_string().into()))) }
            },
            vec![edit],
            |version, body: Value| {
                sent.lock().unwrap().push((version, body));
                let mut left = refusals.lock().unwrap();
                let answer = if *left > 0 {
                    *left -= 1;
                    Err(Error::Api {
                        status: 500,
                        message: "rpc error: code = Unknown desc = update out of sequence".into(),
                    })
                } else {
                    Ok(())
                };
                async move { answer }
            },
        )
        .await;
        (result, sent.into_inner().unwrap())
    }

    fn at(index: i64, name: &str) -> Value {
        json!({"Version": {"Index": index}, "Spec": {"Name": name}})
    }

    #[tokio::test]
    async fn an_update_refused_as_out_of_sequence_is_sent_again_only_if_the_spec_is_unchanged() {
        let edited = json!({"Name": "a", "Labels": {"k": "v"}});
        // Only the index moved: the same body goes again, with the new index.
        let (result, sent) = run(vec![at(10, "a"), at(12, "a")], 1).await;
        result.unwrap();
        assert_eq!(sent, vec![(10, edited.clone()), (12, edited.clone())]);

        // The spec changed under the edit: the daemon's refusal is the answer.
        let (result, sent) = run(vec![at(10, "a"), at(12, "b")], 1).await;
        let e = result.unwrap_err();
        assert!(is_out_of_sequence(&e), "{e:?}");
        assert_eq!(sent.len(), 1);

        // A daemon that keeps refusing is given up on after the retries.
        let reads = (0..10).map(|i| at(10 + i, "a")).collect();
        let (result, sent) = run(reads, usize::MAX).await;
        assert!(is_out_of_sequence(&result.unwrap_err()));
        assert_eq!(sent.len(), 1 + OUT_OF_SEQUENCE_RETRIES);

        // An accepted update is sent once.
        let (result, sent) = run(vec![at(10, "a")], 0).await;
        result.unwrap();
        assert_eq!(sent.len(), 1);
    }
}
