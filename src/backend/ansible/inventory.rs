//! `inventory.yml`: every node once under `all.hosts` with its variables,
//! and the groups (by role, arch, package family, power, tunnels, storage)
//! listing their members.

use super::yaml::{open_entry, str_entry, write_entry, Y};
use crate::ir::{Arch, Family, Ir, Role, StorageBackend, TunnelKind};
use rustc_hash::FxHashSet as HashSet;
use std::collections::BTreeMap;

/// Ansible group names: identifiers, so `-` and `.` become `_`.
pub fn group_name(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect()
}

pub fn kubespray(ir: &Ir) -> bool {
    ir.kubernetes
        .as_ref()
        .is_some_and(|k| k.distribution.value == crate::ir::Distribution::Kubespray)
}

/// The inventory group of a role.
pub fn role_group(r: Role) -> &'static str {
    match r {
        Role::ControlPlane => "control_plane",
        Role::Etcd => "etcd",
        Role::Worker => "workers",
        Role::LoadBalancer => "loadbalancer",
        Role::Storage => "storage",
        Role::Monitoring => "monitoring",
    }
}

/// Group → member node names, in stack order. Computed once per build
/// and shared by the inventory, the play order and the build summary.
pub type Groups<'a> = BTreeMap<String, Vec<&'a str>>;

/// Every inventory group and its members (set-like, in stack order).
pub fn groups(ir: &Ir) -> Groups<'_> {
    // Members as node indices first: a membership test is then a set of
    // integers, not of (group, name) string pairs.
    let mut g: BTreeMap<String, (Vec<usize>, HashSet<usize>)> = BTreeMap::new();
    let mut add = |group: &str, node: usize| {
        let entry = match g.get_mut(group) {
            Some(e) => e,
            None => g.entry(group.to_string()).or_default(),
        };
        if entry.1.insert(node) {
            entry.0.push(node);
        }
    };
    for (i, n) in ir.nodes.iter().enumerate() {
        for r in &n.roles.value {
            add(role_group(*r), i);
        }
        let arch = if n.arch.value == Arch::Arm64 {
            "arch_arm64"
        } else {
            "arch_amd64"
        };
        add(arch, i);
        let family = match ir.image(n.os.value).family {
            Family::Debian => "family_debian",
            Family::Redhat => "family_redhat",
            Family::Suse => "family_suse",
        };
        add(family, i);
        if n.power.is_some() {
            add("power", i);
        }
    }
    if kubespray(ir) {
        // Kubespray's own group names, beside stackc's.
        for (i, n) in ir.nodes.iter().enumerate() {
            if n.has(Role::ControlPlane) {
                add("kube_control_plane", i);
            }
            if n.has(Role::Worker) {
                add("kube_node", i);
            }
        }
    }
    for t in &ir.tunnels {
        let members = if t.kind.value == TunnelKind::Cloudflare {
            &t.runs_on
        } else {
            &t.members
        };
        let group = format!("tunnel_{}", group_name(&t.name));
        for id in members {
            add(&group, id.0 as usize);
        }
    }
    for s in ir
        .storage
        .iter()
        .filter(|s| s.backend.value == StorageBackend::Nfs)
    {
        if let Some(server) = s.server.as_ref().and_then(|x| x.value) {
            add(
                &format!("nfs_server_{}", group_name(&s.name)),
                server.0 as usize,
            );
            for (i, n) in ir.nodes.iter().enumerate() {
                if n.has(Role::ControlPlane) || n.has(Role::Worker) {
                    add("nfs_clients", i);
                }
            }
        }
    }
    g.into_iter()
        .map(|(name, (members, _))| {
            let names = members.iter().map(|&i| ir.nodes[i].name.as_str()).collect();
            (name, names)
        })
        .collect()
}

