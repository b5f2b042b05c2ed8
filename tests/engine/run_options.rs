//! docker-py parity for `containers.create` / `containers.run`: the create options users
//! reach for, each group checked in what `docker inspect` shows and in what the process
//! sees; and `run()`'s behaviour (pull, errors, log drivers, auto-remove, output streams),
//! `wait` conditions and timeouts, attach replay, detached exec.
//!
//! Inspect answers are read in their wire form (`serde_json::to_value`): some fields change
//! Rust shape between API versions (ShmSize is a `u64` in 1.41's spec, an `i64` later).

use std::time::{Duration, Instant};

use docker_engine::auth::RegistryAuth;
use docker_engine::containers::{CreateContainer, DeviceRequest, Endpoint, Mount, WaitCondition};
use docker_engine::stream::LogChunk;
use docker_engine::{ApiVersion, Docker, Error};
use futures_util::StreamExt;
use serde_json::{Value, json};

use crate::common::{LABEL, Scope, docker, engine, is_podman, is_v151, unique};

/// Create, start, wait; the inspect answer (after the exit) and stdout. The process must
/// exit 0 (its stderr is the panic message otherwise).
async fn inspect_and_run(b: CreateContainer) -> (Value, String) {
    let c = b.send().await.unwrap();
    c.start().await.unwrap();
    let code = c.wait().await.unwrap();
    let (out, err) = c.logs().stream().collect_output().await.unwrap();
    let out = String::from_utf8(out).unwrap();
    assert_eq!(
        code,
        0,
        "stdout {out:?} stderr {:?}",
        String::from_utf8_lossy(&err)
    );
    let attrs = serde_json::to_value(c.inspect().await.unwrap().attrs()).unwrap();
    c.remove().force(true).volumes(true).send().await.unwrap();
    (attrs, out)
}

/// Whether the API version spoken is 1.44 or later (endpoint MAC addresses, several
/// networks at creation).
async fn api_1_44(d: &Docker) -> bool {
    d.api_version().await.unwrap() >= ApiVersion::new(1, 44)
}

/// A value of `/proc/self/status` (`CapEff`), as a number.
fn status_hex(status: &str, key: &str) -> u64 {
    let line = status
        .lines()
        .find(|l| l.starts_with(key))
        .unwrap_or_else(|| panic!("{key} in {status:?}"));
    u64::from_str_radix(line.split_whitespace().nth(1).unwrap(), 16).unwrap()
}

/// Capabilities as the daemon stores them: 20.10 keeps what it was given (`NET_ADMIN`),
/// later versions normalise to the kernel's names (`CAP_NET_ADMIN`).
fn caps(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().trim_start_matches("CAP_").to_string())
        .collect()
}

#[tokio::test]
async fn privileges_and_namespaces_reach_the_container() {
    let scope = Scope::new();
    let e = engine();
    let d = docker();
    let b = d
        .containers()
        .create(&e.image)
        .label(LABEL, scope.value())
        .cap_add(["NET_ADMIN"])
        .cap_drop(["CHOWN"])
        .security_opt(["no-new-privileges:true"])
        .ipc_mode("shareable")
        .userns_mode("host")
        .init(true)
        .runtime("runc")
        .group_add(["1234"])
        .cmd([
            "sh",
            "-c",
            "id -G; cat /proc/1/comm; grep -E '^(CapEff|NoNewPrivs)' /proc/self/status; \
             chown nobody /tmp 2>/dev/null && echo chown-ok || echo chown-refused",
        ]);
    let (attrs, out) = inspect_and_run(b).await;
    let hc = &attrs["HostConfig"];
    assert_eq!(caps(&hc["CapAdd"]), ["NET_ADMIN"]);
    assert_eq!(caps(&hc["CapDrop"]), ["CHOWN"]);
    assert_eq!(hc["IpcMode"], "shareable");
    assert_eq!(hc["Init"], true);
    assert_eq!(hc["GroupAdd"], json!(["1234"]));
    if is_podman() {
        // Podman stores the option's short form, names no user namespace mode for the
        // host's, and reports its runtime as `oci`; its init is catatonit as podman-init.
        assert_eq!(hc["SecurityOpt"], json!(["no-new-privileges"]));
        assert_eq!(hc["UsernsMode"], "");
        assert_eq!(hc["Runtime"], "oci");
    } else {
        assert_eq!(hc["SecurityOpt"], json!(["no-new-privileges:true"]));
        assert_eq!(hc["UsernsMode"], "host");
        assert_eq!(hc["Runtime"], "runc");
    }
    let mut lines = out.lines();
    assert!(
        lines.next().unwrap().split(' ').any(|g| g == "1234"),
        "{out}"
    );
    let init = if is_podman() {
        "podman-init"
    } else {
        "docker-init"
    };
    assert_eq!(lines.next(), Some(init), "--init runs as PID 1: {out}");
    let cap_eff = status_hex(&out, "CapEff:");
    assert_ne!(cap_eff & (1 << 12), 0, "CAP_NET_ADMIN added: {out}");
    assert_eq!(cap_eff & 1, 0, "CAP_CHOWN dropped: {out}");
    assert!(out.contains("NoNewPrivs:\t1"), "{out}");
    assert!(out.ends_with("chown-refused\n"), "{out}");

    // The host's PID namespace: PID 1 is not our shell.
    let b = d
        .containers()
        .create(&e.image)
        .label(LABEL, scope.value())
        .pid_mode("host")
        .cmd(["cat", "/proc/1/comm"]);
    let (attrs, out) = inspect_and_run(b).await;
    assert_eq!(attrs["HostConfig"]["PidMode"], "host");
    assert_ne!(out, "cat\n");

    // Privileged: stored as asked. (Not started: the test machines run in a sandbox whose
    // own capability bounding set lacks CAP_SYS_RESOURCE, and runc then refuses a
    // privileged container, "unable to apply caps", on both engines.)
    let c = d
        .containers()
        .create(&e.image)
        .label(LABEL, scope.value())
        .privileged(true)
        .send()
        .await
        .unwrap();
    assert_eq!(
        serde_json::to_value(c.attrs()).unwrap()["HostConfig"]["Privileged"],
        true
    );
    c.remove().force(true).send().await.unwrap();
}

