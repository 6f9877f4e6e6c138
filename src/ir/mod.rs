//! The typed model every later stage reads: names resolved, counts
//! expanded, defaults applied, literals typed. Checks and backends never
//! look at the AST and never guess a default.

mod dump;
pub mod value;

pub use dump::dump;

use crate::diag::Allow;
use crate::span::{Span, Spanned};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;
use value::{Cidr, Duration, IpRange, Mac, Size};

macro_rules! id_type {
    ($($name:ident),*) => {$(
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        pub struct $name(pub u32);
        impl $name {
            pub fn index(self) -> usize { self.0 as usize }
        }
    )*};
}
id_type!(NodeId, NetworkId, HypervisorId, ImageId, ChartId);

/// A closed set of bare symbols, with the words users write.
macro_rules! symbols {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $word:literal),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($variant),* }
        impl $name {
            pub const WORDS: &'static [&'static str] = &[$($word),*];
            pub fn from_word(w: &str) -> Option<Self> {
                match w { $($word => Some($name::$variant),)* _ => None }
            }
            pub fn word(self) -> &'static str {
                match self { $($name::$variant => $word),* }
            }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str(self.word()) }
        }
        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> { s.serialize_str(self.word()) }
        }
    };
}

symbols!(Arch { Amd64 = "amd64", Arm64 = "arm64" });
symbols!(Role {
    ControlPlane = "control_plane",
    Etcd = "etcd",
    Worker = "worker",
    LoadBalancer = "loadbalancer",
    Storage = "storage",
    Monitoring = "monitoring",
});
symbols!(Family { Debian = "debian", Redhat = "redhat", Suse = "suse" });
symbols!(Distribution { Kubeadm = "kubeadm", Kubespray = "kubespray" });
symbols!(Runtime { Containerd = "containerd", CriO = "cri-o" });
symbols!(Cni { Calico = "calico", Flannel = "flannel", Cilium = "cilium" });
symbols!(StorageBackend { Zfs = "zfs", Ceph = "ceph", Nfs = "nfs", Longhorn = "longhorn", Local = "local" });
symbols!(ZfsLayout { Stripe = "stripe", Mirror = "mirror", Raidz = "raidz", Raidz2 = "raidz2", Raidz3 = "raidz3" });
symbols!(TunnelKind { Cloudflare = "cloudflare", Zerotier = "zerotier" });
symbols!(StateBackend { Local = "local", S3 = "s3", Consul = "consul", Pg = "pg", Http = "http" });
symbols!(DatastoreContent {
    Images = "images",
    Rootdir = "rootdir",
    Iso = "iso",
    Snippets = "snippets",
    Backup = "backup",
    Vztmpl = "vztmpl",
    Import = "import",
});

/// A credential: a `secret("NAME")` supplied at apply time, or (flagged by
/// E0901) a plain string written in the source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "lowercase")]
pub enum Credential {
    Secret(String),
    #[serde(serialize_with = "redact")]
    Plain(String),
}

fn redact<S: serde::Serializer>(_: &str, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str("<plain text>")
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct Ir {
    pub site: Site,
    pub hypervisors: Vec<Hypervisor>,
    pub networks: Vec<Network>,
    pub images: Vec<Image>,
    pub nodes: Vec<Node>,
    pub kubernetes: Option<Kubernetes>,
    /// The chart catalog: the stdlib's addons and the user's `chart` blocks.
    pub charts: Vec<Chart>,
    /// What the stack enables: `addon` blocks and the user's `chart` blocks.
    pub addons: Vec<Addon>,
    pub cni_versions: Vec<CniVersions>,
    pub storage: Vec<Storage>,
    pub tunnels: Vec<Tunnel>,
    pub ntp: Option<Ntp>,
    pub syslog: Option<Syslog>,
    pub hardening: Hardening,
    /// Every `secret("NAME")` used anywhere, by name.
    pub secrets: BTreeSet<String>,
    /// Credential-looking attributes and keys given as plain strings (E0901).
    #[serde(skip)]
    pub plain_credentials: Vec<Spanned<String>>,
    #[serde(skip)]
    pub allows: Vec<Allow>,
}

impl Ir {
    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id.index()]
    }
    pub fn network(&self, id: NetworkId) -> &Network {
        &self.networks[id.index()]
    }
    pub fn hypervisor(&self, id: HypervisorId) -> &Hypervisor {
        &self.hypervisors[id.index()]
    }
    pub fn image(&self, id: ImageId) -> &Image {
        &self.images[id.index()]
    }
    pub fn chart(&self, id: ChartId) -> &Chart {
        &self.charts[id.index()]
    }
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct Site {
    pub name: String,
    pub domain: Option<String>,
    pub timezone: String,
    pub admin_user: String,
    pub ssh_keys: Vec<String>,
    pub state: State,
    #[serde(skip)]
    pub span: Span,
}

#[derive(Debug, Clone, Serialize)]
pub struct State {
    pub backend: StateBackend,
    /// Backend settings as written (`bucket`, `key`, `endpoint`, …).
    pub settings: BTreeMap<String, String>,
}

