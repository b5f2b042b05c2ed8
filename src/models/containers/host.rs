//! The host-config settings of [`CreateContainer`]: privileges, namespaces, DNS, resources,
//! devices, mounts. Each names the `docker run` flag it mirrors and the test that shows the
//! daemon taking it.

use std::collections::HashMap;

use super::CreateContainer;
use super::options::{DeviceRequest, Mount};
use crate::raw::types::op;

/// Append `items` to a list field of the host config.
fn extend<I, S>(field: &mut Option<Vec<String>>, items: I)
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    field
        .get_or_insert_with(Vec::new)
        .extend(items.into_iter().map(Into::into));
}

impl CreateContainer {
    /// Remove the container when it exits (`--rm`). `run` then attaches before the start,
    /// as the docker CLI does, so the output is not lost with the container
    /// (`run_with_auto_remove_returns_the_output`).
    pub fn auto_remove(mut self, auto_remove: bool) -> Self {
        self.host_config().auto_remove = Some(auto_remove);
        self
    }

    /// Bind mounts and volumes, `source:target[:options]` (`-v`).
    pub fn bind(mut self, spec: impl Into<String>) -> Self {
        self.host_config()
            .binds
            .get_or_insert_with(Vec::new)
            .push(spec.into());
        self
    }

    /// Mount a named volume (created if missing) at `target`.
    ///
    /// The integration test `a_volume_written_by_one_container_is_read_by_another` makes the same
    /// call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let out = docker
    ///     .containers()
    ///     .run("busybox")
    ///     .volume("pgdata", "/data", true) // read-only
    ///     .cmd(["ls", "/data"])
    ///     .run(true)
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn volume(
        self,
        name: impl Into<String>,
        target: impl Into<String>,
        read_only: bool,
    ) -> Self {
        self.mount(Mount::volume(name, target).read_only(read_only))
    }

    /// A typed mount (`--mount`): [`Mount::bind`], [`Mount::volume`], [`Mount::tmpfs`]
    /// (`mounts_tmpfs_and_volumes_from_reach_the_container`).
    pub fn mount(mut self, mount: Mount) -> Self {
        self.host_config()
            .mounts
            .get_or_insert_with(Vec::new)
            .push(mount.into_inner());
        self
    }

    /// A tmpfs at `path` with mount options (`--tmpfs /run:rw,size=64k`; `""` for the
    /// defaults; `mounts_tmpfs_and_volumes_from_reach_the_container`).
    pub fn tmpfs(mut self, path: impl Into<String>, options: impl Into<String>) -> Self {
        self.host_config()
            .tmpfs
            .get_or_insert_with(HashMap::new)
            .insert(path.into(), options.into());
        self
    }