#[tokio::test]
async fn dns_hosts_and_identity_reach_the_container() {
    let scope = Scope::new();
    let e = engine();
    let d = docker();
    let n = std::process::id() % 256;
    let mac = format!(
        "02:00:00:dd:{:02x}:{:02x}",
        n,
        if is_v151() { 0x51 } else { 0x41 }
    );
    let b = d
        .containers()
        .create(&e.image)
        .label(LABEL, scope.value())
        .dns(["10.0.0.2"])
        .dns_search(["example.test"])
        .dns_opt(["ndots:2"])
        .extra_host("myhost", "10.1.2.3")
        .hostname("box")
        .domainname("example.test")
        .mac_address(&mac)
        .cmd([
            "sh",
            "-c",
            "cat /etc/resolv.conf /etc/hosts; hostname; cat /proc/sys/kernel/domainname \
             /sys/class/net/eth0/address",
        ]);
    let (attrs, out) = inspect_and_run(b).await;
    let hc = &attrs["HostConfig"];
    assert_eq!(hc["Dns"], json!(["10.0.0.2"]));
    assert_eq!(hc["DnsSearch"], json!(["example.test"]));
    assert_eq!(hc["DnsOptions"], json!(["ndots:2"]));
    assert_eq!(hc["ExtraHosts"], json!(["myhost:10.1.2.3"]));
    assert_eq!(attrs["Config"]["Hostname"], "box");
    if is_podman() {
        // Podman 4.3's compat API drops a container's Domainname and MacAddress: the kernel
        // domain name stays unset, the MAC address is its own.
        assert_eq!(attrs["Config"]["Domainname"], "");
        assert_eq!(attrs["Config"]["MacAddress"], Value::Null);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(&lines[lines.len() - 3..lines.len() - 1], ["box", "(none)"]);
        assert_ne!(lines[lines.len() - 1], mac, "{out}");
    } else {
        assert_eq!(attrs["Config"]["Domainname"], "example.test");
    }
    if !api_1_44(&d).await && !is_podman() {
        // Below API 1.44 the MAC address is the container's; later, its endpoint's (and an
        // endpoint's settings are cleared from inspect when the container stops). The API
        // spoken decides, not the engine: a client built from the v1.41 spec speaks 1.41
        // to Docker 28.5 too.
        assert_eq!(attrs["Config"]["MacAddress"], mac.as_str());
    }
    for line in [
        "nameserver 10.0.0.2",
        "search example.test",
        "options ndots:2",
        "10.1.2.3\tmyhost",
    ] {
        assert!(out.lines().any(|l| l == line), "{line:?} in {out}");
    }
    if !is_podman() {
        assert!(
            out.ends_with(&format!("box\nexample.test\n{mac}\n")),
            "{out}"
        );
    }
}

#[tokio::test]
async fn resources_and_devices_reach_the_container() {
    let scope = Scope::new();
    let e = engine();
    let d = docker();
    let b = d
        .containers()
        .create(&e.image)
        .label(LABEL, scope.value())
        .shm_size(128 << 20)
        .ulimit("nofile", 1024, 2048)
        .sysctl("net.ipv4.ip_forward", "1")
        .pids_limit(64)
        .cpu_shares(512)
        .cpuset_cpus("0")
        .cpu_quota(50_000)
        .cpu_period(100_000)
        .memory(256 << 20)
        .mem_reservation(128 << 20)
        .memswap_limit(512 << 20)
        .oom_kill_disable(true)
        .device("/dev/zero", "/dev/myzero", "rwm")
        .cmd([
            "sh",
            "-c",
            "ulimit -n; ulimit -Hn; cat /proc/sys/net/ipv4/ip_forward; \
             df -k /dev/shm | tail -n 1; head -c 5 /dev/myzero | wc -c; \
             cat /sys/fs/cgroup/pids/pids.max /sys/fs/cgroup/pids.max 2>/dev/null; true",
        ]);
    // Podman replaces its configured default ulimits with the ones given, and gives what is
    // not given its own default, 1048576: an NPROC the test machines cannot grant (no
    // CAP_SYS_RESOURCE), so the start would fail, "error setting rlimit type 6". Given too.
    let b = if is_podman() {
        b.ulimit("nproc", 4096, 4096)
    } else {
        b
    };
    let (attrs, out) = inspect_and_run(b).await;
    let hc = &attrs["HostConfig"];
    assert_eq!(hc["ShmSize"], 128 << 20);
    if is_podman() {
        assert_eq!(
            hc["Ulimits"],
            json!([
                { "Name": "RLIMIT_NOFILE", "Soft": 1024, "Hard": 2048 },
                { "Name": "RLIMIT_NPROC", "Soft": 4096, "Hard": 4096 },
            ])
        );
    } else {
        assert_eq!(
            hc["Ulimits"],
            json!([{ "Name": "nofile", "Soft": 1024, "Hard": 2048 }])
        );
    }
    // Podman applies sysctls (the process sees it below) but does not report them.
    if is_podman() {
        assert_eq!(hc["Sysctls"], Value::Null);
    } else {
        assert_eq!(hc["Sysctls"], json!({ "net.ipv4.ip_forward": "1" }));
    }
    assert_eq!(hc["PidsLimit"], 64);
    assert_eq!(hc["CpuShares"], 512);
    assert_eq!(hc["CpusetCpus"], "0");
    assert_eq!(hc["CpuQuota"], 50_000);
    assert_eq!(hc["CpuPeriod"], 100_000);
    assert_eq!(hc["Memory"], 256 << 20);
    assert_eq!(hc["MemoryReservation"], 128 << 20);
    assert_eq!(hc["MemorySwap"], 512 << 20);
    assert_eq!(hc["OomKillDisable"], true);
    // Podman does not report a device's cgroup permissions.
    let permissions = if is_podman() { "" } else { "rwm" };
    assert_eq!(
        hc["Devices"],
        json!([{ "PathOnHost": "/dev/zero", "PathInContainer": "/dev/myzero", "CgroupPermissions": permissions }])
    );
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(&lines[..3], ["1024", "2048", "1"], "{out}");
    assert!(
        lines[3].split_whitespace().nth(1) == Some("131072"),
        "a 128 MiB /dev/shm: {out}"
    );
    assert_eq!(lines[4], "5", "{out}");
    assert_eq!(lines.get(5), Some(&"64"), "{out}");

    // GPUs: the test machines have none, so the container is created, not started; the
    // daemon keeps the requests as sent.
    let c = d
        .containers()
        .create(&e.image)
        .label(LABEL, scope.value())
        .device_request(DeviceRequest::gpus(-1))
        .device_request(
            DeviceRequest::new("nvidia")
                .device_ids(["0", "1"])
                .capabilities(["gpu", "utility"])
                .capabilities(["compute"])
                .option("k", "v"),
        )
        .send()
        .await
        .unwrap();
    let attrs = serde_json::to_value(c.attrs()).unwrap();
    let requests = &attrs["HostConfig"]["DeviceRequests"];
    if is_podman() {
        // Podman takes only CDI device requests (driver `cdi`); others it drops unreported.
        assert_eq!(*requests, Value::Null, "{attrs}");
        c.remove().force(true).send().await.unwrap();
        return;
    }
    assert_eq!(requests[0]["Driver"], "");
    assert_eq!(requests[0]["Count"], -1);
    assert_eq!(requests[0]["Capabilities"], json!([["gpu"]]));
    assert_eq!(requests[1]["Driver"], "nvidia");
    assert_eq!(requests[1]["DeviceIDs"], json!(["0", "1"]));
    assert_eq!(
        requests[1]["Capabilities"],
        json!([["gpu", "utility"], ["compute"]])
    );
    assert_eq!(requests[1]["Options"], json!({ "k": "v" }));
    c.remove().force(true).send().await.unwrap();
}

