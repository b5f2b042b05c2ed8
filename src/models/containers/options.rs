//! Typed values for [`CreateContainer`](super::CreateContainer): a [`Mount`], a
//! [`DeviceRequest`], the [`Endpoint`] settings of a network. Each holds the generated value
//! it builds (`into_inner`), reached by its operation path, so a field this builder has no
//! method for is one `into_inner()` away.

use std::collections::HashMap;

use crate::raw::types::op;

type MountValue = op::container_create::body::host_config::Mounts;
type EndpointValue = op::container_create::body::networking_config::EndpointsConfig;
type DeviceRequestValue = op::container_create::body::host_config::DeviceRequests;

/// A mount of the container (`--mount`): a host path, a named volume or a tmpfs
/// (`mounts_tmpfs_and_volumes_from_reach_the_container`).
///
/// ```
/// # use docker_engine::containers::Mount;
/// let m = Mount::tmpfs("/scratch").size(64 << 20).mode(0o1777);
/// let v = Mount::volume("data", "/data").no_copy(true).label("team", "a");
/// let b = Mount::bind("/srv/config", "/etc/app").read_only(true);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Mount(MountValue);

impl Mount {
    fn new(kind: &str, source: Option<String>, target: String) -> Mount {
        Mount(MountValue {
            type_: Some(kind.into()),
            source,
            target: Some(target),
            ..Default::default()
        })
    }

    /// The host path `source` at `target` (`type=bind`).
    pub fn bind(source: impl Into<String>, target: impl Into<String>) -> Mount {
        Mount::new("bind", Some(source.into()), target.into())
    }

    /// The named volume `name` at `target`, created if missing (`type=volume`).
    pub fn volume(name: impl Into<String>, target: impl Into<String>) -> Mount {
        Mount::new("volume", Some(name.into()), target.into())
    }

    /// A tmpfs at `target` (`type=tmpfs`).
    pub fn tmpfs(target: impl Into<String>) -> Mount {
        Mount::new("tmpfs", None, target.into())
    }

    /// Mount read-only.
    pub fn read_only(mut self, yes: bool) -> Mount {
        self.0.read_only = Some(yes);
        self
    }

    /// Bind propagation: `private`, `rprivate`, `shared`, `rshared`, `slave`, `rslave`.
    pub fn propagation(mut self, propagation: impl Into<String>) -> Mount {
        self.0
            .bind_options
            .get_or_insert_with(Default::default)
            .propagation = Some(propagation.into());
        self
    }

    /// Do not copy the image's files at the target into a new volume.
    pub fn no_copy(mut self, yes: bool) -> Mount {
        self.0
            .volume_options
            .get_or_insert_with(Default::default)
            .no_copy = yes;
        self
    }

    /// A label of the volume, if this mount creates it.
    pub fn label(mut self, key: impl Into<String>, value: impl Into<String>) -> Mount {
        self.0
            .volume_options
            .get_or_insert_with(Default::default)
            .labels
            .get_or_insert_with(HashMap::new)
            .insert(key.into(), value.into());
        self
    }

    /// The volume driver and its options, if this mount creates the volume.
    pub fn driver(mut self, name: impl Into<String>, options: HashMap<String, String>) -> Mount {
        self.0
            .volume_options
            .get_or_insert_with(Default::default)
            .driver_config = Some(
            op::container_create::body::host_config::mounts::volume_options::DriverConfig {
                name: Some(name.into()),
                options: Some(options),
            },
        );
        self
    }

    /// The size of a tmpfs in bytes (unlimited by default).
    pub fn size(mut self, bytes: i64) -> Mount {
        self.0
            .tmpfs_options
            .get_or_insert_with(Default::default)
            .size_bytes = Some(bytes);
        self
    }

    /// The permission bits of a tmpfs (`0o1777` by default).
    pub fn mode(mut self, mode: u32) -> Mount {
        self.0
            .tmpfs_options
            .get_or_insert_with(Default::default)
            .mode = Some(i64::from(mode));
        self
    }

    /// The generated value.
    pub fn into_inner(self) -> MountValue {
        self.0
    }
}

impl From<MountValue> for Mount {
    fn from(value: MountValue) -> Mount {
        Mount(value)
    }
}

/// A request for devices from a device driver (`--gpus`): the daemon stores it and the
/// driver (`nvidia`) satisfies it when the container starts
/// (`resources_and_devices_reach_the_container`, which checks what the daemon stored: the
/// test machines have no GPU).
///
/// ```
/// # use docker_engine::containers::DeviceRequest;
/// let all = DeviceRequest::gpus(-1);                       // --gpus all
/// let two = DeviceRequest::new("nvidia").device_ids(["0", "1"]).capabilities(["gpu", "utility"]);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct DeviceRequest(DeviceRequestValue);

impl DeviceRequest {
    /// A request to `driver` (empty: whichever driver has the capabilities).
    pub fn new(driver: impl Into<String>) -> DeviceRequest {
        DeviceRequest(DeviceRequestValue {
            driver: Some(driver.into()).filter(|d| !d.is_empty()),
            ..Default::default()
        })
    }

