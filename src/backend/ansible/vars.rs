//! `group_vars/all.yml` and `host_vars/*.yml`: the stack's settings in the
//! variables the stdlib roles read (`stdlib/roles/README.md` is the
//! contract). Secrets are never values: the roles look them up from the
//! environment on the control node.

use super::inventory::group_name;
use super::yaml::Y;
use crate::ir::{Cni, Ir, Node, Role, StorageBackend, TunnelKind};
use std::collections::BTreeMap;

pub fn group_vars(ir: &Ir) -> Y {
    let mut v = Y::map();
    common(ir, &mut v);
    if let Some(k) = &ir.kubernetes {
        v.insert("kube_prereqs_kubernetes_version", Y::str(&k.version.value));
        v.insert("kube_prereqs_kubernetes_minor", Y::str(k.minor()));
        v.insert("kube_prereqs_runtime", Y::str(k.runtime.word()));
        let cps = control_planes(ir);
        let lbs = api_nodes(ir);
        v.insert("loadbalancer_api_port", Y::Int(i64::from(k.api_port)));
        v.insert(
            "loadbalancer_backends",
            Y::List(
                cps.iter()
                    .map(|n| {
                        Y::map()
                            .with("name", Y::str(&n.hostname.value))
                            .with("address", Y::str(n.ip.value.to_string()))
                    })
                    .collect(),
            ),
        );
        let endpoint = lbs
            .first()
            .or(cps.first())
            .map(|n| format!("{}:{}", n.ip.value, k.api_port))
            .unwrap_or_default();
        v.insert("kubeadm_init_kubernetes_version", Y::str(&k.version.value));
        v.insert("kubeadm_init_control_plane_endpoint", Y::str(endpoint));
        v.insert(
            "kubeadm_init_pod_subnet",
            Y::str(k.pod_cidr.value.to_string()),
        );
        v.insert(
            "kubeadm_init_service_subnet",
            Y::str(k.service_cidr.value.to_string()),
        );
        v.insert("kubeadm_init_cert_sans", Y::strs(cert_sans(ir, &lbs, &cps)));
        v.insert(
            "kubeadm_init_cluster_name",
            Y::str(if ir.site.name.is_empty() {
                "kubernetes"
            } else {
                &ir.site.name
            }),
        );
        v.insert("cni_plugin", Y::str(k.cni.value.word()));
        v.insert("cni_version", Y::str(&k.cni_version.value));
        v.insert("cni_pod_cidr", Y::str(k.pod_cidr.value.to_string()));
        v.insert("addons_releases", super::addons::releases(ir));
    }
    storage(ir, &mut v);
    tunnels(ir, &mut v);
    v
}

fn control_planes(ir: &Ir) -> Vec<&Node> {
    ir.nodes
        .iter()
        .filter(|n| n.has(Role::ControlPlane))
        .collect()
}

fn api_nodes(ir: &Ir) -> Vec<&Node> {
    ir.kubernetes
        .as_ref()
        .and_then(|k| k.api.as_ref())
        .map(|a| a.value.iter().map(|id| ir.node(*id)).collect())
        .unwrap_or_default()
}

/// Names and addresses clients may use for the API.
fn cert_sans(ir: &Ir, lbs: &[&Node], cps: &[&Node]) -> Vec<String> {
    let mut sans = Vec::new();
    for n in lbs.iter().chain(cps) {
        for s in [n.ip.value.to_string(), n.hostname.value.clone()] {
            if !sans.contains(&s) {
                sans.push(s);
            }
        }
        if let Some(d) = &ir.site.domain {
            let fqdn = format!("{}.{d}", n.hostname.value);
            if !sans.contains(&fqdn) {
                sans.push(fqdn);
            }
        }
    }
    sans
}