#[tokio::test]
async fn mounts_tmpfs_and_volumes_from_reach_the_container() {
    let scope = Scope::new();
    let e = engine();
    let d = docker();
    let dir = std::env::temp_dir().join(unique("bind"));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("hello"), "from the host\n").unwrap();
    let volume = unique("vol");
    let no_copy = unique("nocopy");
    let driven = unique("driven");
    let driver_options: std::collections::HashMap<String, String> =
        [("type", "tmpfs"), ("device", "tmpfs"), ("o", "size=1m")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
    let source = d
        .containers()
        .create(&e.image)
        .name(unique("vsource"))
        .label(LABEL, scope.value())
        .mount(Mount::volume(&volume, "/data").label(LABEL, scope.value()))
        .cmd(["sh", "-c", "echo from the volume > /data/f"]);
    let source_name = {
        let c = source.send().await.unwrap();
        c.start().await.unwrap();
        assert_eq!(c.wait().await.unwrap(), 0);
        c.name().to_string()
    };
    let b = d
        .containers()
        .create(&e.image)
        .label(LABEL, scope.value())
        .volumes_from(format!("{source_name}:ro"))
        .mount(
            Mount::bind(dir.to_str().unwrap(), "/host")
                .read_only(true)
                .propagation("rprivate"),
        )
        .mount(Mount::tmpfs("/scratch").size(1 << 20).mode(0o1770))
        .mount(
            Mount::volume(&no_copy, "/etc")
                .no_copy(true)
                .label(LABEL, scope.value()),
        )
        .mount(
            Mount::volume(&driven, "/drv")
                .driver("local", driver_options.clone())
                .label(LABEL, scope.value()),
        )
        .tmpfs("/run2", "rw,size=64k")
        .read_only(true)
        .cmd([
            "sh",
            "-c",
            "cat /data/f /host/hello; grep -E ' /(scratch|run2) ' /proc/mounts | sort; \
             touch /rootfile 2>/dev/null && echo root-rw || echo root-ro; \
             touch /data/x 2>/dev/null && echo data-rw || echo data-ro; \
             touch /host/x 2>/dev/null && echo host-rw || echo host-ro; \
             touch /scratch/x && echo scratch-rw; \
             test -e /etc/passwd && echo etc-copied || echo etc-not-copied; \
             grep -c ' /drv tmpfs ' /proc/mounts || true",
        ]);
    let (attrs, out) = inspect_and_run(b).await;
    let _ = std::fs::remove_dir_all(&dir);
    let hc = &attrs["HostConfig"];
    assert_eq!(hc["VolumesFrom"], json!([format!("{source_name}:ro")]));
    assert_eq!(hc["ReadonlyRootfs"], true);
    if is_podman() {
        // Podman reports no HostConfig.Mounts. Its tmpfs mounts are all in Tmpfs, with the
        // options it applied: the ones asked for, and its own on a read-only root filesystem
        // (/run, /tmp, /var/tmp: Podman's read-only-tmpfs).
        assert_eq!(hc["Mounts"], Value::Null);
        let tmpfs = hc["Tmpfs"].as_object().unwrap();
        for path in ["/run", "/tmp", "/var/tmp", "/run2", "/scratch"] {
            assert!(tmpfs.contains_key(path), "{path} in {tmpfs:?}");
        }
        let options = |p: &str| tmpfs[p].as_str().unwrap().to_string();
        assert!(options("/run2").starts_with("rw,size=64k,"), "{tmpfs:?}");
        assert!(
            options("/scratch").starts_with("size=1048576,mode=1770,"),
            "{tmpfs:?}"
        );
    } else {
        assert_eq!(hc["Tmpfs"], json!({ "/run2": "rw,size=64k" }));
        let mounts = hc["Mounts"].as_array().unwrap();
        assert_eq!(mounts[0]["Type"], "bind");
        assert_eq!(mounts[0]["ReadOnly"], true);
        assert_eq!(mounts[0]["BindOptions"]["Propagation"], "rprivate");
        assert_eq!(mounts[2]["VolumeOptions"]["NoCopy"], true);
        assert_eq!(mounts[3]["VolumeOptions"]["DriverConfig"]["Name"], "local");
        assert_eq!(mounts[1]["Type"], "tmpfs");
        assert_eq!(mounts[1]["TmpfsOptions"]["SizeBytes"], 1 << 20);
        assert_eq!(mounts[1]["TmpfsOptions"]["Mode"], 0o1770);
    }
    // What the container got: its own mounts (Mounts at the top) name the volume by name.
    let got = attrs["Mounts"].as_array().unwrap();
    assert!(
        got.iter()
            .any(|m| m["Type"] == "volume" && m["Name"] == volume.as_str() && m["RW"] == false),
        "{got:#?}"
    );
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(&lines[..2], ["from the volume", "from the host"], "{out}");
    assert!(lines[2].starts_with("tmpfs /run2 tmpfs rw,") && lines[2].contains("size=64k"));
    assert!(
        lines[3].starts_with("tmpfs /scratch tmpfs rw,")
            && lines[3].contains("size=1024k")
            && lines[3].contains("mode=1770"),
        "{out}"
    );
    // Podman 4.3 ignores a volume mount's NoCopy (the image's /etc is copied in) and its
    // DriverConfig (the volume is a plain directory, not the tmpfs its options ask for).
    let (etc, drv) = if is_podman() {
        ("etc-copied", "0")
    } else {
        ("etc-not-copied", "1")
    };
    assert_eq!(
        &lines[4..],
        ["root-ro", "data-ro", "host-ro", "scratch-rw", etc, drv],
        "{out}"
    );
    let v = d.volumes().get(&driven).await.unwrap();
    let v = serde_json::to_value(v.attrs()).unwrap();
    if is_podman() {
        assert_eq!(v["Options"], json!({}), "{v:#}");
    } else {
        assert_eq!(v["Options"], json!(driver_options), "{v:#}");
    }
    // The volume was created with the mount's label, so the scope removes it.
    let v = d.volumes().get(&volume).await.unwrap();
    if is_podman() {
        // Podman 4.3 drops a volume mount's labels: no scope finds these volumes, so they
        // are removed here (after the container that holds one).
        assert_eq!(v.labels().get(LABEL), None);
        let source = d.containers().handle(&source_name);
        source.remove().force(true).send().await.unwrap();
        for name in [&volume, &no_copy, &driven] {
            d.volumes().handle(name).remove().send().await.unwrap();
        }
    } else {
        assert_eq!(
            v.labels().get(LABEL).map(String::as_str),
            Some(scope.value())
        );
    }
}