    /// `--gpus N` (`-1`: all): `count` devices with the `gpu` capability, from any driver.
    pub fn gpus(count: i64) -> DeviceRequest {
        DeviceRequest::new("").count(count).capabilities(["gpu"])
    }

    /// How many devices (`-1`: all of them).
    pub fn count(mut self, n: i64) -> DeviceRequest {
        self.0.count = Some(n);
        self
    }

    /// These devices, by id or index, instead of a count.
    pub fn device_ids<I, S>(mut self, ids: I) -> DeviceRequest
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.0
            .device_i_ds
            .get_or_insert_with(Vec::new)
            .extend(ids.into_iter().map(Into::into));
        self
    }

    /// One set of capabilities the devices must all have (`["gpu", "compute"]`); each call
    /// adds an alternative set (the request is an OR of ANDs).
    pub fn capabilities<I, S>(mut self, all_of: I) -> DeviceRequest
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.0
            .capabilities
            .get_or_insert_with(Vec::new)
            .push(Some(all_of.into_iter().map(Into::into).collect()));
        self
    }

    /// A driver-specific option.
    pub fn option(mut self, key: impl Into<String>, value: impl Into<String>) -> DeviceRequest {
        self.0
            .options
            .get_or_insert_with(HashMap::new)
            .insert(key.into(), value.into());
        self
    }

    /// The generated value.
    pub fn into_inner(self) -> DeviceRequestValue {
        self.0
    }
}

impl From<DeviceRequestValue> for DeviceRequest {
    fn from(value: DeviceRequestValue) -> DeviceRequest {
        DeviceRequest(value)
    }
}

/// The settings of the container's endpoint on one network, for
/// [`CreateContainer::network_endpoint`](super::CreateContainer::network_endpoint)
/// (`endpoint_settings_on_a_user_network_are_applied`).
///
/// ```
/// # use docker_engine::containers::Endpoint;
/// let e = Endpoint::new().alias("db").ipv4_address("10.10.0.5").link("cache", "redis");
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Endpoint(EndpointValue);

impl Endpoint {
    /// No settings: the daemon picks the address.
    pub fn new() -> Endpoint {
        Endpoint::default()
    }

    /// A name other containers on the network resolve to this one (`--network-alias`).
    pub fn alias(mut self, alias: impl Into<String>) -> Endpoint {
        self.0
            .aliases
            .get_or_insert_with(Vec::new)
            .push(alias.into());
        self
    }

    /// A fixed IPv4 address (`--ip`); the network must have a subnet that was configured for
    /// it (`subnet` when it was created).
    pub fn ipv4_address(mut self, ip: impl Into<String>) -> Endpoint {
        self.0
            .ipam_config
            .get_or_insert_with(Default::default)
            .i_pv4_address = Some(ip.into());
        self
    }

    /// A fixed IPv6 address (`--ip6`), on a network with an IPv6 subnet
    /// (`endpoint_settings_on_a_user_network_are_applied`).
    ///
    /// The integration tests `endpoint_settings_on_a_user_network_are_applied` and
    /// `an_endpoint_mac_address_needs_api_1_44` (the MAC address) make these calls.
    ///
    /// ```no_run
    /// # async fn f(docker: docker_engine::Docker) -> docker_engine::Result<()> {
    /// use docker_engine::containers::Endpoint;
    /// let c = docker
    ///     .containers()
    ///     .create("busybox")
    ///     .network_endpoint(
    ///         "backend-v6",
    ///         Endpoint::new()
    ///             .alias("db")
    ///             .ipv6_address("fd00:db8::10")
    ///             .mac_address("02:42:ac:11:00:43"), // API 1.44 and later
    ///     )
    ///     .send()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn ipv6_address(mut self, ip: impl Into<String>) -> Endpoint {
        self.0
            .ipam_config
            .get_or_insert_with(Default::default)
            .i_pv6_address = Some(ip.into());
        self
    }

    /// A link to another container on this network, resolvable as `alias`.
    pub fn link(mut self, container: impl AsRef<str>, alias: impl AsRef<str>) -> Endpoint {
        self.0.links.get_or_insert_with(Vec::new).push(format!(
            "{}:{}",
            container.as_ref(),
            alias.as_ref()
        ));
        self
    }

    /// An option for the network driver (`--network name=...,driver-opt=k=v`).
    pub fn driver_opt(mut self, key: impl Into<String>, value: impl Into<String>) -> Endpoint {
        self.0
            .driver_opts
            .get_or_insert_with(HashMap::new)
            .insert(key.into(), value.into());
        self
    }

    /// The endpoint's MAC address: API 1.44 and later. Below (Docker 20.10), where the
    /// daemon would ignore it, the create is refused with [`crate::Error::InvalidArgument`]
    /// as the docker CLI refuses it (`an_endpoint_mac_address_needs_api_1_44`).
    /// [`CreateContainer::mac_address`](super::CreateContainer::mac_address) works with both.
    pub fn mac_address(mut self, mac: impl Into<String>) -> Endpoint {
        self.0.mac_address = Some(mac.into());
        self
    }

    /// The generated value.
    pub fn into_inner(self) -> EndpointValue {
        self.0
    }
}

impl From<EndpointValue> for Endpoint {
    fn from(value: EndpointValue) -> Endpoint {
        Endpoint(value)
    }
}