fn common(ir: &Ir, v: &mut Y) {
    let s = &ir.site;
    v.insert(
        "common_domain",
        Y::str(s.domain.clone().unwrap_or_default()),
    );
    v.insert("common_timezone", Y::str(&s.timezone));
    v.insert("common_admin_user", Y::str(&s.admin_user));
    v.insert("common_admin_ssh_keys", Y::strs(&s.ssh_keys));
    v.insert(
        "common_hosts",
        Y::List(
            ir.nodes
                .iter()
                .map(|n| {
                    // Built directly: a fleet has thousands of these.
                    Y::Map(vec![
                        ("name".into(), Y::str(&n.hostname.value)),
                        ("ip".into(), Y::Str(super::inventory::ip_text(n.ip.value))),
                    ])
                })
                .collect(),
        ),
    );
    v.insert(
        "common_ntp_servers",
        Y::strs(
            ir.ntp
                .as_ref()
                .map(|n| n.servers.clone())
                .unwrap_or_default(),
        ),
    );
    let (syslog, port) = ir.syslog.as_ref().map_or((String::new(), 514), |s| {
        (ir.node(s.server.value).ip.value.to_string(), s.port)
    });
    v.insert("common_syslog_server", Y::str(syslog));
    v.insert("common_syslog_port", Y::Int(i64::from(port)));
    v.insert(
        "common_ssh_password_auth",
        Y::Bool(ir.hardening.ssh_password_auth),
    );
    v.insert("common_firewall", Y::Bool(ir.hardening.firewall));
    v.insert("common_firewall_ports", firewall_ports(ir));
    v.insert(
        "common_unattended_upgrades",
        Y::Bool(ir.hardening.unattended_upgrades),
    );
}

/// The ports each inventory group needs open, from the roles, the CNI, the
/// addons and the storage of the stack.
fn firewall_ports(ir: &Ir) -> Y {
    let mut ports: BTreeMap<String, (Vec<String>, Vec<String>)> = BTreeMap::new();
    let mut open = |group: &str, tcp: &[&str], udp: &[&str]| {
        let e = ports.entry(group.to_string()).or_default();
        e.0.extend(tcp.iter().map(|s| s.to_string()));
        e.1.extend(udp.iter().map(|s| s.to_string()));
    };
    if let Some(k) = &ir.kubernetes {
        let api = k.api_port.to_string();
        open("control_plane", &[&api, "10250", "10257", "10259"], &[]);
        open("etcd", &["2379-2380"], &[]);
        open("workers", &["10250"], &[]);
        // kube-proxy serves NodePorts on every node.
        open("k8s_cluster", &["10250", "30000-32767"], &["30000-32767"]);
        open("loadbalancer", &[&api], &[]);
        match k.cni.value {
            Cni::Calico => open("k8s_cluster", &["179", "5473"], &["4789"]),
            Cni::Flannel => open("k8s_cluster", &[], &["8472"]),
            Cni::Cilium => open("k8s_cluster", &["4240", "4244"], &["8472"]),
        }
        if ir.addons.iter().any(|a| a.name == "metallb") {
            open("k8s_cluster", &["7946"], &["7946"]);
        }
        if ir.addons.iter().any(|a| a.name == "kube-prometheus-stack") {
            open("k8s_cluster", &["9100"], &[]);
        }
    }
    for s in &ir.storage {
        match s.backend.value {
            StorageBackend::Nfs => open(
                &format!("nfs_server_{}", group_name(&s.name)),
                &["111", "2049"],
                &["111", "2049"],
            ),
            StorageBackend::Ceph => open("storage", &["3300", "6789", "6800-7300"], &[]),
            _ => {}
        }
    }
    if let Some(s) = &ir.syslog {
        // The syslog server is opened through the groups of its roles.
        let n = ir.node(s.server.value);
        let port = s.port.to_string();
        for r in &n.roles.value {
            open(super::inventory::role_group(*r), &[&port], &[&port]);
        }
    }
    Y::Map(
        ports
            .into_iter()
            .map(|(g, (mut tcp, mut udp))| {
                tcp.sort();
                tcp.dedup();
                udp.sort();
                udp.dedup();
                (
                    g,
                    Y::map().with("tcp", Y::strs(tcp)).with("udp", Y::strs(udp)),
                )
            })
            .collect(),
    )
}