/// Connect to `127.0.0.1:port` and read what the listener says, retrying while the process
/// in the container is not listening yet.
async fn read_port(port: u16) -> String {
    use tokio::io::AsyncReadExt;
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(mut s) = tokio::net::TcpStream::connect(("127.0.0.1", port)).await {
            let mut got = String::new();
            let read = tokio::time::timeout(Duration::from_secs(5), s.read_to_string(&mut got));
            if matches!(read.await, Ok(Ok(_))) && !got.is_empty() {
                return got;
            }
        }
        assert!(
            Instant::now() < deadline,
            "nothing answered on 127.0.0.1:{port}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn ports_with_host_ip_and_ranges_are_published_and_reachable() {
    let scope = Scope::new();
    let e = engine();
    let d = docker();
    let base = 20_000 + (std::process::id() % 4_000) as u16 * 3;
    let c = d
        .containers()
        .create(&e.image)
        .label(LABEL, scope.value())
        .publish(
            "8000-8002/tcp",
            "127.0.0.1",
            &format!("{base}-{}", base + 2),
        )
        .expose("7000")
        .publish_all_ports(true)
        .cmd([
            "sh",
            "-c",
            "for p in 7000 8000 8001 8002; do \
             (while true; do echo pong$p | nc -l -p $p; done) & done; wait",
        ])
        .send()
        .await
        .unwrap();
    c.start().await.unwrap();
    let mut c = d.containers().get(c.id()).await.unwrap();
    c.reload().await.unwrap();
    let hc = serde_json::to_value(&c.attrs().host_config).unwrap();
    if is_podman() {
        // Podman resolves "publish all" when it creates the container: the exposed port's
        // binding is in PortBindings, and PublishAllPorts is false.
        assert_eq!(hc["PublishAllPorts"], false);
        assert!(
            hc["PortBindings"]["7000/tcp"][0]["HostPort"].is_string(),
            "{hc}"
        );
    } else {
        assert_eq!(hc["PublishAllPorts"], true);
    }
    assert_eq!(
        hc["PortBindings"]["8001/tcp"],
        json!([{ "HostIp": "127.0.0.1", "HostPort": (base + 1).to_string() }])
    );
    for (i, p) in ["8000/tcp", "8001/tcp", "8002/tcp"].into_iter().enumerate() {
        assert_eq!(
            c.port(p),
            [("127.0.0.1".to_string(), (base + i as u16).to_string())],
            "{p}"
        );
    }
    // Exposed only: published by `-P` on a port the daemon picked.
    let picked = c.port("7000");
    assert!(!picked.is_empty(), "{:#?}", c.attrs().network_settings);
    let picked: u16 = picked[0].1.parse().unwrap();
    assert_eq!(read_port(base + 1).await, "pong8001\n");
    assert_eq!(read_port(base + 2).await, "pong8002\n");
    assert_eq!(read_port(picked).await, "pong7000\n");
    c.remove().force(true).send().await.unwrap();

    // Ranges that cannot pair up are refused before anything is sent, as by the CLI.
    let err = d
        .containers()
        .create(&e.image)
        .label(LABEL, scope.value())
        .publish("8000-8002", "", "9000-9001")
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidArgument(m) if m.contains("invalid ranges")),
        "{err:?}"
    );
}