    /// Mount the volumes of another container, `name[:ro|rw]` (`--volumes-from`;
    /// `mounts_tmpfs_and_volumes_from_reach_the_container`).
    ///
    /// The integration test `mounts_tmpfs_and_volumes_from_reach_the_container` makes the same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// use docker_engine::containers::Mount;
    /// let app = docker
    ///     .containers()
    ///     .create("busybox")
    ///     .volumes_from("data-container:ro")
    ///     .mount(Mount::bind("/srv/config", "/config").read_only(true).propagation("rprivate"))
    ///     .read_only(true)
    ///     .cmd(["ls", "/config"])
    ///     .send()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn volumes_from(mut self, container: impl Into<String>) -> Self {
        extend(&mut self.host_config().volumes_from, [container.into()]);
        self
    }

    /// A read-only root filesystem (`--read-only`;
    /// `mounts_tmpfs_and_volumes_from_reach_the_container`).
    pub fn read_only(mut self, yes: bool) -> Self {
        self.host_config().readonly_rootfs = Some(yes);
        self
    }

    /// Restart policy: `no`, `always`, `unless-stopped`, or `on-failure` with a retry count.
    pub fn restart_policy(mut self, name: impl Into<String>, maximum_retry_count: i64) -> Self {
        self.host_config().restart_policy =
            Some(op::container_create::body::host_config::RestartPolicy {
                name: Some(name.into()),
                maximum_retry_count: Some(maximum_retry_count),
            });
        self
    }

    /// Every capability, every device (`--privileged`;
    /// `privileges_and_namespaces_reach_the_container`).
    pub fn privileged(mut self, yes: bool) -> Self {
        self.host_config().privileged = Some(yes);
        self
    }

    /// Add capabilities (`--cap-add NET_ADMIN`; `privileges_and_namespaces_reach_the_container`).
    pub fn cap_add<I, S>(mut self, capabilities: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        extend(&mut self.host_config().cap_add, capabilities);
        self
    }

    /// Drop capabilities (`--cap-drop CHOWN`; `privileges_and_namespaces_reach_the_container`).
    pub fn cap_drop<I, S>(mut self, capabilities: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        extend(&mut self.host_config().cap_drop, capabilities);
        self
    }

    /// Security options (`--security-opt no-new-privileges:true`, `seccomp=unconfined`,
    /// `label=...`; `privileges_and_namespaces_reach_the_container`).
    pub fn security_opt<I, S>(mut self, options: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        extend(&mut self.host_config().security_opt, options);
        self
    }

    /// Run an init process as PID 1 that reaps zombies and forwards signals (`--init`;
    /// `privileges_and_namespaces_reach_the_container`).
    pub fn init(mut self, yes: bool) -> Self {
        self.host_config().init = Some(yes);
        self
    }

    /// IPC namespace: `private`, `shareable`, `host`, `none`, `container:<id>` (`--ipc`;
    /// `privileges_and_namespaces_reach_the_container`).
    pub fn ipc_mode(mut self, mode: impl Into<String>) -> Self {
        self.host_config().ipc_mode = Some(mode.into());
        self
    }

    /// PID namespace: `host` or `container:<id>` (`--pid`;
    /// `privileges_and_namespaces_reach_the_container`).
    pub fn pid_mode(mut self, mode: impl Into<String>) -> Self {
        self.host_config().pid_mode = Some(mode.into());
        self
    }

    /// User namespace mode when the daemon remaps users: `host` opts out (`--userns`;
    /// `privileges_and_namespaces_reach_the_container`).
    ///
    /// The integration test `privileges_and_namespaces_reach_the_container` makes the same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let c = docker
    ///     .containers()
    ///     .create("busybox")
    ///     .userns_mode("host")
    ///     .runtime("runc")
    ///     .group_add(["audio", "1234"])
    ///     .cmd(["id"])
    ///     .send()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn userns_mode(mut self, mode: impl Into<String>) -> Self {
        self.host_config().userns_mode = Some(mode.into());
        self
    }

    /// The OCI runtime (`--runtime runc`; `privileges_and_namespaces_reach_the_container`).
    pub fn runtime(mut self, runtime: impl Into<String>) -> Self {
        self.host_config().runtime = Some(runtime.into());
        self
    }

    /// Additional groups of the container's user, names or ids (`--group-add`;
    /// `privileges_and_namespaces_reach_the_container`).
    pub fn group_add<I, S>(mut self, groups: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        extend(&mut self.host_config().group_add, groups);
        self
    }

    /// DNS servers (`--dns`; `dns_hosts_and_identity_reach_the_container`).
    pub fn dns<I, S>(mut self, servers: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        extend(&mut self.host_config().dns, servers);
        self
    }

    /// DNS search domains (`--dns-search`; `dns_hosts_and_identity_reach_the_container`).
    ///
    /// The integration test `dns_hosts_and_identity_reach_the_container` makes the same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let c = docker
    ///     .containers()
    ///     .create("busybox")
    ///     .dns(["10.0.0.53"])
    ///     .dns_search(["corp.example"])
    ///     .dns_opt(["ndots:2"])
    ///     .cmd(["cat", "/etc/resolv.conf"])
    ///     .send()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn dns_search<I, S>(mut self, domains: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        extend(&mut self.host_config().dns_search, domains);
        self
    }

    /// Resolver options (`--dns-option ndots:2`; `dns_hosts_and_identity_reach_the_container`).
    pub fn dns_opt<I, S>(mut self, options: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        extend(&mut self.host_config().dns_options, options);
        self
    }

    /// A line of `/etc/hosts`, `host` at `ip` (`--add-host host:ip`;
    /// `dns_hosts_and_identity_reach_the_container`).
    pub fn extra_host(mut self, host: impl AsRef<str>, ip: impl AsRef<str>) -> Self {
        extend(
            &mut self.host_config().extra_hosts,
            [format!("{}:{}", host.as_ref(), ip.as_ref())],
        );
        self
    }

    /// A legacy link to another container on the default bridge, `name:alias`
    /// (`--link`; `endpoint_settings_on_a_user_network_are_applied`). On a user-defined
    /// network use [`Endpoint::link`](super::Endpoint::link).
    pub fn link(mut self, container: impl AsRef<str>, alias: impl AsRef<str>) -> Self {
        extend(
            &mut self.host_config().links,
            [format!("{}:{}", container.as_ref(), alias.as_ref())],
        );
        self
    }

    /// Size of `/dev/shm` in bytes (`--shm-size`; `resources_and_devices_reach_the_container`).
    pub fn shm_size(mut self, bytes: u64) -> Self {
        // A `u64` in API 1.41's spec, an `i64` later: one wire form for both.
        let bytes = bytes.min(i64::MAX as u64);
        self.host_config().shm_size = crate::models::from_json(serde_json::json!(bytes));
        self
    }

    /// A resource limit, soft and hard (`--ulimit nofile=1024:2048`;
    /// `resources_and_devices_reach_the_container`).
    pub fn ulimit(mut self, name: impl Into<String>, soft: i64, hard: i64) -> Self {
        self.host_config()
            .ulimits
            .get_or_insert_with(Vec::new)
            .push(op::container_create::body::host_config::Ulimits {
                name: Some(name.into()),
                soft: Some(soft),
                hard: Some(hard),
            });
        self
    }

    /// A namespaced kernel parameter (`--sysctl net.ipv4.ip_forward=1`;
    /// `resources_and_devices_reach_the_container`).
    pub fn sysctl(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.host_config()
            .sysctls
            .get_or_insert_with(HashMap::new)
            .insert(key.into(), value.into());
        self
    }

    /// A host device in the container, with cgroup permissions `r`, `w`, `m`
    /// (`--device /dev/zero:/dev/myzero:rwm`; `resources_and_devices_reach_the_container`).
    ///
    /// Namespaces, devices and CPU settings together, as the integration tests
    /// `privileges_and_namespaces_reach_the_container` and
    /// `resources_and_devices_reach_the_container` send them.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// use docker_engine::containers::DeviceRequest;
    /// let c = docker
    ///     .containers()
    ///     .create("ubuntu:24.04")
    ///     .device("/dev/fuse", "/dev/fuse", "rwm")
    ///     .device_request(DeviceRequest::gpus(-1))
    ///     .init(true)
    ///     .pid_mode("host")
    ///     .ipc_mode("shareable")
    ///     .sysctl("net.ipv4.ip_forward", "1")
    ///     .cpuset_cpus("0-1")
    ///     .cpu_shares(512)
    ///     .mem_reservation(128 << 20)
    ///     .send()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn device(
        mut self,
        path_on_host: impl Into<String>,
        path_in_container: impl Into<String>,
        cgroup_permissions: impl Into<String>,
    ) -> Self {
        self.host_config()
            .devices
            .get_or_insert_with(Vec::new)
            .push(op::container_create::body::host_config::Devices {
                path_on_host: Some(path_on_host.into()),
                path_in_container: Some(path_in_container.into()),
                cgroup_permissions: Some(cgroup_permissions.into()),
            });
        self
    }

    /// A request for devices from a device driver, GPUs for instance (`--gpus`;
    /// [`DeviceRequest::gpus`]; `resources_and_devices_reach_the_container`).
    pub fn device_request(mut self, request: DeviceRequest) -> Self {
        self.host_config()
            .device_requests
            .get_or_insert_with(Vec::new)
            .push(request.into_inner());
        self
    }

    /// Memory limit in bytes (`--memory`).
    pub fn memory(mut self, bytes: i64) -> Self {
        self.host_config().memory = bytes;
        self
    }

    /// Memory soft limit in bytes (`--memory-reservation`;
    /// `resources_and_devices_reach_the_container`).
    pub fn mem_reservation(mut self, bytes: i64) -> Self {
        self.host_config().memory_reservation = Some(bytes);
        self
    }

    /// Memory plus swap in bytes, `-1` for unlimited swap (`--memory-swap`; needs
    /// [`memory`](Self::memory); `resources_and_devices_reach_the_container`).
    ///
    /// The integration test `resources_and_devices_reach_the_container` makes the same call.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// let c = docker
    ///     .containers()
    ///     .create("busybox")
    ///     .memory(256 << 20)
    ///     .memswap_limit(512 << 20) // 256 MiB of swap on top
    ///     .oom_kill_disable(false)
    ///     .cpu_period(100_000)
    ///     .cpu_quota(50_000) // half a CPU
    ///     .cmd(["sleep", "60"])
    ///     .send()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn memswap_limit(mut self, bytes: i64) -> Self {
        self.host_config().memory_swap = Some(bytes);
        self
    }

    /// Do not let the OOM killer kill the container's processes (`--oom-kill-disable`;
    /// cgroup v1 only; `resources_and_devices_reach_the_container`).
    pub fn oom_kill_disable(mut self, yes: bool) -> Self {
        self.host_config().oom_kill_disable = Some(yes);
        self
    }

    /// The most processes the container may have, `-1` for no limit (`--pids-limit`;
    /// `resources_and_devices_reach_the_container`).
    pub fn pids_limit(mut self, n: i64) -> Self {
        self.host_config().pids_limit = Some(n);
        self
    }

    /// CPU limit in CPUs (`--cpus 1.5`).
    pub fn cpus(mut self, cpus: f64) -> Self {
        self.host_config().nano_cpus = Some((cpus * 1e9) as i64);
        self
    }

    /// Relative CPU weight (`--cpu-shares 512`; `resources_and_devices_reach_the_container`).
    pub fn cpu_shares(mut self, shares: i64) -> Self {
        self.host_config().cpu_shares = Some(shares);
        self
    }

    /// The CPUs the container may run on, `0-2` or `0,1` (`--cpuset-cpus`;
    /// `resources_and_devices_reach_the_container`).
    pub fn cpuset_cpus(mut self, cpus: impl Into<String>) -> Self {
        self.host_config().cpuset_cpus = Some(cpus.into());
        self
    }

    /// CPU time per [`cpu_period`](Self::cpu_period), in microseconds (`--cpu-quota`;
    /// `resources_and_devices_reach_the_container`).
    pub fn cpu_quota(mut self, microseconds: i64) -> Self {
        self.host_config().cpu_quota = Some(microseconds);
        self
    }

    /// The CFS scheduler period in microseconds (`--cpu-period`;
    /// `resources_and_devices_reach_the_container`).
    pub fn cpu_period(mut self, microseconds: i64) -> Self {
        self.host_config().cpu_period = Some(microseconds);
        self
    }
}