fn storage(ir: &Ir, v: &mut Y) {
    let mut mounts = Vec::new();
    let mut ceph = Y::map();
    for s in &ir.storage {
        match s.backend.value {
            StorageBackend::Nfs => {
                if let (Some(server), Some(path)) =
                    (s.server.as_ref().and_then(|x| x.value), &s.path)
                {
                    mounts.push(
                        Y::map()
                            .with("server", Y::str(ir.node(server).ip.value.to_string()))
                            .with("path", Y::str(path))
                            .with("mountpoint", Y::str(format!("/mnt/{}", s.name))),
                    );
                }
            }
            StorageBackend::Ceph => {
                ceph = Y::map()
                    .with(
                        "cluster_nodes",
                        Y::strs(s.nodes.iter().map(|n| ir.node(n.value).name.clone())),
                    )
                    .with(
                        "devices",
                        Y::strs(s.devices.iter().map(|d| d.value.clone())),
                    )
                    .with(
                        "replicas",
                        Y::Int(s.replicas.as_ref().map_or(3, |r| r.value as i64)),
                    );
            }
            _ => {}
        }
    }
    v.insert("storage_nfs_mounts", Y::List(mounts));
    v.insert("storage_ceph", ceph);
    let longhorn = ir.addons.iter().any(|a| a.name == "longhorn")
        || ir
            .storage
            .iter()
            .any(|s| s.backend.value == StorageBackend::Longhorn);
    v.insert("storage_longhorn", Y::Bool(longhorn));
}

/// The environment variable that carries a tunnel's token or network ID.
pub fn env_name(prefix: &str, name: &str) -> String {
    format!(
        "{prefix}_{}",
        name.to_ascii_uppercase()
            .replace(|c: char| !c.is_ascii_alphanumeric(), "_")
    )
}

fn tunnels(ir: &Ir, v: &mut Y) {
    let mut cf = Vec::new();
    let mut zt = Vec::new();
    for t in &ir.tunnels {
        let group = format!("tunnel_{}", group_name(&t.name));
        match t.kind.value {
            TunnelKind::Cloudflare => cf.push(
                Y::map()
                    .with("name", Y::str(&t.name))
                    .with("group", Y::str(group))
                    .with(
                        "token_env",
                        Y::str(env_name("CLOUDFLARE_TUNNEL_TOKEN", &t.name)),
                    ),
            ),
            TunnelKind::Zerotier => zt.push(
                Y::map()
                    .with("name", Y::str(&t.name))
                    .with("group", Y::str(group))
                    .with(
                        "network_id_env",
                        Y::str(env_name("ZEROTIER_NETWORK_ID", &t.name)),
                    ),
            ),
        }
    }
    v.insert("cloudflared_tunnels", Y::List(cf));
    v.insert("zerotier_networks", Y::List(zt));
}