impl Default for State {
    fn default() -> Self {
        State {
            backend: StateBackend::Local,
            settings: BTreeMap::new(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Hypervisor {
    pub name: String,
    /// The Proxmox node name (defaults to the block label).
    pub node_name: String,
    pub endpoint: String,
    pub api_token: Option<Spanned<Credential>>,
    pub insecure: bool,
    pub arch: Spanned<Arch>,
    pub cpu: Option<Spanned<u64>>,
    pub memory: Option<Spanned<Size>>,
    pub datastores: Vec<Datastore>,
    /// Linux bridges the stack manages on this host (`bridge "vmbr1" { … }`).
    pub bridges: Vec<Bridge>,
    #[serde(skip)]
    pub span: Span,
}

/// A Linux bridge on a hypervisor, created by Terraform.
#[derive(Debug, Clone, Serialize)]
pub struct Bridge {
    pub name: String,
    pub vlan_aware: bool,
    pub ports: Vec<String>,
    pub comment: Option<String>,
    #[serde(skip)]
    pub span: Span,
}

#[derive(Debug, Clone, Serialize)]
pub struct Datastore {
    pub name: String,
    pub size: Option<Spanned<Size>>,
    pub content: Vec<DatastoreContent>,
    #[serde(skip)]
    pub span: Span,
}

#[derive(Debug, Clone, Serialize)]
pub struct Network {
    pub name: String,
    pub cidr: Spanned<Cidr>,
    pub gateway: Option<Spanned<IpAddr>>,
    /// As written; E0307 checks 1..4094.
    pub vlan: Option<Spanned<u64>>,
    pub bridge: String,
    pub dns: Vec<Spanned<IpAddr>>,
    pub dhcp: Option<Spanned<IpRange>>,
    #[serde(skip)]
    pub span: Span,
}

#[derive(Debug, Clone, Serialize)]
pub struct Image {
    pub name: String,
    pub family: Family,
    pub urls: BTreeMap<Arch, String>,
    pub builtin: bool,
    #[serde(skip)]
    pub span: Span,
}

/// One expanded node: `node "master" { count = 3 }` gives three of these.
#[derive(Debug, Clone, Serialize)]
pub struct Node {
    pub name: String,
    pub hostname: Spanned<String>,
    /// The `node` block label this node was expanded from.
    pub group: String,
    /// 1-based position in the group, and the group's size.
    pub index: u32,
    pub count: u32,
    pub roles: Spanned<Vec<Role>>,
    pub os: Spanned<ImageId>,
    pub arch: Spanned<Arch>,
    pub network: Spanned<NetworkId>,
    /// The span is the `ip` value written (or the block, when assigned automatically).
    pub ip: Spanned<IpAddr>,
    pub ip_auto: bool,
    pub labels: BTreeMap<String, String>,
    pub taints: Vec<String>,
    pub vm: Option<Vm>,
    /// Boxed: few nodes have one, and every node of a fleet would carry
    /// its 88 bytes.
    pub power: Option<Box<Power>>,
    #[serde(skip)]
    pub span: Span,
    #[serde(skip)]
    pub count_span: Option<Span>,
}

impl Node {
    pub fn has(&self, role: Role) -> bool {
        self.roles.value.contains(&role)
    }

    /// "`cp-2` (node "cp", 2 of 3)" — how diagnostics name a node.
    pub fn describe(&self) -> String {
        if self.count > 1 {
            format!(
                "`{}` (node \"{}\", {} of {})",
                self.name, self.group, self.index, self.count
            )
        } else {
            format!("`{}`", self.name)
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Vm {
    /// The Proxmox VMID: `vm { id = N }`, or derived from the node's address
    /// (see `lower::node::derived_vm_id`). Unique per stack (E0310).
    pub id: Spanned<u64>,
    pub host: Spanned<HypervisorId>,
    pub cpu: Spanned<u64>,
    pub memory: Spanned<Size>,
    pub disk: Spanned<Size>,
    pub datastore: Spanned<String>,
    #[serde(skip)]
    pub span: Span,
}

#[derive(Debug, Clone, Serialize)]
pub struct Power {
    pub wake_on_lan: Spanned<bool>,
    /// This node's MAC (from a single MAC or its entry of a list).
    pub mac: Option<Spanned<Mac>>,
    /// How many MACs the block lists, and the list (E0902).
    pub macs_given: usize,
    #[serde(skip)]
    pub mac_list: Option<Span>,
    pub sleep_after: Option<Spanned<Duration>>,
    #[serde(skip)]
    pub span: Span,
}

#[derive(Debug, Clone, Serialize)]
pub struct Kubernetes {
    pub distribution: Spanned<Distribution>,
    pub version: Spanned<String>,
    pub runtime: Runtime,
    pub cni: Spanned<Cni>,
    pub cni_version: Spanned<String>,
    /// True when `cni_version` was taken from the stdlib matrix.
    pub cni_version_defaulted: bool,
    pub network_policies: Spanned<bool>,
    pub pod_cidr: Spanned<Cidr>,
    pub service_cidr: Spanned<Cidr>,
    /// The load-balancer nodes in front of the API (`api = node.lb`).
    pub api: Option<Spanned<Vec<NodeId>>>,
    pub api_port: u16,
    #[serde(skip)]
    pub span: Span,
    /// `kubernetes` keyword: where block-level findings point.
    #[serde(skip)]
    pub header: Span,
}

impl Kubernetes {
    /// "1.31" of "1.31.0".
    pub fn minor(&self) -> String {
        minor_of(&self.version.value)
    }
}

pub fn minor_of(version: &str) -> String {
    version
        .trim_start_matches('v')
        .split('.')
        .take(2)
        .collect::<Vec<_>>()
        .join(".")
}

/// A Helm chart the stack can install: a stdlib addon or a user `chart`.
#[derive(Debug, Clone, Serialize)]
pub struct Chart {
    pub name: String,
    pub repo: String,
    pub chart: String,
    pub version: String,
    pub namespace: String,
    pub arch: Vec<Arch>,
    pub after: Vec<Spanned<String>>,
    pub requires: Vec<Spanned<String>>,
    pub kubernetes_min: Option<String>,
    pub kubernetes_max: Option<String>,
    pub description: Option<String>,
    pub values: BTreeMap<String, serde_json::Value>,
    pub builtin: bool,
    #[serde(skip)]
    pub span: Span,
}

/// An enabled addon: its catalog chart and the stack's settings for it.
#[derive(Debug, Clone, Serialize)]
pub struct Addon {
    pub name: String,
    pub chart: ChartId,
    pub version: Spanned<String>,
    pub namespace: String,
    pub after: Vec<Spanned<String>>,
    pub settings: AddonSettings,
    #[serde(skip)]
    /// The block header (`addon "x"` / `chart "x"`).
    pub span: Span,
}

/// The typed settings built-in addons take; which addon accepts which is in
/// `lower::addon`.
#[derive(Debug, Clone, Serialize, Default)]
pub struct AddonSettings {
    pub pool: Vec<Spanned<IpRange>>,
    pub replicas: Option<Spanned<u64>>,
    pub grafana_node_port: Option<Spanned<u64>>,
    pub acme_email: Option<String>,
    pub bucket: Option<String>,
    pub s3_url: Option<String>,
    pub credentials: Option<Spanned<Credential>>,
    /// Free-form Helm values merged over the derived ones.
    pub values: BTreeMap<String, serde_json::Value>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CniVersions {
    pub cni: Cni,
    pub arch: Vec<Arch>,
    pub policies: bool,
    /// Kubernetes minor → CNI versions known to work, oldest first.
    pub matrix: BTreeMap<String, Vec<String>>,
    pub builtin: bool,
    #[serde(skip)]
    pub span: Span,
}

#[derive(Debug, Clone, Serialize)]
pub struct Storage {
    pub name: String,
    pub backend: Spanned<StorageBackend>,
    pub nodes: Vec<Spanned<NodeId>>,
    pub devices: Vec<Spanned<String>>,
    pub layout: Option<Spanned<ZfsLayout>>,
    pub replicas: Option<Spanned<u64>>,
    /// NFS: the serving node, or the span of a non-node value (E0702).
    pub server: Option<Spanned<Option<NodeId>>>,
    pub path: Option<String>,
    pub clients: Option<Spanned<Cidr>>,
    #[serde(skip)]
    pub span: Span,
    /// `storage "name"`: where block-level findings point.
    #[serde(skip)]
    pub header: Span,
}

#[derive(Debug, Clone, Serialize)]
pub struct Tunnel {
    pub name: String,
    pub kind: Spanned<TunnelKind>,
    pub account_id: Option<Spanned<Credential>>,
    pub api_token: Option<Spanned<Credential>>,
    pub zone: Option<String>,
    /// Cloudflare zone ID; when absent the Terraform output asks for it as a variable.
    pub zone_id: Option<String>,
    pub routes: Vec<Route>,
    pub runs_on: Vec<NodeId>,
    pub cidr: Option<Spanned<Cidr>>,
    pub pool: Option<Spanned<IpRange>>,
    pub members: Vec<NodeId>,
    #[serde(skip)]
    pub span: Span,
}

#[derive(Debug, Clone, Serialize)]
pub struct Route {
    pub hostname: String,
    pub service: String,
    #[serde(skip)]
    pub span: Span,
}

#[derive(Debug, Clone, Serialize)]
pub struct Ntp {
    pub servers: Vec<String>,
    #[serde(skip)]
    pub span: Span,
}

#[derive(Debug, Clone, Serialize)]
pub struct Syslog {
    pub server: Spanned<NodeId>,
    pub port: u16,
    #[serde(skip)]
    pub span: Span,
}

#[derive(Debug, Clone, Serialize)]
pub struct Hardening {
    pub ssh_password_auth: bool,
    pub firewall: bool,
    pub unattended_upgrades: bool,
}

impl Default for Hardening {
    fn default() -> Self {
        Hardening {
            ssh_password_auth: false,
            firewall: true,
            unattended_upgrades: true,
        }
    }
}