#[tokio::test]
async fn endpoint_settings_on_a_user_network_are_applied() {
    let scope = Scope::new();
    let e = engine();
    let d = docker();
    // A subnet of the engine's own pool no other test picks (networks_volumes.rs takes
    // third octets 20..220, parity.rs 251..255). Removed with the containers on it by the
    // scope, at the end.
    let net_name = unique("epnet");
    let octets = crate::common::octets_from(220, 30, std::process::id());
    let (subnet, _) = crate::common::network_on_free_subnet(octets, &net_name, &scope).await;
    let server_name = unique("epserver");
    let ip = format!("{subnet}.10");
    let server = d
        .containers()
        .create(&e.image)
        .name(&server_name)
        .label(LABEL, scope.value())
        .network_endpoint(
            &net_name,
            Endpoint::new()
                .alias("db-alias")
                .ipv4_address(&ip)
                .driver_opt("com.example.opt", "v"),
        )
        .cmd(["sleep", "600"])
        .send()
        .await
        .unwrap();
    server.start().await.unwrap();
    let attrs = serde_json::to_value(server.inspect().await.unwrap().attrs()).unwrap();
    let ep = &attrs["NetworkSettings"]["Networks"][net_name.as_str()];
    if is_podman() {
        // Podman reports the address given as IPAddress only, no IPAMConfig.
        assert_eq!(ep["IPAMConfig"], Value::Null, "{ep:#}");
    } else {
        assert_eq!(ep["IPAMConfig"]["IPv4Address"], ip.as_str(), "{ep:#}");
    }
    assert_eq!(ep["IPAddress"], ip.as_str(), "{ep:#}");
    assert!(
        ep["Aliases"]
            .as_array()
            .unwrap()
            .contains(&json!("db-alias")),
        "{ep:#}"
    );
    // Podman does not keep an endpoint's driver options.
    let driver_opts = if is_podman() {
        Value::Null
    } else {
        json!({ "com.example.opt": "v" })
    };
    assert_eq!(ep["DriverOpts"], driver_opts);
    // Podman reports the network mode as `bridge`, not the network's name.
    let mode = if is_podman() { "bridge" } else { &net_name };
    assert_eq!(attrs["HostConfig"]["NetworkMode"], mode);

    // A client on the network finds the server by its alias and by a link's name.
    let client = d
        .containers()
        .create(&e.image)
        .label(LABEL, scope.value())
        .network_endpoint(&net_name, Endpoint::new().link(&server_name, "srv"))
        .cmd([
            "sh",
            "-c",
            "ping -c 1 -W 1 db-alias | head -n 1; ping -c 1 -W 1 srv | head -n 1",
        ]);
    let (attrs, out) = inspect_and_run(client).await;
    let ep = &attrs["NetworkSettings"]["Networks"][net_name.as_str()];
    if is_podman() {
        // Podman has no links: the endpoint's is dropped, and its name does not resolve.
        assert_eq!(ep["Links"], Value::Null, "{ep:#}");
        assert_eq!(out, format!("PING db-alias ({ip}): 56 data bytes\n"));
    } else {
        assert_eq!(ep["Links"], json!([format!("{server_name}:srv")]), "{ep:#}");
        assert_eq!(
            out,
            format!("PING db-alias ({ip}): 56 data bytes\nPING srv ({ip}): 56 data bytes\n")
        );
    }

    // A fixed IPv6 address on a network with an IPv6 subnet of its own.
    let v6 = format!(
        "fd00:{}:{:x}",
        match engine().name.as_str() {
            "v151" => 51,
            "podman" => 61,
            _ => 41,
        },
        std::process::id() % 65536
    );
    let mut create6 = d
        .networks()
        .create(unique("epnet6"))
        .label(LABEL, scope.value())
        .subnet(format!("{v6}::/64"), None);
    create6.body_mut().enable_i_pv6 = Some(true);
    let net6 = create6.send().await.unwrap();
    let b = d
        .containers()
        .create(&e.image)
        .label(LABEL, scope.value())
        .network_endpoint(
            net6.name(),
            Endpoint::new().ipv6_address(format!("{v6}::42")),
        )
        .cmd(["ip", "-6", "addr", "show", "eth0"]);
    let (attrs, out) = inspect_and_run(b).await;
    let ipam = &attrs["NetworkSettings"]["Networks"][net6.name()]["IPAMConfig"];
    if is_podman() {
        assert_eq!(*ipam, Value::Null, "no IPAMConfig on Podman");
    } else {
        assert_eq!(ipam["IPv6Address"], format!("{v6}::42"));
    }
    assert!(out.contains(&format!("inet6 {v6}::42/64 ")), "{out}");

    // Two networks at creation: API 1.44 connects both; before, the daemon refuses (20.10:
    // "cannot be connected to network endpoints"; 28.5 at 1.41: "cannot be created with
    // multiple network endpoints").
    let second = d
        .networks()
        .create(unique("epnet2"))
        .label(LABEL, scope.value())
        .send()
        .await
        .unwrap();
    let two = d
        .containers()
        .create(&e.image)
        .label(LABEL, scope.value())
        .network(&net_name)
        .network(second.name())
        .send()
        .await;
    // Podman connects both whatever the API version.
    if api_1_44(&d).await || is_podman() {
        let attrs = serde_json::to_value(two.unwrap().attrs()).unwrap();
        let networks = attrs["NetworkSettings"]["Networks"].as_object().unwrap();
        let mut names: Vec<&str> = networks.keys().map(String::as_str).collect();
        names.sort();
        let mut want = [net_name.as_str(), second.name()];
        want.sort();
        assert_eq!(names, want);
    } else {
        let err = two.unwrap_err();
        assert!(
            matches!(&err, Error::Api { status: 400, message }
                if message.starts_with("Container cannot be") && message.contains("network endpoints")),
            "{err:?}"
        );
    }

    // Legacy links on the default bridge: `/etc/hosts` names the linked container.
    let old = d
        .containers()
        .create(&e.image)
        .name(unique("legacy"))
        .label(LABEL, scope.value())
        .cmd(["sleep", "600"])
        .send()
        .await
        .unwrap();
    old.start().await.unwrap();
    let b = d
        .containers()
        .create(&e.image)
        .label(LABEL, scope.value())
        .link(old.name(), "legacy-alias")
        .cmd(["grep", "-c", "legacy-alias", "/etc/hosts"]);
    if is_podman() {
        // Podman refuses legacy links.
        let err = b.send().await.unwrap_err();
        assert!(
            matches!(&err, Error::Api { status: 400, message } if message.contains("link is not supported")),
            "{err:?}"
        );
        old.remove().force(true).send().await.unwrap();
        server.remove().force(true).send().await.unwrap();
        return;
    }
    let (attrs, out) = inspect_and_run(b).await;
    let links = attrs["HostConfig"]["Links"].as_array().unwrap();
    assert!(
        links[0]
            .as_str()
            .unwrap()
            .starts_with(&format!("/{}:/", old.name())),
        "{links:?}"
    );
    assert_eq!(out, "1\n");
    old.remove().force(true).send().await.unwrap();
    server.remove().force(true).send().await.unwrap();
}

#[tokio::test]
async fn platform_is_a_query_parameter_of_create() {
    let scope = Scope::new();
    let e = engine();
    let d = docker();
    let c = d
        .containers()
        .create(&e.image)
        .label(LABEL, scope.value())
        .platform("linux/amd64")
        .send()
        .await
        .unwrap();
    assert_eq!(
        serde_json::to_value(c.attrs()).unwrap()["Platform"],
        "linux"
    );
    c.remove().force(true).send().await.unwrap();
    let other = d
        .containers()
        .create(&e.image)
        .label(LABEL, scope.value())
        .platform("linux/s390x")
        .send()
        .await;
    if is_podman() {
        // Podman 4.3 creates the container from the local image whatever platform is asked.
        other.unwrap().remove().force(true).send().await.unwrap();
        return;
    }
    let err = other.unwrap_err();
    assert!(err.to_string().contains("platform"), "{err:?}");
}

fn registry_auth() -> RegistryAuth {
    let e = engine();
    RegistryAuth::basic(e.registry_user, e.registry_password).server(e.registry)
}