/// `inventory.yml`, written host by host: for a fleet it is the largest
/// YAML file, and a `Y` tree of it cost more than the writing.
pub fn inventory(ir: &Ir, gs: &Groups) -> String {
    let mut out = String::with_capacity(256 + ir.nodes.len() * 300);
    out.push_str("---\n");
    open_entry(&mut out, "all", 0);
    if ir.nodes.is_empty() {
        write_entry(&mut out, "hosts", &Y::map(), 1);
    } else {
        open_entry(&mut out, "hosts", 1);
    }
    let kubespray = kubespray(ir);
    let lines = HostLines::new(ir);
    for n in &ir.nodes {
        host(&mut out, &lines, n, kubespray);
    }
    let kube_groups = if kubespray {
        ["kube_control_plane", "kube_node"]
    } else {
        ["control_plane", "workers"]
    };
    let kube: Vec<(&str, &Vec<&str>)> = kube_groups
        .iter()
        .filter_map(|g| gs.get(*g).map(|m| (*g, m)))
        .collect();
    let others: Vec<(&str, &Vec<&str>)> = gs
        .iter()
        .filter(|(g, _)| !kube_groups.contains(&g.as_str()))
        .map(|(g, m)| (g.as_str(), m))
        .collect();
    if kube.is_empty() && others.is_empty() {
        write_entry(&mut out, "children", &Y::map(), 1);
        return out;
    }
    open_entry(&mut out, "children", 1);
    // k8s_cluster is the parent of every kubelet node's group.
    if !kube.is_empty() {
        open_entry(&mut out, "k8s_cluster", 2);
        open_entry(&mut out, "children", 3);
        for (g, members) in kube {
            group(&mut out, g, members, 4);
        }
    }
    for (g, members) in others {
        group(&mut out, g, members, 2);
    }
    out
}

/// Host variable lines that are the same for many hosts, written once by
/// the general writer and copied per host (a fleet has thousands).
struct HostLines {
    user: String,
    /// `stackc_arch` per arch.
    arch: [String; 2],
    no_labels: String,
    no_taints: String,
}

impl HostLines {
    fn new(ir: &Ir) -> HostLines {
        let line = |k: &str, v: &Y| {
            let mut s = String::new();
            write_entry(&mut s, k, v, HOST_VARS);
            s
        };
        HostLines {
            user: line("ansible_user", &Y::str(&ir.site.admin_user)),
            arch: [Arch::Amd64, Arch::Arm64].map(|a| line("stackc_arch", &Y::str(a.word()))),
            no_labels: line("stackc_node_labels", &Y::map()),
            no_taints: line("stackc_node_taints", &Y::List(Vec::new())),
        }
    }
}

/// The depth of a host's variables (`all.hosts.NAME.var`).
const HOST_VARS: usize = 3;

/// One host under `all.hosts` with its variables.
fn host(out: &mut String, lines: &HostLines, n: &crate::ir::Node, kubespray: bool) {
    let ip = ip_text(n.ip.value);
    open_entry(out, &n.name, 2);
    // An address needs no quoting care: `"` + text + `"` is what
    // `str_entry` writes for it.
    let ip_line = |out: &mut String, key: &str| {
        out.push_str("      ");
        out.push_str(key);
        out.push_str(": \"");
        out.push_str(&ip);
        out.push_str("\"\n");
    };
    ip_line(out, "ansible_host");
    out.push_str(&lines.user);
    ip_line(out, "stackc_node_ip");
    str_entry(out, "stackc_hostname", &n.hostname.value, HOST_VARS);
    out.push_str(&lines.arch[usize::from(n.arch.value == Arch::Arm64)]);
    if n.labels.is_empty() {
        out.push_str(&lines.no_labels);
    } else {
        let labels = Y::Map(
            n.labels
                .iter()
                .map(|(k, v)| (k.clone(), Y::str(v)))
                .collect(),
        );
        write_entry(out, "stackc_node_labels", &labels, HOST_VARS);
    }
    if n.taints.is_empty() {
        out.push_str(&lines.no_taints);
    } else {
        write_entry(out, "stackc_node_taints", &Y::strs(&n.taints), HOST_VARS);
    }
    if kubespray {
        // Kubespray's per-host addresses.
        ip_line(out, "ip");
        ip_line(out, "access_ip");
    }
}

/// An address as `Display` writes it; IPv4 without the formatter, which
/// cost more than the rest of a host's line.
pub fn ip_text(ip: std::net::IpAddr) -> String {
    let std::net::IpAddr::V4(v4) = ip else {
        return ip.to_string();
    };
    let mut digits = itoa::Buffer::new();
    let mut s = String::with_capacity(15);
    for (i, octet) in v4.octets().into_iter().enumerate() {
        if i > 0 {
            s.push('.');
        }
        s.push_str(digits.format(octet));
    }
    s
}

/// `group: { hosts: { member: null, … } }`.
fn group(out: &mut String, name: &str, members: &[&str], depth: usize) {
    open_entry(out, name, depth);
    if members.is_empty() {
        write_entry(out, "hosts", &Y::map(), depth + 1);
        return;
    }
    open_entry(out, "hosts", depth + 1);
    for m in members {
        open_entry(out, m, depth + 2);
    }
}
