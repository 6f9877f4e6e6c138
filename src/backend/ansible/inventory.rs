//! `inventory.yml`: every node once under `all.hosts` with its variables,
//! and the groups (by role, arch, package family, power, tunnels, storage)
//! listing their members.

use super::yaml::Y;
use crate::ir::{Arch, Family, Ir, Role, StorageBackend, TunnelKind};
use std::collections::{BTreeMap, HashSet};

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

pub fn inventory(ir: &Ir, gs: &Groups) -> Y {
    let mut hosts = Y::map();
    for n in &ir.nodes {
        let labels = Y::Map(
            n.labels
                .iter()
                .map(|(k, v)| (k.clone(), Y::str(v)))
                .collect(),
        );
        let vars = Y::map()
            .with("ansible_host", Y::str(n.ip.value.to_string()))
            .with("ansible_user", Y::str(&ir.site.admin_user))
            .with("stackc_node_ip", Y::str(n.ip.value.to_string()))
            .with("stackc_hostname", Y::str(&n.hostname.value))
            .with("stackc_arch", Y::str(n.arch.value.word()))
            .with("stackc_node_labels", labels)
            .with("stackc_node_taints", Y::strs(&n.taints));
        let vars = if kubespray(ir) {
            // Kubespray's per-host addresses.
            vars.with("ip", Y::str(n.ip.value.to_string()))
                .with("access_ip", Y::str(n.ip.value.to_string()))
        } else {
            vars
        };
        hosts.insert(&n.name, vars);
    }
    let members = |g: &str| {
        gs.get(g)
            .map(|m| Y::Map(m.iter().map(|h| (h.to_string(), Y::Null)).collect()))
    };
    let mut children = Y::map();
    // k8s_cluster is the parent of every kubelet node's group.
    let mut k8s = Y::map();
    let kube_groups = if kubespray(ir) {
        ["kube_control_plane", "kube_node"]
    } else {
        ["control_plane", "workers"]
    };
    for g in kube_groups {
        if let Some(m) = members(g) {
            k8s.insert(g, Y::map().with("hosts", m));
        }
    }
    if matches!(&k8s, Y::Map(m) if !m.is_empty()) {
        children.insert("k8s_cluster", Y::map().with("children", k8s));
    }
    for (g, _) in gs
        .iter()
        .filter(|(g, _)| !kube_groups.contains(&g.as_str()))
    {
        if let Some(m) = members(g) {
            children.insert(g, Y::map().with("hosts", m));
        }
    }
    Y::map().with(
        "all",
        Y::map().with("hosts", hosts).with("children", children),
    )
}