#[tokio::test]
async fn run_pulls_a_missing_image_with_credentials() {
    let scope = Scope::new();
    let e = engine();
    let d = docker();
    let reference = format!("{}/{}:t", e.registry, unique("runpull"));
    scope.image(&reference);
    crate::common::tag_fixture(&reference).await;
    d.images()
        .push(&reference)
        .auth(registry_auth())
        .send()
        .await
        .unwrap();
    d.images().remove(&reference).send().await.unwrap();
    assert!(matches!(
        d.images().get(&reference).await,
        Err(Error::NotFound { .. })
    ));
    // `send()` is `docker create`, as docker-py's `create`: no pull.
    let err = d
        .containers()
        .create(&reference)
        .label(LABEL, scope.value())
        .send()
        .await
        .unwrap_err();
    // Docker says "No such image", Podman "no such image".
    assert!(
        matches!(&err, Error::NotFound { message } if message.to_lowercase().starts_with("no such image")),
        "{err:?}"
    );
    let out = d
        .containers()
        .run(&reference)
        .label(LABEL, scope.value())
        .auth(registry_auth())
        .cmd(["echo", "pulled"])
        .run(true)
        .await
        .unwrap();
    assert_eq!(out, b"pulled\n");
    assert!(d.images().get(&reference).await.is_ok());
    // There, but not for the platform asked: `run` pulls for that platform (the calls it
    // makes show it), then creates again; this registry's image has one platform, so the
    // daemon's refusal of the second create is the answer.
    let calls = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let seen = calls.clone();
    let observed = Docker::builder()
        .host(&e.host)
        .observe(move |r| seen.lock().unwrap().push(r.operation.to_string()))
        .build()
        .unwrap();
    let other = observed
        .containers()
        .run(&reference)
        .label(LABEL, scope.value())
        .auth(registry_auth())
        .platform("linux/s390x")
        .cmd(["true"])
        .run(true)
        .await;
    if is_podman() {
        // Podman 4.3 creates from the local image whatever platform is asked: no pull.
        other.unwrap();
        assert!(!calls.lock().unwrap().iter().any(|o| o == "image_create"));
        return;
    }
    let err = other.unwrap_err();
    assert!(
        matches!(&err, Error::NotFound { message } if message.contains("linux/s390x")),
        "{err:?}"
    );
    // `detach()` pulls a missing image too.
    d.images().remove(&reference).send().await.unwrap();
    let c = d
        .containers()
        .run(&reference)
        .label(LABEL, scope.value())
        .auth(registry_auth())
        .cmd(["sleep", "600"])
        .detach()
        .await
        .unwrap();
    assert_eq!(c.inspect().await.unwrap().status(), "running");
    c.remove().force(true).send().await.unwrap();
    let calls = calls.lock().unwrap().clone();
    let ops: Vec<&str> = calls
        .iter()
        .map(String::as_str)
        .filter(|o| *o != "negotiate")
        .collect();
    assert_eq!(
        ops,
        ["container_create", "image_create", "container_create"],
        "{calls:?}"
    );
}

#[tokio::test]
async fn run_failure_names_the_command_the_image_and_stderr() {
    let scope = Scope::new();
    let e = engine();
    let d = docker();
    let err = d
        .containers()
        .run(&e.image)
        .label(LABEL, scope.value())
        .cmd(["sh", "-c", "echo out; echo oops >&2; exit 3"])
        .run(true)
        .await
        .unwrap_err();
    let Error::ContainerFailed {
        id,
        exit_code,
        command,
        image,
        stderr,
    } = &err
    else {
        panic!("expected ContainerFailed, got {err:?}");
    };
    assert_eq!(*exit_code, 3);
    assert_eq!(command, &["sh", "-c", "echo out; echo oops >&2; exit 3"]);
    assert_eq!(image, &e.image);
    assert_eq!(stderr, "oops\n");
    assert_eq!(
        err.to_string(),
        format!(
            "Command 'sh -c echo out; echo oops >&2; exit 3' in image '{}' returned non-zero \
             exit status 3: oops\n",
            e.image
        )
    );
    assert!(
        matches!(d.containers().get(id).await, Err(Error::NotFound { .. })),
        "removed"
    );
    // The command is what ran: the entrypoint and its arguments.
    let err = d
        .containers()
        .run(&e.image)
        .label(LABEL, scope.value())
        .entrypoint(["sh", "-c"])
        .cmd(["exit 4"])
        .run(true)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::ContainerFailed { exit_code: 4, command, .. } if command == &["sh", "-c", "exit 4"]),
        "{err:?}"
    );
}

#[tokio::test]
async fn run_with_the_none_log_driver_returns_the_output() {
    let scope = Scope::new();
    let e = engine();
    let d = docker();
    // The daemon cannot read such a container's logs: 501.
    let c = d
        .containers()
        .create(&e.image)
        .label(LABEL, scope.value())
        .log_driver("none")
        .cmd(["echo", "hi"])
        .send()
        .await
        .unwrap();
    c.start().await.unwrap();
    c.wait().await.unwrap();
    let err = c.logs().send().await.unwrap_err();
    if is_podman() {
        // Podman: 500, "this container is using the 'none' log driver, cannot read logs".
        assert_eq!(err.status(), Some(500), "{err:?}");
        assert!(err.to_string().contains("'none' log driver"), "{err}");
    } else {
        assert_eq!(err.status(), Some(501), "{err:?}");
    }
    c.remove().force(true).send().await.unwrap();
    // `run` reads the output from the container, as `docker run` does, not from the logs.
    let out = d
        .containers()
        .run(&e.image)
        .label(LABEL, scope.value())
        .log_driver("none")
        .cmd(["sh", "-c", "echo out; sleep 1; echo err >&2"])
        .stderr(true)
        .run(true)
        .await
        .unwrap();
    assert_eq!(out, b"out\nerr\n");
    // Failing, its stderr is in the error too.
    let err = d
        .containers()
        .run(&e.image)
        .label(LABEL, scope.value())
        .log_driver("none")
        .cmd(["sh", "-c", "echo bad >&2; exit 1"])
        .run(true)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::ContainerFailed { exit_code: 1, stderr, .. } if stderr == "bad\n"),
        "{err:?}"
    );
}

#[tokio::test]
async fn run_with_auto_remove_returns_the_output() {
    let scope = Scope::new();
    let e = engine();
    let d = docker();
    let tag = unique("autorm");
    for i in 0..5 {
        let out = d
            .containers()
            .run(&e.image)
            .label(LABEL, scope.value())
            .label("dei.autorm", &tag)
            .auto_remove(true)
            .cmd(["echo", &format!("bye {i}")])
            .run(false)
            .await
            .unwrap();
        assert_eq!(out, format!("bye {i}\n").as_bytes());
    }
    let failed = d
        .containers()
        .run(&e.image)
        .label(LABEL, scope.value())
        .label("dei.autorm", &tag)
        .auto_remove(true)
        .cmd(["sh", "-c", "echo gone >&2; exit 2"])
        .run(false)
        .await;
    if is_podman() {
        // `run` of an auto-removed container waits for its removal, and Podman 4.3 answers
        // that wait with 0 (wait_conditions_next_exit_removed_and_not_running): the failure
        // is not seen there.
        assert_eq!(failed.unwrap(), b"");
        return;
    }
    let err = failed.unwrap_err();
    assert!(
        matches!(&err, Error::ContainerFailed { exit_code: 2, stderr, .. } if stderr == "gone\n"),
        "{err:?}"
    );
    // `wait` was for the removal: nothing is left when run returns.
    assert_none_left(&format!("dei.autorm={tag}"), "removed before run returned").await;
}