/// `group_vars/k8s_cluster.yml` for Kubespray: its own variable names for
/// what the stack says (validation.md, "Kubespray inventories").
pub fn kubespray_vars(ir: &Ir) -> Option<Y> {
    let k = ir
        .kubernetes
        .as_ref()
        .filter(|k| k.distribution.value == crate::ir::Distribution::Kubespray)?;
    let plugin = match k.cni.value {
        Cni::Calico => "calico",
        Cni::Flannel => "flannel",
        Cni::Cilium => "cilium",
    };
    let mut v = Y::map()
        .with("kube_version", Y::str(&k.version.value))
        .with("kube_network_plugin", Y::str(plugin))
        .with("kube_pods_subnet", Y::str(k.pod_cidr.value.to_string()))
        .with(
            "kube_service_addresses",
            Y::str(k.service_cidr.value.to_string()),
        )
        .with("kube_apiserver_port", Y::Int(i64::from(k.api_port)))
        .with(
            "container_manager",
            Y::str(if k.runtime == crate::ir::Runtime::CriO {
                "crio"
            } else {
                "containerd"
            }),
        )
        .with("kube_proxy_mode", Y::str("ipvs"))
        // Kubespray's cluster_name is the cluster DNS domain: keep the
        // Kubernetes default, as the kubeadm path does.
        .with("cluster_name", Y::str("cluster.local"));
    if ir.addons.iter().any(|a| a.name == "metallb") {
        // MetalLB in layer 2 with IPVS needs strict ARP (Kubespray checks it).
        v.insert("kube_proxy_strict_arp", Y::Bool(true));
    }
    if let Some(lb) = api_nodes(ir).first() {
        v.insert(
            "loadbalancer_apiserver",
            Y::map()
                .with("address", Y::str(lb.ip.value.to_string()))
                .with("port", Y::Int(i64::from(k.api_port))),
        );
        v.insert("loadbalancer_apiserver_localhost", Y::Bool(false));
    }
    if let Some(ntp) = &ir.ntp {
        v.insert("ntp_enabled", Y::Bool(true));
        v.insert(
            "ntp_servers",
            Y::strs(ntp.servers.iter().map(|s| format!("{s} iburst"))),
        );
    }
    Some(v)
}

/// host_vars for hosts that have settings of their own (storage, power).
pub fn host_vars(ir: &Ir) -> BTreeMap<String, Y> {
    let mut out: BTreeMap<String, Y> = BTreeMap::new();
    for s in &ir.storage {
        match s.backend.value {
            StorageBackend::Zfs => {
                for n in &s.nodes {
                    let pool = Y::map()
                        .with("name", Y::str(&s.name))
                        .with(
                            "layout",
                            Y::str(s.layout.as_ref().map_or("stripe", |l| l.value.word())),
                        )
                        .with(
                            "devices",
                            Y::strs(s.devices.iter().map(|d| d.value.clone())),
                        );
                    push_list(
                        out.entry(ir.node(n.value).name.clone())
                            .or_insert_with(Y::map),
                        "storage_zfs_pools",
                        pool,
                    );
                }
            }
            StorageBackend::Nfs => {
                if let (Some(server), Some(path)) =
                    (s.server.as_ref().and_then(|x| x.value), &s.path)
                {
                    let clients = s
                        .clients
                        .as_ref()
                        .map(|c| c.value.to_string())
                        .unwrap_or_else(|| {
                            ir.network(ir.node(server).network.value)
                                .cidr
                                .value
                                .to_string()
                        });
                    let export = Y::map()
                        .with("path", Y::str(path))
                        .with("clients", Y::str(clients));
                    push_list(
                        out.entry(ir.node(server).name.clone())
                            .or_insert_with(Y::map),
                        "storage_nfs_exports",
                        export,
                    );
                }
            }
            _ => {}
        }
    }
    for n in &ir.nodes {
        let Some(p) = &n.power else { continue };
        let vars = out.entry(n.name.clone()).or_insert_with(Y::map);
        vars.insert(
            "power_wol_mac",
            Y::str(
                p.mac
                    .as_ref()
                    .filter(|_| p.wake_on_lan.value)
                    .map(|m| m.value.to_string())
                    .unwrap_or_default(),
            ),
        );
        vars.insert(
            "power_sleep_after",
            Y::Int(p.sleep_after.as_ref().map_or(0, |d| d.value.0 as i64)),
        );
    }
    out
}

fn push_list(vars: &mut Y, key: &str, item: Y) {
    if let Y::Map(m) = vars {
        if let Some((_, Y::List(l))) = m.iter_mut().find(|(k, _)| k == key) {
            l.push(item);
            return;
        }
        m.push((key.to_string(), Y::List(vec![item])));
    }
}