/// No container, running or not, carries `label` (`key=value`): `what` says what should
/// have removed them.
async fn assert_none_left(label: &str, what: &str) {
    let left = docker()
        .containers()
        .list()
        .all(true)
        .label(label)
        .send()
        .await
        .unwrap();
    assert!(left.is_empty(), "{what}: {left:?}");
}

#[tokio::test]
async fn run_returns_stdout_stderr_or_both() {
    let scope = Scope::new();
    let e = engine();
    let d = docker();
    let run = |stdout: bool, stderr: bool, tty: bool| {
        d.containers()
            .run(&e.image)
            .label(LABEL, scope.value())
            .tty(tty)
            .stdout(stdout)
            .stderr(stderr)
            .cmd(["sh", "-c", "echo out; sleep 1; echo err >&2"])
            .run(true)
    };
    assert_eq!(run(true, false, false).await.unwrap(), b"out\n");
    assert_eq!(run(false, true, false).await.unwrap(), b"err\n");
    assert_eq!(run(true, true, false).await.unwrap(), b"out\nerr\n");
    assert_eq!(run(false, false, false).await.unwrap(), b"");
    // A TTY has one stream: it is stdout.
    assert_eq!(run(true, false, true).await.unwrap(), b"out\r\nerr\r\n");
}

#[tokio::test]
async fn run_stream_yields_chunks_as_they_come() {
    let scope = Scope::new();
    let e = engine();
    let d = docker();
    let tag = unique("runstream");
    let mut s = d
        .containers()
        .run(&e.image)
        .label(LABEL, scope.value())
        .label("dei.runstream", &tag)
        .stderr(true)
        .cmd(["sh", "-c", "echo one; sleep 4; echo two >&2; exit 5"])
        .stream(true);
    let first = s.next().await.unwrap().unwrap();
    let first_at = Instant::now();
    assert_eq!(first, LogChunk::StdOut("one\n".into()));
    assert_eq!(
        s.next().await.unwrap().unwrap(),
        LogChunk::StdErr("two\n".into())
    );
    assert!(
        first_at.elapsed() > Duration::from_secs(2),
        "the first chunk came as it was written, seconds before the second ({:?})",
        first_at.elapsed()
    );
    let last = s.next().await.unwrap().unwrap_err();
    assert!(
        matches!(&last, Error::ContainerFailed { exit_code: 5, stderr, .. } if stderr == "two\n"),
        "{last:?}"
    );
    assert!(s.next().await.is_none());
    assert_none_left(&format!("dei.runstream={tag}"), "removed at the end").await;
    // A successful run ends the stream with no error.
    let chunks: Vec<_> = d
        .containers()
        .run(&e.image)
        .label(LABEL, scope.value())
        .cmd(["echo", "fine"])
        .stream(true)
        .collect()
        .await;
    assert_eq!(chunks.len(), 1);
    assert_eq!(
        chunks[0].as_ref().unwrap(),
        &LogChunk::StdOut("fine\n".into())
    );
}

#[tokio::test]
async fn wait_outlasts_the_client_timeout_and_has_its_own() {
    let scope = Scope::new();
    let e = engine();
    let short = Docker::builder()
        .host(&e.host)
        .timeout(Duration::from_secs(1))
        .build()
        .unwrap();
    let c = docker()
        .containers()
        .create(&e.image)
        .label(LABEL, scope.value())
        .cmd(["sh", "-c", "sleep 3; exit 6"])
        .send()
        .await
        .unwrap();
    c.start().await.unwrap();
    let started = Instant::now();
    let through_short = short.containers().handle(c.id());
    assert_eq!(through_short.wait().await.unwrap(), 6);
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );

    // Its own timeout: an error naming what was waited for; the container runs on.
    let c = docker()
        .containers()
        .create(&e.image)
        .label(LABEL, scope.value())
        .cmd(["sleep", "600"])
        .send()
        .await
        .unwrap();
    c.start().await.unwrap();
    let started = Instant::now();
    let err = c
        .wait_until(WaitCondition::NotRunning)
        .timeout(Duration::from_millis(500))
        .send()
        .await
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(
        matches!(&err, Error::Timeout { what: "the wait condition", after, .. } if *after == Duration::from_millis(500)),
        "{err:?}"
    );
    let mut c = d_get(&c).await;
    c.reload().await.unwrap();
    assert_eq!(c.status(), "running");
    c.remove().force(true).send().await.unwrap();
}

async fn d_get(c: &docker_engine::Container) -> docker_engine::Container {
    docker().containers().get(c.id()).await.unwrap()
}

#[tokio::test]
async fn wait_conditions_next_exit_removed_and_not_running() {
    let scope = Scope::new();
    let e = engine();
    let d = docker();
    let c = d
        .containers()
        .create(&e.image)
        .label(LABEL, scope.value())
        .cmd(["sh", "-c", "sleep 1; exit 7"])
        .send()
        .await
        .unwrap();
    // Not running yet: `not-running` answers at once.
    let code = tokio::time::timeout(
        Duration::from_secs(10),
        c.wait_until(WaitCondition::NotRunning).send(),
    )
    .await
    .expect("at once")
    .unwrap();
    // Podman answers -1 for a container that never ran (mostly; 0 at times).
    if is_podman() {
        assert!(code == -1 || code == 0, "{code}");
    } else {
        assert_eq!(code, 0);
    }
    // `next-exit` waits through the start for the exit.
    let (code, started) = tokio::join!(c.wait_until(WaitCondition::NextExit).send(), async {
        tokio::time::sleep(Duration::from_millis(500)).await;
        c.start().await
    });
    started.unwrap();
    assert_eq!(code.unwrap(), 7);
    c.remove().force(true).send().await.unwrap();

    // `removed`: an auto-removed container is waited for until it is gone.
    let c = d
        .containers()
        .create(&e.image)
        .label(LABEL, scope.value())
        .auto_remove(true)
        .cmd(["sh", "-c", "sleep 1; exit 2"])
        .send()
        .await
        .unwrap();
    c.start().await.unwrap();
    // Podman 4.3 answers a `removed` wait with 0, whatever the exit code was.
    assert_eq!(
        c.wait_until(WaitCondition::Removed).send().await.unwrap(),
        if is_podman() { 0 } else { 2 }
    );
    assert!(matches!(
        d.containers().get(c.id()).await,
        Err(Error::NotFound { .. })
    ));
}

#[tokio::test]
async fn attach_with_logs_and_no_stream_replays_a_stopped_container() {
    let scope = Scope::new();
    let e = engine();
    let d = docker();
    let c = d
        .containers()
        .create(&e.image)
        .label(LABEL, scope.value())
        .cmd(["sh", "-c", "echo hello; sleep 1; echo err >&2"])
        .send()
        .await
        .unwrap();
    c.start().await.unwrap();
    assert_eq!(c.wait().await.unwrap(), 0);
    let chunks = c.attach().logs(true).stream(false).send().await;
    if is_podman() {
        // Podman 4.3 frames each replayed line without its newline, which follows outside
        // any frame: not a multiplexed stream, and said so rather than guessed at.
        let err = chunks.unwrap_err();
        assert!(
            matches!(&err, Error::Stream { message, .. } if message.contains("not a multiplexed stream")),
            "{err:?}"
        );
        return;
    }
    let chunks = chunks.unwrap();
    assert_eq!(
        chunks,
        [
            LogChunk::StdOut("hello\n".into()),
            LogChunk::StdErr("err\n".into())
        ]
    );
    // Through a handle, which inspects for the TTY flag; stdout only.
    let chunks = d
        .containers()
        .handle(c.id())
        .attach()
        .logs(true)
        .stream(false)
        .stderr(false)
        .send()
        .await
        .unwrap();
    assert_eq!(chunks, [LogChunk::StdOut("hello\n".into())]);
    c.remove().force(true).send().await.unwrap();
}

#[tokio::test]
async fn a_detached_exec_run_gives_an_exec_id_to_inspect() {
    let scope = Scope::new();
    let d = docker();
    let c = scope.sleeper().await;
    let r = c
        .exec_run(["sh", "-c", "sleep 5; exit 3"])
        .detach(true)
        .send()
        .await
        .unwrap();
    assert_eq!(r.exit_code, None);
    assert!(!r.id.is_empty());
    let first = d.exec_inspect(&r.id).await.unwrap();
    assert_eq!(first.running, Some(true), "{first:?}");
    assert_eq!(first.container_id.as_deref(), Some(c.id()));
    if is_podman() {
        // Podman records a detached exec's end only when its exit command runs, which
        // conmon delays (exit_command_delay, 300 s): well after the process ended, the
        // session is still reported running.
        tokio::time::sleep(Duration::from_secs(6)).await;
        let later = d.exec_inspect(&r.id).await.unwrap();
        assert_eq!(later.running, Some(true), "{later:?}");
    }
    let deadline = Instant::now() + Duration::from_secs(20);
    if !is_podman() {
        let ended = loop {
            let i = d.exec_inspect(&r.id).await.unwrap();
            if i.running != Some(true) {
                break i;
            }
            assert!(Instant::now() < deadline, "the exec ended");
            tokio::time::sleep(Duration::from_millis(200)).await;
        };
        assert_eq!(ended.exit_code, Some(3));
    }
    // An exec that ran to its end has an id too, for the same inspect.
    let r = c.exec_run(["true"]).send().await.unwrap();
    assert_eq!(d.exec_inspect(&r.id).await.unwrap().exit_code, Some(0));
    let err = d.exec_inspect("no-such-exec").await.unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
    c.remove().force(true).send().await.unwrap();
}

#[tokio::test]
async fn run_that_cannot_start_is_the_daemons_error_and_leaves_nothing_with_remove() {
    let scope = Scope::new();
    let e = engine();
    let d = docker();
    let tag = unique("nostart");
    let err = d
        .containers()
        .run(&e.image)
        .label(LABEL, scope.value())
        .label("dei.nostart", &tag)
        .cmd(["/no/such/binary"])
        .run(true)
        .await
        .unwrap_err();
    assert!(
        err.status().is_some() && err.to_string().contains("/no/such/binary"),
        "{err:?}"
    );
    assert_none_left(
        &format!("dei.nostart={tag}"),
        "removed after the failed start",
    )
    .await;
}

/// An endpoint's MAC address is API 1.44's: below, where the daemon would ignore it, the
/// create is refused before anything is sent, as the docker CLI refuses it; from 1.44 on
/// the container's endpoint has it.
#[tokio::test]
async fn an_endpoint_mac_address_needs_api_1_44() {
    let scope = Scope::new();
    let e = engine();
    let d = docker();
    let mac = format!("02:00:00:ee:{:02x}:01", std::process::id() % 256);
    let create = d
        .containers()
        .create(&e.image)
        .label(LABEL, scope.value())
        .network_endpoint("bridge", Endpoint::new().mac_address(&mac))
        .cmd(["cat", "/sys/class/net/eth0/address"]);
    if !api_1_44(&d).await {
        let refused = create.send().await.unwrap_err();
        assert!(matches!(refused, Error::InvalidArgument(_)), "{refused:?}");
        assert!(refused.to_string().contains("needs API 1.44"), "{refused}");
        return;
    }
    let out = create.run(true).await.unwrap();
    assert_eq!(String::from_utf8_lossy(&out).trim(), mac);
}

/// docker-py's `exec_run(stdout=False)` / `stderr=False`: the stream not asked for is not
/// attached, so nothing of it comes; the exit code comes all the same.
#[tokio::test]
async fn exec_run_collects_only_the_streams_asked_for() {
    let scope = Scope::new();
    let c = scope.sleeper().await;
    let cmd = ["sh", "-c", "echo out; echo err >&2; exit 4"];
    let both = c.exec_run(cmd).send().await.unwrap();
    assert_eq!(
        (&both.stdout[..], &both.stderr[..]),
        (&b"out\n"[..], &b"err\n"[..])
    );
    let r = c.exec_run(cmd).stdout(false).send().await.unwrap();
    assert_eq!((&r.stdout[..], &r.stderr[..]), (&b""[..], &b"err\n"[..]));
    assert_eq!(r.exit_code, Some(4));
    let r = c.exec_run(cmd).stderr(false).send().await.unwrap();
    assert_eq!((&r.stdout[..], &r.stderr[..]), (&b"out\n"[..], &b""[..]));
    let neither = c.exec_run(cmd).stdout(false).stderr(false).send().await;
    if is_podman() {
        // Podman 4.3 wants at least one stream attached.
        let err = neither.unwrap_err();
        assert!(err.to_string().contains("at least one stream"), "{err}");
    } else {
        let r = neither.unwrap();
        assert_eq!(
            (r.stdout.len(), r.stderr.len(), r.exit_code),
            (0, 0, Some(4))
        );
    }
    c.remove().force(true).send().await.unwrap();
}
